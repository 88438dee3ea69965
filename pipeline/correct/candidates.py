"""Corrections for a reading: what the page may have had, with the OCR channel cost.

Three sources, each cheap:

* the learned confusions of the OCR error model applied to the reading (one or two:
  "tbat" -> "that", "rnodern" -> "modern", "shaU" -> "shall"), kept when the result
  is a word of the lexicon or of the witness;
* any other single edit ("wrld" -> "world"): only the edits that the prefixes and suffixes
  of the lexicon's common words allow are made, then found among those words;
* a lost space: two words glued together ("Wecould" -> "We could");
* only where none of these finds a word: the words two confusions away, the model's likeliest
  confusions twice or one and then any edit ("Pieasury" -> "Treasury", `_far`).

The word index (those common words, their prefixes and their suffixes) is built once per
language and cached on disk beside the lexicon's frequency cache (EDITION_CACHE, default
~/.cache/edition): the words a set (a load of about 0.03 s in a run that needs it), the
prefixes and suffixes memory-mapped tables with the lookups a process makes remembered.

A real word's variants (which common words it may be a misreading of: "tile" -> "file") are
computed once for every index word and kept in a memory-mapped table beside it
(`realword_variants`): in a long run nearly every distinct word is new to its process, and
computing them was a tenth of detection.
"""
from __future__ import annotations

import marshal
import struct
from array import array
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pipeline.correct.model import OcrModel
from pipeline.lexicon import Lexicon
from pipeline.store import Lookup, dawg_get

# the index holds words at least this frequent (en: 90,000 words, "apportion" is 2.2; Russian,
# whose lexicon lists every inflected form, from 3.0: 150,000)
INDEX_MIN_ZIPF = {"en": 2.0}
INDEX_MIN_ZIPF_OTHER = 3.0


def index_min_zipf(lex: Lexicon) -> float:
    return INDEX_MIN_ZIPF.get(lex.language, INDEX_MIN_ZIPF_OTHER)


def _cache(lex: Lexicon, what: str) -> Path:
    from pipeline.store import cache_dir
    return cache_dir() / f"{what}-{lex.language}-{index_min_zipf(lex)}-{_versions()}"


@lru_cache(maxsize=1)
def _versions() -> str:
    """The word lists' versions in the tables' names (asked once: each asking parses a package's
    metadata, about 2 ms, and a run names a few tables per language)."""
    from importlib.metadata import version
    return f"wordfreq-{version('wordfreq')}-{version('symspellpy')}"


# lookups remembered per prefix or suffix table (about 100 bytes each; emptied when this full)
LETTERS_MEMO = 20_000


class Letters(Lookup):
    """A read-only str -> letters mapping on disk: a memory-mapped table (pipeline.store) of each
    key's number in a short list of the distinct letter sets. The suffixes of the word index
    (en 229,000, ru 197,000) took 20 MB in every process as a dict; the prefixes (en 204,000,
    ru 122,000) as many, and unpacking them 0.1 s of every process that detects (twice in
    `edition run` on the corpus: both languages in one process). A lookup costs a microsecond,
    a remembered one a dict's.

    With `dawg` (the same keys and numbers as a dawg.IntDAWG, built once beside the table: en
    0.6 MB of prefixes, 1.3 MB of suffixes) a lookup is made in C, five times faster than the
    table's, and nothing is remembered: most keys asked are the heads and tails of garbles that
    no word has (on the ICDAR dev set 133,000 of 173,000 distinct keys), which filled and emptied
    the memo again and again."""

    def __init__(self, table, sets: list[str], dawg=None):
        self.table, self.sets = table, sets
        self._memo: dict[str, str | None] = {}  # the short heads and tails ("s", "ed", "ing") are asked of every reading
        if dawg is not None:  # an instance attribute: the C lookup, without a test per call
            self.get = _dawg_letters(table, sets, dawg)

    def get(self, key: str, default=None):
        try:
            v = self._memo[key]
        except KeyError:
            i = self.table.get(key)
            v = None if i is None else self.sets[int(i)]
            if len(self._memo) >= LETTERS_MEMO:
                self._memo.clear()
            self._memo[key] = v
        return default if v is None else v

    def __len__(self) -> int:
        return len(self.table)

    def __getstate__(self) -> dict:
        """Pickled without the DAWG's lookup (a closure) or the memo: the receiver asks the table (the
        same answers)."""
        state = dict(self.__dict__)
        state.pop("get", None)
        state["_memo"] = {}
        return state


