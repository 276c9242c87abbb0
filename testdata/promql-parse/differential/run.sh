#!/bin/bash
# Differential check of Sundial's PromQL parser against PyPI `promql-parser` (Python bindings of
# a Rust PromQL parser), judged by Prometheus 2.42's own parser (promtool) where they disagree.
# Writes corpus.txt, results.tsv and ../differences.md. Run from anywhere; needs network access
# to PyPI once (for the venv), /usr/bin/promtool and a built `sundial` (debug is fine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${VENV:-/tmp/sundial-promql-parser-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "promql-parser==0.11.0"
fi
sundial="${SUNDIAL:-$root/.build/debug/sundial}"
[ -x "$sundial" ] || (cd "$root" && swift build --product sundial)
"$venv/bin/python" "$here/diff.py" --root "$root" --sundial "$sundial"
