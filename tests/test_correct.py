"""The OCR error model, its learner, the candidates and the old-spelling data."""
from __future__ import annotations

import json

import pytest
import regex

from pipeline.collate.classify import is_ocr_like, ocr_cost
from pipeline.correct import learn
from pipeline.correct.candidates import candidates
from pipeline.correct.model import MODEL_FILE, OcrModel
from pipeline.correct.model import shared as ocr_model
from pipeline.correct.spelling import is_old, modern, old_forms, rules
from pipeline.errors import EditionError
from pipeline.lexicon import shared as lexicon


def test_shipped_model_states_its_provenance_and_was_learned_from_the_dev_sets():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    prov = data["provenance"]
    assert prov["learned_by"] == "pipeline/correct/learn.py" and prov["fold"] is None
    assert set(prov["sources"]) == {"icdar2017_en", "overproof_smh_dev"}
    assert len(prov["sources"]["icdar2017_en"]) == 171 and len(prov["sources"]["overproof_smh_dev"]) == 80
    learned = [c for c in data["confusions"] if c["source"] == "learned"]
    assert len(learned) > 300
    # many-to-one confusions are learned, not only letter for letter
    assert any(len(c["meant"]) != len(c["printed"]) and c["meant"] and c["printed"] for c in learned)
    assert any(c["source"] == "prior" and c["meant"] == "п" and c["printed"] == "ii" for c in data["confusions"])


def test_learned_costs_order_confusions_by_how_often_ocr_makes_them():
    m = ocr_model()
    assert m.channel("tbat", "that") < m.channel("tqat", "that")  # h printed b: common
    assert m.channel("shaU", "shall") < m.channel("shaQ", "shall")  # ll printed U
    assert m.channel("rnodern", "modern") < m.channel("nodern", "modern")


def test_letter_segments_of_a_misread():
    assert learn.segments("modern", "rnodern") == [("m", "rn")]
    assert learn.segments("that", "tbat") == [("h", "b")]
    assert learn.segments("we could", "wecould") == [(" ", "")]


def test_learner_counts_confusions_against_the_gold(tmp_path):
    docs = [("s", "a.txt", "tbe cat sat on tbe mat. the end", "the cat sat on the mat. the end")]
    stats = learn.count(docs)
    assert stats["conf"][("h", "b")] == 2 and stats["wrong"] == 2 and stats["words"] == 8
    model = learn.build(stats, [], {"test": True}, min_count=2)
    row = next(r for r in model["confusions"] if (r["meant"], r["printed"]) == ("h", "b"))
    assert row["p"] == pytest.approx(2 / 3, abs=1e-4)  # "h" three times in the gold, twice printed "b"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model))
    assert OcrModel.load(path).channel("tbe", "the") < OcrModel.load(path).channel("tqe", "the")



def test_a_class_prior_is_a_floor_for_every_accent_the_learned_prints_lack():
    # learned from prints that never put a mark on a letter: the accent class still makes "thé" "the"
    docs = [("s", "a.txt", "tbe cat sat on tbe mat. the end", "the cat sat on the mat. the end")]
    classes = [learn.ClassPrior.model_validate({"class": "accent", "p": 0.001})]
    model = learn.build(learn.count(docs), [], {"test": True}, min_count=2, classes=classes)
    rows = {(r["meant"], r["printed"]): r for r in model["confusions"]}
    assert rows[("e", "é")]["p"] == 0.001 and rows[("e", "é")]["source"] == "class"
    assert rows[("h", "b")]["p"] > 0.001 and rows[("h", "b")]["source"] == "learned"  # the data's rate, higher
    assert ("o", "ø") not in rows and ("E", "É") in rows and ("c", "ç") in rows  # a mark put on a plain letter only
    with pytest.raises(ValueError):
        learn.ClassPrior.model_validate({"class": "ligature", "p": 0.001})
    shipped = json.loads((learn.DATA / "ocr_priors.json").read_text(encoding="utf-8"))["classes"]
    assert [learn.ClassPrior.model_validate(c).name for c in shipped] == ["accent"]

def test_a_broken_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "ocr_model.json"
    bad.write_text('{"provenance": {}, "words": 1, "word_error_rate": 2, "unseen_edit_p": 0.1, "confusions": []}')
    with pytest.raises(EditionError, match="ocr_model.json"):
        OcrModel.load(bad)


