"""Detection: queries and automatic corrections, on real texts and on seeded OCR noise."""
from __future__ import annotations

import math

import random
import time
from pathlib import Path


from pipeline.context import Context, Resources
from pipeline.correct.model import shared as ocr_model
from pipeline.lexicon import weighted_distance
from pipeline.model import Witness
from pipeline.run import clean_witness
from pipeline.stages import detect
from pipeline.synth.noise import corrupt
from tests.conftest import en_context

ROOT = Path(__file__).resolve().parent.parent


# -- must hold on the real texts --------------------------------------------------

def test_dreadnought_must_hold_sentences(cleaned):
    text = " ".join(cleaned["kollontai-en-dreadnought"].text.split())
    assert "the opposition did not assert itself" in text
    assert "Tsiurupa, the People's Commissar of Supplies" in text
    assert "concealed from the rank and file" in text
    assert "with every day that passes" in text
    assert "All that was done in this field" in text
    assert "can our Communist Party carry out its economic policy" in text
    assert "apportion" not in text and "rank and tile" not in text and "Commisnr" not in text


def test_lenin_must_hold_sentences(cleaned):
    text = " ".join(cleaned["lenin-trade-unions"].text.split())
    assert "of the intricate transmission system" in text
    assert "carried away" in text and "carried awav" not in text
    assert "bureaucratic twist" in text
    assert "Tsektrall" not in text


def test_russian_scanno_repaired(cleaned):
    text = " ".join(cleaned["kollontai-ru"].text.split())
    assert "но и ряд отклонений" in text


def test_queries_name_real_suspects_with_suggestions(resources):
    ctx = en_context(resources, merge_gap=-1)  # each doubt its own query
    text = "We shall be carried awav by the Eccnomic Council, which Wecould not foresee."
    r = detect.run(text, ctx)
    found = {q.text: q for q in r.queries}
    fixed = {text[e.start:e.end]: e for e in r.edits}
    # automatic or the first suggestion: in this one sentence the calibrated probability is at the bar
    # (0.978: nine candidates); Lenin's witness fixes it automatically (test_lenin_must_hold_sentences)
    away = fixed["awav"].after if "awav" in fixed else found["awav"].suggestions[0]
    assert away == "away"
    eco = fixed["Eccnomic"].after if "Eccnomic" in fixed else found["Eccnomic"].suggestions[0]
    assert eco == "Economic"
    assert found["Wecould"].suggestions[0] == "We could"  # a lost space is only ever a query


def test_real_word_scanno_found_from_the_witness_itself(resources):
    ctx = en_context(resources)
    text = "the rank and file " * 5 + "and the opposition grew among the rank and tile ."
    r = detect.run(text, ctx)
    q = [q for q in r.queries if q.text == "tile"]
    assert q and q[0].suggestions[0] == "file" and q[0].rule == "detect.realword"


def test_real_word_garbles_are_judged_in_context(resources):
    """"tbat", "aud", "tho" are in wordfreq's list, but the model and the neighbours say otherwise."""
    text = "He said tbat the king aud the queen went to tho house of his father."
    r = detect.run(text, en_context(resources, merge_gap=-1))  # each doubt its own query
    hits = {text[e.start:e.end]: e.after for e in r.edits} | {q.text: q.suggestions[0] for q in r.queries}
    assert hits.get("tbat") == "that" and hits.get("aud") == "and" and hits.get("tho") == "the"
    # with the shipped config (doubts close together one query), the automatic fixes and each query's one
    # click give the sentence as meant, and nothing else changes
    r = detect.run(text, en_context(resources))
    changes = sorted([(e.start, e.end, e.after) for e in r.edits]
                     + [(q.start, q.end, q.suggestions[0]) for q in r.queries if q.suggestions], reverse=True)
    clicked = text
    for start, end, after in changes:
        clicked = clicked[:start] + after + clicked[end:]
    assert clicked == "He said that the king and the queen went to the house of his father.", (clicked, changes)


def test_old_spellings_are_never_changed(resources):
    ctx = en_context(resources)
    text = "The controversie was returne to hee that hath it, and he did shew the olde booke."
    r = detect.run(text, ctx)
    assert r.edits == []


def test_names_near_the_authority_or_the_russian_original_are_queried(resources):
    w = Witness(id="kollontai-en-dreadnought", file="x", language="en", work="kollontai-workers-opposition",
                role="translation")
    policy = resources.policy(w)
    ctx = Context(w, resources, {**policy, "detect": {**policy.get("detect", {}), "merge_gap": -1}})  # each doubt alone
    r = detect.run("and then comrade Shliapnikow said that Tsurupka agreed.", ctx)
    names = {q.text: q for q in r.queries if q.rule == "detect.name"}
    assert names["Shliapnikow"].suggestions == ["Shliapnikov"]
    assert "Tsurupka" in names


def test_weighted_distance_prefers_ocr_confusions():
    assert weighted_distance("rnodern", "modern") < weighted_distance("nodern", "modern")
    # a learned confusion (v printed for y) is cheaper than an edit the model has not seen
    assert weighted_distance("awav", "away") < weighted_distance("awqy", "away")


# -- planted noise: drawn from the learned model of real OCR ----------------------------

def seeded_noise_figures(cleaned, resources, seed: int = 3):
    """(corruptions, found, auto edits, wrong auto edits) over clean English paragraphs."""
    rng = random.Random(seed)
    total = found = autos = wrong = 0
    for wid in ("lenin-trade-unions", "kollontai-en-dreadnought"):
        paras = [p for p in cleaned[wid].text.split("\n") if len(p) > 300 and not p.startswith("[^")]
        rng.shuffle(paras)
        ctx = en_context(resources, wid)
        for para in paras[:40]:
            damaged, damage = corrupt(para, rng, ocr_model())
            if not damage:
                continue
            r = detect.run(damaged, ctx)
            spans = [(q.start, q.end) for q in r.queries] + [(e.start, e.end) for e in r.edits]
            for s, e, orig in damage:
                total += 1
                if any(a < e and s < b for a, b in spans):
                    found += 1
            for ed in r.edits:
                autos += 1
                hit = [d for d in damage if d[0] <= ed.start and ed.end <= d[1]]
                if not hit or damaged[hit[0][0]:ed.start] + ed.after + damaged[ed.end:hit[0][1]] != hit[0][2]:
                    wrong += 1
    return total, found, autos, wrong


