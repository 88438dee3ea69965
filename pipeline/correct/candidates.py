"""Corrections for a reading: what the page may have had, with the OCR channel cost.

Three sources, each cheap:

* the learned confusions of the OCR error model applied to the reading (one or two:
  "tbat" -> "that", "rnodern" -> "modern", "shaU" -> "shall"), kept when the result
  is a word of the lexicon or of the witness;
* a SymSpell deletion index (symspellpy, edit distance 1) over the language's
  lexicon for any other single edit ("wrld" -> "world");
* a lost space: two words glued together ("Wecould" -> "We could").

The index is built once per language from the lexicon's common words and cached
on disk beside the lexicon's frequency cache (EDITION_CACHE, default ~/.cache/edition),
so it costs a build (about 2 s) once and a load (about 0.5 s) in a run that needs it.
"""
from __future__ import annotations

import marshal
import os
from functools import lru_cache
from pathlib import Path

from pipeline.correct.model import OcrModel
from pipeline.lexicon import Lexicon

# the index holds words at least this frequent (en: 90,000 words, "apportion" is 2.2; Russian,
# whose lexicon lists every inflected form, from 3.0: 150,000)
INDEX_MIN_ZIPF = {"en": 2.0}
INDEX_MIN_ZIPF_OTHER = 3.0


def index_min_zipf(lex: Lexicon) -> float:
    return INDEX_MIN_ZIPF.get(lex.language, INDEX_MIN_ZIPF_OTHER)


def _cache(lex: Lexicon, what: str) -> Path:
    from importlib.metadata import version
    base = Path(os.environ.get("EDITION_CACHE") or Path.home() / ".cache" / "edition")
    return base / f"{what}-{lex.language}-{index_min_zipf(lex)}-wordfreq-{version('wordfreq')}-{version('symspellpy')}"


@lru_cache(maxsize=4)
def symspell_index(lex: Lexicon):
    """symspellpy's deletion index of the lexicon's common words (edit distance 1)."""
    from symspellpy import SymSpell
    index = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    path = _cache(lex, "symspell").with_suffix(".pickle")
    if path.exists():
        try:
            index.load_pickle(path, compressed=False)  # uncompressed: loads in a third of the time
            return index
        except Exception:  # noqa: BLE001 (a broken cache is rebuilt)
            index = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    for w, f in lex.common_words(index_min_zipf(lex)):
        index.create_dictionary_entry(w, max(1, int(f * 1e9)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        index.save_pickle(tmp, compressed=False)
        os.replace(tmp, path)
    except OSError:
        pass
    return index


@lru_cache(maxsize=4)
def prefixes(lex: Lexicon) -> frozenset[str]:
    """Every prefix of the lexicon's words in the index: where a reading can still lead
    (cached on disk beside the index)."""
    path = _cache(lex, "prefixes").with_suffix(".marshal")
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    out = frozenset(w[:i] for w, _ in lex.common_words(index_min_zipf(lex)) for i in range(1, len(w) + 1))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(out))
        os.replace(tmp, path)
    except OSError:
        pass
    return out


@lru_cache(maxsize=100_000)
def _variants(reading: str, lex: Lexicon, model: OcrModel, max_cost: float) -> tuple[tuple[str, float], ...]:
    """Lexicon words the model's confusions make of a printed word (lower case), cheapest cost each."""
    out: dict[str, float] = {}
    low = reading.lower()
    pre = prefixes(lex)
    for r in {reading, low}:
        for v, c in model.variants(r, max_cost=max_cost, prefixes=pre):
            v = v.lower()
            if v != low and c < out.get(v, 99.0):
                out[v] = c
    return tuple(out.items())


@lru_cache(maxsize=100_000)
def _edit1(low: str, lex: Lexicon) -> tuple[str, ...]:
    from symspellpy import Verbosity
    return tuple(s.term for s in symspell_index(lex).lookup(low, Verbosity.ALL, max_edit_distance=1,
                                                               transfer_casing=False) if s.term != low)


def own_words(vocab: dict[str, int], lex: Lexicon, min_zipf: float, witness_known: int) -> list[str]:
    """The witness's frequent words that the lexicon lacks (its names and terms)."""
    return [w for w, n in vocab.items() if n >= witness_known and not lex.at_least(w, min_zipf)]


def candidates(reading: str, lex: Lexicon, model: OcrModel, vocab: dict[str, int], min_zipf: float,
               witness_known: int, max_cost: float = 4.0, own: list[str] | None = None) -> dict[str, float]:
    """{candidate (lower case): channel cost -log10 P(reading | candidate)} for a reading."""
    low = reading.lower()
    out: dict[str, float] = {}

    floor = 10 ** (min_zipf - 9.0)
    freq = lex._freq

    def known(w: str) -> bool:
        f = freq.get(w)
        return (f is not None and f >= floor) or vocab.get(w, 0) >= witness_known

    for v, c in _variants(reading, lex, model, max_cost):
        if known(v):
            out[v] = c
    if own is None:
        own = own_words(vocab, lex, min_zipf, witness_known)
    for v in own:  # the witness's own frequent words the lexicon lacks ("Kollontai")
        if v not in out and abs(len(v) - len(low)) <= 2 and v[:1] == low[:1] and v != low:
            c = model.channel(reading, v)
            if c <= max_cost:
                out[v] = c
    if len(low) >= 3:
        for term in _edit1(low, lex):
            if term not in out and known(term):
                out[term] = min(model.channel(reading, term), model.channel(low, term) + (0.5 if reading != low else 0.0))
    for i in range(2, len(low) - 1 if lex.language == "en" else 0):  # a lost space (Russian compounds are words)
        a, b = low[:i], low[i:]
        if lex.zipf(a) >= 3.5 and lex.zipf(b) >= 3.5 and (len(a) > 1 or a in ("a", "i")):
            out[f"{a} {b}"] = model.space_lost
    return {w: c for w, c in out.items() if c <= max_cost + 1.0}
