#!/usr/bin/env python3
"""Records expected results for our PromQL test scripts from a real Prometheus 2.42.

For every `*.test` file given (default: all in this folder), each section between `clear`
commands is loaded into a fresh Prometheus 2.42 (`/usr/bin/prometheus`, started on 127.0.0.1 on a
free port with a temporary data directory) over remote write 1.0 (protobuf + snappy block format,
encoded here by hand), then every `eval instant` / `eval range` is asked through the HTTP API and
its expectation lines are rewritten with Prometheus's answer (an error becomes `expect fail`).
The file is rewritten in place; commands and comments are kept.

Usage: testdata/promql/record.py [FILE.test ...]      (stdlib only; needs /usr/bin/prometheus)
"""
import json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROMETHEUS = "/usr/bin/prometheus"
# Talk to 127.0.0.1 directly, whatever proxy the environment names.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
STALE = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]

# ---- test-script notation -------------------------------------------------------------------

UNITS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000, "w": 604800000, "y": 31536000000}

def duration(s):
    if s == "0":
        return 0
    total = 0
    for num, unit in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", s):
        total += int(num) * UNITS[unit]
    if not re.fullmatch(r"((\d+)(ms|s|m|h|d|w|y))+", s):
        raise ValueError("bad duration " + s)
    return total

def number(tok):
    t = tok.lower().lstrip("+")
    if t in ("inf", "+inf"):
        return float("inf")
    if t == "-inf":
        return float("-inf")
    if t == "nan":
        return float("nan")
    return float(tok)

def values(text):
    out = []
    for tok in text.split():
        if tok == "_":
            out.append(None)
        elif tok == "stale":
            out.append(STALE)
        elif re.fullmatch(r"_x\d+", tok):
            out.extend([None] * int(tok[2:]))
        else:
            m = re.fullmatch(r"(.+?)(?:([+-])(.+))?x(\d+)", tok)
            if m and not re.fullmatch(r"[-+]?0x[0-9a-fA-F]+", tok):
                a = number(m.group(1))
                b = number(m.group(3)) if m.group(2) else 0.0
                if m.group(2) == "-":
                    b = -b
                for i in range(int(m.group(4)) + 1):
                    out.append(a + i * b)
            else:
                out.append(float(int(tok, 16)) if tok.lower().startswith("0x") else number(tok))
    return out

def series(text):
    m = re.match(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?(\{[^}]*\})?\s*(.*)$", text)
    labels = {}
    if m.group(1):
        labels["__name__"] = m.group(1)
    if m.group(2):
        for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"', m.group(2)):
            labels[k] = json.loads('"' + v + '"')
    return labels, m.group(3)

# ---- remote write encoding --------------------------------------------------------------------

def uvarint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)

def field_bytes(num, payload):
    return uvarint(num << 3 | 2) + uvarint(len(payload)) + payload

def write_request(all_series):
    body = bytearray()
    for labels, samples in all_series:
        ts = bytearray()
        for k in sorted(labels):
            ts += field_bytes(1, field_bytes(1, k.encode()) + field_bytes(2, labels[k].encode()))
        for t, v in samples:
            s = uvarint(1 << 3 | 1) + struct.pack("<d", v) + uvarint(2 << 3 | 0) + uvarint(t)
            ts += field_bytes(2, s)
        body += field_bytes(1, bytes(ts))
    return bytes(body)

def snappy_block(data):
    """Snappy block format with literal elements only (valid, uncompressed)."""
    out = bytearray(uvarint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
    return bytes(out)

# ---- Prometheus ---------------------------------------------------------------------------------

class Prometheus:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="sundial-record-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1h\nscrape_configs: []\n")
        self.proc = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--web.enable-remote-write-receiver",
             "--storage.tsdb.retention.time=50y"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                OPENER.open(self.url("/-/ready"), timeout=1).read()
                return self
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("prometheus did not become ready")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def write(self, all_series):
        req = urllib.request.Request(self.url("/api/v1/write"), data=snappy_block(write_request(all_series)),
                                     headers={"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
                                              "X-Prometheus-Remote-Write-Version": "0.1.0",
                                              "User-Agent": "sundial-record"})
        OPENER.open(req, timeout=30).read()

    def query(self, path, params):
        data = urllib.parse.urlencode(params).encode()
        try:
            body = OPENER.open(urllib.request.Request(self.url(path), data=data), timeout=60).read()
        except urllib.error.HTTPError as e:
            body = e.read()
        return json.loads(body)

