#!/usr/bin/env python3
"""What are the word errors detect meets, by class, and which does it flag? Per dev set.

Every dev document is cleaned by the stages before *detect* (benchmarks/correction.py's
pre_detect; cached with --cache) and aligned with its gold word by word, as
benchmarks/correction.py scores it (pipeline/correct/align.py: word tokens, one error unit
per misread word, split or merged run). Each error unit gets one class, the first that fits:

    garble        one of at least 3 error units with at most 1 sound word between two
                  (a damaged stretch: correct/stretches.py's shape), or an n:m unit with n, m >= 2
    lost / extra  gold words with no OCR word, or OCR words with no gold word
    split         one gold word printed as two or more ("re ceived")
    glued         two or more gold words printed as one ("ofthe")
    case          only the letter case differs
    digit         a digit in the reading or the gold word
    nonword-top1  a reading detect judges a non-word whose gold word is its likeliest candidate here
    nonword-top3  ... is among its 3 likeliest candidates
    nonword-cand  ... is a candidate further down
    nonword-none  ... is no candidate (or detect leaves the unknown reading: a name, a derived form)
    realword-top1 a reading detect weighs as a real word whose gold word is its likeliest variant here
    realword-other a word (lexicon at [detect] known_zipf, or the witness's own) whose gold word is not

and whether detect fixed it (an automatic edit touches it), queried it (a query touches it),
dropped it (a doubt touches it, but the budget did not keep that doubt) or left it (never doubted),
with the query budget and without it (`--no-budget`: max_queries unbounded).
The proofreader's reading cost beside it: the words inside the queries' spans per error unit
they flag (fixed ones aside), and the share of queries whose span holds no error unit at all.
A set scored with --dehyphenate (overproof) has its gold's line-end hyphens joined first, as
measure.py joins them. Punctuation is not in word tokens: benchmarks/residual.py counts it on whitespace words.

    .venv/bin/python benchmarks/error_classes.py [--sets overproof_smh_dev] [--cache /tmp/pre.pickle]

In-sample, the shipped model has seen every dev document's confusions. `--heldout DIR` shows where an
unseen print's misread words are lost: each fold's held-out documents with the model, calibration, query
values and thresholds fitted on the other fold (kept by benchmarks/correction.py --keep DIR), per fold
and summed.

    .venv/bin/python benchmarks/correction.py --folds 2 --cache /tmp/pre.pickle --heldout-only --keep /tmp/folds
    .venv/bin/python benchmarks/error_classes.py --cache /tmp/pre.pickle --heldout /tmp/folds

`--in-sample` with `--heldout DIR` keeps the folds' documents but runs them with the shipped model, calibration
and query values: whether a fold's errors are hard for detect in themselves. With `--detail`, realword-unweighed
is split by why the gold word is no variant detect weighs (`unweighed_why`): far (two confusions or more away, or
one the model lacks), plural (a final "s" the print lost: the reading's own plural or verb form), pruned (one
confusion away, but unlikely before context and rare in the witness), rare (below realword_min_zipf), unknown (no
word of the lexicon: often the gold's own misprint), lost (a lost letter), words (several words).
"""
from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
from pipeline.context import Context, Resources  # noqa: E402
from pipeline.correct.align import align, tokens  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.stages import detect  # noqa: E402

# measure.py's --dehyphenate: a word hyphenated across a line break is joined
HYPHEN_BREAK = regex.compile(r"(\w)[-\u2010\u2011\u00ac][ \t]*\n\s*(?=\w)")
CLASSES = ("garble", "lost", "extra", "split", "glued", "case", "digit", "nonword-top1", "nonword-top3",
           "nonword-cand", "nonword-none", "realword-top1", "realword-other")
# --detail: nonword-none and realword-other split by why the gold word is not the likeliest
DETAIL = ("nonword-none-near", "nonword-none-far", "nonword-none-left", "realword-capital", "realword-unweighed",
          "realword-losing")
