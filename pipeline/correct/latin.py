"""Latin phrases a witness writes: "et al.", "per se", "de facto", "status quo".

The phrases are data (pipeline/data/latin_phrases.toml). A word of one, written whole in the text
(its words one after the other, nothing but spaces between them), is the writer's Latin: detection
neither fixes nor asks about a real word inside one ("Kollontai, et al." is not "at al.").
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.tomlio import load_toml, validate_tables

FILE = Path(__file__).resolve().parent.parent / "data" / "latin_phrases.toml"


class Phrase(BaseModel):
    words: str = Field(pattern=r"^[a-z']+( [a-z']+)+$")


@lru_cache(maxsize=1)
def phrases() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Per word, the phrases it is in, each with the word's place in it."""
    data, text = load_toml(FILE)
    found = validate_tables(Phrase, data.get("phrase", []), path=FILE, text=text, array="phrase")
    out: dict[str, list] = {}
    for p in found:
        words = tuple(p.words.split())
        for k, w in enumerate(words):
            out.setdefault(w, []).append((words, k))
    return {w: tuple(v) for w, v in out.items()}


def in_phrase(i: int, low: Callable[[int], str], linked: Sequence[int], n: int) -> bool:
    """Whether token i (of n; `low(k)` the lower-case form of token k, `linked[k]` whether only spaces stand
    between tokens k and k + 1) is a word of a Latin phrase written whole there."""
    for words, k in phrases().get(low(i).replace("’", "'"), ()):
        first = i - k
        last = first + len(words) - 1
        if first < 0 or last >= n or not all(linked[j] for j in range(first, last)):
            continue
        if all(low(first + j).replace("’", "'") == w for j, w in enumerate(words)):
            return True
    return False
