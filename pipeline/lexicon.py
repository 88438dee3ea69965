"""Word lists and OCR-aware correction candidates.

The lexicon of a language is wordfreq's frequency list (en: 321,000 forms,
ru: 713,000), as Zipf values (log10 of frequency per billion words: "the" 7.7,
"opposition" 4.6, "apportion" 2.2, "commisnr" absent). It is loaded once per run
through pipeline.context.Resources.lexicon.

Correction candidates and their OCR costs are in pipeline/correct/ (the learned
OCR error model, pipeline/data/ocr_model.json); `weighted_distance` is that model's
channel cost, kept here for the callers of the lexicon.
"""
from __future__ import annotations

import math
import re
import struct
import sys
from bisect import bisect_left
from functools import lru_cache

from pipeline.russian import endings as ru_endings


@lru_cache(maxsize=8)
def _freq_table(language: str):
    """wordfreq's large list (word -> frequency), as a memory-mapped table (pipeline.store)
    built once per wordfreq version: opening it costs nothing; unpacking wordfreq's
    compressed list costs about half a second per language."""
    try:
        from importlib.metadata import version
        wf = version("wordfreq")
    except Exception:  # noqa: BLE001 (no metadata: build in memory, no cache)
        return _wordfreq_dict(language)
    from pipeline.store import fast_table, open_table
    return fast_table(open_table(f"freq-{language}-wordfreq-{wf}", lambda: _wordfreq_dict(language),
                                 f"the {language} word list"))


def _wordfreq_dict(language: str) -> dict[str, float]:
    try:
        from wordfreq import get_frequency_dict
        freqs = get_frequency_dict(language, "large")
    except (LookupError, ValueError, OSError):
        freqs = {}
    table = {w: f for w, f in freqs.items() if f > 0}
    if not table and language in ("en", "ru"):
        print(f"edition: warning: no word list for {language!r} (wordfreq gave none): detection and "
              "hyphenation decisions will differ from a normal run", file=sys.stderr)
    return table


def shared(language: str) -> "Lexicon":
    """The process-wide lexicon of a language (loaded once, whatever asks for it)."""
    return _shared(language)


@lru_cache(maxsize=8)
def _shared(language: str) -> "Lexicon":
    return Lexicon.load(language)


# lookups remembered per lexicon (a memory-mapped lookup costs microseconds, a dict's a tenth of
# that; a run asks for the same few thousand words again and again); emptied when this full
MEMO_MAX = 50_000


def fold(word: str) -> str:
    """A word as the lexicon and a witness's vocabulary key it: lower case, curly apostrophe straight."""
    return word.lower().replace("’", "'")


def wordfreq_zipf(word: str, language: str) -> float:
    """wordfreq.zipf_frequency(word, language), the same figure, read from the lexicon's
    memory-mapped table instead of wordfreq's own dict: that dict took 138 MB and 0.7 s in
    every process that cleaned Russian."""
    plain = _PLAIN.get(language)
    if plain is not None and plain.fullmatch(word):  # wordfreq's tokenizer gives it back as it is
        f = shared(language)._freq.get(word)
        return _zipf_of(1.0 / (1.0 / f)) if f is not None else 0.0  # as combined below, to the last bit
    import wordfreq
    tokens = wordfreq.lossy_tokenize(word, language)
    if not tokens:
        return 0.0
    freqs = shared(language)._freq
    inverse = 0.0
    for token in tokens:  # as wordfreq._word_frequency combines them: 1/f = 1/f1 + 1/f2 + ...
        smashed = wordfreq.smash_numbers(token)
        f = freqs.get(smashed)
        if f is None:
            return 0.0
        if smashed != token:
            f *= wordfreq.digit_freq(token)
        inverse += 1.0 / f
    return _zipf_of(1.0 / inverse)


# a word of these letters alone is one token of itself in wordfreq's tokenizer (no case to fold,
# no mark to normalise, no apostrophe or digit): checked on every such word of both lists
_PLAIN = {"ru": re.compile("[а-яё]+"), "en": re.compile("[a-z]+")}


