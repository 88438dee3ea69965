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
from dataclasses import dataclass, field

from pipeline.collate import lexicon
from pipeline.collate.anchors import STRONG, WEIGHTS, AnchorFinder, Found
from pipeline.collate.model import Anchor, WitnessText
from pipeline.collate.segment import is_heading, is_note_body, sentences

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


def length_cost(l1: int, l2: int, ratio: float) -> float:
    """-log P(|delta|) of Gale & Church, with a relative spread for paragraph-sized beads."""
    expected = l1 * ratio
    mean = (expected + l2) / 2 or 1.0
    sigma = math.sqrt(LENGTH_VARIANCE * mean + (LENGTH_SPREAD * mean) ** 2)
    z = abs(l2 - expected) / sigma / math.sqrt(2)
    p = math.erfc(z)
    if p < 1e-11:
        return MAX_LENGTH_COST
    return min(MAX_LENGTH_COST, -math.log(p))


class _Matches:
    """Anchor weight matched between blocks of pivot and translation paragraphs.

    `upper` is O(1) (2-D prefix sums of the paragraph-by-paragraph matches, capped by
    the lighter side's total): an upper bound used to prune. `exact` counts each key
    once per bead: sum over keys of weight * min(count in pivot block, count in translation block).
    """

    def __init__(self, pu: list[Unit], ou: list[Unit]):
        n, m = len(pu), len(ou)
        self.keys_p = [[(k, WEIGHTS[k.split(":", 1)[0]], k.split(":", 1)[0] in STRONG)
                        for k in u.found.keys] for u in pu]
        self.count_p = _key_prefix(pu)
        self.count_o = _key_prefix(ou)
        full = [[0.0] * (m + 1) for _ in range(n + 1)]
        cell = [[0.0] * m for _ in range(n)]
        index: dict[str, list[tuple[int, int]]] = {}
        for j, u in enumerate(ou):
            for key, spans in u.found.keys.items():
                index.setdefault(key, []).append((j, len(spans)))
        for i, u in enumerate(pu):
            for key, spans in u.found.keys.items():
                w = WEIGHTS[key.split(":", 1)[0]]
                for j, count in index.get(key, ()):
                    cell[i][j] += w * min(count, len(spans))
        for i in range(n):
            for j in range(m):
                full[i + 1][j + 1] = cell[i][j] + full[i][j + 1] + full[i + 1][j] - full[i][j]
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

    def exact(self, i0: int, i1: int, j0: int, j1: int) -> tuple[float, float]:
        """(matched weight, strong weight found on one side only) for pivot[i0:i1] x other[j0:j1]."""
        matched = strong = 0.0
        cp, co = self.count_p, self.count_o
        seen = set() if i1 - i0 > 1 else None
        for i in range(i0, i1):
            for key, w, is_strong in self.keys_p[i]:
                if seen is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                other = co.get(key)
                if other is None:
                    continue
                n_o = other[j1] - other[j0]
                if n_o:
                    pk = cp[key]
                    v = w * min(pk[i1] - pk[i0], n_o)
                    matched += v
                    if is_strong:
                        strong += v
        unmatched = (self.p_strong[i1] - self.p_strong[i0]) + (self.o_strong[j1] - self.o_strong[j0]) - 2 * strong
        return matched, max(0.0, unmatched)


def _key_prefix(us: list[Unit]) -> dict[str, list[int]]:
    """key -> prefix counts over the units (count of the key in units[:k])."""
    out: dict[str, list[int]] = {}
    n = len(us)
    for k, u in enumerate(us):
        for key, spans in u.found.keys.items():
            arr = out.get(key)
            if arr is None:
                arr = out[key] = [0] * (n + 1)
            arr[k + 1] += len(spans)
    for arr in out.values():
        for k in range(1, n + 1):
            arr[k] += arr[k - 1]
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


class _Structure:
    """Structure costs as tables (looked up in O(1) in the inner loop): headings go with
    headings, notes with notes, and a heading is not merged with running text."""

    def __init__(self, pu: list[Unit], ou: list[Unit], sizes: set[int]):
        self.pair = [[self._pair(p, o) for o in ou] for p in pu]
        self.p_side = {a: [self._side(pu[max(0, i - a):i], a) for i in range(len(pu) + 1)] for a in sizes}
        self.o_side = {b: [self._side(ou[max(0, j - b):j], b) for j in range(len(ou) + 1)] for b in sizes}

    @staticmethod
    def _pair(p: Unit, o: Unit) -> float:
        """Cost of a 1-1 bead's structure."""
        cost = 0.0
        if p.heading and o.heading:
            cost += HEADING_PAIR + (QUESTION_MISMATCH if p.text.rstrip().endswith("?") != o.text.rstrip().endswith("?") else 0.0)
        elif p.heading != o.heading:
            cost += HEADING_MISMATCH
        if p.note != o.note:
            cost += HEADING_MISMATCH
        return cost

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
            return self.pair[i0][j0]
        (pp, pn), (op, on) = self.p_side[i1 - i0][i1], self.o_side[j1 - j0][j1]
        return pp + op + (HEADING_MISMATCH if pn != on else 0.0)


