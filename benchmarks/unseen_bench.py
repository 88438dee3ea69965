#!/usr/bin/env python3
"""Unseen benchmark: texts nobody here wrote, damaged in ways the seed texts are not.

Each case in benchmarks/unseen/ is a raw file (<case>.raw.txt) and its truth (<case>.truth.txt,
as the edition writes a clean text: a paragraph per line, a blank line between, notes
"[^n]: ..." at the end); benchmarks/unseen/README.md says where the text comes from and what
damage each case holds. A case is cleaned as `edition clean FILE --lang en` cleans a file (the
[files] policy), by the layout stages (decode .. typography; --all-stages: every configured
stage), and scored with pipeline.synth.score: paragraph-boundary F1 and WER of the running
text (markers "[^n]" are words of it), and the truth's notes found word for word.

    .venv/bin/python benchmarks/unseen_bench.py
    .venv/bin/python benchmarks/unseen_bench.py --json
    .venv/bin/python benchmarks/unseen_bench.py --show drop-cap     # a case's clean text
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
from pipeline.synth.cases import LAYOUT_STAGES  # noqa: E402
from pipeline.synth.score import Score, score  # noqa: E402
from pipeline.synth.typeset import Case  # noqa: E402
from pipeline.synth.unseen import load, names, notes_found  # noqa: E402

def resources(all_stages: bool = False) -> Resources:
    return Resources(ROOT) if all_stages else Resources(ROOT).with_stages(LAYOUT_STAGES)


def clean(case: Case, res: Resources, lang: str = "en"):
    """The cleaned witness (its .text, .changes ...), as `edition clean FILE` makes it."""
    w = Witness(id="unseen", file="unseen.txt", language=lang, work="unseen", role="original", origin="file")
    return clean_witness(case.text, w, res)


def run(all_stages: bool = False, only: list[str] | None = None) -> list[dict]:
    res = resources(all_stages)
    rows = []
    for name in only or names():
        case = load(name)
        text = clean(case, res).text
        s: Score = score(case, text)
        rows.append({"case": name, "paragraphs": len(case.paragraphs), "paragraph_f1": round(s.f1, 4),
                     "wer_pct": round(100 * s.wer, 2), "notes": len(case.notes),
                     "notes_found": notes_found(case, text)})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help="case names (default: every case in benchmarks/unseen/)")
    ap.add_argument("--all-stages", action="store_true", help="every configured stage (default: decode..typography)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", metavar="CASE", help="print this case's clean text")
    args = ap.parse_args()
    if args.show:
        print(clean(load(args.show), resources(args.all_stages)).text, end="")
        return 0
    rows = run(args.all_stages, args.cases or None)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'case':<24} {'paras':>5} {'para F1':>8} {'WER %':>7} {'notes':>9}")
    for r in rows:
        print(f"{r['case']:<24} {r['paragraphs']:>5} {r['paragraph_f1']:>8.3f} {r['wer_pct']:>7.2f} "
              f"{r['notes_found']:>4} of {r['notes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
