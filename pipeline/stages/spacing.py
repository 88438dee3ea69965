"""Stage *spacing*: spaces around punctuation, apostrophes and quotes; glued words.

OCR and careless reflows leave spacing damage that no reader wants:

* a space before punctuation: "assert itself ." -> "assert itself.",
  "the question : who" -> "the question: who", "(Lenin )" -> "(Lenin)";
* a missing space after it: "3.The growing" -> "3. The growing", "production,of" -> "production, of",
  "programme.The peasant" -> "programme. The peasant", "1921;Published" ->
  "1921; Published", "1)Создать" -> "1) Создать";
* glued words: "inApril" -> "in April";
* stray spaces at apostrophes: "Trotsky ’s" -> "Trotsky’s", "Workers ' Opposition"
  -> "Workers' Opposition";
* a missing space at a straight quote: 'the "Workers' Opposition"and the' ->
  '… Opposition" and the';
* runs of spaces inside a line.

Spaced ellipses (". . .", "…") and editorial brackets ("дек[абря ? г.]") are left alone.
Which of these a witness gets is edition policy (config/policy.toml, [spacing]): an old
print may set " ," and " ?" on purpose, and the plain-file profile keeps what it prints.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import Callable, Iterator

from pipeline.context import Context
from pipeline.correct.model import OcrModel, shared as ocr_model
from pipeline.model import Edit, StageResult
from pipeline.stages import Settings, settings, stage

# Each fix finds its candidates from a literal or a rare mark the regex engine jumps to (a
# pattern opening with a look-behind or a letter class is tried at every position of the
# text); what must stand before the match is checked in Python.
_SPACE_DOT_CAPITAL = re.compile(r" \.(?=[A-ZА-ЯЁ][a-zа-яё])")
# a space before a mark (not before a spaced ellipsis ". . ." or "...")
_SPACE_PUNCT = re.compile(r" (?:[,;:?!)]|\.(?! ?\.))(?!\w)")
_OPEN_BRACKET_SPACE = re.compile(r"[(\[]( +)(?=\w)")
_NO_SPACE_AFTER = re.compile(r"([.?!;:,])(?=[A-ZА-ЯЁ][a-zа-яё])")
# a comma glued to the next word: "production,of labour" (not "1,000", not "A,B")
_NO_SPACE_AFTER_COMMA = re.compile(r",(?=[a-zа-яё]{2})")
# "3.The", "1)Создать", "1921;Published": the mark, then the number before it
_NUMBER_MARK = re.compile(r"[.);](?=[A-ZА-ЯЁ][a-zа-яё])")
# "inApril": a capitalised word glued to a small letter before it
_CAPITALISED = re.compile(r"[a-z][A-Z][a-z]{2,}\b")
_ALONE = re.compile(r"\b[A-Z][a-z]{2,}\b")
_SPACE_APOSTROPHE_S = re.compile(r" [’'](?:s|t|ll|re|ve|d|m)\b")
_SPACE_POSSESSIVE = re.compile(r" ' [A-Za-z]")
_DOUBLE_SPACE = re.compile(r"  +(?=\S)")
# a closing quote glued to an opening bracket: 'is changed"(from Shliapnikov's report'
# (not after a single quote: "it is'(too early'" is an opening quote misread as "(")
_BRACKET = re.compile(r"\((?=\w)")
_QUOTE_BEFORE_2 = re.compile(r"[\w.,;:?!][\"”]")
_QUOTE_BEFORE_3 = re.compile(r"\w''")

_WORD_END = re.compile(r"[\w'’\")\]»”]")
_WORD_CHAR = re.compile(r"\w")
_SMALL = re.compile(r"[a-zа-яё]")
_SMALL_2 = re.compile(r"[a-zа-яё]{2}")
_LETTERS_2 = re.compile(r"[^\W\d_]{2}")
_PLURAL_S = re.compile(r"[a-z]s")
_LETTERS = re.compile(r"[^\W\d_]*")


class SpacingSettings(Settings):
    """[default.spacing] and its layers in config/policy.toml."""

    remove_space_before: str = ",.;:?!)"  # marks a space before is removed from
    space_after_sentence: bool = True  # "programme.The" -> "programme. The"
    keep_document_spacing: bool = False  # a mark the document itself sets after a space (" ;") keeps it


# A fix yields (start, end, replacement, rule, note, confidence) on the text; the first fix to
# claim a character keeps it (FIXES is in order of precedence).
Found = Iterator[tuple[int, int, str, str, str, float]]


@dataclass
class _Spacing:
    """What the fixes of one witness share: its text, policy and language."""

    text: str
    remove_before: str
    sentence_glue: bool
    language: str
    zipf: Callable[[str], float]
    model: OcrModel | None = None

    def is_word(self, word: str, min_zipf: float = 2.5) -> bool:
        return len(word) > 0 and self.zipf(word.lower()) >= min_zipf


@stage("spacing", leaves=("layout",), kinds=("spacing",), settings=SpacingSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Repair spacing around punctuation, apostrophes and quotes, and glued words."""
    st = settings("spacing", ctx)
    spaced = spaced_marks(text)
    remove_before = st.remove_space_before
    if st.keep_document_spacing:
        # a mark the document itself sets after a space (" ;", " ?" in an old print) keeps it
        remove_before = "".join(ch for ch in remove_before if ch not in spaced)
    ctx.facts.setdefault("layout", {}).setdefault("conventions", {})["space_before"] = "".join(sorted(spaced))
    sp = _Spacing(text, remove_before, st.space_after_sentence, ctx.language,
                  ctx.resources.lexicon(ctx.language).zipf, ocr_model() if ctx.language == "en" else None)
    # editorial brackets ("дек[абря ? г.]") and URLs, addresses, identifiers, formulas stay as printed
    taken = _either(_editorial_brackets(text), _tokens_never_respaced(text))
    edits: list[Edit] = []
    for fix in FIXES:
        for start, end, after, rule, note, conf in fix(sp):
            stop = max(end, start + 1)
            if 1 in taken[start:stop]:
                continue
            taken[start:stop] = b"\x01" * (stop - start)
            edits.append(Edit(start, end, after, rule, "spacing", conf, note))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))


