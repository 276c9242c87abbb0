#!/usr/bin/env bash
# Ingestion cost with tenancy off vs label mode vs isolated mode (issue 7: "tenancy and limits on:
# ingestion throughput within 5 % of tenancy off"). Same load for every configuration: the side-by-side
# harness's loadgen bodies (Prometheus queue-manager shaped remote write 1.0, 4 connections), sent to a
# fresh `sundial serve` per run; the figure is the server's CPU seconds (utime+stime from
# /proc/PID/stat) over the ingest, per sample. Configurations alternate within each round so load
# drift on a shared machine hits them alike.
#
#   Benchmarks/compare/tenancy.sh [--series N] [--samples M] [--rounds R] [--sundial-bin PATH]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SERIES=10000
SAMPLES=120
ROUNDS=3
BIN="$ROOT/.build/release/sundial"
while [ $# -gt 0 ]; do
    case "$1" in
        --series) SERIES="$2"; shift 2 ;;
        --samples) SAMPLES="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --sundial-bin) BIN="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x "$BIN" ] || { echo "no sundial binary at $BIN (swift build -c release --product sundial)" >&2; exit 1; }
swift build -c release --package-path "$HERE/loadgen" >&2
LOADGEN="$HERE/loadgen/.build/release/loadgen"
WORK="$(mktemp -d /tmp/sundial-tenancy-bench.XXXXXX)"
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$LOADGEN" generate --series "$SERIES" --samples "$SAMPLES" --out "$WORK/bodies.bin" --meta "$WORK/meta.json" >&2
TOTAL=$(python3 -c "import json,sys; print(json.load(open('$WORK/meta.json'))['samples'])")

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Every limit on, none reached (so nothing is refused and all samples are stored).
LIMITS='limits:
  max_series: 10000000
  max_series_per_metric: 10000000
  max_label_names_per_series: 64
  max_label_name_length: 1024
  max_label_value_length: 4096
  ingestion_rate: 1000000000
  ingestion_burst: 1000000000'

config() {  # config NAME PORT DATA
    printf 'storage:\n  path: %s\nweb:\n  listen_address: 127.0.0.1:%s\nlog:\n  level: warn\n' "$3" "$2"
    case "$1" in
        off) ;;
        off-limits) echo "$LIMITS" ;;
        label-limits) echo "$LIMITS"; printf 'tenancy:\n  mode: header\n  storage: label\n' ;;
        isolated-limits) echo "$LIMITS"; printf 'tenancy:\n  mode: header\n  storage: isolated\n' ;;
    esac
}

CONFIGS="off off-limits label-limits isolated-limits"
echo "config round samples cpu_ticks wall_s" > "$WORK/results.txt"
for round in $(seq 1 "$ROUNDS"); do
    for c in $CONFIGS; do
        port=$(free_port)
        dir="$WORK/$c-$round"
        mkdir -p "$dir"
        config "$c" "$port" "$dir/data" > "$dir/sundial.yml"
        "$BIN" serve --config.file "$dir/sundial.yml" 2> "$dir/server.log" &
        PID=$!
        for _ in $(seq 1 300); do
            curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break
            sleep 0.1
        done
        tenant=()
        case "$c" in label-*|isolated-*) tenant=(--tenant bench) ;; esac
        t0=$(cpu_ticks "$PID")
        "$LOADGEN" send --in "$WORK/bodies.bin" --url "http://127.0.0.1:$port/api/v1/write" "${tenant[@]}" --out "$dir/ingest.json" >/dev/null
        t1=$(cpu_ticks "$PID")
        kill -TERM "$PID"; wait "$PID" || true; PID=""
        ok=$(python3 -c "import json; print(json.load(open('$dir/ingest.json'))['samples_ok'])")
        wall=$(python3 -c "import json; print(json.load(open('$dir/ingest.json'))['wall_s'])")
        [ "$ok" = "$TOTAL" ] || { echo "$c round $round: only $ok of $TOTAL samples accepted" >&2; cat "$dir/ingest.json" >&2; exit 1; }
        echo "$c $round $ok $((t1 - t0)) $wall" | tee -a "$WORK/results.txt" >&2
        rm -rf "$dir/data"
    done
done

python3 - "$WORK/results.txt" "$(getconf CLK_TCK)" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
tck = float(sys.argv[2])
by = {}
for c, r, ok, ticks, wall in rows:
    by.setdefault(c, []).append((int(ticks) / tck, int(ok), float(wall)))
base = statistics.median(t / n for t, n, _ in by["off"])
print("| configuration | server CPU-s per run (each round) | median ns CPU / sample | samples / CPU-s | vs off |")
print("|---|---|---:|---:|---:|")
for c in ["off", "off-limits", "label-limits", "isolated-limits"]:
    runs = by.get(c, [])
    if not runs: continue
    per = statistics.median(t / n for t, n, _ in runs)
    print(f"| {c} | {', '.join(f'{t:.2f}' for t, _, _ in runs)} | {per * 1e9:.0f} | {1 / per:,.0f} | {100 * (per / base - 1):+.1f} % |")
PY
