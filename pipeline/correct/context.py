"""P(word | neighbours) for English: symspellpy's bigram list and the witness's own bigrams.

symspellpy ships Google-derived counts: 82,765 words and 243,342 bigrams ("rank and",
"and file"). The probability of a word after its left neighbour mixes the bigram
estimate, the witness's own bigrams (what this text says in this company, leaving out
the reading being judged) and the word's own frequency (wordfreq), so that a missing
bigram (the list keeps only common ones) lowers a word without ruling it out. A pair the
list lacks is told apart by what the list's cut implies (`unlisted`).
Loaded lazily, once per process, from memory-mapped tables built once (pipeline.store).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from pipeline.lexicon import Lexicon
from pipeline.store import open_table

W_BIGRAM, W_WITNESS, W_UNIGRAM = 0.6, 0.25, 0.15


@lru_cache(maxsize=1)
def english_ngrams() -> tuple[Mapping[str, float], Mapping[str, float]]:
    """(unigram counts, bigram counts keyed "left right") of symspellpy's English lists, as
    memory-mapped tables (pipeline.store): a dict of the 243,342 bigrams took 44 MB in every
    process; the table's pages are shared by every process on the machine and open at once."""
    from importlib.metadata import version
    name = f"symspellpy-{version('symspellpy')}"
    return (open_table(f"ngrams-uni-en-{name}", lambda: _read_counts("frequency_dictionary_en_82_765.txt", 1),
                       "symspellpy's English word counts"),
            open_table(f"ngrams-bi-en-{name}", lambda: _read_counts("frequency_bigramdictionary_en_243_342.txt", 2),
                       "symspellpy's English bigram counts"))


@lru_cache(maxsize=1)
def bigram_list_cut() -> tuple[float, float]:
    """(scale, least) of symspellpy's bigram list: how many times its counts outnumber the word
    list's (the two count different corpora: the bigrams of the 100 commonest words sum to 24-56
    times their own counts, "the" 37, "is" 53; the upper quartile, as those rows lack only their
    rare continuations) and the least count it keeps (the list is cut there)."""
    from importlib.metadata import version
    return tuple(open_table(f"ngrams-bi-cut-en-symspellpy-{version('symspellpy')}", _bigram_cut,
                            "the cut of symspellpy's English bigram list").get(k, 0.0) for k in ("scale", "least"))


