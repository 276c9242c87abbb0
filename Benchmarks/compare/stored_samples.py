#!/usr/bin/env python3
"""Counts the samples a server holds in [time - span, time], metric name by metric name.

Usage: stored_samples.py BASE_URL SPAN_SECONDS TIME_SECONDS
One `sum(count_over_time(NAME[span]))` per name from /api/v1/label/__name__/values: a single
`count_over_time({__name__=~".+"}[span])` fails on Prometheus, because dropping the metric name leaves
duplicate label sets ("vector cannot contain metrics with the same labelset"). Prints the total.
"""
import json
import sys
import urllib.parse
import urllib.request


def get(base, path, params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=120) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise SystemExit(f"stored_samples: {path} failed: {body}")
    return body["data"]


def main():
    base, span, t = sys.argv[1], sys.argv[2], sys.argv[3]
    names = get(base, "/api/v1/label/__name__/values", {})
    total = 0
    for name in names:
        res = get(base, "/api/v1/query", {"query": f"sum(count_over_time({name}[{span}s]))", "time": t})["result"]
        if res:
            total += int(float(res[0]["value"][1]))
    print(total)


if __name__ == "__main__":
    main()
