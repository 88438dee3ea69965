"""Russian printed before the spelling reform of 1917-18 (pipeline/correct/prereform.py): the data
file's examples, the measure of a witness's spelling, and the real Russian original set in the old
spelling cleaned as a file: its spelling is no damage, its real errors are still found."""
from __future__ import annotations

import re
import pytest

from pipeline.context import Resources
from pipeline.correct import prereform
from pipeline.model import Witness
from pipeline.run import clean_witness
from tests.conftest import ROOT, refused

_CONSONANTS = "бвгджзклмнпрстфхцчшщ"


def old_spelling(text: str) -> str:
    """A modern Russian text set as before 1918, by the reform's two regular rules: "і" for "и" before a
    vowel or "й", a hard sign after a final consonant (the lexical "ѣ" and the endings are left)."""
    def word(m: re.Match) -> str:
        w = re.sub(r"и(?=[аеёиоуыэюяй])", "і", m.group())
        w = re.sub(r"И(?=[аеёиоуыэюяйАЕЁИОУЫЭЮЯЙ])", "І", w)
        if w[-1].lower() in _CONSONANTS:
            w += "Ъ" if w.isupper() and len(w) > 1 else "ъ"
        return w
    return re.sub(r"[А-Яа-яЁё]+", word, text)


@pytest.mark.parametrize("ending", prereform.load().ending, ids=lambda e: e.example)
def test_every_ending_example_is_read_in_its_modern_form(ending):
    old, new = ending.example.split(" -> ")
    assert old.endswith(ending.old) and prereform.modern(old) == new


def test_old_letters_and_the_final_hard_sign_are_read_as_now():
    assert [prereform.modern(w) for w in ("въ", "Какъ", "ВЪ", "дѣло", "революціонной", "Ѳеодоръ", "мѵро")] == \
        ["в", "Как", "В", "дело", "революционной", "Феодор", "миро"]
    # a word that is already a dictionary word keeps its ending ("воспитанія" is "воспитания", not "воспитание")
    assert prereform.modern("воспитанія") == "воспитания" and prereform.modern("революція") == "революция"
    assert prereform.modern("кровь") == "кровь" and prereform.modern("подъезд") == "подъезд"


def test_a_witness_spells_old_only_when_its_own_words_show_it():
    text = (ROOT / "raw" / "kollontai-ru.txt").read_text(encoding="utf-8")
    assert not prereform.spells_old(text)
    # a modern text with some "ъ" misread for "ь" at word ends is still modern
    stray = text + " кровъ" * 3 + " новъ" * 2 + " сталъ" * 4
    assert not prereform.spells_old(stray)
    assert prereform.spells_old(old_spelling(text))
    assert not prereform.spells_old("въ въ въ домъ домъ")  # too few words to tell
    # the words it counts: two letters or more, ending in the hard sign or a consonant
    assert not prereform.spells_old("ъ " * 40) and prereform.spells_old("домъ " * 20 + "дом " * 20)
    assert not prereform.spells_old("домъ " * 19 + "дом " * 21)


def test_a_bad_spelling_file_is_one_clear_error(tmp_path):
    refused(prereform.load.__wrapped__, tmp_path / "ru_prereform.toml", (
        ('min_share = 0.5\nmin_words = 20\n[letters]\n"ѣ" = "ее"\n', "one lower-case letter for one"),
        ('min_share = 2\nmin_words = 20\n[letters]\n', "min_share"),
        ('min_share = 0.5\nmin_words = 20\n[letters]\n[[ending]]\nold = "аго"\nnew = "ого"\nexample = "x"\n',
         "example")))


@pytest.fixture(scope="module")
def both():
    """Kollontai's pamphlet (the seed's raw text) cleaned as a file, as printed and set in the old spelling."""
    res = Resources(ROOT)
    raw = (ROOT / "raw" / "kollontai-ru.txt").read_text(encoding="utf-8")
    w = Witness(id="scan", file="scan.txt", language="ru", work="scan", role="original", origin="file")
    return clean_witness(raw, w, res), clean_witness(old_spelling(raw), w, res)


def test_an_old_print_is_not_asked_about_its_spelling_and_its_errors_are_still_found(both):
    """Before: the pamphlet in the old spelling had 243 queries against the modern print's 50, most of them
    its own spelling made modern ("революціонной": "революционной") or the grammar misreading "въ" (no
    preposition before a locative: "центре"). Now it has no more queries than the modern print, none
    suggests the word's own modern form, and the errors the proofreader found are asked in both."""
    modern, old = both
    words = lambda q: re.sub(r"\s+", " ", q.text)  # noqa: E731
    assert len(old.queries) <= len(modern.queries) * 1.1
    spelled = [q for q in old.queries if q.suggestions and q.suggestions[0] == prereform.modern(q.text)]
    assert spelled == []
    for found in ("в партию в партию", "от коллектив", "своей голос", "сумет"):
        assert any(words(q) == found for q in modern.queries), found
        assert any(words(q) == old_spelling(found) for q in old.queries), found
    locatives = lambda r: [q for q in r.queries if q.rule == "grammar.locative"]  # noqa: E731
    assert len(locatives(old)) <= len(locatives(modern))
