"""What a Dask run's workers did, from the trace a run writes with $EDITION_DASK_TRACE set.

    EDITION_DASK_TRACE=/tmp/trace-{pid}.json .venv/bin/python benchmarks/scale.py --books 200 --modes dask1 dask2
    .venv/bin/python benchmarks/dask_trace.py /tmp/trace-*.json

For each trace (pipeline.commands.execute.Dask: distributed's task stream, the scheduler's
events, the recycled workers' restarts): the tasks, the task-seconds run against the run's
seconds times its workers, the seconds in which fewer tasks ran than there were workers, each
restart (how long it took, what it returned) and, a digit a second, how many tasks were running.
A task runs from its start to its end on a worker whether or not the machine gave that worker
a core: a run whose tasks kept every worker busy but whose CPU (scale.py's column) stayed under
the workers' number of cores was starved by other processes, not idle.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def summary(path: Path, timeline: bool = True) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    t0 = data["start"]
    spans = sorted((a - t0, b - t0, r["worker"]) for r in data["stream"] for a, b in r["compute"])
    if not spans:
        print(f"{path}: no task recorded")
        return
    end = max(b for _, b, _ in spans)
    running = [0.0] * (math.ceil(end) + 1)  # task-seconds in each second
    for a, b, _ in spans:
        t = a
        while t < b:
            nxt = min(b, math.floor(t) + 1)
            running[math.floor(t)] += nxt - t
            t = nxt
    # the workers at once: the most tasks seen running together
    workers = max(1, round(max(running)))
    busy = sum(b - a for a, b, _ in spans)
    short = sum(1 for c in running[:math.floor(end)] if c < workers - 0.5)
    restarts = data.get("restarts", [])
    print(f"{path}: {len(spans)} tasks on {workers} worker(s) at once, run {data['end'] - t0:.1f} s, tasks running "
          f"{busy:.1f} task-s of {workers * end:.1f}; seconds with fewer tasks than workers: {short}; "
          f"{len(restarts)} restarts")
    for r in restarts:
        print(f"  restart of worker {r['name']} at {r['start'] - t0:.1f} s: {r['end'] - r['start']:.2f} s, {r['status']}")
    if timeline:
        digits = "".join(str(min(9, round(c))) for c in running)
        for i in range(0, len(digits), 100):
            print(f"  {i:5d} s  {digits[i:i + 100]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("traces", type=Path, nargs="+")
    ap.add_argument("--brief", action="store_true", help="no timeline")
    args = ap.parse_args()
    for path in args.traces:
        summary(path, not args.brief)


if __name__ == "__main__":
    main()
