public import SundialCore

// Native histograms in API results, as Prometheus renders them (`util/jsonutil/marshal.go`
// `MarshalHistogram` in 3.x; `marshalHistogram` in 2.42's `web/api/v1/json_codec.go`, identical
// output): `{"count":"<c>","sum":"<s>","buckets":[[<rule>,"<lower>","<upper>","<count>"],…]}`.
extension JSONWriter {
    /// Appends `h` as a JSON object: `count` and `sum` as value strings, then `buckets` in ascending
    /// order (negative, zero, positive; ``FloatHistogram/forEachBucket(_:)``), each
    /// `[rule, "lower", "upper", "count"]` with the boundary rule of ``HistogramBucket/boundaryRule``
    /// (0 `(l,u]`, 1 `[l,u)`, 2 `(l,u)`, 3 `[l,u]`). Empty buckets are left out, and so is the
    /// `buckets` key when every bucket is empty (Prometheus: "No need to expose empty buckets").
    public mutating func histogram(_ h: FloatHistogram) {
        raw(#"{"count":"#)
        value(h.count)
        raw(#","sum":"#)
        value(h.sum)
        var first = true
        h.forEachBucket { b in
            if b.count == 0 { return }
            if first {
                raw(#","buckets":["#)
                first = false
            } else {
                byte(UInt8(ascii: ","))
            }
            byte(UInt8(ascii: "["))
            int(b.boundaryRule)
            byte(UInt8(ascii: ","))
            value(b.lower)
            byte(UInt8(ascii: ","))
            value(b.upper)
            byte(UInt8(ascii: ","))
            value(b.count)
            byte(UInt8(ascii: "]"))
        }
        if !first { byte(UInt8(ascii: "]")) }
        byte(UInt8(ascii: "}"))
    }

    /// Appends `[<ts>,{histogram}]`, Prometheus's histogram point.
    public mutating func histogramPoint(_ t: Timestamp, _ h: FloatHistogram) {
        byte(UInt8(ascii: "["))
        timestamp(t)
        byte(UInt8(ascii: ","))
        histogram(h)
        byte(UInt8(ascii: "]"))
    }
}
