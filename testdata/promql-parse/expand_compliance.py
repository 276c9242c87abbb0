#!/usr/bin/env python3
"""Expands ../shared/promql-compliance/promql-test-queries.yml into compliance-queries.tsv.

Each template's {{.name}} placeholders are filled with every combination of the variant values
(the table in ../shared/promql-compliance/README.md, from the tester's testcases/expand.go).
Output: one line per concrete query, "ok<TAB>query" or "fail<TAB>query" (should_fail).
Run from the repository root: python3 testdata/promql-parse/expand_compliance.py
"""
import itertools
import os
import re
import sys

import yaml

VARIANTS = {
    "range": ["1s", "15s", "1m", "5m", "15m", "1h"],
    "offset": ["1m", "5m", "10m"],
    "simpleAggrOp": ["sum", "avg", "max", "min", "count", "stddev", "stdvar"],
    "simpleTimeAggrOp": ["sum", "avg", "max", "min", "count", "stddev", "stdvar", "absent", "last"],
    "topBottomOp": ["topk", "bottomk"],
    "quantile": ["-0.5", "0.1", "0.5", "0.75", "0.95", "0.90", "0.99", "1", "1.5"],
    "arithBinOp": ["+", "-", "*", "/", "%", "^"],
    "compBinOp": ["==", "!=", "<", ">", "<=", ">="],
    "binOp": ["+", "-", "*", "/", "%", "^", "==", "!=", "<", ">", "<=", ">="],
    "simpleMathFunc": ["abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "round"],
    "extrapolatedRateFunc": ["delta", "rate", "increase"],
    "clampFunc": ["clamp_min", "clamp_max"],
    "instantRateFunc": ["idelta", "irate"],
    "dateFunc": ["day_of_month", "day_of_week", "days_in_month", "hour", "minute", "month", "year"],
    "smoothingFactor": ["0.1", "0.5", "0.8"],
    "trendFactor": ["0.1", "0.5", "0.8"],
}

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
src = os.path.join(os.path.dirname(root), "shared", "promql-compliance", "promql-test-queries.yml")
with open(src) as f:
    doc = yaml.safe_load(f)
out = []
for case in doc["test_cases"]:
    q = case["query"]
    args = case.get("variant_args") or []
    status = "fail" if case.get("should_fail") else "ok"
    for combo in itertools.product(*(VARIANTS[a] for a in args)):
        e = q
        for name, val in zip(args, combo):
            e = e.replace("{{.%s}}" % name, val)
        if "{{" in e:
            sys.exit("unexpanded placeholder in %r" % e)
        out.append("%s\t%s" % (status, e.replace("\n", " ")))
with open(os.path.join(root, "testdata", "promql-parse", "compliance-queries.tsv"), "w") as f:
    f.write("\n".join(out) + "\n")
print("%d queries" % len(out))
