import Testing
import SundialEncoding

/// ``StringStorage/isSame(_:as:)`` tells a shared stored string from an equal copy.
@Suite struct StringStorageTests {
    @Test func sameInstanceAndCopies() {
        let long = String(repeating: "service-", count: 8)
        let alias = long
        var copy = String(repeating: "service-", count: 7)
        copy += "service-"
        #expect(copy == long)
        #expect(StringStorage.isSame(alias, as: long))
        #expect(!StringStorage.isSame(copy, as: long))
        // Short strings are inline: any equal one may stand for another.
        #expect(StringStorage.isSame("job", as: String("jo") + "b"))
        #expect(StringStorage.isSame("", as: ""))
    }
}
