"""The OCR error model: how likely OCR prints one letter group for another.

Loaded from pipeline/data/ocr_model.json (learned by pipeline/correct/learn.py from
the dev sets' OCR / ground-truth pairs; its Cyrillic confusions from scanned Russian pages read by
Tesseract, pipeline/data/ocr_scans.json, over hand-set priors). Costs
are -log10 P(printed | meant): "m" printed "rn" (P 0.038) costs 1.4, "h" printed
"b" (0.010) 2.0, an edit the table lacks (about 1e-4) 3.9. The one model serves
detection (which readings are likely damage), candidate ranking (the noisy
channel) and the collation's variant classifier (is a variant an OCR confusion?).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from itertools import chain
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import EditionError

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "ocr_model.json"
MAX_SEG = 3


class Confusion(BaseModel):
    meant: str = Field(max_length=MAX_SEG)
    printed: str = Field(max_length=MAX_SEG)
    p: float = Field(gt=0, le=1)
    count: int = 0
    of: int = 0
    source: str = "learned"


class ModelFile(BaseModel):
    provenance: dict
    words: int
    word_error_rate: float = Field(ge=0, lt=1)
    unseen_edit_p: float = Field(gt=0, lt=1)
    confusions: list[Confusion]


# the cost of a capital misread as its small letter or back, where the learned table has no such pair
CASE_MISREAD = 1.5


class OcrModel:
    def __init__(self, data: ModelFile, min_p: float = 0.0005):
        self.data = data
        self.word_error_rate = data.word_error_rate
        self.unseen = -math.log10(data.unseen_edit_p)  # cost of an edit the table lacks
        self.cost: dict[tuple[str, str], float] = {}   # (meant, printed) -> cost
        self.meant_for: dict[str, list[tuple[str, float]]] = {}  # printed -> [(meant, cost)], cheapest first
        # ... of those in small letters (a real word's misreadings: a capital or a digit meant makes
        # no other word of a lower-case one; below the floor, "or" read as "of", "lie" as "be" at
        # P 0.0003 asked about sound words of the seeds)
        self.small_for: dict[str, list[tuple[str, float]]] = {}
        # the small letters the print loses ("th" for "the", "ton" for "tons"), as common as small_for's
        # confusions, cheapest first: a real word's misreadings no printed letter group stands for
        self.lost: list[tuple[str, float]] = []
        for c in data.confusions:
            if c.meant == c.printed:
                continue
            k = -math.log10(c.p)
            self.cost[(c.meant, c.printed)] = min(k, self.cost.get((c.meant, c.printed), 99.0))
            if c.p >= min_p and c.printed and " " not in c.meant + c.printed:
                self.meant_for.setdefault(c.printed, []).append((c.meant, k))
                if m_small(c.meant) and m_small(c.printed):
                    self.small_for.setdefault(c.printed, []).append((c.meant, k))
            elif c.p >= min_p and not c.printed and len(c.meant) == 1 and c.meant.isalpha() and c.meant.islower():
                self.lost.append((c.meant, k))
        for v in chain(self.meant_for.values(), self.small_for.values(), (self.lost,)):
            v.sort(key=lambda x: x[1])
        # the cost table by meant group: the alignment looks up only the groups the table has
        self.printed_for: dict[str, dict[str, float]] = {}  # meant -> {printed: cost}
        for (meant, printed), k in self.cost.items():
            self.printed_for.setdefault(meant, {})[printed] = k
        self.space_lost = self.cost.get((" ", ""), self.unseen)   # "we could" printed "wecould"
        self.space_added = self.cost.get(("", " "), self.unseen)  # "could" printed "co uld"

    def _floors(self) -> tuple[dict[str, float], dict[str, float], float]:
        """Per letter (lower case), the least share of a confusion's cost that the letter bears where it
        is printed (first) or meant (second) without its counterpart: a confusion costing k whose meant and
        printed groups, lower-cased, differ by d letters (as multisets: "rn" for "m" 3, "U" for "ll" 1,
        a capital for its small letter 0) puts k / d on each of them; and the share of any other letter
        (third): an edit the table lacks, unseen / 2 (one letter for another), more for one added or lost.
        Made once."""
        floors = self.__dict__.get("_floors_")
        if floors is None:
            default = self.unseen / 2
            printed_floor: dict[str, float] = {}
            meant_floor: dict[str, float] = {}
            for (meant, printed), k in self.cost.items():
                extra_p, extra_m = Counter(_letters(printed)), Counter(_letters(meant))
                extra_p.subtract(_letters(meant))
                extra_m.subtract(_letters(printed))
                d = sum(n for n in extra_p.values() if n > 0) + sum(n for n in extra_m.values() if n > 0)
                if not d:
                    continue  # a difference of case only: no letter it leaves unmatched
                for x, n in extra_p.items():
                    if n > 0 and k / d < printed_floor.get(x, default):
                        printed_floor[x] = k / d
                for x, n in extra_m.items():
                    if n > 0 and k / d < meant_floor.get(x, default):
                        meant_floor[x] = k / d
            floors = self.__dict__["_floors_"] = (printed_floor, meant_floor, default)
        return floors

    def channel_floor(self, printed: str, meant: str) -> float:
        """A lower bound of `channel(printed, meant)`, cheap to compute (no alignment): the letters of each
        word that the other lacks (lower-cased, as multisets) are each in some confusion of any way through,
        which costs at least their shares (`_floors`); letters alike cost nothing here (matched, or a
        difference of case). Where it exceeds a cost asked for, the channel need not be computed."""
        printed_floor, meant_floor, default = self._floors()
        extra = Counter(_letters(printed))
        extra.subtract(_letters(meant))
        total = 0.0
        for x, n in extra.items():
            if n > 0:
                total += n * printed_floor.get(x, default)
            elif n < 0:
                total -= n * meant_floor.get(x, default)
        return total

    def share(self, meant: str, printed: str) -> float:
        """The share of the learned misreadings of its script that are this confusion (its count over the
        counts of the confusions of Cyrillic letters, or of the others; 0 for one the model did not learn):
        how often OCR in general makes it. (Per script: the Cyrillic confusions are learned from other
        texts than the Latin ones, and their number says nothing of how common a Latin one is.)"""
        shares = self.__dict__.get("_shares")
        if shares is None:
            counts = {(c.meant, c.printed): c.count for c in self.data.confusions if c.meant != c.printed}
            totals = Counter()
            for (m, p), n in counts.items():
                totals[_cyrillic(m + p)] += n
            shares = self.__dict__["_shares"] = {(m, p): n / (totals[_cyrillic(m + p)] or 1)
                                                 for (m, p), n in counts.items()}
        return shares.get((meant, printed), 0.0)

    def capital_for_small(self, min_p: float = 0.001) -> dict[str, tuple[str, ...]]:
        """{a capital letter: the small letters the model learned it is printed for, at least `min_p`
        often} ("H": "li", "fl", "ll"; "B": "fl", "fi", "s"; "U": "ll", "li"): where such a capital stands
        for them, the capital is itself the misreading, not the word's (made once)."""
        cache = self.__dict__.setdefault("_cut", {})
        got = cache.get(("capital_for_small", min_p))
        if got is None:
            out: dict[str, list[str]] = {}
            for c in self.data.confusions:
                if (len(c.printed) == 1 and c.printed.isupper() and c.meant.isalpha() and c.meant.islower()
                        and c.p >= min_p):
                    out.setdefault(c.printed, []).append(c.meant)
            got = cache[("capital_for_small", min_p)] = {k: tuple(v) for k, v in out.items()}
        return got

    def _groups(self, per_group: int, lower: bool = False) -> dict[str, tuple[tuple[str, float, str], ...]]:
        """meant_for cut to the `per_group` cheapest, with each meant group in lower case (made once).
        `lower`: of small_for, the groups in small letters (a lower-case word's misreadings: a
        capital or a digit meant, "neaL" or "o1", makes no other word of it and took the places
        of "of" for "ol" and "have" for "hive")."""
        cache = self.__dict__.setdefault("_cut", {})
        g = cache.get((per_group, lower))
        if g is None:
            g = cache[(per_group, lower)] = {p: tuple((m, k, m.lower()) for m, k in v[:per_group])
                                             for p, v in (self.small_for if lower else self.meant_for).items()}
        return g

    def _longest(self, per_group: int, lower: bool = False) -> dict[str, int]:
        """The length of the longest printed group of `_groups` that begins with each letter (made
        once): most letters begin no group longer than themselves, and `variants` makes no slice
        there that could only be a longer one."""
        cache = self.__dict__.setdefault("_cut", {})
        g = cache.get((per_group, lower, "longest"))
        if g is None:
            g = cache[(per_group, lower, "longest")] = {}
            for printed in self._groups(per_group, lower):
                g[printed[0]] = max(g.get(printed[0], 0), len(printed))
        return g

    def _cheapest(self, per_group: int, lower: bool = False) -> dict[str, float]:
        """The least cost of a confusion of `_groups` whose printed group begins with each letter (made once):
        where a reading's budget cannot pay it, `variants` makes nothing at that place."""
        cache = self.__dict__.setdefault("_cut", {})
        g = cache.get((per_group, lower, "cheapest"))
        if g is None:
            g = cache[(per_group, lower, "cheapest")] = {}
            for printed, meant in self._groups(per_group, lower).items():
                if meant:
                    g[printed[0]] = min(g.get(printed[0], meant[0][1]), meant[0][1])
        return g

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> "OcrModel":
        try:
            return cls(ModelFile.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise EditionError(str(path), f"the OCR error model cannot be read: {str(e).splitlines()[0]}") from None

    def pair_cost(self, meant: str, printed: str) -> float:
        """Cost of one confusion; case-only differences and unknown edits get sensible defaults."""
        if meant == printed:
            return 0.0
        c = self.cost.get((meant, printed))
        if c is None and (meant.lower() != meant or printed.lower() != printed):
            c = self.cost.get((meant.lower(), printed.lower()))
            if c is None and meant.lower() == printed.lower():
                return CASE_MISREAD
        if c is None:
            return self.unseen * max(len(meant), len(printed), 1)
        return c

    def channel(self, printed: str, meant: str, limit: float | None = None) -> float:
        """-log10 P(printed | meant): the cheapest way through letter groups of up to three. `limit`: only a
        cost of at most this is wanted: the alignment searches no way costlier (the same figure where it is
        at most the limit; above it, some figure above it)."""
        p, m = printed, meant
        k = 0
        while k < len(p) and k < len(m) and p[k] == m[k]:
            k += 1
        p, m = p[k:], m[k:]
        k = 0
        while k < len(p) and k < len(m) and p[-1 - k] == m[-1 - k]:
            k += 1
        if k:
            p, m = p[:-k], m[:-k]
        align = _channel if limit is None else (lambda model, p, m: _channel_within(model, p, m, limit))
        if len(p) <= MAX_SEG and len(m) <= MAX_SEG:  # one confusion: no alignment to search
            return min(self.pair_cost(m, p), align(self, p, m) if p and m else 99.0)
        return align(self, p, m)

    def variants(self, printed: str, max_cost: float = 3.0, depth: int = 2, per_group: int = 6,
                 second: float = 2.5, prefixes: Mapping[str, str] | None = None,
                 suffixes: Mapping[str, str] | None = None, lower: bool = False, steps: set | None = None):
        """(meant, cost) readings one or two learned confusions away from a printed word; a second
        confusion is tried only where both are common (each costing at most `second`).
        With `prefixes` (the lower-case prefixes of the words wanted, each with the letters that can
        follow it) a reading is pursued only while it can still become one of them; with `suffixes`
        (their lower-case suffixes, each with the letters that can precede it) too, a confusion on
        the last level is made only where what follows it can end one of them. `lower`: only
        confusions whose meant letters are small (_groups). `steps`: a set to receive the readings of the
        first level that a second confusion goes on from (those costing at most `second`), where depth > 1."""
        seen: dict[str, float] = {}
        seen_get = seen.get
        groups = self._groups(per_group, lower).get
        longest_get = self._longest(per_group, lower).get
        cheapest_get = self._cheapest(per_group, lower).get
        # the mappings' lookups bound once (`k in m` is `m.get(k) is not None` for these mappings:
        # their values are strings)
        prefix = prefixes.get if prefixes is not None else None
        # per place of the printed word, made when first asked: the least cost of a confusion there and each
        # printed group there with its confusions and the printed rest after it. A reading of a later level
        # goes on only after its last confusion, where its letters are the printed word's (shifted): its
        # places are the printed word's, looked up once for every reading
        at: list = [None] * len(printed)
        frontier = [(printed, 0.0, 0, 0)]  # (reading, its cost, where it goes on, its shift from the printed word)
        follow = before = ""
        for level in range(depth):
            nxt = []
            limit = max_cost if level == 0 else min(max_cost, 2 * second)
            ends = suffixes if level == depth - 1 else None  # no confusion comes after this one
            end = ends.get if ends is not None else None
            for word, base, start, shift in frontier:
                n = len(word)
                low = word.lower()
                for i in range(start, n):
                    here = at[i - shift]
                    if here is None:
                        here = at[i - shift] = _place(printed, i - shift, groups, longest_get, cheapest_get)
                    # no confusion at this place within the budget: nothing made here, nor asked (the
                    # prefixes are closed under cutting: where this head begins no word, the next place's
                    # lookup says so)
                    cheapest = here[0]
                    if cheapest is None or base + cheapest > limit or (level and cheapest > second):
                        continue
                    head = low[:i]
                    if prefix is not None:
                        follow = prefix(head)
                        if follow is None:
                            break  # no word starts so: no edit further on can make one
                    before_word = word[:i]
                    for b, group, rest in here[1]:
                        if end is not None:
                            tail = low[i + b:]
                            before = end(tail)
                            if before is None:
                                continue  # no word ends so: no confusion here can make one
                        for meant, k, meant_low in group:
                            cost = base + k
                            if cost > limit or (level and k > second):
                                break
                            # head + meant must begin a word, meant + tail end one: the first
                            # and last letters tested alone first (most confusions fail there)
                            if meant_low and prefix is not None and (
                                    meant_low[0] not in follow
                                    or (len(meant_low) > 1 and prefix(head + meant_low) is None)):
                                continue
                            if meant_low and end is not None and (
                                    meant_low[-1] not in before
                                    or (len(meant_low) > 1 and end(meant_low + tail) is None)):
                                continue
                            v = before_word + meant + rest
                            if v and cost < seen_get(v, 99.0):
                                seen[v] = cost
                                if k <= second and level + 1 < depth:  # a reading to go on from
                                    nxt.append((v, cost, i + len(meant), shift + len(meant) - b))
            if steps is not None and level == 0:
                steps.update(v for v, _, _, _ in nxt)
            frontier = nxt
        seen.pop(printed, None)
        return seen.items()


def _place(printed: str, p: int, groups, longest_get, cheapest_get) -> tuple:
    """`OcrModel.variants`' view of one place of the printed word: (the least cost of a confusion there, or
    None: there is none; [(length, its confusions, the printed rest after it)] of the printed groups there)."""
    c = printed[p]
    cheapest = cheapest_get(c)
    options = []
    if cheapest is not None:
        for b in range(1, longest_get(c, 0) + 1):
            if p + b > len(printed):
                break
            group = groups(printed[p:p + b])
            if group:
                options.append((b, group, printed[p + b:]))
    return cheapest, options


def _cyrillic(s: str) -> bool:
    """Whether a confusion's letters are Cyrillic (any of them)."""
    return any("\u0400" <= c <= "\u04ff" for c in s)


def _letters(s: str) -> str:
    """A word's letters as `channel_floor` counts them: lower case, the final sigma as any other (str.lower
    alone writes a capital sigma by its place in the string: "ς" at a word's end, "σ" inside, so a group's
    letters would not be the word's)."""
    return s.lower().replace("ς", "σ")


def m_small(meant: str) -> bool:
    """A meant letter group in small letters only ("" too: a letter printed that was not there)."""
    return meant == meant.lower() and not any(c.isdigit() for c in meant)


@lru_cache(maxsize=20_000)  # 320 bytes an entry; 25 scale books in one process: hit 32 % at 5k, 42 % at 50k (a miss: an alignment)
def _channel_cached(model_id: int, printed: str, meant: str) -> float:
    """The cheapest alignment of `printed` to `meant` through the model's letter groups."""
    model = _MODELS[model_id]
    # no place whose cost so far exceeds one whole alignment's needs expanding (costs are >= 0)
    return _align(model, printed, meant, _one_alignment(model, printed, meant) + 1e-9)


def _channel_within(model: OcrModel, printed: str, meant: str, limit: float) -> float:
    """`_channel_cached`'s alignment where only a cost of at most `limit` is wanted: no place costlier than
    the limit is expanded either (the cheapest way, if it costs at most the limit, is never cut: every place
    on it costs no more than it), so the figure is the same where it is at most the limit, above it (or
    inf) elsewhere. Not remembered: a witness's own words asked of a reading are mostly far from it."""
    return _align(model, printed, meant, min(_one_alignment(model, printed, meant), limit) + 1e-9)


def _align(model: OcrModel, printed: str, meant: str, bound: float) -> float:
    """The cheapest alignment of `printed` to `meant` through the model's letter groups (dynamic programming
    over (meant letters used, printed letters used)), no place costing more than `bound` expanded."""
    n, m = len(meant), len(printed)
    inf = float("inf")
    printed_for, unseen = model.printed_for, model.unseen
    # what can be done at each place of the meant word: (group length, group, its confusions or
    # None: only single letters have a default cost), and the printed groups at each place
    at_meant = []
    for i in range(n + 1):
        here = []
        for a in range(0, min(MAX_SEG, n - i) + 1):
            seg = meant[i:i + a]
            row = printed_for.get(seg)
            if row is not None or a <= 1:
                here.append((a, seg, row))
        at_meant.append(here)
    at_printed = [[printed[j:j + b] for b in range(0, min(MAX_SEG, m - j) + 1)] for j in range(m + 1)]
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            cur = d[i][j]
            if cur > bound:
                continue
            if i < n and j < m and meant[i] == printed[j]:
                if cur < d[i + 1][j + 1]:
                    d[i + 1][j + 1] = cur
            outs = at_printed[j]
            for a, seg, row in at_meant[i]:
                target = d[i + a]
                for b in range(0 if a else 1, len(outs) if row is not None else min(2, len(outs))):
                    out = outs[b]
                    k = row.get(out) if row is not None else None
                    if k is None:
                        if a > 1 or b > 1:
                            continue
                        k = CASE_MISREAD if a == b == 1 and seg.lower() == out.lower() else unseen
                    if cur + k < target[j + b]:
                        target[j + b] = cur + k
    return d[n][m]


def _one_alignment(model: OcrModel, printed: str, meant: str) -> float:
    """The cost of one way through the alignment (letter against letter, then the longer word's
    rest dropped or added one letter at a time): a bound the cheapest way cannot exceed."""
    total = 0.0
    for c, o in zip(meant, printed):
        total += 0.0 if c == o else _single(model, c, o)
    for c in meant[len(printed):]:
        total += _single(model, c, "")
    for o in printed[len(meant):]:
        total += _single(model, "", o)
    return total


def _single(model: OcrModel, meant: str, printed: str) -> float:
    """One letter (or none) printed for one letter (or none), as the alignment prices it."""
    row = model.printed_for.get(meant)
    k = row.get(printed) if row is not None else None
    if k is None:
        k = CASE_MISREAD if meant and printed and meant.lower() == printed.lower() else model.unseen
    return k


_MODELS: dict[int, OcrModel] = {}


def _channel(model: OcrModel, printed: str, meant: str) -> float:
    _MODELS.setdefault(id(model), model)
    return _channel_cached(id(model), printed, meant)


@lru_cache(maxsize=1)
def shared() -> OcrModel:
    """The model shipped with the pipeline (loaded once per process; the benchmark swaps
    MODEL_FILE and clears this cache to score a model learned on other documents)."""
    return OcrModel.load(MODEL_FILE)
