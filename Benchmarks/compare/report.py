#!/usr/bin/env python3
"""Result table of the side-by-side benchmark (Benchmarks/compare/run.sh, issue 8).

Reads the work directory run.sh filled (meta.json, <system>/{ingest,system}.json, <system>/queries/*),
checks that the systems returned the same answers (Prometheus is the reference; VictoriaMetrics's rate
and histogram_quantile differ by design, so its differences are reported, never fatal), prints one table
with each figure and Sundial's ratio to each peer, and writes it as Markdown for BENCHMARKS.md.
Standard library only.
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys

QUERY_LABELS = {
    "rate_instant": "instant `sum(rate(http_requests_total[5m]))`",
    "rate_range": "range `sum(rate(http_requests_total[5m]))`",
    "hq_instant": "instant `histogram_quantile(0.99, sum by (le) (rate(…_bucket[5m])))`",
    "hq_range": "range `histogram_quantile(0.99, sum by (le) (rate(…_bucket[5m])))`",
    "count_instant": "instant `count({__name__=~\".+\"})`",
    "count_range": "range `count({__name__=~\".+\"})`",
    "label_values": "label values `instance` with `match[]=http_requests_total`",
    "series": "series `match[]=http_requests_total`",
    "label_names": "label names",
}


def load(path):
    with open(path) as f:
        return json.load(f)


def machine():
    model = "?"
    mem_kb = 0
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem_kb / 1048576:.1f} GiB RAM, {platform.system()} {platform.release()}"


def key(metric):
    return tuple(sorted(metric.items()))


def parse_value(s):
    return float(s)  # Python parses "NaN", "+Inf", "-Inf" as Prometheus renders them


def result_map(body):
    """labels -> value (vector/scalar) or {t: v} (matrix); sets for series/labels calls."""
    if body.get("status") != "success":
        return ("error", body.get("error", "?"))
    data = body["data"]
    if isinstance(data, list):
        if data and isinstance(data[0], dict):
            return ("set", {key(d) for d in data})
        return ("set", set(data))
    rtype = data["resultType"]
    if rtype == "vector":
        return ("vector", {key(r["metric"]): parse_value(r["value"][1]) for r in data["result"]})
    if rtype == "matrix":
        return ("matrix", {key(r["metric"]): {p[0]: parse_value(p[1]) for p in r["values"]} for r in data["result"]})
    if rtype == "scalar":
        return ("vector", {(): parse_value(data["result"][1])})
    return ("other", data)


def rel_diff(a, b):
    if math.isnan(a) and math.isnan(b):
        return 0.0
    if a == b:
        return 0.0
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def compare(ref, other):
    """Returns (same: bool, text) comparing one system's answer to the reference's."""
    if ref[0] == "error" or other[0] == "error":
        return (ref == other, f"error: {other[1] if other[0] == 'error' else ref[1]}")
    if ref[0] != other[0]:
        return (False, f"result type {other[0]} vs {ref[0]}")
    kind, r, o = ref[0], ref[1], other[1]
    if kind == "set":
        if r == o:
            return (True, f"same {len(r)}")
        return (False, f"{len(o)} vs {len(r)} ({len(o - r)} extra, {len(r - o)} missing)")
    if set(r) != set(o):
        return (False, f"{len(o)} series vs {len(r)}")
    worst = 0.0
    points = 0
    missing = 0
    for k in r:
        if kind == "vector":
            worst = max(worst, rel_diff(r[k], o[k]))
            points += 1
        else:
            for t, v in r[k].items():
                if t not in o[k]:
                    missing += 1
                    continue
                worst = max(worst, rel_diff(v, o[k][t]))
                points += 1
            missing += len(set(o[k]) - set(r[k]))
    same = worst <= 1e-9 and missing == 0
    text = f"{len(r)} series, {points} points, max rel diff {worst:.1e}"
    if missing:
        text += f", {missing} points only in one"
    return (same, text)


def fmt(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--systems", required=True)
    ap.add_argument("--command", default="")
    ap.add_argument("--out")
    args = ap.parse_args()
    systems = args.systems.split(",")
    meta = load(os.path.join(args.work, "meta.json"))
    n = meta["samples"]
    res = {}
    for s in systems:
        d = os.path.join(args.work, s)
        res[s] = {
            "ingest": load(os.path.join(d, "ingest.json")),
            "sys": load(os.path.join(d, "system.json")),
            "queries": load(os.path.join(d, "queries", "timings.json")),
            "dir": d,
        }

    # (label, function of a system's results, digits, better: "higher"/"lower")
    rows = [
        ("samples accepted / s (wall, 4 connections)", lambda r: r["ingest"]["samples_per_s"], 0, "higher"),
        ("samples per server CPU-second", lambda r: r["ingest"]["samples_ok"] / r["sys"]["cpu_s"] if r["sys"]["cpu_s"] > 0 else None, 0, "higher"),
        ("server CPU seconds for the ingest (utime+stime)", lambda r: r["sys"]["cpu_s"], 2, "lower"),
        ("request latency p50 (ms)", lambda r: r["ingest"]["latency_ms"]["p50"], 2, "lower"),
        ("request latency p99 (ms)", lambda r: r["ingest"]["latency_ms"]["p99"], 2, "lower"),
        ("peak RSS after ingest (MiB, VmHWM)", lambda r: r["sys"]["hwm_ingest_kb"] / 1024, 1, "lower"),
        ("peak RSS after queries (MiB, VmHWM)", lambda r: r["sys"]["hwm_total_kb"] / 1024, 1, "lower"),
        ("bytes per sample on disk, snapshot", lambda r: r["sys"]["snapshot_bytes"] / n, 3, "lower"),
        ("bytes per sample, data dir right after ingest (incl. WAL)", lambda r: r["sys"]["du_after_ingest"] / n, 3, "lower"),
    ]
    for q in QUERY_LABELS:
        rows.append((f"median ms: {QUERY_LABELS[q]}", (lambda q: lambda r: r["queries"][q]["median_ms"] if q in r["queries"] else None)(q), 2, "lower"))

    peers = [s for s in systems if s != "sundial"]
    has_sundial = "sundial" in systems
    header = ["figure"] + systems + ([f"sundial ÷ {p}" for p in peers] if has_sundial else [])
    table = []
    for label, f, digits, better in rows:
        vals = {}
        for s in systems:
            try:
                vals[s] = f(res[s])
            except (KeyError, ZeroDivisionError, TypeError):
                vals[s] = None
        line = [label] + [fmt(vals[s], digits) for s in systems]
        if has_sundial:
            for p in peers:
                a, b = vals.get("sundial"), vals.get(p)
                line.append(f"{a / b:.2f}×" if a is not None and b not in (None, 0) else "–")
        table.append(line)

    # Answers: every system against Prometheus (or the first system if Prometheus was not run).
    ref_sys = "prometheus" if "prometheus" in systems else systems[0]
    checks = []
    failures = 0
    stored_line = []
    for s in systems:
        stored = res[s]["sys"]["stored_samples"]
        ok = stored == n and res[s]["ingest"]["samples_rejected"] == 0
        stored_line.append(f"{s}: {stored:,} of {n:,} samples stored{'' if ok else ' (MISMATCH)'}")
        if not ok:
            failures += 1
    for q in QUERY_LABELS:
        ref_body = load(os.path.join(res[ref_sys]["dir"], "queries", f"{q}.json"))
        ref = result_map(ref_body)
        for s in systems:
            if s == ref_sys:
                continue
            try:
                other = result_map(load(os.path.join(res[s]["dir"], "queries", f"{q}.json")))
            except (OSError, ValueError, KeyError) as e:
                other = ("error", f"unreadable answer: {e}")
            same, text = compare(ref, other)
            if s == "victoriametrics" and not same:
                verdict = "differs (by design, reported)"
            elif same:
                verdict = "same"
            else:
                verdict = "DIFFERS"
                failures += 1
            checks.append((q, s, verdict, text))

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md = []
    md.append(f"**{meta['series']:,} series × {meta['samples_per_series']} samples = {n:,} samples** "
              f"({meta['node_targets']} node_exporter-like + {meta['app_targets']} application-like targets, "
              f"15 s interval, seed {meta['seed']}; {meta['requests']:,} remote-write requests of "
              f"{meta['max_samples_per_send']} samples on {meta['shards']} connections, "
              f"{meta['compressed_bytes'] / n:.1f} B/sample snappy on the wire).")
    md.append("")
    md.append(f"- Date: {date}. Machine: {machine()}; shared with other engineers' builds while measuring, "
              "so compare the ratios of one run, not absolute figures across runs.")
    md.append(f"- Command: `{args.command}`")
    md.append("- Versions: " + "; ".join(f"{s}: {res[s]['sys']['version']}" for s in systems))
    md.append("- Disk: " + "; ".join(f"{s}: {res[s]['sys']['snapshot_what']}" for s in systems) + ".")
    md.append(f"- CPU is utime+stime of the server process from the first request until {res[systems[0]]['sys']['settle_s']} s "
              "after the last response (so deferred flushes/merges count). Query latency: median of "
              f"{res[systems[0]]['queries'][next(iter(res[systems[0]]['queries']))]['repeats']} runs after one warm-up, "
              "on one keep-alive connection; range queries span the data at a 60 s step.")
    md.append("")
    md.append("| " + " | ".join(header) + " |")
    md.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    for line in table:
        md.append("| " + " | ".join(line) + " |")
    md.append("")
    md.append("Stored samples (`sum(count_over_time(NAME[span]))` per metric name): " + "; ".join(stored_line) + ".")
    md.append("")
    if checks:
        md.append(f"Answers compared with {ref_sys} (values within 1e-9 relative):")
        md.append("")
        md.append("| query | system | verdict | detail |")
        md.append("|---|---|---|---|")
        for q, s, verdict, text in checks:
            md.append(f"| {q} | {s} | {verdict} | {text} |")
        md.append("")
    text = "\n".join(md) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if failures:
        print(f"report: {failures} answer check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
