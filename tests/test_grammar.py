"""Stage grammar: Russian words in a form their neighbours exclude (pymorphy3), on the real
Russian original and on the examples of pipeline/data/ru_grammar.toml."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import EditionError
from pipeline.stages import grammar
from pipeline.stages.grammar import TOKEN, check, load_grammar

RULES = {"prepositions": "grammar.government", "agreement": "grammar.agreement", "locative": "grammar.locative"}


def queries_of(phrase: str):
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(phrase)]
    return check(phrase, tokens, load_grammar())


def examples():
    g = load_grammar()
    for p in g.prepositions:
        for ok in p.right:
            yield "prepositions", ok, True
        for bad in p.wrong:
            yield "prepositions", bad, False
    for section in ("agreement", "locative"):
        data = getattr(g, section)
        yield from ((section, ok, True) for ok in data.right)
        yield from ((section, bad, False) for bad in data.wrong)


@pytest.mark.parametrize("section,phrase,right", list(examples()))
def test_data_examples(section, phrase, right):
    """Every example of the data file: a right phrase passes, a wrong one is queried by its check."""
    rules = [q.rule for q in queries_of(phrase)]
    if right:
        assert rules == [], f"{phrase!r} is correct Russian but got {rules}"
    else:
        assert RULES[section] in rules, f"{phrase!r} is wrong but got {rules}"


def test_agreement_suggests_the_agreeing_form():
    q = queries_of("войти в своей классовый орган")
    assert [x.text for x in q] == ["своей"] and q[0].suggestions[0] == "свой"


def test_pre_reform_spelling_is_not_corrected():
    """Pre-1918 spelling is unknown to the dictionary: never judged, never 'corrected'."""
    assert queries_of("Рабочій классъ въ Россіи боролся за свои права и въ своей работѣ.") == []


def test_bad_grammar_data_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "ru_grammar.toml"
    bad.write_text('[[prepositions]]\nwords = ["от"]\ncases = ["genitive"]\n'
                   '[agreement]\n[locative]\nprepositions = ["в"]\n', encoding="utf-8")
    with pytest.raises(EditionError) as exc:
        load_grammar.__wrapped__(bad)
    assert "ru_grammar.toml" in str(exc.value) and "genitive" in str(exc.value)


# -- the real Russian original --------------------------------------------------------

@pytest.fixture(scope="module")
def ru_queries(cleaned):
    c = cleaned["kollontai-ru"]
    return [q for q in c.queries if q.rule.startswith(("grammar.", "punctuation."))]


def _find(queries, rule: str, text: str):
    found = [q for q in queries if q.rule == rule and q.text == text]
    assert found, f"no {rule} query on {text!r}; got {[(q.rule, q.text) for q in queries]}"
    return found[0]


@pytest.mark.parametrize("rule,text,suggestion,context", [
    # adjective and noun that do not agree
    ("grammar.agreement", "своей", "свой", "войти в своей классовый орган"),
    ("grammar.agreement", "своей голос", "свой голос", "подняла своей голос против"),
    ("grammar.agreement", "этой вопросе", "этом вопросе", "И в этой вопросе партийные верхи"),
    ("grammar.agreement", "Рабочая оппозиции", "Рабочая оппозиция", "стоит Рабочая оппозиции"),
    # a preposition with the wrong case
    ("grammar.government", "от коллектив", "от коллектива", "оторванная от коллектив"),
    ("grammar.government", "по существо", "по существу", "но по существо социально"),
    ("grammar.government", "в порядку", "в порядок", "органы в порядку"),
    # a preposition misread: the locative with no preposition («и» for «в»)
    ("grammar.locative", "и советских органах", "в советских органах", "работников и советских органах"),
    # a verb form that does not exist
    ("grammar.rare-form", "сумет", "сумеет", "производства сумет вдруг выскочить"),
    # a word doubled
    ("punctuation.doubled", "в партию в партию", "в партию", "влились в партию в партию в первый"),
])
def test_russian_seed_errors_are_queried(ru_queries, rule, text, suggestion, context):
    q = _find(ru_queries, rule, text)
    assert suggestion in q.suggestions
    assert " ".join(context.split()) in " ".join(q.context.split())


def test_russian_queries_are_few_and_never_edits(cleaned):
    c = cleaned["kollontai-ru"]
    mine = [q for q in c.queries if q.rule.startswith(("grammar.", "punctuation."))]
    words = len(c.text.split())
    assert len(mine) <= words / 100  # within the budget of one query per 100 words
    assert not [ch for ch in c.changes if ch.stage in ("grammar", "punctuation")]


def test_english_witness_is_not_parsed_as_russian(cleaned):
    assert not [q for q in cleaned["kollontai-en-dreadnought"].queries if q.rule.startswith("grammar.")]


def test_parses_are_cached():
    grammar.analyse.cache_clear()
    queries_of("в своей классовый орган и в своей классовый орган")
    info = grammar.analyse.cache_info()
    assert info.hits >= 4 and info.currsize <= 6


def test_fragment_of_a_word_is_queried_with_the_words_it_ends(resources):
    """A word whose beginning was lost («озиции» of «оппозиции»): in no paradigm, the end of
    known words; an editor's expansion in brackets («опп[озиции]») is read in, never queried."""
    from pipeline.context import Context
    from pipeline.model import Witness
    w = Witness(id="t", file="t.txt", language="ru", work="t", role="original", origin="file")
    ctx = Context(w, resources, {})
    qs = grammar.run("тезисы рабочей озиции о профсоюзах", ctx).queries
    assert [(q.rule, q.text) for q in qs] == [("grammar.fragment", "озиции")]
    assert "оппозиции" in qs[0].suggestions
    assert grammar.run("тезисы раб[очей] опп[озиции] о профсоюзах", ctx).queries == []