def _dawg_letters(table, sets: list[str], dawg) -> Callable:
    """Letters.get answered from the table's DAWG (`pipeline.store.dawg_get`)."""
    table_get = table.get
    empty = table_get("")
    empty = None if empty is None else sets[int(empty)]  # "" (asked of every edit's head and last tail): kept here

    def from_table(key: str, default=None):  # a key no DAWG holds: its number in the table
        if not key:
            return default if empty is None else empty
        i = table_get(key)
        return default if i is None else sets[int(i)]
    return dawg_get(dawg, sets, from_table)


def _dawg_of(table, path: Path):
    """The table's keys and numbers as a dawg.IntDAWG at `path` (built once from the table, about
    a second; None where it cannot be read or written: then the table is asked alone)."""
    try:
        import dawg
    except ImportError:
        return None
    try:
        return dawg.IntDAWG().load(str(path))
    except (OSError, ValueError, dawg.Error):
        pass
    from pipeline.store import write_atomic
    try:
        d = dawg.IntDAWG((k, int(v)) for k, v in table.items() if k)
        write_atomic(path, d.tobytes())
        return dawg.IntDAWG().load(str(path))
    except (OSError, ValueError, UnicodeEncodeError, dawg.Error):
        return None


class WordIndex(NamedTuple):
    """The lexicon's common words ("index words") for generating edits without lookups."""
    prefixes: Letters | dict[str, str]  # every prefix ("" included) -> the letters that can follow it in an index word
    suffixes: Letters | dict[str, str]  # every suffix ("" included) -> the letters that can precede it
    words: frozenset[str] | Words  # the index words themselves (`w in words`, iteration, len)


@lru_cache(maxsize=4)
def word_index(lex: Lexicon) -> WordIndex:
    """The index of the lexicon's common words (cached on disk: built once, then loaded; the
    prefixes and the suffixes memory-mapped, the words a DAWG (`Words`), a set where there is none)."""
    from pipeline.store import write_atomic, write_table
    path = _cache(lex, "wordindex-tables1").with_suffix(".marshal")
    ptab, stab = path.with_suffix(".prefixes.tab"), path.with_suffix(".suffixes.tab")
    try:
        return _index_of_words(path, ptab, stab)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        pass
    try:
        words, psets, ssets = marshal.loads(path.read_bytes())
        return _index(ptab, stab, psets, ssets, _words_beside(path, words, psets, ssets))
    except (OSError, ValueError, EOFError, TypeError, struct.error):
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
    # each side's keys numbered by their letter set, each set once: 5,700 distinct sets among
    # 200,000 prefixes (en)
    (pnum, psets), (snum, ssets) = _numbered(nxt), _numbered(before)
    try:
        write_table(ptab, pnum)  # the tables first: a marshal file on disk always has its tables beside it
        write_table(stab, snum)
        write_atomic(path, marshal.dumps((words, psets, ssets)))
        return _index(ptab, stab, psets, ssets, _words_beside(path, words, psets, ssets))
    except (OSError, ValueError):  # no cache: dicts
        return WordIndex({k: psets[int(i)] for k, i in pnum.items()}, {k: ssets[int(i)] for k, i in snum.items()},
                         words)


