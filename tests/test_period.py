"""The period corpus's n-grams (pipeline/correct/period.py): counted as detect reads a witness, and the
calibration's evidence of how far they put a correction ahead of the reading in its place."""
from __future__ import annotations

from pipeline.correct import calibrate, period
from pipeline.stages import detect
from tests.conftest import en_context


def test_counts_pairs_and_triples_linked_only():
    uni, bi, tri = period.count(["The United States, the united States of America.", "Of the people"])
    assert uni["the"] == 3 and uni["states"] == 2
    assert bi["united states"] == 2 and bi["the united"] == 2 and bi["of the"] == 1
    assert "states the" not in bi  # a comma between: no pair
    assert tri["the united states"] == 2 and tri["states of america"] == 1
    assert "america of" not in bi  # one text's last word and the next text's first are no pair


def test_shipped_counts_put_a_right_correction_ahead():
    table = period.ngrams()
    assert table.get("united states") > 1000 and table.get("the united states") > 1000
    # "untied" read for "united" between "of the" and "states": the corpus says "united", in both windows
    tri, bi = period.lead(table, "of", "the", "untied", "united", "states", None)
    assert tri > 5 and bi > 5
    # and the other way round: "united" is what it says there, whatever the candidate
    tri, bi = period.lead(table, "of", "the", "united", "untied", "states", None)
    assert tri < -5 and bi < -5
    # a word the corpus lacks is in no pair (no lookup made): nothing either way
    assert period.support(table, "of", "the", "qzxv", "states", None) == (0.0, 0.0)
    assert period.lead(table, None, None, "tbe", "the", None, None) == (0.0, 0.0)


def test_detect_weighs_the_period_lead_of_a_real_word(resources):
    """A real word read for another ("bo" for "be") carries the corpus's lead into the calibration; a non-word's
    correction ("Unitcd": "United") carries none (the modern bigram list says what it could)."""
    text = ("It will bo necessary to provide for the payment of the public debt of the Unitcd States.\n")
    detect.TRACE = []
    try:
        r = detect.run(text, en_context(resources, auto_threshold=0.2, calibrated=False))
        trace = {after: x for _, after, x in detect.TRACE}
    finally:
        detect.TRACE = None
    assert {e.after for e in r.edits} >= {"be", "United"}
    tri, bi = calibrate.FEATURES.index("period_trigrams"), calibrate.FEATURES.index("period_bigrams")
    assert len(trace["be"]) == len(calibrate.FEATURES) and trace["be"][calibrate.REALWORD] == 1.0
    assert trace["be"][tri] > 3 and trace["be"][bi] > 3
    assert trace["United"][tri] == trace["United"][bi] == 0.0
