#!/usr/bin/env bash
# Regenerates the XOR chunk fixture with Prometheus 2.42's promtool (Debian `prometheus` package):
#   input.om                         OpenMetrics samples (constant, counter, random floats, jittered
#                                    timestamps hitting every delta-of-delta bucket, NaN/±Inf/-0/extremes)
#   prometheus-2.42-chunks-000001    the chunk segment file of the block promtool wrote from input.om
#   prometheus-2.42-dump.txt         `promtool tsdb dump` of that block: the samples, in chunk order
# input.om was generated once by a seeded script; it is kept as data so the fixture is reproducible.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
promtool tsdb create-blocks-from openmetrics input.om "$tmp/out" >/dev/null
block=$(ls -d "$tmp"/out/01*)
cp "$block/chunks/000001" prometheus-2.42-chunks-000001
mkdir -p "$tmp/out/wal"   # promtool 2.42's dump insists on a wal/ directory
promtool tsdb dump "$tmp/out" > prometheus-2.42-dump.txt
