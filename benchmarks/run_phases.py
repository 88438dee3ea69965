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
(pipeline.outputs.write_files: a Staging's commit; they include making the change logs and the
changes pages, written as they are made), and the rest. The run is made in a copy of the project
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
import pipeline.outputs as _outputs
if hasattr(_outputs, "Staging"):  # edition run stages the witnesses' outputs while its worker collates, commits at the end
    # (write_files is a Staging's commit: timed there only, not twice)
    _outputs.Staging.commit = timed(acc, "write files", _outputs.Staging.commit)
    _outputs.Staging.stage = timed(acc, "write files (staged early)", _outputs.Staging.stage)
else:
    patch("pipeline.outputs", "write_files", "write files")
patch("pipeline.commands.run", "failing_rules", "rule examples")
if len(sys.argv) > 3:  # --timeline: what each process does when, in wall and CPU seconds (forked workers too)
    import os
    def spans(name, fn, label=None):
        def wrapper(*a, **k):
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                with open(sys.argv[3], "a") as f:
                    f.write(json.dumps([os.getpid(), label(*a) if label else name, w - T0w, time.perf_counter() - T0w,
                                        time.process_time() - c, time.process_time()]) + "\n")
        return wrapper
    import pipeline.commands.execute as ex
    ex.clean_witness_task = spans("clean", ex.clean_witness_task, lambda bundle, task, *_: "clean " + task.key)
    for mod, name in (("pipeline.collate", "collations"), ("pipeline.collate", "prepare"),
                      ("pipeline.collate.writers", "report_files"), ("pipeline.report", "build_reports"),
                      *([] if hasattr(_outputs, "Staging") else [("pipeline.outputs", "write_files")]),
                      ("pipeline.commands.run", "_fork_pool")):
        import importlib
        m = importlib.import_module(mod)
        setattr(m, name, spans(name, getattr(m, name)))
    for s in stages_of(Resources(__import__("pathlib").Path(sys.argv[1]))):
        st.REGISTRY[s.name] = dataclasses.replace(s, run=spans("stage " + s.name, st.REGISTRY[s.name].run))
    if hasattr(_outputs, "Staging"):  # the commit is the run's last write (write_files' place in the tail)
        _outputs.Staging.commit = spans("write_files", _outputs.Staging.commit)
        _outputs.Staging.stage = spans("staged early", _outputs.Staging.stage)
    from concurrent.futures import ProcessPoolExecutor
    submit = ProcessPoolExecutor.submit
    def logged_submit(self, fn, *a, **k):  # when this process hands a collation to a worker
        if getattr(fn, "__name__", "") == "collation_task":
            with open(sys.argv[3], "a") as f:
                f.write(json.dumps([os.getpid(), "collation sent", time.perf_counter() - T0w, time.perf_counter() - T0w,
                                    0.0, time.process_time()]) + "\n")
        return submit(self, fn, *a, **k)
    ProcessPoolExecutor.submit = logged_submit
rc = pipeline.cli.main(["--root", sys.argv[1], "run", "--force", "--quiet", "--jobs", sys.argv[2]])
if len(sys.argv) > 3:
    with open(sys.argv[3], "a") as f:
        f.write(json.dumps([os.getpid(), "end", 0.0, time.perf_counter() - T0w, 0.0, time.process_time()]) + "\n")
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


