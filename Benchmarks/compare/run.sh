#!/usr/bin/env bash
# Side-by-side benchmark: Sundial vs Prometheus 2.42 vs VictoriaMetrics 1.79 (issue 8).
#
#   Benchmarks/compare/run.sh [--series N] [--samples M] [--systems sundial,prometheus,victoriametrics]
#                             [--repeat R] [--settle S] [--out FILE.md] [--sundial-bin PATH] [--keep]
#
# One system at a time on 127.0.0.1 (free port, fresh temp data dir, never as a service) receives the
# identical pre-encoded remote-write load (Benchmarks/compare/loadgen: M samples per series at a 15 s
# interval ending "now", one sample per TimeSeries, 4 time-ordered shards on 4 connections, 500 samples
# per request), then answers the fixed query set (queries.tsv). report.py compares the answers and
# writes the table (stdout and --out as Markdown for BENCHMARKS.md). See README.md for what each figure is.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SERIES=10000
SAMPLES=120
SYSTEMS="sundial,prometheus,victoriametrics"
REPEAT=5
SETTLE=5
OUT=""
SUNDIAL_BIN=""
KEEP=0
CMDLINE="Benchmarks/compare/run.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
        --series) SERIES="$2"; shift 2 ;;
        --samples) SAMPLES="$2"; shift 2 ;;
        --systems) SYSTEMS="$2"; shift 2 ;;
        --repeat) REPEAT="$2"; shift 2 ;;
        --settle) SETTLE="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --sundial-bin) SUNDIAL_BIN="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

WORK="$(mktemp -d /tmp/sundial-bench.XXXXXX)"
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -9 "$PID" 2>/dev/null || true; fi
    if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- prerequisites -----------------------------------------------------------------------------------
need_apt=()
command -v pkg-config >/dev/null && pkg-config --exists snappy || need_apt+=(libsnappy-dev pkg-config)
[[ ",$SYSTEMS," == *",prometheus,"* ]] && ! command -v prometheus >/dev/null && need_apt+=(prometheus)
[[ ",$SYSTEMS," == *",victoriametrics,"* ]] && ! command -v victoria-metrics >/dev/null && need_apt+=(victoria-metrics)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing from Debian: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
        "${need_apt[@]}" >&2
fi

log "building the load generator (release)"
swift build -c release --package-path "$HERE/loadgen" >&2
LOADGEN="$HERE/loadgen/.build/release/loadgen"
"$LOADGEN" selftest >&2

if [[ ",$SYSTEMS," == *",sundial,"* ]] && [ -z "$SUNDIAL_BIN" ]; then
    log "building sundial (release)"
    swift build -c release --product sundial --package-path "$ROOT" >&2
    SUNDIAL_BIN="$ROOT/.build/release/sundial"
fi

# --- the load -------------------------------------------------------------------------------------------
log "generating $SERIES series x $SAMPLES samples"
"$LOADGEN" generate --series "$SERIES" --samples "$SAMPLES" --out "$WORK/bodies.bin" --meta "$WORK/meta.json" >&2
"$LOADGEN" verify --in "$WORK/bodies.bin" --meta "$WORK/meta.json" --dump-first "$WORK/first.pb" >&2
if command -v protoc >/dev/null; then
    # An independent decoder: protoc must read the first body as a WriteRequest with 500 samples.
    n=$(protoc --proto_path="$HERE/proto" --decode=prometheus.WriteRequest "$HERE/proto/remote.proto" \
        <"$WORK/first.pb" | grep -c 'timestamp:')
    [ "$n" = 500 ] || { echo "run.sh: protoc decoded $n samples from the first body, want 500" >&2; exit 1; }
    log "protoc --decode agrees with the encoder (500 samples in the first body)"
fi

meta() { python3 -c "import json,sys; print(json.load(open('$WORK/meta.json'))['$1'])"; }
START_MS=$(meta start_ms); END_MS=$(meta end_ms); TOTAL=$(meta samples)
# Query times: the first and last whole minutes inside the data (so every system evaluates at the same,
# step-aligned timestamps), 60 s step; the stored-sample check counts over the whole span.
Q_START=$(( (START_MS + 59999) / 60000 * 60 ))
Q_END=$(( END_MS / 60000 * 60 ))
SPAN_S=$(( (END_MS - START_MS) / 1000 + 120 ))
Q_END_EXACT=$(python3 -c "print('%.3f' % ($END_MS / 1000))")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }

wait_ready() { # url pid
    for _ in $(seq 1 300); do
        kill -0 "$2" 2>/dev/null || { echo "run.sh: server exited during startup" >&2; return 1; }
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "run.sh: $1 not ready after 60 s" >&2
    return 1
}

stored_samples() { # base url: the samples held over the whole span, counted at the last sample
    python3 "$HERE/stored_samples.py" "$1" "$SPAN_S" "$Q_END_EXACT"
}

stop_server() { # pid
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
    log "server $1 did not exit 60 s after SIGTERM; killing"
    kill -9 "$1" 2>/dev/null || true
}

