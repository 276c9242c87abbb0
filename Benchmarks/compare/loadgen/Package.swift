// swift-tools-version:6.0
// The side-by-side benchmark's load generator, sender and query runner (issue 8). A tiny standalone
// package (no dependencies but the system libsnappy) so that it builds in seconds in release mode
// and costs as little client CPU as possible on a 2-core machine shared with the server under test.
import PackageDescription

let package = Package(
    name: "loadgen",
    targets: [
        .systemLibrary(name: "CSnappyLG", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .executableTarget(
            name: "loadgen",
            dependencies: ["CSnappyLG"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
