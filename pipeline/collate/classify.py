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

# OCR confusions: (seen, meant) pairs that cost less than an ordinary edit
_CONFUSIONS = {("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"), ("ii", "u"),
               ("u", "ii"), ("vv", "w"), ("w", "vv"), ("ri", "n"), ("n", "ri"), ("in", "m"), ("m", "in"),
               ("l", "1"), ("1", "l"), ("I", "l"), ("l", "I"), ("1", "I"), ("I", "1"), ("O", "0"), ("0", "O"),
               ("o", "0"), ("0", "o"), ("e", "c"), ("c", "e"), ("h", "b"), ("b", "h"), ("n", "u"), ("u", "n"),
               ("f", "t"), ("t", "f"), ("a", "o"), ("o", "a"), ("i", "l"), ("l", "i"), ("S", "5"), ("5", "S"),
               ("s", "a"), ("e", "o"), ("o", "e"), ("c", "o"), ("o", "c"), ("t", "l"), ("l", "t"), ("fi", "h"),
               ("ll", "U"), ("U", "ll"), ("ni", "m"), ("m", "ni"), ("iu", "m"), ("r", "t"), ("t", "r")}


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
        w2 = rx.sub(rep, w)
        if w2 != w:
            return w2
    return w


def is_punct(tok: str) -> bool:
    """True for a punctuation token."""
    return bool(tok) and not (tok[0].isalnum() or tok[0] == "_" or tok.startswith("[^"))


def ocr_cost(a: str, b: str) -> float:
    """Weighted edit distance: known OCR confusions cost 0.5, a substitution 1, a lost or extra letter 1.25."""
    if a == b:
        return 0.0
    if abs(len(a) - len(b)) > 3 or len(a) > 40 or len(b) > 40:
        return 99.0
    n, m = len(a), len(b)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i * INDEL
    for j in range(m + 1):
        d[0][j] = j * INDEL
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = min(d[i - 1][j] + INDEL, d[i][j - 1] + INDEL, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if a[i - 1] != b[j - 1] and (a[i - 1], b[j - 1]) in _CONFUSIONS:
                best = min(best, d[i - 1][j - 1] + 0.5)
            for la in (1, 2):
                for lb in (1, 2):
                    if (la, lb) != (1, 1) and i >= la and j >= lb and (a[i - la:i], b[j - lb:j]) in _CONFUSIONS:
                        best = min(best, d[i - la][j - lb] + 0.5)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, d[i - 2][j - 2] + 1)
            d[i][j] = best
    return d[n][m]


def is_ocr_like(a: str, b: str) -> bool:
    """A cheap confusion away: weighted OCR distance small for the word's length."""
    if not a or not b:
        return False
    shortest = min(len(a), len(b))
    if shortest < 3:
        return False
    limit = 1.0 if shortest < 8 else 1.5
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