def _space_dot_capital(sp: _Spacing) -> Found:
    """"programme .The" -> "programme. The"."""
    text = sp.text
    if not sp.sentence_glue:
        return
    for m in _SPACE_DOT_CAPITAL.finditer(text):
        if m.start() and _SMALL.match(text, m.start() - 1):
            yield m.start(), m.end(), ". ", "spacing.space-before-punct", f"'{_ctx(text, m.start(), m.end())}': ' .X' -> '. X'", 1.0


def _space_before_punct(sp: _Spacing) -> Found:
    """"assert itself ." -> "assert itself.", "(Lenin )" -> "(Lenin)"."""
    text = sp.text
    for m in _SPACE_PUNCT.finditer(text):
        mark = m.end() - 1
        start = _spaces_before(text, mark)
        if not (start and _WORD_END.match(text, start - 1)) or text[mark] not in sp.remove_before:
            continue
        if text[mark] == "?" and re.match(r"\? [a-zа-яё]", text[mark:mark + 3]):
            continue  # "if a ? b": a "?" for a character the OCR lost, not a question mark
        if text[mark] == "." and not re.match(r"\.(?:[\s)\]'\"”’»]|$)", text[mark:mark + 2]):
            continue  # 'World ."Mee', 'spent .-bout': no sentence ends here, the OCR is damaged
        yield start, mark, "", "spacing.space-before-punct", f"space before {text[mark]!r} in '{_ctx(text, start, mark)}'", 1.0


def _space_after_bracket(sp: _Spacing) -> Found:
    """"( Lenin" -> "(Lenin" (a bracket at a word's start)."""
    text = sp.text
    if "( " not in text and "[ " not in text:
        return
    for m in _OPEN_BRACKET_SPACE.finditer(text):
        if m.start() == 0 or text[m.start() - 1].isspace():
            yield m.start(1), m.end(1), "", "spacing.space-after-bracket", f"'{_ctx(text, m.start(), m.end())}'", 1.0


