// swift-tools-version:6.1
// Sundial's micro-benchmarks (package-benchmark), one executable per area, p90 thresholds checked in under
// Thresholds/. Release builds only:
//   cd Benchmarks && swift package benchmark                                  # run all
//   swift package benchmark thresholds check --path Thresholds/               # fail on a regression
//   swift package --allow-writing-to-package-directory benchmark thresholds update --path Thresholds/
// See BENCHMARKS.md ("Micro-benchmarks") for the figures and how the thresholds were set.
import PackageDescription

let benchmarkPlugin: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "SundialBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Sundial", path: ".."),
        // MallocInterposer counts allocations without jemalloc (which the build machines lack).
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EncodingBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialEncoding", package: "Sundial"),
            ],
            path: "Encoding",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "WALBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialWAL", package: "Sundial"),
            ],
            path: "WAL",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
            ],
            path: "Core",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "PromQLSyntaxBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PromQLSyntax", package: "Sundial"),
            ],
            path: "PromQLSyntax",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "TSDBBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialTSDB", package: "Sundial"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialEncoding", package: "Sundial"),
            ],
            path: "TSDB",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "IngestBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialEncoding", package: "Sundial"),
                .product(name: "SundialIngest", package: "Sundial"),
            ],
            path: "Ingest",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "HeadBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialTSDB", package: "Sundial"),
            ],
            path: "Head",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "PromQLBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialTSDB", package: "Sundial"),
                .product(name: "PromQLSyntax", package: "Sundial"),
                .product(name: "PromQLEngine", package: "Sundial"),
            ],
            path: "PromQL",
            plugins: benchmarkPlugin
        ),
        .executableTarget(
            name: "HTTPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialHTTP", package: "Sundial"),
            ],
            path: "HTTP",
            plugins: benchmarkPlugin
        ),
    ],
    swiftLanguageModes: [.v6]
)
