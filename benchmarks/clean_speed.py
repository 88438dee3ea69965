"""Benchmark: how fast the cleanup runs, and how its time grows with the input.

    .venv/bin/python benchmarks/clean_speed.py            # all measurements (about a minute or two)
    .venv/bin/python benchmarks/clean_speed.py --quick    # 5 MB instead of 50 MB

1. The five witnesses (~400 KB) end to end, in a fresh process (lexicons loaded
   once, as in `edition run`), and again warm.
2. A synthetic corpus of the same kind of text: the raw witnesses, copied with
   seeded damage (words swapped between copies, extra page breaks), in files of
   ~400 KB, 5 MB and 50 MB in all: throughput in MB/s on one core.
3. Growth within one document: 1 MB and 10 MB single files (10x input should cost
   at most 11x time).

Only the cleanup stages are timed by default (decode ... typography); --all adds
rules, names and detect.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.witnesses import load_corpus  # noqa: E402

CLEANUP = ["decode", "layout", "notes", "hyphenation", "spacing", "typography"]


def resources(all_stages: bool) -> Resources:
    res = Resources(ROOT)
    if not all_stages:
        res.config = {**res.config, "stages": CLEANUP}  # cached_property: an instance attribute overrides it
    return res


def synthetic_files(total_bytes: int, seed: int = 7) -> list[tuple[str, str]]:
    """Raw-like texts of the corpus's kind, about `total_bytes` UTF-8 bytes in all."""
    corpus = load_corpus(ROOT / "raw")
    raws = [(w.language, (ROOT / "raw" / w.file).read_text(encoding="utf-8")) for w in corpus.witnesses]
    rng = random.Random(seed)
    out, size = [], 0
    while size < total_bytes:
        lang, raw = raws[len(out) % len(raws)]
        lines = raw.split("\n")
        # seeded damage: swap a few words between lines, insert a page break or two
        for _ in range(20):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            a, b = lines[i].split(" "), lines[j].split(" ")
            if len(a) > 2 and len(b) > 2:
                x, y = rng.randrange(len(a)), rng.randrange(len(b))
                a[x], b[y] = b[y], a[x]
                lines[i], lines[j] = " ".join(a), " ".join(b)
        k = rng.randrange(len(lines))
        lines[k:k] = ["", "", ""]
        text = "\n".join(lines)
        out.append((lang, text))
        size += len(text.encode("utf-8"))
    return out


def clean_all(files: list[tuple[str, str]], res: Resources) -> float:
    t = time.perf_counter()
    for i, (lang, text) in enumerate(files):
        w = Witness(id=f"syn-{i}", file="-", language=lang, work="syn", role="original")
        clean_witness(text, w, res)
    return time.perf_counter() - t


def megabytes(files: list[tuple[str, str]]) -> float:
    return sum(len(t.encode("utf-8")) for _, t in files) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--all", action="store_true", help="time every stage, not only the cleanup stages")
    args = ap.parse_args()
    res = resources(args.all)

    # 1. the corpus, end to end in a fresh process (includes imports and lexicon loading)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "--root", str(ROOT), "clean", "--quiet",
                    *[w.id for w in load_corpus(ROOT / "raw").witnesses]], check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    print(f"corpus, all stages, fresh process (edition clean <5 ids>): {time.perf_counter() - t:.2f} s")
    corpus = load_corpus(ROOT / "raw")
    texts = [(w.language, (ROOT / "raw" / w.file).read_text(encoding="utf-8")) for w in corpus.witnesses]
    clean_all(texts, res)  # warm up lexicons
    warm = min(clean_all(texts, res) for _ in range(3))
    print(f"corpus ({megabytes(texts) * 1000:.0f} KB), {'all' if args.all else 'cleanup'} stages, warm: {warm:.2f} s")

    # 2. throughput on a synthetic corpus
    sizes = [5_000_000] if args.quick else [5_000_000, 50_000_000]
    times = {}
    for size in sizes:
        files = synthetic_files(size)
        secs = clean_all(files, res)
        times[size] = secs
        print(f"synthetic {megabytes(files):.1f} MB in {len(files)} files: {secs:.1f} s = {megabytes(files) / secs:.2f} MB/s")
    if len(times) == 2:
        print(f"  10x the input costs {times[50_000_000] / times[5_000_000]:.2f}x the time")

    # 3. growth inside one long document
    en = (ROOT / "raw" / "kollontai-en-dreadnought.txt").read_text(encoding="utf-8")
    single = {}
    for n in (1_000_000, 10_000_000) if not args.quick else (500_000, 5_000_000):
        text = (en * (n // len(en) + 1))[:n]
        w = Witness(id="long", file="-", language="en", work="long", role="original")
        t = time.perf_counter()
        clean_witness(text, w, res)
        single[n] = time.perf_counter() - t
        print(f"one document of {n / 1e6:.1f} MB: {single[n]:.1f} s")
    a, b = sorted(single)
    print(f"  10x the document costs {single[b] / single[a]:.2f}x the time")


if __name__ == "__main__":
    main()
