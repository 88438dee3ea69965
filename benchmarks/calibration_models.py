#!/usr/bin/env python3
"""Would another model class calibrate detect's corrections better than the logistic one? Offline.

The calibration (pipeline/correct/calibrate.py) is a logistic model with knots over the features of a
correction, a non-word's and a real word's fitted apart. This benchmark compares it with models that can
use interactions it cannot, on the same samples and features: the corrections the calibration run of
benchmarks/correction.py makes (every correction the safeguards allow from a raw posterior of [detect]
auto_min_posterior, with the shipped OCR model, each right or wrong by the gold), scored out of fold BY
SOURCE (a book's pages in one part, learn.source_of; the sources shuffled into `--parts` parts, once per
`--seeds` seed, and the figures averaged over the seeds):

* logistic: calibrate.fit_kinds with calibrate.choose_knots, as shipped;
* trees: scikit-learn's HistGradientBoostingClassifier per kind (shallow trees, L2 on the leaves, at least
  50 corrections a leaf; the posterior, the lead over the runner-up and over the reading as printed
  monotone: more of each never lowers the probability);
* stacked: the logistic model's log-odds plus Newton-boosted depth-2 regression trees fitted to what it
  leaves (an offset: the trees only correct the logistic model where the evidence says so).

Per set and rule: the log-loss; the corrections scored >= 0.98 (the rules' threshold) and how many of them
are wrong; rank98, the most corrections, best scored first, right >= 98 % of the time (what a perfectly
placed threshold would let through; the ranking, not the calibration); and the spread over the seeds of each
model's difference from the logistic one.

scikit-learn is needed by this benchmark only (the optional extra `calib`; the pipeline never imports it):

    .venv/bin/pip install -e '.[calib]'
    .venv/bin/python benchmarks/calibration_models.py --cache /tmp/pre.pickle --samples /tmp/samples.pickle
"""
from __future__ import annotations

import argparse
import pickle
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
from pipeline.context import Resources  # noqa: E402
from pipeline.correct import calibrate, learn  # noqa: E402

RULES = ("detect.nonword", "detect.realword")
# features whose growth never speaks against a correction (the trees' monotone constraints)
MONOTONE = {"logit_posterior": 1, "runner_up": 1, "over_reading": 1}


def samples(cache: Path | None, path: Path | None) -> dict:
    """{set: {rule: [(features, right, document)]}} of the calibration run over every dev document (read
    from or saved to `path`)."""
    if path and path.exists():
        return pickle.loads(path.read_bytes())
    base = Resources(ROOT)
    low = float(base.config.get("detect", {}).get("auto_min_posterior", correction.LOW))
    pre = correction.cached_pre_detect(base, cache, None)
    calib: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        correction.evaluate(correction.configured(base, auto_threshold=low, auto_threshold_realword=low, calibrated=False,
                                                  auto_threshold_space=low),
                            pre, lambda s: {n for _, n, _, _ in pre[s]}, Path(tmp), "calib", calib)
    out = {s: {k: [(m.x, m.right, m.doc) for m in pts] for k, pts in by.items() if k in RULES} for s, by in calib.items()}
    if path:
        path.write_bytes(pickle.dumps(out))
    return out


class Data:
    def __init__(self, data: dict):
        import numpy as np
        self.rows = [(s, rule, x, y, d) for s, by in data.items() for rule in RULES for x, y, d in by.get(rule, ())]
        self.X = np.array([r[2] for r in self.rows], dtype=float)
        self.Y = np.array([r[3] for r in self.rows], dtype=bool)
        self.realword = self.X[:, calibrate.REALWORD] > 0
        self.knots = calibrate.choose_knots([r[2] for r in self.rows])  # as correction.out_of_fold: from every row

    def parts(self, n: int, seed: int):
        """Each row's part: the sources of each set shuffled (by `seed`) and dealt into `n` parts."""
        import numpy as np
        rng = random.Random(seed)
        part = {}
        for s in sorted({r[0] for r in self.rows}):
            sources = sorted({learn.source_of(r[4]) for r in self.rows if r[0] == s})
            rng.shuffle(sources)
            part[s] = {src: k % n for k, src in enumerate(sources)}
        return np.array([part[r[0]][learn.source_of(r[4])] for r in self.rows])


def logistic(d: Data, train):
    cal = calibrate.Calibration(*calibrate.fit_kinds([d.rows[i][2] for i in train], [d.rows[i][3] for i in train],
                                                     knots=d.knots), knots=d.knots)

    def log_odds(idx):
        import numpy as np
        out = []
        for i in idx:
            x = d.rows[i][2]
            w = cal.realword_weights if x[calibrate.REALWORD] else cal.weights
            out.append(sum(a * b for a, b in zip(w, calibrate.expand(x, cal.bends))))
        return np.array(out)
    return log_odds


def trees(d: Data, train, **opts):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    train = np.asarray(train)
    models = {}
    for kind in (False, True):
        sel = train[d.realword[train] == kind]
        m = HistGradientBoostingClassifier(monotonic_cst=[MONOTONE.get(f, 0) for f in calibrate.FEATURES],
                                           random_state=0, early_stopping=False, **opts)
        models[kind] = m.fit(d.X[sel], d.Y[sel])

    def log_odds(idx):
        idx = np.asarray(idx)
        out = np.zeros(len(idx))
        for kind, m in models.items():
            sel = d.realword[idx] == kind
            if sel.any():
                out[sel] = m.decision_function(d.X[idx[sel]])
        return out
    return log_odds


