// swift-tools-version:6.1
// Remote-write decode and write-path throughput of SundialIngest alone (storage is a no-op
// appender), in CPU time. Release build only:
//   cd Benchmarks/IngestWritePath && swift run -c release ingest-write-path
// Figures and the machine they were taken on are in BENCHMARKS.md ("Remote-write ingest path").
import PackageDescription

let package = Package(
    name: "IngestWritePath",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Sundial", path: "../..")],
    targets: [
        .executableTarget(
            name: "ingest-write-path",
            dependencies: [
                .product(name: "SundialIngest", package: "Sundial"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialEncoding", package: "Sundial"),
            ]
        ),
    ]
)
