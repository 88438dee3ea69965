"""Garbled places no other doubt names (pipeline/correct/garble.py): lone letters, forms that are no
words, odd marks between words, each a query (never a fix) scored by the damage around it."""
from __future__ import annotations

from pipeline.correct import garble
from pipeline.correct.align import TOKEN
from pipeline.stages import detect
from tests.conftest import en_context, refused


def _tokens(text: str):
    toks = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    return [a for a, _ in toks], [b for _, b in toks]


def test_lone_letters_odd_marks_and_the_damage_around_them():
    text = ("the ca e of Mr J hn Smith .,' and J. Smith, a man I know; O God - 5s, £5 &c. "
            "See b) and (c), p. 31, i.e. the list, etc., and X.")
    starts, ends = _tokens(text)
    words = [text[a:b] for a, b in zip(starts, ends)]
    # "e" is no word; "a", "I", "O" are words, a capital alone an initial or a letter named ("J", "X"), and a
    # letter a full stop or bracket touches an abbreviation or a list's mark ("&c.", "b)", "(c)", "p.", "i.e.")
    letters = [w for a, w in zip(starts, words) if garble.lone_letter(w, text[a - 1:a], text[a + 1:a + 2], "en")]
    assert letters == ["e"]
    assert not garble.lone_letter("e", " ", " ", "ru")  # a language without its one-letter words: none
    # the marks after "Smith" are in no plain shape; ", ", "; ", " - ", " £", " &", "etc.," are
    assert [words[k] for k in garble.odd_marks(text, starts, ends)] == ["Smith"]
    # ... unless the text sets them often: its own convention
    thrice = "one .,' two .,' three .,' four"
    assert not garble.odd_marks(thrice, *_tokens(thrice)) and garble.odd_marks(thrice, *_tokens(thrice), most=3)
    found = garble.doubts(text, starts, ends, "en", lambda k: words[k] == "hn", bytearray(len(words)))
    assert [(text[a:b], rule) for a, b, rule, _, _ in found] == [
        ("e", garble.LETTER), ("hn", garble.FORM), ("Smith .,' and", garble.MARKS)]
    score = {text[a:b]: s for a, b, _, s, _ in found}
    # "hn" has "Smith" and "and", the odd marks between them, as 2 of its 4 neighbours; "e" none
    assert score["hn"] == 0.5 and score["e"] == 0.0
    # a place doubted already (a query or fix of detect on it) is not doubted again
    covered = bytearray(len(words))
    covered[words.index("e")] = 1
    again = garble.doubts(text, starts, ends, "en", lambda k: words[k] == "hn", covered)
    assert "e" not in [text[a:b] for a, b, _, _, _ in again]


def test_detect_queries_garbled_places_and_leaves_clean_prose_alone(resources):
    """A word in pieces and odd marks are queried; sound prose with initials and "a", "I", "O" is not."""
    text = ("The men followed him to the river, and the women followed them. "
            "Then the ca e was heard .,' and Mr J hn Smith came. J. Smith and I saw a man; O God, he said.")
    ctx = en_context(resources)
    ctx.policy = {**ctx.policy, "detect": {**ctx.policy.get("detect", {}), "max_queries": 1000.0,
                                           "merge_gap": -1}}
    r = detect.run(text, ctx)
    new = {(q.text, q.rule) for q in r.queries if q.rule in (garble.LETTER, garble.FORM, garble.MARKS, garble.RARE)}
    assert ("e", garble.LETTER) in new
    assert any(rule == garble.MARKS and ".,'" in t for t, rule in new)
    assert sum(q.rule == garble.LETTER for q in r.queries) == 1  # not "J", "I", "a", "O"
    assert not [e for e in r.edits if e.rule in (garble.LETTER, garble.FORM, garble.MARKS, garble.RARE)]  # never a fix
    for q in r.queries:
        if q.rule in (garble.LETTER, garble.FORM, garble.MARKS, garble.RARE):
            assert text[q.start:q.end] == q.text and not q.suggestions and "re-read it from the scan" in q.reason
    prose = ("The trade unions are a school of communism, and the workers learn there to manage "
             "industry. J. Smith and I saw a man; O God, he said (in 1921), and so it is.")
    r = detect.run(prose, ctx)
    assert not [q for q in r.queries if q.rule in (garble.LETTER, garble.FORM, garble.MARKS, garble.RARE)]