run_system() {
    local sys="$1" dir="$WORK/$1" port base data snapshot_bytes="" snapshot_what=""
    mkdir -p "$dir/queries"
    data="$dir/data"
    mkdir -p "$data"
    port=$(free_port)
    base="http://127.0.0.1:$port"
    case "$sys" in
        prometheus)
            printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
            prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$data" \
                --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver \
                --web.enable-admin-api --log.level=warn >"$dir/server.log" 2>&1 &
            PID=$!; wait_ready "$base/-/ready" "$PID" ;;
        victoriametrics)
            # -search.disableCache: no rollup-result cache, so repeated queries are really evaluated.
            victoria-metrics -storageDataPath="$data" -httpListenAddr="127.0.0.1:$port" -retentionPeriod=100y \
                -search.disableCache -loggerLevel=WARN >"$dir/server.log" 2>&1 &
            PID=$!; wait_ready "$base/health" "$PID" ;;
        sundial)
            # --enable-admin-api: the snapshot endpoint, like Prometheus's --web.enable-admin-api.
            "$SUNDIAL_BIN" serve --data-dir "$data" --listen "127.0.0.1:$port" --enable-admin-api \
                --log-level warn ${SUNDIAL_ARGS:-} \
                >"$dir/server.log" 2>&1 &
            PID=$!; wait_ready "$base/-/ready" "$PID" ;;
        *) echo "run.sh: unknown system $sys" >&2; exit 2 ;;
    esac
    log "$sys: pid $PID on $base"
    sleep 1
    local idle_rss_kb cpu0 cpu1 hwm_ingest hwm_total du_ingest stored=0
    idle_rss_kb=$(awk '/^VmRSS/{print $2}' "/proc/$PID/status")
    cpu0=$(cpu_ticks "$PID")
    log "$sys: sending $TOTAL samples"
    "$LOADGEN" send --in "$WORK/bodies.bin" --url "$base/api/v1/write" --out "$dir/ingest.json" >/dev/null
    # Deferred ingestion work (flushes, merges) counts too: CPU is read after a settle period.
    sleep "$SETTLE"
    cpu1=$(cpu_ticks "$PID")
    hwm_ingest=$(hwm_kb "$PID")
    du_ingest=$(du -sb "$data" | cut -f1)
    # Wait until every sample is visible to queries (VictoriaMetrics flushes its in-memory parts every ~1 s).
    for _ in $(seq 1 60); do
        stored=$(stored_samples "$base" 2>/dev/null || echo 0)
        [ "$stored" -ge "$TOTAL" ] && break
        sleep 0.5
    done
    log "$sys: $stored samples visible to queries"
    "$LOADGEN" query --url "$base" --queries "$HERE/queries.tsv" --repeat "$REPEAT" --out "$dir/queries" \
        --var "start=$Q_START" --var "end=$Q_END" --var step=60 >/dev/null
    hwm_total=$(hwm_kb "$PID")
    # Bytes on disk: a snapshot (head or in-memory parts written out as the system's compacted format).
    case "$sys" in
        prometheus)
            name=$(curl -fsS -XPOST "$base/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])')
            snapshot_bytes=$(du -sb "$data/snapshots/$name" | cut -f1)
            snapshot_what="du -sb of an admin-API snapshot (the head written as a block: index + XOR chunks)" ;;
        victoriametrics)
            name=$(curl -fsS "$base/snapshot/create" | python3 -c 'import json,sys; print(json.load(sys.stdin)["snapshot"])')
            snapshot_bytes=$(du -sbL "$data/snapshots/$name" | cut -f1)
            snapshot_what="du -sbL of /snapshot/create (in-memory parts flushed; data parts + indexdb)" ;;
        sundial)
            if resp=$(curl -fsS -XPOST "$base/api/v1/admin/tsdb/snapshot" 2>/dev/null) &&
                name=$(echo "$resp" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])' 2>/dev/null) &&
                [ -d "$data/snapshots/$name" ]; then
                # --exclude=wal: Sundial's snapshot carries an empty wal/ (for promtool tsdb dump).
                snapshot_bytes=$(du -sb --exclude=wal "$data/snapshots/$name" | cut -f1)
                snapshot_what="du -sb of an admin-API snapshot (persisted blocks hard-linked + the head written as a block: index + XOR chunks)"
            fi ;;
    esac
    stop_server "$PID"
    local du_stopped
    du_stopped=$(du -sb --exclude=snapshots "$data" | cut -f1)
    if [ -z "$snapshot_bytes" ]; then
        snapshot_bytes=$du_stopped
        snapshot_what="du -sb of the data dir after a graceful shutdown (no snapshot API)"
    fi
    PID=""
    local version
    case "$sys" in
        prometheus) version=$(prometheus --version 2>&1 | head -1) ;;
        victoriametrics) version="victoria-metrics $(dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo '?')" ;;
        sundial) version=$("$SUNDIAL_BIN" --version 2>&1 | head -1) ;;
    esac
    cat >"$dir/system.json" <<EOF
{"system": "$sys", "cpu_s": $(python3 -c "print(($cpu1 - $cpu0) / $CLK_TCK)"), "settle_s": $SETTLE,
 "idle_rss_kb": $idle_rss_kb, "hwm_ingest_kb": $hwm_ingest, "hwm_total_kb": $hwm_total,
 "du_after_ingest": $du_ingest, "du_after_stop": $du_stopped, "snapshot_bytes": $snapshot_bytes,
 "snapshot_what": "$snapshot_what", "stored_samples": $stored,
 "version": "${version//\"/}"}
EOF
    log "$sys: done ($(python3 -c "import json; d=json.load(open('$dir/ingest.json')); print('%.0f samples/s, p99 %.1f ms' % (d['samples_per_s'], d['latency_ms']['p99']))"))"
}

IFS=',' read -r -a SYS_LIST <<<"$SYSTEMS"
for s in "${SYS_LIST[@]}"; do run_system "$s"; done

python3 "$HERE/report.py" --work "$WORK" --systems "$SYSTEMS" --command "$CMDLINE" ${OUT:+--out "$OUT"}