# ---- formatting ---------------------------------------------------------------------------------

def fmt_labels(metric):
    name = metric.get("__name__", "")
    rest = ", ".join('%s="%s"' % (k, json.dumps(v)[1:-1]) for k, v in sorted(metric.items()) if k != "__name__")
    return name + "{" + rest + "}"

def fmt_value(s):
    return {"+Inf": "Inf", "-Inf": "-Inf", "NaN": "NaN"}.get(s, s)

# ---- main ---------------------------------------------------------------------------------------

def record(path):
    lines = open(path).read().split("\n")
    out = []
    i = 0
    loads = []          # (interval, [(labels, values)])
    prom = None

    def ensure():
        nonlocal prom
        if prom is None:
            prom = Prometheus().__enter__()
            batch = []
            for interval, defs in loads:
                for labels, vals in defs:
                    batch.append((labels, [(k * interval, v) for k, v in enumerate(vals) if v is not None]))
            if batch:
                prom.write(batch)
        return prom

    def reset():
        nonlocal prom
        if prom is not None:
            prom.__exit__(None, None, None)
            prom = None

    try:
        while i < len(lines):
            line = lines[i]
            s = line.strip()
            if s.startswith("load "):
                interval = duration(s.split()[1])
                defs = []
                out.append(line)
                i += 1
                while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith("#"):
                    labels, rest = series(lines[i].strip())
                    defs.append((labels, values(rest)))
                    out.append(lines[i])
                    i += 1
                loads.append((interval, defs))
                reset()
                continue
            if s == "clear":
                loads = []
                reset()
                out.append(line)
                i += 1
                continue
            if s.startswith("eval"):
                out.append(line)
                i += 1
                # Drop the old expectation lines.
                while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith("#"):
                    i += 1
                p = ensure()
                words = s.split()
                if words[1] == "instant":
                    t = duration(words[3])
                    query = s.split(None, 4)[4]
                    r = p.query("/api/v1/query", {"query": query, "time": "%.3f" % (t / 1000)})
                    if r["status"] != "success":
                        out.append("    expect fail")
                    elif r["data"]["resultType"] == "scalar":
                        out.append("    " + fmt_value(r["data"]["result"][1]))
                    elif r["data"]["resultType"] == "vector":
                        for e in r["data"]["result"]:
                            out.append("    %s %s" % (fmt_labels(e["metric"]), fmt_value(e["value"][1])))
                    else:
                        raise RuntimeError("unsupported result type in %s: %s" % (path, query))
                else:
                    a, b, st = duration(words[3]), duration(words[5]), duration(words[7])
                    query = s.split(None, 8)[8]
                    r = p.query("/api/v1/query_range", {"query": query, "start": "%.3f" % (a / 1000),
                                                         "end": "%.3f" % (b / 1000), "step": "%.3f" % (st / 1000)})
                    if r["status"] != "success":
                        out.append("    expect fail")
                    else:
                        steps = list(range(a, b + 1, st))
                        for e in r["data"]["result"]:
                            got = {round(float(v[0]) * 1000): v[1] for v in e["values"]}
                            vals = [fmt_value(got[t]) if t in got else "_" for t in steps]
                            out.append("    %s %s" % (fmt_labels(e["metric"]), " ".join(vals)))
                continue
            out.append(line)
            i += 1
    finally:
        reset()
    with open(path, "w") as f:
        f.write("\n".join(out))

if __name__ == "__main__":
    files = sys.argv[1:] or sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".test"))
    for f in files:
        record(f)
        print("recorded", f)
