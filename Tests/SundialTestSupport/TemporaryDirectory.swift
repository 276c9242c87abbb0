import Foundation

/// A fresh directory under the system temp dir, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String
    public init(prefix: String = "sundial-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let p = "\(base)/\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        path = p
    }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
    /// `path/name`.
    public func appending(_ name: String) -> String { "\(path)/\(name)" }
}