try:
    import dawg as _dawg

    class Words(_dawg.CompletionDAWG):
        """The index words as a DAWG: `w in words` is as quick as a set's (a lookup in C), and opening
        its file takes well under a millisecond where unpacking the set took about 20 ms per language
        in every process (90,000 words en, 62,000 ru: their strings made and hashed)."""
        __slots__ = ()

        def __iter__(self):
            return iter(self.keys())

        def __len__(self) -> int:
            return len(self.keys())
except ImportError:  # no dawg2: the index words are a set
    _dawg = None
    Words = frozenset  # type: ignore[misc,assignment]


# the index words' DAWG and the letter sets beside the marshal file: a change makes new files
WORDS_FORMAT = 1


def _sidecars(path: Path) -> tuple[Path, Path]:
    return (path.with_suffix(f".words.dawg{WORDS_FORMAT}"), path.with_suffix(f".sets{WORDS_FORMAT}.marshal"))


def _index_of_words(path: Path, ptab: Path, stab: Path) -> WordIndex:
    """The index from the words' DAWG and the letter sets written beside the marshal file (OSError where
    they are missing, or where there is no dawg2)."""
    if _dawg is None:
        raise OSError("no dawg2")
    wpath, spath = _sidecars(path)
    psets, ssets = marshal.loads(spath.read_bytes())
    try:
        words = Words().load(str(wpath))
    except _dawg.Error as e:
        raise OSError(str(e)) from e
    return _index(ptab, stab, psets, ssets, words)


def _words_beside(path: Path, words: frozenset[str], psets: list[str], ssets: list[str]):
    """The index words as a DAWG written beside the marshal file, with the letter sets (the next process
    opens these, `_index_of_words`); the set itself where they cannot be written."""
    if _dawg is None or any("\x00" in w or not w for w in words):
        return words
    from pipeline.store import write_atomic
    wpath, spath = _sidecars(path)
    try:
        d = Words(words)
        write_atomic(wpath, d.tobytes())  # the DAWG first: the sets on disk always have their words beside them
        write_atomic(spath, marshal.dumps((psets, ssets)))
        return Words().load(str(wpath))
    except (OSError, ValueError, UnicodeEncodeError, _dawg.Error):
        return words


def _index(ptab: Path, stab: Path, psets: list[str], ssets: list[str], words) -> WordIndex:
    """The word index on its tables on disk, each with its DAWG beside it (`Letters`)."""
    from pipeline.store import Table
    sides = []
    for tab, sets in ((ptab, psets), (stab, ssets)):
        table = Table(tab)
        sides.append(Letters(table, sets, _dawg_of(table, tab.with_suffix(f".dawg{DAWG_FORMAT}"))))
    return WordIndex(sides[0], sides[1], words)


# the DAWGs' layout (dawg.IntDAWG of the table's keys and numbers): a change makes new files
DAWG_FORMAT = 1


def _numbered(letters: dict[str, set[str]]) -> tuple[dict[str, float], list[str]]:
    """key -> the number of its letter set (sorted, joined) in the list of the distinct sets."""
    number: dict[str, int] = {}
    sets: list[str] = []
    out: dict[str, float] = {}
    for key, f in letters.items():
        j = "".join(sorted(f))
        if j not in number:
            number[j] = len(sets)
            sets.append(j)
        out[key] = float(number[j])
    return out, sets


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


def _edit1(low: str, lex: Lexicon) -> tuple[str, ...]:
    """The index's words one edit (delete, insert, substitute, swap neighbours) from a reading.
    Generated along the words' prefixes (what may come after the edit's head) and suffixes (what
    may come before its tail), so that only edits that can be words are made and looked up."""
    pre, suf, words = word_index(lex)
    pre_get, suf_get = pre.get, suf.get
    out: set[str] = set()
    before_rest = suf_get(low)  # what may precede the tail: asked once per tail (the rest is the next tail)
    for i in range(len(low) + 1):
        head, tail = low[:i], low[i:]
        follow = pre_get(head)
        if follow is None:
            break  # no word starts like this: no edit further on can lead to one
        rest = tail[1:]
        before = before_rest
        if before is not None:  # insert
            out.update([head + c + tail for c in follow if c in before])
        if tail:
            before = before_rest = suf_get(rest)
            if before is not None:
                out.add(head + rest)  # delete
                out.update([head + c + rest for c in follow if c in before])  # substitute
            if rest:
                out.add(head + rest[0] + tail[0] + rest[1:])  # swap
    out.discard(low)
    return tuple(sorted(w for w in out if w in words and w.isalpha()))