def _bigram_cut() -> dict[str, float]:
    uni, bi = english_ngrams()
    rows: dict[str, float] = {}
    for pair, c in bi.items():
        left = pair.split(" ", 1)[0]
        rows[left] = rows.get(left, 0.0) + c
    common = sorted((w for w in uni if w in rows), key=lambda w: (-uni[w], w))[:100]
    ratios = sorted(rows[w] / uni[w] for w in common)
    return {"scale": ratios[3 * len(ratios) // 4], "least": min(bi.values())}


def _read_counts(name: str, words: int) -> dict[str, float]:
    """{"word" or "left right": count} of one of symspellpy's lists (lines "w... count")."""
    import symspellpy
    out: dict[str, float] = {}
    for line in (Path(symspellpy.__file__).parent / name).read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == words + 1:
            out[" ".join(parts[:words])] = float(parts[words])
    return out


def _language_part(lex: Lexicon):
    """P(w) and the language's share of P(w | prev) for one lexicon: pure functions of the
    words, remembered once per process for every witness (the bigram table's lookups cost
    microseconds each and the same pairs come back in every document)."""
    uni, bi = english_ngrams() if lex.language == "en" else ({}, {})
    scale, least = bigram_list_cut() if lex.language == "en" else (0.0, 0.0)

    # caps by their hit rates on scale books (benchmarks/scale.py: 0.98, 0.87, 0.85) against what
    # they hold (p_next 180 bytes an entry, the others ~95) in every process that cleans long: a
    # miss costs a table lookup of a few microseconds
    @lru_cache(maxsize=50_000)
    def p_uni(w: str) -> float:
        z = lex.zipf(w)
        return 10 ** (z - 9) if z > 0 else 1e-9

    @lru_cache(maxsize=50_000)
    def count(w: str) -> float | None:
        return uni.get(w)

    @lru_cache(maxsize=30_000)
    def p_next(prev: str, w: str) -> float:
        p = W_UNIGRAM * p_uni(w)
        c = count(prev)
        if c:
            b = bi.get(f"{prev} {w}")
            if b is None:
                return p + W_BIGRAM * unlisted(c, w)
            return p + W_BIGRAM * b / c
        return p + W_BIGRAM * p_uni(w)

    def unlisted(c: float, w: str) -> float:
        """The bigram estimate of a pair the list lacks, after a word counted `c` times. Where the
        words, were they independent, would pair less often than the list's least count, its silence
        says nothing: as likely as anywhere (on the list's scale). Where they would pair more often,
        the list would keep the pair: it is rarer than chance ("one give"), and the estimate is none.
        Before 2026-12 every unlisted pair had none, so a pair the cut left out weighed thousands of
        times less than a listed one ("old hat" against "old has", "he submitted" against "be
        submitted"): a clean print's sound words were asked about."""
        e = scale * p_uni(w)
        return e if e * c < least else 0.0

    def p_alone(prev: str, w: str) -> float:
        return W_UNIGRAM * p_uni(w) + W_BIGRAM * p_uni(w)

    # without a bigram list (Russian) the pair is no key: remembering it held ~200 bytes a pair
    return p_uni, (p_next if lex.language == "en" else p_alone)


_language_parts = lru_cache(maxsize=4)(_language_part)


class ContextModel:
    """log10 P(word | left) + log10 P(right | word) for one witness."""

    def __init__(self, lex: Lexicon, vocab: dict[str, int], bigrams: dict[tuple[str, str], int]):
        """`vocab`: the witness's words and their counts; `bigrams`: its linked pairs of those words."""
        self.lex = lex
        self.vocab = vocab
        self.bigrams = bigrams
        # a reading's own place is no evidence for it: its bigrams with both neighbours there are left out of
        # the witness's counts (a once-printed "rathor" before "than" was its own proof; a misreading the
        # witness repeats, "tho" for "the" in a newspaper column, was its own proof before every name and rare
        # word: "for tho British", where the bigram list has "the british" and the witness never prints it).
        # Until 2026-12 the right one stayed for a reading printed 3 times or more, for the company of words
        # the witness uses often, which the bigram list lacks ("he submitted"); held out by source
        # (benchmarks/correction.py --folds 2) leaving it out too raised the flagged share and lowered WER in
        # all four folds, at the same precision. Without a bigram list (Russian) the witness's own bigrams are
        # all the context there is: there the right one stays
        self.own_right = lex.language == "en"
        self.p_uni, self._p_language = _language_parts(lex)
        # `outscored`'s halves of the scores, (left word or None, word, own) -> the left one and (word, right
        # word, own) -> the right one, each computed once for the witness
        self._lefts: dict[tuple, float] = {}
        self._rights: dict[tuple, float] = {}

    def p_next(self, prev: str, w: str, own_prev: int = 0) -> float:
        """P(w | prev); `own_prev` leaves the judged reading itself out of the witness's counts."""
        p = self._p_language(prev, w)
        n = self.vocab.get(prev, 0) - own_prev
        if n > 0:
            return p + W_WITNESS * max(0, self.bigrams.get((prev, w), 0) - own_prev) / n
        return p + W_WITNESS * self.p_uni(w)

    def association(self, fit: float, w: str) -> float:
        """How much more the neighbours say for `w` than its mere frequency does (log10): its `fit`
        (`score`, `fits`) less its own unigram's (each word's, for two words)."""
        if " " not in w:
            return fit - math.log10(self.p_uni(w))
        return fit - sum(math.log10(self.p_uni(part)) for part in w.split(" "))

    def score(self, prev: str | None, w: str, nxt: str | None, reading: str | None = None) -> float:
        """log10 P(w | prev) + log10 P(nxt | w): how well a word fits between its neighbours.
        `reading` is what the witness prints here (its own bigrams with it are left out)."""
        if " " not in w:  # one word (nearly every hypothesis): the sum below without its loop
            if prev is None:
                s = math.log10(self.p_uni(w))
            else:
                s = math.log10(self.p_next(prev, w, int(reading == w)))
            if nxt is not None:  # the reading's own bigram with its right neighbour left out too
                own = int(reading == w and self.own_right)
                s += math.log10(self.p_next(w, nxt, own)) - math.log10(self.p_uni(nxt))
            return s
        parts = w.split(" ")
        s = 0.0
        left = prev
        for k, part in enumerate(parts):
            if left is None:
                s += math.log10(self.p_uni(part))
            else:
                s += math.log10(self.p_next(left, part, int(reading == part and k == 0)))
            left = part
        if nxt is not None:
            s += math.log10(self.p_next(parts[-1], nxt, 0)) - math.log10(self.p_uni(nxt))
        return s

    def fits(self, prev: str | None, words, nxt: str | None, reading: str | None = None) -> dict[str, float]:
        """{w: score(prev, w, nxt, reading)} of a reading's hypotheses, in one call: what depends on
        the neighbours alone is looked up once (the same figures as `score`, to the last bit)."""
        log10, p_uni, p_language = math.log10, self.p_uni, self._p_language
        vocab_get, bigrams_get = self.vocab.get, self.bigrams.get
        w_witness, own_right = W_WITNESS, self.own_right
        n_prev = vocab_get(prev, 0) if prev is not None else 0
        nxt_p = p_uni(nxt) if nxt is not None else 0.0
        nxt_uni = log10(nxt_p) if nxt is not None else 0.0
        out = {}
        for w in words:
            if " " in w:
                out[w] = self.score(prev, w, nxt, reading)
                continue
            own = int(reading == w)  # the reading's own place is no evidence for it
            n_w = vocab_get(w, 0)  # 0: a word the witness lacks, in none of its bigrams (none looked up)
            if prev is None:
                s = log10(p_uni(w))
            else:  # p_next(prev, w, own) written out (max(0, c) of an int count as c if c > 0 else 0)
                p = p_language(prev, w)
                n = n_prev - own
                if n > 0:
                    c = (bigrams_get((prev, w), 0) if n_w else 0) - own
                    s = log10(p + w_witness * (c if c > 0 else 0) / n)
                else:
                    s = log10(p + w_witness * p_uni(w))
            if nxt is not None:  # p_next(w, nxt, own of an English reading)
                p = p_language(w, nxt)
                own = int(own and own_right)
                n = n_w - own
                if n > 0:
                    c = bigrams_get((w, nxt), 0) - own
                    s += log10(p + w_witness * (c if c > 0 else 0) / n) - nxt_uni
                else:
                    s += log10(p + w_witness * nxt_p) - nxt_uni
            out[w] = s
        return out

    def remembered_fits(self, prev: str | None, words, nxt: str | None, reading: str) -> dict[str, float]:
        """`fits`, each single word's score from the halves the witness remembers (`outscored`'s, which asked
        them of a real word's every hypothesis just before its full weighing): the same figures."""
        out = {}
        for w in words:
            out[w] = self.score(prev, w, nxt, reading) if " " in w else self._halves(prev, w, nxt, int(reading == w))
        return out

    def _halves(self, prev: str | None, w: str, nxt: str | None, own: int) -> float:
        """A one-word hypothesis's score from its two halves, each remembered (`_left`, `_right`)."""
        key = (prev, w, own)
        s = self._lefts.get(key)
        if s is None:
            s = self._lefts[key] = self._left(prev, w, own)
        if nxt is not None:
            key = (w, nxt, own)
            r = self._rights.get(key)
            if r is None:
                r = self._rights[key] = self._right(w, nxt, own)
            s += r
        return s

    def outscored(self, prev: str | None, reading: str, nxt: str | None, cands: dict[str, float],
                  keep_base: float) -> bool | None:
        """Whether a candidate outscores a real word between its neighbours: `-cost + score(prev, w, nxt,
        reading) > keep_base + score(prev, reading, nxt, reading)` for some (w, cost) of `cands`, the very
        figures `fits` and `score` give (to the last bit), from the halves of the scores that the witness
        remembers (`_left`, `_right`); None where a candidate is two words (the caller weighs them in full).
        A real word's places share a neighbour ("of the", "in the", "the same") far more often than both:
        on a 100,000-character book most halves are remembered."""
        lefts, rights = self._lefts, self._rights
        if len(lefts) >= HALVES_MOST or len(rights) >= HALVES_MOST:
            lefts.clear()
            rights.clear()
        keep = keep_base + self._halves(prev, reading, nxt, 1)
        halves = self._halves
        for w, cost in cands.items():
            if " " in w:
                return None
            if -cost + halves(prev, w, nxt, int(reading == w)) > keep:
                return True
        return False

    def _left(self, prev: str | None, w: str, own: int) -> float:
        """`score`'s first half of a single word's score: log10 P(w | prev), `own` the reading's own place left out."""
        return math.log10(self.p_uni(w) if prev is None else self.p_next(prev, w, own))

    def _right(self, w: str, nxt: str, own: int) -> float:
        """`score`'s second half: log10 P(nxt | w) less log10 P(nxt), `own` the reading's own place (left out in
        English)."""
        own = int(own and self.own_right)
        return math.log10(self.p_next(w, nxt, own)) - math.log10(self.p_uni(nxt))


# `outscored`'s halves a witness remembers, on each side (about 120 bytes an entry; emptied when this full)
HALVES_MOST = 50_000
