#!/usr/bin/env python3
"""Layout benchmark: clean paragraphs re-typeset many ways, cleaned, scored against the truth.

Sources: the edition's clean texts (clean/*.txt, one paragraph per line) and, for
English, the ICDAR 2017 gold text (cut into paragraphs at sentence ends). Each case
takes a run of paragraphs and sets them with pipeline.synth.typeset: a paragraph
style, a random width, page length, running heads (also alternating), page numbers
(head or foot; plain, "- 12 -", "Page 12", roman), line-end hyphens from pyphen and
at compounds' own hyphens, words split across pages, page-foot notes. The cleaned
text (as `edition clean FILE` makes it: the [files] policy) is scored with
pipeline.synth.score: paragraph-boundary F1, furniture words left, line-end hyphens
rebuilt exactly, WER.

    .venv/bin/python benchmarks/layout_bench.py                # 6 seeds per style and language
    .venv/bin/python benchmarks/layout_bench.py --seeds 2 --json
    .venv/bin/python benchmarks/layout_bench.py --speed        # the stage's CPU time on the corpus
    .venv/bin/python benchmarks/layout_bench.py --langs en --noise 0.06 --all-stages   # re-typeset and OCR-damaged
    .venv/bin/python benchmarks/layout_bench.py --langs ru --text some_clean_book.txt   # any clean text instead

`--text`: clean texts nobody here wrote instead of the corpus's (a paragraph a line, or blank-line separated;
each file a source, cut into sources of ~6,000 words), in the one language of --langs. Measured so (not
committed; 2026-12-02, 12 seeds a style; para F1 by style, worst WER): Debian's English fortunes (140,154 words,
backspace underlining taken out) F1 0.860 (flush) - 0.987, WER <= 0.075 %; the King James Bible (Debian's
bible-kjv: Genesis, Exodus, Judges, 1 Samuel, Luke, Acts) 0.960 - 0.998, <= 0.011 %; State of the Union 1850-1899
(521,589 words) 0.960 - 1.000, <= 0.034 %; Moby-Dick 0.955 - 0.999, <= 0.034 %; fortunes-ru 0.817 (flush) -
0.991, <= 0.330 % (short-last: groups of aphorisms signed "-- Author", whose paragraph ends a full line hides).
OCR-damaged (--noise 0.06 --all-stages, 6 seeds): no furniture word left in any of them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.synth.score import Score, score  # noqa: E402
from pipeline.synth.cases import LAYOUT_STAGES, make_case, sources  # noqa: E402
from pipeline.synth.typeset import STYLES, blocks_of  # noqa: E402


def resources(stages: list[str]) -> Resources:
    return Resources(ROOT).with_stages(stages)


def clean_case(case, lang: str, res: Resources) -> str:
    w = Witness(id="bench", file="bench.txt", language=lang, work="bench", role="original", origin="file")
    return clean_witness(case.text, w, res).text


def corpus_speed() -> dict:
    """The stage *layout* on the corpus's witnesses as `edition run` gives them to it (the text
    after the stages before it): CPU seconds per witness, and the share spent finding running
    heads and page numbers (find_furniture: fuzzy clustering of short lines)."""
    import time
    from pipeline.context import Context
    from pipeline.run import run_stages
    from pipeline.sources import decode_bytes
    from pipeline.stages import layout
    from pipeline.witnesses import load_corpus
    corpus = load_corpus(ROOT / "raw")
    res = Resources(ROOT)
    spent = [0.0]
    find = layout.find_furniture

    def timed(lines):
        c = time.process_time()
        try:
            return find(lines)
        finally:
            spent[0] += time.process_time() - c
    layout.find_furniture = timed
    out = {}
    try:
        for w in corpus.witnesses:
            raw = decode_bytes(corpus.path(w).read_bytes(), w.file)[0]
            text = run_stages(raw, w, res, upto="layout").doc.text
            ctx = Context(w, res, res.policy(w))
            spent[0] = 0.0
            c = time.process_time()
            layout.run(text, ctx)
            out[w.id] = {"chars": len(text), "cpu": time.process_time() - c, "find_furniture": spent[0]}
    finally:
        layout.find_furniture = find
    return out


def text_sources(paths: list[Path], words: int = 6000) -> list[list[str]]:
    """Runs of paragraphs of clean texts (pipeline.synth.typeset.blocks_of), ~`words` words a run."""
    out = []
    for path in paths:
        run: list[str] = []
        n = 0
        for b in blocks_of(path.read_text(encoding="utf-8")):
            run.append(b)
            n += len(b.split())
            if n >= words:
                out.append(run)
                run, n = [], 0
        if n >= 2500:
            out.append(run)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--langs", nargs="*", default=["en", "ru"])
    ap.add_argument("--styles", nargs="*", default=list(STYLES))
    ap.add_argument("--all-stages", action="store_true", help="every configured stage (default: decode..typography)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each case's score")
    ap.add_argument("--speed", action="store_true", help="only the stage's CPU time on the corpus's witnesses")
    ap.add_argument("--text", type=Path, nargs="*", help="clean texts to re-typeset instead of the corpus's")
    ap.add_argument("--noise", type=float, default=0.0, metavar="RATE",
                    help="cases damaged as OCR reads them: RATE of the body's longer words given a confusion of the OCR "
                         "model (Cyrillic: learned from scanned pages), the running heads a capital misread 3 times in 10 "
                         "(pipeline.synth.noise; "
                         "with --all-stages, so that detection mends the words)")
    args = ap.parse_args()
    if args.speed:
        sp = corpus_speed()
        for wid, r in sp.items():
            print(f"{wid:<28} {r['chars']:>8} chars  {r['cpu']:6.3f} s CPU  (find_furniture {r['find_furniture']:.3f} s)")
        print(f"{'all':<28} {sum(r['chars'] for r in sp.values()):>8} chars  {sum(r['cpu'] for r in sp.values()):6.3f} s CPU  "
              f"(find_furniture {sum(r['find_furniture'] for r in sp.values()):.3f} s)")
        return 0
    res = Resources(ROOT) if args.all_stages else resources(LAYOUT_STAGES)
    rows = []
    for lang in args.langs:
        srcs = text_sources(args.text) if args.text else sources(lang, ROOT)
        for style in args.styles:
            total = Score(0, 0, 0, 0, 0, 0, 0, 0)
            for seed in range(args.seeds):
                case = make_case(lang, style, seed, srcs)
                if args.noise:  # (Russian: the model's Cyrillic confusions)
                    import random
                    from dataclasses import replace

                    from pipeline.correct.model import shared as ocr_model
                    from pipeline.synth.noise import damage_lines
                    case = replace(case, text=damage_lines(case.text, case.furniture, random.Random(seed), ocr_model(),
                                                           args.noise))
                s = score(case, clean_case(case, lang, res))
                if args.show:
                    print(lang, style, seed, case.layout, f"F1 {s.f1:.3f} furn {s.furniture_left} "
                          f"hyph {s.hyphens_exact}/{s.hyphens} WER {100 * s.wer:.2f}", file=sys.stderr)
                total = total + s
            rows.append({"lang": lang, "style": style, "cases": args.seeds, "paragraph_f1": round(total.f1, 4),
                         "furniture_left": total.furniture_left, "hyphens": total.hyphens,
                         "hyphens_exact_pct": round(100 * total.hyphens_exact / max(1, total.hyphens), 2),
                         "wer_pct": round(100 * total.wer, 3)})
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'lang':<4} {'style':<11} {'cases':>5} {'para F1':>8} {'furn.left':>9} {'hyph exact':>14} {'WER %':>7}")
    for r in rows:
        print(f"{r['lang']:<4} {r['style']:<11} {r['cases']:>5} {r['paragraph_f1']:>8.3f} {r['furniture_left']:>9} "
              f"{r['hyphens_exact_pct']:>7.2f}% of {r['hyphens']:<4} {r['wer_pct']:>7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