# the meant groups of each printed group a real word's variants try: every one the model keeps (its floor,
# OcrModel min_p, and max_cost bound them). Cut to the 6 cheapest (variants' default), a printed "n" tried
# "fl", "fi", "ff" (one book's ligatures, eng_monograph_81) and never "a": "nnd" was read "find", not "and";
# "wns" nothing ("was"), "tha" nothing ("the"). Only "n", "m", "a" and "i" have more than 6.
REALWORD_PER_GROUP = 99


def _realword_live(low: str, lex: Lexicon, model: OcrModel, min_zipf: float,
                   max_cost: float) -> tuple[tuple[str, float, float], ...]:
    """(word, channel cost, margin) one learned confusion from a real word; margin: log10 of
    P(word) P(reading | word) against P(reading), before context."""
    z = lex.zipf(low)
    out = []
    index = word_index(lex)
    # a word at least min_zipf frequent is an index word: only confusions that can end as one are made
    ends = index.suffixes if min_zipf >= index_min_zipf(lex) else None
    rarer = rarer_than(lex, min_zipf)
    for v, cost in model.variants(low, max_cost=max_cost, depth=1, per_group=REALWORD_PER_GROUP,
                                  prefixes=index.prefixes, suffixes=ends, lower=True):
        if v.isalpha() and not rarer(v.lower()):
            zv = lex.zipf(v)
            if zv >= min_zipf:
                out.append((v, cost, zv - cost - z))
    return tuple(out)


def _lost_live(low: str, lex: Lexicon, model: OcrModel, min_zipf: float,
               max_cost: float) -> tuple[tuple[str, float, float], ...]:
    """(word, channel cost, margin) one lost small letter of the model ([OcrModel.lost]) from a real
    word (lower case), as `_realword_live`: "th": "the", "ton": "tone" (not "tons": a final "s" makes
    the reading's own plural or verb form, which the neighbours cannot tell from it: number and
    person agree across more than a bigram, "the first principle")."""
    z = lex.zipf(low)
    rarer = rarer_than(lex, min_zipf)
    prefixes = word_index(lex).prefixes  # the letters that may follow each beginning of a word
    lost = {meant: cost for meant, cost in model.lost if cost <= max_cost}
    found: dict[str, tuple[float, float]] = {}
    for i in range(len(low) + 1):
        follow = prefixes.get(low[:i])
        if follow is None:
            break  # no word begins so: no lost letter further on makes one
        for meant in follow:
            cost = lost.get(meant)
            if cost is None or (meant == "s" and i == len(low)):
                continue
            v = low[:i] + meant + low[i:]
            if v not in found and v.isalpha() and not rarer(v):
                zv = lex.zipf(v)
                if zv >= min_zipf:
                    found[v] = (cost, zv - cost - z)
    return tuple((v, c, margin) for v, (c, margin) in found.items())


@lru_cache(maxsize=5_000)  # a miss costs a table lookup (~5 us): few entries pay
def lost_letter_choices(low: str, lex: Lexicon, model: OcrModel, min_zipf: float, max_cost: float,
                        prune: float | None) -> tuple[tuple[tuple[str, float], ...], tuple[bool, ...] | None]:
    """`realword_choices` of a letter the print lost (`_lost_live`); an index word's answer is read
    from a table made once, as `realword_variants`'."""
    found = None
    if low in word_index(lex).words:
        table = _realword_table(lex, model, min_zipf, max_cost, _lost_live)
        if table is not None:
            found = table.get(low)
    if found is None:
        found = _lost_live(low, lex, model, min_zipf, max_cost)
    likely = tuple(prune is not None and margin >= -prune for _, _, margin in found)
    return tuple((w, cost) for w, cost, _ in found), None if all(likely) else likely


