// swift-tools-version:6.1
// libFuzzer targets for Sundial's decoders of untrusted bytes, for long local runs (the bounded,
// seeded layer runs in CI as Tests/FuzzTests). One executable per target, built with
// `-sanitize=fuzzer` (libFuzzer's main, coverage instrumentation of every Sundial module):
//   Fuzz/run.sh TARGET SECONDS        # builds (release + fuzzer) and runs TARGET over Fuzz/corpus/TARGET
// Targets: remote-write, remote-read, promql, wal, index, chunks. See README.md ("Testing").
import PackageDescription

// Each target defines `LLVMFuzzerTestOneInput` and no `main` (libFuzzer provides it).
let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "SundialFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Sundial", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzRemoteWrite",
            dependencies: [.product(name: "SundialIngest", package: "Sundial"), .product(name: "SundialEncoding", package: "Sundial")],
            path: "Sources/FuzzRemoteWrite", swiftSettings: fuzzSettings),
        .executableTarget(
            name: "FuzzRemoteRead",
            dependencies: [.product(name: "SundialIngest", package: "Sundial"), .product(name: "SundialEncoding", package: "Sundial")],
            path: "Sources/FuzzRemoteRead", swiftSettings: fuzzSettings),
        .executableTarget(
            name: "FuzzPromQL",
            dependencies: [.product(name: "PromQLSyntax", package: "Sundial")],
            path: "Sources/FuzzPromQL", swiftSettings: fuzzSettings),
        .executableTarget(
            name: "FuzzWAL",
            dependencies: [.product(name: "SundialWAL", package: "Sundial"), .product(name: "SundialEncoding", package: "Sundial")],
            path: "Sources/FuzzWAL", swiftSettings: fuzzSettings),
        .executableTarget(
            name: "FuzzIndex",
            dependencies: [.product(name: "SundialTSDB", package: "Sundial"), .product(name: "SundialCore", package: "Sundial"),
                           .product(name: "SundialEncoding", package: "Sundial")],
            path: "Sources/FuzzIndex", swiftSettings: fuzzSettings),
        .executableTarget(
            name: "FuzzChunks",
            dependencies: [.product(name: "SundialTSDB", package: "Sundial"), .product(name: "SundialEncoding", package: "Sundial")],
            path: "Sources/FuzzChunks", swiftSettings: fuzzSettings),
    ],
    swiftLanguageModes: [.v6]
)
