"""The translation lexicon learned from a work's passages (pipeline.collate.lexicon)."""
from __future__ import annotations

from collections import Counter
from itertools import product
from pathlib import Path

from pipeline.collate import lexicon
from pipeline.collate.segment import paragraphs

ROOT = Path(__file__).resolve().parent.parent


def _by_pair_tuples(pairs):
    """learn_with_support as first written: a Counter of every (pivot stem, translation stem) tuple."""
    cp, co, both = Counter(), Counter(), Counter()
    for left, right in pairs:
        cp.update(left)
        co.update(right)
        both.update(product(left, right))
    best_e, best_r = {}, {}
    for (r, e), n in both.items():
        dice = 2 * n / (cp[r] + co[e])
        if n < lexicon.MIN_PAIR or dice < lexicon.MIN_DICE:
            continue
        best_e[r] = max(best_e.get(r, (0.0, "")), (dice, e))
        best_r[e] = max(best_r.get(e, (0.0, "")), (dice, r))
    return {r: (e, both[(r, e)], round(d, 3)) for r, (d, e) in sorted(best_e.items()) if best_r.get(e, (0, ""))[1] == r}


def test_learned_pairs_are_those_counted_pair_by_pair_on_the_corpus():
    """Passages of the Kollontai texts (the Russian and the Dreadnought's paragraphs, dealt in
    groups as a rough first pass would pair them): the pairs, their counts and Dice figures are
    those of counting every pair of stems, in the same order."""
    ru = paragraphs((ROOT / "clean" / "kollontai-ru.txt").read_text(encoding="utf-8"))[:60]
    en = paragraphs((ROOT / "clean" / "kollontai-en-dreadnought.txt").read_text(encoding="utf-8"))[:60]
    pairs = [(set().union(*(lexicon.stems(p) for p in ru[k:k + 3])), set().union(*(lexicon.stems(p) for p in en[k:k + 3])))
             for k in range(0, 57, 2)]
    got = lexicon.learn_with_support(pairs)
    assert got and got == _by_pair_tuples(pairs) and list(got) == sorted(got)
    assert all(n >= lexicon.MIN_PAIR and d >= lexicon.MIN_DICE for _, n, d in got.values())


def test_each_stem_keeps_its_best_partner_and_ties_go_to_the_later_stem():
    pairs = [({"оппоз", "рабоч"}, {"oppos", "worke"}), ({"оппоз"}, {"oppos"}), ({"рабоч"}, {"worke", "labou"}),
             ({"рабоч", "оппоз"}, {"worke", "oppos"}), ({"партии"}, {"party"})]
    got = lexicon.learn_with_support(pairs)
    assert got == _by_pair_tuples(pairs)
    assert got["оппоз"] == ("oppos", 3, 1.0) and got["рабоч"] == ("worke", 3, 1.0)
    assert "партии" not in got  # met once: not learned
    tie = [({"a1"}, {"x1", "x2"}), ({"a1"}, {"x1", "x2"})]
    assert lexicon.learn_with_support(tie) == _by_pair_tuples(tie) == {"a1": ("x2", 2, 1.0)}
