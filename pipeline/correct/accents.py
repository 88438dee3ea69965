"""Accented misreadings: "thé" for "the", "hâve" for "have", "génération" for "generation".

An OCR engine trained on French (or set to several languages) reads a mark into English words.
Such a reading is often a word the lexicon lists at a low frequency (wordfreq's English has
"thé", "collège", "génération" from quoted French), and, being the engine's habit, it recurs:
the witness prints "thé" 14 times in one page, and its own count would vouch for it (detect's
[detect] witness_known and the context model's bigrams of the witness), so the noisy channel
kept it. A form's own count is no evidence where

* it carries a letter that no word of the language's curated list carries (symspellpy's English
  word list has no accented letter at all): the mark is foreign to the language's common words,
* the form without its marks is a word the lexicon ranks commoner, and
* the witness itself prints that plain form at least as often (the document's own evidence: a
  text that writes "rôle" throughout is left its "rôle").

Such a form is then weighed as any listed word is, by its language's frequency against the OCR
model's misreading of the mark (pipeline/correct/model.py); the calibration decides what is fixed.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from pipeline.correct.context import english_ngrams
from pipeline.lexicon import Lexicon
from pipeline.store import open_table


@lru_cache(maxsize=1)
def english_letters() -> frozenset[str]:
    """Every letter of symspellpy's curated English word list (once per process), kept in a table of their own
    beside the list's (pipeline.store): reading every word of the list's table to collect them took 0.05 s of
    each process that met a form not in plain ASCII (nearly every one that cleans OCR)."""
    from importlib.metadata import version
    return frozenset(open_table(f"ngrams-letters-en-symspellpy-{version('symspellpy')}", _letters,
                                "the letters of symspellpy's English word list"))


def _letters() -> dict[str, float]:
    return dict.fromkeys(sorted({c for w in english_ngrams()[0] for c in w}), 1.0)


def plain(form: str) -> str:
    """`form` without its combining marks ("thé" -> "the", "hâve" -> "have")."""
    return "".join(c for c in unicodedata.normalize("NFD", form) if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def accent(c: tuple[str, str]) -> bool:
    """Confusion c (meant, printed) only puts accents on Latin letters ("e" printed "é", "a" printed "â")."""
    meant, printed = c
    return meant != printed and meant.isascii() and plain(printed) == meant


def misread(vocab: dict[str, int], lex: Lexicon) -> Iterable[str]:
    """The witness's lower-case forms whose own count is no evidence of a word (see the module's note)."""
    if lex.language != "en":
        return []
    out = []
    for low, n in vocab.items():
        if low.isascii() or not n:
            continue
        letters = english_letters()  # (read once per process, where a form is not plain ASCII)
        if all(c in letters for c in low):
            continue
        p = plain(low)
        if p != low and all(c in letters for c in p) and vocab.get(p, 0) >= n and lex.zipf(p) > lex.zipf(low):
            out.append(low)
    return out
