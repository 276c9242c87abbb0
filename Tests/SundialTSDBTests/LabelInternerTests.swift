import Testing
import SundialCore
import SundialEncoding
@testable import SundialTSDB

/// ``LabelInterner`` hands back interned strings, and the caller's own label set when its strings
/// already are the interned ones.
@Suite struct LabelInternerTests {
    static let longValue = String(repeating: "frontend-", count: 4)

    @Test func equalCopiesAreReplacedByTheInternedInstances() {
        let interner = LabelInterner()
        let first = interner.intern(Labels(sorted: [Label("__name__", "up"), Label("service", Self.longValue)]))
        var copy = String(repeating: "frontend-", count: 3)
        copy += "frontend-"
        #expect(!StringStorage.isSame(copy, as: Self.longValue))
        let second = interner.intern(Labels(sorted: [Label("__name__", "up"), Label("instance", "a"), Label("service", copy)]))
        #expect(second == Labels(sorted: [Label("__name__", "up"), Label("instance", "a"), Label("service", Self.longValue)]))
        #expect(StringStorage.isSame(second[2].value, as: first[1].value))
        #expect(interner.count == 6)
    }

    @Test func alreadyInternedLabelsComeBackUnchanged() {
        let interner = LabelInterner()
        let first = interner.intern(Labels(sorted: [Label("service", Self.longValue)]))
        // A label set built from the interned strings (as an interning ingest path builds them).
        let again = Labels(sorted: [Label("__name__", "up"), Label("service", first[0].value)])
        let out = interner.intern(again)
        #expect(out == again)
        #expect(StringStorage.isSame(out[1].value, as: first[0].value))
        #expect(interner.count == 4)
    }
}
