#!/usr/bin/env python3
"""Builds testdata/histograms/prom-2.42/ with the real Prometheus 2.42 (/usr/bin/prometheus).

Starts Prometheus on 127.0.0.1 (free port, temp data dir, never as a service) with
--enable-feature=native-histograms, remote-writes a known set of integer native histograms
(prompb.Histogram, remote write 1.0), takes a TSDB snapshot (which writes the head as one block) and
copies that block (meta.json, index, chunks/000001, tombstones) to prom-2.42/ and the WAL segment
(series and histogram-samples records) to prom-2.42-wal/00000000. histograms.jsonl lists exactly
what was sent, one JSON object per sample in sending order:
    {"labels": {...}, "t": ms, "hint": 0-3, "schema": s, "zero_threshold": x, "zero_count": n,
     "count": n, "sum": x, "positive_spans": [[offset, length], ...], "positive_deltas": [...],
     "negative_spans": [...], "negative_deltas": [...], "sum_bits": "16 hex digits of the sum"}
Also runs `promtool tsdb dump` on the snapshot and keeps its output as promtool-dump.txt.
Needs only the Python standard library (protobuf by hand; snappy as literal-only block format).

Usage: python3 testdata/histograms/make-prom-2.42-histograms.py
"""
import json, os, random, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "prom-2.42")
T0 = 1_700_000_000_000


def hist(t, schema, zt, zc, pos_spans, pos_counts, neg_spans=(), neg_counts=(), hint=0, extra=0, sum_=None):
    """A histogram from absolute bucket counts (deltas computed here)."""
    def deltas(counts):
        out, prev = [], 0
        for c in counts:
            out.append(c - prev)
            prev = c
        return out
    count = zc + sum(pos_counts) + sum(neg_counts) + extra
    return {"t": t, "hint": hint, "schema": schema, "zero_threshold": zt, "zero_count": zc, "count": count,
            "sum": sum_ if sum_ is not None else count * 1.25 + 0.1,
            "positive_spans": [list(s) for s in pos_spans], "positive_deltas": deltas(pos_counts),
            "negative_spans": [list(s) for s in neg_spans], "negative_deltas": deltas(neg_counts)}


def series_set():
    rnd = random.Random(7)
    out = []
    # A: a counter histogram, schema 0, default zero threshold 2^-128, 150 samples at 10 s. A new
    # bucket appears at sample 40 (the chunk is recoded), a counter reset at sample 90.
    s, pos, neg, zc = [], [1, 2, 0, 3], [1], 0
    for i in range(150):
        if i == 90:
            pos, neg, zc = [0] * len(pos), [0] * len(neg), 0
        pos = [c + rnd.randint(0, 3) for c in pos]
        neg = [c + rnd.randint(0, 1) for c in neg]
        zc += rnd.randint(0, 2)
        if i < 40:
            spans, p = [(0, 2), (1, 2)], pos
        else:
            if len(pos) == 4:
                pos = pos[:2] + [rnd.randint(1, 5)] + pos[2:]
            spans, p = [(0, 5)], pos
        s.append(hist(T0 + i * 10_000, 0, 2.0 ** -128, zc, spans, p, [(-2, 1)], neg))
    out.append(({"__name__": "fixture_rpc_seconds", "job": "fixture", "instance": "a:9100"}, s))

    # B: schema 3, zero threshold 0.001 (stored in 9 bytes), gappy spans, large and irregular
    # counts and timestamps.
    s, pos, zc, t = [], [10, 200, 5000, 70000], 100, T0 + 7
    for i in range(60):
        t += rnd.choice([1, 15_000, 15_001, 29_999, 60_000])
        pos = [c + rnd.randint(0, 100_000) for c in pos]
        zc += rnd.randint(0, 1000)
        s.append(hist(t, 3, 0.001, zc, [(-5, 1), (3, 2), (100, 1)], pos, sum_=rnd.uniform(-1e6, 1e9)))
    out.append(({"__name__": "fixture_rpc_seconds", "job": "fixture", "instance": "b:9100"}, s))

    # (No gauge histogram: 2.42's snapshot re-encodes head chunks through the counter-histogram
    # appender and fails with "detected unexpected counter reset in histogram" on one.)

    # D: one sample, empty buckets (only count and sum).
    out.append(({"__name__": "fixture_empty", "job": "fixture"},
                [hist(T0 + 1, 8, 2.0 ** -10, 0, [], [], extra=5, sum_=1.5)]))
    return out


def pb_varint(n):
    b = bytearray()
    n &= 0xFFFFFFFFFFFFFFFF
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def pb_field(num, wire, payload):
    key = pb_varint(num << 3 | wire)
    if wire == 2:
        return key + pb_varint(len(payload)) + payload
    return key + payload


