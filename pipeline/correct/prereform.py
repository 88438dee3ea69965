"""Russian printed before the spelling reform of 1917-18: "въ", "революціонной", "новаго".

A witness in the old spelling is not damaged where it differs from the modern one. Which witness
spells so is measured on its own text (`spells_old`: the hard sign after final consonants);
there, a word is read through its modern form where the lexicon and the grammar ask of it
(`modern`), and the text is never rewritten. The letters, the endings and the thresholds are data
(pipeline/data/ru_prereform.toml).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.tomlio import load_model

DATA = Path(__file__).resolve().parent.parent / "data" / "ru_prereform.toml"
# letters that end a word in a consonant: an old print writes "ъ" after each of them
_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")
_HARD_SIGN = re.compile("[ъЪ]")
_CONSONANT_END = re.compile(rf"(?<=[^\W\d_])[{''.join(sorted(_CONSONANTS))}](?![^\W\d_])", re.IGNORECASE)


class Ending(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old: str = Field(min_length=1)
    new: str
    example: str = Field(pattern=r"^\S+ -> \S+$")


class Prereform(BaseModel):
    """pipeline/data/ru_prereform.toml."""

    model_config = ConfigDict(extra="forbid")
    min_share: float = Field(gt=0.0, le=1.0)
    min_words: int = Field(ge=1)
    letters: dict[str, str]
    ending: list[Ending] = []

    @field_validator("letters")
    @classmethod
    def _one_letter_each(cls, v: dict[str, str]) -> dict[str, str]:
        for old, new in v.items():
            if len(old) != 1 or len(new) != 1 or not old.islower() or not new.islower():
                raise ValueError(f"letter {old!r} = {new!r}: one lower-case letter for one")
        return v


@lru_cache(maxsize=4)
def load(path: Path = DATA) -> Prereform:
    return load_model(Prereform, path, "Russian pre-reform spelling")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    letters = load().letters
    return str.maketrans({**letters, **{o.upper(): n.upper() for o, n in letters.items()}})


def spells_old(text: str) -> bool:
    """Whether a witness's text shows the old spelling: of its words (two letters or more) that end in a
    consonant letter or the hard sign, enough end in the hard sign. The final hard signs are counted
    first (a modern text has none: one scan for the letter), the other ends only where there are enough."""
    spec = load()
    hard = 0
    for m in _HARD_SIGN.finditer(text):
        i = m.start()
        if i and text[i - 1].isalpha() and (i + 1 == len(text) or not text[i + 1].isalpha()):
            hard += 1
    if hard < spec.min_share * spec.min_words:
        return False
    ends = hard + len(_CONSONANT_END.findall(text))
    return ends >= spec.min_words and hard >= spec.min_share * ends


def letters(word: str) -> str:
    """The word with the old letters and the final hard sign made modern ("въ" -> "в")."""
    w = word.translate(_table())
    if len(w) > 1 and w[-1] in "ъЪ" and w[-2].lower() in _CONSONANTS:
        w = w[:-1]
    return w


def modern(word: str) -> str:
    """The modern form of an old spelling: its letters made modern ("революціи" -> "революции"); where
    that is no word of a modern dictionary (pymorphy3's: a web word list holds the old forms too), the
    first of the data's endings that makes one ("новаго" -> "нового"); the letters' form when none does."""
    w = letters(word)
    low = w.lower()
    ends = [e for e in load().ending if low.endswith(e.old)]
    if not ends or _dictionary_word(low):
        return w
    for e in ends:
        cand = w[: len(w) - len(e.old)] + (e.new.upper() if w[-1:].isupper() else e.new)
        if _dictionary_word(cand.lower()):
            return cand
    return w


def _dictionary_word(low: str) -> bool:
    from pipeline.russian import dictionary_form  # (the dictionary's answers, cached and kept as detect's)
    return dictionary_form(low)
