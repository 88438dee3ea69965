#!/usr/bin/env python3
"""Why is less flagged held out than in-sample? The gap, error unit by error unit, split by what was learned.

For each fold kept by `benchmarks/correction.py --folds 2 --keep DIR`, its held-out documents are run
through detect five times, swapping in one learned part at a time:

    A  in-sample      the shipped model, calibration, query values and config thresholds
    B  model          the fold's OCR model (learned on the other fold), the rest shipped
    C  + calibration  the fold's model and calibration (with its thresholds), the shipped query values
    D  held out       everything the fold learned (what correction.py --folds 2 reports)
    E  shipped model  the shipped model with the fold's calibration, query values and thresholds

and every error unit (a word alignment unit with OCR words, benchmarks/error_classes.py's) gets a fate:
fixed (an automatic edit touches it), queried (a detect query does), dropped (a doubt does, without the
budget, but the budget did not keep it) or left (never doubted). The share flagged (fixed or queried) of
A - B is the part of the gap the model explains, B - C the calibration's, C - D the query values'. The units
flagged in A and not in B are then put in a class by the confusions (learn.segments) that make their reading
of the gold: an accent put on a letter the fold's model lacks, another confusion the fold's model lacks (one
the shipped model has, or none has), or every confusion in the fold's model (its rates differ).

    .venv/bin/python benchmarks/correction.py --folds 2 --cache /tmp/pre.pickle --heldout-only --keep /tmp/folds
    .venv/bin/python benchmarks/heldout_gap.py --cache /tmp/pre.pickle --heldout /tmp/folds

(--heldout-only keeps the folds without the in-sample run. The flagged share here counts units as
error_classes.py does; correction.py's own figure counts a unit's words and may differ by a point.)
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
from error_classes import touched_words  # noqa: E402

from pipeline.context import Resources  # noqa: E402
from pipeline.correct import model as ocr_model  # noqa: E402
from pipeline.correct.align import align, tokens  # noqa: E402
from pipeline.correct.document import accent  # noqa: E402
from pipeline.correct.learn import MAX_SEG, segments  # noqa: E402

CONFIGS = ("A in-sample", "B model", "C + calibration", "D held out", "E shipped model")
FLAGGED = ("fixed", "queried")


def fates(text: str, gold: str, result, doubts) -> dict[tuple[int, int], tuple[str, str, str]]:
    """{(first OCR word, first gold word): (fate, reading, gold words)} of a document's error units."""
    o = tokens(text)
    ow = [m.group() for m in o]
    g = [m.group() for m in tokens(gold)]

    def touched(spans) -> set[int]:
        return touched_words(o, spans)
    fixed = touched([(e.start, e.end) for e in result.edits])
    asked = touched([(q.start, q.end) for q in result.queries if q.rule.startswith("detect.")])
    doubted = touched([(q.start, q.end) for q in doubts if q.rule.startswith("detect.")])
    out = {}
    for u in align(ow, g):
        if u.equal or u.o1 == u.o0:
            continue
        ks = range(u.o0, u.o1)
        fate = "fixed" if any(k in fixed for k in ks) else "queried" if any(k in asked for k in ks) \
            else "dropped" if any(k in doubted for k in ks) else "left"
        out[(u.o0, u.g0)] = (fate, " ".join(ow[u.o0:u.o1]), " ".join(g[u.g0:u.g1]))
    return out


def why(reading: str, gold: str, fold_pairs: set, shipped_pairs: set) -> str:
    """The class of a unit the fold's model lost, by the confusions that make its reading of the gold."""
    segs = segments(gold, reading) if len(gold) <= 40 else []
    if not segs or any(len(m) > MAX_SEG or len(p) > MAX_SEG for m, p in segs):
        return "garbled (no short confusions)"
    missing = [s for s in segs if s not in fold_pairs]
    if any(accent(s) for s in missing):
        return "an accent the fold's model lacks"
    if missing:
        shipped = all(s in shipped_pairs for s in missing)
        return "a confusion the fold's model lacks" + (" (the shipped has it)" if shipped else " (none has)")
    return "every confusion in the fold's model"


