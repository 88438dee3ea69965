"""Accented misreadings (pipeline/correct/accents.py): "thé" for "the", on real OCR of the dev sets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.correct import accents
from pipeline.lexicon import shared as lexicon
from pipeline.stages import detect
from tests.conftest import en_context

ROOT = Path(__file__).resolve().parent.parent
ICDAR = ROOT.parent / "shared" / "benchmarks" / "icdar2017_en"


def test_a_repeated_accented_misreading_is_no_word_of_the_witness(resources):
    """An ICDAR page read with French marks ("thé" 14 times beside "the" 73): the witness's own count
    of "thé" and its pairs no longer vouch for it, and the noisy channel makes it "the" where the OCR printed it."""
    path = ICDAR / "ocr" / "eng_monograph_81_p001.txt"
    if not path.exists():
        pytest.skip("../shared/benchmarks not present")
    text = path.read_text(encoding="utf-8")
    ctx = en_context(resources)
    wt = detect._Witness(text, ctx, detect.Settings.of(ctx))
    assert wt.vocab["thé"] == 14 and wt.vocab["the"] > 50  # printed (and counted as printed) ...
    assert "thé" not in wt.context.vocab and wt.bigrams.get(("account", "thé")) == 0  # ... but no evidence of a word
    assert wt.bigrams.get(("of", "the")) > 0
    at = re.search(r"account\s+thé potency", text).end() - len("thé potency")
    k = list(wt.tokens.starts).index(at)
    verdict = detect._judge("thé", False, wt, detect._name_index(ctx), ctx, detect.Settings.of(ctx))
    post, _ = wt.posterior(k, "thé", None, verdict[3], shortcut=False)
    assert post[0][0] == "the" and post[0][1] > 0.99


def test_a_text_that_writes_its_accents_keeps_them():
    """A text writing "rôle" and "café" throughout (never "role", "cafe") keeps its own count; a mark the
    curated English list knows no word with is required, and the plain form must be the commoner word."""
    lex = lexicon("en")
    vocab = {"rôle": 4, "café": 3, "thé": 5, "the": 40, "hâve": 2, "have": 9, "naïve": 1, "naive": 0}
    assert sorted(accents.misread(vocab, lex)) == ["hâve", "thé"]
    assert accents.plain("génération") == "generation"
    assert "é" not in accents.english_letters() and "e" in accents.english_letters()


def test_a_repeated_letter_misreading_is_no_word_of_the_witness_where_the_witness_writes_the_word():
    """A word the OCR model makes likelier a misreading of another before context ("tho" of "the", "aud" of
    "and") counts for nothing in the context model where the witness prints that word at least as often; a
    form it writes more than the word ("acie" 5 times, "acre" twice), one used once, and a word no likelier
    misread than itself ("tie") keep their own count (detect._own_misreadings)."""
    lex = lexicon("en")
    ctx_st = detect.Settings()
    from pipeline.correct.model import shared as ocr_model
    vocab = {"tho": 6, "the": 80, "aud": 3, "and": 40, "acie": 5, "acre": 2, "bo": 1, "be": 9, "tie": 4}
    out = detect._own_misreadings(vocab, lex, ocr_model(), ctx_st)
    assert sorted(out) == ["aud", "tho"]


def test_the_witness_context_leaves_its_repeated_misreading_out(resources):
    """In a page that prints "tho" beside "the", "tho" and its pairs are no evidence of a word of the witness."""
    ctx = en_context(resources)
    text = ("We went to tho river and the bank. Tho men of the town saw tho boat on the water, and the "
            "others came to tho shore at the end of the day. ") * 2
    wt = detect._Witness(text, ctx, detect.Settings.of(ctx))
    assert wt.vocab["tho"] == 8 and "tho" not in wt.context.vocab and wt.bigrams.get(("to", "tho")) == 0
    off = detect._Witness(text, ctx, detect.Settings(own_misreadings=False))
    assert "tho" in off.context.vocab and off.bigrams.get(("to", "tho")) == 4