def test_seeded_noise_recall_and_wrong_fixes(cleaned, resources):
    total, found, autos, wrong = seeded_noise_figures(cleaned, resources)
    print(f"seeded noise: {total} corruptions, {found} found ({found / total:.0%}), "
          f"{autos} automatic corrections, {wrong} wrong")
    assert total >= 100
    assert found / total >= 0.6
    assert autos >= total // 5           # the certain ones are fixed, not only queried
    assert wrong <= max(2, autos // 50)  # and the fixes are trustworthy


def test_planted_noise_in_the_russian_original_is_found_and_its_fixes_are_right(cleaned, resources):
    """The Russian original's clean paragraphs damaged with the model's Cyrillic confusions (benchmarks/
    planted_bench.py --lang ru; 2026-12: seeds 1, 2 at 0.04: 113/113 and 107/107 fixes right, 78 % flagged)
    and cleaned by every stage: most damage is flagged, the fixes are right, and the undamaged text is
    left as it is."""
    from pipeline.synth.noise import plant, tally
    paras = [" ".join(p.split()) for p in cleaned["kollontai-ru"].text.split("\n")
             if len(p.split()) >= 20 and not p.startswith("[^")]
    w = Witness(id="planted", file="planted.txt", language="ru", work="planted", role="original", origin="file")
    control = tally(paras, "\n\n".join(paras) + "\n", clean_witness("\n\n".join(paras) + "\n", w, resources))
    assert control["wer_after"] == 0 and not control["wrong"]
    raw = plant(paras, random.Random(1), ocr_model(), 0.04)
    n = tally(paras, raw, clean_witness(raw, w, resources))
    changed = n["fixed"] + n["broken"] + n["miscorrected"]
    assert n["damaged"] >= 200 and n["flagged"] >= 0.6 * n["damaged"], n
    assert changed >= 50 and n["fixed"] >= 0.98 * changed, n["wrong"]
    assert n["wer_after"] < 0.7 * n["wer_before"]


# -- speed ---------------------------------------------------------------------------

def test_detection_on_the_whole_corpus_is_fast(cleaned):
    """Under 3 s of CPU for the corpus with the lexicons loaded (0.6 s on the development machine;
    loading them is measured by benchmarks/, not here: the session has loaded them already)."""
    res = Resources(ROOT)
    t = time.process_time()
    for c in cleaned.values():
        detect.run(c.text, Context(c.witness, res, res.policy(c.witness)))
    took = time.process_time() - t
    print(f"detection on the corpus: {took:.2f} s CPU, lexicons loaded")
    assert took < 3.0


def test_a_real_word_kept_by_the_shortcut_is_one_the_full_posterior_keeps(cleaned, resources):
    """detect asks no more of a real word that no candidate outscores (KEPT): on the real
    texts, every such place is one where the full posterior also ranks the reading first,
    and every other place is weighed exactly as in full."""
    c = cleaned["lenin-trade-unions"]
    ctx = Context(c.witness, resources, resources.policy(c.witness))
    st = detect.Settings.of(ctx)
    wt = detect._Witness(c.text, ctx, st)
    kept = weighed = 0
    for i, k in enumerate(wt.tokens.ids[:20_000]):
        low = wt.tokens.lows[i]
        cands = dict(wt.realword_variants(low)) if wt.lex.zipf(low) >= st.known_zipf else {}
        if not cands:
            continue
        quick = wt.posterior(i, low, None, cands)
        full = wt.posterior(i, low, None, cands, shortcut=False)
        if quick is detect.KEPT:
            kept += 1
            assert full[0][0][0] == "", (wt.tokens.forms[k], full[0][:2])
        else:
            weighed += 1
            assert quick == full
    assert kept > 100 and weighed > 0, (kept, weighed)


def test_outscored_from_remembered_halves_is_the_test_on_the_full_scores(cleaned, resources):
    """ContextModel.outscored (the real word's test, from the halves of the scores the witness remembers)
    says a candidate outscores the reading exactly where the full scores (`fits`, `score`) say so, at every
    place of a real text where a real word has candidates, the halves asked again and again; and
    remembered_fits gives fits' very figures, in its order."""
    c = cleaned["lenin-trade-unions"]
    ctx = Context(c.witness, resources, resources.policy(c.witness))
    st = detect.Settings.of(ctx)
    wt = detect._Witness(c.text, ctx, st)
    base = math.log10(1.0 - wt.model.word_error_rate)
    said = set()
    for i in range(min(len(wt.tokens), 15_000)):
        low = wt.tokens.lows[i]
        cands = dict(wt.realword_variants(low)) if wt.lex.zipf(low) >= st.known_zipf else {}
        if not cands:
            continue
        prev, nxt = wt.neighbours(i)
        fits = wt.context.fits(prev, cands, nxt, low)
        keep = base + wt.context.score(prev, low, nxt, low)
        full = any(-cost + fits[w] > keep for w, cost in cands.items())
        assert wt.context.outscored(prev, low, nxt, cands, base) is full, (i, low, prev, nxt)
        words = [low, *cands, "a rank"]
        assert list(wt.context.remembered_fits(prev, words, nxt, low).items()) == \
            list(wt.context.fits(prev, words, nxt, low).items())
        said.add(full)
    assert said == {True, False}
    assert wt.context.outscored("of", "the", None, {"a b": 1.0}, base) is None  # two words: weighed in full


def test_tokens_read_a_piece_at_a_time_are_the_texts_tokens(monkeypatch):
    """Tokens found piece by piece (cut at spaces) are the ones one pass over the whole text finds,
    with the same links to their neighbours; over-long runs are left out in both."""
    from hypothesis import given, settings
    from hypothesis import strategies as hs

    @settings(max_examples=300, deadline=None)
    @given(hs.text(alphabet="ab c\n'’1.x", max_size=300), hs.integers(1, 40), hs.booleans())
    def check(text, piece, long_run):
        text += " " + "q" * (detect.MAX_TOKEN + 5) + " tail" if long_run else ""
        monkeypatch.setattr(detect, "PIECE", piece)
        t = detect._Tokens(text)
        spans = [m.span() for m in detect.TOKEN.finditer(text) if m.end() - m.start() <= detect.MAX_TOKEN]
        assert list(zip(t.starts, t.ends)) == spans
        assert [t.forms[k] for k in t.ids] == [text[a:b] for a, b in spans]
        assert list(t.linked) == [not text[b:a].strip() for (_, b), (a, _) in zip(spans, spans[1:])]
    check()


# -- document-level evidence (pipeline/correct/document.py) ---------------------------

ICDAR = ROOT.parent / "shared" / "benchmarks" / "icdar2017_en"


def test_document_evidence_counts_a_scans_habit(resources):
    from pipeline.correct.document import DocumentEvidence, confusions
    assert confusions("shaU", "shall") == (("ll", "U"),)
    assert confusions("wecould", "we could") == ()  # a lost space is no letter confusion
    ev = DocumentEvidence("", {}, ocr_model())
    for reading, meant in (("shaU", "shall"), ("weU", "well"), ("stiU", "still"), ("tbe", "the")):
        ev.add(reading, meant)
    assert ev.support("feU", "fell") == 3       # three other readings share "ll" printed "U"
    assert ev.support("shaU", "shall") == 2     # a reading does not confirm itself
    assert ev.support("tbat", "that") == 1
    assert ev.support("fcll", "fell") == 0      # a confusion the document never made


def test_document_evidence_lowers_only_its_habits_cost(resources):
    from pipeline.correct.document import DocumentEvidence
    text = "I shall tell all the people well. " * 20
    ev = DocumentEvidence(text, {"shau": 3, "weu": 2, "stiu": 2}, ocr_model())
    for reading, meant in (("shaU", "shall"), ("weU", "well"), ("stiU", "still")):
        ev.add(reading, meant)
    cands = {"fell": 2.0, "fed": 2.0, "fe u": 1.0}
    adapted = ev.adapt("feU", cands)
    assert adapted["fell"] < 2.0 and adapted["fed"] == 2.0 and adapted["fe u"] == 1.0
    assert ev.adapt("fed", {"fee": 1.0}) == {"fee": 1.0}  # nothing the document confirms: unchanged


def test_accents_on_any_letter_are_one_habit_of_the_document(resources):
    """A scan that puts accents on its letters ("shrëwd", "blâme", "sixteën", "persécution") has one
    habit, whichever letter bears which mark: an accent on a letter no other reading showed it on is
    confirmed and cheaper, a confusion of another kind is not."""
    from pipeline.correct.document import DocumentEvidence, accent
    assert accent(("e", "é")) and accent(("a", "â")) and not accent(("e", "o")) and not accent(("é", "e"))
    text = "The shrewd men blame the sixteen persecutions of the reminiscences. " * 20
    ev = DocumentEvidence(text, {}, ocr_model())
    for reading, meant in (("shrëwd", "shrewd"), ("sixteën", "sixteen"), ("persécution", "persecution")):
        ev.add(reading, meant)
    assert ev.support("blâme", "blame") == 3       # no "â" before, but three accented readings
    assert ev.support("shrëwd", "shrewd") == 2     # a reading does not confirm itself
    assert ev.support("blane", "blame") == 0       # another kind of confusion
    assert ev.adapt("blâme", {"blame": 2.5})["blame"] < 2.5
    assert ev.adapt("tbe", {"the": 2.0}) == {"the": 2.0}  # nothing the document confirms: unchanged

def test_a_documents_habits_are_its_sure_fixes_shared_confusions(resources):
    """A confusion three sure non-word fixes share is the print's habit ("o" printed for "e"); one seen
    once, a lost letter or a difference of case is none. Its words are made of any reading, several
    habits in turn, and with one learned confusion besides where asked (a non-word's)."""
    from pipeline.correct.document import DocumentEvidence, habit_words
    ev = DocumentEvidence("", {}, ocr_model())
    for reading, meant in (("tho", "the"), ("wero", "were"), ("aro", "are"), ("tbe", "the"), ("th", "the"),
                           ("Tbe", "The")):
        ev.add_sure(reading, meant)
    assert ev.habits(3) == {"o": ("e",)}
    assert ev.habits(1) == {"b": ("h",), "o": ("e",)}  # no lost "e", no "T" for "t"
    words = {"there", "where", "here", "the", "take", "intended"}
    assert habit_words("thoro", ev.habits(3), words) == ("there",)  # two of the habit, one after the other
    assert habit_words("thore", ev.habits(3), words) == ("there",)
    assert habit_words("tako", ev.habits(3), words) == ("take",)
    assert habit_words("intundod", ev.habits(3), words) == ()
    assert habit_words("intundod", ev.habits(3), words, learned={"u": ("e", "n")}) == ("intended",)
    assert habit_words("intunded", ev.habits(3), words, learned={"u": ("e",)}) == ("intended",)


def test_a_habit_stands_out_from_what_ocr_in_general_does(resources):
    """Three sure fixes sharing a confusion make a habit in a page, not in a long document whose other
    300 sure fixes make it a chance share: a habit is a confusion the document's fixes show more often
    than the model's share of it among all the misreadings it learned (the lower bound of the document's
    share above it). A megabyte of ICDAR pages as one file had 108 habits by three fixes alone, and the
    search of the words they make took 20 s of its detect; 56 by this test, 4.5 s."""
    from pipeline.correct.document import DocumentEvidence
    ev = DocumentEvidence("", {}, ocr_model())
    for reading, meant in (("wero", "were"), ("aro", "are"), ("hore", "here")):
        ev.add_sure(reading, meant)
    assert ev.habits(3) == {"o": ("e",)}
    for k in range(60):
        for reading, meant in (("tbe", "the"), ("wbich", "which"), ("bim", "him"), ("tbat", "that"), ("mucb", "much")):
            ev.add_sure(f"{reading}{k}", f"{meant}{k}")
    assert ev.habits(3) == {"b": ("h",)}


def _fixes_by_setting(resources, folder, name: str, setting: str, values) -> tuple[str, set[str], dict]:
    """A dev-set page's text, its gold words and {value: {(start, printed, fix)}} of detect's automatic
    fixes with the [detect] `setting` at each value (skipped where ../shared/benchmarks is not present)."""
    if not (folder / "ocr" / name).exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    text = (folder / "ocr" / name).read_text(encoding="utf-8")
    gold = set((folder / "gold" / name).read_text(encoding="utf-8").split())
    fixes = {}
    for value in values:
        r = detect.run(text, en_context(resources, **{setting: value}))
        fixes[value] = {(e.start, text[e.start:e.end], e.after) for e in r.edits}
    return text, gold, fixes


def test_document_evidence_fixes_more_of_a_real_scan_and_only_into_its_words(resources):
    """A real ICDAR 2017 page whose OCR prints "ll" as "U": with the document's own evidence
    more of its garbles are fixed, and every fix it adds is a word of the human transcription."""
    _, gold, fixes = _fixes_by_setting(resources, ICDAR, "eng_monograph_39.txt", "document_evidence", (False, True))
    added = fixes[True] - fixes[False]
    assert fixes[False] <= fixes[True] and added
    assert all(after in gold for _, _, after in added)


def test_a_documents_habits_fix_its_real_word_misreadings_and_only_into_its_words(resources):
    """A real Overproof page (the Sydney Morning Herald) whose OCR prints "o" for "e" in its sure non-word fixes
    ("wero", "aro"): that habit makes "there" of its "thoro", a real word no learned confusion turns into another,
    and its repeated "tho" is no evidence for itself (the page prints it more often than "the"). With the habits
    more is fixed, and every fix added is a word of the human transcription."""
    _, gold, fixes = _fixes_by_setting(resources, ROOT.parent / "shared" / "benchmarks" / "overproof_smh_dev",
                                       "smh_13791000.txt", "habit_readings", (0, 3))
    added = fixes[3] - fixes[0]
    assert sum(1 for _, before, after in added if (before, after) == ("thoro", "there")) >= 3
    assert any((before, after) == ("tho", "the") for _, before, after in added)
    assert len(added) > 2 * len(fixes[0] - fixes[3])
    assert all(after in gold for _, _, after in added)


def test_lone_digit_read_for_i_fixed_where_the_document_confirms_it(resources):
    """A real ICDAR 2017 page that prints the pronoun "I" as "1": every place whose neighbours
    speak for "I" becomes "I"; a number stays; a lone "1" with no such habit is only queried."""
    name = "eng_monograph_81_p043.txt"
    if not (ICDAR / "ocr" / name).exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    text = (ICDAR / "ocr" / name).read_text(encoding="utf-8")
    # with the habit confirmed, a misread "!" (ICDAR's own wrong fixes: "alas 1 no more", "God 1 it
    # shall") is still no "I": the next word does not follow "I"
    page = len(text)
    text += "\nSo help us, God 1 it shall not be so; alas 1 no more amongst us.\n"
    r = detect.run(text, en_context(resources))
    fixed = {text[e.start - 15:e.end + 20]: e.after for e in r.edits if e.rule == "detect.digit"}
    assert len(fixed) >= 10 and set(fixed.values()) == {"I"}
    assert any("also 1 have occasionally" in k for k in fixed)
    assert any("1 am privileged" in k for k in fixed)
    assert not [e for e in r.edits if e.start > page]
    one = "He came back on page 1 and said so, and 1 think it true. We read it in 1 hour."
    r = detect.run(one, en_context(resources))
    assert not [e for e in r.edits if e.rule == "detect.digit"]  # one place: no habit confirmed
    queried = [q for q in r.queries if q.rule == "detect.digit"]
    assert [one[q.start - 4:q.end + 6] for q in queried] == ["and 1 think"] and queried[0].suggestions == ["I"]


# -- the query budget (pipeline/correct/budget.py) ------------------------------------

OVERPROOF = ROOT.parent / "shared" / "benchmarks" / "overproof_smh_dev"


def _flagged(text: str, gold: str, queries) -> int:
    """How many misread words (error units of the gold alignment) the queries touch."""
    from pipeline.correct.align import align, tokens
    o = tokens(text)
    bad = {}
    for u in align([m.group() for m in o], [m.group() for m in tokens(gold)]):
        if not u.equal:
            bad.update((k, u.o0) for k in range(u.o0, u.o1))
    return len({bad[k] for q in queries for k, m in enumerate(o)
                if k in bad and m.start() < max(q.end, q.start + 1) and m.end() > q.start})


def test_the_budget_keeps_the_queries_that_flag_the_most_misread_words(resources):
    """Real newspaper OCR (Overproof): detect's queries without a budget, then one per 100 words kept
    two ways: by the misread words each is expected to flag (correct/budget.py) and by the queries'
    own scores (the old way). By the gold, the first flags more, within the same budget."""
    import pytest

    from pipeline.correct import budget
    if not (OVERPROOF / "ocr").exists():
        pytest.skip("../shared/benchmarks not present")
    ctx = en_context(resources, max_queries=1000.0)
    value = budget.shared()
    by_value = by_score = kept = 0
    for p in sorted((OVERPROOF / "ocr").glob("*.txt"))[:16]:
        text = p.read_text(encoding="utf-8")
        gold = (OVERPROOF / "gold" / p.name).read_text(encoding="utf-8")
        queries = detect.run(text, ctx).queries
        limit = max(round(len(text.split()) / 100), 1)
        chosen = value.keep(list(queries), limit)
        assert len(chosen) == min(limit, len(queries)) and chosen == sorted(chosen, key=lambda q: q.start)
        kept += len(chosen)
        by_value += _flagged(text, gold, chosen)
        by_score += _flagged(text, gold, sorted(queries, key=lambda q: -q.score)[:limit])
    assert kept >= 30 and by_value >= by_score + 5, (by_value, by_score, kept)  # 91 against 80 of 73 kept


def test_query_values_are_fitted_by_band_and_a_bad_file_is_a_clear_error(tmp_path):
    import pytest

    from pipeline.correct import budget
    from pipeline.errors import EditionError
    # a damaged stretch of 4 words flagging 3 misread words; a real word's query (2 words) none
    samples = [("detect.stretch", 0.8, 4, 3)] * 50 + [("detect.realword", 0.5, 2, 0)] * 50
    v = budget.QueryValue(budget.fit(samples, own_score=[]))
    assert v.expected("detect.stretch", 0.85, "a bb cc dd") > 2.5 > v.expected("detect.realword", 0.5, "x y") + 2
    # what the word gold cannot count (a mark; a join the gold's kept hyphen calls wrong) is worth
    # its own score at one place, and is not learned from that gold
    own = budget.QueryValue(budget.fit(samples + [("detect.punct", 0.5, 2, 0)] * 50, own_score=["detect.punct"]))
    assert "detect.punct" not in own.data.rates and own.data.default == v.data.default
    assert own.expected("detect.punct", 0.7, "x. y") == 0.7
    assert "detect.punct" in budget.shared().data.own_score and "detect.split" in budget.shared().data.own_score
    # a band never seen leans on its rule's rate; a rule never seen on the rate of all
    assert v.data.default < v.expected("detect.stretch", 0.1, "a") < v.expected("detect.stretch", 0.85, "a") < \
        v.expected("detect.stretch", 0.1, "a") + 0.05
    assert v.expected("detect.other", 0.5, "a") == pytest.approx(v.data.default)
    bad = tmp_path / "query_value.json"
    bad.write_text('{"default": 0.5, "rates": {"detect.nonword": [0.5]}}', encoding="utf-8")
    with pytest.raises(EditionError, match="query_value.json"):
        budget.QueryValue.load(bad)


def test_a_reading_joined_to_other_letters_makes_a_correction_less_sure():
    """A reading whose run of characters between spaces holds other letters ("ture" of "litera-ture",
    "in" of "mounta.in") is a part of a longer word or garble; the shipped calibration trusts its
    correction less than the same evidence for a word standing alone."""
    from pipeline.correct import calibrate
    from pipeline.stages.detect import _joined
    text = "the litera-ture of mounta.in homes, Couit's and (the) end."
    at = {w: text.index(w) for w in ("ture", "litera", "in homes", "Couit", "the)", "end")}
    assert _joined(text, at["ture"], at["ture"] + 4) and _joined(text, at["litera"], at["litera"] + 6)
    assert _joined(text, at["in homes"], at["in homes"] + 2) and _joined(text, at["Couit"], at["Couit"] + 5)
    assert not _joined(text, at["the)"], at["the)"] + 3) and not _joined(text, at["end"], at["end"] + 3)
    assert not _joined(text, 0, 3)
    cal = calibrate.shared()
    alone = calibrate.features(0.99, 1.0, 1.5, 1, 3, 4, 5.0, True)
    joined = calibrate.features(0.99, 1.0, 1.5, 1, 3, 4, 5.0, True, joined=True)
    assert cal.probability(joined) < cal.probability(alone) - 0.05


def test_a_close_runner_up_makes_a_correction_less_sure():
    """The shipped calibration (fitted on the dev sets' corrections) trusts a correction less when
    another word is nearly as likely in its place: "tne" may be "the" or "tie"."""
    import math

    from pipeline.correct import calibrate
    cal = calibrate.shared()
    for realword in (False, True):  # each kind's weights (calibrated apart)
        alone = calibrate.features(0.6, 1.0, 1.0, 1, 3, 5, 4.0, realword, runner_up=0.001)
        close = calibrate.features(0.6, 1.0, 1.0, 1, 3, 5, 4.0, realword, runner_up=0.39)
        k = calibrate.FEATURES.index("runner_up")
        assert close[k] < 0.2 < 2.5 < alone[k]
        odds = [math.log(p / (1 - p)) for p in (cal.probability(close), cal.probability(alone))]
        assert odds[0] < odds[1] - 0.3  # log-odds: the close second costs the fix at least a third


def test_accents_a_scan_adds_are_taken_off_in_context_and_only_into_words_of_the_page(resources):
    """A real ICDAR 2017 page whose OCR prints "the" as "thé" (and "détail", "hâve"): the calibrated
    probability, not a gate on how much the neighbours favour "the" over its mere frequency (they
    cannot: "the" is everywhere), decides such a real word's fix; every fix the gate's absence adds is a
    word of the human transcription. (Since the page's 21 "thé" no longer vouch for themselves in the
    context model, correct/accents.py, the neighbours do favour "the": the old gate fixes most of them too.)"""
    name = "eng_monograph_81_p018.txt"
    if not (ICDAR / "ocr" / name).exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    text = (ICDAR / "ocr" / name).read_text(encoding="utf-8")
    gold = set((ICDAR / "gold" / name).read_text(encoding="utf-8").split())
    fixes = {}
    for gate in (0.5, float("-inf")):
        r = detect.run(text, en_context(resources, realword_context=gate))
        fixes[gate] = {(e.start, text[e.start:e.end], e.after) for e in r.edits}
    added = fixes[float("-inf")] - fixes[0.5]
    assert added and all(after in gold for _, _, after in added)
    assert sum(1 for _, a, b in fixes[0.5] if (a, b) == ("thé", "the")) >= 15
    assert sum(1 for _, a, b in fixes[float("-inf")] if (a, b) == ("thé", "the")) >= 18


def test_the_shape_of_a_misreading_is_a_feature_of_the_calibration():
    """Only accents differ ("thé" -> "the"): a feature the shipped calibration has learned to trust for
    a real word replaced (a scan's habit more than a spelling); for a non-word the trust is in the
    document's own habit of accents (document.py counts accents on any letter as one habit: an accent-only
    fix that the document's other accented readings confirm is likelier than one they do not)."""
    import math

    from pipeline.correct import calibrate
    assert calibrate.diacritic_only("thé", "the") and calibrate.diacritic_only("Atmosphère", "atmosphere")
    assert not calibrate.diacritic_only("the", "the") and not calibrate.diacritic_only("thé", "she")
    assert not calibrate.diacritic_only("ёлка", "елка") and not calibrate.diacritic_only("мой", "мои")
    cal = calibrate.shared()
    plain = calibrate.features(0.9, 0.0, 1.5, 1, 3, 4, 5.0, True, reading="thx", candidate="the")
    accent = calibrate.features(0.9, 0.0, 1.5, 1, 3, 4, 5.0, True, reading="thé", candidate="the")
    assert cal.probability(accent) > cal.probability(plain)
    alone = calibrate.features(0.9, 0.0, 1.5, 1, 3, 4, 5.0, False, reading="blâme", candidate="blame")
    confirmed = calibrate.features(0.9, 0.0, 1.5, 1, 3, 4, 5.0, False, document=math.log1p(5),
                                   reading="blâme", candidate="blame")
    assert cal.probability(confirmed) > cal.probability(alone)


# -- a reading is no evidence for itself (pipeline/correct/context.py) -------------------

SMH = ROOT.parent / "shared" / "benchmarks" / "overproof_smh_dev"


def test_a_rare_readings_own_place_is_no_evidence_for_it_on_either_side(resources):
    """The witness's own bigrams speak for a rare reading only from its other places: a garble
    printed once ("rathor under-") fits its right neighbour no better than if it stood elsewhere.
    Left in, its one bigram made P(right | reading) a quarter and the garble outweighed "rather"."""
    ctx = en_context(resources)
    text = "I would rathor under state it, rather than over state it. "
    wt = detect._Witness(text, ctx, detect.Settings.of(ctx))
    cm = wt.context
    # no left neighbour (a line's start): the right one alone; asked about as another reading's
    # hypothesis, "rathor" has its one bigram with "under" as evidence, as the reading itself none
    assert cm.score(None, "rathor", "under", "rathor") < cm.score(None, "rathor", "under", "rather")
    assert cm.fits("would", ["rathor", "rather"], "under", "rathor") == {
        w: cm.score("would", w, "under", "rathor") for w in ("rathor", "rather")}
    # a word the witness uses [detect] witness_known times is its own: it keeps its right-hand company
    # (the bigram list lacks most pairs: "he submitted" made "he" a query for "be" in the seeds)
    often = detect._Witness(text + "He said rathor under it, and rathor under that. ", ctx, detect.Settings.of(ctx))
    assert often.context.score(None, "rathor", "under", "rathor") == often.context.score(
        None, "rathor", "under", "rather")


def test_rare_real_word_garbles_of_a_real_newspaper_page_are_likelier_the_word(resources):
    """Real Sydney Morning Herald OCR (the Overproof dev set): garbles that are rare entries of
    the lexicon ("sinco", "rathor", "somo") were judged likelier as printed (P 0.998-0.9993),
    each counting as its own right context; now the transcription's word is the likeliest."""
    pages = {"smh_12979000.txt": ("sinco", "since"), "smh_13064000.txt": ("rathor", "rather"),
             "smh_13569000.txt": ("somo", "some")}
    if not all((SMH / "ocr" / p).exists() for p in pages):
        import pytest
        pytest.skip("../shared/benchmarks not present")
    for page, (garble, word) in pages.items():
        text = (SMH / "ocr" / page).read_text(encoding="utf-8")
        ctx = en_context(resources)
        st = detect.Settings.of(ctx)
        wt = detect._Witness(text, ctx, st)
        i = next(k for k in range(len(wt.tokens.starts)) if wt.tokens.low(k) == garble)
        verdict = detect._judge(garble, False, wt, detect._name_index(ctx), ctx, st)
        assert verdict is not None and verdict[0] == "realword" and word in verdict[3], (page, verdict)
        post, _ = wt.posterior(i, garble, None, verdict[3], shortcut=False)
        assert post[0][0] == word and post[0][1] > 0.9, (page, post[:3])


def _smh_page(name: str) -> str:
    path = SMH / "ocr" / name
    if not path.exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    return path.read_text(encoding="utf-8")


def test_a_capitalised_word_is_a_name_only_where_the_page_says_so(resources):
    """A real Sydney Morning Herald page (Overproof dev set) prints "Cieek" four times inside
    sentences where the transcription has "Creek", a word the page itself writes capitalised
    ("Windellama Creek"): it is weighed against "Creek" (and fixed); "Rond" ("Bathurst Road"),
    whose words one confusion away ("Fond", "Pond") the page never writes capitalised, stays a
    possible name: weighed only to be asked about (ASK: against "read", a lost letter), never fixed."""
    text = _smh_page("smh_12414000.txt")
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    wt = detect._Witness(text, ctx, st)
    names = detect._name_index(ctx)
    verdict = detect._judge("Cieek", False, wt, names, ctx, st)
    assert verdict is not None and verdict[0] == "realword" and verdict[4] == detect.CAPITAL
    assert list(verdict[3]) == ["creek"]
    rond = detect._judge("Rond", False, wt, names, ctx, st)
    assert rond is not None and rond[4] == detect.ASK and "fond" not in rond[3]
    edits = detect.run(text, ctx).edits
    fixed = [e for e in edits if text[e.start:e.end] == "Cieek"]
    assert fixed and all(e.after == "Creek" for e in fixed)
    assert not [e for e in edits if text[e.start:e.end] == "Rond"]


def test_a_word_no_common_confusion_reaches_is_asked_about_never_fixed(resources):
    """Real Sydney Morning Herald pages (Overproof dev set): "at Poit Macquarie" (Port), a capital
    inside a sentence whose variant the page never writes capitalised, and "If th» Chief Constables"
    (the), a word only a lost letter makes another of, are weighed to be asked about (ASK): queried
    with the words the context prefers, never fixed ("Poit" is asked "Post" first: "at post" is a common
    bigram, "at port" and "port macquarie" none of symspellpy's, which outweighs "i" printed for "r" being
    likelier than for "s"). A lost final "s" is no variant: a word's own plural, which the neighbours cannot
    tell from it ("the first principle")."""
    from pipeline.correct.candidates import _lost_live
    for name, reading, word in (("smh_12414000.txt", "Poit", "Port"), ("smh_12918000.txt", "th", "the")):
        text = _smh_page(name)
        ctx = en_context(resources, max_queries=1000.0)  # every query, the budget aside
        st = detect.Settings.of(ctx)
        verdict = detect._judge(reading, False, detect._Witness(text, ctx, st), detect._name_index(ctx), ctx, st)
        assert verdict is not None and verdict[4] == detect.ASK
        r = detect.run(text, ctx)
        asked = [q for q in r.queries if q.text == reading]
        assert asked and word in asked[0].suggestions[:2] and asked[0].rule == "detect.realword"
        assert not [e for e in r.edits if text[e.start:e.end] == reading]
    lex, model = resources.lexicon("en"), detect.ocr_model()
    assert "the" in [v for v, _, _ in _lost_live("th", lex, model, 3.0, 4.0)]
    assert "principles" not in [v for v, _, _ in _lost_live("principle", lex, model, 3.0, 4.0)]


def test_a_capitalised_non_word_seen_once_is_weighed_one_seen_elsewhere_is_a_name(resources):
    """"Melbourno" (a real page's OCR for "Melbourne") stands capitalised inside a sentence once:
    nothing in the page says it is a name, so its correction may be automatic (calibrated with
    the `capital` feature); the same form used capitalised inside sentences elsewhere on the page
    is the page's own name and is only queried."""
    text = _smh_page("smh_13569000.txt")
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    names = detect._name_index(ctx)
    wt = detect._Witness(text, ctx, st)
    once = detect._judge("Melbourno", False, wt, names, ctx, st)
    assert once[0] == "nonword" and once[4] == detect.CAPITAL and "melbourne" in once[3]
    again = detect._Witness(text + "\nThey went to Melbourno and back.\n", ctx, st)
    assert detect._judge("Melbourno", False, again, names, ctx, st)[4] is True
    # used a third time, it is the page's own vocabulary: a name, left alone
    often = detect._Witness(text + "\nThey went to Melbourno and back, and Melbourno again.\n", ctx, st)
    assert detect._judge("Melbourno", False, often, names, ctx, st) is None


def test_a_real_words_misreadings_are_lower_case_words(resources):
    """A lower-case word's misreadings come from the learned confusions in small letters: a capital
    or a digit meant ("neaL", "o1") is no other word, and took the places of "f" for "l" ("ol" for
    "of") and "a" for "i" ("hive" for "have") among a printed letter's six likeliest."""
    from pipeline.correct.candidates import realword_variants
    model, lex = ocr_model(), resources.lexicon("en")
    assert all(v == v.lower() and v.isalpha() for v, _ in model.variants("ol", max_cost=4.0, depth=1, lower=True))
    for printed, meant in (("ol", "of"), ("hive", "have")):
        found = {v for v, _, _ in realword_variants(printed, lex, model, 3.0, 4.0)}
        assert meant in found and all(v == v.lower() and v != printed for v in found), (printed, found)


def test_a_documents_damage_and_its_garbles_of_one_word_are_its_own_evidence(resources):
    """A real Sydney Morning Herald article: its OCR's share of no-words (detect's `damage` feature) is
    several times its human transcription's, and the distinct garbles whose likeliest correction is one
    word count for each other ("acie", "ocies": "acre(s)"), never for themselves."""
    name = "smh_12414000.txt"
    if not (SMH / "ocr" / name).exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    ocr = (SMH / "ocr" / name).read_text(encoding="utf-8")
    gold = (SMH / "gold" / name).read_text(encoding="utf-8")
    assert detect._Witness(ocr, ctx, st).damage() > 3 * detect._Witness(gold, ctx, st).damage()
    from pipeline.correct.document import DocumentEvidence
    ev = DocumentEvidence("acie acre aore", {"acie": 1, "aore": 2})
    assert ev.sources("acie", "acre") == 0
    ev.place("acie", "acre", True)
    ev.place("acie", "acre", False)  # the same reading again: one source
    assert ev.sources("acie", "acre") == 0 and ev.sources("aore", "acre") == 1
    ev.place("aore", "acre", True)
    ev.place("acre", None, False)  # the word itself, read as printed: no source
    assert ev.sources("acie", "acre") == 1 and ev.sources("ocre", "acre") == 2


def test_doubts_close_together_are_one_query_that_one_click_fixes(resources):
    """Real newspaper OCR (Overproof): doubts close together are one query (one trip to the
    scan; correct/budget.py `lines`), worth the sum of its doubts. Its suggestion is the span with each
    doubt's first reading and the automatic fixes between them made ("Cieek": "Creek"), its reason names
    every doubt; under the same budget the queries then flag
    more misread words by the gold, and more through the doubts themselves than the doubts alone did
    (not only by spanning sound words). Each doubt its own query (the old way) flags fewer."""
    import pytest

    from pipeline.correct import budget
    if not (OVERPROOF / "ocr").exists():
        pytest.skip("../shared/benchmarks not present")
    st = detect.Settings.of(en_context(resources))
    assert st.merge_gap >= 0 and st.merge_words >= 2  # the shipped config merges
    merged = alone = inside = lines = 0
    for p in sorted((OVERPROOF / "ocr").glob("*.txt"))[:16]:
        text = p.read_text(encoding="utf-8")
        gold = (OVERPROOF / "gold" / p.name).read_text(encoding="utf-8")
        run = detect.run(text, en_context(resources))
        new = run.queries
        old = detect.run(text, en_context(resources, merge_gap=-1)).queries
        doubts = detect.run(text, en_context(resources, merge_gap=-1, max_queries=1000.0)).queries
        assert len(new) == len(old)  # the same budget
        for q in new:
            if q.rule != "detect.line":
                continue
            lines += 1
            parts = sorted((d for d in doubts if q.start <= d.start and d.end <= q.end), key=lambda d: d.start)
            assert len(parts) >= 2 and parts[0].start == q.start and max(d.end for d in parts) == q.end
            # its words bound it, not a line break; past them only inside one paragraph ([detect] merge_paragraph)
            assert budget.words(q.text) <= st.merge_words or st.merge_paragraph and "\n" not in q.text
            assert all(repr(text[d.start:d.end]) in q.reason for d in parts)
            def fixed(a: int, b: int) -> str:  # the text between doubts, with the automatic fixes in it made
                out = text[a:b]
                for e in sorted(run.edits, key=lambda e: -e.start):
                    if a <= e.start and e.end <= b:
                        out = out[:e.start - a] + e.after + out[e.end - a:]
                return out
            meant, at = "", q.start
            for d in parts:
                if d.start >= at:
                    meant += fixed(at, d.start) + (d.suggestions[0] if d.suggestions else text[d.start:d.end])
                    at = d.end
            meant += fixed(at, q.end)
            assert q.suggestions == ([meant] if meant != q.text else [])
        merged += _flagged(text, gold, new)
        alone += _flagged(text, gold, old)
        inside += _flagged(text, gold, [d for d in doubts if any(q.start <= d.start and d.end <= q.end for q in new)])
    assert lines >= 10, lines
    assert inside >= alone + 10 and merged >= inside, (merged, inside, alone)


def test_doubts_join_only_close_together():
    """budget.lines: at most `gap` words between two doubts, the span at most `most` words; a line
    break between them is no bound (the next line is where the eye goes on: one place)."""
    from pipeline.correct import budget
    from pipeline.model import Query
    text = "tbe king aud the queen went to tho house\nof fatber and then hee went on"

    def doubt(word, nth=0):
        at = -1
        for _ in range(nth + 1):
            at = text.index(word, at + 1)
        return Query(at, at + len(word), word, [word + "!"], 0.5, "x", rule="detect.nonword")
    qs = [doubt("tbe"), doubt("aud"), doubt("tho"), doubt("fatber"), doubt("hee")]
    spans = [[q.text for q in g] for g in budget.lines(qs, text, 2, 8)]
    assert spans == [["tbe", "aud"], ["tho", "fatber", "hee"]]  # "tho house\nof fatber": one place
    # parted at line breaks, as the budget grouped before (benchmarks/query_choice.py compares)
    assert [[q.text for q in g] for g in budget.lines(qs, text, 2, 8, breaks=True)] == [["tbe", "aud"], ["tho"],
                                                                                       ["fatber", "hee"]]
    assert [[q.text for q in g] for g in budget.lines(qs, text, 1, 8)] == [["tbe", "aud"], ["tho"], ["fatber"],
                                                                          ["hee"]]
    assert [[q.text for q in g] for g in budget.lines(qs, text, 2, 2)] == [["tbe"], ["aud"], ["tho"], ["fatber"],
                                                                          ["hee"]]
    q = budget.together([qs[3], qs[4]], text)
    assert (q.text, q.suggestions, q.rule) == ("fatber and then hee", ["fatber! and then hee!"], "detect.line")


def test_doubts_join_as_far_as_the_budget_needs():
    """budget.lines with a density (a doubt in at least that share of the span's words) and budget.joined:
    a document whose doubts fit its budget keeps them apart; one whose doubts outnumber it has its
    damaged stretch re-read at once, down to [detect] merge_dense and no further."""
    from pipeline.correct import budget
    from pipeline.model import Query
    text = "tbe aud king went to the house of his fatber and then hee went on"
    qs = [Query(text.index(w), text.index(w) + len(w), w, [w + "!"], 0.5, "x", rule="detect.nonword")
          for w in ("tbe", "aud", "fatber", "hee")]

    def names(groups):
        return [[q.text for q in g] for g in groups]
    assert names(budget.lines(qs, text, 8, 32, 1.0)) == [["tbe", "aud"], ["fatber"], ["hee"]]
    assert names(budget.lines(qs, text, 8, 32, 0.5)) == [["tbe", "aud"], ["fatber", "hee"]]
    assert names(budget.lines(qs, text, 8, 32, 0.25)) == [["tbe", "aud", "fatber", "hee"]]
    assert names(budget.lines(qs, text, 6, 32, 0.25)) == [["tbe", "aud"], ["fatber", "hee"]]  # 7 words apart
    assert names(budget.joined(qs, 3, text, 8, 32, 0.25)) == [["tbe", "aud"], ["fatber"], ["hee"]]
    assert names(budget.joined(qs, 2, text, 8, 32, 0.25)) == [["tbe", "aud"], ["fatber", "hee"]]
    assert names(budget.joined(qs, 1, text, 8, 32, 0.25)) == [["tbe", "aud", "fatber", "hee"]]
    assert names(budget.joined(qs, 1, text, 8, 32, 0.5)) == [["tbe", "aud"], ["fatber", "hee"]]  # no further
    kept = budget.shared().keep(qs, 1, text, 8, 32, dense=0.25)
    assert [(q.text, q.suggestions, q.rule) for q in kept] == [
        (text[:text.index(" went on")], ["tbe! aud! king went to the house of his fatber! and then hee!"], "detect.line")]
    assert all(repr(w) in kept[0].reason for w in ("tbe", "aud", "fatber", "hee"))


def test_a_damaged_paragraph_is_one_place_only_where_the_budget_needs_it():
    """budget.joined with `paragraph` ([detect] merge_paragraph): where the groups still outnumber the budget at
    the density floor, a group runs past `most` words inside one paragraph (a line of the text), never across
    a line break, and never where the groups fit the budget at `most` words."""
    from pipeline.correct import budget
    from pipeline.model import Query

    def groups(text, limit, paragraph):
        qs = [Query(text.index(w), text.index(w) + len(w), w, [w + "!"], 0.5, "x", rule="detect.nonword")
              for w in ("tbe", "aud", "fatber", "hee")]
        return [[q.text for q in g] for g in budget.joined(qs, limit, text, 8, 8, 0.25, paragraph=paragraph)]
    text = "tbe aud king went to the house of his fatber and then hee went on"  # 13 words from "tbe" to "hee"
    assert groups(text, 1, False) == [["tbe", "aud"], ["fatber", "hee"]]  # 8 words at most
    assert groups(text, 1, True) == [["tbe", "aud", "fatber", "hee"]]  # one paragraph: one place
    assert groups(text, 2, True) == [["tbe", "aud"], ["fatber", "hee"]]  # the budget holds both: apart
    broken = text.replace("house of", "house\nof")
    assert groups(broken, 1, True) == [["tbe", "aud"], ["fatber", "hee"]]  # two paragraphs: two places


def test_a_garbled_neighbour_is_read_as_its_sure_correction_for_the_context(resources):
    """In a damaged line the printed neighbours say nothing: "hive besn successful" weighs "hive" ->
    "have" with "besn" read as its sure correction "been" ("have been" is common), which the plain
    context cannot see; with no such neighbour the feature is the plain context (None)."""
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    text = "A few only hive besn successful in the district."
    wt = detect._Witness(text, ctx, st)
    i = next(k for k in range(len(wt.tokens)) if wt.tokens.low(k) == "hive")
    assert detect._repaired_context(i, "hive", "have", "realword", wt) is None
    wt.repaired["besn"] = "been"
    plain_prev, _ = wt.neighbours(i)
    repaired = detect._repaired_context(i, "hive", "have", "realword", wt)
    assert repaired is not None and repaired > 1.0
    plain = wt.context.fits(plain_prev, ("have", "hive"), "besn", "hive")  # the same measure, as printed
    assert repaired > wt.context.association(plain["have"], "have") - wt.context.association(plain["hive"], "hive")


def test_the_decisions_read_a_garbled_neighbour_as_its_likeliest_reading(resources):
    """Joint reading of a damaged stretch, one step: the decisions' pass weighs "hive" beside "besn" read as
    its likeliest reading "been" (`mended`, [detect] mend_posterior), so "have" gains what "have been" says;
    as printed, the garbled neighbour says nothing."""
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    text = "A few only hive besn successful in the district."
    wt = detect._Witness(text, ctx, st)
    i = next(k for k in range(len(wt.tokens)) if wt.tokens.low(k) == "hive")
    cands = dict(wt.realword_variants("hive"))
    assert "have" in cands
    plain = dict(wt.posterior(i, "hive", None, cands, shortcut=False)[0])
    assert wt.sides(i) == wt.neighbours(i) == ("only", "besn")
    wt.mended = {i + 1: "been"}
    assert wt.sides(i) == ("only", "been")
    mended = dict(wt.posterior(i, "hive", None, cands, shortcut=False)[0])
    assert mended["have"] > plain["have"] and mended["have"] > mended[""]


def test_a_clean_print_needs_more_context_to_doubt_a_real_word_than_a_noisy_page(resources):
    """Real texts: Lenin's speech, re-typeset print with one sure non-word misreading in 11,000 words, has
    sound words asked about from posterior 0.5 with the OCR model's prior ("Ay, there's the rub": "Say",
    "Let me end by": "and", "theses he submitted": "be"); weighed with the document's own rate of
    misreadings as the prior they are not. A noisy Sydney Morning Herald page (Overproof dev set) keeps
    the OCR model's prior: the same real-word queries."""
    text = (ROOT / "clean" / "lenin-trade-unions.txt").read_text(encoding="utf-8")

    def asked(t: str, **kw) -> list[tuple[str, str]]:
        r = detect.run(t, en_context(resources, max_queries=1000.0, **kw))  # every query, the budget aside
        return [(q.text, q.suggestions[0]) for q in r.queries if q.rule == "detect.realword"]

    sound = {("Ay", "Say"), ("end", "and"), ("he", "be")}
    prior = asked(text, realword_doubt_rate=0.0)  # the model's prior everywhere
    assert sound <= set(prior)
    own = asked(text)
    assert set(own) < set(prior) and not sound & set(own)
    page = _smh_page("smh_12918000.txt")
    assert asked(page) == asked(page, realword_doubt_rate=0.0) != []
    # the prior: a short page says little of its print, a noisy one is never doubted less than the model does
    st = detect.Settings(realword_doubt_rate=0.01, realword_doubt_words=1000.0)
    assert detect._realword_prior(0, 200, st) > 0.8 and detect._realword_prior(1, 11000, st) < 0.1
    assert detect._realword_prior(300, 10000, st) == 1.0 and detect._doubted(0.7, 0.3, 1.0) == 0.7
    assert detect._doubted(0.87, 0.13, 0.1) < 0.5


def test_a_latin_phrase_written_whole_is_the_writers(resources):
    """Allen's documents (a real seed text): "signed by Shliapnikov, Kollontai, et al." had "et" asked about
    as "at" (P 0.517 with the OCR model's prior). A word of a Latin phrase of pipeline/data/latin_phrases.toml,
    written whole, is neither fixed nor asked about; the same word outside one is weighed as ever."""
    from pipeline.correct import latin
    text = (ROOT / "clean" / "allen-documents.txt").read_text(encoding="utf-8")
    r = detect.run(text, en_context(resources, "allen-documents", max_queries=1000.0, realword_doubt_rate=0.0))
    assert not [q for q in r.queries if q.text == "et"] and not [e for e in r.edits if text[e.start:e.end] == "et"]
    ctx = en_context(resources)
    st = detect.Settings.of(ctx)
    wt = detect._Witness("Kollontai, et al. and per se, but et cetera\nwas, not et. al nor bet al.", ctx, st)
    n = len(wt.tokens.starts)
    inside = [wt.tokens.low(i) for i in range(n) if latin.in_phrase(i, wt.tokens.low, wt.linked, n)]
    assert inside == ["et", "al", "per", "se", "et", "cetera"]


def test_the_forms_left_alone_everywhere_are_kept_for_the_next_run(tmp_path, monkeypatch):
    """The forms detect leaves alone in every witness are kept in the project's run cache
    (`.edition-cache/detect/plain-en.marshal`): a new process reads them and asks fewer forms whether they
    are (`_plain_everywhere`), with the same queries and edits; a memo made by other code is not read."""
    import pipeline.cache
    text = (Path(__file__).resolve().parents[1] / "clean" / "lenin-trade-unions.txt").read_text(encoding="utf-8")[:30_000]
    w = Witness(id="lenin-trade-unions", file="l.txt", language="en", work="l", role="original")
    judged = []
    plain = detect._plain_everywhere
    monkeypatch.setattr(detect, "_plain_everywhere", lambda form, *a: judged.append(form) or plain(form, *a))

    def run(resources: Resources) -> tuple[list, int]:
        monkeypatch.setattr(detect, "_PLAIN", {})  # a new process
        judged.clear()
        r = detect.run(text, Context(w, resources, {}))
        return [(q.start, q.end, q.text, q.suggestions, q.rule) for q in r.queries] + r.edits, len(judged)

    first, n = run(Resources(tmp_path))
    assert first and n > 500 and (tmp_path / ".edition-cache" / "detect" / "plain-en.marshal").is_file()
    again, m = run(Resources(tmp_path))
    assert again == first and m < n / 2
    monkeypatch.setattr(pipeline.cache, "code_version", lambda: "other code")
    assert run(Resources(tmp_path)) == (first, n)


def test_a_non_word_beside_a_foreign_word_of_a_sound_print_gets_no_english_suggestion(resources):
    """Lenin's note cites a Russian title in transliteration ("... konferentsi i plenumov TsK"): in a
    print as sound as that transcription, "plenumov", a word no English word is near, is another
    language's, and so is the non-word beside it: "TsK" is asked about with no suggestion (the OCR model
    made "Ask", "Task" of it). In a damaged print, where such a neighbour is a garble, the suggestions stay."""
    from tests.conftest import ROOT
    note = ("See K.P.S.S. v rezolutsiakh i resheniakh syezdov, konferentsi i plenumov TsK (The C.P.S.U. in the "
            "Resolutions and Decisions of Congresses, Conferences and C.C Plenary Meetings, Part 1, 1954).\n")
    paragraphs = (ROOT / "clean" / "lenin-trade-unions.txt").read_text(encoding="utf-8").split("\n\n")
    sound = "\n\n".join(paragraphs[5:40]) + "\n\n" + note
    for text, suggested in ((sound, False), (note, True)):
        queries = detect.run(text, en_context(resources)).queries
        tsk = [q for q in queries if "TsK" in q.text]
        assert len(tsk) == 1 and bool(tsk[0].suggestions) == suggested, tsk


def test_capitals_a_page_misreads_inside_sentences_are_lowered_only_where_it_says_so(resources):
    """A real Sydney Morning Herald page (Overproof dev set) prints "i" as "I" in its common words
    ("probably In the forwards", "among whom Is a centre"): "Its" between small words, a word the page
    writes small elsewhere and never at a sentence start, is lowered ("with Its strength"); the short
    "In", "Is", "If", which as often begin a sentence whose full stop was lost ("the big Manly pack In
    the last of the trial matches"), are only asked about, with the full stop offered; a capital the page
    never writes small ("the Irish terriers") is not lowered."""
    text = _smh_page("smh_16856000.txt") + "\nit was found that the Irish terriers did well\n"
    r = detect.run(text, en_context(resources, max_queries=1000.0))
    fixed = [(text[e.start - 5:e.end], e.after) for e in r.edits if e.rule == "detect.case"]
    assert fixed == [("with\nIts", "its"), ("play Its", "its")]
    asked = {text[q.start - 5:q.end]: q.suggestions for q in r.queries if q.rule == "detect.case"}
    assert asked["pack In"] == ["in", ". In"] and asked["whom Is"] == ["is", ". Is"]
    assert not [e for e in r.edits if text[e.start:e.end] == "Irish"]



def test_a_capital_that_is_itself_the_misreading_is_made_small(resources):
    """The OCR model learned that some capitals are printed for small letters ("B" for "s", "fi", "fl";
    "U" for "ll", "li": a ligature or a broken letter read as a capital). Inside a sentence the correction of
    such a reading is small ("we must Btop here": "stop"; planted noise in Moby-Dick wrote "Stop", "Little",
    "Finally" there); at a sentence start it keeps its capital; a word the witness itself writes capitalised
    inside its sentences keeps it ("in Bngland", beside "of England")."""
    text = ("Then the old man said that we must Btop here and wait a Uttle while for the tide. "
            "Btop the boat, he said. The men of England sailed home to Bngland in the spring.\n")
    r = detect.run(text, en_context(resources, max_queries=1000.0))
    read = sorted([(e.start, text[e.start:e.end], e.after) for e in r.edits]
                  + [(q.start, q.text, q.suggestions[0]) for q in r.queries if q.suggestions])
    at = {w: [v for _, k, v in read if k == w] for w in ("Btop", "Uttle", "Bngland")}
    assert at["Btop"] == ["stop", "Stop"]  # inside the sentence, then at a sentence start
    assert at["Uttle"] == ["little"] and at["Bngland"] == ["England"]


def test_two_chance_capitals_are_no_habit_to_lower_a_word_by(resources):
    """A page whose "j" words stand capitalised between small words twice in seventeen ("he was Just going")
    shows no established habit (the Wilson lower bound of 2/17 is under the 10 % a habit needs): its
    "majesty of Justice in the ermine", a word it also writes small, is asked about, not lowered (planted
    noise in Moby-Dick had it lowered, and "the tauntings in Job might")."""
    small = " ".join(f"and he was just going to the sea {k} times." for k in range(15))
    text = (f"{small} But he was Just going there and she was Just there too. The majesty of Justice in the "
            f"ermine of the judge was fair, and justice was done.\n")
    r = detect.run(text, en_context(resources, max_queries=1000.0))
    assert not [e for e in r.edits if e.rule == "detect.case"]
    assert [q.suggestions[0] for q in r.queries if q.rule == "detect.case" and q.text == "Justice"] == ["justice"]


def test_a_piece_of_a_word_broken_at_a_line_end_is_never_fixed_alone(resources):
    """Real ICDAR pages (eng_monograph_81) keep the print's line-end hyphens in mid-line: "1 remem-ber
    was this". A piece alone is no word, and the channel and the neighbours find a likelier one ("ber":
    "her"); of the fixes the calibration weighs, such pieces were most of the wrong ones. A piece whose
    join is a word and whose corrected join is none is never fixed, whatever the thresholds (here lowered
    to 0.5, so that the calibration's own caution does not hide the rule); one whose correction makes the
    join a word may be ("our-aelves": "our-selves"), and so may a compound's own word ("self-govemment");
    a piece beside a garbled one is not ("propor-tfoii": "proper", ICDAR eng_periodical_4)."""
    ocr = ICDAR / "ocr"
    if not ocr.exists():
        import pytest
        pytest.skip("../shared/benchmarks not present")
    ctx = en_context(resources, rule_thresholds=False, auto_threshold=0.5, auto_threshold_realword=0.5)
    text = (ocr / "eng_monograph_81_p050.txt").read_text(encoding="utf-8")
    fixed = {(text[e.start - 4:e.start], e.after) for e in detect.run(text, ctx).edits}
    assert ("our-", "selves") in fixed and ("mem-", "her") not in fixed
    wt = detect._Witness("I remem-ber the happi-nesa of self-govemment in propor-tfoii", ctx, detect.Settings.of(ctx))
    assert detect._piece_of_word(wt, 8, 11, "her") and not detect._piece_of_word(wt, 22, 26, "ness")
    assert not detect._piece_of_word(wt, 35, 44, "government")  # a compound's own word
    assert detect._piece_of_word(wt, 48, 54, "proper")  # beside a garbled piece: no whole word either way


def test_a_compound_the_witness_prints_again_and_again_is_its_own(resources):
    """Moby-Dick's ship the Town-Ho, printed so a dozen times: its "Ho" before "had" was read "He" ("He had"),
    an automatic change in a clean print. A compound the witness prints letter for letter at least
    `witness_known` times is its own word, never fixed piece by piece; one printed once is weighed as before."""
    ctx = en_context(resources)
    wt = detect._Witness("the Town-Ho came. The Town-Ho sailed. Of the Town-Ho had all but arrived at Ray-Ho", ctx,
                         detect.Settings.of(ctx))
    a = wt.text.index("Town-Ho had") + len("Town-")
    assert detect._piece_of_word(wt, a, a + 2, "He")
    b = wt.text.index("Ray-Ho") + len("Ray-")
    assert not detect._piece_of_word(wt, b, b + 2, "He")


def test_a_piece_beside_a_garbled_one_the_document_surely_reads_is_weighed(resources):
    """A compound both of whose pieces are misread ("boardlng-houso", Overproof's dev pages) is two words: where
    the document's second weighing reads the other piece surely as a word (`_Witness.repaired`: "boardlng" is
    "boarding"), the piece may be fixed like any other; a garbled piece with no sure reading still holds it."""
    ctx = en_context(resources)
    wt = detect._Witness("the boardlng-houso was let", ctx, detect.Settings.of(ctx))
    a = len("the boardlng-")
    assert detect._piece_of_word(wt, a, a + 5, "house")
    wt.repaired["boardlng"] = "boarding"
    assert not detect._piece_of_word(wt, a, a + 5, "house")


# real sentences of a print nobody here wrote (Moby-Dick, 1851): its dialect and old forms are no misreadings
MOBY_SENTENCES = (
    '"May be not," taking out a stick and whittling a toothpick, "but I rayther guess you\'ll be done brown if that ere harpooneer hears you a slanderin\' his head.',
    '"Ever since young Stiggs coming from that unfort\'nt v\'y\'ge of his, when he was gone four years and a half, with only three barrels of ile, was found dead in my first floor back, with his harpoon in his side; ever since then I allow no boarders to take sich dangerous weepons in their rooms at night.',
    'But come closer, Starbuck; thou requirest a little lower layer.',
    'For the whale is indeed wrapt up in his blubber as in a real blanket or counterpane; or, still better, an Indian poncho slipt over his head, and skirting his extremity.',
    'And in the present instance, all this was heightened by the sight of the two officers of the strange ship, leaning over the side, by the perpendicular ladder of nailed cleets there, and swinging towards him a pair of tastefully-ornamented man-ropes; for at first they did not seem to bethink them that a one-legged man must be too much of a cripple to use their sea bannisters.',
    'And now poor Stubb goes to bed upon a mattrass that is all too soft; would it were stuffed with brushwood!',
)


def test_a_clean_print_s_fixes_are_queries_where_too_few_to_trust(resources):
    """A print too clean for its fixes to be trusted ([detect] clean_print_*): its few would-be fixes are
    as likely its own words as misreadings ("weepons", a landlady's speech in Moby-Dick), so each is a query with
    the fix as its suggestion, never a change. A noisy newspaper page (Overproof dev set) has fixes enough: the
    same fixes with the gate as without it."""
    text = "\n".join(MOBY_SENTENCES) + "\n"
    fixed = detect.run(text, en_context(resources, clean_print_false_rate=0.0))
    assert ("weepons", "weapons") in {(text[e.start:e.end], e.after) for e in fixed.edits}
    gated = detect.run(text, en_context(resources))
    assert gated.edits == []
    asked = [q for q in gated.queries if "weepons" in q.text]
    assert asked and any("weapons" in s for s in asked[0].suggestions)
    page = _smh_page("smh_13569000.txt")
    before = detect.run(page, en_context(resources, clean_print_false_rate=0.0)).edits
    assert len(before) > 5 and detect.run(page, en_context(resources)).edits == before
    # the count: false fixes expected at 0.11 per 1,000 words, or 1.1 % of the words the lexicon lacks with no
    # likelier word near, the lesser; 98 % of the fixes are to be right
    st = detect.Settings(clean_print_false_rate=0.00011, clean_print_unknown_rate=0.011, clean_print_precision=0.98)
    from pipeline.model import Edit
    fixes = [Edit(i * 10, i * 10 + 3, "the", "detect.nonword", "scanno", 0.99, "n") for i in range(6)]
    queries: list = []
    # 1,000 words, 1,000 of them unknown: 0.11 expected; 5 fixes are too few (0.1 wrong allowed), 6 enough
    assert detect._clean_print(fixes[:5], queries, 1000, 1000, "tbe " * 2500, st) == [] and len(queries) == 5
    assert detect._clean_print(fixes, [], 1000, 1000, "tbe " * 2500, st) == fixes
    # ... 5 unknown (a modern print nearly every word of which the lexicon knows): 0.055; 2 too few, 3 enough
    assert detect._clean_print(fixes[:2], [], 1000, 5, "tbe " * 2500, st) == []
    assert detect._clean_print(fixes[:3], [], 1000, 5, "tbe " * 2500, st) == fixes[:3]


def test_a_reading_the_print_repeats_beyond_its_misreadings_is_its_own_word(resources):
    """detect._prints_own, on the figures of real documents: Moby-Dick (1851) with OCR noise planted at 1.5 %
    writes "ere" 78 times beside 565 "are"; misreadings of "are" at the channel's rate (cost 2.3, adapted to
    the document) would make "ere" about 2 times, so a fix of it is asked, never made. A word seen once says
    nothing. A noisy page (as noisy as the dev sets' median, `doubt` 1) is not so judged: an ICDAR page prints
    "tho" 24 times beside 12 "the", a habit no model rate foresees. A confusion the document makes often
    enough ("tame" 4 times, "same" 200, cost 0.99) is no evidence either."""
    from types import SimpleNamespace
    st = detect.Settings(own_word_alpha=1e-6)

    def witness(counts: dict, doubt: float):
        return SimpleNamespace(vocab=counts, doubt=doubt)

    moby = witness({"ere": 78, "are": 565, "tame": 4, "same": 200, "rayther": 1, "rather": 90}, 0.3)
    why = detect._prints_own("ere", "are", 2.30, moby, st)
    assert why is not None and "78 times" in why and "'are' (565 times)" in why
    assert detect._prints_own("Ere", "are", 2.30, moby, st) is not None  # counted in small letters
    assert detect._prints_own("rayther", "rather", 4.06, moby, st) is None
    assert detect._prints_own("tame", "same", 0.99, moby, st) is None
    assert detect._prints_own("ere", "are", 2.30, moby, detect.Settings(own_word_alpha=0.0)) is None
    page = witness({"tho": 24, "the": 12}, 1.0)
    assert detect._prints_own("tho", "the", 0.91, page, st) is None
    # the same counts in a cleaner print: the reading is its own
    assert detect._prints_own("tho", "the", 0.91, witness({"tho": 24, "the": 12}, 0.5), st) is not None


def test_the_own_word_test_leaves_a_noisy_page_s_fixes(resources):
    """A noisy newspaper page (Overproof dev set) keeps every fix with the own-word test as without it."""
    page = _smh_page("smh_13569000.txt")
    before = detect.run(page, en_context(resources, own_word_alpha=0.0)).edits
    assert len(before) > 5 and detect.run(page, en_context(resources)).edits == before


def test_a_capital_read_for_a_word_the_witness_writes_small_is_made_small(resources):
    """Tesseract reads "the" as "Lhe" or "Ihe" inside a sentence of a scanned Moby-Dick. The witness writes
    "The" capitalised inside a sentence too (where a full stop was lost), so the reading is weighed against
    the capitals the witness writes; but it writes "the" small hundreds of times inside its sentences, so the
    correction is "the", not "The"."""
    from pipeline.synth.unseen import running_paragraphs

    text = "\n\n".join(running_paragraphs()[:40])
    lost = text.index(". The ", 2000)
    text = text[:lost] + " The " + text[lost + 6:]  # a full stop lost: "The" inside a sentence
    at = text.index(" the ", 6000) + 1
    text = text[:at] + "Lhe" + text[at + 3:]
    r = detect.run(text, en_context(resources))
    # an automatic fix, or the fix a query suggests (this clean print's few fixes are asked: _clean_print)
    said = [e.after for e in r.edits if e.start == at] + [q.suggestions[0] for q in r.queries
                                                          if q.start == at and q.suggestions]
    assert said == ["the"]


def test_a_misreading_the_scan_repeats_is_no_word_of_the_witness(resources):
    """Tesseract reads Russian "т" as "г" all through a page: "будег" stands four times beside "будет". A form
    only the witness's repetition made a word (no dictionary has it) whose likeliest correction is a word the
    witness prints more often is the scan's habit: weighed as a non-word, fixed or asked about with that word
    first (in this clean print, asked: nothing else in it shows the habit); before, it was the witness's own
    word, a real word that Russian never has fixed."""
    text = (ROOT / "clean" / "kollontai-ru.txt").read_text(encoding="utf-8")
    places = [k for k in range(len(text)) if text.startswith("будет", k)][:4]
    for k in places:
        text = text[:k] + "будег" + text[k + 5:]
    w = Witness(id="kollontai-ru", file="x.txt", language="ru", work="workers-opposition", role="original")
    r = detect.run(text, Context(w, resources, resources.policy(w)))
    fixed = {e.start for e in r.edits if e.after == "будет"}
    asked = {q.start for q in r.queries if q.suggestions[:1] == ["будет"] and q.rule == "detect.nonword"}
    assert fixed | asked == set(places)


def test_a_lone_mark_read_for_i_is_fixed_where_the_document_confirms_it(resources):
    """Tesseract reads the pronoun "I" as "|" or "[" on a poor scan ("and | have"). A lone mark is weighed as a
    lone digit is, against the mark as a speck: where several places of the same mark clearly read "I", every
    place whose neighbours favour it is fixed; a mark no neighbour speaks for ("the | sea", a rule drawn between
    words) is not read as "I" (an odd mark between words, it may still be asked about), nor are the marks of a
    table's row ("chicken | egg | glass | milk")."""
    from pipeline.synth.unseen import running_paragraphs

    text = "\n\n".join(running_paragraphs()[:60])
    # inside a sentence (after a sentence's end the mark is weighed by the word after it alone, and asked only
    # where that word favours "I")
    places = [k + 1 for k in range(1, len(text) - 3) if text[k:k + 3] == " I " and text[k + 3].islower()
              and text[k - 1].isalpha()][:8]
    assert len(places) >= 6
    for k in places:
        text = text[:k] + "|" + text[k + 1:]
    speck = text.index(" the sea", 3000) + 4
    text = text[:speck] + " |" + text[speck:]  # "the | sea"
    row = len(text) + 2
    text += "\n\nchicken | egg | glass | milk for the crew and | have some more of it\n"  # a table's row
    r = detect.run(text, en_context(resources))
    # fixed, or (this print being clean, its few fixes are asked: _clean_print) asked with "I" first
    # ("And would | be a murderer": "would I" asks a question, which the neighbours do not favour: left;
    # "the very thing | handle now" they favour a little: asked, not fixed)
    marks = {e.start: e.after for e in r.edits if e.rule == "detect.mark"}
    marks.update({q.start: q.suggestions[0] for q in r.queries if q.rule == "detect.mark"})
    assert set(marks) <= set(places) and set(marks.values()) == {"I"} and len(marks) >= 7
    assert speck + 1 not in marks and not any(e.start <= speck + 1 < e.end for e in r.edits)
    # in a noisy print (the gate off: as many fixes as a scan's) the places they clearly favour are fixed
    r = detect.run(text, en_context(resources, clean_print_false_rate=0.0))
    fixed = {e.start: e.after for e in r.edits if e.rule == "detect.mark"}
    assert set(fixed) <= set(marks) and set(fixed.values()) == {"I"} and len(fixed) >= 6
    assert not [e for e in r.edits if e.start >= row] and not [q for q in r.queries if q.rule == "detect.mark"
                                                               and q.start >= row]


def test_a_name_the_scan_misreads_twice_is_mended_where_the_witness_writes_it_right(resources):
    """An Overproof page (smh_15770000) prints "Charlea" and "Fdward" twice each inside its lists of names,
    beside "Charles" and "Edward" printed right as often or more: a repeated capitalised non-word is the
    witness's own name only where its likeliest correction is not a name the witness itself writes so. Both
    are fixed (they were protected as names); a made-up name the witness repeats with no such twin is not."""
    from tests.conftest import SHARED

    raw = (SHARED / "benchmarks" / "overproof_smh_dev" / "ocr" / "smh_15770000.txt").read_text(encoding="utf-8")
    w = Witness(id="scan", file="scan.txt", language="en", work="scan", role="original", origin="file")
    c = clean_witness(raw, w, resources)
    fixed = {(raw[ch.start:ch.end], ch.after) for ch in c.changes if ch.rule == "detect.nonword"}
    assert {("Charlea", "Charles"), ("Fdward", "Edward")} <= fixed
    assert "Charlea" not in c.text and "Fdward" not in c.text
    made_up = raw.replace("Lieut ", "Lieut Quorrobolong ", 2)
    c = clean_witness(made_up, w, resources)
    assert c.text.count("Quorrobolong") == 2
