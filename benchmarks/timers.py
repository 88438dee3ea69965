"""A function wrapped to add its wall and CPU seconds to a tally: the benchmarks time the
parts of a stage or a run by patching them (run_phases.py's child process, grammar_bench.py)."""
from __future__ import annotations

import time


def timed(acc: dict[str, list[float]], name: str, fn):
    """fn, adding each call's [wall, CPU] seconds to acc[name]."""
    def wrapper(*a, **k):
        w, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            t = acc.setdefault(name, [0.0, 0.0])
            t[0] += time.perf_counter() - w
            t[1] += time.process_time() - c
    return wrapper
