#!/usr/bin/env python3
"""Condenses `swift package benchmark` text output into the Markdown table BENCHMARKS.md carries:
per benchmark, p50 and p90 wall clock and p50 mallocs. Usage: summarize.py < benchmark-output.txt"""
import re
import sys

rows = []
target = None
name = None
cur = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    if re.match(r"^[A-Za-z]+Benchmarks$", line):
        target = line
        continue
    if line and not line.startswith(("│", "╒", "╞", "├", "╘", "=", " ")) and target and "│" not in line:
        if name and cur:
            rows.append((target, name, cur))
        name, cur = line.strip(), {}
        continue
    m = re.match(r"^│ (.+?) +│(.*)│$", line)
    if m and name:
        cells = [c.strip() for c in m.group(2).split("│")]
        metric = m.group(1).strip()
        if len(cells) >= 5:
            cur[metric] = cells
if name and cur:
    rows.append((target, name, cur))

print("| target | benchmark | wall p50 | wall p90 | mallocs p50 |")
print("|---|---|---:|---:|---:|")
for target, name, cur in rows:
    wall = next((k for k in cur if k.startswith("Time (wall clock)")), None)
    unit = re.search(r"\((\w+)\)", wall).group(1) if wall else ""
    malloc = cur.get("Malloc (total) *") or cur.get("Malloc (total)")
    p50 = f"{cur[wall][2]} {unit}" if wall else "–"
    p90 = f"{cur[wall][4]} {unit}" if wall else "–"
    print(f"| {target} | {name} | {p50} | {p90} | {malloc[2] if malloc else '–'} |")
