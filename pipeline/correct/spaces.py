"""Lost and stray spaces: a word split in two ("re ceived", "con tented") and two words run
together ("ofthe", "tothe", "wecould").

Each is weighed by the same noisy channel as detect's other hypotheses: P(printed | meant)
is the OCR error model's cost of a space added or lost (pipeline/data/ocr_model.json,
learned from the dev sets), P(meant | neighbours) the context model (symspellpy's English
bigrams, the witness's own bigrams, wordfreq; pipeline/correct/context.py). The place's
own bigrams are left out of the witness's counts, so a reading never vouches for itself.

* a join: two tokens with one space between whose join is a word of the lexicon or one
  the witness itself prints whole at least `witness_known` times ("himselfe"), one of
  them not a frequent word on its own;
* a word a print broke at a line end whose hyphen a reflow left in mid-line ("litera-ture",
  "them-selves"), where the hyphened pair stands nowhere else in the witness and it prints the
  join whole elsewhere or (after no compounding prefix, "co-ordinate") a half is no word it
  prints alone (`_broken`; a compound, "market-place", is hyphened too);
* a split: one token that the lexicon lists (so detect takes it for a word) but that is
  web debris, absent from symspellpy's curated word list ("ofthe", "tothe", "isnot"), and
  that cuts into two frequent words. A non-word's lost space is detect's own candidate
  (pipeline/correct/candidates.py); a listed word ("capon", "whereof", "anon") and an old
  spelling the witness uses ("soone", "withall") are never cut: the context model favours
  frequent pairs over rare words, and those cuts were wrong nine times in ten on the dev sets.

Detect's rules are `detect.split` and `detect.glued`, as for its other queries of the kinds.
The hypothesis's posterior against the reading as printed is its score. It is automatic
from [detect] auto_threshold_space: a threshold chosen by
benchmarks/correction.py on training documents so that held-out documents keep >= 98 %
precision (each fix judged by the gold); from 0.5 up it is a query with its evidence.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, count, islice

from pipeline.correct.candidates import HALF_ZIPF, two_words, word_index
from pipeline.correct.context import ContextModel, english_ngrams
from pipeline.correct.model import OcrModel
from pipeline.lexicon import Lexicon


@dataclass(frozen=True)
class Space:
    """One hypothesis about a space: text[start:end] (the reading) may have been `meant`."""

    start: int
    end: int
    reading: str
    meant: str
    kind: str          # "split" (a word split in two: a space too many) or "glued" (two words run together)
    posterior: float   # P(meant | the channel and the neighbours) against the reading
    context: float     # log10: how much more the neighbours say for `meant` than for the reading
    halves_known: int  # of the reading's two words (join) or the meant's (split), how many the lexicon knows well


@lru_cache(maxsize=20_000)  # ~130 bytes an entry, hit 75 % of the time on scale books
def _debris(low: str, lex: Lexicon, known_zipf: float) -> tuple[tuple[str, str], ...]:
    """The cuts of a word the lexicon lists but symspellpy's curated list lacks (asked once per process)."""
    uni = english_ngrams()[0]
    if len(low) < 4 or not low.isalpha() or lex.zipf(low) < known_zipf or low in uni:
        return ()
    return tuple((a, b) for a, b in two_words(low, lex) if a in uni and b in uni)