def test_candidates_come_from_the_model_the_index_and_lost_spaces():
    lex, m = lexicon("en"), ocr_model()
    c = candidates("tbat", lex, m, {}, 2.0, 3)
    assert "that" in c and c["that"] < m.unseen
    assert "world" in candidates("wrld", lex, m, {}, 2.0, 3)          # a plain edit (SymSpell)
    assert "we could" in candidates("wecould", lex, m, {}, 2.0, 3)     # a lost space
    assert "kollontai" in candidates("kollontal", lex, m, {"kollontai": 5}, 2.0, 3)  # the witness's own word


@pytest.mark.parametrize("pattern", rules()[0].pattern, ids=lambda p: p.example)
def test_old_spelling_examples(pattern):
    old, new = pattern.example.split(" -> ")
    assert regex.sub(pattern.old, pattern.new, old, count=1) == new


def test_old_spellings_are_protected_only_in_a_witness_that_uses_them():
    lex = lexicon("en")
    assert modern("keepe", lex) == "keep" and modern("hee", lex) == "he" and modern("house", lex) is None
    old = {"keepe": 2, "sleepe": 4, "iourney": 1, "controversie": 1, "the": 50}
    assert {"keepe", "sleepe", "iourney", "controversie"} <= old_forms(old, lex)
    assert old_forms({"keepe": 1, "the": 50}, lex) == frozenset()  # one stray form is not an orthography
    assert is_old("hee", lex) and not is_old("the", lex)  # a common-looking old form, protected there too


def test_variant_classifier_uses_the_same_model():
    m = ocr_model()  # either witness may be the misread one
    assert ocr_cost("modern", "rnodern") == pytest.approx(min(m.channel("rnodern", "modern"), m.channel("modern", "rnodern")))
    assert is_ocr_like("modern", "rnodern") and is_ocr_like("the", "tbe")
    assert not is_ocr_like("workers", "worker") and not is_ocr_like("large", "big")


@pytest.mark.parametrize("module, load, name, text", [
    ("spelling", "rules", "old_spellings.toml",
     'min_types = 3\nmin_zipf = 3.0\n[[pattern]]\nold = "(?<=a"\nnew = ""\nexample = "a -> b"\n'),
    ("latin", "phrases", "latin_phrases.toml", '[[phrase]]\nwords = "Et Al"\n'),  # a phrase in lower case
])
def test_correction_data_file_errors_name_the_file(module, load, name, text, tmp_path, monkeypatch):
    import importlib
    mod = importlib.import_module(f"pipeline.correct.{module}")
    bad = tmp_path / name
    bad.write_text(text)
    monkeypatch.setattr(mod, "FILE", bad)
    getattr(mod, load).cache_clear()
    try:
        with pytest.raises(EditionError, match=name):
            getattr(mod, load)()
    finally:
        getattr(mod, load).cache_clear()


def test_one_edit_candidates_match_a_symspell_index():
    """The generated one-edit candidates are exactly what symspellpy's index of the same words finds."""
    from symspellpy import SymSpell, Verbosity

    from pipeline.correct.candidates import _edit1, index_min_zipf
    lex = lexicon("en")
    words = [w for w, _ in lex.common_words(index_min_zipf(lex))]
    index = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
    sample = words[::400]
    by_start: dict[str, list[str]] = {}  # the index's words: those sharing a sample word's first two letters
    for x in words:
        by_start.setdefault(x[:2], []).append(x)
    near = {x for w in sample for x in by_start.get(w[:2], ()) if abs(len(x) - len(w)) <= 1}
    for w in near:
        index.create_dictionary_entry(w, 1)
    for reading in ["wrld", "tbe", "goverment", "recieve", "commitee", *[w[:-1] + "q" for w in sample[:30]]]:
        found = {s.term for s in index.lookup(reading, Verbosity.ALL, max_edit_distance=1) if s.term != reading}
        generated = set(_edit1(reading, lex))
        assert found <= generated, reading
        assert {"world"} <= set(_edit1("wrld", lex)) and "the" in _edit1("tbe", lex)


