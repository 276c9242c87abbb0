#!/usr/bin/env bash
# Captures remote-write 1.0 request bodies sent by a real Prometheus 2.42 (Debian's
# /usr/bin/prometheus) scraping its own /metrics every second, into this directory:
#   prometheus-2.42-samples-N.bin   snappy-compressed prometheus.WriteRequest with series
#   prometheus-2.42-metadata.bin    a metadata-only WriteRequest (metadata_config)
#   *.headers                       the request headers that came with it
# Everything runs on 127.0.0.1 with temp dirs; both processes are killed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cap_port=$(free_port)
prom_port=$(free_port)
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  external_labels: {fixture: sundial}
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$prom_port"]}]
remote_write:
  - url: http://127.0.0.1:$cap_port/api/v1/write
    queue_config: {batch_send_deadline: 1s, max_samples_per_send: 2000}
    metadata_config: {send: true, send_interval: 2s}
YAML
python3 "$here/capture_server.py" "$cap_port" "$tmp/bodies" 12 &
cap_pid=$!
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn &
prom_pid=$!
trap 'kill $prom_pid $cap_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 90); do
  [ -f "$tmp/bodies/body-11.bin" ] && break
  sleep 1
done
kill $prom_pid $cap_pid 2>/dev/null || true
wait $prom_pid 2>/dev/null || true
rm -f "$here"/prometheus-2.42-*.bin "$here"/prometheus-2.42-*.headers
# Classify without a snappy library: metadata-only requests start with field 3 (key 0x1a).
python3 - "$tmp/bodies" "$here" <<'PY'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
samples = meta = 0
for i in range(12):
    b = os.path.join(src, f"body-{i}.bin")
    if not os.path.exists(b):
        break
    data = open(b, "rb").read()
    # Decode the snappy block just enough to read the first protobuf key (literal run at start).
    # Skip the uvarint length header, then a literal tag byte (and its extra length bytes).
    i0 = 0
    while data[i0] & 0x80:
        i0 += 1
    i0 += 1
    tag = data[i0]
    n = tag >> 2
    i0 += 1 + (n - 59 if n >= 60 else 0)
    first_key = data[i0]
    kind = "metadata" if first_key == 0x1a else "samples"
    if kind == "samples" and samples < 2:
        name = f"prometheus-2.42-samples-{samples}"
        samples += 1
    elif kind == "metadata" and meta < 1:
        name = "prometheus-2.42-metadata"
        meta += 1
    else:
        continue
    shutil.copy(b, os.path.join(dst, name + ".bin"))
    shutil.copy(b.replace(".bin", ".headers"), os.path.join(dst, name + ".headers"))
print(f"saved {samples} sample bodies and {meta} metadata bodies")
PY
ls -l "$here"
