"""Damaged stretches (pipeline/correct/stretches.py): one query for a garbled run of words."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.correct import budget
from pipeline.correct.stretches import find
from pipeline.stages import detect
from tests.conftest import en_context

ROOT = Path(__file__).resolve().parent.parent
OVERPROOF = ROOT.parent / "shared" / "benchmarks" / "overproof_smh_dev"


def test_a_run_of_suspects_with_at_most_one_word_between_is_one_stretch():
    text = "the qxz vvk of rrt and then all is well, qqa here"
    toks = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+", text)]
    starts, ends = [a for a, _ in toks], [b for _, b in toks]
    lows = [text[a:b] for a, b in toks]
    bad = {"qxz", "vvk", "rrt", "qqa"}
    found = find(text, starts, ends, lows, lambda printed, low: low in bad)
    assert [text[s.start:s.end] for s in found] == ["qxz vvk of rrt"]
    assert found[0].suspects == ("qxz", "vvk", "rrt") and found[0].density == pytest.approx(0.75)
    # two suspects are two misreadings, not a stretch; a thin run is no stretch either
    assert not find(text, starts, ends, lows, lambda printed, low: low in {"qxz", "vvk"})
    assert not find(text, starts, ends, lows, lambda printed, low: low in bad, min_density=0.8)


def test_a_garbled_newspaper_line_is_one_query_with_its_evidence(resources):
    """A real Sydney Morning Herald article (Overproof dev set): its garbled run is one query that
    names its non-words, in place of a query a word; sound text around it is not touched."""
    name = "smh_13639000.txt"
    if not (OVERPROOF / "ocr" / name).exists():
        pytest.skip("../shared/benchmarks not present")
    text = (OVERPROOF / "ocr" / name).read_text(encoding="utf-8")
    ctx = en_context(resources)
    ctx.policy = {**ctx.policy, "detect": {**ctx.policy.get("detect", {}), "max_queries": 1000.0}}
    r = detect.run(text, ctx)  # every query, the budget aside
    stretch = [q for q in r.queries if q.rule == "detect.stretch"]
    assert any(q.text == "nccissin îepiiis itemutd" for q in stretch)
    for q in stretch:
        assert "damaged stretch" in q.reason and q.score >= detect.Settings().stretch_min_density \
            and text[q.start:q.end] == q.text
        assert not [o for o in r.queries if o is not q and o.start < q.end and o.end > q.start]
    # under the budget (6 queries for its 560 words) its most damaged places come first, each many doubts
    # re-read at once: doubts close together over the article's printed lines (a line break is no bound,
    # the span's words are: [detect] merge_words), which hold most of its stretches
    kept = detect.run(text, en_context(resources)).queries
    most = detect.Settings.of(en_context(resources)).merge_words
    assert len(kept) == 6 and all(q.rule == "detect.line" and int(q.reason.split()[0]) >= 6
                                  and budget.words(q.text) <= most for q in kept)
    held = sum(any(q.start <= s.start and s.end <= q.end for q in kept) for s in stretch)
    assert len(stretch) >= 6 and 2 * held > len(stretch), (held, stretch)


def test_clean_prose_and_old_spellings_make_no_stretch(resources):
    text = ("The trade unions are a school of communism, and the workers learn there to manage "
            "industry. Hee sayde that the keepe of the castell was his, and so he went home.")
    r = detect.run(text, en_context(resources))
    assert not [q for q in r.queries if q.rule == "detect.stretch"]
