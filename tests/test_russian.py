"""Russian inflection, stated once (pipeline/russian.py): the endings' data file and its
examples, and the names pymorphy3 declines for detection and collation."""
from __future__ import annotations

import pytest

from pipeline.errors import EditionError
from pipeline.lexicon import Lexicon
from pipeline.russian import load_endings, name_forms, nominative


def test_every_example_of_the_endings_file_is_recognised_and_a_damaged_one_is_not():
    lex = Lexicon.load("ru")
    data = load_endings()
    assert data.derived
    for word in data.derived:
        assert lex.zipf(word) == 0.0 or lex.zipf(word) < 2.0, word  # absent or rare: the example tests something
        assert lex.derived(word), word
    assert lex.derived("крщмтвфыз") is None  # no stem of it is a word


def test_a_bad_endings_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "ru_endings.toml"
    bad.write_text('endings = ["а", "ов", "а"]\n', encoding="utf-8")
    with pytest.raises(EditionError, match="listed twice: а"):
        load_endings.__wrapped__(bad)
    bad.write_text('endings = ["ing"]\n', encoding="utf-8")
    with pytest.raises(EditionError, match="Cyrillic"):
        load_endings.__wrapped__(bad)


@pytest.mark.parametrize("declined, nom", [("Бубликовы", "Бубликов"), ("Троцкому", "Троцкий"), ("Цюрупы", "Цюрупа"),
                                           ("Ленина", "Ленин"), ("Наркомтруда", "Наркомтруд"), ("ВЦИКа", "ВЦИК")])
def test_a_declined_name_has_its_nominative(declined, nom):
    assert nominative(declined) == nom


def test_a_names_forms_are_its_own_paradigm():
    assert {"шляпников", "шляпникова", "шляпниковым"} <= name_forms("Шляпников")
    assert "шляпник" not in name_forms("Шляпников")  # the hat-maker is another word
    assert {"троцкий", "троцкого", "троцкому"} <= name_forms("Троцкий")
    assert "советы" not in name_forms("Советов")  # a surname, not the soviets
    assert name_forms("Песталоцци") == {"песталоцци"}
