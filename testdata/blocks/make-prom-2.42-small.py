#!/usr/bin/env python3
"""Builds testdata/blocks/prom-2.42-small/ with the real Prometheus 2.42 (/usr/bin/prometheus).

Starts Prometheus on 127.0.0.1 (free port, temp data dir, never as a service), sends a known set of
samples with remote write 1.0, takes a TSDB snapshot (which writes the head as one block), copies
that block (meta.json, index, chunks/000001, tombstones) here and writes the exact samples sent to
samples.txt. Needs only the Python standard library: the protobuf WriteRequest is encoded by hand
(prompb/remote.proto, types.proto) and the snappy body uses the block format with literal elements
only, which every snappy decoder accepts (format_description.txt: "literal" element, tag 00).

samples.txt: one sample per line, tab separated:
    <series as Prometheus prints labels>  <timestamp ms>  <value bits, 16 hex digits>  <value, repr>
Lines are in the order the samples were sent (series by series, time ascending).

Usage: python3 testdata/blocks/make-prom-2.42-small.py   (from the repository root or anywhere)
"""
import json, math, os, random, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "prom-2.42-small")
T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z, ms; any fixed instant works on an empty Prometheus
STALE_BITS = 0x7FF0000000000002  # model/value/value.go StaleNaN
NAN_BITS = 0x7FF8000000000001  # math.NaN() in Go


def f(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def series_set():
    """[(labels dict, [(ts, value_bits)])] — deterministic."""
    rnd = random.Random(42)
    out = []
    bits = lambda v: struct.unpack("<Q", struct.pack("<d", v))[0]

    # A counter over 50 minutes at 10 s with one reset: 300 samples -> several chunks.
    v, s = 0.0, []
    for i in range(300):
        if i == 170:
            v = 0.0  # counter reset
        v += rnd.randint(0, 50)
        s.append((T0 + i * 10_000, bits(v)))
    out.append(({"__name__": "fixture_requests_total", "job": "fixture", "instance": "a:9100", "code": "200"}, s))

    # Same metric, other code: sparse, irregular intervals.
    t, v, s = T0 + 3, 0.0, []
    for i in range(40):
        t += rnd.choice([1, 999, 15_000, 15_001, 60_000, 7])
        v += rnd.random() * 3
        s.append((t, bits(v)))
    out.append(({"__name__": "fixture_requests_total", "job": "fixture", "instance": "a:9100", "code": "500"}, s))

    # A gauge with fractional, negative, tiny and huge values at irregular intervals.
    t, s = T0, []
    vals = [0.0, -0.0, 1.5, -2.25, 1e-300, -1e300, 3.141592653589793, 42.0, 1e15, -7.0]
    for i in range(130):
        t += rnd.randint(1, 30_000)
        s.append((t, bits(vals[i % len(vals)] if i % 3 else rnd.uniform(-1000, 1000))))
    out.append(({"__name__": "fixture_temperature", "job": "fixture", "instance": "b:9100", "room": "kitchen"}, s))

    # Special floats: NaN, +Inf, -Inf, and a stale marker in the middle and at the end.
    s = []
    specials = [1.0, math.inf, -math.inf, 2.0, None, 3.0, math.inf, None, 4.0, 5.0]
    for i, x in enumerate(specials * 3):
        s.append((T0 + i * 30_000, NAN_BITS if x is None else bits(x)))
    out.append(({"__name__": "fixture_special", "job": "fixture", "kind": "nan_inf"}, s))

    s = []
    for i in range(20):
        s.append((T0 + i * 15_000, bits(float(i))))
    s.append((T0 + 20 * 15_000, STALE_BITS))  # series went away
    for i in range(21, 30):
        s.append((T0 + i * 15_000, bits(float(i))))  # ...and came back
    s.append((T0 + 30 * 15_000, STALE_BITS))
    out.append(({"__name__": "fixture_up", "job": "fixture", "instance": "c:9100"}, s))

    # A constant series (XOR's best case) and a handful of HTTP-like series for matcher tests.
    out.append(({"__name__": "fixture_constant", "job": "fixture"}, [(T0 + i * 60_000, bits(7.0)) for i in range(50)]))
    for handler in ["/api/v1/query", "/api/v1/query_range", "/metrics", "/-/ready"]:
        for code in ["200", "404", "503"]:
            s = [(T0 + i * 20_000 + len(handler), bits(float(i * len(code + handler)))) for i in range(25)]
            out.append(({"__name__": "fixture_http_requests_total", "job": "api", "handler": handler, "code": code}, s))
    # Unicode and quoting in label values.
    out.append(({"__name__": "fixture_info", "job": "fixture", "version": "ünï\"cødé\"\\n"}, [(T0 + 5, bits(1.0))]))
    return out


def pb_varint(n):
    b = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


def pb_field(num, wire, payload):
    key = pb_varint(num << 3 | wire)
    if wire == 2:
        return key + pb_varint(len(payload)) + payload
    return key + payload


def write_request(series):
    """prompb.WriteRequest{timeseries=1}; TimeSeries{labels=1, samples=2}; Label{name=1,value=2};
    Sample{value=1 double, timestamp=2 int64}."""
    body = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name in sorted(labels):
            lb = pb_field(1, 2, name.encode()) + pb_field(2, 2, labels[name].encode())
            ts += pb_field(1, 2, lb)
        for t, vb in samples:
            sm = pb_field(1, 1, struct.pack("<Q", vb)) + pb_field(2, 0, pb_varint(t & 0xFFFFFFFFFFFFFFFF))
            ts += pb_field(2, 2, sm)
        body += pb_field(1, 2, bytes(ts))
    return bytes(body)


def snappy_literal_block(data):
    """Snappy block format: uvarint(uncompressed length), then literal elements of at most 64 KiB
    (tag byte (61<<2)|0 = 0xF4 followed by a 2-byte little-endian length-1)."""
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


def go_quote(s):
    out = '"'
    for ch in s:
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out += "\\x%02x" % ord(ch)
        else:
            out += ch
    return out + '"'


def labels_string(labels):
    names = sorted(labels, key=lambda n: n.encode())
    return "{" + ", ".join(f"{n}={go_quote(labels[n])}" for n in names) + "}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    series = series_set()
    work = tempfile.mkdtemp(prefix="sundial-prom-fixture-")
    port = free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as fh:
        fh.write("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
    proc = subprocess.Popen(
        ["/usr/bin/prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={work}/data",
         f"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver",
         "--web.enable-admin-api"],
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
        with open(os.path.join(OUT, "samples.txt"), "w", encoding="utf-8") as fh:
            for labels, samples in series:
                ls = labels_string(labels)
                for t, vb in samples:
                    fh.write(f"{ls}\t{t}\t{vb:016x}\t{f(vb)!r}\n")
        print("wrote", OUT, "block", blocks[0], "samples", sum(len(s) for _, s in series))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