def test_a_rare_word_is_doubted_only_with_damage_beside_it():
    """"tho" beside a garble is a misreading as often as not; alone among sound words, or beside a doubt
    of a name only ("Partiinaya Zhizn"), a rare word is a word."""
    text = "the men tho qxzv went, and tho men went home; Partiinaya Zhizn was read"
    starts, ends = _tokens(text)
    words = [text[a:b] for a, b in zip(starts, ends)]
    def rare(k):
        return words[k] in ("tho", "Zhizn")
    found = garble.doubts(text, starts, ends, "en", lambda k: words[k] == "qxzv", bytearray(len(words)),
                          rare=rare)
    assert [(text[a:b], rule) for a, b, rule, _, _ in found] == [("tho", garble.RARE),
                                                                  ("qxzv", garble.FORM)]
    covered = bytearray(len(words))
    covered[words.index("Partiinaya")] = 1
    named = bytearray(len(words))
    named[words.index("Partiinaya")] = 1
    with_name = garble.doubts(text, starts, ends, "en", lambda k: False, covered, rare=rare)
    assert [text[a:b] for a, b, _, _, _ in with_name] == ["Zhizn"]  # any doubt beside it: damage
    assert not garble.doubts(text, starts, ends, "en", lambda k: False, covered, rare=rare, named=named)


def test_a_lone_letter_beside_another_languages_words_in_a_sound_print_is_not_asked(resources):
    """Lenin's notes cite a Russian title in transliteration ("K.P.S.S. v rezolutsiakh"): in a print as sound
    as that transcription, "v" beside "rezolutsiakh" (a word no English word is near) is the Russian
    preposition, not a garble; in a damaged print (the note alone) it is asked about."""
    from tests.conftest import ROOT
    note = "See K.P.S.S. v rezolutsiakh i resheniakh syezdov (The C.P.S.U. in the Resolutions, Part 1, 1954).\n"
    paragraphs = (ROOT / "clean" / "lenin-trade-unions.txt").read_text(encoding="utf-8").split("\n\n")
    sound = "\n\n".join(paragraphs[5:40]) + "\n\n" + note
    for text, asked in ((sound, False), (note, True)):
        queries = detect.run(text, en_context(resources, max_queries=1000.0)).queries
        at = text.index(" v ") + 1
        assert any(q.start <= at < q.end for q in queries) == asked


def test_the_garble_data_is_validated_and_read_per_language(tmp_path):
    """pipeline/data/garble.toml: English's one-letter words and abbreviations as shipped; a language it
    does not name has none; a maintainer's slip (a full stop kept, a two-letter "one-letter word") is
    one line naming the file and the key."""
    assert garble.one_letter_words("en") == frozenset("aio") and garble.one_letter_words("ru") is None
    assert {"etc", "viz"} <= garble.abbreviations("en") and not garble.abbreviations("ru")
    refused(garble.load_data, tmp_path / "garble.toml", (
        ('[one_letter_words]\nen = ["a", "io"]\n[abbreviations]\nen = ["etc"]\n', "garble.toml.*one_letter_words"),
        ('[one_letter_words]\nen = ["a"]\n[abbreviations]\nen = ["etc."]\n', "not a lower-case word")))


def test_a_lone_figure_between_words_is_asked_about():
    """A figure the OCR model reads for a one-letter word ("1": "I"), standing free between two words, is a
    query where detect's lone-digit weighing left it ("rifles 1 Who": a misread "!"); a figure beside a
    number, in a list of figures, touched by a mark or opening a line is left, and so is every figure not in
    `figures`."""
    text = ("ready your rifles 1 Who can tell, 1 look upon it; pages 1 2 3, in 1921 1 saw, 1.had it, and 5 men\n"
            "1 Background to the Debate")  # a figure opening a line numbers a heading
    starts, ends = _tokens(text)
    found = garble.doubts(text, starts, ends, "en", lambda k: False, bytearray(len(starts)),
                          figures=frozenset("1"))
    words = [text[a:b] for a, b in zip(starts, ends)]
    assert [(words[starts.index(a) - 1], words[starts.index(a) + 1], rule) for a, b, rule, _, _ in found] == [
        ("rifles", "Who", garble.FIGURE), ("tell", "look", garble.FIGURE)]
    assert not garble.doubts(text, starts, ends, "en", lambda k: False, bytearray(len(starts)))


def test_detect_asks_about_a_lone_figure_it_neither_fixed_nor_asked(resources):
    """In detect the figures are those the OCR model has learned as a one-letter word's misreading: "1" ("I")
    between words is a query (never a fix), its reason naming the word, the word offered before a small letter;
    a figure beside a number is not."""
    ctx = en_context(resources, max_queries=1000.0, merge_gap=-1)
    text = "He said that 1 look upon the matter as closed. Ready your rifles 1 Who can tell? In 1921 5 men came."
    r = detect.run(text, ctx)
    figures = [q for q in r.queries if q.rule == garble.FIGURE]
    assert [text[q.start - 5:q.end + 5] for q in figures] == ["that 1 look", "fles 1 Who "]
    assert all("a misread 'I'" in q.reason for q in figures)
    assert [q.suggestions for q in figures] == [["I"], []]  # before a capital as often a misread "!"
    assert not [e for e in r.edits if e.rule == garble.FIGURE]