def pairs(path: Path) -> set[tuple[str, str]]:
    return {(c["meant"], c["printed"]) for c in json.loads(path.read_text(encoding="utf-8"))["confusions"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=["icdar2017_en"])
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (made if missing)")
    ap.add_argument("--heldout", type=Path, required=True, help="the folds kept by correction.py --keep DIR")
    ap.add_argument("--examples", type=int, default=6)
    args = ap.parse_args()
    base = Resources(ROOT)
    pre = correction.cached_pre_detect(base, args.cache, None)
    shipped = (ocr_model.MODEL_FILE, correction.SHIPPED_CALIBRATION, correction.SHIPPED_VALUES)
    folds = sorted(d for d in args.heldout.iterdir() if (d / "docs.json").exists())
    if not folds:
        raise SystemExit(f"{args.heldout}: no fold kept (benchmarks/correction.py --keep {args.heldout})")
    shipped_pairs = pairs(shipped[0])
    for s in args.sets:
        total: Counter = Counter()
        for d in folds:
            docs = set(json.loads((d / "docs.json").read_text(encoding="utf-8")).get(s, ()))
            thr = json.loads((d / "thresholds.json").read_text(encoding="utf-8"))
            mine = (d / "ocr_model.json", d / "ocr_calibration.json", d / "query_value.json")
            setups = {"A in-sample": (shipped, {}), "B model": ((mine[0], *shipped[1:]), {}),
                      "C + calibration": ((*mine[:2], shipped[2]), thr), "D held out": (mine, thr),
                      "E shipped model": ((shipped[0], *mine[1:]), thr)}
            got: dict[str, dict] = {}
            for name in CONFIGS:
                files, over = setups[name]
                correction.use_data(*files)
                res = correction.configured(base, **over) if over else base
                alone = correction.configured(res, max_queries=1e9, merge_gap=-1)
                got[name] = {}
                for _s, doc, text, gold in pre[s]:
                    if doc in docs:
                        r, _ = correction.run_detect(res, text)
                        for k, v in fates(text, gold, r, correction.run_detect(alone, text)[0].queries).items():
                            got[name][(doc, k)] = v
            correction.use_data(*shipped)
            n = len(got["A in-sample"])
            print(f"\n== {s}, {d.name}: {len(docs)} documents, {n} error units")
            for name in CONFIGS:
                fl = sum(v[0] in FLAGGED for v in got[name].values())
                total[name] += fl
                fate = Counter(v[0] for v in got[name].values())
                print(f"  {name:<16} flagged {100 * fl / max(1, n):5.1f} %  " +
                      " ".join(f"{f} {100 * fate[f] / max(1, n):.1f}" for f in ("fixed", "queried", "dropped", "left")))
            total["#units"] += n
            fold_pairs = pairs(d / "ocr_model.json")
            lost: Counter = Counter()
            shown: dict[str, list[str]] = {}
            a, b = got["A in-sample"], got["B model"]
            for k, (fate, reading, gold) in a.items():
                if fate in FLAGGED and b[k][0] not in FLAGGED:
                    c = f"{why(reading, gold, fold_pairs, shipped_pairs)}, {b[k][0]}"
                    lost[c] += 1
                    shown.setdefault(c, []).append(f"{reading} -> {gold}")
            gained = sum(v[0] in FLAGGED and a[k][0] not in FLAGGED for k, v in b.items())
            print(f"  flagged in A, not in B (the fold's model): {sum(lost.values())}; in B, not in A: {gained}")
            for c, m in lost.most_common():
                print(f"    {c:<58} {m:>5} {100 * m / max(1, n):4.1f} pts  " + " | ".join(shown[c][:args.examples]))
        n = max(1, total["#units"])
        share = {name: 100 * total[name] / n for name in CONFIGS}
        print(f"\n== {s}, every fold: {total['#units']} error units; flagged " +
              ", ".join(f"{name} {share[name]:.2f} %" for name in CONFIGS))
        print(f"  gap A - D {share['A in-sample'] - share['D held out']:.2f} points: the model "
              f"{share['A in-sample'] - share['B model']:.2f}, the calibration "
              f"{share['B model'] - share['C + calibration']:.2f}, the query values "
              f"{share['C + calibration'] - share['D held out']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
