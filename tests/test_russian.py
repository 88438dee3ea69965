"""Russian inflection, stated once (pipeline/russian.py): the endings' data file and its
examples, and the names pymorphy3 declines for detection and collation."""
from __future__ import annotations

import pytest

from pipeline.lexicon import Lexicon
from pipeline import russian
from pipeline.russian import load_endings, name_forms, nominative
from tests.conftest import refused


def test_every_example_of_the_endings_file_is_recognised_and_a_damaged_one_is_not():
    lex = Lexicon.load("ru")
    data = load_endings()
    assert data.derived
    for word in data.derived:
        assert lex.zipf(word) == 0.0 or lex.zipf(word) < 2.0, word  # absent or rare: the example tests something
        assert lex.derived(word), word
    assert lex.derived("крщмтвфыз") is None  # no stem of it is a word
    # a known stem with damage that leaves no ending is no form of it («говор» + «нт»; «значный»)
    assert lex.derived("говорнт") is None and lex.derived("значнт") is None


def test_a_bad_endings_file_is_one_clear_error(tmp_path):
    refused(load_endings.__wrapped__, tmp_path / "ru_endings.toml", (
        ('endings = ["а", "ов", "а"]\n', "listed twice: а"),
        ('endings = ["ing"]\n', "Cyrillic")))


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


def _derived_by_every_ending(lex: Lexicon, word: str, min_zipf: float = 2.0) -> str | None:
    """Lexicon.derived for Russian as it reads: every ending on every stem, looked up."""
    from pipeline.lexicon import fold
    from pipeline.russian import endings
    w = fold(word)
    if len(w) < 6:
        return None
    for cut in (1, 2, 3, 4):
        stem = w[:-cut]
        if len(stem) < 5:
            break
        if w[-cut:] not in endings():  # the reading's own letters after the stem are an ending
            continue
        for end in endings():
            if stem + end != w and lex.zipf(stem + end) >= min_zipf:
                return stem + end
    return None


def test_derived_reads_the_frequent_words_a_stem_begins_and_finds_what_every_ending_would(cleaned):
    """Lexicon.derived looks a Russian stem up among the frequent words that begin with it (a
    sorted list beside the word table) instead of trying each ending: the same answers, on the
    words of the Russian witness, at several thresholds."""
    import re
    lex = Lexicon.load("ru")
    words = sorted(set(re.findall(r"[а-яё]{6,}", cleaned["kollontai-ru"].text.lower())))[::4]
    words += ["крщмтвфыз", "коммунистическаяя", "пролетарск", "рабочего's"]
    found = [lex.derived(w) for w in words]
    assert sum(1 for f in found if f) > 100
    assert found == [_derived_by_every_ending(lex, w) for w in words]
    for min_zipf in (1.0, 3.0, 4.5):  # below the list's floor the table is asked directly
        assert [lex.derived(w, min_zipf) for w in words[:300]] == \
            [_derived_by_every_ending(lex, w, min_zipf) for w in words[:300]]


def test_a_sorted_word_file_gives_the_words_a_stem_begins(tmp_path):
    from pipeline.lexicon import SortedWords
    words = ["работа", "работать", "рабочий", "раб", "рыба", "ёж", "abc", "ab", "z"]
    path = tmp_path / "words"
    SortedWords.write(path, words)
    sw = SortedWords(path)
    assert sw.begun("раб") == {"работа", "работать", "рабочий", "раб"}
    assert sw.begun("рабо") == {"работа", "работать", "рабочий"}
    assert sw.begun("рабх") == set() and sw.begun("ё") == {"ёж"} and sw.begun("ab") == {"ab", "abc"}
    many = sw.begun("раб", most=2)  # past `most`: a range tested by bisection
    assert "работать" in many and "рабо" not in many and "рыба" not in many and many
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError):
        SortedWords(path)


def test_the_nominatives_of_a_works_names_are_kept_in_the_user_cache(tmp_path, monkeypatch):
    """know_nominatives: made once with pymorphy3 and kept (EDITION_CACHE), then read: a process
    that asks nothing else of pymorphy3 need not load it."""
    from pipeline import russian
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path))
    names = frozenset({"Бубликовы", "Троцкому", "Цюрупы"})
    for asked in (True, False):
        monkeypatch.setattr(russian, "_NOMINATIVES", {})
        russian.nominative.cache_clear()
        if not asked:
            monkeypatch.setattr(russian, "morph", lambda: pytest.fail("pymorphy3 loaded"))
        russian.know_nominatives(names)
        assert [russian.nominative(n) for n in sorted(names)] == ["Бубликов", "Троцкий", "Цюрупа"]
        assert len(list(tmp_path.glob("nominatives-*.json"))) == 1
    russian.nominative.cache_clear()