def stacked(d: Data, train, depth: int = 2, rounds: int = 50, rate: float = 0.1, leaf: int = 100, l2: float = 10.0):
    """The logistic model's log-odds, then `rounds` Newton steps of regression trees on what it leaves."""
    import numpy as np
    from sklearn.tree import DecisionTreeRegressor
    base = logistic(d, train)
    train = np.asarray(train)
    boosted = {}
    for kind in (False, True):
        sel = train[d.realword[train] == kind]
        z, y, x = base(sel), d.Y[sel].astype(float), d.X[sel]
        steps = []
        for _ in range(rounds):
            p = 1 / (1 + np.exp(-z))
            g, h = p - y, np.maximum(p * (1 - p), 1e-6)
            t = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0).fit(x, -g / h, sample_weight=h)
            leaves = t.apply(x)
            value = {k: -g[leaves == k].sum() / (h[leaves == k].sum() + l2) for k in np.unique(leaves)}
            steps.append((t, value))
            z = z + rate * np.array([value[k] for k in leaves])
        boosted[kind] = steps

    def log_odds(idx):
        idx = np.asarray(idx)
        z = base(idx)
        for kind, steps in boosted.items():
            sel = d.realword[idx] == kind
            if sel.any():
                for t, value in steps:
                    z[sel] += rate * np.array([value[k] for k in t.apply(d.X[idx[sel]])])
        return z
    return log_odds


MODELS = {
    "logistic": logistic,
    "trees": lambda d, tr: trees(d, tr, max_depth=3, learning_rate=0.05, max_iter=200, min_samples_leaf=50,
                                 l2_regularization=1.0),
    "stacked": stacked,
}


def out_of_fold(d: Data, make, part, n: int):
    import numpy as np
    z = np.zeros(len(d.rows))
    for h in range(n):
        test = np.flatnonzero(part == h)
        z[test] = make(d, np.flatnonzero(part != h))(test)
    return 1 / (1 + np.exp(-np.clip(z, -50, 50)))


def cells(d: Data, p) -> dict[str, float]:
    import numpy as np
    p = np.clip(p, 1e-6, 1 - 1e-6)
    out = {"all log-loss": float(-np.mean(np.where(d.Y, np.log(p), np.log(1 - p))))}
    for s in sorted({r[0] for r in d.rows}):
        for rule in RULES:
            idx = [i for i, r in enumerate(d.rows) if r[0] == s and r[1] == rule]
            y, q = d.Y[idx], p[idx]
            key = f"{s[:8]} {rule[7:]}"
            out[f"{key} log-loss"] = float(-np.mean(np.where(y, np.log(q), np.log(1 - q))))
            at = q >= 0.98
            out[f"{key} >=0.98"] = int(at.sum())
            out[f"{key} >=0.98 wrong"] = int((~y[at]).sum())
            right = np.cumsum(y[np.argsort(-q, kind="stable")])
            ok = np.flatnonzero(right / np.arange(1, len(y) + 1) >= 0.98)
            out[f"{key} rank98"] = int(ok[-1] + 1) if len(ok) else 0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (correction.py --cache)")
    ap.add_argument("--samples", type=Path, default=None, help="pickle of the calibration samples (made if missing)")
    ap.add_argument("--parts", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    args = ap.parse_args()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scikit-learn is missing: .venv/bin/pip install -e '.[calib]'", file=sys.stderr)
        return 2
    d = Data(samples(args.cache, args.samples))
    print(f"{len(d.rows)} corrections ({int(d.Y.sum())} right); out of fold by source, {args.parts} parts, "
          f"{args.seeds} seeds", flush=True)
    got: dict = {m: defaultdict(list) for m in args.models}
    for seed in range(args.seeds):
        part = d.parts(args.parts, seed)
        for m in args.models:
            t = time.process_time()
            for k, v in cells(d, out_of_fold(d, MODELS[m], part, args.parts)).items():
                got[m][k].append(v)
            print(f"seed {seed} {m}: {time.process_time() - t:.0f} s CPU", flush=True)
    keys = list(got[args.models[0]])
    print(f"\n{'mean over the seeds':<30}" + "".join(f"{m:>12}" for m in args.models)
          + "".join(f"{'Δ ' + m + ' min..max':>22}" for m in args.models[1:]))
    for k in keys:
        fmt = (lambda v: f"{v:.4f}") if "log-loss" in k else (lambda v: f"{v:.1f}")
        spread = []
        for m in args.models[1:]:
            diff = [a - b for a, b in zip(got[m][k], got[args.models[0]][k])]
            spread.append(f"{fmt(min(diff))}..{fmt(max(diff))}")
        print(f"{k:<30}" + "".join(f"{fmt(sum(got[m][k]) / len(got[m][k])):>12}" for m in args.models)
              + "".join(f"{x:>22}" for x in spread))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
