"""What a document says about its own OCR: the misreadings its damaged words share.

A scan has habits: one book's OCR prints "ll" as "U" hundreds of times ("shaU", "weU",
"chappeU"), a newspaper's "e" as "o" ("tho", "havo"). The learned OCR error model
(model.py) knows these confusions across the dev sets; this document knows which of
them it actually makes. After detect has weighed every suspicious reading, each
reading's best correction is cut into its letter confusions (learn.segments: "shaU" for
"shall" is ("ll", "U")); a confusion that explains many *different* readings of the
same document is that scan's habit, and a correction that rests on it is confirmed by
the document elsewhere. A confusion seen in one reading only confirms nothing. Accents put on
letters are one habit, whichever letter bears which mark (`accent`): a scan that prints "shrëwd",
"sixteën" and "persécution" confirms "blâme" for "blame", though no other reading has "â"; costed
letter by letter, such a scan's rarer marks kept the reading as printed likelier than the word.

Used twice. The channel is adapted to the document (one EM step): the document's own rate
of a confusion, (its misreadings by it + K x the model's rate) / (occurrences of the meant
letters + K), replaces the model's rate where it is higher, leaving the reading judged out
of its own evidence. And the number of other readings that confirm a correction is a
feature of the calibration (calibrate.py).

A confusion that several of the document's sure non-word fixes share (`habits`: "o" printed for "e" in
"tho", "wero", "aro") also proposes words detect had not weighed: those it makes of the document's other
readings (`habit_words`: "thoro" is "there" in such a print, though no learned confusion reaches it).

The evidence is a count per confusion, so it costs one short alignment per distinct
(reading, correction) pair of the document and one count of each habit's letters.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache

from pipeline.correct.accents import accent
from pipeline.correct.learn import MAX_SEG, segments
from pipeline.correct.model import OcrModel
from pipeline.correct.rates import share_at_least
from pipeline.lexicon import fold
from pipeline.lexicon import recase as _recase

# pseudo-count of the model's rate: a document must show a habit in more than a few words to move it
PRIOR_LETTERS = 200.0


@lru_cache(maxsize=20_000)  # 330 bytes an entry; 25 scale books in one process: hit 61 % at 5k, 75 % at 30k
def confusions(reading: str, meant: str) -> tuple[tuple[str, str], ...]:
    """The letter confusions (meant, printed) that make `reading` of `meant`; () if the two
    differ by more than short confusions (a lost space, a long garble)."""
    out = []
    for m, p in segments(meant, reading):
        if len(m) > MAX_SEG or len(p) > MAX_SEG or " " in m + p:
            return ()
        out.append((m, p))
    return tuple(out)


class DocumentEvidence:
    """Per confusion, the distinct readings of one document whose likeliest correction uses it."""

    def __init__(self, text: str = "", vocab: dict[str, int] | None = None, model: OcrModel | None = None):
        self.text = text
        self.vocab = vocab or {}
        self.model = model
        self.readings: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.misread: dict[tuple[str, str], int] = defaultdict(int)  # occurrences of the readings
        self._letters: dict[str, int] = {}
        self._adapted: dict[str, tuple[dict, dict]] = {}
        # the places of each reading, counted (not listed: a long witness has millions): how many in
        # all, and per (reading, likeliest correction there) how many, and how many of those sure
        self._places: Counter[str] = Counter()
        self._placed: Counter[tuple[str, str | None]] = Counter()
        self._sure: Counter[tuple[str, str | None]] = Counter()
        self._sources: Counter[str] = Counter()  # per correction, the distinct readings it is likeliest for
        # accents put on letters (`accent`) are one habit, whichever letter bears which mark: a scan that prints
        # "shrëwd", "blâme" and "sixteën" has a habit no one pair of letters shows more than once or twice
        self.accented: set[str] = set()  # the distinct readings whose likeliest correction takes accents off
        self.accent_misread = 0  # their occurrences
        self.accent_letters: set[str] = set()  # the letters that bore them
        self.accent_letter_count = 0  # how often the document has those letters
        # per confusion, the distinct readings whose likeliest correction uses it and is a sure non-word fix:
        # the document's habits (`habits`), which may make other words of its real words too
        self.sure: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, reading: str, meant: str) -> None:
        n = self.vocab.get(fold(reading), 1)
        for c in confusions(reading, meant):
            if reading not in self.readings[c]:
                self.readings[c].add(reading)
                self.misread[c] += n
                if accent(c):
                    if c[0] not in self.accent_letters:
                        self.accent_letters.add(c[0])
                        self.accent_letter_count += self._count(c[0])
                    if reading not in self.accented:
                        self.accented.add(reading)
                        self.accent_misread += n

    def add_sure(self, reading: str, meant: str) -> None:
        """A non-word whose likeliest correction is sure: its confusions are habits the document shows."""
        for c in confusions(reading, meant):
            self.sure[c].add(reading)

    def habits(self, least: int) -> dict[str, tuple[str, ...]]:
        """{printed group: the meant groups it stands for} of the letter confusions that at least `least`
        distinct sure non-word fixes of the document share ("o" printed for "e" in "tho", "wero", "aro"), more
        often than OCR in general makes them (`OcrModel.share`, against the lower bound of the document's share).
        Only one letter group for another (no letter lost or added: a lost "s" makes the reading's own plural),
        nor a difference of case alone."""
        out: dict[str, list[str]] = {}
        # ... and that its sure fixes show more often than OCR in general makes it (the model's share of the
        # confusion under the lower bound of the document's): in a long document three fixes share most
        # confusions by chance (a megabyte of ICDAR pages as one file had 108 "habits", the search of the
        # words they make took 20 s), a habit stands out
        total = sum(map(len, self.sure.values()))
        for (meant, printed), readings in self.sure.items():
            if len(readings) >= least and meant and printed and meant.lower() != printed.lower() \
                    and meant.isalpha() and printed.isalpha() \
                    and share_at_least(len(readings), total) > self.model.share(meant, printed):
                out.setdefault(printed, []).append(meant)
        return {p: tuple(sorted(m)) for p, m in sorted(out.items())}

    def _doc_cost(self, c: tuple[str, str], reading: str) -> float:
        """-log10 of the document's rate of confusion c, the reading judged left out."""
        own = self.vocab.get(fold(reading), 1) if reading in self.readings.get(c, ()) else 0
        n = self.misread.get(c, 0) - own
        p_model = 10 ** -self.model.pair_cost(*c)
        cost = -math.log10(p_model)
        if n > 0:
            cost = -math.log10((n + PRIOR_LETTERS * p_model) / (self._count(c[0]) + self.misread[c] + PRIOR_LETTERS))
        if accent(c) and self.accent_misread:  # the document's rate of accents on any letter that bore one
            n = self.accent_misread - (self.vocab.get(fold(reading), 1) if reading in self.accented else 0)
            if n > 0:
                letters = self.accent_letter_count + (0 if c[0] in self.accent_letters else self._count(c[0]))
                cost = min(cost, -math.log10((n + PRIOR_LETTERS * p_model)
                                             / (letters + self.accent_misread + PRIOR_LETTERS)))
        return cost

    def _count(self, letters: str) -> int:
        """How often the document has these letters (its length for none)."""
        got = self._letters.get(letters)
        if got is None:
            got = self._letters[letters] = self.text.count(letters) if letters else len(self.text)
        return got

    def adapt(self, reading: str, cands: dict[str, float]) -> dict[str, float]:
        """The candidates' channel costs with the document's habits: lower where the document
        makes the candidate's confusions more often than the model expects (never higher).
        The candidates depend on the reading alone: adapted once per reading."""
        done = self._adapted.get(reading)
        if done is not None and done[0] is cands:
            return done[1]
        out = None
        for w, cost in cands.items() if self.misread else ():  # no habit yet: nothing to adapt
            if " " in w:
                continue
            gain = 0.0
            for c in confusions(reading, _recase(reading, w)):
                if self.misread.get(c) or (self.accent_misread and accent(c)):
                    gain += max(0.0, self.model.pair_cost(*c) - self._doc_cost(c, reading))
            if gain > 0:
                if out is None:
                    out = dict(cands)
                out[w] = max(0.0, cost - gain)
        out = cands if out is None else out
        self._adapted[reading] = (cands, out)
        return out

    def forget_adapted(self) -> None:
        """Drop the remembered adaptations (detect weighs a window at a time: a long witness's
        distinct readings are many)."""
        self._adapted.clear()

    def support(self, reading: str, meant: str) -> int:
        """How many other readings of the document the weakest confusion of this correction
        explains (0: the document does not confirm it)."""
        cs = confusions(reading, meant)
        if not cs:
            return 0
        return min((len(self.accented) - (reading in self.accented)) if accent(c) else
                   len(self.readings.get(c, ())) - (reading in self.readings.get(c, ())) for c in cs)

    def feature(self, reading: str, meant: str) -> float:
        return math.log1p(self.support(reading, meant))

    def place(self, reading: str, meant: str | None, sure: bool) -> None:
        """One place of a reading: its likeliest correction there (None: the reading itself) and
        whether the posterior there is high."""
        self._places[reading] += 1
        if meant is not None and not self._placed[(reading, meant)]:
            self._sources[meant] += 1
        self._placed[(reading, meant)] += 1
        if sure:
            self._sure[(reading, meant)] += 1

    def sources(self, reading: str, meant: str) -> int:
        """How many other distinct readings of the document have `meant` for their likeliest correction
        somewhere (several garbles of one word: the document prints that word, and misreads it)."""
        return self._sources.get(meant, 0) - bool(self._placed.get((reading, meant)))

    def agreement(self, reading: str, meant: str, here_sure: bool) -> float:
        """The same garble fixed consistently: log1p(other places of the reading where the same
        correction is sure) - log1p(other places where another word or the reading itself is likelier)."""
        agree = self._sure.get((reading, meant), 0)
        disagree = self._places.get(reading, 0) - self._placed.get((reading, meant), 0)
        agree -= here_sure  # this place itself is no evidence for itself
        return math.log1p(max(0, agree)) - math.log1p(disagree)


def habit_words(low: str, habits: dict[str, tuple[str, ...]], words, depth: int = 3,
                learned: dict[str, tuple[str, ...]] | None = None, prefixes=None,
                longest: int | None = None) -> tuple[str, ...]:
    """The words (`words`: a container of lower-case words) that up to `depth` of a document's habits
    (`DocumentEvidence.habits`) make of a lower-case reading, each confusion after the one before it
    ("thoro": "there", two of "o" printed for "e"); `learned` (printed group: meant groups), one of them
    besides ("intundod": "intended", the habit "o" for "e" and a learned "u" for "e"). `prefixes` (a mapping
    from each beginning of the words to the letters that may follow it): a reading is pursued only while
    it can still become one. `longest`: the longest printed group of the habits and `learned`."""
    groups = [habits] if learned is None else [habits, learned]
    if longest is None:  # (the caller may give it, made once for every reading of a document)
        longest = max((len(p) for g in groups for p in g), default=0)
    out: set[str] = set()
    n = len(low)
    # the reading read left to right, a letter as printed or a printed group as a confusion makes it: what is
    # made so far must begin a word (`prefixes`), so the search walks the words' beginnings, not every place
    # of every reading a confusion makes (as breadth first, one confusion a step, it did: the same words)
    # the reading's own beginnings that begin a word, looked up once (before its first confusion, what is made
    # is one of them)
    own = n
    if prefixes is not None:
        own = 0
        while own < n and prefixes.get(low[:own + 1]) is not None:
            own += 1
    # the confusions that can begin at each place of the reading: (printed length, meant, whether learned)
    subs = [[(b, m, bool(g_n)) for b in range(1, min(longest, n - pos) + 1) for g_n, g in enumerate(groups)
             for m in g.get(low[pos:pos + b], ())] for pos in range(n)]
    stack = [(0, "", 0, False)]  # (where the reading goes on, what is made of it so far, confusions, a learned one)
    while stack:
        pos, made, k, used = stack.pop()
        if pos == n:
            if k and made != low and made in words:
                out.add(made)
            continue
        if k == 0:
            if pos < own:
                stack.append((pos + 1, low[:pos + 1], 0, used))
        elif prefixes is None or low[pos] in prefixes.get(made):
            stack.append((pos + 1, made + low[pos], k, used))
        if k == depth:
            continue
        for b, m, learnt in subs[pos]:
            if learnt and used:
                continue
            v = made + m
            if prefixes is None or prefixes.get(v) is not None:
                stack.append((pos + b, v, k + 1, used or learnt))
    return tuple(sorted(out))