def test_plain_words_are_read_as_wordfreq_tokenises_them():
    """The Zipf figure of a plain lower-case word is read straight from the table (pipeline.lexicon
    `_PLAIN`), on the premise that wordfreq's tokenizer gives such a word back as it is: checked
    on words across both lists and every letter. A word with anything else (a capital, an
    apostrophe) still goes through the tokenizer."""
    import wordfreq

    from pipeline.lexicon import _PLAIN, shared, wordfreq_zipf
    for lang, letters in (("ru", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"), ("en", "abcdefghijklmnopqrstuvwxyz")):
        table = shared(lang)._freq
        words = [w for k, w in zip(range(200_000), table) if k % 97 == 0 and _PLAIN[lang].fullmatch(w)]
        words += [letters[:3] + c for c in letters]
        assert len(words) > 1500
        for w in words:
            assert wordfreq.lossy_tokenize(w, lang) == [w], w
    assert not _PLAIN["ru"].fullmatch("Москва") and not _PLAIN["en"].fullmatch("don't")
    assert wordfreq_zipf("Москва", "ru") == wordfreq_zipf("москва", "ru") > 3.0  # through the tokenizer: case folded
    assert wordfreq_zipf("щъщъщ", "ru") == 0.0


def test_a_witness_keeps_what_was_parsed_for_its_next_run(tmp_path, monkeypatch):
    """The stage keeps its analyses of a catalogued witness's words (the forms its queries inflect,
    its verdicts on rare forms and fragments) in the project's run cache: the next run reads them
    and asks pymorphy3 nothing, and asks the same queries; a memo made by other code is not read."""
    from pipeline.context import Context, Resources
    from pipeline.model import Witness
    text = (Path(__file__).resolve().parents[1] / "clean" / "kollontai-ru.txt").read_text(encoding="utf-8")[:40_000]
    w = Witness(id="kollontai-ru", file="k.txt", language="ru", work="k", role="original")
    ctx = Context(w, Resources(tmp_path), {})
    asked = []
    parses = grammar.parses
    monkeypatch.setattr(grammar, "parses", lambda word: asked.append(word) or parses(word))

    def run() -> list:
        grammar.analyse.cache_clear()
        asked.clear()
        return [(q.start, q.end, q.text, q.suggestions, q.reason, q.rule) for q in grammar.run(text, ctx).queries]

    first = run()
    words = len(asked)
    assert words > 1000 and first and list((tmp_path / ".edition-cache" / "grammar").glob("kollontai-ru.*"))
    with monkeypatch.context() as m:
        m.setattr(grammar, "morph", lambda: pytest.fail("pymorphy3 asked"))
        parses.cache_clear()
        assert run() == first and asked == []
    import pipeline.cache
    monkeypatch.setattr(pipeline.cache, "code_version", lambda: "other code")
    assert run() == first and len(asked) == words
