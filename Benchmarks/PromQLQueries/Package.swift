// swift-tools-version:6.1
// PromQL engine benchmark: the three anchor queries of issue 5 over 100k series in a TSDB head.
// Run: cd Benchmarks/PromQLQueries && swift run -c release PromQLBench
// (A plain timing executable: it needs a 100k-series head built once, which package-benchmark would rebuild per run.)
import PackageDescription

let package = Package(
    name: "PromQLBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Sundial", path: "../..")],
    targets: [
        .executableTarget(
            name: "PromQLBench",
            dependencies: [
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialTSDB", package: "Sundial"),
                .product(name: "PromQLEngine", package: "Sundial"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
