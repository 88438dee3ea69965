"""Old spellings a witness keeps: "keepe", "hee", "iourney", "controversie".

The patterns are data (pipeline/data/old_spellings.toml). A reading that a pattern
turns into a common word is that word's old form; detection leaves such readings
alone in a witness that shows several different ones (its orthography), so a
modern text's stray "hee" is still judged.
"""
from __future__ import annotations

import regex as re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import EditionError
from pipeline.lexicon import Lexicon
from pipeline.tomlio import load_toml, validate_tables

FILE = Path(__file__).resolve().parent.parent / "data" / "old_spellings.toml"


class Pattern(BaseModel):
    old: str
    new: str
    example: str = Field(pattern=r"^\S+ -> \S+$")


class Spellings(BaseModel):
    min_types: int = Field(ge=1)
    min_zipf: float
    pattern: list[Pattern]


@lru_cache(maxsize=1)
def rules() -> tuple[Spellings, tuple[tuple[re.Pattern, str], ...]]:
    data, text = load_toml(FILE)
    patterns = validate_tables(Pattern, data.get("pattern", []), path=FILE, text=text, array="pattern")
    spec = Spellings(min_types=data.get("min_types", 3), min_zipf=data.get("min_zipf", 3.0), pattern=patterns)
    compiled = []
    for p in spec.pattern:
        try:
            compiled.append((re.compile(p.old), p.new))
        except re.error as e:  # regex.error
            raise EditionError(str(FILE), f"pattern {p.old!r}: {e}") from None
    return spec, tuple(compiled)


@lru_cache(maxsize=1)
def _any_pattern() -> re.Pattern:
    """Every pattern in one: a word none of them matches has no old spelling (one search, not one
    substitution per pattern; most words asked about match none)."""
    return re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in rules()[1]))


def modern(reading: str, lex: Lexicon) -> str | None:
    """The common word an old spelling stands for ("keepe" -> "keep"), or None."""
    spec, compiled = rules()
    low = reading.lower()
    if not _any_pattern().search(low):
        return None
    for rx, new in compiled:
        m = rx.sub(new, low, count=1)
        if m != low and lex.zipf(m) >= spec.min_zipf:
            return m
    return None


def old_forms(vocab: dict[str, int], lex: Lexicon) -> frozenset[str]:
    """The witness's rare old spellings, if it shows enough different ones to be its orthography
    (then `is_old` also protects common-looking ones such as "hee")."""
    spec, _ = rules()
    # (_rare_old's own first test written out: the short and the non-alphabetic forms, a third of a
    # witness's, neither asked of its memo nor filling it)
    rare = [w for w in vocab if len(w) >= 3 and w.isalpha() and _rare_old(w, lex)]
    return frozenset(rare) if len(rare) >= spec.min_types else frozenset()


@lru_cache(maxsize=20_000)  # asked for every word of every witness (hit 75 %; ~190 bytes an entry)
def _rare_old(word: str, lex: Lexicon) -> bool:
    """A rare word that a pattern turns into a common one ("keepe")."""
    spec, _ = rules()
    # the frequency first: most of a witness's words are common (the lexicon's answer is remembered, and
    # detect asks it of them anyway), and the patterns' search (the regex module's, lookbehinds and all)
    # cost more than that: old_forms took 2 % of detect on ICDAR
    return (len(word) >= 3 and word.isalpha() and lex.zipf(word) < spec.min_zipf
            and _any_pattern().search(word.lower()) is not None and modern(word, lex) is not None)


def is_old(word: str, lex: Lexicon) -> bool:
    """A word far rarer than the modern word it spells the old way ("hee": "he")."""
    m = modern(word, lex)
    return m is not None and lex.zipf(m) - lex.zipf(word) >= 2.0
