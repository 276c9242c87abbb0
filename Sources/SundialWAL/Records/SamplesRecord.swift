public import SundialEncoding

/// A samples record (type 2) whose bytes have been checked, read in place: ``forEach(_:)`` hands
/// each sample to the caller as it decodes it, with no intermediate `[RefSample]` (the replay
/// path for large logs; ``RecordDecoder/decodeSamples(_:into:)`` is the array form).
///
/// Layout (Prometheus `tsdb/record/record.go` `Samples`, docs/format/wal.md "Samples records"):
/// the type byte, then — unless the record holds no samples — the first sample's ref and time as
/// big-endian 64-bit integers, then per sample the ref's and the time's signed varint deltas from
/// those first values and the value's IEEE-754 bits as a big-endian 64-bit integer.
///
/// ``init(validating:)`` decodes the whole record once without keeping anything, so a record that
/// does not decode is refused before any of its samples reaches the caller (the record stays
/// all-or-nothing, as with the array decoder). Thread safety: an immutable value; share freely.
public struct SamplesRecord: Sendable {
    /// The record's bytes, type byte first.
    public let bytes: [UInt8]
    /// Number of samples in the record.
    public let count: Int

    /// Checks `record` completely (type byte, every field, no trailing bytes).
    /// - Throws: ``DecodeError`` with the offset inside the record, as
    ///   ``RecordDecoder/decodeSamples(_:into:)`` throws it for the same bytes.
    public init(validating record: [UInt8]) throws(DecodeError) {
        let result: Result<Int, DecodeError> = record.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw)
            do throws(DecodeError) {
                let b = try r.readByte()
                guard b == RecordType.samples.rawValue else {
                    throw DecodeError(.invalid, offset: 0, "record type \(b), expected \(RecordType.samples.rawValue) (samples)")
                }
                if r.isAtEnd { return .success(0) }
                _ = try r.readBE64()
                _ = try r.readBE64()
                var n = 0
                while !r.isAtEnd {
                    _ = try r.readVarint()
                    _ = try r.readVarint()
                    if r.remaining >= 8 {
                        r.position &+= 8  // the value's bits: any 8 bytes are valid
                    } else {
                        _ = try r.readBE64()  // throws the array decoder's error
                    }
                    n &+= 1
                }
                return .success(n)
            } catch {
                return .failure(error)
            }
        }
        self.bytes = record
        self.count = try result.get()
    }

    /// Calls `body` with each sample's series ref, timestamp (ms) and value bits, in record order,
    /// and with the ref of the sample `distance` places further on (the sample's own ref for the
    /// last `distance` samples), read by a second cursor ahead of the first: so the caller can
    /// prefetch what that later sample will touch. Never traps (see ``forEach(_:)``).
    /// - Parameter distance: how far ahead the second cursor reads, ≥ 1.
    @inlinable
    public func forEach(lookahead distance: Int, _ body: (_ ref: UInt64, _ t: Int64, _ valueBits: UInt64, _ aheadRef: UInt64) -> Void) {
        if count == 0 { return }
        bytes.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw, position: 1)
            guard let ref0 = try? r.readBE64(), let t0 = try? r.readBE64() else { return }
            var ahead = r
            var aheadLeft = count
            // Reads the next ref of the lead cursor (skipping its time and value), or nil.
            func nextAhead() -> UInt64? {
                guard aheadLeft > 0, let dref = try? ahead.readVarint(), (try? ahead.readVarint()) != nil,
                      ahead.remaining >= 8 else { return nil }
                ahead.position &+= 8
                aheadLeft &-= 1
                return ref0 &+ UInt64(bitPattern: dref)
            }
            for _ in 0..<Swift.max(1, distance) { _ = nextAhead() }
            for _ in 0..<count {
                guard let dref = try? r.readVarint(), let dt = try? r.readVarint(), r.remaining >= 8 else { return }
                let bits = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: r.position, as: UInt64.self))
                r.position &+= 8
                let ref = ref0 &+ UInt64(bitPattern: dref)
                body(ref, Int64(bitPattern: t0) &+ dt, bits, nextAhead() ?? ref)
            }
        }
    }

    /// Calls `body` with each sample's series ref, timestamp (ms) and value bits, in record order.
    /// Never traps: the bytes were validated (a read that fails anyway ends the walk early).
    @inlinable
    public func forEach(_ body: (_ ref: UInt64, _ t: Int64, _ valueBits: UInt64) -> Void) {
        if count == 0 { return }
        bytes.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw, position: 1)
            guard let ref0 = try? r.readBE64(), let t0 = try? r.readBE64() else { return }
            for _ in 0..<count {
                guard let dref = try? r.readVarint(), let dt = try? r.readVarint(), r.remaining >= 8 else { return }
                // One unaligned 8-byte load (the reader's `readBE64` assembles it byte by byte).
                let bits = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: r.position, as: UInt64.self))
                r.position &+= 8
                body(ref0 &+ UInt64(bitPattern: dref), Int64(bitPattern: t0) &+ dt, bits)
            }
        }
    }
}
