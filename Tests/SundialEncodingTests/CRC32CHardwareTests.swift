import Testing
import SundialEncoding

/// ``CRC32C``: the hardware path (when the CPU has it) equals the table path for every length
/// and alignment, continued or not, and the standard check value holds.
@Suite struct CRC32CHardwareTests {
    @Test func hardwareMatchesTables() {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes: [UInt8] = (0..<1500).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1000, 1491 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == CRC32C.tableChecksum(slice))
                    #expect(CRC32C.checksum(slice, continuing: 0xdead_beef) == CRC32C.tableChecksum(slice, continuing: 0xdead_beef))
                }
            }
        }
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}