def test_hyphenation_keeps_the_dictionarys_answers_for_a_catalogued_russian_witness(tmp_path, monkeypatch):
    """Stage hyphenation asks pymorphy3 whether a rare Russian word joined at a line end is a word
    form; a catalogued witness keeps the answers (.edition-cache/hyphenation/): the next run makes
    the same edits and queries without pymorphy3."""
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    from pipeline.stages import hyphenation
    text = ("Во-\nпервых, советско-\nведомственной работы и хозяйственно-\nпроизводственным органам "
            "фабрично-\nзаводского комитета.\n")
    w = Witness(id="kollontai-ru", file="k.txt", language="ru", work="k", role="original")

    def run() -> list:
        r = hyphenation.run(text, Context(w, Resources(tmp_path), {}))
        return [(e.start, e.end, e.after, e.rule) for e in r.edits] + [(q.start, q.end, q.rule) for q in r.queries]

    first = run()
    assert first and list((tmp_path / ".edition-cache" / "hyphenation").glob("kollontai-ru.marshal"))
    monkeypatch.setattr(russian, "_known_form", lambda word: pytest.fail(f"pymorphy3 asked of {word}"))
    assert run() == first


def test_detect_reads_a_form_the_dictionary_has_as_a_word_and_keeps_the_answers(tmp_path, monkeypatch):
    """A Russian reading that no ending of a frequent stem explains is a non-word to weigh («говорнт»: «говор»
    and «нт»), unless pymorphy3's dictionary has it («побудителей»); a catalogued witness keeps the
    dictionary's answers (.edition-cache/dictionary/): the next run decides the same without pymorphy3."""
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    from pipeline.stages import detect
    text = ("Он говорнт, что рабочие массы были главными побудителями революции, и мы это знаем. "
            "Побудителей борьбы было много, а рабочий класс говорит сам за себя.\n")
    w = Witness(id="kollontai-ru", file="k.txt", language="ru", work="k", role="original")

    def run() -> list:
        r = detect.run(text, Context(w, Resources(tmp_path), {}))
        return [(text[e.start:e.end], e.after) for e in r.edits] + [(text[q.start:q.end], q.rule) for q in r.queries]

    first = run()
    flagged = {x[0] for x in first}
    assert "говорнт" in flagged and "Побудителей" not in flagged, first
    assert list((tmp_path / ".edition-cache" / "dictionary").glob("kollontai-ru.marshal"))
    monkeypatch.setattr(russian, "_known_form", lambda word: pytest.fail(f"pymorphy3 asked of {word}"))
    assert run() == first


def test_a_stage_holds_its_witness_memo_only_while_it_runs_even_if_it_fails(tmp_path, monkeypatch):
    """grammar's and hyphenation's memos of the witness being cleaned (pipeline.cache.HeldMemo):
    held while the stage runs on a catalogued Russian witness, the idle one (which keeps nothing)
    again after it, whether the run ended or raised."""
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    from pipeline.stages import grammar, hyphenation
    w = Witness(id="kollontai-ru", file="k.txt", language="ru", work="k", role="original")
    ctx = Context(w, Resources(tmp_path), {})
    seen = []

    def failing(*args, **kw):
        for kind in (grammar._Memo, hyphenation._Known):
            seen.append((kind.held.keeping, kind.held.memo.path))
        raise RuntimeError("stopped")

    monkeypatch.setattr(hyphenation, "_run", failing)
    monkeypatch.setattr(grammar, "check", failing)
    for stage in (hyphenation, grammar):
        with pytest.raises(RuntimeError):
            stage.run("Во-\nпервых, рабочих.\n", ctx)
    folder = tmp_path / ".edition-cache"
    assert seen == [(False, None), (True, folder / "hyphenation" / "kollontai-ru.marshal"),
                    (True, folder / "grammar" / "kollontai-ru.marshal"), (False, None)]
    assert all(kind.held is kind.idle and not kind.idle.keeping for kind in (grammar._Memo, hyphenation._Known))
    monkeypatch.undo()
    grammar.run("Во-\nпервых, рабочих.\n", ctx)
    assert grammar._Memo.held is grammar._Memo.idle and (folder / "grammar" / "kollontai-ru.marshal").is_file()


