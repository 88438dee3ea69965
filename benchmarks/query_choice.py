#!/usr/bin/env python3
"""Which queries the budget keeps, and how much better any choice could be: seconds, not minutes.

detect runs once on every dev document (the stages before it from benchmarks/correction.py's
cache) with no query budget and each doubt its own query ([detect] max_queries unbounded,
merge_gap -1); its doubts, its automatic fixes and the gold alignment are kept (--doubts, a
pickle). Then each *choice* picks the queries of a document within its budget (one per 100
words, as detect counts them) from those doubts, and is scored held out, two folds as
benchmarks/correction.py splits them: the query values (pipeline/correct/budget.py `fit`) are
fitted on the training documents' doubts (both sets), the choice is scored on the others'.
Per set and fold: flagged (the share of misread words, alignment error units, that a fix or a
kept query touches), q/100 words, read/q (the words inside the kept queries' spans per misread
word they touch) and empty (the share of kept queries on no misread word), as correction.py
reports them.

    shipped          budget.QueryValue.keep as detect calls it (config/pipeline.toml's merge_*)
    words bound      the same, every group at most merge_words words (no damaged paragraph one place)
    oracle rank      the same groups (`joined`), ranked by the misread words each really touches
                     that no fix touched: what any value model could gain at most with these groups
    parted at lines  the groups parted at every line break (before the budget joined across them)
    alone            each doubt its own query, by its value
    no budget        every doubt (not within the budget: the ceiling of the doubts)

The OCR model and the calibration are the shipped ones (fitted on every dev document): the doubts
are in-sample, only the choice is held out. correction.py --folds 2 gives the held-out figures of
a change (the thresholds and the model learnt per fold; within about a point of these).

    .venv/bin/python benchmarks/query_choice.py --cache /tmp/pre.pickle [--doubts /tmp/doubts.pickle]
    .venv/bin/python benchmarks/query_choice.py --doubts /tmp/doubts.pickle --only shipped --detect merge_dense=0.2
"""
from __future__ import annotations

import argparse
import bisect
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
from pipeline.context import Context, Resources  # noqa: E402
from pipeline.correct import budget, learn  # noqa: E402
from pipeline.correct.align import align, tokens  # noqa: E402
from pipeline.model import Query, Witness  # noqa: E402
from pipeline.stages import detect  # noqa: E402


def doubts_of(res: Resources, pre: dict) -> dict:
    """{set: [document]}: each document's text, word tokens, misread units, fixes and doubts."""
    unbounded = correction.configured(res, max_queries=1e9, merge_gap=-1)
    out = {}
    for s, rows in pre.items():
        docs = []
        source = learn.source_numbers([name for _, name, _, _ in rows])  # the folds by source, as correction.py's
        for _, name, text, gold in rows:
            k = source[name]
            r, _ = correction.run_detect(unbounded, text)
            if "--dehyphenate" in correction.SETS[s]:
                gold = correction.HYPHEN_BREAK.sub(r"\1", gold)
            o = tokens(text)
            units = align([m.group() for m in o], [m.group() for m in tokens(gold)])
            docs.append({"k": k, "name": name, "text": text, "starts": [m.start() for m in o],
                         "ends": [m.end() for m in o],
                         "bad": [(u.o0, u.o1) for u in units if not u.equal and u.o1 > u.o0],
                         "edits": [(e.start, e.end) for e in r.edits],
                         "doubts": [(q.start, q.end, q.rule, q.score, list(q.suggestions), str(q.reason))
                                    for q in r.queries]})
        out[s] = docs
    return out


class Doc:
    """One document's doubts as queries, and what of the gold they touch."""

    def __init__(self, d: dict):
        self.k, self.text, self.starts, self.ends = d["k"], d["text"], d["starts"], d["ends"]
        self.unit_at = {k: u for u in d["bad"] for k in range(*u)}
        self.errors = len(d["bad"])
        self.fixed = {u for a, b in d["edits"] for u in self.units(a, b)}
        words = sum(1 for _ in detect._WORD.finditer(self.text))
        self.words = len(self.starts)
        self.limit = max(round(detect.Settings().max_queries * words / 100), 3 if words < 100 else 1)
        self.queries = [Query(a, b, self.text[a:b], sug, score, why, rule) for a, b, rule, score, sug, why in d["doubts"]]

    def span(self, a: int, b: int) -> list[int]:
        """The word tokens a span touches (as correction.score_doc counts them)."""
        k = bisect.bisect_right(self.starts, a) - 1
        if k < 0 or a >= self.ends[k]:
            k += 1
        out = []
        while 0 <= k < len(self.starts) and self.starts[k] < max(b, a + 1):
            out.append(k)
            k += 1
        return out

    def units(self, a: int, b: int) -> set:
        return {self.unit_at[k] for k in self.span(a, b) if k in self.unit_at}


