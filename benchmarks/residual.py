#!/usr/bin/env python3
"""Where are the word errors the pipeline leaves? Residual errors of the dev sets by kind.

Every dev document is cleaned by the stages before *detect* (cached in a temporary
pickle with --cache), then by detect; the result is normalised as measure.py scores it
(folded quotes, collapsed whitespace, overproof --dehyphenate) and aligned with the gold
word by word (whitespace tokens, as measure.py's WER counts them). Each residual error:

    split        one gold word printed as several ("tbe re" for "there")
    merge        several gold words printed as one ("ofthe")
    other-n:m    longer damaged stretches (lines lost or added)
    case         only the letter case differs
    punct        only the punctuation glued to the word differs
    digit        a digit on either side
    nonword-fixable / nonword-hopeless    a non-word not flagged by detect; fixable: the gold word
                 is one of detect's candidates for it
    nonword-queried   a non-word detect queried (not fixed)
    realword     the reading is a word of the lexicon (or the witness): a real-word error
    ... with "+punct" when the punctuation differs as well

    .venv/bin/python benchmarks/residual.py [--limit N] [--cache /tmp/pre.pickle] [--examples K]
"""
from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import regex
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import correction  # noqa: E402
from pipeline.context import Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.context import Context  # noqa: E402
from pipeline.stages import detect  # noqa: E402

FOLD = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                      "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00a0": " "})
HYPHEN_BREAK = regex.compile(r"(\w)[-\u2010\u2011\u00ac][ \t]*\n\s*(?=\w)")
CORE = detect.TOKEN


def normalise(text: str, dehyphenate: bool) -> list[str]:
    text = unicodedata.normalize("NFKC", text).translate(FOLD)
    if dehyphenate:
        text = HYPHEN_BREAK.sub(r"\1", text)
    return text.split()


def core(tok: str) -> str:
    return "".join(m.group() for m in CORE.finditer(tok))


def classify(c: str, g: str, wt, queried: set[str]) -> str:
    if c.lower() == g.lower():
        return "case"
    cc, gc = core(c), core(g)
    punct = "+punct" if c.replace(cc, "", 1) != g.replace(gc, "", 1) else ""
    if cc == gc:
        return "punct"
    if cc.lower() == gc.lower():
        return "case" + punct
    if any(ch.isdigit() for ch in cc + gc):
        return "digit" + punct
    if not cc:
        return "nonword-hopeless" + punct
    low = cc.lower().replace("’", "'")
    known = wt.lex.zipf(low) >= wt.st.known_zipf or wt.vocab.get(low, 0) >= wt.st.witness_known or \
        wt.lex.derived(cc)
    if known:
        return "realword" + punct
    if cc in queried:
        return "nonword-queried" + punct
    cands = wt.candidates(cc) if len(cc) <= detect.MAX_TOKEN else {}
    return ("nonword-fixable" if gc.lower() in cands else "nonword-hopeless") + punct


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the pre-detect texts (made if missing)")
    ap.add_argument("--examples", type=int, default=0)
    args = ap.parse_args()
    res = Resources(ROOT)
    pre = correction.cached_pre_detect(res, args.cache, args.limit)
    for s, docs in pre.items():
        deh = "--dehyphenate" in correction.SETS[s]
        kinds: Counter = Counter()
        examples = defaultdict(list)
        words = errs_pre = 0
        for k, name, text, gold in docs[:args.limit] if args.limit else docs:
            r, post = correction.run_detect(res, text)
            w = Witness(id="bench", file="x.txt", language="en", work="bench", role="original", origin="file")
            wt = detect._Witness(post, Context(w, res, res.policy(w)), detect.Settings.of(Context(w, res, res.policy(w))))
            # a query's words (a split, a glued pair or a damaged stretch asks about several at once)
            queried = {q.text for q in r.queries} | {m.group() for q in r.queries for m in CORE.finditer(q.text)}
            g = normalise(gold, deh)
            words += len(g)
            errs_pre += Levenshtein.distance(normalise(text, deh), g)
            c = normalise(post, deh)
            for op in Levenshtein.opcodes(c, g):
                if op.tag == "equal":
                    continue
                n, m = op.src_end - op.src_start, op.dest_end - op.dest_start
                cs, gs = c[op.src_start:op.src_end], g[op.dest_start:op.dest_end]
                if op.tag == "replace" and n == m:
                    for a, b in zip(cs, gs):
                        kind = classify(a, b, wt, queried)
                        kinds[kind] += 1
                        examples[kind].append(f"{a} -> {b}")
                    continue
                if op.tag == "delete":
                    kind = "extra-word"
                elif op.tag == "insert":
                    kind = "lost-word"
                elif n > m and m >= 1 and "".join(map(core, cs)).lower() == "".join(map(core, gs)).lower():
                    kind = "split"
                elif m > n and n >= 1 and "".join(map(core, cs)).lower() == "".join(map(core, gs)).lower():
                    kind = "merge"
                elif n > m:
                    kind = "split-garbled"
                else:
                    kind = "merge-garbled"
                kinds[kind] += max(n, m)
                examples[kind].append(f"{' '.join(cs)} -> {' '.join(gs)}")
        total = sum(kinds.values())
        print(f"\n== {s}: {words} gold words, word edits before detect {errs_pre}, "
              f"residual errors counted {total}")
        for kind, n in kinds.most_common():
            print(f"  {kind:<26} {n:>6} {100 * n / total:5.1f} %   " + " | ".join(examples[kind][:args.examples]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