def _space_after_punct(sp: _Spacing) -> Found:
    """"programme.The" -> "programme. The", "question:Who" -> "question: Who"."""
    text = sp.text
    for m in _NO_SPACE_AFTER.finditer(text):
        if m.start() < 2 or not _SMALL_2.match(text, m.start() - 2) or (m.group(1) in ".?!" and not sp.sentence_glue):
            continue
        if not sp.is_word(_word_before(text, m.start()), 3.5 if m.group(1) == ":" else 2.5):
            continue  # "rdf:Description", "tbe.Society": not two words glued at a mark
        yield (m.end(1), m.end(1), " ", "spacing.space-after-punct",
               f"no space after {m.group(1)!r} in '{_ctx(text, m.start(), m.end())}'", 1.0)


def _space_after_comma(sp: _Spacing) -> Found:
    """"production,of labour" -> "production, of labour"."""
    text = sp.text
    for m in _NO_SPACE_AFTER_COMMA.finditer(text):
        if m.start() < 2 or not _LETTERS_2.match(text, m.start() - 2):
            continue
        left, right = _word_before(text, m.start()), _LETTERS.match(text, m.end()).group()
        if not (sp.is_word(left) and sp.is_word(right)) or sp.is_word(left + right):
            continue  # "tou,ch": a comma read inside a word, not two words
        yield m.end(), m.end(), " ", "spacing.space-after-punct", f"no space after ',' in '{_ctx(text, m.start(), m.end())}'", 1.0


def _space_after_number(sp: _Spacing) -> Found:
    """"3.The growing" -> "3. The growing", "1921;Published" -> "1921; Published" (a number
    of one or two digits before "." or ")", of four before ";", standing alone)."""
    text = sp.text
    for m in _NUMBER_MARK.finditer(text):
        mark = m.start()
        start = mark
        while start > 0 and start > mark - 5 and text[start - 1].isdecimal():
            start -= 1
        digits = mark - start
        if not (digits in (1, 2) if text[mark] != ";" else digits == 4):
            continue
        if start and not text[start - 1].isspace():
            continue
        yield mark + 1, mark + 1, " ", "spacing.space-after-number", f"'{_ctx(text, start, mark + 1)}'", 1.0


def _glued_words(sp: _Spacing) -> Found:
    """"inApril" -> "in April": where the first part is one of the commonest words ("in",
    "of", "the") or the document writes the capitalised word alone elsewhere ("April");
    "getValue" stays. English only (its small words and capitals)."""
    text, zipf = sp.text, sp.zipf
    if sp.language != "en":
        return
    alone: set[str] | None = None  # the capitalised words the text writes alone (read once, if asked)
    for m in _CAPITALISED.finditer(text):
        cap = m.start() + 1
        start = cap
        while start > 0 and start > cap - 5 and "a" <= text[start - 1] <= "z":
            start -= 1
        if not 2 <= cap - start <= 4 or (start and _WORD_CHAR.match(text, start - 1)):
            continue
        left, right = text[start:cap], m.group()[1:]
        if not (zipf(left) >= 5.0 and zipf(right.lower()) >= 2.0 and zipf((left + right).lower()) < 1.0):
            continue
        if zipf(left) < 6.5:
            if alone is None:
                alone = set(_ALONE.findall(text))
            if right not in alone:
                continue
        if sp.model is not None and _misread_capital(left, right, sp.model, zipf):
            continue  # "beHef": "belief" with "li" read "H", one word misread (detect's), not two glued
        yield cap, cap, " ", "spacing.glued-words", f"'{left + right}' -> '{left} {right}'", 0.95


def _misread_capital(left: str, right: str, model: OcrModel, zipf: Callable[[str], float]) -> bool:
    """Whether the word glued at a capital ("be" + "Hef") is one word whose small letters the OCR read
    as that capital: read with the letters the model learned the capital is printed for ("li"), the
    whole is a word at least as common as the halves must be (zipf 3: "belief", "bells")."""
    return any(zipf(left + meant + right[1:]) >= 3.0 for meant in model.capital_for_small().get(right[0], ()))