def pb_histogram(h):
    """prompb.Histogram: count_int=1, sum=3, schema=4 (sint32), zero_threshold=5, zero_count_int=6,
    negative_spans=8, negative_deltas=9 (packed sint64), positive_spans=11, positive_deltas=12,
    reset_hint=14, timestamp=15. BucketSpan{offset=1 sint32, length=2}."""
    b = bytearray()
    b += pb_field(1, 0, pb_varint(h["count"]))
    b += pb_field(3, 1, struct.pack("<d", h["sum"]))
    b += pb_field(4, 0, pb_varint(zigzag(h["schema"])))
    b += pb_field(5, 1, struct.pack("<d", h["zero_threshold"]))
    b += pb_field(6, 0, pb_varint(h["zero_count"]))
    def spans(field, ss):
        out = bytearray()
        for off, ln in ss:
            out += pb_field(field, 2, pb_field(1, 0, pb_varint(zigzag(off))) + pb_field(2, 0, pb_varint(ln)))
        return out
    def packed(field, ds):
        if not ds:
            return b""
        return pb_field(field, 2, b"".join(pb_varint(zigzag(d)) for d in ds))
    b += spans(8, h["negative_spans"])
    b += packed(9, h["negative_deltas"])
    b += spans(11, h["positive_spans"])
    b += packed(12, h["positive_deltas"])
    if h["hint"]:
        b += pb_field(14, 0, pb_varint(h["hint"]))
    b += pb_field(15, 0, pb_varint(h["t"]))
    return bytes(b)


def write_request(series):
    body = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name in sorted(labels):
            ts += pb_field(1, 2, pb_field(1, 2, name.encode()) + pb_field(2, 2, labels[name].encode()))
        for h in samples:
            ts += pb_field(4, 2, pb_histogram(h))
        body += pb_field(1, 2, bytes(ts))
    return bytes(body)


def snappy_literal_block(data):
    out = bytearray(pb_varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        else:
            out.append(61 << 2)
            out += struct.pack("<H", n)
        out += chunk
    return bytes(out)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    series = series_set()
    work = tempfile.mkdtemp(prefix="sundial-prom-histograms-")
    port = free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as fh:
        fh.write("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    proc = subprocess.Popen(
        ["/usr/bin/prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={work}/data",
         f"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver",
         "--web.enable-admin-api", "--enable-feature=native-histograms"],
        stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if urllib.request.urlopen(base + "/-/ready", timeout=1).status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        else:
            sys.exit("prometheus did not become ready; see " + work)
        body = snappy_literal_block(write_request(series))
        req = urllib.request.Request(base + "/api/v1/write", data=body, method="POST", headers={
            "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
            "X-Prometheus-Remote-Write-Version": "0.1.0"})
        resp = urllib.request.urlopen(req, timeout=10)
        assert resp.status in (200, 204), resp.status
        snap = json.load(urllib.request.urlopen(urllib.request.Request(
            base + "/api/v1/admin/tsdb/snapshot", method="POST"), timeout=30))
        snapdir = os.path.join(work, "data", "snapshots", snap["data"]["name"])
        blocks = [d for d in os.listdir(snapdir) if os.path.isdir(os.path.join(snapdir, d))]
        assert len(blocks) == 1, blocks
        src = os.path.join(snapdir, blocks[0])
        if os.path.exists(OUT):
            shutil.rmtree(OUT)
        os.makedirs(os.path.join(OUT, "chunks"))
        for name in ["meta.json", "index", "tombstones", "chunks/000001"]:
            shutil.copyfile(os.path.join(src, name), os.path.join(OUT, name))
        # The WAL segment holding the remote-written histogram records (types 7 / series 1).
        walout = os.path.join(HERE, "prom-2.42-wal")
        if os.path.exists(walout):
            shutil.rmtree(walout)
        os.makedirs(walout)
        shutil.copyfile(os.path.join(work, "data", "wal", "00000000"), os.path.join(walout, "00000000"))
        dump = subprocess.run(["/usr/bin/promtool", "tsdb", "dump", snapdir], capture_output=True, text=True)
        with open(os.path.join(OUT, "promtool-dump.txt"), "w") as fh:
            fh.write(dump.stdout)
        with open(os.path.join(OUT, "histograms.jsonl"), "w") as fh:
            for labels, samples in series:
                for h in samples:
                    row = dict(labels=labels, **h)
                    row["sum_bits"] = "%016x" % struct.unpack("<Q", struct.pack("<d", h["sum"]))[0]
                    fh.write(json.dumps(row, sort_keys=True) + "\n")
        print("wrote", OUT, "block", blocks[0], "histograms", sum(len(s) for _, s in series))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
