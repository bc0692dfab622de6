#!/usr/bin/env python3
"""Wall-clock and CPU time of `policy-sim batch --base BASE < LINES > OUT` for two or more
builds, the builds alternating run by run, each pinned to core 0 (`taskset -c 0`, as
`../shared/peers/compare-speed.sh` runs it). OUT is opened (truncated) after the clock
starts and closed before it stops, as compare-speed.sh does.

Usage: scripts/bench-ab.py BASE LINES OUT RUNS BIN [BIN ...]
Prints, per build, the best and the median wall-clock time and CPU time (user + system).
"""
import resource
import statistics
import subprocess
import sys
import time

base, lines, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
bins = sys.argv[5:]
wall = {b: [] for b in bins}
cpu = {b: [] for b in bins}
for _ in range(runs):
    for b in bins:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        with open(lines) as stdin, open(out, "w") as stdout:
            subprocess.run(["taskset", "-c", "0", b, "batch", "--base", base], stdin=stdin, stdout=stdout, check=False)
        wall[b].append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[b].append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
for b in bins:
    w, c = wall[b], cpu[b]
    print(f"{b}: wall best {min(w) * 1000:.1f} ms, median {statistics.median(w) * 1000:.1f} ms; "
          f"CPU best {min(c) * 1000:.1f} ms, median {statistics.median(c) * 1000:.1f} ms")
