// swift-tools-version:6.1
// Sundial: a Prometheus-compatible time-series database.
// Module layering follows ../shared/STYLE.md §2: nothing imports upward.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Sundial",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sundial", targets: ["sundial"]),
        // Libraries for the micro-benchmark package in Benchmarks/ (it depends on ".." and links these).
        .library(name: "SundialCore", targets: ["SundialCore"]),
        .library(name: "SundialEncoding", targets: ["SundialEncoding"]),
        .library(name: "SundialFileIO", targets: ["SundialFileIO"]),
        .library(name: "SundialWAL", targets: ["SundialWAL"]),
        .library(name: "SundialTSDB", targets: ["SundialTSDB"]),
        .library(name: "PromQLSyntax", targets: ["PromQLSyntax"]),
        .library(name: "PromQLEngine", targets: ["PromQLEngine"]),
        .library(name: "SundialIngest", targets: ["SundialIngest"]),
        .library(name: "SundialHTTP", targets: ["SundialHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // TLS for `sundial serve` (HummingbirdTLS builds on it; BoringSSL is compiled in).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // C shims: each imported by exactly one Swift module.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "CRE2",
            cxxSettings: [.unsafeFlags(["-std=c++17", "-O2"])],
            linkerSettings: [.linkedLibrary("re2")]
        ),
        .target(name: "CPrefetch"),
        .target(name: "CCRC32C"),

        .target(name: "SundialCore", dependencies: ["CRE2"], swiftSettings: swiftSettings),
        .target(name: "SundialEncoding", dependencies: ["CSnappy", "CZstd", "CPrefetch", "CCRC32C"], swiftSettings: swiftSettings),
        .target(name: "SundialFileIO", swiftSettings: swiftSettings),
        .target(name: "SundialWAL", dependencies: ["SundialCore", "SundialEncoding", "SundialFileIO"], swiftSettings: swiftSettings),
        .target(
            name: "SundialTSDB",
            dependencies: ["SundialCore", "SundialEncoding", "SundialFileIO", "SundialWAL"],
            swiftSettings: swiftSettings
        ),
        .target(name: "PromQLSyntax", dependencies: ["SundialCore"], swiftSettings: swiftSettings),
        .target(name: "PromQLEngine", dependencies: ["SundialCore", "PromQLSyntax"], swiftSettings: swiftSettings),
        .target(
            name: "PromQLTest",
            dependencies: ["SundialCore", "PromQLSyntax", "PromQLEngine"],
            swiftSettings: swiftSettings
        ),
        .target(name: "SundialIngest", dependencies: ["SundialCore", "SundialEncoding"], swiftSettings: swiftSettings),
        .target(
            name: "SundialHTTP",
            dependencies: [
                "SundialCore", "SundialEncoding", "PromQLSyntax", "PromQLEngine", "SundialIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sundial",
            dependencies: [
                "SundialCore", "SundialEncoding", "SundialFileIO", "SundialWAL", "SundialTSDB",
                "PromQLSyntax", "PromQLEngine", "PromQLTest", "SundialIngest", "SundialHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test support: temp dirs, golden files, an in-memory storage, used by every test target.
        .target(
            name: "SundialTestSupport",
            dependencies: ["SundialCore"],
            path: "Tests/SundialTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SundialCoreTests", dependencies: ["SundialCore", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialEncodingTests", dependencies: ["SundialEncoding", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialFileIOTests", dependencies: ["SundialFileIO", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialWALTests", dependencies: ["SundialWAL", "SundialCore", "SundialEncoding", "SundialFileIO", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialTSDBTests", dependencies: ["SundialTSDB", "SundialWAL", "SundialCore", "SundialEncoding", "SundialFileIO", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PromQLSyntaxTests", dependencies: ["PromQLSyntax", "SundialCore", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "PromQLEngineTests", dependencies: ["PromQLEngine", "PromQLSyntax", "PromQLTest", "SundialCore", "SundialTSDB", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialIngestTests", dependencies: ["SundialIngest", "SundialCore", "SundialEncoding", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SundialHTTPTests", dependencies: ["SundialHTTP", "SundialCore", "SundialTestSupport", "SundialIngest", "SundialEncoding", "PromQLSyntax", "PromQLEngine", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Seeded mutation fuzzing of every decoder of untrusted bytes (bounded; Fuzz/ has the libFuzzer targets).
        .testTarget(name: "FuzzTests", dependencies: ["SundialCore", "SundialEncoding", "SundialFileIO", "SundialWAL", "SundialTSDB", "PromQLSyntax", "SundialIngest", "SundialTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "IntegrationTests", dependencies: ["SundialCore", "SundialTestSupport", "SundialTSDB", "SundialEncoding", "SundialHTTP", "SundialIngest", "PromQLEngine", .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