def score(docs: list[Doc], choose) -> dict:
    c: dict = defaultdict(int)
    for d in docs:
        flagged = set(d.fixed)
        kept = [q for q in choose(d) if q.rule.startswith("detect.")]
        for q in kept:
            hit = d.units(q.start, q.end)
            c["read"] += len(d.span(q.start, q.end))
            c["touched"] += len(hit)
            c["empty"] += not hit
            flagged |= hit
        c["errors"] += d.errors
        c["flagged"] += len(flagged)
        c["queries"] += len(kept)
        c["words"] += d.words
    return c


def choices(st: detect.Settings) -> dict:
    """name -> (value -> (document -> the queries kept))."""
    gap, most, dense, para = st.merge_gap, st.merge_words, st.merge_dense, st.merge_paragraph

    def shipped(value):
        return lambda d: value.keep(list(d.queries), d.limit, d.text, gap, most, None, dense, paragraph=para)

    def oracle(value):
        def choose(d):
            groups = budget.joined(list(d.queries), d.limit, d.text, gap, most, dense, paragraph=para)
            groups.sort(key=lambda g: (-len(d.units(g[0].start, max(q.end for q in g)) - d.fixed), g[0].start))
            return [budget.together(g, d.text) if len(g) > 1 else g[0] for g in groups[:d.limit]]
        return choose

    def parted(value):
        return lambda d: value.keep(list(d.queries), d.limit, d.text, gap, most, None, dense, breaks=True,
                                    paragraph=para)

    def words_bound(value):
        return lambda d: value.keep(list(d.queries), d.limit, d.text, gap, most, None, dense)

    return {"shipped": shipped, "words bound": words_bound, "oracle rank": oracle, "parted at lines": parted,
            "alone": lambda value: lambda d: value.keep(list(d.queries), d.limit),
            "no budget": lambda value: lambda d: list(d.queries)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (made if missing)")
    ap.add_argument("--doubts", type=Path, default=None, help="pickle of detect's doubts (made if missing)")
    ap.add_argument("--limit", type=int, default=None, help="first N documents of each set")
    ap.add_argument("--only", nargs="*", default=None, help="the choices to score (default: all)")
    ap.add_argument("--detect", nargs="*", default=[], metavar="KEY=VALUE",
                    help="[detect] merge_* settings for the choices (merge_dense=0.2: another reading cost)")
    args = ap.parse_args()
    res = Resources(ROOT)
    if args.doubts and args.doubts.exists():
        raw = pickle.loads(args.doubts.read_bytes())
    else:
        pre = correction.cached_pre_detect(res, args.cache, None)
        t = time.process_time()
        raw = doubts_of(res, {s: rows[:args.limit] if args.limit else rows for s, rows in pre.items()})
        print(f"detect without the budget: {time.process_time() - t:.1f} s CPU")
        if args.doubts:
            args.doubts.write_bytes(pickle.dumps(raw))
    docs = {s: [Doc(d) for d in rows] for s, rows in raw.items()}
    w = Witness(id="bench", file="x.txt", language="en", work="bench", role="original", origin="file")
    chosen = correction.configured(res, **{k: float(v) for k, v in (kv.split("=", 1) for kv in args.detect)})
    st = detect.Settings.of(Context(w, chosen, chosen.policy(w)))
    values = {}
    for f in (0, 1):  # held-out fold f: documents k % 2 != f (k: the source's number), as correction.py's heldout-f
        train = [d for rows in docs.values() for d in rows if d.k % 2 == f]
        samples = [(q.rule, q.score, budget.words(q.text), len(d.units(q.start, q.end)))
                   for d in train for q in d.queries if q.rule.startswith("detect.")]
        values[f] = budget.QueryValue(budget.fit(samples))
    print(f"{'choice':<16} {'set':<18} " + " | ".join(f"{'heldout-' + str(f):<40}" for f in (0, 1)))
    for name, make in choices(st).items():
        if args.only and name not in args.only:
            continue
        for s, rows in docs.items():
            cells = []
            for f in (0, 1):
                c = score([d for d in rows if d.k % 2 != f], make(values[f]))
                cells.append(f"flagged {c['flagged'] / max(1, c['errors']):.3f} q/100 {100 * c['queries'] / max(1, c['words']):5.2f} "
                             f"read/q {c['read'] / max(1, c['touched']):.2f} empty {c['empty'] / max(1, c['queries']):.3f} "
                             f"w/q {c['read'] / max(1, c['queries']):5.1f}")
            print(f"{name:<16} {s:<18} " + " | ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