class _RealwordTable:
    """`_realword_live` of every index word, computed once per lexicon, model and settings and
    kept on disk (EDITION_CACHE): a word -> offset table (pipeline.store) into a file of
    the answers, both memory-mapped, so every process shares them and none computes them.
    A real word is nearly always an index word, and most distinct words of a long run are
    new to its process: computing them took about 70 us each, 1.1 s of the ICDAR dev set."""

    def __init__(self, table, blob):
        self.table, self.blob = table, blob

    def get(self, low: str) -> tuple[tuple[str, float, float], ...]:
        off = self.table.get(low)
        if off is None:
            return ()  # an index word none of whose confusions is a word
        off = int(off)
        n = int.from_bytes(self.blob[off:off + 4], "little")  # each answer: its length, then it marshalled
        return marshal.loads(self.blob[off + 4:off + 4 + n])


# the answers' layout and the code that makes them: a change to either makes a new table
REALWORD_FORMAT = 7


def _model_key(model: OcrModel) -> str:
    """A short hash of what the model's confusions are (a swapped model gets tables of its own)."""
    key = model.__dict__.get("_key")
    if key is None:
        import hashlib
        key = model.__dict__["_key"] = hashlib.sha256(
            repr((model.unseen, sorted(model.meant_for.items()), sorted(model.small_for.items()), model.lost)).encode()
        ).hexdigest()[:12]
    return key


@lru_cache(maxsize=4)
def _realword_table(lex: Lexicon, model: OcrModel, min_zipf: float, max_cost: float,
                    live: Callable = _realword_live) -> _RealwordTable | None:
    """The on-disk answers of `live` (`_realword_live`, `_lost_live`) for (lexicon, model, settings), built
    once (about 6 s), by one process where two want it at once (store.building: the first run's two
    processes); None where the cache cannot be written (then every word is computed)."""
    import mmap
    import sys
    import time

    from pipeline.store import Table, building, write_atomic, write_table
    what = "realword" if live is _realword_live else "lost-letter"
    stem = _cache(lex, f"{what}{REALWORD_FORMAT}-{_model_key(model)}-{min_zipf}-{max_cost}"
                       f"-g{REALWORD_PER_GROUP}")
    tab, txt = stem.with_name(stem.name + ".tab"), stem.with_name(stem.name + ".bin")

    def opened() -> _RealwordTable:
        with open(txt, "rb") as f:
            blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else b""
        return _RealwordTable(Table(tab), blob)
    try:
        return opened()
    except (OSError, ValueError):
        pass
    with building(tab):  # one process builds it; another opens what it built
        try:
            return opened()
        except (OSError, ValueError):
            pass
        t = time.perf_counter()
        offsets: dict[str, float] = {}
        lines = bytearray()
        for w in sorted(word_index(lex).words):
            found = live(w, lex, model, min_zipf, max_cost)
            if found:
                offsets[w] = float(len(lines))
                b = marshal.dumps(found)
                lines += len(b).to_bytes(4, "little") + b
        try:
            write_atomic(txt, bytes(lines))  # the answers first: a table on disk always has its answers beside it
            write_table(tab, offsets)
            out = opened()
        except (OSError, ValueError):
            return None
    print(f"edition: built the {what} confusions of the {lex.language} word index once, "
          f"{time.perf_counter() - t:.1f} s: {tab}", file=sys.stderr)
    return out


