"""Benchmark: the fuzz properties on many more (and larger) generated inputs than the test suite.

    .venv/bin/python benchmarks/fuzz.py                    # 5,000 inputs of up to 5 paragraphs x 40 words
    .venv/bin/python benchmarks/fuzz.py -n 500 --paragraphs 2 --words 6

Each input (tests/damage.py: English or Russian prose with hard wraps, hyphens, mojibake,
odd and control characters, markup, CRLF, blank-line runs) goes through the real pipeline;
checked: the change log rebuilds the clean text, the clean text has the DESIGN.md §2 format,
cleaning it again changes nothing, and the same input gives the same log. Prints the count
of failures by property and by the rules that still change a clean text, with examples.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Resources  # noqa: E402
from tests.damage import damaged  # noqa: E402
from tests.test_fuzz import check  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--paragraphs", type=int, default=5)
    ap.add_argument("--words", type=int, default=40)
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    res = Resources(ROOT)
    by_kind: Counter[str] = Counter()
    by_rules: dict[str, list] = defaultdict(list)
    langs: Counter[str] = Counter()
    t = time.perf_counter()
    for seed in range(args.start, args.start + args.n):
        lang, raw = damaged(seed, args.paragraphs, args.words)
        langs[lang] += 1
        bad = check(raw, lang, res, determinism=True)
        if bad:
            by_kind[bad[0]] += 1
            key = bad[0] + (" " + bad[1].split(":")[0] if bad[0].startswith("idempotence") else "")
            by_rules[key].append((seed, lang, bad[1][:200]))
    elapsed = time.perf_counter() - t
    print(f"{args.n} inputs ({dict(langs)}), {elapsed:.1f} s; failing: {sum(by_kind.values())} {dict(by_kind)}")
    for key, cases in sorted(by_rules.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(cases):5d}  {key}")
        for seed, lang, detail in cases[:args.examples]:
            print(f"         seed {seed} ({lang}): {detail}")


if __name__ == "__main__":
    main()
