#!/usr/bin/env python3
"""Does detection correct real OCR, and can its automatic fixes be trusted? Per dev set.

For every document of the dev sets in ../shared/benchmarks (icdar2017_en,
overproof_smh_dev) the stages before *detect* run once (the same text for both
variants, so layout effects cancel); then detect runs and its edits are applied.
Reported per set:

* CER / WER (measure.py; overproof with --dehyphenate) of the OCR, of the pipeline
  without detect, and with it (the whole pipeline);
* precision of the automatic fixes: a fix is right when the word it rewrote is, in
  the word alignment of the pre-detect text with the gold, a misread whose gold word
  is the fix; recall *flagged*: the share of misread words (alignment units with
  OCR words) that an edit or a query of detect touches; queries per 100 words;
* calibration: on the training documents, every correction the safeguards allow from a
  raw posterior of [detect] auto_min_posterior is made and judged right or wrong by the
  gold; a logistic model over its features (pipeline/correct/calibrate.py) is fitted
  there; precision by band is printed raw and calibrated; a rule's automatic threshold is the
  calibrated 0.98, lowered band by band while the training documents' corrections, scored by a
  calibration fitted on the other training documents, keep 0.98 on every set (calibrate.pick_band);
* query values: with those thresholds and no query budget, each query of the training
  documents is matched with the gold (how many misread words it touches); the rates by rule
  and score band (pipeline/correct/budget.py) rank the held-out documents' queries under the
  budget ([detect] max_queries) by the misread words each is expected to flag;
* reading cost: read/q, the words inside the queries' spans per misread word they touch, and
  empty, the share of queries that touch none (a query's span is what the proofreader re-reads;
  doubts close together are one query, [detect] merge_gap);
* 1-click: of the queries on one misread word, the share whose first suggestion is the gold
  word (the proofreader's one click fixes it); span: of the queries on misread words whose span
  holds whole alignment units (one word or doubts close together), the share whose first
  suggestion writes the gold words of the span.

Honesty: the OCR model and the calibration are learned on the dev sets. `--folds 2`
learns both on the documents of one fold (pipeline/correct/learn.py --fold) and reports
on the other, both ways: the held-out figures. `all` fits on every document (in-sample)
and then runs the shipped calibration and config/pipeline.toml thresholds.

    .venv/bin/python benchmarks/correction.py                  # held-out (2 folds) and all
    .venv/bin/python benchmarks/correction.py --write          # ... and ship the calibration and query values of all
    .venv/bin/python benchmarks/correction.py --limit 30       # a quick subset
"""
from __future__ import annotations

import argparse
import bisect
import copy
import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Context, Resources  # noqa: E402
from pipeline.correct import budget, calibrate, learn  # noqa: E402
from pipeline.correct import model as ocr_model  # noqa: E402
from pipeline.correct.align import align, tokens  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import stage_function  # noqa: E402
from pipeline.stages import detect  # noqa: E402
from pipeline.stages.decode import decode_bytes  # noqa: E402
from pipeline.text import Document  # noqa: E402

EXAMPLES: list[str] | None = None  # wrong automatic fixes, with --examples
SHARED = ROOT.parent / "shared" / "benchmarks"
SETS = {"icdar2017_en": [], "overproof_smh_dev": ["--dehyphenate"]}
# measure.py's --dehyphenate: a word hyphenated across a line break is joined (the gold of such a set is
# matched with a fix as the set is scored: "con-\nfined" is "confined")
HYPHEN_BREAK = re.compile(r"(\w)[-\u2010\u2011\u00ac][ \t]*\n\s*(?=\w)")
# the space hypotheses of pipeline/correct/spaces.py: their raw posterior is thresholded, not calibrated
SPACE_RULES = ("detect.split", "detect.glued")


def cached_pre_detect(res: Resources, cache, limit: int | None) -> dict:
    """pre_detect of every set, read from (or saved to) a pickle when `cache` names one: the
    stages before detect cost a minute, the analyses that read their texts seconds."""
    import pickle
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    pre, _, _ = pre_detect(res, list(SETS), limit)
    if cache:
        cache.write_bytes(pickle.dumps(pre))
    return pre