def test_calibration_fit_learns_which_features_make_a_correction_right():
    """A feature that separates right from wrong corrections gets the weight; the shipped file loads."""
    import random

    from pipeline.correct import calibrate
    rnd = random.Random(3)
    xs, ys = [], []
    for _ in range(400):
        ok = rnd.random() < 0.7
        ctx = rnd.gauss(1.5 if ok else -1.0, 1.0)
        xs.append(calibrate.features(0.99, ctx, 1.0, 1, 0, 6, 4.0, False))
        ys.append(ok)
    w = calibrate.fit(xs, ys)
    ci = calibrate.FEATURES.index("context")
    assert w[ci] > 1.0
    cal = calibrate.Calibration(w)
    good = cal.probability(calibrate.features(0.99, 3.0, 1.0, 1, 0, 6, 4.0, False))
    bad = cal.probability(calibrate.features(0.99, -2.0, 1.0, 1, 0, 6, 4.0, False))
    assert good > 0.95 and bad < 0.2
    shipped = calibrate.Calibration.load()
    assert len(shipped.weights) == len(calibrate.FEATURES) + len(shipped.bends) == len(shipped.realword_weights)


def test_a_knot_lets_a_features_evidence_level_off():
    """Where the posterior says all it can up to a point and nothing more past it (right fixes above a
    logit of 3 are as sure at 4 as at 12), a straight weight must compromise; with knots at the
    quartiles (choose_knots) the weight bends there, and the fit tells the two apart better."""
    import math
    import random

    from pipeline.correct import calibrate
    rnd = random.Random(7)
    xs, ys = [], []
    for _ in range(400):
        logit = rnd.uniform(-2.0, 12.0)
        ok = rnd.random() < 1 / (1 + math.exp(-(min(logit, 3.0) * 1.5)))
        xs.append(calibrate.features(1 / (1 + math.exp(-logit)), 0.0, 1.0, 1, 0, 6, 4.0, False))
        ys.append(ok)
    knots = calibrate.choose_knots(xs)
    # (the posterior's own and those read from it, runner_up and over_reading; the others are constant)
    assert set(knots) == {"logit_posterior", "runner_up", "over_reading"} and len(knots["logit_posterior"]) == 3
    straight = calibrate.Calibration(*calibrate.fit_kinds(xs, ys))
    bent = calibrate.Calibration(*calibrate.fit_kinds(xs, ys, knots=knots), knots=knots)

    def loss(cal):
        return -sum(math.log(p if y else 1 - p) for p, y in ((cal.probability(x), y) for x, y in zip(xs, ys)))
    assert loss(bent) < loss(straight) - 5
    low = calibrate.features(0.5, 0.0, 1.0, 1, 0, 6, 4.0, False)
    assert bent.probability(low) < straight.probability(low)  # the straight line overrates the doubtful end


def test_a_rules_threshold_steps_down_only_through_bands_right_on_every_set():
    """pick_band: from 0.98 down one band at a time while each set's corrections in the band are right
    at least 98 % of the time counting one wrong more; a set with too few in the band holds it back."""
    from pipeline.correct import calibrate
    sure = [(0.96, True)] * 60 + [(0.92, True)] * 60 + [(0.85, True)] * 30 + [(0.85, False)] * 3
    assert calibrate.pick_band([sure]) == 0.9  # [0.8, 0.9) is 30 of 33
    assert calibrate.pick_band([sure, [(0.96, True)] * 60]) == 0.95  # the second set has none in [0.9, 0.95)
    assert calibrate.pick_band([sure, [(0.96, True)] * 20 + [(0.92, True)] * 60]) == 0.98  # 20 of 20 say too little
    assert calibrate.pick_band([[(0.96, True)] * 60 + [(0.96, False)]]) == 0.98


