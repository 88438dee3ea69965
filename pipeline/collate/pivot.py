"""Cross-language alignment: the paragraphs of a translation against the pivot.

One dynamic programme over (pivot paragraph, translation paragraph) chooses
beads 1-1, 1-n, n-1 (n <= 4), 2-2, and 1-0 / 0-1 (a paragraph with no
counterpart: a translator's sub-heading, a passage left out). A bead's cost adds

* length (Gale & Church 1993): translations keep proportions, so the length of
  the translated passage, against the pivot's times the ratio c estimated on the
  pair itself, is scored as a normal deviation;
* anchors (pipeline.collate.anchors): every key found on both sides is a bonus,
  weighted by kind; a strong anchor (number, date, ordinal, name) found on one
  side only is a small penalty;
* structure: heading against heading is a bonus, heading against running text a
  penalty, and a heading is not merged into a bead of several paragraphs.

The translation may cover only part of the pivot: skipping pivot paragraphs
before the first bead and after the last one is free (semi-global alignment).
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate
from operator import add
from dataclasses import dataclass, field

from pipeline.collate import lexicon
from pipeline.collate.anchors import STRONG, WEIGHTS, AnchorFinder, Found, key_strong, key_weight
from pipeline.collate.model import Anchor, WitnessText
from pipeline.collate.segment import is_heading, is_note_body, sentence_spans

# (pivot paragraphs, translation paragraphs) -> prior cost of the bead
BEADS = {(1, 1): 0.0, (1, 2): 2.0, (2, 1): 2.0, (1, 3): 3.5, (3, 1): 3.5, (1, 4): 5.0, (4, 1): 5.0,
         (2, 2): 4.5, (1, 5): 6.5, (1, 6): 8.0, (1, 7): 9.5}
FIRST_PASS_BEADS = {k: v for k, v in BEADS.items() if max(k) <= 2}
SKIP_PIVOT = 5.0  # a pivot paragraph the translation leaves out (inside the covered part)
SKIP_PIVOT_HEADING = 3.0
SKIP_PIVOT_NOTE = 1.0
ADD_OTHER = 8.0  # a translation paragraph with no counterpart
ADD_OTHER_SHORT = 3.5  # ... a heading or a short line (sub-heading, title, page furniture)
ADD_OTHER_TINY = 2.5  # ... a line under 40 characters ("* * *", "Top of the page")
UNMATCHED_STRONG = 0.3  # per unit of weight of a strong anchor found on one side only
HEADING_PAIR = -2.0
HEADING_MISMATCH = 3.0
HEADING_MERGED = 6.0
QUESTION_MISMATCH = 2.0
QUESTION_MERGED = 2.0  # a heading-like question opening a group of paragraphs  # a heading that asks against one that does not
LENGTH_VARIANCE = 8.0  # Gale & Church's s^2 (per character)
LENGTH_SPREAD = 0.15  # and a relative spread: free translation is less regular than sentences
MAX_LENGTH_COST = 25.0
RATIO = 1.15  # first guess of translation/pivot length in characters (English/Russian); then measured


LIST_RE = re.compile(r"^\(?(\d{1,2}|[a-hа-ж])[.)]\s")


@dataclass
class Unit:
    """A paragraph as the alignment sees it."""

    text: str
    length: int
    heading: bool
    note: bool
    found: Found
    list_item: bool = False  # a heading-like line inside a list ("1. Who enters ...?" after "...:")


@dataclass
class Bead:
    """A step of the alignment: pivot paragraphs against translation paragraphs."""

    pivot: list[int]
    other: list[int]
    cost: float
    anchors: list[Anchor]
    sentences: list[list[list[str]]] = field(default_factory=list)  # [[pivot ids], [other ids]] pairs


def units(w: WitnessText, finder: AnchorFinder) -> list[Unit]:
    """The witness's paragraphs with lengths, structure and anchors."""
    out: list[Unit] = []
    for p in w.paragraphs:
        heading = is_heading(p)
        u = Unit(p, len(p), heading, is_note_body(p), finder.find(p, w.language, heading))
        if out and heading and LIST_RE.match(p) and (out[-1].text.endswith(":") or out[-1].list_item):
            u.list_item = True
        out.append(u)
    return out


SQRT2 = math.sqrt(2)


