import SundialEncoding
import Testing

/// `UncheckedByteCursor` writes exactly the bytes of the checked `[UInt8]` appenders.
@Suite struct UncheckedByteCursorTests {
    static let values: [Int64] = [0, 1, -1, 63, -64, 64, 127, 128, -129, 1 << 40, -(1 << 50), Int64.max, Int64.min]

    @Test func writesTheBytesOfTheCheckedAppenders() {
        var checked: [UInt8] = [7, 7]
        var unchecked: [UInt8] = [7, 7]
        for v in UncheckedByteCursorTests.values {
            checked.appendVarint(v)
            checked.appendUVarint(UInt64(bitPattern: v))
            checked.appendBE64(UInt64(bitPattern: v))
        }
        unchecked.appendUnchecked(maxCount: UncheckedByteCursorTests.values.count * 28) { c in
            for v in UncheckedByteCursorTests.values {
                c.putVarint(v)
                c.putUVarint(UInt64(bitPattern: v))
                c.putBE64(UInt64(bitPattern: v))
            }
        }
        #expect(unchecked == checked)
    }

    @Test func cutsTheUnusedReserveAndKeepsEarlierBytes() {
        var buf: [UInt8] = [1, 2, 3]
        buf.appendUnchecked(maxCount: 100) { c in
            c.putUVarint(300)
            #expect(c.count == 2)
        }
        #expect(buf == [1, 2, 3, 0xac, 0x02])
        buf.appendUnchecked(maxCount: 0) { _ in }
        #expect(buf == [1, 2, 3, 0xac, 0x02])
    }
}
