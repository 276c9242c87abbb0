import SundialFileIO
import SundialTestSupport
import Testing

@Suite struct FileSystemTests {
    @Test func createListRemove() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let nested = tmp.appending("a/b/c")
        try FileSystem.createDirectory(nested)
        try FileSystem.createDirectory(nested)  // existing: fine
        #expect(FileSystem.isDirectory(nested))
        for name in ["z", "a", "10", "9"] {
            try DiskFile(path: tmp.appending("a/\(name)"), mode: .createNew).close()
        }
        #expect(try FileSystem.listDirectory(tmp.appending("a")) == ["10", "9", "a", "b", "z"])
        #expect(throws: FileIOError.self) { try DiskFile(path: tmp.appending("a/z"), mode: .createNew) }
        try FileSystem.removeTree(tmp.appending("a"))
        #expect(!FileSystem.exists(tmp.appending("a")))
        try FileSystem.removeTree(tmp.appending("missing"))  // missing: fine
        do {
            _ = try FileSystem.listDirectory(tmp.appending("missing"))
            Issue.record("listing a missing directory succeeded")
        } catch let e as FileIOError {
            #expect(e.code == .notFound)
            #expect(e.description.contains("missing"))
        }
    }

    @Test func atomicReplaceAndDirectoryMove() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let path = tmp.appending("meta.json")
        try FileSystem.atomicReplace(path, with: Array("one".utf8))
        try FileSystem.atomicReplace(path, with: Array("two!".utf8))
        #expect(try DiskFile(path: path, mode: .read).readAll() == Array("two!".utf8))
        #expect(!FileSystem.exists(path + ".tmp"))

        try FileSystem.createDirectory(tmp.appending("x.tmp"))
        try DiskFile(path: tmp.appending("x.tmp/f"), mode: .createNew).write([1], at: 0)
        try FileSystem.createDirectory(tmp.appending("x"))
        try DiskFile(path: tmp.appending("x/old"), mode: .createNew).close()
        try FileSystem.moveDirectory(from: tmp.appending("x.tmp"), replacing: tmp.appending("x"))
        #expect(try FileSystem.listDirectory(tmp.appending("x")) == ["f"])
        #expect(!FileSystem.exists(tmp.appending("x.tmp")))
    }
}