class Spaces:
    """The space hypotheses of one witness (its tokens, vocabulary, bigrams and context)."""

    def __init__(self, text: str, starts, ends, lows: list[str], linked, vocab: dict[str, int],
                 ctx: ContextModel, lex: Lexicon, model: OcrModel, known_zipf: float, witness_known: int,
                 old: Callable[[str], bool], alternatives: Callable[[str], dict[str, float]],
                 prefixes: frozenset[str] | set[str] = frozenset()):
        self.text, self.starts, self.ends, self.lows, self.linked = text, starts, ends, lows, linked
        self.vocab, self.ctx, self.lex, self.model = vocab, ctx, lex, model
        self.known_zipf, self.witness_known, self.old = known_zipf, witness_known, old
        self.alternatives = alternatives  # a reading's one-word corrections: {word: channel cost}
        self.prefixes = prefixes  # a hyphen after these compounds in the texts of the period ("co-ordinate")
        self.keep = math.log10(1.0 - model.word_error_rate)

    def _p(self, prev: str | None, w: str, own: int) -> float:
        """log10 P(w | prev), this place's own bigram left out (`own`)."""
        if prev is None:
            return math.log10(self.ctx.p_uni(w))
        return math.log10(self.ctx.p_next(prev, w, own))

    def cuts(self, low: str) -> tuple[tuple[str, str], ...]:
        """A listed word's cuts, if it is debris (see the module's note); () for a word to leave."""
        c = _debris(low, self.lex, self.known_zipf)
        return c if c and not self.old(low) else ()

    def find(self) -> list[Space]:
        """Every hypothesis from a posterior of 0.5 up, in text order. One pass over the tokens with
        set lookups; the channel is asked only about a debris word or a pair whose join is a word."""
        index = word_index(self.lex).words
        vocab, witness_known, zipf = self.vocab, self.witness_known, self.lex.zipf
        # the witness's debris words and their cuts, once per distinct word
        glued = {}
        if self.lex.language == "en":
            lex, known_zipf, old = self.lex, self.known_zipf, self.old
            for low in vocab:  # self.cuts(low), written out: asked of every distinct word
                if len(low) < 4 or not low.isalpha():
                    continue  # _debris's own first test: no cut (not asked of its memo, nor filling it)
                c = _debris(low, lex, known_zipf)
                if c and not old(low):
                    glued[low] = c
        out: list[Space] = []
        text, starts, ends, lows, linked = self.text, self.starts, self.ends, self.lows, self.linked
        n = len(lows)
        # one pass over each token with its successor (iterators: the columns may be computed per token)
        after = iter(lows)
        next(after, None)
        nexts = chain(after, (None,))
        next_starts = chain(islice(starts, 1, None), (None,))
        broken: list[int] = []  # the places of "litera-ture": a hyphen between two runs of letters
        for i, low, b, end, next_start, link in zip(count(), lows, nexts, ends, next_starts, chain(linked, (0,))):
            if low in glued:  # a split: "ofthe"
                prev = lows[i - 1] if i and linked[i - 1] else None
                out.append(self._split(i, prev, glued[low], b if link else None))
            if not link and next_start == end + 1 and text[end] == "-":
                broken.append(i)
            # a join: "re ceived"
            if link and end + 1 == next_start and text[end] == " ":
                joined = low + b
                if not (joined in index or vocab.get(joined, 0) >= witness_known) \
                        or not low.isalpha() or not b.isalpha():
                    continue
                # two frequent words (candidates.HALF_ZIPF) are not one because their join is ("a round",
                # "any thing": the print's own more often than not; joins right 49 of 71 times on ICDAR)
                if zipf(low) >= HALF_ZIPF and zipf(b) >= HALF_ZIPF:
                    continue
                if text[starts[i + 1]].isupper() and not text[starts[i]:ends[i + 1]].isupper():
                    continue  # "the London": a capital starts a word of its own
                prev = lows[i - 1] if i and linked[i - 1] else None
                nxt = lows[i + 2] if i + 2 < n and linked[i + 1] else None
                out.append(self._join(i, prev, low, b, joined, nxt))
        if broken:
            out.extend(self._broken(broken))
            return sorted((s for s in out if s is not None), key=lambda s: s.start)
        return [s for s in out if s is not None]

    def _broken(self, places: list[int]) -> list[Space | None]:
        """The joins of words a print broke at a line end whose hyphen a reflow left in mid-line
        ("litera-ture", "them-selves", "some-times"). The house reading joins them (a split word's join is
        the edition's reading, though a gold may keep the print's hyphen), but a compound is hyphened too
        ("market-place", "to-day"), and a compounding prefix keeps its hyphen in the texts of the period
        ("co-ordinate", "re-elected": stages/hyphenation.py's PREFIXES). The witness's own spelling tells
        them apart, in the order of hyphenation's `judge`: the join is weighed where the hyphened pair
        stands nowhere else and the witness prints the join whole elsewhere ("sometimes" beside this one
        "some-times"), or, after no compounding prefix, a half is no word it prints alone, rare in the
        language too ("ture", "selves"), and the join a common word; by the same channel and context as a
        space too many (the print's break inside a word)."""
        text, starts, ends, lows, linked, vocab = self.text, self.starts, self.ends, self.lows, self.linked, self.vocab
        n = len(lows)
        pairs = []
        for i in places:
            s, e = starts[i], ends[i + 1]
            # two runs of letters and one hyphen, nothing hyphened or glued on either side ("a-b-c", "x2-y")
            if (s and (text[s - 1] == "-" or text[s - 1].isalnum())) or (e < len(text) and (text[e] == "-"
                                                                                            or text[e].isalnum())):
                continue
            a, b = lows[i], lows[i + 1]
            if a.isalpha() and b.isalpha():
                pairs.append((i, a, b))
        hyphened = Counter((a, b) for _, a, b in pairs)
        index, zipf = word_index(self.lex).words, self.lex.zipf
        out = []
        for i, a, b in pairs:
            joined = a + b
            if hyphened[a, b] > 1 or not (joined in index or zipf(joined) >= self.known_zipf):
                continue
            # the witness prints the join whole elsewhere, or (after no compounding prefix) a half is no word it
            # prints alone: rare in the language and here only ("litera-ture": "ture"), the join a common word
            # (zipf 3, as hyphenation's)
            if not vocab.get(joined, 0) and (a in self.prefixes or not (zipf(joined) >= BROKEN_ZIPF and any(
                    vocab.get(h, 0) <= 1 and zipf(h) < BROKEN_ZIPF for h in (a, b)))):
                continue
            if self.text[starts[i + 1]].isupper() and not self.text[starts[i]:ends[i + 1]].isupper():
                continue  # "Anglo-Saxon": a capital starts a word of its own
            prev = lows[i - 1] if i and linked[i - 1] else None
            nxt = lows[i + 2] if i + 2 < n and linked[i + 1] else None
            out.append(self._join(i, prev, a, b, joined, nxt, own_pair=0))
        return out

    def _join(self, i, prev, a, b, joined, nxt, own_pair: int = 1) -> Space | None:
        """`own_pair`: 1 where the two words' own pair is among the witness's bigrams (a space between them)."""
        keep = self.keep + self._p(prev, a, 1) + self._p(a, b, own_pair) + (self._p(b, nxt, 1) if nxt else 0.0)
        join = -self.model.space_added + self._p(prev, joined, 0) + (self._p(joined, nxt, 0) if nxt else 0.0)
        # what the neighbours add beyond the words' own frequency
        uni = math.log10(self.ctx.p_uni(a)) + math.log10(self.ctx.p_uni(b))
        context = (join + self.model.space_added - math.log10(self.ctx.p_uni(joined))) - (keep - self.keep - uni)
        p = 1.0 / (1.0 + 10 ** (keep - join))
        if p < 0.5:
            return None
        known = sum(self.lex.zipf(w) >= HALF_ZIPF for w in (a, b))
        s, e = self.starts[i], self.ends[i + 1]
        meant = self.text[s:self.ends[i]] + self.text[self.starts[i + 1]:e]
        return Space(s, e, self.text[s:e], meant, "split", p, context, known)

    def _split(self, i, prev, cuts, nxt) -> Space | None:
        low = self.lows[i]
        keep = self.keep + self._p(prev, low, 1) + (self._p(low, nxt, 1) if nxt else 0.0)
        scored = sorted(((-self.model.space_lost + self._p(prev, a, 0) + self._p(a, b, 0)
                          + (self._p(b, nxt, 0) if nxt else 0.0), a, b) for a, b in cuts), reverse=True)
        split, a, b = scored[0]
        # a garble of another word ("beon": "been") is a hypothesis as well
        others = [-cost + self._p(prev, w, 0) + (self._p(w, nxt, 0) if nxt else 0.0)
                  for w, cost in self.alternatives(low).items() if " " not in w]
        p = 1.0 / sum(10 ** (x - split) for x in [keep, *others, *(sc for sc, _, _ in scored)])
        if p < 0.5:
            return None
        uni = math.log10(self.ctx.p_uni(a)) + math.log10(self.ctx.p_uni(b))
        context = (split + self.model.space_lost - uni) - (keep - self.keep - math.log10(self.ctx.p_uni(low)))
        s, e = self.starts[i], self.ends[i]
        reading = self.text[s:e]
        meant = reading[:len(a)] + " " + reading[len(a):]
        known = 2
        return Space(s, e, reading, meant, "glued", p, context, known)


