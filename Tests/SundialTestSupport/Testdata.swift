import Foundation

/// Locates files in the repository's `testdata/` and `../shared/` through `#filePath`,
/// so tests work from any working directory.
public enum Testdata {
    /// The repository root (the directory holding Package.swift).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        // .../Tests/SundialTestSupport/Testdata.swift → repository root
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `testdata/<relative>`.
    public static func path(_ relative: String) -> String { "\(repositoryRoot)/testdata/\(relative)" }

    /// `../shared/<relative>` (the shared folder beside the repository).
    public static func shared(_ relative: String) -> String {
        URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/\(relative)").path
    }

    /// Reads `testdata/<relative>`.
    public static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// True when `SUNDIAL_UPDATE_GOLDEN=1`: golden-file tests rewrite their files instead of comparing.
    public static var updateGolden: Bool { ProcessInfo.processInfo.environment["SUNDIAL_UPDATE_GOLDEN"] == "1" }
}
