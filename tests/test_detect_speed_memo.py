"""detect's speed-ups remember or skip work; on real OCR they must decide exactly as without them.

The real text: ICDAR 2017 monographs (../shared/benchmarks), through the stages before detect.
"""
from __future__ import annotations

import gc

import pytest

from pipeline.model import Witness
from tests.conftest import SHARED

ICDAR = SHARED / "benchmarks" / "icdar2017_en" / "ocr"


@pytest.fixture(scope="module")
def ocr(resources):
    """(witness, text as detect sees it) of twelve ICDAR monographs in one witness."""
    from pipeline.run import run_stages
    raw = "\n\n".join((ICDAR / f"eng_monograph_{k}.txt").read_text(encoding="utf-8") for k in range(1, 13))
    w = Witness(id="icdar", file="icdar.txt", language="en", work="icdar", role="original")
    return w, run_stages(raw, w, resources, upto="detect").doc.text


def _detected(text, w, resources):
    from pipeline.context import Context
    from pipeline.stages import detect
    return _outcome(detect.run(text, Context(w, resources, resources.policy(w))))


def _outcome(r):
    """A detect result's edits and queries, as comparable tuples."""
    return ([(e.start, e.end, e.after, e.rule, e.confidence, str(e.note)) for e in r.edits],
            [(q.start, q.end, q.text, q.suggestions, q.score, str(q.reason), q.rule) for q in r.queries])


def test_weighings_taken_up_by_later_passes_decide_as_weighed_anew(ocr, resources, monkeypatch):
    """A reading's weighing is taken up by the later passes where its candidates are the same
    (REWEIGH_ONCE): the same corrections and queries, with the same notes, as when every pass
    weighs anew; and so in windows of 40 tokens (a pass then starts from emptied memos)."""
    from pipeline.stages import detect
    w, text = ocr
    once = _detected(text, w, resources)
    monkeypatch.setattr(detect, "REWEIGH_ONCE", False)
    anew = _detected(text, w, resources)
    assert len(once[0]) > 20 and len(once[1]) > 20, (len(once[0]), len(once[1]))
    assert once == anew
    monkeypatch.setattr(detect, "REWEIGH_ONCE", True)
    monkeypatch.setattr(detect, "WINDOW", 40)
    assert _detected(text, w, resources) == once


def test_detect_pauses_the_cycle_collector_and_restores_it(ocr, resources, monkeypatch):
    """The collector is off while detect runs and as it was afterwards: on, off, and after a failure."""
    from pipeline.context import Context
    from pipeline.stages import detect
    w, text = ocr
    ctx = Context(w, resources, resources.policy(w))
    during = []
    real = detect._run
    monkeypatch.setattr(detect, "_run", lambda t, c: (during.append(gc.isenabled()), real(t, c))[1])
    was = gc.isenabled()
    try:
        gc.enable()
        assert detect.run(text[:20_000], ctx).edits
        assert gc.isenabled()
        gc.disable()
        detect.run(text[:20_000], ctx)
        assert not gc.isenabled()
        gc.enable()

        def fail(t, c):
            raise RuntimeError("stage failed")
        monkeypatch.setattr(detect, "_run", fail)
        with pytest.raises(RuntimeError):
            detect.run(text, ctx)
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
    assert during == [False, False]


def test_known_words_at_the_index_floor_are_the_lexicons(ocr, resources):
    """At the word index's own floor (en: zipf 2) a candidate is known by a set lookup: the same
    answer as the lexicon's frequency, for every form of the real text, its variants and the words
    one edit away (words, prefixes, non-words, forms with marks or digits)."""
    from pipeline.correct import candidates as cand
    from pipeline.correct.model import shared as ocr_model
    lex = resources.lexicon("en")
    floor_zipf = cand.index_min_zipf(lex)
    knows = cand._lexicon_knows(lex, floor_zipf)
    floor = 10 ** (floor_zipf - 9.0)
    forms = sorted({t.lower() for t in ocr[1].split()})
    asked = set(forms)
    for f in forms[:400]:
        asked.update(v for v, _ in cand._variants(f, lex, ocr_model(), 4.0))
        asked.update(cand._edit1(f, lex))
    told = [knows(x) for x in sorted(asked)]
    assert told == [(f := lex.freq(x)) is not None and f >= floor for x in sorted(asked)]
    assert 1000 < sum(told) < len(told) - 1000, (sum(told), len(told))


def test_derived_remembered_is_derived(ocr, resources, monkeypatch):
    """Lexicon.derived remembers its answers: asked twice, and with a memo emptied every 50
    entries, every form of the real text gets the answer worked out afresh."""
    import pipeline.lexicon as lexicon
    lex = resources.lexicon("en")
    forms = sorted(set(ocr[1].split()))[:3000]
    fresh = [lex._derived_form(f, 2.0) for f in forms]
    assert [lex.derived(f) for f in forms] == fresh
    assert [lex.derived(f) for f in forms] == fresh
    monkeypatch.setattr(lexicon, "MEMO_MAX", 50)
    assert [lex.derived(f) for f in forms] == fresh
    assert sum(x is not None for x in fresh) > 20


def test_fits_of_candidates_the_witness_lacks_are_their_scores(ocr, resources):
    """ContextModel.fits looks up no witness bigram of a word the witness does not print: for the
    non-words of real OCR and their candidates (most of them words the witness lacks) each figure
    is `score`'s, which looks every bigram up, to the last bit."""
    from pipeline.context import Context
    from pipeline.stages import detect
    w, text = ocr
    ctx = Context(w, resources, resources.policy(w))
    wt = detect._Witness(text, ctx, detect.Settings.of(ctx))
    asked = lacked = 0
    for i, low in enumerate(wt.tokens.lows):
        if not low.isalpha() or resources.lexicon("en").zipf(low) >= 1.0:
            continue
        prev, nxt = wt.neighbours(i)
        words = [low, *wt.candidates(low)]
        assert wt.context.fits(prev, words, nxt, low) == {x: wt.context.score(prev, x, nxt, low) for x in words}
        asked += len(words)
        lacked += sum(x not in wt.vocab for x in words)
    assert asked > 500 and lacked > asked // 2, (asked, lacked)


def test_detect_leaves_no_cycle_for_the_collector(ocr, resources):
    """A witness's detection leaves nothing only the cycle collector could free (_Witness.release): its
    structures and memos are freed by reference counting as detect returns, not walked at the
    collector's next pass; the outputs are those of a witness left to the collector."""
    from pipeline.context import Context
    from pipeline.stages import detect
    w, text = ocr
    text = text[:12_000]
    was = gc.isenabled()
    gc.collect(0)  # (what detect makes is in the youngest generation: only that one is looked through)
    gc.disable()
    try:
        r = detect.run(text, Context(w, resources, resources.policy(w)))
        assert gc.collect(0) == 0
    finally:
        if was:
            gc.enable()
    assert r.edits and r.queries
    release = detect._Witness.release
    gc.disable()
    try:
        detect._Witness.release = lambda self: None
        kept = _detected(text, w, resources)
        assert gc.collect(0) > 1000  # the witness left to the collector
    finally:
        detect._Witness.release = release
        if was:
            gc.enable()
    assert kept == _outcome(r)