# a word broken at a former line end: its join at least this frequent, a half alone at most (stages/hyphenation.py's
# test of a part that is rare alone)
BROKEN_ZIPF = 3.0

# a query's score where a join is not automatic: a word split in two is a flaw of the text even where
# the print had a line-end hyphen there, but the proofreader's other queries come first
JOIN_QUERY = 0.7


def decide(found: list[Space], auto_threshold: float, query_threshold: float, auto: bool = True):
    """(automatic fixes, queries) of the hypotheses: each as (Space, reason); the first of two
    hypotheses on overlapping text wins (they come in text order)."""
    fixes, queries = [], []
    end = -1
    for s in sorted(found, key=lambda s: (s.start, -s.posterior)):
        if s.start < end or s.posterior < min(query_threshold, auto_threshold):
            continue
        end = s.end
        how = (f"a word split in two: {s.meant!r} is a word" if s.kind == "split" else
               f"two words run together: {s.reading!r} is no word of the curated list")
        why = (f"{how}; the OCR error model and the context make {s.meant!r} likelier than {s.reading!r} "
               f"(P {s.posterior:.4f}; the neighbours favour it by {s.context:.1f} log10)")
        (fixes if auto and s.posterior >= auto_threshold else queries).append((s, why))
    return fixes, queries
