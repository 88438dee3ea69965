"""Stage punctuation: quote balance, misread commas and doubled words, on the real witnesses
and on the examples of pipeline/data/punctuation.toml."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.context import Context, Resources
from pipeline.errors import EditionError
from pipeline.model import Witness
from pipeline.stages import punctuation

ROOT = Path(__file__).resolve().parent.parent


def run(text: str, language: str = "en", quotes: str = "keep"):
    res = Resources(ROOT)
    w = Witness(id="t", file="t.txt", language=language, work="t", role="original", origin="file")
    ctx = Context(w, res, {"typography": {"quotes": quotes}})
    return punctuation.run(text, ctx).queries


def rules(text: str, language: str = "en") -> list[tuple[str, str]]:
    return [(q.rule, q.text) for q in run(text, language)]


# -- quotes -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "He said \"no\" and left. She said 'yes' too.",
    "The workers' control is 'real' here; don't doubt it, it's the '90s.",
    "'Tis the season, and 'em that know say so.",
    "He said: \"Comrades, the first part.\n\n\"And the second part, which closes.\"",  # one quotation, two paragraphs
    "Он сказал: «рабочая оппозиция – это „классовая“ сила».",
    "Зиновьев добавляет: “Профсоюзы выполняют работу”, и всё.",
])
def test_balanced_quotes_are_not_queried(text):
    lang = "ru" if any("\u0400" <= c <= "\u04ff" for c in text) else "en"
    assert [r for r in rules(text, lang) if r[0].startswith("punctuation.quote")] == []


def test_elisions_of_the_data_file_are_apostrophes():
    data = punctuation.load_data()
    for e in data.elisions:
        assert rules(f"and so 'x' said '{e} again, no more.") == [], e


def test_unclosed_and_unopened_quotes_are_queried():
    assert rules("He said \"no and left. Then he came back.") == [("punctuation.quote-opening", '"')]
    # (a pair is checked where the witness uses both its marks)
    assert rules("«Верхи» и, по словам тов. Ленина, «вобрал в себя энергию класса, не удосужилась", "ru") == [
        ("punctuation.quote-opening", "«")]
    assert rules("It was the end of the road' for them.") == [("punctuation.quote-closing", "'")]


def test_dreadnought_quotes(cleaned):
    """The Dreadnought's straight quotes (policy 'straight'), real sentences."""
    qs = [q for q in cleaned["kollontai-en-dreadnought"].queries if q.rule.startswith("punctuation.quote")]
    where = {(q.text, " ".join(q.context.split())) for q in qs}
    # a stray opening quote before a word nobody quotes
    assert any("Class 'instinct quite correctly" in c for _, c in where)
    # a closing quote whose opening one was lost
    assert any("the poor peasant', brought us" in c for _, c in where)
    # a closing quote set as an opening one: 'schools for Communism 'and no more
    assert any("'schools for Communism 'and no more" in c for _, c in where)
    # well-formed quotations in the same witness are left alone
    assert not any("'suffer and wait'" in c and "Why?" not in c for _, c in where)


def test_russian_unclosed_guillemet(cleaned):
    qs = [q for q in cleaned["kollontai-ru"].queries if q.rule == "punctuation.quote-opening"]
    assert any("по словам тов. Ленина, «вобрал в себя" in " ".join(q.context.split()) for q in qs)


# -- a comma misread as '?' or ':' ----------------------------------------------------------

def test_question_mark_for_comma_in_the_dreadnought(cleaned):
    """'?' read for ',' is queried once per place (by this stage; detect.punct asks about '.')."""
    qs = {q.text: q for q in cleaned["kollontai-en-dreadnought"].queries
          if q.rule in ("punctuation.comma", "detect.punct")}
    for text in ("? formerly", "? it", "? than"):
        assert text in qs, sorted(qs)
        assert qs[text].suggestions[0] == ", " + text[2:]
    assert "along the roundabout path of adaptation? formerly condemned" in " ".join(qs["? formerly"].context.split())
    spans = [(q.raw_start, q.raw_end) for q in cleaned["kollontai-en-dreadnought"].queries
             if q.rule in ("punctuation.comma", "detect.punct")]
    assert len(spans) == len(set(spans))  # never asked twice


def test_question_mark_before_lower_case_in_russian():
    qs = run("Кто же будет творцом? тот класс, который", "ru")
    assert [(q.rule, q.text, q.suggestions) for q in qs] == [
        ("punctuation.comma", "? тот", [", тот", "? Тот"])]


def test_colon_before_a_clause_continuation_only():
    assert rules("This is, moreover: which the essence is.") == [("punctuation.comma", ": which")]
    assert rules("We turn to the question: how did it come about?") == []
    assert rules("Вопрос: что же надо сделать?", "ru") == []


# -- doubled words ------------------------------------------------------------------------

def test_doubled_words():
    # real OCR: overproof_smh_dev (Sydney Morning Herald) and the Russian original
    assert rules("a large mass of solid rock to be operated upon, It it is intended to employ steam") == [
        ("punctuation.doubled", "It it")]
    assert rules("элементы из нерабочей среды влились в партию в партию в первый период", "ru") == [
        ("punctuation.doubled", "в партию в партию")]
    assert rules("And the the workers went on.") == [("punctuation.doubled", "the the")]
    # grammar, a name, initials: not damage
    assert rules("He said that that was all; he had had enough.") == []
    assert rules("Mr R Hamilton of Wagga Wagga and F A A. Milson.") == []


def test_doubled_in_lenin_is_grammar(cleaned):
    """Lenin: 'that that' is English grammar (pipeline/data/punctuation.toml [doubled])."""
    qs = [q for q in cleaned["lenin-trade-unions"].queries if q.rule == "punctuation.doubled"]
    assert qs == []


def test_bad_data_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "punctuation.toml"
    bad.write_text('elisions = []\n[doubled]\n[quotes]\nen = [["<<", ">>"]]\n[comma]\nmarks.en = [":"]\n', encoding="utf-8")
    with pytest.raises(EditionError) as exc:
        punctuation.load_data.__wrapped__(bad)
    assert "punctuation.toml" in str(exc.value) and "one character" in str(exc.value)


def test_stage_makes_no_edits(cleaned):
    for c in cleaned.values():
        assert not [ch for ch in c.changes if ch.stage == "punctuation"]