def _apostrophe(sp: _Spacing) -> Found:
    """"Trotsky ’s" -> "Trotsky’s"."""
    text = sp.text
    for m in _SPACE_APOSTROPHE_S.finditer(text):
        start = _spaces_before(text, m.start() + 1)
        if start and _WORD_CHAR.match(text, start - 1):
            yield (start, m.start() + 1, "", "spacing.apostrophe",
                   f"space before an apostrophe: '{_ctx(text, start, m.start() + 1)}'", 1.0)


def _plural_possessive(sp: _Spacing) -> Found:
    """"Workers ' Opposition" -> "Workers' Opposition"."""
    text = sp.text
    for m in _SPACE_POSSESSIVE.finditer(text):
        start = _spaces_before(text, m.start() + 1)
        if start >= 2 and _PLURAL_S.match(text, start - 2):
            yield (start, m.start() + 1, "", "spacing.apostrophe",
                   f"space before a possessive apostrophe: '{_ctx(text, start, m.start() + 1)}'", 1.0)


def _quote(sp: _Spacing) -> Found:
    for start, end, after, note in _straight_quote_spaces(sp.text, sp.is_word):
        yield start, end, after, "spacing.quote", note, 1.0


def _space_before_bracket(sp: _Spacing) -> Found:
    """'is changed"(from' -> 'is changed" (from'."""
    text = sp.text
    for m in _BRACKET.finditer(text):
        i = m.start()
        if (i >= 2 and _QUOTE_BEFORE_2.fullmatch(text, i - 2, i)) or (i >= 3 and _QUOTE_BEFORE_3.fullmatch(text, i - 3, i)):
            yield i, i, " ", "spacing.space-before-bracket", f"'{_ctx(text, i, m.end())}'", 1.0


def _double_space(sp: _Spacing) -> Found:
    """Runs of spaces inside a line."""
    text = sp.text
    for m in _DOUBLE_SPACE.finditer(text):
        if m.start() and not text[m.start() - 1].isspace():
            yield m.start(), m.end(), " ", "spacing.double-space", "run of spaces", 1.0


FIXES: tuple[Callable[[_Spacing], Found], ...] = (
    _space_dot_capital, _space_before_punct, _space_after_bracket, _space_after_punct, _space_after_comma,
    _space_after_number, _apostrophe, _plural_possessive, _glued_words, _quote, _space_before_bracket,
    _double_space)


def _spaces_before(text: str, i: int) -> int:
    """The start of the run of spaces ending at offset i."""
    j = i
    while j > 0 and text[j - 1] == " ":
        j -= 1
    return j


def spaced_marks(text: str) -> set[str]:
    """The marks the document may set after a space (an old print's " ;" " :" " ?" " !"): all
    but those it clearly sets close ("word;" three times or more, "word ;" in at most a tenth
    of the uses), where a space before the mark is damage."""
    spaced, closed = dict.fromkeys(";:?!", 0), dict.fromkeys(";:?!", 0)
    # found from the mark (a literal the engine jumps to), the letter before checked here: a
    # pattern opening with a letter class is tried at every position of the text
    for m in _MARK_AT_END.finditer(text):
        i = m.start()
        if i and _LETTER.match(text, i - 1):
            closed[m.group()] += 1
        elif i > 1 and text[i - 1] == " " and _LETTER.match(text, i - 2):
            spaced[m.group()] += 1
    return {mark for mark in ";:?!" if spaced[mark] and not (closed[mark] >= 3
                                                            and spaced[mark] <= 0.1 * (spaced[mark] + closed[mark]))}


_MARK_AT_END = re.compile(r"[;:?!](?=\s|$)")
_LETTER = re.compile(r"[^\W\d_]")


_PROTECTED = re.compile(r"\S*(?:://|www\.)\S*|\S+@\w+\.\w\S*|\S*[^\W_]_\w\S*|\S*\d[=+*/^<>]\S*")


