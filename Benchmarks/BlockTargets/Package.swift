// swift-tools-version:6.1
// Issue 3 block targets in CPU time (thread CPU clock) and memory (VmRSS/VmHWM): postings for
// {job="x", handler=~"/api/.*", code!="200"} over 1M series (lazy vs materialising every list vs a
// linear scan), the same selector on a 1M-series head, head compaction of 100k series x 2 h
// (time and extra peak memory), opening 20 blocks x 100k series, decoding 1,000 series x 24 h.
// Release build only:
//   cd Benchmarks/BlockTargets && swift run -c release block-targets <postings|head|compact [interval s]|open|decode>
// Figures and the machine they were taken on are in BENCHMARKS.md ("Blocks").
import PackageDescription

let package = Package(
    name: "BlockTargets",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Sundial", path: "../..")],
    targets: [
        .executableTarget(
            name: "block-targets",
            dependencies: [
                .product(name: "SundialTSDB", package: "Sundial"),
                .product(name: "SundialCore", package: "Sundial"),
                .product(name: "SundialEncoding", package: "Sundial"),
            ]
        ),
    ]
)
