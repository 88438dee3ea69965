"""Classifying a variant: how two readings of one passage differ.

Kinds, from the least to the most significant (a variant gets the most
significant kind any of its readings shows against the base reading):

* ``punctuation``: only punctuation differs;
* ``case``: the same words, capitalised differently;
* ``orthographic``: the same words spelt another way (centre/center, labour/labor,
  organise/organize, to-day/today, travelled/traveled; Russian ё/е and the pre-1918
  spelling: оппозиціи/оппозиции, союзовъ/союзов);
* ``ocr``: a word a cheap OCR confusion away (rn/m, cl/d, li/h, e/c, 1/l, ...);
* ``transposition``: the same words in another order;
* ``substantive``: different words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

KINDS = ["punctuation", "case", "orthographic", "ocr", "transposition", "substantive"]
RANK = {k: i for i, k in enumerate(KINDS)}
INDEL = 1.25  # an OCR engine more often misreads a letter than loses or invents one

# British -> American (and older -> modern) spelling patterns, applied to a lowercased word
_ORTHO_RULES = [
    (re.compile(r"(?<=\w\w)our(s|ed|ing|ite|ites|able|er|ers|ful|less|ism)?$"), r"or\1"),
    (re.compile(r"(?<=\w\w[^aeiou])(t|b)re(s)?$"), r"\1er\2"),
    (re.compile(r"(?<=\w\w[^aeiou])(t|b)red$"), r"\1ered"),
    (re.compile(r"(?<=\w\w\w)is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w\w)ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w\w\w[ea])ll(ed|ing|er|ers|ors?)$"), r"l\1"),
    (re.compile(r"(?<=\w\w)ogue(s)?$"), r"og\1"),
    (re.compile(r"(?<=\w\w)(f|c)ence(s)?$"), r"\1ense\2"),
    (re.compile(r"(?<=\w\w\w)mme(s)?$"), r"m\1"),
    (re.compile(r"(?<=\w\w)gement(s)?$"), r"gment\1"),
    (re.compile(r"(?<=\w\w)xion(s)?$"), r"ction\1"),
]
_ORTHO_WORDS = {"grey": "gray", "shew": "show", "shewn": "shown", "shewed": "showed", "whilst": "while",
                "amongst": "among", "practise": "practice", "licence": "license", "tyre": "tire",
                "kerb": "curb", "cheque": "check", "gaol": "jail", "plough": "plow"}
_RU_ORTHO = str.maketrans({"ё": "е", "ѣ": "е", "і": "и", "ѳ": "ф", "ѵ": "и"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})

@lru_cache(maxsize=200_000)
def ortho_key(word: str) -> str:
    """A word reduced to a spelling-neutral form: lowercased, American spelling, no hyphens."""
    w = unicodedata.normalize("NFC", word).translate(_APOSTROPHES).lower()
    if not w or not w[0].isalpha():
        return w
    w = w.replace("-", "")
    if "а" <= w[0] <= "я" or w[0] in "ёѣіѳѵ":  # Russian: ё, and the pre-1918 spelling (ѣ, і, ѳ, ѵ, final ъ)
        w = w.translate(_RU_ORTHO)
        return w[:-1] if len(w) > 1 and w.endswith("ъ") else w
    w = _ORTHO_WORDS.get(w, w)
    for rx, rep in _ORTHO_RULES:
        if rx.search(w) is None:  # most rules do not apply: a search is cheap, sub() expands its template first
            continue
        w2 = rx.sub(rep, w)
        if w2 != w:
            return w2
    return w


def is_punct(tok: str) -> bool:
    """True for a punctuation token."""
    return bool(tok) and not (tok[0].isalnum() or tok[0] == "_" or tok.startswith("[^"))


def ocr_cost(a: str, b: str) -> float:
    """How unlikely OCR makes one reading of the other: -log10 P under the learned OCR error
    model (pipeline/correct/model.py), whichever witness is the damaged one ("rn"/"m" about
    1.4, "e"/"c" about 2, an edit the model has not seen about 4)."""
    if a == b:
        return 0.0
    if abs(len(a) - len(b)) > 3 or len(a) > 40 or len(b) > 40:
        return 99.0
    from pipeline.correct.model import shared
    model = shared()
    return min(model.channel(a, b), model.channel(b, a))


def is_ocr_like(a: str, b: str) -> bool:
    """A likely misreading: letters misread, not lost or added ("worker"/"workers", "here"/"there"
    are other words); one edit of any kind in a short word, in a longer one one more that the
    model knows as a common confusion."""
    if not a or not b:
        return False
    shortest = min(len(a), len(b))
    if shortest < 3:
        return False
    k = 0
    while k < shortest and a[k] == b[k]:
        k += 1
    j = 0
    while j < shortest - k and a[-1 - j] == b[-1 - j]:
        j += 1
    if k + j >= shortest:
        return False  # one reading is the other with letters lost: a different form
    from pipeline.correct.model import shared
    unseen = shared().unseen
    limit = unseen + 0.01 if shortest < 8 else unseen + 2.5
    return ocr_cost(a, b) <= limit


def _words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if not is_punct(t)]


def classify_pair(base: list[str], other: list[str]) -> str:
    """The kind of difference between two readings, each a list of tokens."""
    if base == other:
        return "punctuation"  # identical: never asked in practice
    wa, wb = _words(base), _words(other)
    if wa == wb:
        return "punctuation"
    if [w.lower() for w in wa] == [w.lower() for w in wb]:
        return "case"
    ka, kb = [ortho_key(w) for w in wa], [ortho_key(w) for w in wb]
    if ka == kb or "".join(ka) == "".join(kb):
        return "orthographic"
    if ka and len(ka) > 1 and sorted(ka) == sorted(kb):
        return "transposition"
    if len(wa) == len(wb) and wa:
        diffs = [(x, y) for x, y, kx, ky in zip(wa, wb, ka, kb) if kx != ky]
        if diffs and all(is_ocr_like(x, y) for x, y in diffs):
            return "ocr"
    return "substantive"


def classify_readings(base: list[str], others: list[list[str]]) -> str:
    """The most significant kind among the other readings' differences from the base."""
    kinds = [classify_pair(base, o) for o in others if o != base]
    return max(kinds, key=RANK.__getitem__) if kinds else "punctuation"
