public import SundialCore
public import SundialEncoding

/// Encodes typed WAL records, appending to a caller-owned buffer (the caller clears and reuses it,
/// so steady state allocates nothing). Byte layouts follow Prometheus `tsdb/record/record.go`
/// (`Encoder`) and docs/format/wal.md "Record encoding"; our copy is docs/format/wal.md.
///
/// The encoders are `@inlinable` so that callers passing any collection (arrays, slices, lazy maps)
/// get a specialised loop: unspecialised generic iteration allocated once per element (measured).
///
/// Thread safety: stateless; call from any thread.
public enum RecordEncoder {
    /// Series record (type 1): per series `ref <8b BE>`, `uvarint #labels`, then for each label
    /// `uvarint len` + name bytes and `uvarint len` + value bytes.
    @inlinable
    public static func encodeSeries(_ series: some Collection<RefSeries>, into buf: inout [UInt8]) {
        buf.append(RecordType.series.rawValue)
        for s in series {
            buf.appendBE64(s.ref.rawValue)
            appendLabels(s.labels, into: &buf)
        }
    }

    /// Samples record (type 2): `ref0 <8b BE>`, `t0 <8b BE>` of the first sample, then per sample
    /// `varint(ref − ref0)`, `varint(t − t0)` (signed zig-zag varints, as Prometheus's `samplesV1`
    /// writes them although wal.md says uvarint) and the value's IEEE-754 bits `<8b BE>`.
    /// An empty collection gives a record holding only the type byte.
    /// Deltas wrap modulo 2⁶⁴ (Go's int64 arithmetic), so any refs and timestamps round-trip.
    @inlinable
    public static func encodeSamples(_ samples: some Collection<RefSample>, into buf: inout [UInt8]) {
        buf.append(RecordType.samples.rawValue)
        guard let first = samples.first else { return }
        buf.reserveCapacity(buf.count + 16 + samples.count * 12)
        buf.appendBE64(first.ref.rawValue)
        buf.appendBE64(UInt64(bitPattern: first.t))
        let ref0 = Int64(bitPattern: first.ref.rawValue)
        for s in samples {
            buf.appendVarint(Int64(bitPattern: s.ref.rawValue) &- ref0)
            buf.appendVarint(s.t &- first.t)
            buf.appendBE64(s.v.bitPattern)
        }
    }

    /// The samples record of ``encodeSamples(_:into:)`` from columns (the head's commit batch):
    /// sample `i` is (`refs[i]`, `timestamps[i]`, `values[i]`); same bytes, written in one pass
    /// with no per-byte capacity check (at most 28 bytes per sample are reserved).
    /// - Precondition: the three columns have the same count.
    @inlinable
    public static func encodeSamples(refs: [UInt64], timestamps: [Int64], values: [Double], into buf: inout [UInt8]) {
        let n = refs.count
        precondition(timestamps.count == n && values.count == n, "sample columns differ in length")
        buf.append(RecordType.samples.rawValue)
        guard n > 0 else { return }
        let ref0 = refs[0]
        let t0 = timestamps[0]
        buf.appendUnchecked(maxCount: 16 &+ n &* 28) { c in
            c.putBE64(ref0)
            c.putBE64(UInt64(bitPattern: t0))
            for i in 0..<n {
                c.putVarint(Int64(bitPattern: refs[i] &- ref0))
                c.putVarint(timestamps[i] &- t0)
                c.putBE64(values[i].bitPattern)
            }
        }
    }

    /// Tombstones record (type 3): per interval `ref <8b BE>`, `varint mint`, `varint maxt`
    /// (record.go `Tombstones`; wal.md "Tombstone records").
    @inlinable
    public static func encodeTombstones(_ tombstones: some Collection<RefTombstone>, into buf: inout [UInt8]) {
        buf.append(RecordType.tombstones.rawValue)
        for t in tombstones {
            buf.appendBE64(t.ref.rawValue)
            buf.appendVarint(t.minTime)
            buf.appendVarint(t.maxTime)
        }
    }

    /// Exemplars record (type 4): like samples (`ref0`, `t0` as 8-byte BE, then signed varint
    /// deltas and the value bits), each exemplar followed by its labels encoded as in a series record.
    @inlinable
    public static func encodeExemplars(_ exemplars: some Collection<RefExemplar>, into buf: inout [UInt8]) {
        buf.append(RecordType.exemplars.rawValue)
        guard let first = exemplars.first else { return }
        buf.appendBE64(first.ref.rawValue)
        buf.appendBE64(UInt64(bitPattern: first.t))
        let ref0 = Int64(bitPattern: first.ref.rawValue)
        for e in exemplars {
            buf.appendVarint(Int64(bitPattern: e.ref.rawValue) &- ref0)
            buf.appendVarint(e.t &- first.t)
            buf.appendBE64(e.v.bitPattern)
            appendLabels(e.labels, into: &buf)
        }
    }

    /// Metadata record (type 6): per series `uvarint ref`, `type <1b>`, `uvarint #fields` (2), then
    /// the fields `"UNIT"`, unit, `"HELP"`, help as uvarint-length strings (record.go `Metadata`).
    @inlinable
    public static func encodeMetadata(_ metadata: some Collection<RefMetadata>, into buf: inout [UInt8]) {
        buf.append(RecordType.metadata.rawValue)
        for m in metadata {
            buf.appendUVarint(m.ref.rawValue)
            buf.append(RefMetadata.byte(for: m.type))
            buf.appendUVarint(2)
            buf.appendUVarintString("UNIT")
            buf.appendUVarintString(m.unit)
            buf.appendUVarintString("HELP")
            buf.appendUVarintString(m.help)
        }
    }

    /// `uvarint #labels`, then name and value of each label as uvarint-length strings.
    @usableFromInline
    static func appendLabels(_ labels: Labels, into buf: inout [UInt8]) {
        buf.appendUVarint(UInt64(labels.count))
        for l in labels {
            buf.appendUVarintString(l.name)
            buf.appendUVarintString(l.value)
        }
    }
}
