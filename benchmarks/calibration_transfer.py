#!/usr/bin/env python3
"""Does a calibration fitted on some prints judge an unseen print's corrections well? Offline, by fold.

benchmarks/correction.py --folds 2 answers it for the shipped features, in ~8 minutes a try. This one answers
it for variants of the features in seconds a try, once the corrections are collected: for each fold, the
fold's OCR model (pipeline/correct/learn.py --fold F, learned on the fold's sources) makes every correction
the safeguards allow from a raw posterior of [detect] auto_min_posterior (correction.py's calibration run) on
EVERY document, each right or wrong by the gold; then per variant the calibration is fitted on the fold's
sources (calibrate.choose_knots, fit_kinds; each rule's threshold by calibrate.pick_band from out-of-fold
scores, as correction.py chooses it) and the other sources' corrections are scored with it.

A variant holds some features at 0 (`--drop diacritic`; `--variants` names several: "-" is the shipped
features, "a,b" drops a and b). Per set and rule: the held-out corrections scored at or above the rule's
threshold, right / made, and the log-loss of all; and the accent-only corrections (calibrate.diacritic_only)
made, a kind of confusion one ICDAR book shows.

    .venv/bin/python benchmarks/calibration_transfer.py --cache /tmp/pre.pickle --samples /tmp/transfer.pickle
    .venv/bin/python benchmarks/calibration_transfer.py --cache /tmp/pre.pickle --samples /tmp/transfer.pickle \\
        --variants - diacritic

On main 59864e2 (load ~2.5; the samples about a minute, each variant about 25 s of CPU), the two folds summed,
held-out corrections made right/made: the shipped features, ICDAR non-word 1987/2006, real word 1816/1824,
Overproof 295/299, 502/507; fold 0's held-out accent-only real-word corrections (ICDAR's accent book, 954 of 955
right) made: 811. With "diacritic" held at 0 (its weight is learned from one print either way: +1.59 with the
book, -0.40 without it, from one newspaper's wrong correction): 1986/2005, 1832/1841, 290/294, 508/513, and 826
accent-only (correction.py --folds 2 with it: ICDAR WER 10.82 -> 10.81 / 12.20 -> 12.21, in-sample worse on both
sets: not shipped, commit 505a4a7).
"""
from __future__ import annotations

import argparse
import math
import pickle
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402

from pipeline.context import Resources  # noqa: E402
from pipeline.correct import calibrate, learn  # noqa: E402

RULES = ("detect.nonword", "detect.realword")
DIACRITIC = calibrate.FEATURES.index("diacritic")


def collect(cache: Path, folds: int) -> dict:
    """{fold: {set: {rule: [(features, right, document)]}}, "source": {set: {document: number}}}."""
    base = Resources(ROOT)
    pre = correction.cached_pre_detect(base, cache, None)
    out: dict = {"source": {s: learn.source_numbers([n for _, n, _, _ in rows]) for s, rows in pre.items()}}
    low = correction.configured(base, auto_threshold=correction.LOW, auto_threshold_realword=correction.LOW,
                                calibrated=False, auto_threshold_space=correction.LOW)
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for f in range(folds):
            mfile = tmp / f"model-{f}.json"
            learn.main(["--fold", str(f), "--folds", str(folds), "--out", str(mfile)])
            correction.use_data(model=mfile)
            made: dict = {}
            correction.evaluate(low, pre, lambda s: {n for _, n, _, _ in pre[s]}, tmp, f"fold{f}", made)
            out[f] = {s: {k: [(m.x, m.right, m.doc) for m in pts] for k, pts in by.items() if k in RULES}
                      for s, by in made.items()}
    correction.use_data(model=correction.ocr_model.MODEL_FILE)
    return out


def run(samples: dict, folds: int, drop: tuple[str, ...]) -> None:
    cols = [calibrate.FEATURES.index(f) for f in drop]

    def made(x, ok, doc):
        held = list(x)
        for j in cols:
            held[j] = 0.0
        return correction.Made(held, ok, doc), bool(x[DIACRITIC])  # (the correction, accent-only)
    total: dict = defaultdict(lambda: [0, 0])
    name = ",".join(drop) or "shipped features"
    src = samples["source"]
    for f in range(folds):
        # True: the fold's own sources (its model's and calibration's), False: the others (held out)
        part = {h: {s: {k: [made(*p) for p in pts if (src[s][p[2]] % folds == f) == h] for k, pts in by.items()}
                    for s, by in samples[f].items()} for h in (True, False)}
        fitted = {s: {k: [m for m, _ in pts] for k, pts in by.items()} for s, by in part[True].items()}
        train = [m for by in fitted.values() for pts in by.values() for m in pts]
        knots = calibrate.choose_knots([m.x for m in train])
        weights = calibrate.fit_kinds([m.x for m in train], [m.right for m in train], knots=knots)
        cal = calibrate.Calibration(*weights, knots=knots)
        held = correction.out_of_fold(fitted, knots)
        thr = {k: calibrate.pick_band([by.get(k, []) for by in held.values()], correction.TARGET) for k in RULES}
        print(f"{name}, fold {f} (fitted on {len(train)} corrections): thresholds "
              + ", ".join(f"{k} {v}" for k, v in thr.items())
              + f"; diacritic weight {weights[0][DIACRITIC]:+.2f} / {weights[1][DIACRITIC]:+.2f}")
        for s, by in part[False].items():
            for k, pts in by.items():
                scored = [(cal.probability(m.x), m, accent) for m, accent in pts]
                auto = [m for p, m, _ in scored if p >= thr[k]]
                loss = -sum(math.log(max(1e-9, p if m.right else 1 - p)) for p, m, _ in scored) / max(1, len(scored))
                print(f"  {s:18} {k:16} {sum(m.right for m in auto)}/{len(auto)} of {len(pts)} "
                      f"({sum(m.right for _, m, _ in scored)} right)  log-loss {loss:.3f}  accent-only made "
                      f"{sum(p >= thr[k] for p, _, a in scored if a)} of {sum(a for _, _, a in scored)}")
                total[(s, k)][0] += sum(m.right for m in auto)
                total[(s, k)][1] += len(auto)
    print(f"{name}, every fold: " + "; ".join(f"{s} {k} {a}/{b}" for (s, k), (a, b) in total.items()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True, help="pickle of the pre-detect texts (correction.py's)")
    ap.add_argument("--samples", type=Path, default=None, help="pickle of the collected corrections (made if missing)")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--variants", nargs="*", default=["-", "diacritic"],
                    help='features held at 0, comma-separated, per variant ("-": none)')
    args = ap.parse_args()
    if args.samples and args.samples.exists():
        samples = pickle.loads(args.samples.read_bytes())
    else:
        samples = collect(args.cache, args.folds)
        if args.samples:
            args.samples.write_bytes(pickle.dumps(samples))
    for v in args.variants:
        run(samples, args.folds, tuple(f for f in v.split(",") if f and f != "-"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