def _tokens_never_respaced(text: str) -> bytearray:
    """URLs, e-mail addresses, identifiers ("rdf:Description", "x_1"), formulas: spacing stays."""
    # every branch of _PROTECTED that matches inside a run of non-spaces matches the whole run
    # from its start: find the runs holding what a branch needs, and match each once (scanning
    # the text with a pattern opening in \S* backtracks through every long run at every position)
    mask = bytearray(len(text) + 1)
    done = -1
    for hint in _protected_hints(text):
        if hint < done:
            continue
        start = hint
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        m = _PROTECTED.match(text, start)
        if m:
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        done = _RUN_END.match(text, hint).end()
    return mask


def _protected_hints(text: str) -> list[int]:
    """Where "://", "www.", "@", "_" or a digit before an operator stands (sorted): found by
    str.find and from the rare operator, not by an alternation tried at every position."""
    hints = []
    for literal in ("://", "www.", "@", "_"):
        i = text.find(literal)
        while i >= 0:
            hints.append(i)
            i = text.find(literal, i + 1)
    hints.extend(m.start() - 1 for m in _OPERATOR.finditer(text) if m.start() and text[m.start() - 1].isdecimal())
    return sorted(hints)


_OPERATOR = re.compile(r"[=+*/^<>]")
_RUN_END = re.compile(r"\S*")


def _word_before(text: str, i: int) -> str:
    m = re.search(r"[^\W\d_]+$", text[max(0, i - 40):i])
    return m.group() if m else ""


def _ctx(text: str, start: int, end: int) -> str:
    a, b = max(0, start - 12), min(len(text), end + 12)
    return text[a:b].replace("\n", " ")


def _either(a: bytearray, b: bytearray, chunk: int = 1 << 20) -> bytearray:
    """a | b, byte by byte, into a: OR-ed as integers a slice at a time (the whole masks as
    integers, their OR and its bytes were five copies of a mask: 500 MB at a 100 MB witness)."""
    for i in range(0, len(a), chunk):
        part = a[i:i + chunk]
        a[i:i + chunk] = (int.from_bytes(part, "big") | int.from_bytes(b[i:i + chunk], "big")).to_bytes(len(part), "big")
    return a


def _editorial_brackets(text: str) -> bytearray:
    """Mark the inside of [...] brackets (editorial insertions like "дек[абря ? г.]")."""
    mask = bytearray(len(text) + 1)
    for m in re.finditer(r"\[[^\]\n]{0,80}\]", text):
        if not m.group().startswith("[^"):
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return mask


def _straight_quote_spaces(text: str, is_word: Callable[..., bool]) -> list[tuple[int, int, str, str]]:
    """Missing spaces at straight double quotes, where each paragraph's quotes pair up.

    'the "Workers' Opposition"and the' : the second quote closes, and a letter follows it.
    """
    out = []
    pos = 0
    if '"' not in text:
        return out
    for para in text.split("\n"):
        quotes = [m.start() for m in re.finditer('"', para)] if '"' in para else []
        if quotes and len(quotes) % 2 == 0:
            for i, q in enumerate(quotes):
                closing = i % 2 == 1
                # (after a dash or a bracket a quote opens, whatever the count says: 'a sign, with—"no suicides')
                if closing and q + 1 < len(para) and para[q + 1].isalpha() and para[q - 1:q].strip() \
                        and para[q - 1] not in "—–-([":
                    out.append((pos + q + 1, pos + q + 1, " ", f"closing quote glued to the next word: {para[max(0, q - 12):q + 12]!r}"))
                if not closing and q > 0 and para[q - 1].isalpha() and para[q + 1:q + 2].isalpha() \
                        and len(_word_before(para, q)) > 1 and is_word(_word_before(para, q), 3.0):  # not in OCR garbage
                    out.append((pos + q, pos + q, " ", f"opening quote glued to the word before: {para[max(0, q - 12):q + 12]!r}"))
        pos += len(para) + 1
    return out
