#!/usr/bin/env python3
"""Tiny remote-write capture server: saves each POST body (and its headers) to a directory and
answers 204, until N bodies are saved. Usage: capture_server.py PORT OUTDIR N"""
import http.server
import os
import sys

port, outdir, wanted = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
os.makedirs(outdir, exist_ok=True)
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if count < wanted:
            with open(os.path.join(outdir, f"body-{count}.bin"), "wb") as f:
                f.write(body)
            with open(os.path.join(outdir, f"body-{count}.headers"), "w") as f:
                for k in ("Content-Type", "Content-Encoding", "X-Prometheus-Remote-Write-Version", "User-Agent"):
                    f.write(f"{k}: {self.headers.get(k, '')}\n")
            count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
