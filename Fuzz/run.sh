#!/bin/sh
# Usage: Fuzz/run.sh TARGET SECONDS [libFuzzer options...]
#   TARGET: remote-write | remote-read | promql | wal | index | chunks
# Builds the target (release, -sanitize=fuzzer: libFuzzer's main plus coverage instrumentation of
# every Sundial module it links) and fuzzes for SECONDS, starting from Fuzz/corpus/TARGET.
# New inputs go to Fuzz/work/TARGET (kept between runs); crashes, timeouts and OOMs to
# Fuzz/findings/TARGET/ (reproduce: .build/release/<Exe> Fuzz/findings/TARGET/crash-...).
set -eu
target=${1:?usage: run.sh TARGET SECONDS}
seconds=${2:?usage: run.sh TARGET SECONDS}
shift 2
case "$target" in
  remote-write) exe=FuzzRemoteWrite; maxlen=65536 ;;
  remote-read)  exe=FuzzRemoteRead;  maxlen=4096 ;;
  promql)       exe=FuzzPromQL;      maxlen=4096 ;;
  wal)          exe=FuzzWAL;         maxlen=40000 ;;
  index)        exe=FuzzIndex;       maxlen=16384 ;;
  chunks)       exe=FuzzChunks;      maxlen=8192 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
cd "$(dirname "$0")"
swift build -c release --sanitize=fuzzer --product "$exe" >&2
mkdir -p "work/$target" "findings/$target"
exec ".build/release/$exe" -max_total_time="$seconds" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="findings/$target/" "$@" "work/$target" "corpus/$target"
