"""Russian inflection, stated once.

* `endings()`: the endings the lexicon tries on a stem to recognise an inflected or derived
  word absent from its list (data: pipeline/data/ru_endings.toml, validated here).
* `nominative(word)`: the dictionary form of a declined word, a surname first
  («Бубликовы» -> «Бубликов», «Троцкому» -> «Троцкий»), by pymorphy3.
* `name_forms(name)`: every inflected form of a name given in the nominative
  («Ленин» -> ленин, ленина, ленину, ...), by pymorphy3.
* `morph()`: the process's one pymorphy3 analyser.
* `KnownForms`: whether words are forms of pymorphy3's dictionary, kept from one run to the next.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.cache import HeldMemo
from pipeline.tomlio import load_model

DATA = Path(__file__).resolve().parent / "data" / "ru_endings.toml"
_CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


class Endings(BaseModel):
    """pipeline/data/ru_endings.toml."""

    model_config = ConfigDict(extra="forbid")
    endings: list[str]
    derived: list[str] = []

    @field_validator("endings")
    @classmethod
    def _cyrillic_once(cls, v: list[str]) -> list[str]:
        for e in v:
            if set(e) - _CYRILLIC:
                raise ValueError(f"ending {e!r}: lower-case Cyrillic letters only")
        dup = sorted({e for e in v if v.count(e) > 1})
        if dup:
            raise ValueError(f"endings listed twice: {', '.join(dup)}")
        return v


@lru_cache(maxsize=4)
def load_endings(path: Path = DATA) -> Endings:
    return load_model(Endings, path, "Russian endings")


def endings() -> tuple[str, ...]:
    return tuple(load_endings().endings)


@lru_cache(maxsize=1)
def morph():
    """pymorphy3's analyser of Russian (about 17 MB in memory), one per process for every
    stage that asks (hyphenation, grammar, names): each loading its own multiplied it."""
    import pymorphy3
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=65536)
def _known_form(word: str) -> bool:
    return morph().word_is_known(word)


class KnownForms(HeldMemo, kind="dictionary"):
    """Whether Russian word forms are in pymorphy3's dictionary (OpenCorpora; not merely guessed), for
    the witness a stage is cleaning, kept from one run to the next (pipeline.cache.WordMemo:
    `.edition-cache/<kind>/<witness id>.marshal`): with the answers kept, a run loads no pymorphy3
    (0.36 s) to ask again. Only the words this run asked are written again. Held while the stage runs
    (pipeline.cache.HeldMemo): this kind by detect (`dictionary_form`: what _judge asks of a Russian reading
    no ending explains, and the pre-1918 spelling's modern forms), a subclass of its own kind by another
    stage (hyphenation's)."""

    def hold(self, data: dict) -> None:
        self.read: dict[str, bool] = dict(data.get("known", {}))
        self.asked: dict[str, bool] = {}

    @classmethod
    def of(cls, ctx) -> KnownForms:
        """The witness's memo (a Russian one's: no other asks), the idle one for any other."""
        if ctx.language != "ru":
            return cls.idle
        return cls(None if ctx.witness.origin == "file" else Path(ctx.resources.root), ctx.witness.id)

    def known(self, word: str) -> bool:
        """Is this (lower-case) form in the dictionary? From what was kept where an earlier run asked."""
        found = self.read.get(word)
        if found is None:
            found = _known_form(word)
        if self.keeping:
            self.asked[word] = found
        return found

    def save(self) -> None:
        if self.memo.path is not None and self.asked != self.read:
            self.memo.save({"known": self.asked})


def dictionary_form(word: str) -> bool:
    """Is this lower-case Russian form in pymorphy3's dictionary (KnownForms held by detect)?"""
    return KnownForms.held.known(word)


def _in_case_of(form: str, word: str) -> str:
    if word[:2].isupper():  # an acronym, declined or not: ВЦИКа -> ВЦИК
        return form.upper()
    return form[:1].upper() + form[1:] if word[:1].isupper() else form


@lru_cache(maxsize=65536)
def nominative(word: str) -> str:
    """The dictionary form of a declined word, in the word's case; pymorphy3's reading as a
    surname first (a capitalised word in running text is a name more often than not)."""
    known = _NOMINATIVES.get(word)
    if known is not None:
        return known
    parses = morph().parse(word)
    best = next((p for p in parses if "Surn" in p.tag), parses[0])
    return _in_case_of(best.normal_form, word)


@lru_cache(maxsize=4096)
def name_forms(name: str) -> frozenset[str]:
    """Every form (lower case) of a name given in the nominative: the paradigms of each of
    pymorphy3's readings of it as a nominative of itself (a surname, a noun, an adjective:
    «Смольный» -> смольного); the name alone if it has none."""
    low = name.lower()
    out = {low}
    for p in morph().parse(low):
        if p.normal_form == low and "nomn" in p.tag:
            out.update(f.word for f in p.lexeme)
    return frozenset(out)


_NOMINATIVES: dict[str, str] = {}  # word -> nominative(word), read from the user cache (know_nominatives)


def know_nominatives(words: frozenset[str]) -> None:
    """Let nominative() answer these words in this process without pymorphy3: from the user cache
    (pipeline.store.cache_dir) where a process made them before, else made now and kept there. A
    worker that cleans the translations of a Russian original reads their names in the nominative
    (detect) and needs pymorphy3 for nothing else: loading it took 0.06 s of CPU of such a worker.
    The file is named by the words and the code (pipeline.cache.code_version: pymorphy3's version
    with its dictionary); a cache that cannot be read or written is not used."""
    import json

    from pipeline.cache import kept_json
    names = sorted(words)
    if not names or all(n in _NOMINATIVES for n in names):
        return
    _NOMINATIVES.update(kept_json(
        "nominatives", (json.dumps(names, ensure_ascii=False),), lambda: {n: nominative(n) for n in names},
        lambda v: isinstance(v, dict) and sorted(v) == names and all(isinstance(x, str) for x in v.values())))
