"""Word lists and OCR-aware correction candidates.

The lexicon of a language is wordfreq's frequency list (en: 321,000 forms,
ru: 713,000), as Zipf values (log10 of frequency per billion words: "the" 7.7,
"opposition" 4.6, "apportion" 2.2, "commisnr" absent). It is loaded once per run
through pipeline.context.Resources.lexicon.

`candidates` proposes corrections for a damaged reading ranked by an edit cost
weighted by OCR confusions: "awav" -> "away" (v for y) and "Eccnomic" ->
"Economic" (c for o) are cheap, any other letter change costs a full edit.
"""
from __future__ import annotations

import marshal
import math
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# (read, meant, cost): what OCR printed and what the page had. Cheap = common confusion.
_EN_CONFUSIONS = [
    ("rn", "m", 0.3), ("m", "rn", 0.35), ("cl", "d", 0.3), ("d", "cl", 0.4), ("li", "h", 0.35), ("h", "li", 0.4),
    ("ii", "u", 0.35), ("u", "ii", 0.4), ("vv", "w", 0.3), ("w", "vv", 0.4), ("ri", "n", 0.4), ("n", "ri", 0.45),
    ("in", "m", 0.45), ("m", "in", 0.45), ("rn", "rm", 0.5), ("ll", "n", 0.5), ("n", "ll", 0.5),
    ("1", "l", 0.2), ("l", "1", 0.4), ("I", "l", 0.25), ("l", "I", 0.3), ("1", "I", 0.3), ("i", "l", 0.35),
    ("l", "i", 0.35), ("11", "ll", 0.2), ("0", "o", 0.25), ("o", "0", 0.5), ("5", "s", 0.4), ("8", "s", 0.5),
    ("c", "e", 0.3), ("e", "c", 0.3), ("c", "o", 0.35), ("o", "c", 0.35), ("e", "o", 0.4), ("o", "e", 0.4),
    ("a", "o", 0.45), ("o", "a", 0.45), ("f", "t", 0.35), ("t", "f", 0.35), ("f", "s", 0.4), ("s", "f", 0.45),
    ("fi", "th", 0.4), ("h", "b", 0.35), ("b", "h", 0.35), ("v", "y", 0.3), ("y", "v", 0.3), ("g", "q", 0.35),
    ("q", "g", 0.35), ("n", "u", 0.35), ("u", "n", 0.35), ("t", "l", 0.45), ("l", "t", 0.45), ("r", "t", 0.5),
    ("I", "f", 0.45), ("f", "I", 0.5), ("tl", "d", 0.45), ("ti", "h", 0.5), ("a", "e", 0.5), ("e", "a", 0.5),
    ("c", "a", 0.5), ("s", "a", 0.5), ("U", "ll", 0.3), ("H", "li", 0.35), ("j", "i", 0.45), ("i", "j", 0.5), ("k", "h", 0.5), ("'", "", 0.5),
]
_RU_CONFUSIONS = [
    ("я", "и", 0.4), ("и", "я", 0.45), ("н", "и", 0.35), ("и", "н", 0.35), ("п", "н", 0.35), ("н", "п", 0.35),
    ("ш", "щ", 0.3), ("щ", "ш", 0.3), ("ь", "ъ", 0.4), ("ъ", "ь", 0.4), ("е", "с", 0.35), ("с", "е", 0.35),
    ("о", "с", 0.4), ("с", "о", 0.4), ("л", "п", 0.4), ("п", "л", 0.4), ("в", "з", 0.45), ("з", "в", 0.45),
    ("ы", "ь", 0.4), ("ь", "ы", 0.4), ("б", "6", 0.4), ("6", "б", 0.3), ("3", "з", 0.3), ("0", "о", 0.25),
    ("т", "г", 0.4), ("г", "т", 0.4), ("ц", "п", 0.45), ("ii", "п", 0.45), ("ж", "к", 0.5), ("й", "и", 0.35),
    ("и", "й", 0.35), ("е", "ё", 0.2), ("ё", "е", 0.2),
]
_RU_ENDINGS = ("", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й", "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях",
               "ов", "ев", "ий", "ый", "ая", "ое", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им", "ую", "юю",
               "ых", "их", "ами", "ями", "ыми", "ими", "ть", "ет", "ют", "ут", "ит", "ат", "ят", "ал", "ил", "ла",
               "ли", "ние", "ния", "нию", "ием", "ство", "ства", "ский", "ская", "ское", "ские", "ских", "ся", "ость",
               "ости", "ать", "ить", "ешь", "ем", "ете", "ивать", "ывать")
