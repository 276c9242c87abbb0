import Testing
@testable import SundialFileIO

/// ``ResidentCode``: the smaps parser, and releasing the test process's own code pages (which
/// must leave it running: the pages come back on first use).
@Suite struct ResidentCodeTests {
    static let sample = """
        55d0c0a00000-55d0c1200000 r-xp 00200000 103:02 1234 /usr/bin/server
        Size:               8192 kB
        Rss:                2048 kB
        Private_Dirty:         0 kB
        Anonymous:             0 kB
        55d0c1200000-55d0c1300000 r--p 00a00000 103:02 1234 /usr/bin/server
        Rss:                 468 kB
        Private_Dirty:       468 kB
        Anonymous:             0 kB
        7f0000000000-7f0000100000 r-xp 00000000 103:02 99 /opt/lib/with space.so
        Rss:                  12 kB
        Private_Dirty:         4 kB
        Anonymous:             4 kB
        7f0000200000-7f0000300000 rw-p 00000000 00:00 0
        Rss:                 100 kB
        VmFlags: rd wr mr mw me ac
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
        Rss:                   8 kB
        """

    @Test func parsesMappingsAndCounters() {
        let maps = ResidentCode.parseSmaps(Self.sample)
        #expect(maps.count == 5)
        #expect(maps[0] == ResidentCode.Mapping(start: 0x55d0c0a00000, end: 0x55d0c1200000, permissions: "r-xp",
                                                path: "/usr/bin/server", rssKB: 2048, privateDirtyKB: 0, anonymousKB: 0))
        #expect(maps[1].privateDirtyKB == 468 && !maps[1].isExecutableFileMapping)
        #expect(maps[2].path == "/opt/lib/with space.so" && maps[2].isExecutableFileMapping && maps[2].privateDirtyKB == 4)
        #expect(maps[3].path == "" && !maps[3].isExecutableFileMapping)
        #expect(maps[4].path == "[vdso]" && !maps[4].isExecutableFileMapping)
    }

    @Test func ignoresGarbage() {
        #expect(ResidentCode.parseSmaps("").isEmpty)
        #expect(ResidentCode.parseSmaps("Rss: 4 kB\nnot a mapping\nzz-yy r-xp 0 0 0 /x\n").isEmpty)
    }

    #if os(Linux)
    @Test func releasingOwnCodeKeepsTheProcessRunning() throws {
        let release = try #require(ResidentCode.releaseExecutablePages())
        #expect(release.mappings > 0)
        // Code runs again after the release (faulted back in), and a second release works.
        var sum = 0
        for i in 0..<1000 { sum &+= i }
        #expect(sum == 499_500)
        let again = try #require(ResidentCode.releaseExecutablePages())
        #expect(again.mappings > 0)
    }
    #endif
}