# --detail: realword-unweighed (the gold word is no variant detect weighs) split by why not
UNWEIGHED = ("unweighed-far", "unweighed-plural", "unweighed-pruned", "unweighed-rare", "unweighed-unknown",
             "unweighed-lost", "unweighed-words")


def _ctx(res):
    w = Witness(id="bench", file="x.txt", language="en", work="bench", role="original", origin="file")
    return Context(w, res, res.policy(w))


def rank_of(i: int, reading: str, gold: str, wt, ctx, st, names) -> str:
    """The class of a misread word as detect judges the reading: a word it leaves, a real word or a
    non-word (by the rank of the gold word among its candidates in this place)."""
    initial = reading[:1].isupper() and detect._initial(wt.text, wt.tokens.starts[i])
    v = detect._judge(reading, initial, wt, names, ctx, st)
    low = reading.lower()
    if v is None or v[0] not in ("nonword", "realword"):
        if wt.lex.zipf(low) >= st.known_zipf or wt.vocab.get(low, 0) >= st.witness_known:
            return "realword-other"
        return "nonword-none"
    kind, base, _suffix, cands, _prot, _z = v
    if not cands:
        return "nonword-none" if kind == "nonword" else "realword-other"
    keep_p = None if kind == "realword" else 10 ** (st.nonword_zipf - 9.0)
    post, _assoc = wt.posterior(i, base.lower(), keep_p, cands, shortcut=False)
    ranked = [h for h, _ in post if h]
    g = gold.lower()
    if kind == "realword":
        return "realword-top1" if ranked and ranked[0] == g else "realword-other"
    if g not in ranked:
        return "nonword-none"
    r = ranked.index(g)
    return "nonword-top1" if r == 0 else "nonword-top3" if r < 3 else "nonword-cand"


def detail_of(i: int, reading: str, gold: str, wt, ctx, st, names) -> str:
    """Why a one-word misreading is not the likeliest correction (`--detail`): the residual classes."""
    from rapidfuzz.distance import Levenshtein
    c = rank_of(i, reading, gold, wt, ctx, st, names)
    low, g = reading.lower(), gold.lower()
    if c == "realword-other":
        initial = reading[:1].isupper() and detect._initial(wt.text, wt.tokens.starts[i])
        if reading[:1].isupper() and not initial:
            return "realword-capital"  # a capitalised word inside a sentence: taken for a name
        if g not in dict(wt.realword_variants(low)):
            return unweighed_why(low, g, wt, st)  # the gold word is not one likely confusion away
        return "realword-losing"
    if c == "nonword-none":
        if reading[:1].isupper() and not (reading[:1].isupper() and detect._initial(wt.text, wt.tokens.starts[i])) \
                and detect._judge(reading, False, wt, names, ctx, st) is None:
            return "nonword-none-left"  # unknown, but left (a name, a derived form)
        d = Levenshtein.distance(low, g)
        return "nonword-none-near" if d <= 2 else "nonword-none-far"
    return c


def unweighed_why(low: str, g: str, wt, st) -> str:
    """Why the gold word of a real-word misreading is no variant detect weighs: two confusions or more
    (or one the model lacks) away (far); the reading's own plural or verb form, a final "s" the print lost,
    which lost_variants leaves out (plural); one confusion away but unlikely before context and rare in
    the witness (pruned); rarer than [detect] realword_min_zipf (rare); no word of the lexicon (unknown);
    a lost letter, not weighed beside the reading's confusions (lost); several words (words)."""
    from pipeline.correct import candidates
    if " " in g or " " in low:
        return "unweighed-words"
    live = {w: (cost, margin) for w, cost, margin in candidates._realword_live(low, wt.lex, wt.model, 0.0, 99.0)}
    if g in live:
        cost, margin = live[g]
        if wt.lex.zipf(g) < st.realword_min_zipf:
            return "unweighed-rare"
        return "unweighed-pruned" if cost <= st.max_cost else "unweighed-far"
    if g == low + "s" or g == low + "'s":
        return "unweighed-plural"
    if g in {w for w, _c, _m in candidates._lost_live(low, wt.lex, wt.model, 0.0, 99.0)}:
        return "unweighed-lost"
    return "unweighed-unknown" if wt.lex.zipf(g) < st.known_zipf else "unweighed-far"