def one_run(project: Path, tree: Path = ROOT, jobs: int = 1, timeline: Path | None = None) -> dict:
    w = time.perf_counter()
    before = os.times()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(tree), str(Path(__file__).resolve().parent))))
    out = subprocess.run([sys.executable, "-c", CHILD, str(project), str(jobs), *([str(timeline)] if timeline else [])],
                         capture_output=True, text=True, cwd=tree, env=env)
    after = os.times()
    wall = time.perf_counter() - w
    if out.returncode:
        sys.exit(f"run failed: {out.stderr.strip()[-500:]}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("PHASES "))
    phases = json.loads(line[7:])
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    phases["whole process"] = [wall, cpu]
    return phases


def show_timeline(paths: list[Path]) -> None:
    """Each process's spans in the last run (wall from the start, CPU seconds); over every run, the
    CPU of each witness's cleaning and of each process, and the run's critical path on two idle
    cores estimated from the processes' CPU clocks (a shared machine stretches the wall times): the
    run's process up to the collation's results, the worker's collation (it starts when the worker
    is free and this process has sent it), then the run's tail: the collation's reports the worker
    makes beside the reports this process makes, then the writes. Medians over the runs."""
    runs = [[json.loads(x) for x in p.read_text().splitlines()] for p in paths if p.exists()]
    rows = runs[-1]
    pids = _pids(rows)
    for n, pid in enumerate(pids):
        print("the run's process" if n == 0 else f"worker {n}")
        for r in sorted((r for r in rows if r[0] == pid), key=lambda r: r[2]):
            if not (r[1].startswith("stage ") and r[4] < 0.03):
                print(f"  {r[2]:6.2f} - {r[3]:6.2f} s wall  {r[4]:5.2f} s CPU  {r[1]}")
    found = [_critical_path(r) for r in runs]
    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    print(f"CPU seconds, median of {len(runs)} run(s):")
    names = sorted({r[1] for rs in runs for r in rs if r[1].startswith("clean ")})
    for name in names:
        print(f"  {name:36} {med([sum(r[4] for r in rs if r[1] == name) for rs in runs]):5.2f}")
    for key, what in (("fork", "the run's process before the fork"), ("main", "the run's process in all"),
                      ("worker", "the worker in all"), ("busy", "the worker cleaning before its collation"),
                      ("collation", "the worker's collation"), ("theirs", "its reports in the worker"),
                      ("tail", "this process after the collation's results (reports, writes)")):
        xs = [f[key] for f in found if key in f]
        if xs:
            print(f"  {what:62} {med(xs):5.2f}")
    est = [f["estimate"] for f in found if "estimate" in f]
    if est:
        f = found[-1]
        print(f"estimated wall on two idle cores: median {med(est):.2f} s, best {min(est):.2f} s (last run: collation "
              f"from {f['start']:.2f} to {f['start'] + f['collation']:.2f} s, this process's own work up to the "
              f"collation's results {f['main'] - f['tail']:.2f} s)")


def _pids(rows: list) -> list[int]:
    return sorted({r[0] for r in rows}, key=lambda p: min(r[2] for r in rows if r[0] == p))


def _critical_path(rows: list) -> dict:
    """One run's CPU figures (see show_timeline), and its critical path on two idle cores."""
    pids = _pids(rows)
    main = [r for r in rows if r[0] == pids[0]]
    out = {"main": next(r[5] for r in main if r[1] == "end")}
    out["tail"] = tail = sum(r[4] for r in main if r[1] in ("report_files", "build_reports", "write_files"))
    fork = next((r[5] for r in main if r[1] == "_fork_pool"), None)
    if fork is not None:
        out["fork"] = fork
    for pid in pids[1:]:
        mine = sorted((r for r in rows if r[0] == pid), key=lambda r: r[2])
        out["worker"] = max(r[5] for r in mine)  # its CPU clock at its last span's end (a forked child's starts at 0)
        coll = next((r for r in mine if r[1] == "collations"), None)
        if coll is None or fork is None:
            continue
        busy = sum(r[4] for r in mine if (r[1].startswith("clean ") or r[1] == "prepare") and r[2] < coll[2])
        sent = next((r[5] for r in main if r[1] == "collation sent"), 0.0)  # this process's CPU clock then
        start = max(fork + busy, sent)
        # after the collation: the worker's reports of it beside this process's own, then the writes
        theirs = sum(r[4] for r in mine if r[1] == "report_files" and r[2] >= coll[3])
        write = sum(r[4] for r in main if r[1] == "write_files")
        after = max(tail - write, theirs) + write
        out.update(busy=busy, collation=coll[4], theirs=theirs, start=start, sent=sent,
                   estimate=max(out["main"] - tail, start + coll[4]) + after)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min", action="store_true",
                    help="the fastest run per phase instead of the median (a shared machine's noise only adds)")
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose pipeline runs (default: this one)")
    ap.add_argument("--jobs", type=int, default=1, help="edition run --jobs (default 1: every stage in the timed process; "
                    "0: as `edition run` chooses)")
    ap.add_argument("--timeline", action="store_true", help="also what each process does when, in the last run "
                    "(with --jobs 0: the workers), and the critical path on two idle cores from their CPU clocks")
    a = ap.parse_args()
    from run_ab import compile_tree  # the checkout's bytecode, as `make install` writes it (run_ab's doc)
    compile_tree(a.tree.resolve())
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp))
        runs, loads = [], []
        for k in range(a.repeat):
            loads.append(os.getloadavg()[0])
            line = Path(tmp) / f"timeline-{k}.jsonl"
            runs.append(one_run(project, a.tree.resolve(), a.jobs, line if a.timeline else None))
        if a.timeline:
            show_timeline([Path(tmp) / f"timeline-{k}.jsonl" for k in range(a.repeat)])
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