def pre_detect(res: Resources, sets, limit: int | None):
    """{set: [(name, text before detect, gold)]}, and the seconds the earlier stages took."""
    out, secs, size = {}, 0.0, 0
    stages = [s for s in res.config["stages"] if s != "detect"]
    for s in sets:
        rows = []
        names = sorted(p.name for p in (SHARED / s / "ocr").glob("*.txt"))
        for k, name in enumerate(names[:limit] if limit else names):
            data = (SHARED / s / "ocr" / name).read_bytes()
            size += len(data)
            t = time.perf_counter()
            raw, enc = decode_bytes(data, name)
            w = Witness(id="bench", file=name, language="en", work="bench", role="original", encoding=enc, origin="file")
            ctx = Context(w, res, res.policy(w))
            doc = Document(raw, w.id)
            for st in stages:
                doc.apply(st, stage_function(st)(doc.text, ctx).edits)
            secs += time.perf_counter() - t
            gold = learn.unicodedata.normalize("NFKC", (SHARED / s / "gold" / name).read_text(encoding="utf-8"))
            rows.append((k, name, doc.text, gold))
        out[s] = rows
    return out, secs, size


def run_detect(res: Resources, text: str):
    w = Witness(id="bench", file="x.txt", language="en", work="bench", role="original", origin="file")
    r = detect.run(text, Context(w, res, res.policy(w)))
    doc = Document(text, "bench")
    doc.apply("detect", r.edits)
    return r, doc.text


def norm(w: str) -> str:
    return w.replace("’", "'")


def score_doc(text: str, gold: str, result, calib: dict | None = None, trace: dict | None = None,
              asked: list | None = None):
    """Counts of one document: autos, right autos, errors, flagged errors, queries, words.
    `asked` receives (rule, score, words covered, misread words touched) of each query."""
    o = tokens(text)
    g = [m.group() for m in tokens(gold)]
    units = align([m.group() for m in o], g)
    unit_of = {}
    for u in units:
        for k in range(u.o0, u.o1):
            unit_of[k] = u
    starts = [m.start() for m in o]

    def token_at(pos):
        k = bisect.bisect_right(starts, pos) - 1
        return k if k >= 0 and pos < o[k].end() else None

    c = defaultdict(int)
    c["words"] = len(o)
    spans = [(e.start, e.end) for e in result.edits] + [(q.start, q.end) for q in result.queries
                                                          if q.rule.startswith("detect.")]
    touched = set()
    for a, b in spans:
        k = token_at(a)
        while k is not None and k < len(o) and o[k].start() < max(b, a + 1):
            touched.add(k)
            k += 1
    for u in units:
        if not u.equal and u.o1 > u.o0:
            c["errors"] += 1
            if any(k in touched for k in range(u.o0, u.o1)):
                c["flagged"] += 1
    # the misread words (error units) each query touches; the proofreader's reading cost: the words
    # inside the queries' spans per error unit they touch, and the queries that touch none
    queried = set()
    for q in result.queries:
        if not q.rule.startswith("detect."):
            continue
        hit = set()
        k = token_at(q.start)
        if k is None:
            k = bisect.bisect_right(starts, q.start)
        while k < len(o) and o[k].start() < max(q.end, q.start + 1):
            c["read"] += 1
            u = unit_of.get(k)
            if u is not None and not u.equal:
                hit.add(u.o0)
            k += 1
        c["empty"] += not hit
        queried |= hit
        if asked is not None:
            asked.append((q.rule, q.score, budget.words(q.text), len(hit)))
    c["queried"] = len(queried)

    def right(start, end, after):
        k = token_at(start)
        u = unit_of.get(k) if k is not None else None
        if u is None or u.equal:
            return False
        gold_words = [norm(x).lower() for x in g[u.g0:u.g1]]
        a, b = o[k].start(), o[k].end()
        if end <= b:  # the word token as the fix leaves it ("Couit's" -> "Court's": the fix is "Court")
            after = text[a:start] + after + text[end:b]
        fixed = [norm(x).lower() for x in after.split()]
        if u.o1 - u.o0 == 1 and u.g1 - u.g0 == len(fixed):
            return fixed == gold_words
        # a misread inside a longer stretch of damage: right if the fix is one of its gold words
        # (in order) and the reading was not
        joined = " ".join(gold_words)
        if " ".join(fixed) == norm(o[k].group()).lower():  # a fix of the letter case only ("Iron" -> "iron"): case kept
            cased = f" {' '.join(norm(x) for x in g[u.g0:u.g1])} "
            return f" {norm(after)} " in cased and f" {norm(o[k].group())} " not in cased
        return f" {' '.join(fixed)} " in f" {joined} " and norm(o[k].group()).lower() not in gold_words

    for e in result.edits:
        c["auto"] += 1
        ok = right(e.start, e.end, e.after)
        c["auto_right"] += ok
        c[f"auto {e.rule}"] += 1
        c[f"right {e.rule}"] += ok
        if not ok and EXAMPLES is not None:
            k = token_at(e.start)
            u = unit_of.get(k) if k is not None else None
            EXAMPLES.append(f"{e.rule} {text[max(0, e.start - 25):e.end + 25]!r}: {text[e.start:e.end]!r} -> "
                            f"{e.after!r}, gold {' '.join(g[u.g0:u.g1]) if u else '?'!r} ({e.confidence})")
    c["queries"] = sum(1 for q in result.queries if q.rule.startswith("detect."))
    # one click: a query on one misread word whose first suggestion is the gold word (the proofreader
    # accepts it and the word is right), of the queries on one misread word
    for q in result.queries:
        k = token_at(q.start)
        u = unit_of.get(k) if k is not None and q.rule.startswith("detect.") else None
        if u is None or u.equal or u.o1 - u.o0 != 1 or o[k].end() < q.end:
            continue
        c["asked_one"] += 1
        gold_words = [norm(x).lower() for x in g[u.g0:u.g1]]
        c["one_click"] += bool(q.suggestions) and norm(q.suggestions[0]).lower().split() == gold_words
    # ... of every query on misread words whose span holds whole alignment units (doubts close together
    # joined: several words), the share whose first suggestion writes the gold words of its span
    for q in result.queries:
        k = token_at(q.start)
        if k is None or not q.rule.startswith("detect."):
            continue
        j = k
        while j + 1 < len(o) and o[j + 1].start() < q.end:
            j += 1
        us = sorted({id(unit_of[x]): unit_of[x] for x in range(k, j + 1) if x in unit_of}.values(), key=lambda u: u.o0)
        if not us or all(u.equal for u in us) or us[0].o0 < k or us[-1].o1 > j + 1:
            continue
        c["asked_span"] += 1
        meant = [norm(m.group()).lower() for m in tokens(q.suggestions[0])] if q.suggestions else None
        c["span_click"] += meant == [norm(x).lower() for u in us for x in g[u.g0:u.g1]]
    if calib is not None:  # (features of the correction, right?) by rule
        for e in result.edits:
            if (e.start, e.after) in trace:  # the noisy channel's corrections (not the lone digits)
                calib.setdefault(e.rule, []).append((trace[(e.start, e.after)], right(e.start, e.end, e.after)))
            elif e.rule in SPACE_RULES:  # a space's posterior is its own score (space_threshold)
                calib.setdefault(e.rule, []).append((e.confidence, right(e.start, e.end, e.after)))
    return c