def touched_words(o: list, spans) -> set[int]:
    """The indexes of the OCR words (`o`: tokens' matches, in order) that the spans (start, end) touch
    (an empty span touches the word it falls in)."""
    starts = [m.start() for m in o]
    out = set()
    for a, b in spans:
        k = bisect.bisect_right(starts, a) - 1
        if k < 0 or a >= o[k].end():
            k += 1
        while 0 <= k < len(o) and o[k].start() < max(b, a + 1):
            out.add(k)
            k += 1
    return out


def classify_doc(text: str, gold: str, result, res, st, detail: bool = False,
                 doubts=None) -> list[tuple[str, str, str]]:
    """(class, fate, example) of every error unit of one document (`detail`: a one-word misreading
    inside a damaged stretch gets its word's class, and the residual classes are split further).
    With `doubts` (detect's queries without the budget), a unit neither fixed nor queried that a doubt
    touches is "dropped" (the budget did not keep it), the others "left" (never doubted)."""
    ctx = _ctx(res)
    wt = detect._Witness(text, ctx, st)
    names = detect._name_index(ctx)
    o = tokens(text)
    ow = [m.group() for m in o]
    g = [m.group() for m in tokens(gold)]
    units = align(ow, g)

    def touched(spans):
        return touched_words(o, spans)
    fixed = touched([(e.start, e.end) for e in result.edits])
    asked = touched([(q.start, q.end) for q in result.queries if q.rule.startswith("detect.")])
    doubted = touched([(q.start, q.end) for q in doubts or () if q.rule.startswith("detect.")])
    bad = [k for k, u in enumerate(units) if not u.equal]
    # damaged stretches: runs of error units with at most one sound unit between two
    in_run = set()
    run = []
    for k in bad:
        if run and k - run[-1] > 2:
            if len(run) >= 3:
                in_run.update(run)
            run = []
        run.append(k)
    if len(run) >= 3:
        in_run.update(run)
    out = []
    for k in bad:
        u = units[k]
        n, m = u.o1 - u.o0, u.g1 - u.g0
        cs, gs = ow[u.o0:u.o1], g[u.g0:u.g1]
        if (k in in_run and not (detail and n == 1 and m == 1)) or (n >= 2 and m >= 2):
            c = "garble"
        elif n == 0:
            c = "lost"
        elif m == 0:
            c = "extra"
        elif n > 1:
            c = "split" if "".join(cs).lower() == gs[0].lower() else "garble"
        elif m > 1:
            c = "glued" if cs[0].lower() == "".join(gs).lower() else "garble"
        else:
            r, gw = cs[0], gs[0]
            low = r.lower()
            if low == gw.lower():
                c = "case"
            elif any(ch.isdigit() for ch in r + gw):
                c = "digit"
            else:
                c = (detail_of if detail else rank_of)(u.o0, r, gw, wt, ctx, st, names)
        ks = range(u.o0, u.o1)
        fate = "fixed" if any(x in fixed for x in ks) else "queried" if any(x in asked for x in ks) \
            else "dropped" if any(x in doubted for x in ks) else "left"
        out.append((c, fate, f"{' '.join(cs)} -> {' '.join(gs)}"))
    return out


