#!/usr/bin/env python3
"""Asks Prometheus 2.42 itself whether expressions parse: each expression becomes a recording
rule checked with `promtool check rules` (which runs the real PromQL parser and type checker).

Usage: promtool_judge.py < exprs.txt   (one expression per line)
Output: one line per expression: "ok<TAB>expr" or "err<TAB>expr<TAB>promtool's parse error".
"""
import json
import os
import re
import subprocess
import sys
import tempfile

PROMTOOL = os.environ.get("PROMTOOL", "/usr/bin/promtool")


def judge(expr, tmp):
    path = os.path.join(tmp, "r.yml")
    with open(path, "w") as f:
        f.write("groups:\n- name: g\n  rules:\n  - record: r\n    expr: %s\n" % json.dumps(expr))
    p = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True)
    if p.returncode == 0:
        return None
    out = p.stdout + p.stderr
    m = re.search(r"could not parse expression: (.*)", out)
    return m.group(1).strip() if m else out.strip().replace("\n", " ")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for line in sys.stdin:
            expr = line.rstrip("\n")
            if not expr:
                continue
            err = judge(expr, tmp)
            print("ok\t%s" % expr if err is None else "err\t%s\t%s" % (expr, err), flush=True)


if __name__ == "__main__":
    main()