def measure(folder: Path, s: str, gold: Path) -> dict:
    cmd = [sys.executable, str(SHARED / "measure.py"), "--gold", str(gold), "--cand", str(folder),
           "--json", *SETS[s]]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return data["results"][0]["summary"]


def configured(res: Resources, **detect_settings) -> Resources:
    r = Resources(ROOT)
    cfg = copy.deepcopy(res.config)
    cfg.setdefault("detect", {}).update(detect_settings)
    r.__dict__["config"] = cfg
    return r


class Made(NamedTuple):
    """An automatic correction of a calibration run: its features (a space's: its posterior), whether the
    gold has it, and the document it was made in."""
    x: list[float] | float
    right: bool
    doc: str


def evaluate(res, pre, docs_of, tmp: Path, label: str, calib=None, asked=None):
    """Per set: scores and counts over the chosen documents (docs_of(set) -> names); `calib` receives
    the automatic corrections ({set: {rule: [Made]}})."""
    rows = {}
    for s, docs in pre.items():
        names = docs_of(s)
        out_pre, out_post = tmp / label / s / "pre", tmp / label / s / "post"
        gold_dir = tmp / label / s / "gold"  # the gold of the chosen documents only
        for d in (out_pre, out_post, gold_dir):
            d.mkdir(parents=True)
        tot = defaultdict(int)
        secs = 0.0
        chars = 0
        for k, name, text, gold in docs:
            if name not in names:
                continue
            detect.TRACE = [] if calib is not None else None
            t = time.perf_counter()
            r, post = run_detect(res, text)
            secs += time.perf_counter() - t
            trace = {(a, after): x for a, after, x in detect.TRACE or ()}
            detect.TRACE = None
            chars += len(text.encode())
            (gold_dir / name).write_bytes((SHARED / s / "gold" / name).read_bytes())
            (out_pre / name).write_text(text, encoding="utf-8")
            (out_post / name).write_text(post, encoding="utf-8")
            if "--dehyphenate" in SETS[s]:
                gold = HYPHEN_BREAK.sub(r"\1", gold)
            mine: dict = {}
            for key, v in score_doc(text, gold, r, None if calib is None else mine, trace, asked).items():
                if isinstance(v, int):
                    tot[key] += v
            for rule, pts in mine.items():
                calib.setdefault(s, {}).setdefault(rule, []).extend(Made(x, ok, name) for x, ok in pts)
        before, after = measure(out_pre, s, gold_dir), measure(out_post, s, gold_dir)
        rows[s] = {"docs": len(names), "before": before, "after": after, "detect_seconds": round(secs, 2),
                   "detect_mb_s": round(chars / 1e6 / secs, 3) if secs else None, **tot}
    return rows


