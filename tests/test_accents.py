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
