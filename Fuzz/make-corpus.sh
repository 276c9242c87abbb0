#!/bin/sh
# Regenerates Fuzz/corpus/ from the seeds of the seeded fuzz suites (Tests/FuzzTests):
# Prometheus 2.42 remote-write bodies, WAL segments and records, the prom-2.42-small block's
# index, chunks, tombstones and meta.json, and a tenth of the PromQL corpus.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$root/Fuzz/corpus"
cd "$root"
swift build --build-tests >/dev/null
SUNDIAL_FUZZ_EXPORT="$root/Fuzz/corpus" swift test --skip-build --filter CorpusExportTests
du -sh "$root/Fuzz/corpus"/*