# the calibration run's automatic threshold (raw posterior): the pipeline's own floor, [detect]
# auto_min_posterior of config/pipeline.toml (set in main), so that the calibration is fitted on every kind of
# correction it decides (fitted from 0.5 while the floor was 0.2, it scored the corrections between unseen:
# most accent-only fixes of a scan that prints accents, "blâme", "persécution", are there)
LOW = detect.Settings().auto_min_posterior
TARGET = 0.98  # the bar: automatic fixes at least 98 % right
SHIPPED_CALIBRATION = calibrate.CALIBRATION_FILE
SHIPPED_VALUES = budget.VALUE_FILE


def use_data(model: Path | None = None, calibration: Path | None = None, values: Path | None = None) -> None:
    """Detect reads its OCR model, calibration and query values from these files from now on (each one given:
    its path set and the copy read before dropped)."""
    for module, name, path in ((ocr_model, "MODEL_FILE", model), (calibrate, "CALIBRATION_FILE", calibration),
                               (budget, "VALUE_FILE", values)):
        if path is not None:
            setattr(module, name, path)
            module.shared.cache_clear()


def calibration_json(weights: tuple[list[float], list[float]], fitted_on: str, n: int,
                     thresholds: dict[str, float] | None = None, thresholds_note: str = "",
                     knots: dict[str, list[float]] | None = None) -> str:
    note = (f"Fitted by benchmarks/correction.py --write on {fitted_on} ({n} automatic corrections made at a raw "
            f"posterior >= {LOW}, each right or wrong by the gold); weights are log-odds per feature, "
            f"a non-word's correction and a real word's fitted apart; a feature's knots (its quartiles over "
            f"these corrections) each add a weight of min(feature, knot).")
    return json.dumps({"note": note, "features": list(calibrate.FEATURES),
                       "weights": [round(w, 4) for w in weights[0]],
                       "realword_weights": [round(w, 4) for w in weights[1]], "knots": knots or {},
                       "thresholds": thresholds or {}, "thresholds_note": thresholds_note}, indent=1) + "\n"


def out_of_fold(calib: dict, knots: dict, parts: int = 2) -> dict:
    """calib's corrections ({set: {rule: [Made]}}) each scored by a calibration fitted on the other
    documents' (the sources of each set dealt in turn into `parts` parts, a book's pages in one:
    learn.source_numbers): held-out scores of the training documents, {set: {rule: [(probability, right)]}}."""
    part = {s: {n: j % parts for n, j in learn.source_numbers({m.doc for pts in by_rule.values() for m in pts}).items()}
            for s, by_rule in calib.items()}
    out: dict = {}
    for h in range(parts):
        train = [m for s, by_rule in calib.items() for pts in by_rule.values() for m in pts if part[s][m.doc] != h]
        cal = calibrate.Calibration(*calibrate.fit_kinds([m.x for m in train], [m.right for m in train], knots=knots),
                                    knots=knots)
        for s, by_rule in calib.items():
            for rule, pts in by_rule.items():
                out.setdefault(s, {}).setdefault(rule, []).extend(
                    (cal.probability(m.x), m.right) for m in pts if part[s][m.doc] == h)
    return out


