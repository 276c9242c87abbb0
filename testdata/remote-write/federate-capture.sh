#!/usr/bin/env bash
# Captures Prometheus 2.42's /federate output (text format 0.0.4) for the golden federation test:
# Prometheus scrapes itself every second with external label fixture="sundial"; after a few
# scrapes, GET /federate?match[]={job="prom"} is saved as prometheus-2.42-federate.txt.
# The samples in the file are the input of the test as well (each line carries labels, value and
# timestamp), so the test loads them into storage and renders them with Sundial's Federation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/prometheus.yml" <<YAML
global: {scrape_interval: 1s, external_labels: {fixture: sundial}}
scrape_configs: [{job_name: prom, static_configs: [{targets: ["127.0.0.1:$port"]}]}]
YAML
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$port" --log.level=warn &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
sleep 6
curl -sf "http://127.0.0.1:$port/federate?match%5B%5D=%7Bjob%3D%22prom%22%7D" >"$here/prometheus-2.42-federate.txt"
wc -l "$here/prometheus-2.42-federate.txt"
