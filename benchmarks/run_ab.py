#!/usr/bin/env python3
"""`edition run --force` of two checkouts, back to back: the whole process from a cold shell
(a new interpreter each time), wall and CPU seconds (the process and its workers: user + system)
and peak memory (the largest process's), alternating old and new so that both see the same
neighbours; the best of N of each, the 1-minute load average beside every run.

    .venv/bin/python benchmarks/run_ab.py --old /tmp/base            # this checkout is the new one
    .venv/bin/python benchmarks/run_ab.py --old /tmp/base --repeat 7 --json

Each run is made in its own copy of this project (raw/, config/, rules/, review/), so neither
checkout's clean/ and reports/ are touched; the copies' outputs are compared at the end (a
pure speed-up leaves them byte-identical). Both checkouts run with this interpreter (its
libraries), each with its own code first on the path. On a busy machine the wall times mean
little; the CPU times and the comparison of alternated runs still do. Both checkouts' code is
compiled first (`python -m compileall`, as `make install` does): a checkout without its bytecode
(a `git archive`, where the shell sets PYTHONDONTWRITEBYTECODE) would compile every module again
in every run: 0.22-0.25 s of CPU (importing every module of pipeline/) that is not the code's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_tree(tree: Path) -> None:
    """The checkout's bytecode written, as `make install` writes it (see the module doc)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "pipeline")], check=True,
                   stdout=subprocess.DEVNULL)


def one_run(tree: Path, project: Path) -> dict:
    """One `python -m pipeline --root PROJECT run --force --quiet` with `tree`'s code."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    load = os.getloadavg()[0]
    w = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--root", str(project), "run", "--force", "--quiet"],
                                cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this run's own usage (its workers' included)
        wall = time.perf_counter() - w
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            sys.exit(f"{tree}: run failed: {err.read().decode(errors='replace').strip()[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "load": load}


def outputs(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for sub in ("clean", "reports")
            for p in sorted((project / sub).rglob("*")) if p.is_file()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, required=True, help="the checkout to compare with (e.g. a `git archive` of main)")
    ap.add_argument("--new", type=Path, default=ROOT, help="default: this checkout")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    trees = {"old": a.old.resolve(), "new": a.new.resolve()}
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for tree in trees.values():
        compile_tree(tree)
    with tempfile.TemporaryDirectory() as tmp:
        projects = {}
        for name in trees:
            projects[name] = Path(tmp) / name
            for sub in ("raw", "config", "rules", "review"):
                if (ROOT / sub).is_dir():
                    shutil.copytree(ROOT / sub, projects[name] / sub)
        for _ in range(a.repeat):
            for name, tree in trees.items():
                runs[name].append(one_run(tree, projects[name]))
        same = outputs(projects["old"]) == outputs(projects["new"])
    best = {name: {"wall": min(r["wall"] for r in rs), "cpu": min(r["cpu"] for r in rs),
                   "peak_mb": min(r["peak_mb"] for r in rs)} for name, rs in runs.items()}
    if a.json:
        print(json.dumps({"runs": runs, "best": best, "same_outputs": same}, indent=1))
        return 0
    print(f"edition run --force, {a.repeat} runs each, alternated (old: {trees['old']}, new: {trees['new']})")
    for k in range(a.repeat):
        print("  " + "   ".join(f"{name} {runs[name][k]['wall']:5.2f} s wall {runs[name][k]['cpu']:5.2f} s CPU "
                                 f"(load {runs[name][k]['load']:.2f})" for name in trees))
    for name in trees:
        b = best[name]
        print(f"best {name}: {b['wall']:.2f} s wall, {b['cpu']:.2f} s CPU, peak {b['peak_mb']:.0f} MB")
    print("clean/ and reports/ " + ("identical" if same else "DIFFER"))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