CONFUSIONS = {"en": _EN_CONFUSIONS, "ru": _RU_CONFUSIONS}
ALPHABET = {"en": "abcdefghijklmnopqrstuvwxyz", "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"}
EDIT = 1.0  # cost of a letter change that is not a known OCR confusion


@dataclass(frozen=True)
class Candidate:
    word: str
    cost: float   # OCR-weighted edit cost from the reading
    zipf: float   # frequency of the candidate in the language

    @property
    def score(self) -> float:
        """Higher is better: frequent words reached by cheap confusions win."""
        return self.zipf - 3.0 * self.cost


def _cache_file(language: str) -> Path | None:
    try:
        from importlib.metadata import version
        wf = version("wordfreq")
    except Exception:  # noqa: BLE001 (no metadata: no cache)
        return None
    base = Path(os.environ.get("EDITION_CACHE") or Path.home() / ".cache" / "edition")
    return base / f"freq-{language}-wordfreq-{wf}.marshal"


@lru_cache(maxsize=8)
def _freq_table(language: str) -> dict[str, float]:
    """wordfreq's large list (word -> frequency), from the cache file when there is one
    (wordfreq unpacks a compressed msgpack file: about half a second per language)."""
    cache = _cache_file(language)
    if cache is not None and cache.exists():
        try:
            table = marshal.loads(cache.read_bytes())
            if isinstance(table, dict) and table:  # an empty cache is a broken one: rebuilt below
                return table
        except (OSError, ValueError, EOFError, TypeError):
            pass
    try:
        from wordfreq import get_frequency_dict
        freqs = get_frequency_dict(language, "large")
    except (LookupError, ValueError, OSError):
        freqs = {}
    table = {w: f for w, f in freqs.items() if f > 0}
    if not table and language in ("en", "ru"):
        print(f"edition: warning: no word list for {language!r} (wordfreq gave none): detection and "
              "hyphenation decisions will differ from a normal run", file=sys.stderr)
    if cache is not None and table:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(table))
            os.replace(tmp, cache)
        except OSError:
            pass
    return table


def shared(language: str) -> "Lexicon":
    """The process-wide lexicon of a language (loaded once, whatever asks for it)."""
    return _shared(language)


@lru_cache(maxsize=8)
def _shared(language: str) -> "Lexicon":
    return Lexicon.load(language)


