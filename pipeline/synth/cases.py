"""Layout benchmark cases: clean paragraphs from real texts, re-typeset (pipeline.synth.typeset).

Used by benchmarks/layout_bench.py and tests/test_layout_typeset.py: the same seeded cases.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.synth.typeset import Case, draw_layout, paragraphs_of, typeset

# the stages that make the layout (a layout case is scored on them)
LAYOUT_STAGES = ["decode", "columns", "layout", "notes", "hyphenation", "spacing", "typography"]


def sources(lang: str, root: Path) -> list[list[str]]:
    """Runs of clean paragraphs in a language: the edition's clean texts (root/clean/) and, for
    English, the ICDAR 2017 gold beside the project (root/../shared/benchmarks/)."""
    out = []
    ids = {"en": ["kollontai-en-dreadnought", "kollontai-en-iww", "lenin-trade-unions", "allen-documents"],
           "ru": ["kollontai-ru"]}[lang]
    for wid in ids:
        p = root / "clean" / f"{wid}.txt"
        if p.exists():
            out.append(paragraphs_of(p.read_text(encoding="utf-8")))
    icdar = root.parent / "shared" / "benchmarks" / "icdar2017_en" / "gold"
    if lang == "en" and icdar.is_dir():
        files = sorted(icdar.glob("*.txt"))[:40]
        for k in range(0, len(files), 20):  # twenty files (~6,000 words) to a source: a few books
            # a gold file is a 300-word cut: its text runs on into the next, paragraphs are made
            # at sentence ends; sentences with a hyphen are left out (the gold keeps the print's
            # line-end hyphens, "con- stantly": no truth for them)
            text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in files[k:k + 20])
            sents = [x for x in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text) if "-" not in x]
            rng = random.Random(k)
            paras: list[str] = []
            cur: list[str] = []
            for x in sents:
                cur.append(x)
                if len(cur) >= rng.randint(2, 6):
                    paras.append(" ".join(cur))
                    cur = []
            paras += [" ".join(cur)] if cur else []
            out.append(paras)
    return [s for s in out if sum(len(p.split()) for p in s) >= 2500]  # a few pages at least


def make_case(lang: str, style: str, seed: int, srcs: list[list[str]]) -> Case:
    """One typeset case: a run of paragraphs from a source (at least 25, and 2,500 words: a
    few pages, so that running heads can recur), set in `style`."""
    rng = random.Random(f"{lang}-{style}-{seed}")
    src = rng.choice(srcs)
    n = min(len(src), rng.randint(25, 60))
    i = rng.randint(0, len(src) - n)
    while sum(len(p.split()) for p in src[i:i + n]) < 2500 and (i > 0 or i + n < len(src)):
        if i + n < len(src):
            n += 1
        else:
            i -= 1
            n += 1
    paras = src[i:i + n]
    return typeset(paras, lang, seed, draw_layout(rng, style))
