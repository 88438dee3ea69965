"""Word alignment of an OCR text with its ground truth.

Both texts are cut into word tokens (letters, digits, inner apostrophes) and aligned
by word-level Levenshtein (rapidfuzz). A `replace` block of n OCR words against m
gold words is one error unit: a misread word (1:1), a split word (2:1) or a
merged pair (1:2).
"""
from __future__ import annotations

from dataclasses import dataclass

import regex
from rapidfuzz.distance import Levenshtein

TOKEN = regex.compile(r"[\p{L}\d]+(?:['’]\p{L}+)*")
# longer than any word: a token detect never looks up, nor counts among a text's words (a lookup is
# super-linear in a token's length; a 4,000-letter run once took 307 s)
MAX_TOKEN = 64


@dataclass(frozen=True)
class Unit:
    """One aligned stretch: OCR tokens [o0, o1) against gold tokens [g0, g1)."""
    o0: int
    o1: int
    g0: int
    g1: int
    equal: bool


def tokens(text: str) -> list[regex.Match]:
    return list(TOKEN.finditer(text.replace("’", "'")))


def align(ocr: list[str], gold: list[str]) -> list[Unit]:
    """Aligned units, in order: equal words one by one; a run of differences paired word
    by word when both sides have as many words, else one unit (a split or a merge)."""
    out: list[Unit] = []
    run = None  # [o0, o1, g0, g1] of the current run of differences

    def flush():
        if run is None:
            return
        o0, o1, g0, g1 = run
        if o1 - o0 == g1 - g0:
            out.extend(Unit(o0 + k, o0 + k + 1, g0 + k, g0 + k + 1, False) for k in range(o1 - o0))
        else:
            out.append(Unit(o0, o1, g0, g1, False))

    for op in Levenshtein.opcodes(ocr, gold):
        if op.tag == "equal":
            flush()
            run = None
            out.extend(Unit(op.src_start + k, op.src_start + k + 1, op.dest_start + k, op.dest_start + k + 1, True)
                       for k in range(op.src_end - op.src_start))
        elif run is None:
            run = [op.src_start, op.src_end, op.dest_start, op.dest_end]
        else:
            run[1], run[3] = op.src_end, op.dest_end
    flush()
    return out
