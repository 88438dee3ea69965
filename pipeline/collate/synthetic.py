"""A second witness made from a first, with known variants: for tests and benchmarks.

`make_witness` copies paragraphs and changes some tokens, far enough apart that each
change is one variant: British -> American spellings (orthographic), altered
punctuation, capitalisation (case), substituted words (substantive), OCR
confusions (m -> rn, h -> li: ocr) and swapped word pairs (transposition). It
returns the new paragraphs and the list of changes with their kind, so a test can
check that collation finds and classifies each one.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from pipeline.collate.segment import tokenize

AMERICAN = {"labour": "labor", "centre": "center", "centres": "centers", "organised": "organized",
            "organise": "organize", "organisation": "organization", "organisations": "organizations",
            "recognised": "recognized", "realise": "realize", "realising": "realizing", "favour": "favor",
            "criticise": "criticize", "utilise": "utilize", "emphasised": "emphasized", "programme": "program",
            "defence": "defense", "travelled": "traveled", "colour": "color", "behaviour": "behavior",
            "honour": "honor", "endeavour": "endeavor", "labourers": "laborers", "favoured": "favored",
            "organising": "organizing", "realised": "realized", "recognise": "recognize"}
SUBSTITUTES = {"great": "huge", "important": "weighty", "difficult": "hard", "question": "matter",
               "workers": "labourers", "masses": "crowds", "leaders": "chiefs", "struggle": "fight",
               "power": "strength", "simple": "plain", "whole": "entire", "clear": "plain",
               "industry": "manufacture", "problems": "tasks", "country": "land", "methods": "ways"}
PUNCT_SWAP = {",": ";", ";": ",", ":": ";"}
WEIGHT = {"orthographic": 20, "substantive": 20, "punctuation": 3, "ocr": 1, "case": 0.3}  # rare kinds first
OCR = [("m", "rn"), ("h", "li"), ("d", "cl"), ("e", "c")]


@dataclass
class Change:
    """One planted variant: paragraph, base token offsets, old and new text, expected kind."""

    para: int
    start: int
    end: int
    before: str
    after: str
    kind: str


def _candidates(tok: str, kinds: list[str]) -> list[tuple[str, str]]:
    """Changes that could be planted on a token: (kind, new text)."""
    out = []
    low = tok.lower()
    if "orthographic" in kinds and low in AMERICAN and tok.islower():
        out.append(("orthographic", AMERICAN[low]))
    if "substantive" in kinds and low in SUBSTITUTES and tok.islower():
        out.append(("substantive", SUBSTITUTES[low]))
    if "punctuation" in kinds and tok in PUNCT_SWAP:
        out.append(("punctuation", PUNCT_SWAP[tok]))
    if "case" in kinds and tok.isalpha() and tok.islower() and len(tok) > 3 and tok not in AMERICAN:
        out.append(("case", tok.capitalize()))
    if "ocr" in kinds and tok.isalpha() and tok.islower() and len(tok) >= 5:
        for a, b in OCR:
            if a in tok[1:-1]:
                k = tok.index(a, 1)
                out.append(("ocr", tok[:k] + b + tok[k + 1:]))
                break
    return out


def make_witness(paragraphs: list[str], seed: int = 1, rate: float = 0.04, gap: int = 4,
                 kinds: list[str] | None = None) -> tuple[list[str], list[Change]]:
    """Copy `paragraphs` with planted variants about every 1/rate tokens, at least `gap` tokens apart."""
    kinds = kinds or ["orthographic", "substantive", "punctuation", "case", "ocr", "transposition"]
    rng = random.Random(seed)
    out_paras, changes = [], []
    for n, para in enumerate(paragraphs):
        toks = tokenize(para, n)
        pieces, pos, last = [], 0, -gap - 1
        k = 0
        while k < len(toks):
            t = toks[k]
            if k - last > gap and rng.random() < rate * 3:
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                if "transposition" in kinds and nxt is not None and t.is_word and nxt.is_word and \
                        t.text.islower() and nxt.text.islower() and t.text != nxt.text and \
                        len(t.text) > 3 and len(nxt.text) > 3 and k + 2 - last > gap and rng.random() < 0.15 and \
                        para[t.end:nxt.start] == " ":
                    pieces.append(para[pos:t.start] + f"{nxt.text} {t.text}")
                    changes.append(Change(n, t.start, nxt.end, para[t.start:nxt.end], f"{nxt.text} {t.text}",
                                          "transposition"))
                    pos, last, k = nxt.end, k + 1, k + 2
                    continue
                options = _candidates(t.text, kinds)
                if options:
                    kind, new = rng.choices(options, weights=[WEIGHT[o[0]] for o in options])[0]
                    pieces.append(para[pos:t.start] + new)
                    changes.append(Change(n, t.start, t.end, t.text, new, kind))
                    pos, last = t.end, k
            k += 1
        pieces.append(para[pos:])
        out_paras.append(re.sub(r" +", " ", "".join(pieces)))
    return out_paras, changes
