"""A translation lexicon learned from the work itself, as a further anchor.

Length and anchors (numbers, names, marks) align most paragraphs; where a
stretch has few of them, word correspondences help. No dictionary is downloaded:
like Moore (2002, "Fast and accurate sentence alignment of bilingual corpora"),
we bootstrap. The first alignment pass gives beads; across them we count which
pivot stems co-occur with which translation stems (Dice coefficient), keep pairs
that are each other's best partner and co-occur at least twice, and add them as
anchors `lex:<language>:<stem>` for the second pass. The learned pairs show in the
HTML like any anchor ("оппозиции = opposition"), so a reader can judge them.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

WORD_RE = re.compile(r"[^\W\d_]{5,}")
STEM = 5  # letters kept: a crude stem that survives most inflection in both languages
MIN_PAIR = 2
MIN_DICE = 0.4
TRUST_PAIR = 4  # shown as evidence only with this many passages in support ...
TRUST_DICE = 0.6  # ... and this agreement


@lru_cache(maxsize=4096)
def stems(text: str) -> dict[str, list[tuple[int, int]]]:
    """Stems of the lower-case words of five letters or more, with their spans (capitalised
    words are left to the name anchors). Cached: one dict per text, read only."""
    out: dict[str, list[tuple[int, int]]] = {}
    for m in WORD_RE.finditer(text):
        w = m.group()
        if w[0].islower():
            out.setdefault(w[:STEM], []).append((m.start(), m.end()))
    return out


def informative(paragraph_stems: list[dict], low: int = 2, high_share: float = 0.12) -> set[str]:
    """Stems in at least `low` paragraphs and at most a share of them (not function words)."""
    df = Counter(s for ps in paragraph_stems for s in ps)
    high = max(6, int(high_share * len(paragraph_stems)))
    return {s for s, n in df.items() if low <= n <= high}


def learn(pairs: list[tuple[set[str], set[str]]]) -> dict[str, str]:
    """Pivot stem -> translation stem, from aligned passages (sets of stems on each side)."""
    return {r: e for r, (e, _, _) in learn_with_support(pairs).items()}


def trusted(support: dict[str, tuple[str, int, float]]) -> set[tuple[str, str]]:
    """The pairs strong enough to show a reader as evidence: seen together in many
    passages, and rarely apart."""
    return {(r, e) for r, (e, n, dice) in support.items() if n >= TRUST_PAIR and dice >= TRUST_DICE}


def learn_with_support(pairs: list[tuple[set[str], set[str]]]) -> dict[str, tuple[str, int, float]]:
    """Pivot stem -> (translation stem, passages with both, Dice coefficient)."""
    # the passages with both, counted per pivot stem (a Counter of translation stems each: no pair
    # tuple made for each of the passages' hundred thousand combinations); the best partners are
    # maxima of distinct tuples, the same whatever order the pairs are met in
    cp, co = Counter(), Counter()
    both: defaultdict[str, Counter] = defaultdict(Counter)
    for left, right in pairs:
        cp.update(left)
        co.update(right)
        if right:
            for r in left:
                both[r].update(right)
    best_e: dict[str, tuple[float, str]] = {}
    best_r: dict[str, tuple[float, str]] = {}
    for r, seen in both.items():
        n_r = cp[r]
        for e, n in seen.items():
            if n < MIN_PAIR:
                continue
            dice = 2 * n / (n_r + co[e])
            if dice < MIN_DICE:
                continue
            if (dice, e) > best_e.get(r, (0.0, "")):
                best_e[r] = (dice, e)
            if (dice, r) > best_r.get(e, (0.0, "")):
                best_r[e] = (dice, r)
    return {r: (e, both[r][e], round(d, 3)) for r, (d, e) in sorted(best_e.items()) if best_r.get(e, (0, ""))[1] == r}
