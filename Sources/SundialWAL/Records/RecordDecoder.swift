import SundialCore
public import SundialEncoding

/// Decodes typed WAL records into caller-owned arrays, which it clears (keeping their capacity)
/// and refills, so steady-state decoding allocates nothing per sample. Layouts: see
/// ``RecordEncoder`` (Prometheus `tsdb/record/record.go`, docs/format/wal.md).
///
/// Every decoder validates: a truncated field, an overflowing varint, invalid UTF-8, trailing
/// bytes or a wrong type byte throw ``DecodeError`` with the offset inside the record; bytes
/// never trap. Thread safety: stateless; call from any thread.
public enum RecordDecoder {
    /// The record's type, or nil if it is empty or its type byte is not one of ``RecordType``.
    public static func type(of record: [UInt8]) -> RecordType? {
        guard let b = record.first else { return nil }
        return RecordType(rawValue: b)
    }

    /// Decodes a series record, replacing the contents of `series`.
    public static func decodeSeries(_ record: [UInt8], into series: inout [RefSeries]) throws(DecodeError) {
        series.removeAll(keepingCapacity: true)
        try withReader(record) { (r: inout UnsafeByteReader) throws(DecodeError) in
            try expectType(.series, &r)
            while !r.isAtEnd {
                let ref = try r.readBE64()
                let labels = try readLabels(&r)
                series.append(RefSeries(ref: SeriesRef(ref), labels: labels))
            }
        }
    }

    /// Decodes a samples record, replacing the contents of `samples`. A record holding only its
    /// type byte decodes to no samples.
    public static func decodeSamples(_ record: [UInt8], into samples: inout [RefSample]) throws(DecodeError) {
        samples.removeAll(keepingCapacity: true)
        try withReader(record) { (r: inout UnsafeByteReader) throws(DecodeError) in
            try expectType(.samples, &r)
            if r.isAtEnd { return }
            let ref0 = Int64(bitPattern: try r.readBE64())
            let t0 = Int64(bitPattern: try r.readBE64())
            // Each sample takes at least 10 bytes (1 + 1 + 8).
            samples.reserveCapacity(r.remaining / 10)
            while !r.isAtEnd {
                let dref = try r.readVarint()
                let dt = try r.readVarint()
                let bits = try r.readBE64()
                samples.append(RefSample(ref: SeriesRef(UInt64(bitPattern: ref0 &+ dref)), t: t0 &+ dt, v: Double(bitPattern: bits)))
            }
        }
    }

    /// Decodes a tombstones record, replacing the contents of `tombstones`.
    public static func decodeTombstones(_ record: [UInt8], into tombstones: inout [RefTombstone]) throws(DecodeError) {
        tombstones.removeAll(keepingCapacity: true)
        try withReader(record) { (r: inout UnsafeByteReader) throws(DecodeError) in
            try expectType(.tombstones, &r)
            while !r.isAtEnd {
                let ref = try r.readBE64()
                let mint = try r.readVarint()
                let maxt = try r.readVarint()
                tombstones.append(RefTombstone(ref: SeriesRef(ref), minTime: mint, maxTime: maxt))
            }
        }
    }

    /// Decodes an exemplars record, replacing the contents of `exemplars`.
    public static func decodeExemplars(_ record: [UInt8], into exemplars: inout [RefExemplar]) throws(DecodeError) {
        exemplars.removeAll(keepingCapacity: true)
        try withReader(record) { (r: inout UnsafeByteReader) throws(DecodeError) in
            try expectType(.exemplars, &r)
            if r.isAtEnd { return }
            let ref0 = Int64(bitPattern: try r.readBE64())
            let t0 = Int64(bitPattern: try r.readBE64())
            while !r.isAtEnd {
                let dref = try r.readVarint()
                let dt = try r.readVarint()
                let bits = try r.readBE64()
                let labels = try readLabels(&r)
                exemplars.append(
                    RefExemplar(
                        ref: SeriesRef(UInt64(bitPattern: ref0 &+ dref)), t: t0 &+ dt, v: Double(bitPattern: bits),
                        labels: labels))
            }
        }
    }