def test_two_russian_words_glued_are_asked_about_and_a_compound_is_not(tmp_path):
    """A Russian reading no word is one edit from, made of two common words with the first of five letters or
    more, is a lost space: a query with the split («смыслфилософии»); a compound whose first part is a short stem
    («трудреспублика») is left."""
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    from pipeline.stages import detect
    text = ("Вот в чем смыслфилософии всей, и никто не знает иного пути. "
            "Трудреспублика была создана в тот год, и рабочие массы приняли это.\n")
    w = Witness(id="t", file="t.txt", language="ru", work="t", role="original", origin="file")
    r = detect.run(text, Context(w, Resources(tmp_path), {}))
    glued = {text[q.start:q.end]: q.suggestions for q in r.queries if q.rule == "detect.glued"}
    assert glued == {"смыслфилософии": ["смысл философии"]}, glued
    assert not r.edits


def test_agreement_is_not_read_across_a_paragraph_break():
    """An adjective that ends a paragraph and a noun that begins the next are not a phrase."""
    from pipeline.stages import grammar
    text = "Он был здоровенная\n\nВремя шло быстро, и своей классовый орган он не нашел.\n"
    tokens = [(m.start(), m.end(), m.group()) for m in grammar.TOKEN.finditer(text)]
    found = [q.text for q in grammar.check(text, tokens, grammar.load_grammar())]
    assert found == ["своей"], found  # the query of a run of adjectives is its odd one


def test_a_print_that_spells_with_yo_is_not_asked_to_drop_it(cleaned, tmp_path):
    """The Russian original re-spelt with «ё» in «ещё» and every other «её» (51 words of 14,470: a print that
    spells with it, not always): detect offers no reading that differs from the printed word only in «ё» and
    «е»; the original as printed (no «ё» at all) is no such print, and there a stray «её» may be a misreading."""
    import re
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    from pipeline.stages import detect
    text = cleaned["kollontai-ru"].text
    turn = iter(range(10**6))
    yo = re.sub(r"\bеще\b", "ещё", re.sub(r"\bее\b", lambda m: "её" if next(turn) % 2 else "ее", text))
    w = Witness(id="t", file="t.txt", language="ru", work="t", role="original", origin="file")
    ctx = Context(w, Resources(tmp_path), {})
    st = detect.Settings.of(ctx)
    spelt, plain = detect._Witness(yo, ctx, st), detect._Witness(text.replace(" ее ", " её ", 1), ctx, st)
    assert spelt.prints_yo and not plain.prints_yo
    # such a print's variants drop the other spelling of the reading (whatever the OCR model offers: learned from
    # Tesseract's Russian, it reads «ё» as «е» now and then and never the reverse)
    assert detect._not_yo_spellings("её", [("ее", 1.0), ("ей", 2.0)]) == [("ей", 2.0)]
    assert detect._not_yo_spellings("все", [("всё", 1.0), ("вся", 2.0)]) == [("вся", 2.0)]
    r = detect.run(yo, ctx)
    only_yo = [(yo[q.start:q.end], s) for q in r.queries for s in q.suggestions
               if s.lower().replace("ё", "е") == yo[q.start:q.end].lower().replace("ё", "е")]
    assert not only_yo and not [e for e in r.edits if "ё" in yo[e.start:e.end]], only_yo


def test_a_rare_dictionary_form_is_asked_about_only_where_a_near_word_is_likelier(cleaned):
    """In the Russian original «органы мешанного состава» (a form pymorphy3's dictionary has, of «мешаный»)
    is asked about, with the witness's own «смешанного» (twice «смешанного состава»); «сметку», «почуем»,
    «прислушивание», dictionary forms a near word does not outrank, are not; none is changed."""
    c = cleaned["kollontai-ru"]
    asked = {q.text: q.suggestions for q in c.queries if q.rule == "detect.nonword"}
    assert asked.get("мешанного", [None])[0] == "смешанного", asked
    assert not {"сметку", "почуем", "прислушивание"} & set(asked)
    assert not [ch for ch in c.changes if ch.before in ("мешанного", "сметку", "почуем", "прислушивание")]
