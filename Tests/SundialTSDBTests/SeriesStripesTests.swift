import Testing
import SundialCore
@testable import SundialTSDB

/// ``SeriesStripes`` and its per-stripe ``HashSlots``: series found by labels through 8-byte
/// (tag, ref) slots, hash-tag collisions, removal without tombstones, and refs beyond 32 bits.
@Suite struct SeriesStripesTests {
    /// Random inserts and removes against a reference set, with many equal tags and home slots
    /// (hashes drawn from a small range of tags) so that probe chains wrap and shift back.
    @Test func hashSlotsAgreeWithAReferenceSet() {
        var slots = HashSlots()
        var reference: [UInt64: UInt32] = [:]  // entry key (hash) -> ref
        var keys: [UInt64] = []
        var rng: UInt64 = 12345
        func next() -> UInt64 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return rng >> 11
        }
        var nextRef: UInt32 = 1
        for step in 0..<6_000 {
            let r = next()
            if r % 3 != 0 || reference.isEmpty {
                // Tags from 0..<64 only: heavy collisions; the low half of the hash is ignored.
                let hash = (next() % 64) << 32 | (next() & 0xffff_ffff)
                if reference[hash] != nil { continue }
                reference[hash] = nextRef
                keys.append(hash)
                slots.insert(hash, ref: nextRef)
                nextRef += 1
            } else {
                let at = Int(r / 3 % UInt64(keys.count))
                let victim = keys[at]
                keys.swapAt(at, keys.count - 1)
                keys.removeLast()
                slots.remove(victim, ref: reference[victim]!)
                reference[victim] = nil
            }
            if step % 499 == 0 || step == 5_999 {
                #expect(slots.count == reference.count)
                for (hash, ref) in reference {
                    #expect(slots.find(hash) { $0 == UInt64(ref) } == UInt64(ref))
                }
                #expect(slots.slots.count * 3 >= slots.count * 4 || slots.slots.isEmpty)
            }
        }
        // Removing an absent pair changes nothing.
        let before = slots.count
        slots.remove(99 << 32, ref: 4_000_000_000)
        #expect(slots.count == before)
    }

    @Test func findsSeriesByLabelsWithSharedHashes() {
        let stripes = SeriesStripes(count: 4)
        var made: [MemSeries] = []
        // Distinct label sets under one hash (a forced collision): both are kept and found.
        for (i, name) in ["a", "b", "c"].enumerated() {
            let labels = Labels([Label("__name__", name)])
            let (s, created) = stripes.getOrCreate(hash: 42, labels: labels) {
                MemSeries(ref: SeriesRef(UInt64(i + 1)), labels: labels, logged: false)
            }
            #expect(created)
            made.append(s)
        }
        for s in made {
            #expect(stripes.get(hash: 42, labels: s.labels) === s)
            #expect(stripes.get(s.ref) === s)
            #expect(stripes.getOrCreate(hash: 42, labels: s.labels) { fatalError("exists") }.1 == false)
        }
        #expect(stripes.get(hash: 43, labels: made[0].labels) == nil)
        stripes.remove(made[1], hash: 42)
        #expect(stripes.get(hash: 42, labels: made[1].labels) == nil)
        #expect(stripes.get(made[1].ref) == nil)
        #expect(stripes.get(hash: 42, labels: made[0].labels) === made[0])
        #expect(stripes.get(hash: 42, labels: made[2].labels) === made[2])
    }

    @Test func refsBeyond32BitsUseTheOverflowMap() {
        let stripes = SeriesStripes(count: 16)
        let labels = Labels([Label("__name__", "wide")])
        let ref = SeriesRef(UInt64(1) << 40)
        let (s, created) = stripes.getOrCreate(hash: 7, labels: labels) { MemSeries(ref: ref, labels: labels, logged: true) }
        #expect(created)
        #expect(stripes.get(hash: 7, labels: labels) === s)
        #expect(stripes.get(ref) === s)
        stripes.remove(s, hash: 7)
        #expect(stripes.get(hash: 7, labels: labels) == nil)
        #expect(stripes.get(ref) == nil)
    }
}