    /// Decodes a metadata record, replacing the contents of `metadata`. Fields other than `UNIT`
    /// and `HELP` are skipped (as Prometheus does).
    public static func decodeMetadata(_ record: [UInt8], into metadata: inout [RefMetadata]) throws(DecodeError) {
        metadata.removeAll(keepingCapacity: true)
        try withReader(record) { (r: inout UnsafeByteReader) throws(DecodeError) in
            try expectType(.metadata, &r)
            while !r.isAtEnd {
                let ref = try r.readUVarint()
                let type = try r.readByte()
                let fieldsAt = r.position
                let fields = try r.readUVarint()
                // Each field takes at least 2 bytes (two empty strings).
                guard fields <= UInt64(r.remaining / 2) else {
                    throw DecodeError(.invalid, offset: fieldsAt, "metadata: \(fields) fields cannot fit in \(r.remaining) bytes")
                }
                var unit = "", help = ""
                for _ in 0..<fields {
                    let name = try r.readUVarintString()
                    let value = try r.readUVarintString()
                    if name == "UNIT" { unit = value } else if name == "HELP" { help = value }
                }
                metadata.append(RefMetadata(ref: SeriesRef(ref), type: RefMetadata.type(for: type), unit: unit, help: help))
            }
        }
    }

    /// Decodes any record into the matching case, using `buffers` for the arrays.
    public static func decode(_ record: [UInt8], buffers: inout DecodeBuffers) throws(DecodeError) -> WALRecord {
        guard let first = record.first else { throw DecodeError(.truncated, offset: 0, "empty record") }
        switch RecordType(rawValue: first) {
        case .series:
            try decodeSeries(record, into: &buffers.series)
            return .series(buffers.series)
        case .samples:
            try decodeSamples(record, into: &buffers.samples)
            return .samples(buffers.samples)
        case .tombstones:
            try decodeTombstones(record, into: &buffers.tombstones)
            return .tombstones(buffers.tombstones)
        case .exemplars:
            try decodeExemplars(record, into: &buffers.exemplars)
            return .exemplars(buffers.exemplars)
        case .metadata:
            try decodeMetadata(record, into: &buffers.metadata)
            return .metadata(buffers.metadata)
        case .mmapMarkers, .histogramSamples, .floatHistogramSamples, nil:
            return .unsupported(type: first, bytes: record)
        }
    }

    /// Reusable arrays for ``decode(_:buffers:)``.
    public struct DecodeBuffers: Sendable {
        /// Reused by series records.
        public var series: [RefSeries] = []
        /// Reused by samples records.
        public var samples: [RefSample] = []
        /// Reused by tombstones records.
        public var tombstones: [RefTombstone] = []
        /// Reused by exemplars records.
        public var exemplars: [RefExemplar] = []
        /// Reused by metadata records.
        public var metadata: [RefMetadata] = []
        /// Empty buffers.
        public init() {}
    }

    /// Runs `body` with a reader over `record`'s bytes, keeping the typed error.
    @inline(__always)
    private static func withReader(
        _ record: [UInt8], _ body: (inout UnsafeByteReader) throws(DecodeError) -> Void
    ) throws(DecodeError) {
        let result: Result<Void, DecodeError> = record.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw)
            do throws(DecodeError) {
                try body(&r)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private static func expectType(_ type: RecordType, _ r: inout UnsafeByteReader) throws(DecodeError) {
        let b = try r.readByte()
        guard b == type.rawValue else {
            throw DecodeError(.invalid, offset: 0, "record type \(b), expected \(type.rawValue) (\(type))")
        }
    }

    /// `uvarint n`, then n (name, value) uvarint-length strings. Labels already sorted with unique
    /// names (what every writer produces) are taken as they are; anything else is sorted.
    private static func readLabels(_ r: inout UnsafeByteReader) throws(DecodeError) -> Labels {
        let at = r.position
        let n = try r.readUVarint()
        // Each label takes at least 2 bytes (two empty strings).
        guard n <= UInt64(r.remaining / 2) else {
            throw DecodeError(.invalid, offset: at, "\(n) labels cannot fit in \(r.remaining) bytes")
        }
        var labels: [Label] = []
        labels.reserveCapacity(Int(n))
        var sorted = true
        for i in 0..<Int(n) {
            let name = try r.readUVarintString()
            let value = try r.readUVarintString()
            if i > 0 && !byteOrderLess(labels[i - 1].name, name) { sorted = false }
            labels.append(Label(name, value))
        }
        return sorted ? Labels(sorted: labels) : Labels(labels)
    }
}