def plainly_unlisted(language: str):
    """A test saying at one lookup that wordfreq_zipf(word, language) is 0.0: a plain word (one token
    of itself) that the table lacks. False says nothing (the word may still be listed)."""
    plain, listed = _PLAIN[language].fullmatch, shared(language)._freq.get
    return lambda word: plain(word) is not None and listed(word) is None


def _zipf_of(freq: float) -> float:
    """wordfreq's Zipf figure of a frequency."""
    freq = max(freq, 1e-9)  # wordfreq's floor: zipf 0
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)  # its 3 significant digits
    return round(math.log(freq, 10) + 9, 2)


def top_words(language: str, n: int) -> list[str]:
    """wordfreq.top_n_list(language, n): the n commonest words, most common first (no digit
    runs), read in order from the lexicon's table (built from wordfreq's list in its order)."""
    from wordfreq.numbers import has_digit_sequence
    out: list[str] = []
    for w in shared(language)._freq:
        if not has_digit_sequence(w):
            out.append(w)
            if len(out) >= n:
                break
    return out


FREQUENT = 1.9  # Zipf: frequent_words lists the words at least this frequent


class SortedWords:
    """A sorted list of words in one memory-mapped file: a count (uint32), the words' start
    offsets (uint32, one more than the words), then the words in UTF-8, back to back. Opening
    it reads nothing; `begun(stem)` is two bisections over the mapped bytes (UTF-8 sorts as
    its code points do)."""

    def __init__(self, path):
        import mmap
        with open(path, "rb") as f:
            self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (n,) = _COUNT.unpack_from(self._mm, 0)
        self._n = n
        self._offsets = memoryview(self._mm)[4:4 + 4 * (n + 1)].cast("I")
        self._data = 4 + 4 * (n + 1)
        if self._data + self._offsets[n] != len(self._mm):
            raise ValueError(f"{path}: not a sorted word list")

    def _first(self, key: bytes, lo: int = 0, hi: int | None = None) -> int:
        """The index of the first word >= key (in words[lo:hi])."""
        mm, offs, base = self._mm, self._offsets, self._data
        hi = self._n if hi is None else hi
        while lo < hi:
            mid = (lo + hi) // 2
            if mm[base + offs[mid]:base + offs[mid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def begun(self, stem: str, most: int = 256) -> "set[str] | _Range":
        """The words that begin with `stem`: a set, or past `most` of them a range to test
        words against (`in`)."""
        key = stem.encode("utf-8", "surrogatepass")
        lo = self._first(key)
        hi = self._first(key + b"\xff", lo)  # no UTF-8 byte is 0xff
        if hi - lo > most:
            return _Range(self, lo, hi)
        mm, offs, base = self._mm, self._offsets, self._data
        return {mm[base + offs[k]:base + offs[k + 1]].decode("utf-8", "surrogatepass") for k in range(lo, hi)}

    @staticmethod
    def write(path, words: list[str]) -> None:
        from array import array

        from pipeline.store import write_atomic
        data = [w.encode("utf-8", "surrogatepass") for w in sorted(words)]
        offsets = array("I", [0])
        for b in data:
            offsets.append(offsets[-1] + len(b))
        if sys.byteorder != "little":
            offsets.byteswap()
        write_atomic(path, _COUNT.pack(len(data)) + offsets.tobytes() + b"".join(data))


class _Range:
    """Words lo..hi of a SortedWords (all beginning with one stem), tested by bisection."""

    def __init__(self, words: SortedWords, lo: int, hi: int):
        self.words, self.lo, self.hi = words, lo, hi

    def __bool__(self) -> bool:
        return self.hi > self.lo

    def __contains__(self, word: str) -> bool:
        w = self.words
        key = word.encode("utf-8", "surrogatepass")
        k = w._first(key, self.lo, self.hi)
        return k < self.hi and w._mm[w._data + w._offsets[k]:w._data + w._offsets[k + 1]] == key


class _InMemory:
    """SortedWords' reading of a word list held in memory (a cache that cannot be written)."""

    def __init__(self, words: list[str]):
        self._words = sorted(words)

    def begun(self, stem: str) -> set[str]:
        lo = bisect_left(self._words, stem)
        hi = bisect_left(self._words, stem + "\U0010ffff", lo)
        return set(self._words[lo:hi])


_COUNT = struct.Struct("<I")


@lru_cache(maxsize=8)
def frequent_words(language: str):
    """The words of the language's list at least FREQUENT (Zipf), sorted (SortedWords): which
    endings on a stem make a frequent word is a bisection or two (Lexicon.derived), not a
    lookup per ending. Depending on the word list alone, the list is made once beside its
    memory-mapped table (pipeline.store, named by the wordfreq version; `edition prepare`
    makes it): reading ~280,000 words out of the table takes most of a second."""
    table = shared(language)._freq
    path = getattr(table, "path", None)
    kept = path.with_name(f"{path.stem}.frequent-{FREQUENT}.words") if path is not None else None
    if kept is not None:
        try:
            return SortedWords(kept)
        except (OSError, ValueError, struct.error):
            pass
    floor = 10 ** (FREQUENT - 9.0)
    words = [w for w, f in table.items() if f >= floor]
    if kept is not None:
        try:
            SortedWords.write(kept, words)
            return SortedWords(kept)
        except (OSError, ValueError, struct.error):
            pass
    return _InMemory(words)


# the frequency of each Zipf value Lexicon.at_least is asked about (a few settings' values)
_FLOORS: dict[float, float] = {}


class Lexicon:
    """A language's word frequencies (Zipf scale), lower-case keys."""

    def __init__(self, language: str, freqs: dict[str, float]):
        self.language = language
        self._freq = freqs  # wordfreq's frequencies; Zipf values are computed on lookup
        self._freqs: dict[str, float | None] = {}  # word -> frequency (None: absent), see MEMO_MAX
        self._zipfs: dict[str, float] = {}         # word as asked -> zipf
        self._derived: dict[tuple[str, float], str | None] = {}  # (word, min_zipf) -> `derived`

    @classmethod
    def load(cls, language: str) -> "Lexicon":
        """wordfreq's large list for the language (en, ru); an unknown language gives an empty lexicon.

        The list is a memory-mapped table (pipeline.store) in EDITION_CACHE (default
        ~/.cache/edition), built on first use per wordfreq version; a cache that cannot be
        written is not used (the list is then unpacked in memory).
        """
        return cls(language, _freq_table(language))

    def freq(self, word: str) -> float | None:
        """wordfreq's frequency of a lower-case word as listed (None if absent)."""
        try:
            return self._freqs[word]
        except KeyError:
            if len(self._freqs) >= MEMO_MAX:
                self._freqs.clear()
            f = self._freqs[word] = self._freq.get(word)
            return f

    def zipf(self, word: str) -> float:
        """Zipf frequency of a word (0.0 if absent); apostrophes and case folded."""
        z = self._zipfs.get(word)
        if z is None:
            w = fold(word)
            f = self.freq(w)
            if f is None and w.endswith("'s"):
                f = self.freq(w[:-2])
            z = math.log10(f) + 9.0 if f else 0.0
            if len(self._zipfs) >= MEMO_MAX:
                self._zipfs.clear()
            self._zipfs[word] = z
        return z

    def at_least(self, word: str, min_zipf: float) -> bool:
        """Fast check for a lower-case word: is it at least this frequent?"""
        try:  # self.freq(word) written out: asked hundreds of thousands of times a megabyte
            f = self._freqs[word]
        except KeyError:
            f = self.freq(word)
        if f is None:
            return False
        floor = _FLOORS.get(min_zipf)
        if floor is None:
            if len(_FLOORS) >= 64:
                _FLOORS.clear()
            floor = _FLOORS[min_zipf] = 10 ** (min_zipf - 9.0)
        return f >= floor

    def derived(self, word: str, min_zipf: float = 2.0) -> str | None:
        """A known word this reading is an inflection or derivation of, or None.

        Russian "карьеристских" (endings: pipeline/data/ru_endings.toml) and English
        "polemicise" (for "polemicize") or "humanisms" are absent from the list but are
        words: another ending on the same stem is frequent enough. Damage rarely keeps a long stem intact and changes
        only the ending into another real ending.
        """
        key = (word, min_zipf)  # detect asks of a suspect reading twice (stretches, then its judgement)
        try:
            return self._derived[key]
        except KeyError:
            if len(self._derived) >= MEMO_MAX:
                self._derived.clear()
            found = self._derived[key] = self._derived_form(word, min_zipf)
            return found

    def _derived_form(self, word: str, min_zipf: float) -> str | None:
        w = fold(word)
        if self.language == "ru":
            if len(w) < 6:
                return None
            ends = ru_endings()
            # the frequent words the stem begins (every form at least min_zipf is one of them; a form
            # in "'s" is tested as zipf() reads it, as its word without the "'s", which the list need not hold)
            words = frequent_words("ru") if min_zipf >= FREQUENT + 0.05 and self._freq is shared("ru")._freq else None
            for cut in (1, 2, 3, 4):
                stem = w[:-cut]
                if len(stem) < 5:
                    break
                if w[-cut:] not in ends:
                    continue  # the reading's own ending is none («говорнт»: «говор» and «нт»): damage, not a form
                begun = words.begun(stem) if words is not None else None
                if begun is not None and not begun and not stem.endswith("'s"):
                    continue  # no frequent word begins so: none of the forms is one
                for end in ends:
                    form = stem + end
                    if begun is not None and form not in begun and not form.endswith("'s"):
                        continue
                    if form != w and self.zipf(form) >= min_zipf:
                        return form
            return None
        if len(w) < 5:
            return None
        # British and American spellings of one word: "vitalising" is "vitalizing" (zipf 1.6)
        spellings = [w]
        for a, b in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ises", "izes"), ("ise", "ize"),
                     ("yse", "yze"), ("our", "or")):
            if a in w:
                spellings.append(w.replace(a, b))
        for f in spellings[1:]:
            if self.zipf(f) >= 1.0:
                return f
        forms = []
        for sp in spellings:
            for suf in ("s", "es", "ed", "d", "ing", "ly", "ism", "isms", "ist", "ists", "istic", "ation",
                        "ification", "ness", "ment", "al", "ally", "ic"):
                if sp.endswith(suf) and len(sp) - len(suf) >= 4:
                    stem = sp[: -len(suf)]
                    forms += [stem, stem + "e", stem + "y", stem + "ize", stem + "ise", stem + "ify"]
        for f in forms:
            if self.zipf(f) >= min_zipf:
                return f
        return None

    def __contains__(self, word: str) -> bool:
        return self.zipf(word) > 0.0

    def common_words(self, min_zipf: float):
        """(word, frequency) of the purely alphabetic words at least this frequent."""
        floor = 10 ** (min_zipf - 9.0)
        return [(w, f) for w, f in self._freq.items() if f >= floor and w.isalpha()]


@lru_cache(maxsize=20_000)  # detection recases the same few thousand pairs again and again (~150 bytes an entry)
def recase(original: str, cand: str) -> str:
    return _recase(original, cand)


def _recase(original: str, cand: str) -> str:
    """Give a candidate the case pattern of the reading: "Eccnomic" -> "Economic",
    "A11" -> "All", "controI" -> "control" (a capital I inside a word is a confused l)."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters) and len(letters) == len(original):
        return cand.upper()
    if original[:1].isupper():
        if original[:1] in "HIJL1" and original[:1].lower() != cand[:1].lower():
            return cand.lower()  # the capital was itself the damage: "Hmited" is "limited"
        return cand[:1].upper() + cand[1:].lower()
    return cand.lower()


def weighted_distance(a: str, b: str, language: str = "en") -> float:
    """OCR cost of reading `b` printed as `a` (-log10 P, the learned model of pipeline/correct):
    d("rnodern", "modern") < d("nodern", "modern")."""
    from pipeline.correct.model import shared as ocr_model
    return ocr_model().channel(a, b)
