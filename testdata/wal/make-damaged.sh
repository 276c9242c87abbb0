#!/usr/bin/env bash
# Derives damaged copies of the Prometheus-written fixture (prometheus-2.42/wal/00000000) for the
# repair tests (SundialWALTests/PrometheusFixtureTests):
#   torn/00000000     the segment cut at byte 20000 (a write torn by power loss, mid-record)
#   bitflip/00000000  the segment with byte 10000 XORed with 0x04 (a bit flip inside a record)
set -euo pipefail
cd "$(dirname "$0")"
src=prometheus-2.42/wal/00000000
rm -rf torn bitflip
mkdir -p torn bitflip
head -c 20000 "$src" > torn/00000000
python3 - "$src" bitflip/00000000 <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[10000] ^= 0x04
open(sys.argv[2], 'wb').write(b)
PY
ls -l torn bitflip