def test_a_real_words_correction_and_a_non_words_are_calibrated_apart():
    """The same evidence weighs differently for the two kinds: where the context separates right from
    wrong real-word fixes only and the channel cost non-word fixes only, each kind's weights learn its
    own feature, and a probability is read with the weights of its kind."""
    import random

    from pipeline.correct import calibrate
    rnd = random.Random(5)
    xs, ys = [], []
    for k in range(800):
        realword, ok = k % 2 == 1, rnd.random() < 0.7
        ctx = rnd.gauss(1.5 if ok else -1.0, 1.0) if realword else rnd.gauss(0.0, 1.0)
        cost = rnd.gauss(0.5 if ok else 2.5, 0.7) if not realword else rnd.gauss(1.5, 0.7)
        xs.append(calibrate.features(0.95, ctx, cost, 1, 0, 6, 4.0, realword))
        ys.append(ok)
    nonword, realword = calibrate.fit_kinds(xs, ys)
    ci, cc = calibrate.FEATURES.index("context"), calibrate.FEATURES.index("cost")
    assert realword[ci] > 1.0 and abs(nonword[ci]) < 0.3
    assert nonword[cc] < -1.0 and abs(realword[cc]) < 0.3
    cal = calibrate.Calibration(nonword, realword)
    sure = calibrate.features(0.95, 3.0, 1.5, 1, 0, 6, 4.0, True)
    assert cal.probability(sure) > 0.95
    assert cal.probability(sure) != calibrate.Calibration(nonword).probability(sure)


