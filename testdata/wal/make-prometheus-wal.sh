#!/usr/bin/env bash
# Makes testdata/wal/prometheus-2.42/wal: a WAL written by Prometheus 2.42 itself (Debian's
# /usr/bin/prometheus), scraping its own metrics every second for a few seconds, with snappy WAL
# compression (the 2.42 default). SundialWALTests/PrometheusFixtureTests replays it and compares the
# samples with what `promtool tsdb dump` prints for the same directory.
# Started by hand on 127.0.0.1 with a temp dir and a free port, never as a service; always killed.
set -euo pipefail
cd "$(dirname "$0")"
out=prometheus-2.42
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$tmp/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:$port"]
YML
/usr/bin/prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
    --web.listen-address="127.0.0.1:$port" --storage.tsdb.wal-compression >"$tmp/log" 2>&1 &
pid=$!
sleep 20
kill -TERM $pid
wait $pid || true
rm -rf "$out"
mkdir -p "$out"
cp -r "$tmp/data/wal" "$out/wal"
/usr/bin/prometheus --version 2>&1 | head -1 > "$out/VERSION"
ls -l "$out/wal"  # note: promtool tsdb dump creates chunks_head/ next to wal/; tests copy the fixture first