def reading_cost(text: str, gold: str, result, doubts=None) -> tuple[int, int, int, int, int]:
    """(queries, words inside their spans, error units they touch, queries touching none, error units
    the doubts inside them touch) of one document; `doubts`: the queries of detect without the budget,
    each doubt its own (a query's doubts are those inside its span; the other error units it touches,
    it touches only by spanning the sound words between them)."""
    o = tokens(text)
    units = align([m.group() for m in o], [m.group() for m in tokens(gold)])
    bad = bytearray(len(o))
    for u in units:
        if not u.equal:
            for k in range(u.o0, u.o1):
                bad[k] = 1
    unit_at = {k: u.o0 for u in units if not u.equal for k in range(u.o0, u.o1)}
    starts = [m.start() for m in o]
    n = read = empty = 0
    hit: set[int] = set()

    def touched(q) -> set[int]:
        nonlocal read
        k = max(0, bisect.bisect_right(starts, q.start) - 1)
        if k < len(o) and o[k].end() <= q.start:
            k += 1
        own = set()
        while k < len(o) and o[k].start() < max(q.end, q.start + 1):
            read += 1
            if bad[k]:
                own.add(unit_at[k])
            k += 1
        return own

    spans = []
    for q in result.queries:
        if not q.rule.startswith("detect."):
            continue
        n += 1
        own = touched(q)
        empty += not own
        hit |= own
        spans.append((q.start, q.end))
    inside: set[int] = set()
    if doubts is not None:
        spans.sort()
        words_read = read
        for d in doubts:
            k = bisect.bisect_right(spans, (d.start, float("inf"))) - 1
            if d.rule.startswith("detect.") and k >= 0 and spans[k][0] <= d.start and d.end <= spans[k][1]:
                inside |= touched(d)
        read = words_read
    return n, read, len(hit), empty, len(inside)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(correction.SETS))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (made if missing)")
    ap.add_argument("--examples", type=int, default=0)
    ap.add_argument("--detail", action="store_true", help="one-word misreadings in damaged stretches by their "
                    "word's class, and the residual classes split (why the gold word is not the likeliest)")
    ap.add_argument("--no-budget", action="store_true", help="queries without the per-100-words budget")
    ap.add_argument("--detect", nargs="*", default=[], metavar="KEY=VALUE",
                    help="[detect] settings over config/pipeline.toml's (to compare a setting)")
    ap.add_argument("--heldout", type=Path, default=None, help="the folds kept by correction.py --keep DIR: each "
                    "fold's held-out documents with the model, calibration, query values and thresholds learned on "
                    "the others (an unseen print's classes), then summed over the folds")
    ap.add_argument("--in-sample", action="store_true", help="with --heldout DIR: each fold's documents as DIR "
                    "deals them, but with the shipped model, calibration, query values and thresholds (whether a "
                    "fold's errors are hard for detect in themselves, not only unseen)")
    args = ap.parse_args()
    base = Resources(ROOT)
    pre = correction.cached_pre_detect(base, args.cache, args.limit)
    over = {k: float(v) for k, v in (kv.split("=", 1) for kv in args.detect)}
    if args.heldout is None:
        for s in args.sets:
            print_counts(s, *classes(args, base, pre[s], s, over), args)
        return 0
    folds = sorted(d for d in args.heldout.iterdir() if (d / "docs.json").exists())
    if not folds:
        raise SystemExit(f"{args.heldout}: no fold kept (benchmarks/correction.py --keep {args.heldout})")
    summed = {s: (Counter(), defaultdict(list)) for s in args.sets}
    for d in folds:
        docs = json.loads((d / "docs.json").read_text(encoding="utf-8"))
        if args.in_sample:
            thr = {}
            print(f"\n#### {d.name}: its documents, with the shipped model, calibration, query values, thresholds")
        else:
            correction.use_data(d / "ocr_model.json", d / "ocr_calibration.json", d / "query_value.json")
            thr = json.loads((d / "thresholds.json").read_text(encoding="utf-8"))
            print(f"\n#### {d.name}: its held-out documents, with what was learned on the others")
        for s in args.sets:
            held = set(docs.get(s, ()))
            counts, examples = classes(args, base, [row for row in pre[s] if row[1] in held], s, {**thr, **over})
            print_counts(s, counts, examples, args)
            summed[s][0].update(counts)
            for c, shown in examples.items():
                summed[s][1][c].extend(shown)
    print("\n#### every fold: each document " + ("once, in-sample" if args.in_sample else "held out once"))
    for s in args.sets:
        print_counts(s, *summed[s], args)
    return 0


