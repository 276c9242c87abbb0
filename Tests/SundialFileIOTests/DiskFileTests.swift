import SundialFileIO
import SundialTestSupport
import Testing

@Suite struct DiskFileTests {
    @Test func positionalIOSizeTruncate() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let f = try DiskFile(path: tmp.appending("f"), mode: .createNew)
        try f.write([1, 2, 3, 4], at: 0)
        try f.write([9], at: 10)  // a hole reads as zeros
        #expect(try f.size() == 11)
        #expect(try f.read(count: 11, at: 0) == [1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 9])
        #expect(try f.read(count: 100, at: 8) == [0, 0, 9])  // short at end of file
        #expect(try f.read(count: 5, at: 50) == [])
        try f.dataSync()
        try f.sync()
        try f.truncate(to: 2)
        #expect(try f.readAll() == [1, 2])
        try f.write(Array([5, 6, 7][1...]), at: 2)
        #expect(try f.readAll() == [1, 2, 6, 7])
        try f.close()
        try f.close()  // idempotent
        #expect(throws: FileIOError.self) { try f.size() }
    }

    @Test func mappedFileIsBoundsChecked() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try DiskFile(path: tmp.appending("m"), mode: .createNew).write(bytes, at: 0)
        let m = try MappedFile(path: tmp.appending("m"))
        #expect(m.count == bytes.count)
        #expect(m.bytes(in: 10..<20) == Array(bytes[10..<20]))
        #expect(m.bytes(in: 99_990..<100_001) == nil)
        #expect(m.bytes(in: -1..<3) == nil)
        #expect(m.withBytes { $0.reduce(0) { $0 &+ Int($1) } } == bytes.reduce(0) { $0 &+ Int($1) })
        m.adviseSequential()
        try DiskFile(path: tmp.appending("empty"), mode: .createNew).close()
        let e = try MappedFile(path: tmp.appending("empty"))
        #expect(e.count == 0 && e.unsafeBaseAddress == nil && e.bytes(in: 0..<0) == [])
        #expect(throws: FileIOError.self) { try MappedFile(path: tmp.appending("nope")) }
    }

    @Test func dedicatedThreadRunsAndJoins() throws {
        let box = Box()
        let t = try DedicatedThread(name: "t") { box.set() }
        t.join()
        #expect(box.value)
    }
}

import Synchronization

private final class Box: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var value: Bool { flag.load(ordering: .acquiring) }
}
