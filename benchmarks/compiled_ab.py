#!/usr/bin/env python3
"""Would compiling detect's hot modules make it faster? Cython's pure-Python mode, measured.

Two copies of this checkout are made side by side in a temporary folder (with `shared` beside
them, as ../shared is beside the checkout): one as it is, one with `pipeline/stages/detect.py`
and every `pipeline/correct/*.py` cythonized unchanged (`annotation_typing=False`: Python's
semantics exactly; the default would type the annotated arguments and refuse a Counter passed
where a dict is annotated) and built in place with gcc -O2 (the .so beside each .py, which Python
imports first). Then:

1. `detect_speed.py --hash` in both copies: the ALL hashes must be equal (a compiled module
   must compute the same thing);
2. `detect_speed.py --icdar` alternated, pure then compiled, `--rounds` times: detect's CPU
   seconds and the whole pipeline's, each run with the 1-minute load beside it.

    .venv/bin/pip install 'cython>=3.0'                  # the optional extra 'compile'
    .venv/bin/python benchmarks/compiled_ab.py --rounds 3

The build takes 2-2.5 min of CPU (16 modules, ~20 MB of C). Measured (Cython 3.3.1, CPython 3.11.7,
2 shared cores, load 2-6, 2026-12): detect on ICDAR 11.54 s CPU pure vs 10.54 s compiled (this script,
3 alternated pairs: 1.08, 1.08, 1.13x) and 12.07 vs 10.88 s in 3 pairs by hand (1.08, 1.06, 1.21x); the whole
`--hash --all` run (251 dev files, every stage) 16.0 vs 14.9 s CPU (1.08x); the same hashes, on all 251 files
(f68f08e8d5795a8e).

mypyc, tried by hand in a copy (not kept): it compiles detect.py and six correct/ modules (accents,
capitals, context, document, spaces, stretches) only after changes: the tuple subclasses made non-native
classes, a generator over a bytearray and the nested lru_cache'd functions of context.py rewritten (the
latter compiled to an UnboundLocalError), the annotations behind mypy's 34 errors loosened and 15
`-> bool` returns that give ints made Any (the compiled code enforces them: a _Bigrams passed as a dict,
None stored where a _Lows is declared, an int returned as bool are TypeErrors at run time); the other correct/ modules do not build (mypyc's C for the pydantic models
fails to compile; a class defined in a try; an unannotated local). Built, the same hashes, and detect
1.00x (3 alternated pairs, 0.99-1.03x), `--hash --all` 1.07x. Neither is near the 1.3x that would pay for
a compiled build. Probably because the time is mostly in the calls detect makes (dicts, strings, regex,
the DAWG lookups, lru_cache: C already), which a compiler does not make cheaper, and CPython 3.11's
specialising interpreter already saves much of what compiling untyped Python saves.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.so", "*.c", "clean", "reports", ".hypothesis",
                                ".pytest_cache", "build")

BUILD = """
import glob
from setuptools import Extension, setup
mods = [p[:-2] for p in sorted(glob.glob("pipeline/correct/*.c")) + ["pipeline/stages/detect.c"]]
setup(name="compiled-ab", script_args=["build_ext", "--inplace", "--build-temp", "build"],
      ext_modules=[Extension(m.replace("/", "."), [m + ".c"], extra_compile_args=["-O2"]) for m in mods])
"""


def hot_modules(tree: Path) -> list[Path]:
    return [tree / "pipeline" / "stages" / "detect.py"] + sorted(
        p for p in (tree / "pipeline" / "correct").glob("*.py") if p.name != "__init__.py")


def build(tree: Path) -> None:
    from Cython.Build import cythonize
    cythonize([str(p) for p in hot_modules(tree)], language_level=3, quiet=True,
              compiler_directives={"annotation_typing": False})
    subprocess.run([sys.executable, "-c", BUILD], cwd=tree, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    missing = [p for p in hot_modules(tree) if not list(p.parent.glob(p.stem + ".*.so"))]
    if missing:
        raise SystemExit(f"not built: {', '.join(str(p) for p in missing)}")


def detect_speed(tree: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "benchmarks/detect_speed.py", *args], cwd=tree, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    return out.stdout


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="alternated pairs of --icdar runs (default 3)")
    args = ap.parse_args()
    try:
        import Cython
    except ImportError:
        print("Cython is not installed: .venv/bin/pip install 'cython>=3.0'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="compiled_ab_") as tmp:
        top = Path(tmp)
        (top / "shared").symlink_to(ROOT.parent / "shared")
        trees = {"pure": top / "pure", "compiled": top / "compiled"}
        for tree in trees.values():
            shutil.copytree(ROOT, tree, ignore=IGNORE, symlinks=True)
        print(f"Cython {Cython.__version__}: building {len(hot_modules(trees['compiled']))} modules ...", flush=True)
        build(trees["compiled"])
        alls = {k: detect_speed(t, "--hash").splitlines()[-1].split()[0] for k, t in trees.items()}
        print(f"--hash ALL: pure {alls['pure']}, compiled {alls['compiled']}"
              + ("" if alls["pure"] == alls["compiled"] else "  DIFFERENT"))
        cpu: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
        for r in range(1, args.rounds + 1):
            for k, tree in trees.items():
                before = load()
                out = detect_speed(tree, "--icdar")
                whole = float(re.search(r"\(([\d.]+) s CPU", out).group(1))
                det = float(re.search(r"by stage \(s CPU\):.*detect ([\d.]+)", out).group(1))
                cpu[k].append((det, whole))
                print(f"  {k:<9} round {r}: detect {det:6.2f} s CPU, whole {whole:6.2f} s CPU  (load {before})",
                      flush=True)
        mean = {k: (sum(d for d, _ in v) / len(v), sum(w for _, w in v) / len(v)) for k, v in cpu.items()}
        pairs = [p[0] / c[0] for p, c in zip(cpu["pure"], cpu["compiled"])]
        print(f"mean detect CPU: pure {mean['pure'][0]:.2f} s, compiled {mean['compiled'][0]:.2f} s = "
              f"{mean['pure'][0] / mean['compiled'][0]:.2f}x (pairs {', '.join(f'{x:.2f}' for x in pairs)}); "
              f"whole pipeline {mean['pure'][1]:.2f} vs {mean['compiled'][1]:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