@lru_cache(maxsize=5_000)  # a miss costs a table lookup (~5 us): few entries pay
def realword_variants(low: str, lex: Lexicon, model: OcrModel, min_zipf: float,
                      max_cost: float) -> tuple[tuple[str, float, float], ...]:
    """(word, channel cost, margin) one learned confusion from a real word (lower case), each a
    word at least `min_zipf` frequent; margin: log10 of P(word) P(reading | word) against
    P(reading), before context. An index word's answer is read from the table made once."""
    if low in word_index(lex).words:
        table = _realword_table(lex, model, min_zipf, max_cost)
        if table is not None:
            return table.get(low)
    return _realword_live(low, lex, model, min_zipf, max_cost)


@lru_cache(maxsize=20_000)  # a witness asks once per distinct word: the common words come back in every one
def realword_choices(low: str, lex: Lexicon, model: OcrModel, min_zipf: float, max_cost: float,
                     prune: float | None) -> tuple[tuple[tuple[str, float], ...], tuple[bool, ...] | None]:
    """`realword_variants` as detection weighs them: ((word, channel cost), ...) and whether each is
    likely (its margin at least -`prune`; None: every one is), which every witness keeps; the others
    only a witness that uses the word often keeps. `prune` None: none is likely."""
    found = realword_variants(low, lex, model, min_zipf, max_cost)
    likely = tuple(prune is not None and margin >= -prune for _, _, margin in found)
    return tuple((w, cost) for w, cost, _ in found), None if all(likely) else likely


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


@lru_cache(maxsize=8)
def _lexicon_knows(lex: Lexicon, min_zipf: float) -> Callable[[str], bool]:
    """A test for lower-case words: at least `min_zipf` frequent in the lexicon (`rarer_than`
    written out: a reading has about fifteen variants to test)."""
    floor = 10 ** (min_zipf - 9.0)
    freq = lex.freq

    def knows(w: str) -> bool:
        f = freq(w)
        return f is not None and f >= floor
    if min_zipf < index_min_zipf(lex):
        return knows
    words = word_index(lex).words
    if min_zipf == index_min_zipf(lex):  # the index words are the alphabetic words this frequent
        return lambda w: w in words or (not w.isalpha() and knows(w))

    def knows_common(w: str) -> bool:
        if w not in words and w.isalpha():
            return False  # rarer than the index's floor
        f = freq(w)
        return f is not None and f >= floor
    return knows_common


class _Lexical(NamedTuple):
    """What a reading's candidates are as far as the lexicon and the model tell (the witness's
    own words aside): a pure function of the reading, made once per process. Kept compact (a
    reading has about 15 variants, nearly all prefixes of words rather than words, which only
    the witness's own frequent words can use): as tuples they took 2.3 KB a reading."""
    variants: tuple[str, array, bytes]  # the words " "-joined, their channel costs, known to the lexicon (1) or not
    edits: tuple[tuple[str, bool], ...]               # (word one edit away, known to the lexicon)
    splits: tuple[str, ...]                           # two words a lost space glued ("we could")
    far: tuple[tuple[str, float], ...] = ()           # (word two confusions away, channel cost): `_far`

    def each_variant(self):
        """(word, channel cost, known to the lexicon) of the model's variants, in their order."""
        words, costs, known = self.variants
        return zip(words.split(" "), costs, known) if words else ()


@lru_cache(maxsize=15_000)  # ~1.1 kB an entry, a miss ~1 ms (the candidates generated); a reading met again in another
# witness: 25 scale books in one process hit 25 % at 5k (14,500 misses), 34 % at 20k (12,800)
def _lexical(reading: str, lex: Lexicon, model: OcrModel, min_zipf: float, max_cost: float) -> _Lexical:
    low = reading.lower()
    knows = _lexicon_knows(lex, min_zipf)
    found = _variants(reading, lex, model, max_cost)
    variants = (" ".join(v for v, _ in found), array("d", [c for _, c in found]),
                bytes(map(knows, [v for v, _ in found])))
    edits = tuple((t, knows(t)) for t in (_edit1(low, lex) if len(low) >= 3 else ()))
    # a lost space (Russian compounds are words)
    splits = tuple(f"{a} {b}" for a, b in two_words(low, lex)) if lex.language == "en" else ()
    # no word of the lexicon near: two confusions further ("Pieasury" -> "Treasury"); English only (a
    # Russian word with no word near is a rare valid form far more often than damage, as detect judges it)
    far = _far(reading, lex, model) if (lex.language == "en" and not any(variants[2])
                                        and not any(k for _, k in edits) and not splits) else ()
    return _Lexical(variants, edits, splits, far)