def align_units(pu: list[Unit], ou: list[Unit], ratio: float, band: list[tuple[int, int]] | None = None,
                beads: dict[tuple[int, int], float] = BEADS, free_ends: bool = True
                ) -> list[tuple[int, int, int, int, float]]:
    """The cheapest chain of beads: (i0, i1, j0, j1, cost), in order, covering every translation unit.

    Pivot units outside the chain (before the first bead, after the last) are skipped
    for free; the caller records them as having no counterpart. `band[i]` = (lo, hi)
    limits the translation positions considered at pivot position i. With
    `free_ends=False` the alignment is global: every pivot unit is in the chain.
    """
    n, m = len(pu), len(ou)
    matches = _Matches(pu, ou)
    beads = sorted(beads.items(), key=lambda kv: kv[1])
    structure = _Structure(pu, ou, {x for ab, _ in beads for x in ab})
    plen, olen = _prefix([u.length for u in pu]), _prefix([u.length for u in ou])
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, float] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    skip_p = [skip_pivot_cost(u) for u in pu]
    for i in range(n + 1):
        cost[i][0] = 0.0 if free_ends else sum(skip_p[:i])  # leading pivot paragraphs: free
        if i and not free_ends:
            back[i][0] = (i - 1, 0, skip_p[i - 1])
    add_o = [add_other_cost(u) for u in ou]
    exact, full, pt, ot = matches.exact, matches.full, matches.p_total, matches.o_total
    pair, p_side, o_side = structure.pair, structure.p_side, structure.o_side
    for i in range(n + 1):
        row, brow = cost[i], back[i]
        lo, hi = band[i] if band else (0, m)
        for j in range(max(1, lo), hi + 1):
            best, arg = row[j - 1] + add_o[j - 1], (i, j - 1, add_o[j - 1])
            if i > 0 and cost[i - 1][j] + skip_p[i - 1] < best:
                best, arg = cost[i - 1][j] + skip_p[i - 1], (i - 1, j, skip_p[i - 1])
            for (a, b), prior in beads:
                if a > i or b > j:
                    continue
                i0, j0 = i - a, j - b
                prev = cost[i0][j0]
                if a == 1 and b == 1:
                    c = prior + pair[i0][j0]
                else:
                    (pp, pn), (op, on) = p_side[a][i], o_side[b][j]
                    c = prior + pp + op + (HEADING_MISMATCH if pn != on else 0.0)
                f1, f0 = full[i], full[i0]
                bonus = min(f1[j] - f0[j] - f1[j0] + f0[j0], pt[i] - pt[i0], ot[j] - ot[j0])
                if prev + c - bonus >= best:
                    continue  # cannot win even with every anchor matched
                c += length_cost(plen[i] - plen[i0], olen[j] - olen[j0], ratio)
                if prev + c - bonus >= best:
                    continue
                matched, unmatched = exact(i0, i, j0, j)
                c += UNMATCHED_STRONG * unmatched - matched
                if prev + c < best:
                    best, arg = prev + c, (i0, j0, c)
            row[j], brow[j] = best, arg
    end = min(range(n + 1), key=lambda i: (cost[i][m], i)) if free_ends else n
    chain = []
    i, j = end, m
    while j > 0 or (not free_ends and i > 0):
        pi, pj, c = back[i][j]
        chain.append((pi, i, pj, j, c))
        i, j = pi, pj
    return chain[::-1]


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


def align_to_pivot(pivot: WitnessText, other: WitnessText, finder_pivot: AnchorFinder,
                   finder_other: AnchorFinder | None = None, pu: list[Unit] | None = None) -> list[Bead]:
    """Align one translation's paragraphs to the pivot's (see align_translations)."""
    return align_translations(pivot, [other], finder_pivot, pu)[other.id]


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
    first = {w.id: align_units(pu, ous[w.id], RATIO, beads=FIRST_PASS_BEADS) for w in others}
    add_lexicon(pu, others, ous, first)
    out = {}
    for w in others:
        ou, chain = ous[w.id], first[w.id]
        ratio = round(estimate_ratio(pu, ou, chain), 2)  # rounded: near-identical witnesses get one ratio
        chain = align_units(pu, ou, ratio, band_around(chain, len(pu), len(ou)))
        out[w.id] = [Bead(list(range(i0, i1)), list(range(j0, j1)), c,
                          bead_anchors(pivot, w, pu, ou, i0, i1, j0, j1),
                          align_sentences(pivot, w, list(range(i0, i1)), list(range(j0, j1)), pu, ou, ratio)
                          if i1 > i0 and j1 > j0 else [])
                     for i0, i1, j0, j1, c in chain]
    return out


def add_lexicon(pu: list[Unit], others: list[WitnessText], ous: dict[str, list[Unit]], chains) -> None:
    """Learn pivot-stem -> translation-stem pairs from the first pass and add them as anchors."""
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
        pairs_of = lexicon.learn(pairs)
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


def bead_anchors(pivot: WitnessText, other: WitnessText, pu: list[Unit], ou: list[Unit],
                 i0: int, i1: int, j0: int, j1: int) -> list[Anchor]:
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
        out.append(Anchor(kind, label, {pivot.id: left[key], other.id: right[key]}))
    return out


SENTENCE_BEADS = {(1, 1): 0.0, (1, 2): 2.0, (2, 1): 2.0, (2, 2): 4.5, (1, 3): 4.0, (3, 1): 4.0}


def sentence_units(w: WitnessText, nums: list[int], paragraph_units: list[Unit]) -> tuple[list[Unit], list[str]]:
    """The sentences of some paragraphs as units (their anchors cut from the paragraph's),
    and their ids "paragraph.sentence"."""
    out, ids = [], []
    for p in nums:
        text, found = w.paragraphs[p], paragraph_units[p].found
        for k, (s, e) in enumerate(sentences(text)):
            sub = Found()
            for key, spans in found.keys.items():
                for a, b in spans:
                    if s <= a and b <= e:
                        sub.keys[key].append((a - s, b - s))
            out.append(Unit(text[s:e], e - s, False, False, sub))
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
