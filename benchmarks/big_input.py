"""Benchmark: one very large witness through `edition run` — time and peak memory.

    .venv/bin/python benchmarks/big_input.py              # 10 MB and 100 MB (minutes)
    .venv/bin/python benchmarks/big_input.py --mb 10      # one size
    .venv/bin/python benchmarks/big_input.py --mb 10 --lang ru
    .venv/bin/python benchmarks/big_input.py --mb 100 --varied   # nothing repeats

A project in a temporary folder holds one witness made of the real raw texts repeated
(English: the Dreadnought serial; Russian: Kollontai's pamphlet) to the size asked, with
their real damage (hard wraps, hyphens, page furniture). `edition run --quiet` runs in a
new process; the figures are its wall time, its CPU seconds (the machine may be shared) and
its peak resident memory (ru_maxrss of the child). Growth: time per MB at each size
(super-linear growth shows as a rising figure).

`--varied`: the witness never repeats itself. It is made of 1 MB books from
benchmarks/scale.py (the corpus's clean paragraphs shuffled, typeset with hyphens and
running heads, and damaged afresh by the learned OCR error model), so the distinct
garbles keep growing with the size, as in a real archive, and no per-word result
computed once is met again for free. Measured (English, a shared 2-core machine): peak
RSS 462 / 739 / 1,295 MB at 3 / 10 / 30 MB (main before detect's windows: 527 / 998 / 2,018),
CPU 87 / 230 / 562 s; the slope 10 -> 30 MB is 28 MB per MB (was 51).
Detect's token columns, bigrams and bounded queries (branch memory4) cut detect's own peak,
measured in one process (the witness made in it, then `edition run`): 10 MB 520 -> 454 MB
(the whole run 539 -> 494 MB); the process's peak is then the run's last steps (the detect
edits applied, the change log, the run cache's pickle). In a fresh process as here: 3 MB
323 -> 325 MB, 10 MB 523 -> 546 MB, 30 MB 988 -> 868 MB (CPU 556 -> 655 s, the second under
heavier load; one run each; heap layout varies from run to run): the slope 10 -> 30 MB is
23 -> 16 MB per MB.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.rules import load_rule_file  # noqa: E402
SOURCES = {"en": "kollontai-en-dreadnought.txt", "ru": "kollontai-ru.txt"}


def make_project(folder: Path, mb: float, lang: str, varied: bool = False) -> Path:
    for sub in ("config", "rules"):
        shutil.copytree(ROOT / sub, folder / sub)
    for f in (folder / "rules").glob("*.toml"):  # a rule scoped to a witness this project lacks is refused
        if f.name != "names.toml" and any(set(r.spec.scope) - {"*", "en", "ru"} for r in load_rule_file(f)):
            f.unlink()
    policy = folder / "config" / "policy.toml"
    lines, keep = [], True
    for line in policy.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.lstrip().startswith("["):
            keep = not line.strip().strip("[]").startswith("witness.")
        if keep:
            lines.append(line)
    policy.write_text("".join(lines), encoding="utf-8")
    (folder / "raw").mkdir()
    unit = (ROOT / "raw" / SOURCES[lang]).read_bytes()
    size = int(mb * 1_000_000)
    with open(folder / "raw" / "big.txt", "wb") as f:
        written = 0
        for chunk in _varied(lang) if varied else iter(lambda: unit, None):
            if written >= size:
                break
            f.write(chunk)
            written += len(chunk)
    (folder / "raw" / "witnesses.toml").write_text(
        f'[[witness]]\nid = "big"\nfile = "big.txt"\nlanguage = "{lang}"\nwork = "big"\nrole = "original"\n',
        encoding="utf-8")
    return folder


def _varied(lang: str):
    """1 MB books, each typeset and damaged anew (benchmarks/scale.py), without end."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import random

    import scale
    rng, paras, noise = random.Random(7), scale.paragraphs(lang), scale.Noise(lang)
    n = 0
    while True:
        n += 1
        yield scale.book(paras, noise, 1_000_000, rng, f"part {n}").encode("utf-8")


def run(mb: float, lang: str, varied: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="edition-big-") as tmp:
        root = make_project(Path(tmp), mb, lang, varied)
        size = (root / "raw" / "big.txt").stat().st_size
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "--root", str(root), "run", "--quiet"],
                              capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - t
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = usage.ru_maxrss  # KB; the largest child so far
        cpu = usage.ru_utime + usage.ru_stime - cpu0  # the machine may be shared: CPU beside wall
        out = {"lang": lang, "varied": varied, "mb": size / 1e6, "seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
               "peak_rss_mb": round(peak / 1024),
               "exit": proc.returncode, "s_per_mb": round(elapsed / (size / 1e6), 2)}
        if peak <= before:
            out["peak_rss_mb"] = f"<= {round(before / 1024)} (an earlier run was larger)"
        if proc.returncode:
            out["stderr"] = proc.stderr.strip()[-300:]
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs="*", default=[10, 100])
    ap.add_argument("--lang", choices=["en", "ru"], default="en")
    ap.add_argument("--varied", action="store_true", help="a witness that never repeats itself (see above)")
    args = ap.parse_args()
    for mb in sorted(args.mb):  # smallest first: ru_maxrss of children only grows
        print(run(mb, args.lang, args.varied), flush=True)


if __name__ == "__main__":
    main()