def test_a_broken_calibration_file_is_a_clear_error(tmp_path):
    from pipeline.correct import calibrate
    bad = tmp_path / "cal.json"
    bad.write_text('{"features": ["bias"], "weights": [1.0]}', encoding="utf-8")
    with pytest.raises(EditionError, match="cal.json: features"):
        calibrate.Calibration.load(bad)
    n = len(calibrate.FEATURES)
    bad.write_text(json.dumps({"features": list(calibrate.FEATURES), "weights": [0.0] * n,
                               "realword_weights": [0.0] * (n - 1)}), encoding="utf-8")
    with pytest.raises(EditionError, match="cal.json: not one weight per feature"):
        calibrate.Calibration.load(bad)
    bad.write_text(json.dumps({"features": list(calibrate.FEATURES), "weights": [0.0] * n,
                               "knots": {"context": [0.0, 1.0]}}), encoding="utf-8")
    with pytest.raises(EditionError, match=r"cal.json: not one weight per feature and knot \(" + str(n + 2)):
        calibrate.Calibration.load(bad)
    bad.write_text(json.dumps({"features": list(calibrate.FEATURES), "weights": [0.0] * n,
                               "knots": {"kontext": [0.0]}}), encoding="utf-8")
    with pytest.raises(EditionError, match="cal.json: knots of features"):
        calibrate.Calibration.load(bad)
    bad.write_text(json.dumps({"features": list(calibrate.FEATURES), "weights": [0.0] * n,
                               "thresholds": {"detect.nonword": 0.2}}), encoding="utf-8")
    with pytest.raises(EditionError, match="cal.json: thresholds"):
        calibrate.Calibration.load(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(EditionError, match="cal.json: not a calibration file"):
        calibrate.Calibration.load(bad)


def test_context_fits_of_a_candidate_list_are_the_scores_one_by_one(cleaned, resources):
    """ContextModel.fits asks the neighbours' parts once for a reading's hypotheses: on a real
    witness each figure is `score`'s, to the last bit (the detect hash depends on it)."""
    from pipeline.context import Context
    from pipeline.stages import detect
    c = cleaned["lenin-trade-unions"]
    ctx = Context(c.witness, resources, resources.policy(c.witness))
    wt = detect._Witness(c.text, ctx, detect.Settings.of(ctx))
    asked = 0
    for i, low in zip(range(3000), wt.tokens.lows):
        prev, nxt = wt.neighbours(i)
        words = [low, "the", "of the", *dict(wt.realword_variants(low))]
        fits = wt.context.fits(prev, words, nxt, low)
        assert fits == {w: wt.context.score(prev, w, nxt, low) for w in words}
        asked += len(words)
    assert asked > 9000


def test_a_form_left_alone_everywhere_is_left_alone_by_judge_in_every_witness(cleaned, resources):
    """detect remembers per process the forms _judge leaves alone whatever the witness (True), or in
    any witness that uses none of some words often (a tuple), and asks this before judging a form: on
    every real witness, _judge indeed leaves each such form alone (a capitalised one both at a sentence
    start and inside one), and most forms are remembered so."""
    from pipeline.context import Context
    from pipeline.stages import detect
    told = {True: 0, "tuple": 0, False: 0}
    for c in cleaned.values():
        ctx = Context(c.witness, resources, resources.policy(c.witness))
        st = detect.Settings.of(ctx)
        wt = detect._Witness(c.text, ctx, st)
        names = detect._name_index(ctx)
        for w in wt.tokens.forms:
            if detect._skip(w):
                continue
            e = detect._plain_everywhere(w, wt, ctx, st)
            capital = w[:1].isupper()
            told["tuple" if isinstance(e, tuple) else e] += 1
            told[capital, e is True] = told.get((capital, e is True), 0) + 1
            if e is True or (e and not any(wt.vocab.get(v, 0) >= st.witness_known for v in e)):
                for initial in (False, True) if capital else (False,):
                    assert detect._judge(w, initial, wt, names, ctx, st) is None, (c.witness.id, w, initial, e)
    assert told[True] > told[False] and told["tuple"] > 0 and told[True, True] > 100, told


def test_a_garble_with_no_word_near_gets_the_words_two_confusions_away():
    """A reading no single confusion or edit makes a word of: the channel's likeliest confusions twice
    ("henriug": "hearing"), or one and then any edit ("Pieasury" -> "Preasury" -> "Treasury"), each at
    its channel cost; a reading with a word near gets none of them."""
    lex, m = lexicon("en"), ocr_model()
    far = candidates("Pieasury", lex, m, {}, 2.0, 3)
    assert "treasury" in far and far["treasury"] == pytest.approx(m.channel("Pieasury", "treasury"))
    assert "hearing" in candidates("henriug", lex, m, {}, 2.0, 3)
    assert "advantage" in candidates("advantugo", lex, m, {}, 2.0, 3)
    near = candidates("tbat", lex, m, {}, 2.0, 3)
    assert all(c <= 5.0 for c in near.values())  # only the near ones: no search further
    assert candidates("xq", lex, m, {}, 2.0, 3) == {}


def test_budget_counts_words_only_as_far_as_a_bound_needs():
    """budget._count with a bound: the full count wherever it is within the bound, more than the
    bound wherever the full count is (the grouping compares it with the bound only)."""
    from pipeline.correct.budget import _count
    from tests.conftest import SHARED
    text = (SHARED / "benchmarks" / "icdar2017_en" / "ocr" / "eng_monograph_1.txt").read_text(encoding="utf-8")
    for a, b in [(0, 0), (0, 40), (100, 900), (0, 5000), (3000, len(text)), (0, len(text))]:
        full = _count(text[a:b])
        for bound in (0, 1, 12, 48, 10_000):
            got = _count(text[a:b], bound)
            assert got == full if full <= bound else got > bound, (a, b, bound)


def test_the_channel_floor_never_exceeds_the_channel_and_spares_far_pairs_the_alignment():
    """candidates() skips a witness's own word whose channel floor is above max_cost: the floor must be a
    true lower bound of the alignment's cost (case, unseen edits, multi-letter confusions), and low enough
    to keep the near pairs."""
    model = ocr_model()
    words = ["Kollontai", "Kollontay", "KoUontai", "Shliapnikov", "Shlyapnikov", "tbe", "the", "THE", "rnodern",
             "modern", "shaU", "shall", "Eccnomic", "economic", "wrld", "world", "Pieasury", "treasury", "1n", "in",
             "ofthe", "of the", "Zinovief", "zinoviev", "Bubnov", "Bukharin", "ΑΣ", "ασ", "ας", "ΛΟΓΟΣ", "λογοσ"]
    far = 0
    for printed in words:
        for meant in words:
            floor, cost = model.channel_floor(printed, meant), model.channel(printed, meant)
            assert floor <= cost + 1e-9, (printed, meant, floor, cost)
            far += floor > 4.0
    assert model.channel_floor("Kollontai", "kollontay") <= 4.0  # a near pair is aligned
    assert far > len(words) ** 2 / 3  # most pairs of unrelated words are spared


def test_a_real_words_variants_try_every_confusion_of_a_printed_letter_the_model_keeps():
    """A printed letter with many confusions is tried for each ("n" for "fl", "fi", "ff" of one book's ligatures,
    and for "a"): "nnd" may be "and", as it nearly always is, not only "find"; "wns" is "was". A confusion rarer
    than the model's floor makes none: not "tile": "the", nor the seeds' "or": "of", "lie": "be", which the floor
    was set against."""
    from pipeline.correct.candidates import realword_choices
    lex, model = lexicon("en"), ocr_model()

    def likely(low: str) -> set[str]:
        found, sure = realword_choices(low, lex, model, 3.0, 4.0, 1.0)
        return {w for (w, _), s in zip(found, sure or [True] * len(found)) if s}
    assert "and" in likely("nnd") and "was" in likely("wns") and "at" in likely("nt") and "the" in likely("tha")
    assert len(model.small_for["n"]) > 6 and [m for m, _ in model.small_for["n"]].index("a") >= 6
    assert "of" not in likely("or") and "be" not in likely("lie") and "the" not in likely("tile")
    assert not likely("the") and not likely("and")


def test_a_books_pages_are_dealt_into_one_fold():
    """Held-out figures deal sources, not pages, into folds: ICDAR's eng_monograph_81 is 57 page files,
    a third of the set, and dealt page by page each held-out page had its book's habits learned from its
    neighbours. Every page of a book falls in one fold; single documents alternate as before."""
    from pipeline.correct import learn
    names = sorted(p.name for p in (learn.BENCHMARKS / "icdar2017_en" / "ocr").glob("*.txt"))
    if not names:
        import pytest
        pytest.skip("../shared/benchmarks not present")
    number = learn.source_numbers(names)
    books: dict[str, set[int]] = {}
    for n in names:
        books.setdefault(learn.source_of(n), set()).add(number[n] % 2)
    assert learn.source_of("eng_monograph_81_p005.txt") == "eng_monograph_81" == learn.source_of("eng_monograph_81.txt")
    assert len([n for n in names if learn.source_of(n) == "eng_monograph_81"]) > 50
    assert all(len(folds) == 1 for folds in books.values())
    assert {f for folds in books.values() for f in folds} == {0, 1}
    held = {n for _, n, _, _ in learn.documents(("icdar2017_en",), fold=0)}
    assert held and all(number[n] % 2 == 0 for n in held)


def test_scans_teach_the_cyrillic_confusions_and_leave_the_latin_ones(tmp_path):
    """pipeline/data/ocr_scans.json (Tesseract's reading of scanned Russian pages, benchmarks/scanned_bench.py
    --learn) is merged into the learned counts: the shipped model's Cyrillic confusions rest on it ("т" read
    "г", "п" read "н"), and its Latin ones are exactly those the dev sets alone give; a Latin pair or letter
    group in the file is one clear error naming it."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert data["provenance"]["scans"]["file"] == "pipeline/data/ocr_scans.json"
    rows = {(c["meant"], c["printed"]): c for c in data["confusions"]}
    assert rows[("т", "г")]["count"] >= 50 and rows[("п", "н")]["source"] == "prior+learned"
    hand = json.loads((learn.DATA / "ocr_priors.json").read_text(encoding="utf-8"))
    classes = [learn.ClassPrior.model_validate(c) for c in hand.get("classes", [])]
    alone = learn.build(learn.count(list(learn.documents())), hand["priors"], {}, classes=classes)
    cyrillic = regex.compile(r"\p{Cyrillic}")
    latin = {(c["meant"], c["printed"]): c for c in alone["confusions"] if not cyrillic.search(c["meant"] + c["printed"])}
    assert latin == {k: c for k, c in rows.items() if not cyrillic.search(k[0] + k[1])}
    assert alone["unseen_edit_p"] == data["unseen_edit_p"] and alone["word_error_rate"] == data["word_error_rate"]
    for bad, said in (({"meant": "e", "printed": "c", "count": 5}, "not Cyrillic letters for Cyrillic letters"),
                      ({"meant": "т", "printed": "", "count": 5}, "confusions")):
        path = tmp_path / "ocr_scans.json"
        path.write_text(json.dumps({"provenance": {}, "confusions": [bad], "grams": {}}), encoding="utf-8")
        with pytest.raises(EditionError, match=said):
            learn.merge_scans({"conf": {}, "grams": {}}, path)
    path.write_text(json.dumps({"provenance": {}, "confusions": [], "grams": {"e": 3}}), encoding="utf-8")
    with pytest.raises(EditionError, match="not a group of Cyrillic letters"):
        learn.merge_scans({"conf": {}, "grams": {}}, path)
