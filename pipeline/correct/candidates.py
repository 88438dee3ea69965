"""Corrections for a reading: what the page may have had, with the OCR channel cost.

Three sources, each cheap:

* the learned confusions of the OCR error model applied to the reading (one or two:
  "tbat" -> "that", "rnodern" -> "modern", "shaU" -> "shall"), kept when the result
  is a word of the lexicon or of the witness;
* any other single edit ("wrld" -> "world"): only the edits that the prefixes and suffixes
  of the lexicon's common words allow are made, then found among those words;
* a lost space: two words glued together ("Wecould" -> "We could").

The word index (those common words, their prefixes and their suffixes) is built once per
language and cached on disk beside the lexicon's frequency cache (EDITION_CACHE, default
~/.cache/edition): a build once, a load of about 0.2 s in a run that needs it. It answers
in a set lookup what the lexicon's memory-mapped table answers in microseconds.
"""
from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

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


class WordIndex(NamedTuple):
    """The lexicon's common words ("index words") for generating edits without lookups."""
    prefixes: dict[str, str]  # every prefix ("" included) -> the letters that can follow it in an index word
    suffixes: dict[str, str]  # every suffix ("" included) -> the letters that can precede it
    words: frozenset[str]     # the index words themselves


@lru_cache(maxsize=4)
def word_index(lex: Lexicon) -> WordIndex:
    """The index of the lexicon's common words (cached on disk: built once, then loaded)."""
    path = _cache(lex, "wordindex").with_suffix(".marshal")
    try:
        return WordIndex(*marshal.loads(path.read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    words = frozenset(w for w, _ in lex.common_words(index_min_zipf(lex)))
    nxt: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    for w in words:
        for i in range(len(w) + 1):
            follow = nxt.setdefault(w[:i], set())
            if i < len(w):
                follow.add(w[i])
            precede = before.setdefault(w[i:], set())
            if i:
                precede.add(w[i - 1])
    out = WordIndex({p: "".join(sorted(f)) for p, f in nxt.items()},
                    {s: "".join(sorted(f)) for s, f in before.items()}, words)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(tuple(out)))
        os.replace(tmp, path)
    except OSError:
        pass
    return out


@lru_cache(maxsize=100_000)
def _variants(reading: str, lex: Lexicon, model: OcrModel, max_cost: float) -> tuple[tuple[str, float], ...]:
    """Lexicon words the model's confusions make of a printed word (lower case), cheapest cost each."""
    out: dict[str, float] = {}
    low = reading.lower()
    pre = word_index(lex).prefixes  # where a reading can still lead
    for r in dict.fromkeys((reading, low)):  # a fixed order: a set's depends on the hash seed
        for v, c in model.variants(r, max_cost=max_cost, prefixes=pre):
            v = v.lower()
            if v != low and c < out.get(v, 99.0):
                out[v] = c
    return tuple(out.items())


@lru_cache(maxsize=100_000)
def _edit1(low: str, lex: Lexicon) -> tuple[str, ...]:
    """The index's words one edit (delete, insert, substitute, swap neighbours) from a reading.
    Generated along the words' prefixes (what may come after the edit's head) and suffixes (what
    may come before its tail), so that only edits that can be words are made and looked up."""
    pre, suf, words = word_index(lex)
    out: set[str] = set()
    for i in range(len(low) + 1):
        head, tail = low[:i], low[i:]
        follow = pre.get(head)
        if follow is None:
            break  # no word starts like this: no edit further on can lead to one
        rest = tail[1:]
        before = suf.get(tail)
        if before is not None:  # insert
            out.update(head + c + tail for c in follow if c in before)
        if tail:
            before = suf.get(rest)
            if before is not None:
                out.add(head + rest)  # delete
                out.update(head + c + rest for c in follow if c in before)  # substitute
            if rest:
                out.add(head + rest[0] + tail[0] + rest[1:])  # swap
    out &= words
    out.discard(low)
    return tuple(sorted(w for w in out if w.isalpha()))


def rarer_than(lex: Lexicon, min_zipf: float) -> Callable[[str], bool]:
    """A test for lower-case words: True where a word is certainly rarer than `min_zipf` without
    asking the lexicon, since an alphabetic word the index lacks is rarer than the index's floor
    (a set lookup, ten times cheaper than the lexicon's); False: ask the lexicon."""
    if min_zipf < index_min_zipf(lex):
        return lambda low: False
    words = word_index(lex).words
    return lambda low: low not in words and low.isalpha()


def own_words(vocab: dict[str, int], lex: Lexicon, min_zipf: float, witness_known: int,
              most: int = 1000) -> dict[str, list[str]]:
    """The witness's frequent words that the lexicon lacks (its names and terms), by first letter.
    At most the `most` commonest: in a long noisy witness its repeated garbles ("thé") join them,
    and every unknown reading is compared with each of its letter's, so without a bound the
    stage grows with the square of the text (a 10 MB varied OCR text: hours)."""
    own = [w for w, n in vocab.items() if n >= witness_known and not lex.at_least(w, min_zipf)]
    if len(own) > most:
        kept = set(sorted(own, key=lambda w: (-vocab[w], w))[:most])
        own = [w for w in own if w in kept]  # the witness's order, as without the bound
    by_letter: dict[str, list[str]] = {}
    for w in own:
        by_letter.setdefault(w[:1], []).append(w)
    return by_letter


def _lexicon_knows(lex: Lexicon, min_zipf: float) -> Callable[[str], bool]:
    """A test for lower-case words: at least `min_zipf` frequent in the lexicon."""
    floor = 10 ** (min_zipf - 9.0)
    freq = lex.freq
    rarer = rarer_than(lex, min_zipf)

    def knows(w: str) -> bool:
        if rarer(w):
            return False
        f = freq(w)
        return f is not None and f >= floor
    return knows


class _Lexical(NamedTuple):
    """What a reading's candidates are as far as the lexicon and the model tell (the witness's
    own words aside): a pure function of the reading, made once per process."""
    variants: tuple[tuple[str, float, bool], ...]     # (word, channel cost, known to the lexicon)
    edits: tuple[tuple[str, bool], ...]               # (word one edit away, known to the lexicon)
    splits: tuple[str, ...]                           # two words a lost space glued ("we could")


@lru_cache(maxsize=50_000)
def _lexical(reading: str, lex: Lexicon, model: OcrModel, min_zipf: float, max_cost: float) -> _Lexical:
    low = reading.lower()
    knows = _lexicon_knows(lex, min_zipf)
    variants = tuple((v, c, knows(v)) for v, c in _variants(reading, lex, model, max_cost))
    edits = tuple((t, knows(t)) for t in (_edit1(low, lex) if len(low) >= 3 else ()))
    # a lost space (Russian compounds are words)
    splits = tuple(f"{a} {b}" for a, b in two_words(low, lex)) if lex.language == "en" else ()
    return _Lexical(variants, edits, splits)


# each half of a word cut in two is at least this frequent ("a round", "any thing": two such words)
HALF_ZIPF = 3.5


@lru_cache(maxsize=100_000)
def two_words(low: str, lex: Lexicon) -> tuple[tuple[str, str], ...]:
    """The ways to cut a lower-case reading into two frequent words ("ofthe": ("of", "the"),
    "afriend": ("a", "friend"), "boydidn't": ("boy", "didn't")): a non-word's lost space here, a listed
    word's in spaces.py (which cuts only letters)."""
    if len(low) < 4 or not low.replace("'", "").replace("’", "").isalpha():
        return ()
    rare = rarer_than(lex, HALF_ZIPF)  # most heads of a garble are no word: the index says so without a lookup
    out = []
    for i in range(1, len(low) - 1):
        a, b = low[:i], low[i:]
        if (i > 1 or a in ("a", "i")) and not rare(a) and lex.zipf(a) >= HALF_ZIPF and lex.zipf(b) >= HALF_ZIPF:
            out.append((a, b))
    return tuple(out)


@lru_cache(maxsize=100_000)
def _edit_cost(reading: str, term: str, model: OcrModel) -> float:
    """The channel cost of a word one plain edit from the reading (a capital misread costs little more)."""
    low = reading.lower()
    c = model.channel(reading, term)
    return c if reading == low else min(c, model.channel(low, term) + 0.5)


def candidates(reading: str, lex: Lexicon, model: OcrModel, vocab: dict[str, int], min_zipf: float,
               witness_known: int, max_cost: float = 4.0, own: dict[str, list[str]] | None = None) -> dict[str, float]:
    """{candidate (lower case): channel cost -log10 P(reading | candidate)} for a reading: a word
    known to the lexicon or used `witness_known` times in the witness (`vocab`)."""
    low = reading.lower()
    out: dict[str, float] = {}
    lexical = _lexical(reading, lex, model, min_zipf, max_cost)
    for v, c, known in lexical.variants:
        if known or vocab.get(v, 0) >= witness_known:
            out[v] = c
    if own is None:
        own = own_words(vocab, lex, min_zipf, witness_known)
    for v in own.get(low[:1], ()):  # the witness's own frequent words the lexicon lacks ("Kollontai")
        if v not in out and abs(len(v) - len(low)) <= 2 and v != low:
            c = model.channel(reading, v)
            if c <= max_cost:
                out[v] = c
    for term, known in lexical.edits:
        if term not in out and (known or vocab.get(term, 0) >= witness_known):
            out[term] = _edit_cost(reading, term, model)
    for split in lexical.splits:
        out[split] = model.space_lost
    return {w: c for w, c in out.items() if c <= max_cost + 1.0}
