#!/usr/bin/env python3
"""Which misread words does Overproof's corrector fix that detect leaves? (overproof_smh_dev)

Every document's text before detect is aligned with its gold (benchmarks/error_classes.py's
error units and classes); the Overproof system's output (overproof_output/) and ours after
detect are aligned with the same gold. An error unit is fixed by a system when every gold
word of the unit is matched equal in that system's alignment (and the unit has gold words).
Printed: per class, the units each fixes, those Overproof fixes and we leave (with examples),
and the reverse.

`--why`: for each such unit Overproof fixes and we leave, one reading (one OCR word) at a time, what detect's
weighing said (detect.DECISIONS): no decision (never weighed, or a real word kept), the gold word ranked first
but held back (by the calibration: below the rule's threshold; by a safeguard: a name, ASK, a capital, the raw
posterior), or another word ranked first (the gold word's rank among the hypotheses, or no hypothesis); and
which query covers the reading in the end (detect.stretch, the word's own, another, none). Per class, counted,
with examples (reading -> gold: first-ranked P / calibrated).

    .venv/bin/python benchmarks/overproof_gap.py [--cache /tmp/pre.pickle] [--examples 12] [--why]
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
    ap.add_argument("--why", action="store_true", help="what detect's weighing said of the units only Overproof fixes")
    args = ap.parse_args()
    why: Counter = Counter()
    why_ex = defaultdict(list)
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
        detect.DECISIONS = [] if args.why else None
        r, post = correction.run_detect(res, text)
        decided = {d[0]: d for d in detect.DECISIONS or ()}
        detect.DECISIONS = None
        judge = _Judge(text, res, st) if args.why else None
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
                if args.why:
                    o = tokens(text)
                    for k in range(u.o0, u.o1):
                        gw = g[u.g0 + (k - u.o0)] if u.o1 - u.o0 == u.g1 - u.g0 else None
                        if gw is None or o[k].group() == gw:
                            continue
                        cat, note = _why(o[k], gw, decided.get(o[k].start()), r.queries, judge)
                        why[(c, cat)] += 1
                        why_ex[(c, cat)].append(f"{o[k].group()}->{gw}{note}")
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
    if args.why:
        print("\nwhy we leave what only Overproof fixes (per reading; covered by: the query on it in the end)")
        for c in error_classes.CLASSES:
            cats = sorted((k[1] for k in why if k[0] == c), key=lambda x: -why[(c, x)])
            for cat in cats:
                print(f"{c:<14} {why[(c, cat)]:>5}  {cat:<40} " + " | ".join(why_ex[(c, cat)][:args.examples]))
    return 0


class _Judge:
    """Why detect decided nothing at a reading: its verdict (detect._judge) and first weighing, as printed."""

    def __init__(self, text: str, res, st):
        self.ctx = error_classes._ctx(res)
        self.st = st
        self.wt = detect._Witness(text, self.ctx, st)
        self.names = detect._name_index(self.ctx)

    def __call__(self, tok, gold: str) -> tuple[str, str]:
        import bisect
        wt = self.wt
        i = bisect.bisect_left(wt.tokens.starts, tok.start())
        if i >= len(wt.tokens.starts) or wt.tokens.starts[i] != tok.start():
            return "not a token of detect", ""
        w = wt.tokens.forms[wt.tokens.ids[i]]
        if detect._skip(w):
            return "skipped form", ""
        initial = w[:1].isupper() and detect._initial(wt.text, tok.start())
        v = detect._judge(w, initial, wt, self.names, self.ctx, self.st)
        if v is None:
            return "not judged (a word, no variant)", ""
        if len(v) == 4:
            return f"plain query {v[0]}", ""
        kind, base, _suffix, cands, protected, _z = v
        if gold.lower() not in cands:
            return f"{kind} gold no candidate", f" ({len(cands)} cands)"
        post = detect._weigh(i, v, wt, self.st)
        if post is None:
            return f"{kind} unweighed", ""
        if post[0] is detect.KEPT[0]:
            return f"{kind} kept (reading outscores all)", ""
        d = dict(post[0])
        return f"{kind} weighed, first {post[0][0][0] or '(reading)'}", f" (gold {d.get(gold.lower(), 0):.2f})"


def _why(tok, gold: str, d, queries, judge=None) -> tuple[str, str]:
    """(category, note) of one reading only Overproof fixes: detect's decision there (DECISIONS row) and
    the query covering it."""
    a, b = tok.start(), tok.end()
    cover = [q for q in queries if q.start < b and q.end > a and q.rule.startswith("detect.")]
    by = ("stretch" if any(q.rule == "detect.stretch" for q in cover) else
          "own" if any(q.start >= a and q.end <= b for q in cover) else "merged" if cover else "none")
    if d is None:
        cat, note = judge(tok, gold) if judge is not None else ("", "")
        return f"undecided: {cat} / q:{by}", note
    _start, base, kind, best, p, score, auto, protected, bar, post = d
    gl = gold.lower()
    if best.lower() == gl:
        if auto:
            return f"{kind} first, fixed (case?) / q:{by}", ""
        if protected in (True, "ask", "capital"):
            held = f"held: protected {protected}"
        elif p < 0.5:
            held = "held: raw P < auto_min"
        elif score < bar:
            held = "held: calibrated < bar"
        else:
            held = "held: safeguard"
        return f"{kind} first, {held} / q:{by}", f" ({p:.2f}/{score:.2f})"
    ranks = [h for h, _ in post if h]
    rank = next((n for n, h in enumerate(ranks) if h == gl), None)
    first = best or "(kept)"
    return (f"{kind} other first, gold {'rank ' + str(rank + 1) if rank is not None else 'no hypothesis'} / q:{by}",
            f" ({first} {p:.2f})")


if __name__ == "__main__":
    raise SystemExit(main())
