#!/usr/bin/env python3
"""Records Prometheus 2.42's /api/v1/format_query output (its `Prettify`) for every 2.42-valid
expression of the corpus longer than 60 characters, plus the hand-written pretty-cases.txt.

Usage: start a Prometheus 2.42 on 127.0.0.1 (any empty data dir), then
  python3 testdata/promql-parse/format_query_golden.py http://127.0.0.1:PORT
Writes format-query.tsv: JSON-encoded query <TAB> JSON-encoded formatted output.
"""
import json
import os
import sys
import urllib.parse
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
base = sys.argv[1].rstrip("/")
exprs = []
with open(os.path.join(here, "differential", "results.tsv")) as f:
    next(f)
    for line in f:
        ours, _, _, e = line.rstrip("\n").split("\t", 3)
        if ours == "ok" and len(e) > 60:
            exprs.append(e)
with open(os.path.join(here, "pretty-cases.txt")) as f:
    exprs += [l.rstrip("\n") for l in f if l.strip() and not l.startswith("# ")]
seen = set()
rows = []
for e in exprs:
    if e in seen:
        continue
    seen.add(e)
    body = urllib.parse.urlencode({"query": e}).encode()
    try:
        with urllib.request.urlopen(base + "/api/v1/format_query", data=body) as r:
            doc = json.load(r)
    except urllib.error.HTTPError as err:
        doc = json.load(err)
    if doc.get("status") != "success":
        continue
    rows.append("%s\t%s" % (json.dumps(e), json.dumps(doc["data"])))
with open(os.path.join(here, "format-query.tsv"), "w") as f:
    f.write("\n".join(rows) + "\n")
print("%d formatted" % len(rows))