class _Matches:
    """Anchor weight matched between blocks of pivot and translation paragraphs.

    `upper` is O(1) (2-D prefix sums of the paragraph-by-paragraph matches, capped by
    the lighter side's total): an upper bound used to prune. `exact` counts each key
    once per bead: sum over keys of weight * min(count in pivot block, count in translation block).

    With `start` (a band: start[i] <= the first translation position read at pivot position i,
    never decreasing), the prefix sums left of start[i] are not made (0.0 there); those made
    are the same sums, term by term.
    """

    def __init__(self, pu: list[Unit], ou: list[Unit], start: list[int] | None = None):
        m = len(ou)
        self.count_p = _key_prefix(pu)
        self.count_o = co = _key_prefix(ou)
        # per pivot unit, the keys the translation has too (no other can match), with where it has them
        self.keys_p = [[(k, key_weight(k), key_strong(k), len(spans), co[k])
                        for k, spans in u.found.keys.items() if k in co] for u in pu]
        index: dict[str, list[tuple[int, int]]] = {}
        for j, u in enumerate(ou):
            for key, spans in u.found.keys.items():
                index.setdefault(key, []).append((j, len(spans)))
        # per pivot unit, the 1-1 beads' (matched, strong) by translation unit: the sums exact() makes,
        # term by term in the same order (the commonest bead, looked up instead of bisected); a
        # bead's matched weight is also the cell of the 2-D prefix sums (read only; a unit matching
        # nothing repeats the row above)
        full = [[0.0] * (m + 1)]
        self.pair: list[dict[int, list[float]]] = []
        for i, keys in enumerate(self.keys_p):
            got: dict[int, list[float]] = {}
            for key, w, is_strong, n_here, _ in keys:  # a pair's first term is its sum (0.0 + v is v)
                if is_strong:
                    for j, n_o in index[key]:
                        v = w * (n_here if n_here < n_o else n_o)
                        acc = got.get(j)
                        if acc is None:
                            got[j] = [v, v]
                        else:
                            acc[0] += v
                            acc[1] += v
                else:
                    for j, n_o in index[key]:
                        v = w * (n_here if n_here < n_o else n_o)
                        acc = got.get(j)
                        if acc is None:
                            got[j] = [v, 0.0]
                        else:
                            acc[0] += v
            self.pair.append(got)
            if got and start is None:
                cell = [0.0] * (m + 1)  # cell[j + 1]: matches of this pivot unit with translation unit j
                for j, acc in got.items():
                    cell[j + 1] = acc[0]
                full.append(list(map(add, full[-1], accumulate(cell))))
            elif got:  # the same from column s on: the cells before it summed in column order first
                s = start[i + 1]
                cell = [0.0] * (m + 1 - s)
                total = 0.0
                for j in sorted(got):
                    if j + 1 > s:
                        cell[j + 1 - s] = got[j][0]
                    else:
                        total += got[j][0]
                cell[0] += total
                full.append([0.0] * s + list(map(add, full[-1][s:], accumulate(cell))))
            else:
                full.append(full[-1])
        self.full = full
        self.p_strong = _prefix([u.found.weight(True) for u in pu])
        self.o_strong = _prefix([u.found.weight(True) for u in ou])
        self.p_total = _prefix([u.found.weight() for u in pu])
        self.o_total = _prefix([u.found.weight() for u in ou])

    def upper(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """An upper bound of the matched weight."""
        f = self.full
        block = f[i1][j1] - f[i0][j1] - f[i1][j0] + f[i0][j0]
        return min(block, self.p_total[i1] - self.p_total[i0], self.o_total[j1] - self.o_total[j0])

    def from_pair(self, got: list[float] | None, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """exact(i0, i1, j0, j1) of a bead in which at most one pair of units shares a key: `got`, that
        pair's entry of the table made once (`pair`; None: no pair), gives its sums term by term."""
        matched, strong = got if got is not None else (0.0, 0.0)
        unmatched = (self.p_strong[i1] - self.p_strong[i0]) + (self.o_strong[j1] - self.o_strong[j0]) - 2 * strong
        return matched, max(0.0, unmatched)

    def exact(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """(matched weight, strong weight found on one side only) for pivot[i0:i1] x other[j0:j1]."""
        matched = strong = 0.0
        cp = self.count_p
        seen = set() if i1 - i0 > 1 else None
        for i in range(i0, i1):
            for key, w, is_strong, n_here, other in self.keys_p[i]:
                if seen is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                n_o = bisect_left(other, j1) - bisect_left(other, j0)
                if n_o:
                    if seen is None:  # one pivot unit: its own count of the key
                        n_p = n_here
                    else:
                        pk = cp[key]
                        n_p = bisect_left(pk, i1) - bisect_left(pk, i0)
                    v = w * (n_p if n_p < n_o else n_o)
                    matched += v
                    if is_strong:
                        strong += v
        unmatched = (self.p_strong[i1] - self.p_strong[i0]) + (self.o_strong[j1] - self.o_strong[j0]) - 2 * strong
        return matched, max(0.0, unmatched)


def _key_prefix(us: list[Unit]) -> dict[str, list[int]]:
    """key -> the units holding it, sorted, a unit once per occurrence (counts in a block by bisection)."""
    out: dict[str, list[int]] = {}
    for k, u in enumerate(us):
        for key, spans in u.found.keys.items():
            out.setdefault(key, []).extend([k] * len(spans))
    return out


def _prefix(values: list[float]) -> list[float]:
    out = [0.0]
    for v in values:
        out.append(out[-1] + v)
    return out


def skip_pivot_cost(u: Unit) -> float:
    """Cost of a pivot paragraph with no counterpart inside the covered part."""
    if u.note:
        return SKIP_PIVOT_NOTE
    if u.heading and not u.text.rstrip().endswith("?"):  # translators drop headings, not questions
        return SKIP_PIVOT_HEADING
    return SKIP_PIVOT


def add_other_cost(u: Unit) -> float:
    """Cost of a translation paragraph with no counterpart."""
    if u.length < 40:
        return ADD_OTHER_TINY
    return ADD_OTHER_SHORT if u.heading or u.length < 60 else ADD_OTHER


@lru_cache(maxsize=None)
def _pair_cost(p: tuple[bool, bool, bool], o: tuple[bool, bool, bool]) -> float:
    """Cost of a 1-1 bead's structure, from each side's (heading, note, question)."""
    cost = 0.0
    if p[0] and o[0]:
        cost += HEADING_PAIR + (QUESTION_MISMATCH if p[2] != o[2] else 0.0)
    elif p[0] != o[0]:
        cost += HEADING_MISMATCH
    if p[1] != o[1]:
        cost += HEADING_MISMATCH
    return cost


class _Structure:
    """Structure costs as tables (looked up in O(1) in the inner loop): headings go with
    headings, notes with notes, and a heading is not merged with running text."""

    def __init__(self, pu: list[Unit], ou: list[Unit], sizes: set[int]):
        kinds_p = [(u.heading, u.note, u.text.rstrip().endswith("?")) for u in pu]
        self.kinds_o = [(u.heading, u.note, u.text.rstrip().endswith("?")) for u in ou]
        # a pivot unit's kind as a number: a 1-1 bead's structure cost is pair_row(j)[kind_p[i]]
        self.kinds = list(dict.fromkeys(kinds_p))
        number = {k: n for n, k in enumerate(self.kinds)}
        self.kind_p = [number[k] for k in kinds_p]
        self.pair = lambda i, j: _pair_cost(kinds_p[i], self.kinds_o[j])
        self.p_side = self._sides(pu, sizes)
        self.o_side = self._sides(ou, sizes)


    def pair_row(self, j: int) -> list[float]:
        """The structure cost of a 1-1 bead with translation unit j, by the pivot unit's kind number."""
        o = self.kinds_o[j]
        return [_pair_cost(p, o) for p in self.kinds]

    @staticmethod
    def _sides(us: list[Unit], sizes: set[int]) -> dict[int, list[tuple[float, bool]]]:
        """_side(us[k - size:k], size) for every k and size, from each unit's flags read once
        (the same values: what _side finds in a group is its edges and whether it holds a note)."""
        notes = _prefix([1 if u.note else 0 for u in us])
        edge = [u.heading and not u.list_item for u in us]
        opening = [QUESTION_MERGED if u.text.rstrip().endswith("?") else HEADING_MERGED for u in us]
        out = {}
        for size in sizes:
            row: list[tuple[float, bool]] = []
            for k in range(len(us) + 1):
                if k < size:
                    row.append((0.0, False))
                    continue
                note = notes[k] - notes[k - size] > 0
                if size < 2:
                    row.append((0.0, note))
                    continue
                first, last = k - size, k - 1
                pens = [opening[first]] if edge[first] else []
                if edge[last]:
                    pens.append(HEADING_MERGED)
                row.append((max(pens, default=0.0), note))
            out[size] = row
        return out

    @staticmethod
    def _side(group: list[Unit], size: int) -> tuple[float, bool]:
        """(penalty, has a note) of one side of a bead with several units on a side.

        A heading opening or closing a group belongs to a row of its own; one inside a
        group is a translator's sub-heading set into the middle of a pivot paragraph.
        """
        if len(group) < size:
            return 0.0, False
        if size < 2:
            return 0.0, any(u.note for u in group)
        edge = [u for u in (group[0], group[-1]) if u.heading and not u.list_item]
        # a short question opening a group is often a rhetorical one the translator ran on
        penalty = max((QUESTION_MERGED if u is group[0] and u.text.rstrip().endswith("?") else HEADING_MERGED
                       for u in edge), default=0.0)
        return penalty, any(u.note for u in group)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Structure cost of the bead pivot[i0:i1] x other[j0:j1]."""
        if i1 - i0 == 1 and j1 - j0 == 1:
            return self.pair(i0, j0)
        (pp, pn), (op, on) = self.p_side[i1 - i0][i1], self.o_side[j1 - j0][j1]
        return pp + op + (HEADING_MISMATCH if pn != on else 0.0)


def align_units(pu: list[Unit], ou: list[Unit], ratio: float, band: list[tuple[int, int]] | None = None,
                beads: dict[tuple[int, int], float] = BEADS, free_ends: bool = True, jumps: bool = False
                ) -> list[tuple[int, int, int, int, float]]:
    """The cheapest chain of beads: (i0, i1, j0, j1, cost), in translation order, covering every translation unit.

    Pivot units outside the chain (before the first bead, after the last) are skipped
    for free; the caller records them as having no counterpart. `band[i]` = (lo, hi)
    limits the translation positions considered at pivot position i. With
    `free_ends=False` the alignment is global: every pivot unit is in the chain.
    With `jumps`, the chain may leave the pivot and resume anywhere else (before or
    after) for a fixed cost: a witness made of excerpts, or of passages in its own
    order, is a chain of monotone stretches (local alignment with restarts).
    """
    m = len(ou)
    lattice = _Lattice(pu, ou, ratio, sorted(beads.items(), key=lambda kv: kv[1]), free_ends,
                       _first_read(band, beads))
    rows_of = _open_rows(band, len(pu), m)
    for j in range(1, m + 1):  # translation position outer: a jump restarts within one column
        lattice.fill_column(j, rows_of[j])
        if jumps and j < m and rows_of[j]:
            lattice.restart(rows_of[j], j, ou[j])
    return lattice.chain()


def _first_read(band: list[tuple[int, int]] | None, beads) -> list[int] | None:
    """Per pivot position i, a translation position at or before any the band makes fill_column read
    of the prefix sums' row i (as a bead's end row or its start row), never decreasing in i."""
    if not band:
        return None
    n = len(band) - 1
    sizes = sorted({0} | {a for a, _ in beads})
    widest = max(b for _, b in beads)
    need = [max(0, min(band[i + a][0] for a in sizes if i + a <= n) - widest) for i in range(n + 1)]
    for i in range(n - 1, -1, -1):  # a suffix minimum: the rows are made in order, each from the one above
        if need[i + 1] < need[i]:
            need[i] = need[i + 1]
    return need


def _open_rows(band: list[tuple[int, int]] | None, n: int, m: int) -> list[list[int]]:
    """The pivot positions open at each translation position j (all of them without a band)."""
    if not band:
        return [list(range(n + 1))] * (m + 1)
    rows_of: list[list[int]] = [[] for _ in range(m + 1)]
    for i, (lo, hi) in enumerate(band):
        for j in range(lo, hi + 1):
            rows_of[j].append(i)
    return rows_of


class _Lattice:
    """The dynamic programme's table, by translation position (a column at a time):
    cost[j][i] of the cheapest chain covering pivot[:i] and translation[:j], and
    back[j][i] = (i0, j0, step cost, is a jump) of its last step."""

    def __init__(self, pu: list[Unit], ou: list[Unit], ratio: float, beads: list[tuple[tuple[int, int], float]],
                 free_ends: bool, start: list[int] | None = None):
        n, m = len(pu), len(ou)
        self.n, self.m, self.ratio, self.beads, self.free_ends = n, m, ratio, beads, free_ends
        self.matches = _Matches(pu, ou, start)
        self.structure = st = _Structure(pu, ou, {x for ab, _ in beads for x in ab})
        self.steps = [(a, b, prior, st.p_side[a], st.o_side[b]) for (a, b), prior in beads]  # cheapest prior first
        # a bead of several units: its structure cost at pivot position i where the translation side has no
        # penalty (op 0.0, the commonest), by whether that side holds a note: the sum fill_column makes,
        # term by term (x + 0.0 is x), looked up instead of made in every cell
        self.side_costs = {(a, b): tuple([prior + pp + 0.0 + (HEADING_MISMATCH if pn != on else 0.0)
                                          for pp, pn in st.p_side[a]] for on in (False, True))
                           for (a, b), prior in beads if not (a == 1 and b == 1)}
        self.plen, self.olen = _prefix([u.length for u in pu]), _prefix([u.length for u in ou])
        # the pivot side's expected translation length of a bead of `a` units ending at pivot position i
        # (the product fill_column makes, the same float; 0.0 where the bead does not fit)
        plen = self.plen
        self.expected = {a: [(plen[i] - plen[i - a]) * ratio if i >= a else 0.0 for i in range(n + 1)]
                         for a in {a for (a, _), _ in beads}}
        self.widest = max((a for (a, _), _ in beads), default=0)
        self.skip_p = [skip_pivot_cost(u) for u in pu]
        self.add_o = [add_other_cost(u) for u in ou]
        self.cost = [[float("inf")] * (n + 1) for _ in range(m + 1)]
        self.back: list[list[tuple | None]] = [[None] * (n + 1) for _ in range(m + 1)]
        first, back0 = self.cost[0], self.back[0]
        for i in range(n + 1):
            first[i] = 0.0 if free_ends else sum(self.skip_p[:i])  # leading pivot paragraphs: free
            if i and not free_ends:
                back0[i] = (i - 1, 0, self.skip_p[i - 1], False)

    def fill_column(self, j: int, rows: list[int]) -> None:
        """The cheapest last step into each open (i, j) of column j, in row order: a translation
        unit added, a pivot unit skipped, or a bead.

        A bead's cost adds prior, structure, length and anchors; it is given up as soon as it
        cannot beat the best step so far even with every anchor matched (the upper bound of
        _Matches), before the dearer parts are computed: the cheaper bounds first, each no tighter
        than the next, so the beads kept are those the tightest alone keeps (and the chain the one
        every bead costed in full gives: tests/test_collate_pivot.py). The innermost loop of
        collation: what depends on the column only is read once per column, everything is a local name."""
        mt = self.matches
        col, back, left = self.cost[j], self.back[j], self.cost[j - 1]
        exact, pair, full, p_total = mt.exact, mt.pair, mt.full, mt.p_total
        p_strong, o_strong = mt.p_strong, mt.o_strong
        inf = math.inf
        ot, ol = mt.o_total[j], self.olen[j]
        add, skip_p, kind_p = self.add_o[j - 1], self.skip_p, self.structure.kind_p
        erfc, sqrt, log = math.erfc, math.sqrt, math.log
        o_total, olen, widest = mt.o_total, self.olen, self.widest
        # the beads that fit in this column, in the order given (cheapest prior first), with what they
        # read of the translation side alone: its share of the anchors' weight and its length; and where
        # their structure cost is read: a 1-1 bead's by the pivot unit's kind (prior added), another's by
        # pivot position (side_costs) where the translation side has no penalty, else made in the cell
        steps = []
        for a, b, prior, p_side, o_side in self.steps:
            if b > j:
                continue
            j0 = j - b
            if a == 1 and b == 1:
                steps.append((a, j0, self.cost[j0], [prior + x for x in self.structure.pair_row(j0)], None, None,
                              ot - o_total[j0], ol - olen[j0], self.expected[a]))
            else:
                op, on = o_side[j]
                if op == 0.0:
                    steps.append((a, j0, self.cost[j0], None, self.side_costs[(a, b)][on], None,
                                  ot - o_total[j0], ol - olen[j0], self.expected[a]))
                else:
                    steps.append((a, j0, self.cost[j0], None, None, (prior, p_side, op, on),
                                  ot - o_total[j0], ol - olen[j0], self.expected[a]))
        for i in rows:
            best = left[i] + add
            arg = None  # None: the translation unit added
            if i > 0:
                skip = skip_p[i - 1]
                if col[i - 1] + skip < best:
                    best, arg = col[i - 1] + skip, (i - 1, j, skip, False)
            f1 = full[i]
            f1j, pt = f1[j], p_total[i]
            # the beads that fit above row i (all of them below the first rows)
            for a, j0, prev_col, pair_row, side, made, o_share, l2, expect in (
                    steps if i >= widest else [st for st in steps if st[0] <= i]):
                i0 = i - a
                prev = prev_col[i0]
                if prev == inf:  # outside the band: no chain reaches here (it would be given up below)
                    continue
                if pair_row is not None:
                    c = pair_row[kind_p[i0]]
                elif side is not None:
                    c = side[i]
                else:
                    prior, p_side, op, on = made
                    pp, pn = p_side[i]
                    c = prior + pp + op + (HEADING_MISMATCH if pn != on else 0.0)
                # the bound prev + c - bonus, bonus = min(block, pivot side's total, translation side's):
                # first with each side's total alone (bonus is no more, so the bound no less: a step given
                # up on these is given up below too), then with the block of the prefix sums
                pc = prev + c
                if pc - o_share >= best:
                    continue
                x = pt - p_total[i0]
                if pc - x >= best:
                    continue
                f0 = full[i0]
                bonus = f1j - f0[j] - f1[j0] + f0[j0]
                if x < bonus:
                    bonus = x
                if o_share < bonus:
                    bonus = o_share
                if pc - bonus >= best:
                    continue
                # length: -log P(|delta|) of Gale & Church, with a relative spread for paragraph-sized beads
                expected = expect[i]
                mean = (expected + l2) / 2 or 1.0
                d = abs(l2 - expected)
                var = LENGTH_VARIANCE * mean + (LENGTH_SPREAD * mean) ** 2
                # first a bound without erfc, log nor sqrt: -log erfc(z) >= z * z for z >= 0 (erfc(z) <=
                # exp(-z * z); equal at 0, and the gap, -log erfcx(z), is orders above the rounding beyond)
                zz = d * d / var / 2
                if prev + (c + (zz if zz < MAX_LENGTH_COST else MAX_LENGTH_COST)) - bonus >= best:
                    continue
                p = erfc(d / sqrt(var) / SQRT2)
                if p < 1e-11:
                    c += MAX_LENGTH_COST
                else:
                    x = -log(p)
                    c += x if x < MAX_LENGTH_COST else MAX_LENGTH_COST
                if prev + c - bonus >= best:
                    continue
                if pair_row is not None:  # mt.from_pair(pair[i0].get(j0), i0, i0 + 1, j0, j0 + 1), written out
                    got = pair[i0].get(j0)
                    matched, strong = got if got is not None else (0.0, 0.0)
                    unmatched = (p_strong[i0 + 1] - p_strong[i0]) + (o_strong[j0 + 1] - o_strong[j0]) - 2 * strong
                    unmatched = unmatched if unmatched > 0.0 else 0.0  # max(0.0, unmatched)
                else:
                    # the pairs of units sharing a key inside the bead (the pair table): with none or one,
                    # what exact() finds is that pair's sums, term by term (a key the bead matches is
                    # then in those two units only), without its walk over the keys
                    got = None
                    for x in range(i0, i):
                        px = pair[x]
                        for y in range(j0, j):
                            if y in px:
                                if got is not None:
                                    got = False
                                    break
                                got = px[y]
                        if got is False:
                            break
                    matched, unmatched = exact(i0, i, j0, j) if got is False else mt.from_pair(got, i0, i, j0, j)
                c += UNMATCHED_STRONG * unmatched - matched
                if prev + c < best:
                    best, arg = prev + c, (i0, j0, c, False)
            col[i] = best
            back[i] = arg if arg is not None else (i, j - 1, add, False)

    def restart(self, rows: list[int], j: int, next_unit: Unit) -> None:
        """A jump: the chain leaves the pivot at the cheapest open row and resumes at any row far from it."""
        col, back = self.cost[j], self.back[j]
        src = min(rows, key=lambda i: (col[i], i))
        restart = col[src] + (JUMP_AT_HEADING if next_unit.heading and not next_unit.list_item else JUMP)
        for i in rows:
            if restart < col[i] and abs(i - src) > MIN_JUMP:
                col[i], back[i] = restart, (src, j, JUMP, True)

    def chain(self) -> list[tuple[int, int, int, int, float]]:
        """The beads of the cheapest chain, traced back from its end (any pivot row with free ends)."""
        n, m = self.n, self.m
        last = self.cost[m]
        i = min(range(n + 1), key=lambda i: (last[i], i)) if self.free_ends else n
        j, out = m, []
        while j > 0 or (not self.free_ends and i > 0):
            pi, pj, c, jump = self.back[j][i]
            if not jump:
                out.append((pi, i, pj, j, c))
            i, j = pi, pj
        return out[::-1]


FULL_SEARCH = 20_000  # cells: a witness this small is aligned without the first pass's band
JUMP = 14.0  # restarting the alignment elsewhere in the pivot (an excerpt, a passage moved)
JUMP_AT_HEADING = 5.0  # ... at a heading of the witness (an excerpt's own title)
MIN_JUMP = 3  # a shorter skip is paragraphs left out (1-0 beads), not a restart


def bead_prior(a: int, b: int) -> float:
    """Prior cost of an a-b bead: the table's, else growing with the paragraphs it joins."""
    if (a, b) in BEADS:
        return BEADS[(a, b)]
    return 1.5 * (a + b - 2) + 0.5 + (1.5 if min(a, b) > 1 else 0.0)


SENTENCE_BAND = 6  # sentences either side of the paragraph alignment searched by the sentence alignment
SENTENCE_BAND_UNSURE = 12  # ... around a bead the paragraph alignment is unsure of
DOUBTFUL_BEAD = 2.0
HEAVY_LINK = 0.3  # a sentence link ties two paragraphs if it covers this share of one of them


def stretches(chain) -> list[list[tuple]]:
    """The monotone runs of a chain of beads (one run per excerpt of a witness)."""
    out: list[list[tuple]] = []
    for b in chain:
        if out and b[0] >= out[-1][-1][1] and b[2] == out[-1][-1][3] and b[0] - out[-1][-1][1] <= 1:
            out[-1].append(b)
        else:
            out.append([b])
    return out


def regroup(pivot: WitnessText, other: WitnessText, pu: list[Unit], ou: list[Unit], chain, ratio: float):
    """Align the sentences of each stretch at once (in a band around the paragraph
    alignment), and regroup the paragraphs from the sentence links.

    Paragraph beads join a few paragraphs at most; a translator who regroups seven
    paragraphs into seven others, running the end of one into the next, forces them to
    shift, and a translated paragraph is left without counterpart. Sentences are finer:
    their alignment follows the translator's regrouping. Two paragraphs share a row when
    a sentence link covers a good share (HEAVY_LINK) of one of them; a light link (a
    short sentence run on into the next paragraph) does not join them.

    Returns beads (i0, i1, j0, j1, cost) and, per bead, its sentence steps.
    """
    beads, steps_of = [], []
    for run in stretches(chain):
        pa, pb, oa, ob = run[0][0], run[-1][1], run[0][2], run[-1][3]
        if pb == pa or ob == oa:
            beads.extend(run)
            steps_of.extend([[]] * len(run))
            continue
        ps, pids = sentence_units(pivot, list(range(pa, pb)), pu)
        os_, oids = sentence_units(other, list(range(oa, ob)), ou)
        first_p = _first_index(pids)
        first_o = _first_index(oids)
        band = [(len(os_), 0, 0)] * (len(ps) + 1)
        for i0, i1, j0, j1, c in run:
            s0, s1 = first_p.get(i0, len(ps)), first_p.get(i1, len(ps))
            t0, t1 = first_o.get(j0, len(os_)), first_o.get(j1, len(os_))
            # where the paragraph alignment is unsure (a paragraph left out, a big or costly bead) look further
            unsure = i1 == i0 or j1 == j0 or (i1 - i0) + (j1 - j0) >= 4 or c > DOUBTFUL_BEAD
            width = SENTENCE_BAND_UNSURE if unsure else SENTENCE_BAND
            for x in range(s0, s1 + 1):
                band[x] = (min(band[x][0], t0), max(band[x][1], t1), max(band[x][2], width))
        band = [(max(0, lo - w), min(len(os_), hi + w)) if lo <= hi else (0, len(os_)) for lo, hi, w in band]
        sc = align_units(ps, os_, ratio, band=band, beads=SENTENCE_BEADS, free_ends=False)
        pp = [int(x.split(".")[0]) for x in pids]
        op = [int(x.split(".")[0]) for x in oids]
        groups = _paragraph_groups(sc, pp, op, ps, os_, pu, ou, pa, pb, oa, ob)
        known = {b[:4]: b[4] for b in run}
        sc = split_unrendered(sc, ps, os_, ratio)  # after the grouping: rows stay as the links made them
        # the steps touching each paragraph (a group looks at those of its own paragraphs only)
        touching_p: dict[int, list[int]] = {}
        touching_o: dict[int, list[int]] = {}
        for k, (s0, s1, t0, t1, _) in enumerate(sc):
            for x in dict.fromkeys(pp[s0:s1]):
                touching_p.setdefault(x, []).append(k)
            for y in dict.fromkeys(op[t0:t1]):
                touching_o.setdefault(y, []).append(k)
        for i0, i1, j0, j1 in groups:
            steps = []
            near = sorted({k for x in range(i0, i1) for k in touching_p.get(x, ())}
                          | {k for y in range(j0, j1) for k in touching_o.get(y, ())})
            for s0, s1, t0, t1, _ in (sc[k] for k in near):  # the steps inside the group (a light link cut at its edge)
                left = [pids[x] for x in range(s0, s1) if i0 <= pp[x] < i1]
                right = [oids[x] for x in range(t0, t1) if j0 <= op[x] < j1]
                if left or right:
                    cut = (not left or not right) and s1 > s0 and t1 > t0
                    steps.append([left, right, "paired in the next row"] if cut else [left, right])
            c = known.get((i0, i1, j0, j1))
            beads.append((i0, i1, j0, j1, c if c is not None else paragraph_cost(pu, ou, i0, i1, j0, j1, ratio)))
            steps_of.append(steps if i1 > i0 and j1 > j0 else [])
    return beads, steps_of


UNRENDERED_MIN_WORDS = 3  # a shorter sentence ("So.", "Why?") is too slight to call unrendered
UNRENDERED_LENGTH = 0.9  # the merged side's length, times the ratio, beyond the other's by this factor ...
UNRENDERED_FIT = 0.75  # ... while the rest alone fits it this well (shorter/longer)


def split_unrendered(sc, ps: list[Unit], os_: list[Unit], ratio: float):
    """Split off, from an n-1 / 1-n sentence step, an edge sentence that the other side does not render.

    A short sentence a translator left out is merged into its neighbour's step (a 2-1
    costs less than a 1-1 and a 1-0). It is split off as a 1-0 (or 0-1) step only when
    the evidence says so: the merged side is too long for the other (with the ratio
    measured on the pair) while the rest fits it, no anchor of the sentence (number,
    name, quotation, learned word pair ...) is found in the other side nor in its
    neighbouring sentences, while it has a strong one (a name, number, date, ordinal:
    a translation rarely drops those). Anything less stays merged: not reported.
    """
    out = []
    for s0, s1, t0, t1, c in sc:
        if s1 - s0 >= 2 and t1 - t0 == 1:
            got = _unrendered(ps, s0, s1, os_, t0, t1, ratio)
            if got is not None:
                rest = (s0 + 1, s1) if got == s0 else (s0, s1 - 1)
                parts = [(got, got + 1, t0, t0, 0.0), (*rest, t0, t1, c)]
                out.extend(parts if got == s0 else parts[::-1])
                continue
        elif t1 - t0 >= 2 and s1 - s0 == 1:
            got = _unrendered(os_, t0, t1, ps, s0, s1, 1 / ratio)
            if got is not None:
                rest = (t0 + 1, t1) if got == t0 else (t0, t1 - 1)
                parts = [(s0, s0, got, got + 1, 0.0), (s0, s1, *rest, c)]
                out.extend(parts if got == t0 else parts[::-1])
                continue
        out.append((s0, s1, t0, t1, c))
    return out


def _unrendered(side: list[Unit], a0: int, a1: int, other: list[Unit], b0: int, b1: int, ratio: float) -> int | None:
    """The edge sentence of side[a0:a1] that other[b0:b1] does not render, if the evidence is clear."""
    lo = sum(u.length for u in other[b0:b1])
    full = sum(u.length for u in side[a0:a1])
    near = set().union(*(u.found.keys for u in other[max(0, b0 - 1):b1 + 1]))
    for x in (a0, a1 - 1):
        u = side[x]
        if len(u.text.split()) < UNRENDERED_MIN_WORDS or u.heading or u.note:
            continue
        rest = full - u.length
        if lo > full * ratio * UNRENDERED_LENGTH:
            continue  # the other side is long enough to render the whole
        if min(lo, rest * ratio) < UNRENDERED_FIT * max(lo, rest * ratio):
            continue  # the rest alone does not fit it either
        own = set(u.found.keys)
        if own & near or not any(k.split(":", 1)[0] in STRONG for k in own):
            continue  # something of it is there, or nothing of it would show (free translation drops words)
        return x
    return None


def _first_index(ids: list[str]) -> dict[int, int]:
    """Paragraph number -> index of its first sentence."""
    out: dict[int, int] = {}
    for k, x in enumerate(ids):
        out.setdefault(int(x.split(".")[0]), k)
    return out


def _paragraph_groups(sc, pp, op, ps, os_, pu, ou, pa, pb, oa, ob) -> list[tuple[int, int, int, int]]:
    """Paragraph groups (i0, i1, j0, j1) of a stretch from its sentence chain: the rows of
    paragraphs tied by heavy links; a paragraph without one goes with its heaviest link,
    and one without any link stands alone (no counterpart)."""
    weight: dict[tuple[int, int], tuple[float, float]] = {}
    for s0, s1, t0, t1, _ in sc:
        if s1 == s0 or t1 == t0:
            continue
        if not any(ps[x].heading for x in range(s0, s1)) and \
                any(os_[x].heading and not os_[x].text.rstrip().endswith("?") for x in range(t0, t1)):
            continue  # the translator's own title set against running text
        lp, lo = {}, {}
        for x in range(s0, s1):
            lp[pp[x]] = lp.get(pp[x], 0) + ps[x].length
        for x in range(t0, t1):
            lo[op[x]] = lo.get(op[x], 0) + os_[x].length
        tp, to = sum(lp.values()) or 1, sum(lo.values()) or 1
        for p, a in lp.items():
            for q, b in lo.items():
                w0, w1 = weight.get((p, q), (0.0, 0.0))
                weight[(p, q)] = (w0 + a * b / to / max(1, pu[p].length), w1 + b * a / tp / max(1, ou[q].length))
    keep = {pq for pq, (wp, wq) in weight.items() if max(wp, wq) >= HEAVY_LINK}
    for side in (0, 1):  # every linked paragraph keeps at least its heaviest link
        best: dict[int, tuple[float, tuple[int, int]]] = {}
        for pq, w in weight.items():
            if (pq[side], w[side], pq) > (pq[side], *best.get(pq[side], (-1.0, (0, 0)))):
                best[pq[side]] = (w[side], pq)
        for x, (_, pq) in best.items():
            if not any(k[side] == x for k in keep):
                keep.add(pq)
    # groups: sweep in order; a link into a paragraph already in the current group extends it
    groups: list[list[int]] = []
    for p, q in sorted(keep):
        g = groups[-1] if groups else None
        if g is not None and (p < g[1] or q < g[3]):
            g[1], g[3] = max(g[1], p + 1), max(g[3], q + 1)
        else:
            groups.append([p, p + 1, q, q + 1])
    merged: list[list[int]] = []
    for g in groups:  # crossing links: groups overlapping on either side merge
        if merged and (g[0] < merged[-1][1] or g[2] < merged[-1][3]):
            m = merged[-1]
            m[1], m[3] = max(m[1], g[1]), max(m[3], g[3])
            m[0], m[2] = min(m[0], g[0]), min(m[2], g[2])
        else:
            merged.append(g)
    out: list[tuple[int, int, int, int]] = []
    i, j = pa, oa
    for i0, i1, j0, j1 in merged:  # unlinked paragraphs between groups: each alone
        out.extend((x, x + 1, j, j) for x in range(i, i0))
        out.extend((i0, i0, y, y + 1) for y in range(j, j0))
        out.append((i0, i1, j0, j1))
        i, j = i1, j1
    out.extend((x, x + 1, j, j) for x in range(i, pb))
    out.extend((pb, pb, y, y + 1) for y in range(j, ob))
    return out


def paragraph_cost(pu, ou, i0, i1, j0, j1, ratio) -> float:
    """The paragraph alignment's cost of one bead of any size (for the doubt it raises)."""
    if i1 == i0:
        return sum(add_other_cost(u) for u in ou[j0:j1])
    if j1 == j0:
        return sum(skip_pivot_cost(u) for u in pu[i0:i1])
    a, b = i1 - i0, j1 - j0
    chain = align_units(pu[i0:i1], ou[j0:j1], ratio, beads={(a, b): bead_prior(a, b)}, free_ends=False)
    return sum(c for *_, c in chain)


def band_around(chain, n: int, m: int, width: int = 12) -> list[tuple[int, int]]:
    """Translation positions within `width` of a first alignment, for each pivot position."""
    lo, hi = [m] * (n + 1), [0] * (n + 1)
    for i0, i1, j0, j1, _ in chain:
        for i in range(i0, i1 + 1):
            lo[i], hi[i] = min(lo[i], j0), max(hi[i], j1)
    last = 0
    for i in range(n + 1):  # pivot positions outside the chain: between their neighbours
        if hi[i] < lo[i]:
            lo[i] = hi[i] = last
        last = hi[i]
    return [(max(0, lo[i] - width), min(m, hi[i] + width)) for i in range(n + 1)]


def estimate_ratio(pu: list[Unit], ou: list[Unit], chain) -> float:
    """Length ratio translation/pivot over the 1-1 beads of running text."""
    lp = sum(pu[i0].length for i0, i1, j0, j1, _ in chain if i1 - i0 == 1 and j1 - j0 == 1 and not pu[i0].heading)
    lo = sum(ou[j0].length for i0, i1, j0, j1, _ in chain if i1 - i0 == 1 and j1 - j0 == 1 and not pu[i0].heading)
    return lo / lp if lp > 500 else RATIO


def align_translations(pivot: WitnessText, others: list[WitnessText], finder: AnchorFinder,
                       pu: list[Unit] | None = None) -> dict[str, list[Bead]]:
    """Align each translation to the pivot in two passes.

    Pass 1 (common beads, first-guess length ratio) gives a rough alignment; from it
    we measure each translation's length ratio and learn a lexicon per language
    (pipeline.collate.lexicon), pooled over the translations of that language. Pass 2
    uses both, in a band around pass 1.
    """
    pu = pu if pu is not None else units(pivot, finder)
    ous = {w.id: units(w, finder) for w in others}
    # a long witness is first aligned in one monotone stretch: its second pass, in a band around
    # it, may restart only nearby; a short one (an excerpt) is searched whole, restarts anywhere
    first = {w.id: align_units(pu, ous[w.id], RATIO, beads=FIRST_PASS_BEADS, jumps=_small(pu, ous[w.id]))
             for w in others}
    trusted = add_lexicon(pu, others, ous, first)
    final = {}
    for w in others:
        ou, chain = ous[w.id], first[w.id]
        ratio = round(estimate_ratio(pu, ou, chain), 2)  # rounded: near-identical witnesses get one ratio
        band = None if _small(pu, ou) else band_around(chain, len(pu), len(ou))
        chain = align_units(pu, ou, ratio, band, jumps=True)
        final[w.id] = regroup(pivot, w, pu, ou, chain, ratio)
    trusted = confirmed_by_sentences(pivot, others, final, trusted)
    out = {}
    for w in others:
        ou = ous[w.id]
        chain, steps = final[w.id]
        out[w.id] = [Bead(list(range(i0, i1)), list(range(j0, j1)), c,
                          bead_anchors(pivot, w, pu, ou, i0, i1, j0, j1, trusted), st)
                     for (i0, i1, j0, j1, c), st in zip(chain, steps)]
    return out


def _small(pu: list[Unit], ou: list[Unit]) -> bool:
    """A witness small enough to be searched against the whole pivot without a band."""
    return len(pu) * len(ou) <= FULL_SEARCH


SENTENCE_PAIR = 3  # a learned pair shown as evidence must also meet in this many aligned sentences ...
SENTENCE_DICE = 0.5  # ... and rarely apart


def confirmed_by_sentences(pivot: WitnessText, others: list[WitnessText], final: dict,
                           trusted: dict[str, str]) -> set[str]:
    """The trusted word pairs that the final sentence alignment supports too: a pair learned from
    paragraphs can be two words that merely share paragraphs; a translation pair shares sentences."""
    def text(w: WitnessText, sid: str) -> str:
        p, k = map(int, sid.split("."))
        s, e = sentence_spans(w.paragraphs[p])[k]
        return w.paragraphs[p][s:e]

    out = set()
    wanted = set(trusted.values())  # only the trusted pairs' pivot stems are counted
    for lang in dict.fromkeys(w.language for w in others):
        pairs = []
        for w in others:
            if w.language != lang:
                continue
            for steps in final[w.id][1]:
                for left, right, *_ in steps:
                    if left and right:
                        pairs.append(({x for sid in left for x in lexicon.stems(text(pivot, sid)) if x in wanted},
                                      {x for sid in right for x in lexicon.stems(text(w, sid))}))
        support = lexicon.learn_with_support(pairs)
        for key, r in trusted.items():
            _, kl, e = key.split(":", 2)
            t, n, d = support.get(r, ("", 0, 0.0))
            if kl == lang and t == e and n >= SENTENCE_PAIR and d >= SENTENCE_DICE:
                out.add(key)
    return out


def add_lexicon(pu: list[Unit], others: list[WitnessText], ous: dict[str, list[Unit]], chains) -> dict[str, str]:
    """Learn pivot-stem -> translation-stem pairs from the first pass and add them as anchors;
    return the keys of the pairs with strong, repeated support (shown to readers as evidence),
    each with its pivot stem."""
    trusted: dict[str, str] = {}  # key -> the pivot stem
    pstems = [lexicon.stems(u.text) for u in pu]
    pkeep = lexicon.informative(pstems)
    for lang in dict.fromkeys(w.language for w in others):
        members = [w for w in others if w.language == lang]
        pairs = []
        ostems = {}
        for w in members:
            ostems[w.id] = [lexicon.stems(u.text) for u in ous[w.id]]
            okeep = lexicon.informative(ostems[w.id])
            for i0, i1, j0, j1, _ in chains[w.id]:
                if i1 > i0 and j1 > j0:
                    left = {s for i in range(i0, i1) for s in pstems[i] if s in pkeep}
                    right = {s for j in range(j0, j1) for s in ostems[w.id][j] if s in okeep}
                    pairs.append((left, right))
        support = lexicon.learn_with_support(pairs)
        pairs_of = {r: e for r, (e, _, _) in support.items()}
        trusted.update({f"lex:{lang}:{e}": r for r, e in lexicon.trusted(support)})
        targets = set(pairs_of.values())
        for u, st in zip(pu, pstems):
            for s, spans in st.items():
                if s in pairs_of:
                    u.found.keys[f"lex:{lang}:{pairs_of[s]}"].extend(spans)
        for w in members:
            for u, st in zip(ous[w.id], ostems[w.id]):
                for s, spans in st.items():
                    if s in targets:
                        u.found.keys[f"lex:{lang}:{s}"].extend(spans)
    return trusted


def bead_anchors(pivot: WitnessText, other: WitnessText, pu: list[Unit], ou: list[Unit],
                 i0: int, i1: int, j0: int, j1: int, trusted: set[str] = frozenset()) -> list[Anchor]:
    """The anchors shared by a bead's two sides, with their places, for the reader."""
    if i0 == i1 or j0 == j1:
        return []
    left: dict[str, list] = {}
    right: dict[str, list] = {}
    for i in range(i0, i1):
        for key, spans in pu[i].found.keys.items():
            left.setdefault(key, []).extend((i, s, e) for s, e in spans)
    for j in range(j0, j1):
        for key, spans in ou[j].found.keys.items():
            right.setdefault(key, []).extend((j, s, e) for s, e in spans)
    out = []
    if i1 - i0 == 1 and j1 - j0 == 1 and pu[i0].heading and ou[j0].heading:
        out.append(Anchor("heading", "heading = heading", {}))
    for key in sorted(set(left) & set(right), key=lambda k: (-WEIGHTS[k.split(":", 1)[0]], k)):
        kind = key.split(":", 1)[0]
        lp, ls, le = left[key][0]
        rp, rs, re_ = right[key][0]
        label = f"{pivot.paragraphs[lp][ls:le]} = {other.paragraphs[rp][rs:re_]}"
        out.append(Anchor(kind, label, {pivot.id: left[key], other.id: right[key]}, kind != "lex" or key in trusted))
    return out


SENTENCE_BEADS = {(1, 1): 0.0, (1, 2): 2.0, (2, 1): 2.0, (2, 2): 4.5, (1, 3): 4.0, (3, 1): 4.0, (1, 4): 6.0, (1, 5): 8.0}


def sentence_units(w: WitnessText, nums: list[int], paragraph_units: list[Unit]) -> tuple[list[Unit], list[str]]:
    """The sentences of some paragraphs as units (their anchors cut from the paragraph's),
    and their ids "paragraph.sentence"."""
    out, ids = [], []
    for p in nums:
        text, pu = w.paragraphs[p], paragraph_units[p]
        bounds = sentence_spans(text)  # in order, each ending at or before the next one starts
        starts, ends = [s for s, _ in bounds], [e for _, e in bounds]
        subs = [Found() for _ in bounds]
        # each anchor's span to the sentence holding it whole: the last one starting at or before it (and the
        # one before, for an empty span where one sentence ends as the next begins); the keys in the
        # paragraph's order, each key's spans in theirs, as a walk of every sentence over every span gives them
        for key, spans in pu.found.keys.items():
            for a, b in spans:
                k = bisect_right(starts, a) - 1
                while k >= 0 and ends[k] >= b:
                    subs[k].keys[key].append((a - starts[k], b - starts[k]))
                    k -= 1
        for k, ((s, e), sub) in enumerate(zip(bounds, subs)):
            whole = s == 0 and e == len(text)  # a one-sentence paragraph keeps its structure (heading, note)
            out.append(Unit(text[s:e], e - s, whole and pu.heading, whole and pu.note, sub, whole and pu.list_item))
            ids.append(f"{p}.{k}")
    return out, ids


def align_sentences(pivot: WitnessText, other: WitnessText, pnums: list[int], onums: list[int],
                    pu: list[Unit], ou: list[Unit], ratio: float = RATIO) -> list[list[list[str]]]:
    """Sentences of an aligned passage paired by the same programme, globally:
    [[pivot sentence ids], [translation sentence ids]] per step ([] on one side: no counterpart)."""
    ps, pids = sentence_units(pivot, pnums, pu)
    os_, oids = sentence_units(other, onums, ou)
    if not ps or not os_:
        return []
    if len(ps) == 1 or len(os_) == 1:
        return [[pids, oids]]
    chain = align_units(ps, os_, ratio, beads=SENTENCE_BEADS, free_ends=False)
    return [[pids[i0:i1], oids[j0:j1]] for i0, i1, j0, j1, _ in chain]
