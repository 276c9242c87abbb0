import Foundation
import SundialFileIO
import SundialTestSupport
import Testing

@Suite struct DirectoryLockTests {
    @Test func secondLockIsRefusedNamingDirectoryAndPid() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let lock = try DirectoryLock(directory: tmp.path)
        do {
            _ = try DirectoryLock(directory: tmp.path)
            Issue.record("second lock succeeded")
        } catch let e as FileIOError {
            #expect(e.code == .locked)
            #expect(e.description.contains(tmp.path))
            #expect(e.description.contains("pid \(getpid())"))
        }
        lock.unlock()
        // Released: a new holder gets it (the stale lock file does not block).
        let again = try DirectoryLock(directory: tmp.path)
        again.unlock()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func anotherProcessIsRefused() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let lock = try DirectoryLock(directory: tmp.path)
        // util-linux flock(1) uses the same flock(2) lock: with -n it fails at once while we hold it.
        func otherProcessGetsLock() throws -> Bool {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            p.arguments = ["-n", tmp.appending("lock"), "true"]
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus == 0
        }
        #expect(try !otherProcessGetsLock())
        lock.unlock()
        #expect(try otherProcessGetsLock())
    }
}