class Lexicon:
    """A language's word frequencies (Zipf scale), lower-case keys."""

    def __init__(self, language: str, freqs: dict[str, float]):
        self.language = language
        self._freq = freqs  # wordfreq's frequencies; Zipf values are computed on lookup
        self.confusions = CONFUSIONS.get(language, [])
        self.alphabet = ALPHABET.get(language, ALPHABET["en"])

    @classmethod
    def load(cls, language: str) -> "Lexicon":
        """wordfreq's large list for the language (en, ru); an unknown language gives an empty lexicon.

        Unpacking wordfreq's list takes about half a second per language, so the list is
        kept in a cache file (EDITION_CACHE, default ~/.cache/edition) keyed by the wordfreq
        version; a cache that cannot be read or written is simply not used.
        """
        return cls(language, _freq_table(language))

    def zipf(self, word: str) -> float:
        """Zipf frequency of a word (0.0 if absent); apostrophes and case folded."""
        w = word.lower().replace("’", "'")
        f = self._freq.get(w)
        if f is None and w.endswith("'s"):
            f = self._freq.get(w[:-2])
        return math.log10(f) + 9.0 if f else 0.0

    def derived(self, word: str, min_zipf: float = 2.0) -> str | None:
        """A known word this reading is an inflection or derivation of, or None.

        Russian "профессионалистов" and English "polemicise" (for "polemicize") or
        "humanisms" are absent from the list but are words: another ending on the same
        stem is frequent enough. Damage rarely keeps a long stem intact and changes
        only the ending into another real ending.
        """
        w = word.lower().replace("’", "'")
        if self.language == "ru":
            if len(w) < 6:
                return None
            for cut in (1, 2, 3, 4):
                stem = w[:-cut]
                if len(stem) < 5:
                    break
                for end in _RU_ENDINGS:
                    form = stem + end
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

    def candidates(self, word: str, min_zipf: float = 2.5, max_cost: float = 1.0, extra: dict[str, int] | None = None,
                   limit: int = 5) -> list[Candidate]:
        """Corrections for a reading, best first: one OCR confusion or one plain edit away
        (two confusions if both are cheap), known to the lexicon at min_zipf or to `extra`
        (the witness's own frequent words)."""
        found: dict[str, float] = {}
        low = word.lower()
        for cand, cost in self._variants(word):
            cand = cand.lower()
            if cost > max_cost or cand == low:
                continue
            if found.get(cand, 99.0) <= cost:
                continue
            z = self.zipf(cand)
            if z >= min_zipf or (extra and extra.get(cand, 0) >= 3):
                found[cand] = cost
        out = [Candidate(_recase(word, c), cost, max(self.zipf(c), 0.0)) for c, cost in found.items()]
        out.sort(key=lambda c: (-c.score, c.word))
        return out[:limit]

    def _variants(self, word: str):
        """(variant, cost) pairs: OCR confusions (up to two cheap ones) and single plain edits."""
        first = list(_confusion_edits(word, self.confusions))
        if word != word.lower():
            first += _confusion_edits(word.lower(), self.confusions)
        yield from first
        cheap_hit = False
        for v, c in first:
            if c <= 0.5 and self.zipf(v) >= 3.0:
                cheap_hit = True
            if c <= 0.45:
                for v2, c2 in _confusion_edits(v, self.confusions):
                    if c + c2 <= 0.8:
                        yield v2, c + c2
        # plain edits only when no cheap OCR confusion gives a common word, and not for long
        # words (a 15-letter word has 1,000 single edits; its damage is rarely a plain edit)
        if not cheap_hit and len(word) <= 14:
            yield from _plain_edits(word.lower(), self.alphabet)


def _confusion_edits(word: str, confusions) -> list[tuple[str, float]]:
    out = []
    for read, meant, cost in confusions:
        start = word.find(read)
        while start >= 0:
            out.append((word[:start] + meant + word[start + len(read):], cost))
            start = word.find(read, start + 1)
    # case-folded confusions (capital I for l inside a word: "controI")
    return out


@lru_cache(maxsize=50000)
def _plain_edits_cached(word: str, alphabet: str) -> tuple[tuple[str, float], ...]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = []
    for a, b in splits:
        if b:
            out.append((a + b[1:], EDIT))                     # deletion
        if len(b) > 1:
            out.append((a + b[1] + b[0] + b[2:], EDIT * 0.8))  # transposition
        for ch in alphabet:
            if b:
                out.append((a + ch + b[1:], EDIT))            # substitution
            out.append((a + ch + b, EDIT))                    # insertion
    return tuple(out)


def _plain_edits(word: str, alphabet: str):
    return _plain_edits_cached(word, alphabet)


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
    """OCR-weighted edit distance (dynamic programming over single letters and the
    multi-letter confusions of the language): d("rnodern", "modern") = 0.3."""
    conf = CONFUSIONS.get(language, [])
    n, m = len(a), len(b)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            cur = d[i][j]
            if cur == inf:
                continue
            if i < n and j < m:
                c = 0.0 if a[i] == b[j] else (0.5 if a[i].lower() == b[j].lower() else EDIT)
                d[i + 1][j + 1] = min(d[i + 1][j + 1], cur + c)
            if i < n:
                d[i + 1][j] = min(d[i + 1][j], cur + EDIT)
            if j < m:
                d[i][j + 1] = min(d[i][j + 1], cur + EDIT)
            for read, meant, cost in conf:
                if a.startswith(read, i) and b.startswith(meant, j):
                    ii, jj = i + len(read), j + len(meant)
                    d[ii][jj] = min(d[ii][jj], cur + cost)
    return d[n][m]