# the search two confusions away (`_far`): the model's likeliest confusions of each letter group, up
# to this many; a confusion costing at most FAR_SECOND may be followed by another; a word found so
# costs at most FAR_COST (-log10 P: "Pieasury" for "Treasury" is 6.5, an unseen "P" for "T" and "ie" for "re")
FAR_PER_GROUP, FAR_SECOND, FAR_COST, FAR_MIN_LENGTH = 8, 3.0, 7.0, 4


def _far(reading: str, lex: Lexicon, model: OcrModel) -> tuple[tuple[str, float], ...]:
    """The index words two confusions from a reading that has no word nearer: two learned ones
    ("henriug" -> "hearing"), or a learned one and then any single edit ("Pieasury" -> "Preasury" ->
    "Treasury"), each priced by the channel. Bounded: the cheap confusions only, along the index's
    prefixes and suffixes (made for a reading with no nearer word only: a garble's)."""
    low = reading.lower()
    if len(low) < FAR_MIN_LENGTH or not low.isalpha():
        return ()
    index = word_index(lex)
    found: dict[str, float] = {}
    # the first confusions (at most FAR_SECOND) the search goes on from: those of
    # model.variants(reading, max_cost=FAR_SECOND, depth=1, per_group=FAR_PER_GROUP, prefixes=...), from
    # the same search rather than a second one
    first: set[str] = set()
    for v, c in model.variants(reading, max_cost=FAR_COST, depth=2, per_group=FAR_PER_GROUP, second=FAR_SECOND,
                               prefixes=index.prefixes, suffixes=index.suffixes, steps=first):
        v = v.lower()
        if v != low and v in index.words and c < found.get(v, 99.0):
            found[v] = c
    steps = {v.lower() for v in first}
    for step in sorted(steps):  # a fixed order: a set's depends on the hash seed
        for w in _edit1(step, lex):
            if w != low and w not in found:
                found[w] = model.channel(reading, w)
    return tuple(sorted((w, c) for w, c in found.items() if c <= FAR_COST))


# each half of a word cut in two is at least this frequent ("a round", "any thing": two such words)
HALF_ZIPF = 3.5


@lru_cache(maxsize=10_000)  # hit 4 % of the time on scale books (~200 bytes an entry)
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


@lru_cache(maxsize=10_000)  # hit a third of the time on scale books (~150 bytes an entry)
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
    for v, c, known in lexical.each_variant():
        if known or vocab.get(v, 0) >= witness_known:
            out[v] = c
    if own is None:
        own = own_words(vocab, lex, min_zipf, witness_known)
    for v in own.get(low[:1], ()):  # the witness's own frequent words the lexicon lacks ("Kollontai")
        if v not in out and abs(len(v) - len(low)) <= 2 and v != low:
            if model.channel_floor(reading, v) > max_cost + 1e-9:
                continue  # certainly costlier than max_cost, without the alignment (most of them)
            c = model.channel(reading, v, max_cost)  # (no costlier way searched)
            if c <= max_cost:
                out[v] = c
    for term, known in lexical.edits:
        if term not in out and (known or vocab.get(term, 0) >= witness_known):
            out[term] = _edit_cost(reading, term, model)
    for split in lexical.splits:
        out[split] = model.space_lost
    out = {w: c for w, c in out.items() if c <= max_cost + 1.0}
    if not out:  # nothing near: the words two confusions away (_far)
        knows = _lexicon_knows(lex, min_zipf)
        out = {w: c for w, c in lexical.far if knows(w)}
    return out