def space_threshold(calib: list[tuple[float, bool]], target: float = 0.98, min_n: int = 20) -> float:
    """The lowest posterior from which a space rule's automatic fixes are right at least `target` of the
    time (at least `min_n` of them; 1.01, never, if none is)."""
    best = 1.01  # none
    pts = sorted(calib, key=lambda x: -x[0])
    right = 0
    for n, (p, ok) in enumerate(pts, 1):
        right += ok
        if n >= min_n and right / n >= target and (n == len(pts) or pts[n][0] < p):
            best = p
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=2, help="2: learn on one half, report on the other (0: shipped model)")
    ap.add_argument("--limit", type=int, default=None, help="first N documents of each set")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--examples", action="store_true", help="print the wrong automatic fixes")
    ap.add_argument("--detect", nargs="*", default=[], metavar="KEY=VALUE",
                    help="[detect] settings over config/pipeline.toml's, in every run (to compare a setting)")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (made if missing)")
    ap.add_argument("--write", action="store_true", help="write the calibration and the query values fitted on "
                    "all documents to pipeline/data/ocr_calibration.json and query_value.json")
    ap.add_argument("--keep", type=Path, default=None, help="a folder to keep each held-out fold's model, calibration "
                    "and query values in, with its documents (DIR/heldout-F/: for error_classes.py --heldout DIR)")
    ap.add_argument("--heldout-only", action="store_true", help="the held-out folds only (no in-sample run)")
    args = ap.parse_args()
    global EXAMPLES, LOW
    if args.examples:
        EXAMPLES = []
    base = Resources(ROOT)
    if args.detect:
        base = configured(base, **{k: float(v) for k, v in (kv.split("=", 1) for kv in args.detect)})
    LOW = float(base.config.get("detect", {}).get("auto_min_posterior", LOW))
    if args.cache:  # the stages before detect, read from (or saved to) a pickle
        pre, pre_secs = cached_pre_detect(base, args.cache, None), 0.0
        pre = {s: rows[:args.limit] if args.limit else rows for s, rows in pre.items()}
        size = sum(len(t.encode()) for rows in pre.values() for _, _, t, _ in rows)
    else:
        pre, pre_secs, size = pre_detect(base, list(SETS), args.limit)
    report = {"pre_detect_seconds": round(pre_secs, 2), "bytes": size, "runs": {}}
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        runs = []
        # documents dealt into folds by source (learn.source_numbers: a book's pages in one fold)
        source = {s: learn.source_numbers([n for _, n, _, _ in rows]) for s, rows in pre.items()}
        if args.folds:
            for f in range(args.folds):
                mfile = tmp / f"model-fold{f}.json"
                learn.main(["--fold", str(f), "--folds", str(args.folds), "--out", str(mfile)])
                runs.append((f"heldout-{f}", mfile, lambda s, f=f: {n for _, n, _, _ in pre[s]
                                                                    if source[s][n] % args.folds != f}))
        if not (args.heldout_only and args.folds):
            runs.append(("all", ocr_model.MODEL_FILE, lambda s: {n for _, n, _, _ in pre[s]}))
        for label, mfile, docs_of in runs:
            use_data(model=mfile)
            # calibration: automatic fixes allowed from a low raw posterior (every other safeguard
            # in place) on the training documents; a logistic model of "right" over their features
            # (pipeline/correct/calibrate.py) is fitted there, and the lowest calibrated threshold
            # at which every set's training documents keep >= 98 % is used on the held-out ones
            calib: dict = {}
            train = (lambda s, d=docs_of: {n for _, n, _, _ in pre[s]} - d(s)) if label.startswith("heldout") else docs_of
            evaluate(configured(base, auto_threshold=LOW, auto_threshold_realword=LOW, calibrated=False,
                                auto_threshold_space=LOW), pre, train, tmp, label + "-calib", calib)
            spaced = {s: {k: [(m.x, m.right) for m in by_kind.pop(k)] for k in SPACE_RULES if k in by_kind}
                      for s, by_kind in calib.items()}
            points = [m for by_kind in calib.values() for pts in by_kind.values() for m in pts]
            knots = calibrate.choose_knots([m.x for m in points])
            weights = calibrate.fit_kinds([m.x for m in points], [m.right for m in points], knots=knots)
            cal = calibrate.Calibration(*weights, knots=knots)
            scored = {s: {k: [(cal.probability(m.x), m.right) for m in pts] for k, pts in by_kind.items()}
                      for s, by_kind in calib.items()}
            print_calibration(label + " raw", {s: {k: [(math.exp(m.x[1]) / (1 + math.exp(m.x[1])), m.right) for m in pts]
                                                  for k, pts in by_kind.items()} for s, by_kind in calib.items()})
            print_calibration(label + " calibrated", scored)
            print_calibration(label + " spaces (posterior)", spaced)
            # the bar for every automatic fix; each rule's threshold, from the bar down only through the
            # bands where the training documents' corrections, scored by a calibration fitted on the other
            # training documents (held out), are right at least TARGET of the time on every set
            # (calibrate.pick_band). (No in-sample check raises the bar: judged on the corrections it was
            # fitted on, a calibration looks better than it is; the held-out figures below are the check.)
            thr = {"auto_threshold": TARGET, "auto_threshold_realword": TARGET}
            held = out_of_fold(calib, knots)
            print_calibration(label + " calibrated out-of-fold", held)
            rule_thr = {kind: calibrate.pick_band([by_kind.get(kind, []) for by_kind in held.values()], TARGET)
                        for kind in ("detect.nonword", "detect.realword")}
            why = (f"Chosen by benchmarks/correction.py on {{}}: from {TARGET} down through the bands "
                   f"{list(calibrate.STEPS)} while each set's corrections in the band, scored by a calibration fitted "
                   f"on the other half of the documents, are right >= {TARGET} counting one wrong more; "
                   f"by set and band (right/made): " + "; ".join(
                       f"{s} {kind} " + " ".join(
                           f"[{lo},{hi}) {sum(ok for p, ok in pts if lo <= p < hi)}/{sum(lo <= p < hi for p, _ in pts)}"
                           for hi, lo in zip(calibrate.STEPS, calibrate.STEPS[1:]))
                       for s, by_kind in held.items() for kind, pts in sorted(by_kind.items())))
            cfile = tmp / f"calibration-{label}.json"
            cfile.write_text(calibration_json(weights, label, len(points), rule_thr, why.format(label), knots),
                             encoding="utf-8")
            if label == "all" and args.write:
                calibrate.CALIBRATION_FILE.write_text(calibration_json(weights, "all dev documents", len(points), rule_thr,
                                                                       why.format("all dev documents"), knots),
                                                      encoding="utf-8")
            print(f"rule thresholds {label}: " + ", ".join(f"{k} {v}" for k, v in rule_thr.items()))
            # a space fix (join or split) is automatic from the posterior at which every set's training
            # documents keep the bar for both kinds (above 1: never): space_threshold, not pick_band, for
            # a space's score is its raw posterior, not calibrated, and its threshold may need to rise
            # above the bar or to never, where pick_band only comes down from it
            thr["auto_threshold_space"] = max(TARGET, *(space_threshold(pts) for by_kind in spaced.values()
                                                        for pts in by_kind.values()))
            use_data(calibration=cfile)
            # the value of a query (pipeline/correct/budget.py): the training documents' queries, with
            # these thresholds and no budget, each matched with the gold
            asked: list = []
            # (each doubt its own query: a group of doubts close together is worth the sum of its doubts')
            evaluate(configured(base, **thr, max_queries=1e9, merge_gap=-1), pre, train, tmp, label + "-queries",
                     asked=asked)
            values = budget.fit(asked, note=f"Fitted by benchmarks/correction.py on {label} ({len(asked)} queries of "
                                            f"the training documents, without the budget, each matched with the gold).")
            vfile = tmp / f"query-value-{label}.json"
            vfile.write_text(values.model_dump_json(indent=1) + "\n", encoding="utf-8")
            if label == "all" and args.write:
                values.note = values.note.replace(" on all ", " on all dev documents ")
                SHIPPED_VALUES.write_text(values.model_dump_json(indent=1) + "\n", encoding="utf-8")
            print_values(label, values)
            use_data(values=vfile)
            if args.keep and label.startswith("heldout"):
                kept = args.keep / label
                kept.mkdir(parents=True, exist_ok=True)
                for src, dst in ((mfile, "ocr_model.json"), (cfile, "ocr_calibration.json"), (vfile, "query_value.json")):
                    (kept / dst).write_bytes(Path(src).read_bytes())
                (kept / "docs.json").write_text(json.dumps({s: sorted(docs_of(s)) for s in pre}, indent=1) + "\n",
                                                encoding="utf-8")
                (kept / "thresholds.json").write_text(json.dumps(thr) + "\n", encoding="utf-8")
            rows = evaluate(configured(base, **thr), pre, docs_of, tmp, label)
            thr_shown = {**thr, **rule_thr}
            report["runs"][label] = {"thresholds_from_training_docs": thr_shown, "weights": weights,
                                     "query_rates": values.rates, "sets": rows}
            print_run(label + (" (held-out documents)" if label.startswith("heldout") else " (in-sample)"), thr_shown, rows)
            use_data(calibration=SHIPPED_CALIBRATION, values=SHIPPED_VALUES)
            if label == "all":  # the shipped calibration, query values and thresholds (config/pipeline.toml)
                shipped = {k: base.config["detect"].get(k, getattr(detect.Settings(), k)) for k in thr}
                rows = evaluate(base, pre, docs_of, tmp, label + "-config")
                report["runs"][label + "-config"] = {"thresholds_config": shipped, "sets": rows}
                print_run(label + " with the shipped calibration and config/pipeline.toml thresholds", shipped, rows)
            if EXAMPLES:
                print("\n".join(EXAMPLES))
                EXAMPLES.clear()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(f"stages before detect: {pre_secs:.1f} s for {size / 1e6:.2f} MB")
    return 0


BANDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.01)


def print_calibration(label, calib):
    for s, by_kind in calib.items():
        for kind, pts in by_kind.items():
            cells = []
            for lo, hi in zip(BANDS, BANDS[1:]):
                sel = [ok for p, ok in pts if lo <= p < hi]
                if sel:
                    cells.append(f"[{lo},{min(hi, 1)}): {sum(sel)}/{len(sel)}={sum(sel) / len(sel):.2f}")
            print(f"calibration {label} {s} {kind}: " + "; ".join(cells))


def print_values(label, values):
    for rule, rates in values.rates.items():
        print(f"query value {label} {rule}: misread words per word covered by score band " +
              " ".join(f"{r:.2f}" for r in rates))


def print_run(label, thr, rows):
    print(f"\n== {label}  (automatic thresholds: "
          + ", ".join(f"{k} {v:.3f}" for k, v in thr.items()) + ")")
    print(f"{'set':<18} {'docs':>4} {'CER before':>10} {'after':>6} {'WER before':>10} {'after':>6} {'auto':>5} "
          f"{'prec':>6} {'errors':>6} {'flagged':>7} {'q/100w':>6} {'read/q':>6} {'empty':>5} {'1-click':>7} {'span':>5} {'MB/s':>5}")
    for s, r in rows.items():
        prec = r["auto_right"] / r["auto"] if r.get("auto") else float("nan")
        print(f"{s:<18} {r['docs']:>4} {100 * r['before']['cer']:>10.2f} {100 * r['after']['cer']:>6.2f} "
              f"{100 * r['before']['wer']:>10.2f} {100 * r['after']['wer']:>6.2f} {r.get('auto', 0):>5} {prec:>6.3f} "
              f"{r['errors']:>6} {r.get('flagged', 0) / max(1, r['errors']):>7.3f} "
              f"{100 * r['queries'] / max(1, r['words']):>6.2f} {r.get('read', 0) / max(1, r.get('queried', 0)):>6.2f} "
              f"{r.get('empty', 0) / max(1, r['queries']):>5.3f} {r.get('one_click', 0) / max(1, r.get('asked_one', 0)):>7.3f} "
              f"{r.get('span_click', 0) / max(1, r.get('asked_span', 0)):>5.3f} "
              f"{r['detect_mb_s']:>5}")
        print(f"    flagged {r.get('flagged', 0)}/{r['errors']}; queries {r['queries']} in {r['words']} words")
        print("    by rule: " + "; ".join(f"{k[5:]} {r['right ' + k[5:]]}/{n}={r['right ' + k[5:]] / n:.3f}"
                                        for k, n in sorted(r.items()) if k.startswith("auto ") and n))


if __name__ == "__main__":
    raise SystemExit(main())
