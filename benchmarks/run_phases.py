#!/usr/bin/env python3
"""Where the time of `edition run --force` goes: one new process per repeat (a cold shell:
nothing imported, the word lists' memory-mapped tables in the page cache), each phase timed
in wall and CPU seconds (time.process_time), the whole process too.

    .venv/bin/python benchmarks/run_phases.py                # 3 runs, median per phase
    .venv/bin/python benchmarks/run_phases.py --repeat 5 --json
    .venv/bin/python benchmarks/run_phases.py --tree /tmp/base   # another checkout's code (before/after)
    .venv/bin/python benchmarks/run_phases.py --jobs 0           # as `edition run` chooses (worker processes)

The phases are timed in the main process: with worker processes (`--jobs 0` on a first run,
two cores or more, or `--jobs N`) the stages they run are missing from the table; the whole
process's CPU counts the workers' (and the wall time shows what they save). The default,
`--jobs 1`, times every stage here.

Phases: imports (everything imported before the first stage runs, and the command's own
imports), each stage (summed over the witnesses), collation (and within it the pivot
alignment, pivot.align_units), the reports (pipeline.report.build_reports), the writes
(pipeline.outputs.write_files), and the rest. The run is made in a copy of the project
(clean/ and reports/ of this tree are never touched). The load average is printed beside
the figures: on a busy machine the wall times mean little, the CPU times still do.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# runs inside the child process: wraps the phases, runs the CLI, prints the timings as JSON
CHILD = r"""
import json, sys, time
T0w, T0c = time.perf_counter(), time.process_time()
acc = {}
from timers import timed  # benchmarks/timers.py (on the child's path)
def patch(modname, attr, name=None):
    import importlib
    m = importlib.import_module(modname)
    setattr(m, attr, timed(acc, name or attr, getattr(m, attr)))
import pipeline.cli
w, c = time.perf_counter(), time.process_time()
import pipeline.commands.run as cr, pipeline.run, pipeline.stages as st, pipeline.collate as co
import pipeline.collate.pivot, pipeline.report, pipeline.outputs, pipeline.collate.writers
from pipeline.config import stages_of
from pipeline.context import Resources
import dataclasses
for s in stages_of(Resources(__import__("pathlib").Path(sys.argv[1]))):
    st.REGISTRY[s.name] = dataclasses.replace(s, run=timed(acc, "stage " + s.name, s.run))
acc["imports"] = [time.perf_counter() - T0w, time.process_time() - T0c]
patch("pipeline.collate", "collate_corpus", "collation")
patch("pipeline.collate.pivot", "align_units", "  pivot.align_units")
patch("pipeline.collate", "report_files", "  collate writers")
patch("pipeline.report", "build_reports", "reports")
patch("pipeline.outputs", "write_files", "write files")
patch("pipeline.commands.run", "failing_rules", "rule examples")
rc = pipeline.cli.main(["--root", sys.argv[1], "run", "--force", "--quiet", "--jobs", sys.argv[2]])
acc["total (in process)"] = [time.perf_counter() - T0w, time.process_time() - T0c]
print("PHASES " + json.dumps(acc))
sys.stdout.flush()
import os
os._exit(rc)  # as the `edition` command ends (pipeline.cli.main): no teardown of the heap
"""


def copy_project(dst: Path) -> Path:
    for sub in ("raw", "config", "rules", "review"):
        if (ROOT / sub).is_dir():
            shutil.copytree(ROOT / sub, dst / sub)
    return dst


def one_run(project: Path, tree: Path = ROOT, jobs: int = 1) -> dict:
    w = time.perf_counter()
    before = os.times()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(tree), str(Path(__file__).resolve().parent))))
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), str(jobs)], capture_output=True, text=True, cwd=tree, env=env)
    after = os.times()
    wall = time.perf_counter() - w
    if out.returncode:
        sys.exit(f"run failed: {out.stderr.strip()[-500:]}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("PHASES "))
    phases = json.loads(line[7:])
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    phases["whole process"] = [wall, cpu]
    return phases


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min", action="store_true",
                    help="the fastest run per phase instead of the median (a shared machine's noise only adds)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose pipeline runs (default: this one)")
    ap.add_argument("--jobs", type=int, default=1, help="edition run --jobs (default 1: every stage in the timed process; "
                    "0: as `edition run` chooses)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp))
        runs, loads = [], []
        for _ in range(a.repeat):
            loads.append(os.getloadavg()[0])
            runs.append(one_run(project, a.tree.resolve(), a.jobs))
    names = list(runs[0])
    stages = sorted((n for n in names if n.startswith("stage ")), key=lambda n: -runs[0][n][1])
    order = ["imports", "rule examples"] + stages + [n for n in names if n not in stages and n not in
                                                    ("imports", "rule examples", "total (in process)", "whole process")]
    order += ["total (in process)", "whole process"]
    pick = min if a.min else statistics.median
    table = {n: (pick(r[n][0] for r in runs if n in r), pick(r[n][1] for r in runs if n in r))
             for n in order if n in runs[0]}
    if a.json:
        print(json.dumps({"load_average": loads, "phases": table}, indent=1))
        return 0
    print(f"{a.tree}: edition run --force --jobs {a.jobs}, {a.repeat} new processes, {'fastest' if a.min else 'median'} (1-min load average before each: "
          f"{', '.join(f'{x:.2f}' for x in loads)})")
    print(f"{'phase':28} {'wall s':>7} {'CPU s':>7}")
    for n, (wall, cpu) in table.items():
        print(f"{n:28} {wall:7.2f} {cpu:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
