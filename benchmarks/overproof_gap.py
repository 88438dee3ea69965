#!/usr/bin/env python3
"""Which misread words does Overproof's corrector fix that detect leaves? (overproof_smh_dev)

Every document's text before detect is aligned with its gold (benchmarks/error_classes.py's
error units and classes); the Overproof system's output (overproof_output/) and ours after
detect are aligned with the same gold. An error unit is fixed by a system when every gold
word of the unit is matched equal in that system's alignment (and the unit has gold words).
Printed: per class, the units each fixes, those Overproof fixes and we leave (with examples),
and the reverse.

    .venv/bin/python benchmarks/overproof_gap.py [--cache /tmp/pre.pickle] [--examples 12]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
import error_classes  # noqa: E402
from pipeline.context import Resources  # noqa: E402
from pipeline.correct.align import align, tokens  # noqa: E402
from pipeline.stages import detect  # noqa: E402

SET = "overproof_smh_dev"


def right_gold(text: str, gold_words: list[str]) -> set[int]:
    """The gold word indexes a text has right (equal in the word alignment, as measure.py compares: case kept)."""
    ow = [m.group() for m in tokens(text)]
    return {k for u in align(ow, gold_words) if u.equal for k in range(u.g0, u.g1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--examples", type=int, default=12)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    res = Resources(ROOT)
    pre = correction.cached_pre_detect(res, args.cache, args.limit)
    st = detect.Settings.of(error_classes._ctx(res))
    counts: Counter = Counter()
    theirs_only = defaultdict(list)
    ours_only = defaultdict(list)
    for _k, name, text, gold in pre[SET][:args.limit] if args.limit else pre[SET]:
        gold = error_classes.HYPHEN_BREAK.sub(r"\1", gold)
        op = (correction.SHARED / SET / "overproof_output" / name).read_text(encoding="utf-8")
        op = error_classes.HYPHEN_BREAK.sub(r"\1", op)
        r, post = correction.run_detect(res, text)
        g = [m.group() for m in tokens(gold)]
        units = align([m.group() for m in tokens(text)], g)
        theirs, ours = right_gold(op, g), right_gold(post, g)
        bad = [u for u in units if not u.equal]
        classes = error_classes.classify_doc(text, gold, r, res, st)
        for u, (c, _fate, ex) in zip(bad, classes):
            if u.g1 == u.g0:
                continue
            t = all(k in theirs for k in range(u.g0, u.g1))
            o = all(k in ours for k in range(u.g0, u.g1))
            counts[c] += 1
            counts[(c, "theirs")] += t
            counts[(c, "ours")] += o
            if t and not o:
                counts[(c, "gap")] += 1
                theirs_only[c].append(ex)
            if o and not t:
                counts[(c, "ahead")] += 1
                ours_only[c].append(ex)
    print(f"{'class':<14} {'units':>6} {'Overproof':>9} {'ours':>6} {'only theirs':>11} {'only ours':>9}")
    for c in error_classes.CLASSES:
        if counts[c]:
            print(f"{c:<14} {counts[c]:>6} {counts[(c, 'theirs')]:>9} {counts[(c, 'ours')]:>6} "
                  f"{counts[(c, 'gap')]:>11} {counts[(c, 'ahead')]:>9}")
    tot = {k: sum(counts[(c, k)] for c in error_classes.CLASSES) for k in ("theirs", "ours", "gap", "ahead")}
    print(f"{'all':<14} {sum(counts[c] for c in error_classes.CLASSES):>6} {tot['theirs']:>9} {tot['ours']:>6} "
          f"{tot['gap']:>11} {tot['ahead']:>9}")
    for c in error_classes.CLASSES:
        if theirs_only[c]:
            print(f"\nonly Overproof fixes, {c}: " + " | ".join(theirs_only[c][:args.examples]))
        if ours_only[c]:
            print(f"only we fix, {c}: " + " | ".join(ours_only[c][:args.examples // 2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