def classes(args, base, rows, s: str, over: dict) -> tuple[Counter, dict[str, list[str]]]:
    """The error units of one set's documents (`rows`) by (class, fate), with the words, queries and
    reading cost ("#..." keys); and by class, the first examples of units left."""
    res = correction.configured(base, **over, **({"max_queries": 1e9} if args.no_budget else {})) if over \
        or args.no_budget else base
    st = detect.Settings.of(_ctx(res))
    # each doubt its own query, without the budget: which error units the doubts inside a query touch
    alone = correction.configured(res, max_queries=1e9, merge_gap=-1) if st.merge_gap >= 0 else None
    counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    cost = [0, 0, 0, 0, 0]  # queries, words read in them, error units they touch, queries on none, ... their doubts touch
    for _k, _name, text, gold in rows[:args.limit] if args.limit else rows:
        if "--dehyphenate" in correction.SETS[s]:  # as the set is scored: the print's line-end hyphens joined
            gold = HYPHEN_BREAK.sub(r"\1", gold)
        r, _post = correction.run_detect(res, text)
        counts["#words"] += len(tokens(text))
        counts["#queries"] += sum(1 for q in r.queries if q.rule.startswith("detect."))
        doubts = correction.run_detect(alone, text)[0].queries if alone is not None else None
        cost = [a + b for a, b in zip(cost, reading_cost(text, gold, r, doubts))]
        for c, fate, ex in classify_doc(text, gold, r, res, st, args.detail, doubts):
            counts[(c, fate)] += 1
            counts[c] += 1
            if fate == "left" and len(examples[c]) < args.examples:
                examples[c].append(ex)
    counts.update({f"#cost{j}": v for j, v in enumerate(cost)})
    counts["#alone"] = int(alone is not None)
    return counts, examples


def print_counts(s: str, counts: Counter, examples: dict[str, list[str]], args) -> None:
    words, queries, alone = counts["#words"], counts["#queries"], bool(counts["#alone"])
    cost = [counts[f"#cost{j}"] for j in range(5)]
    total = sum(counts[c] for c in CLASSES + DETAIL + UNWEIGHED)
    print(f"\n== {s}: {words} words, {total} error units, {100 * queries / max(1, words):.2f} queries/100 words"
          f"{' (no budget)' if args.no_budget else ''}")
    print(f"  {'class':<14} {'units':>6} {'share':>6} {'fixed':>6} {'queried':>7} {'dropped':>7} {'left':>6}")
    for c in CLASSES + DETAIL + UNWEIGHED:
        n = counts[c]
        if not n:
            continue
        shown = examples.get(c, [])[:args.examples]
        print(f"  {c:<14} {n:>6} {100 * n / total:>5.1f}% {counts[(c, 'fixed')]:>6} {counts[(c, 'queried')]:>7} "
              f"{counts[(c, 'dropped')]:>7} {counts[(c, 'left')]:>6}   " + " | ".join(shown))
    fl = sum(counts[(c, f)] for c in CLASSES + DETAIL + UNWEIGHED for f in ("fixed", "queried"))
    dropped = sum(counts[(c, "dropped")] for c in CLASSES + DETAIL + UNWEIGHED)
    print(f"  {'all':<14} {total:>6} {100.0:>5.1f}% flagged {fl} = {100 * fl / max(1, total):.1f}%"
          + (f"; doubted but not kept by the budget {dropped} = {100 * dropped / max(1, total):.1f}%, never "
             f"doubted {total - fl - dropped} = {100 * (total - fl - dropped) / max(1, total):.1f}%"
             if alone else ""))
    print(f"  reading: {cost[1]} words in {cost[0]} queries, {cost[1] / max(1, cost[2]):.2f} words per error unit "
          f"they touch ({cost[2]}), {100 * cost[3] / max(1, cost[0]):.1f}% of the queries on no error"
          + (f"; the doubts inside them touch {cost[4]}" if alone else ""))


if __name__ == "__main__":
    raise SystemExit(main())
