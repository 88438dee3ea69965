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

from pipeline.lexicon import shared

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.stages import Settings, stage

# Patterns start with a literal where they can (a space, a full stop), so the regex engine
# jumps from one to the next; what must stand before the match is checked in `_after`.
# not before a spaced ellipsis (". . .") or "..."
_PUNCT_AFTER_SPACE = re.compile(r"( +)(?=(?:[,;:?!)]|\.(?! ?\.))(?!\w))")
_OPEN_BRACKET_SPACE = re.compile(r"(?:(?<=\s)|^)[(\[]( +)(?=\w)", re.M)
_NO_SPACE_AFTER = re.compile(r"([.?!;:,])(?=[A-ZА-ЯЁ][a-zа-яё])")
# a comma glued to the next word: "production,of labour" (not "1,000", not "A,B")
_NO_SPACE_AFTER_COMMA = re.compile(r",(?=[a-zа-яё]{2})")
_SPACE_DOT_CAPITAL = re.compile(r" \.(?=[A-ZА-ЯЁ][a-zа-яё])")
_NUMBER_NO_SPACE = re.compile(r"\b(\d{1,2}[.)]|\d{4};)(?=[A-ZА-ЯЁ][a-zа-яё])")
_GLUED = re.compile(r"\b([a-z]{2,4})([A-Z][a-z]{2,})\b")
_APOSTROPHE_S = re.compile(r"( +)(?=[’'](?:s|t|ll|re|ve|d|m)\b)")
_PLURAL_POSSESSIVE = re.compile(r"( +)(?=' [A-Za-z])")
_DOUBLE_SPACE = re.compile(r"( {2,})(?=\S)")
# a closing quote glued to an opening bracket: 'is changed"(from Shliapnikov's report'
# (not after a single quote: "it is'(too early'" is an opening quote misread as "(")
_QUOTE_BRACKET = re.compile(r"(?:(?<=[\w.,;:?!][\"”])|(?<=\w''))\((?=\w)")

_WORD_END = re.compile(r"[\w'’\")\]»”]")


def _after(text: str, m: re.Match, pattern: str, width: int = 1) -> bool:
    """Does the text just before the match end with `pattern` (checked on `width` characters)?"""
    return bool(re.fullmatch(pattern, text[max(0, m.start() - width):m.start()]))


class SpacingSettings(Settings):
    """[default.spacing] and its layers in config/policy.toml."""

    remove_space_before: str = ",.;:?!)"  # marks a space before is removed from
    space_after_sentence: bool = True  # "programme.The" -> "programme. The"
    keep_document_spacing: bool = False  # a mark the document itself sets after a space (" ;") keeps it


@stage("spacing", leaves=("layout",), kinds=("spacing",), settings=SpacingSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Repair spacing around punctuation, apostrophes and quotes, and glued words."""
    edits: list[Edit] = []
    taken = bytearray(len(text) + 1)
    brackets = _editorial_brackets(text)

    def add(start: int, end: int, after: str, rule: str, kind: str, note: str, conf: float = 1.0) -> None:
        if 1 in taken[start:max(end, start + 1)] or 1 in brackets[start:max(end, start + 1)]:
            return
        taken[start:max(end, start + 1)] = b"\x01" * (max(end, start + 1) - start)
        edits.append(Edit(start, end, after, rule, kind, conf, note))

    policy = ctx.policy.get("spacing", {})
    remove_before = policy.get("remove_space_before", ",.;:?!)")
    sentence_glue = policy.get("space_after_sentence", True)
    spaced = spaced_marks(text)
    if policy.get("keep_document_spacing", False):
        # a mark the document itself sets after a space (" ;", " ?" in an old print) keeps it
        remove_before = "".join(ch for ch in remove_before if ch not in spaced)
    ctx.facts.setdefault("layout", {}).setdefault("conventions", {})["space_before"] = "".join(sorted(spaced))
    protected = _tokens_never_respaced(text)
    n = len(brackets)
    brackets = (int.from_bytes(brackets, "big") | int.from_bytes(protected, "big")).to_bytes(n, "big")
    lang = ctx.language
    for m in _SPACE_DOT_CAPITAL.finditer(text):
        if not sentence_glue or not _after(text, m, r"[a-zа-яё]"):
            continue
        add(m.start(), m.end(), ". ", "spacing.space-before-punct", "spacing", f"'{_ctx(text, m)}': ' .X' -> '. X'")
    for m in _PUNCT_AFTER_SPACE.finditer(text):
        if not (m.start() and _WORD_END.match(text, m.start() - 1)) or text[m.end()] not in remove_before:
            continue
        if text[m.end()] == "?" and re.match(r"\? [a-zа-яё]", text[m.end():m.end() + 3]):
            continue  # "if a ? b": a "?" for a character the OCR lost, not a question mark
        if text[m.end()] == "." and not re.match(r"\.(?:[\s)\]'\"”’»]|$)", text[m.end():m.end() + 2]):
            continue  # 'World ."Mee', 'spent .-bout': no sentence ends here, the OCR is damaged
        add(m.start(1), m.end(1), "", "spacing.space-before-punct", "spacing",
            f"space before {text[m.end(1)]!r} in '{_ctx(text, m)}'")
    for m in _OPEN_BRACKET_SPACE.finditer(text):
        add(m.start(1), m.end(1), "", "spacing.space-after-bracket", "spacing", f"'{_ctx(text, m)}'")
    for m in _NO_SPACE_AFTER.finditer(text):
        if not _after(text, m, r"[a-zа-яё]{2}", 2) or (m.group(1) in ".?!" and not sentence_glue):
            continue
        if not _is_word(_word_before(text, m.start()), lang, 3.5 if m.group(1) == ":" else 2.5):
            continue  # "rdf:Description", "tbe.Society": not two words glued at a mark
        add(m.end(1), m.end(1), " ", "spacing.space-after-punct", "spacing", f"no space after {m.group(1)!r} in '{_ctx(text, m)}'")
    for m in _NO_SPACE_AFTER_COMMA.finditer(text):
        if not _after(text, m, r"[^\W\d_]{2}", 2):
            continue
        left, right = _word_before(text, m.start()), re.match(r"[^\W\d_]*", text[m.end():]).group()
        if not (_is_word(left, lang) and _is_word(right, lang)) or _is_word(left + right, lang):
            continue  # "tou,ch": a comma read inside a word, not two words
        add(m.end(), m.end(), " ", "spacing.space-after-punct", "spacing", f"no space after ',' in '{_ctx(text, m)}'")
    for m in _NUMBER_NO_SPACE.finditer(text):
        if m.start() and not text[m.start() - 1].isspace():
            continue
        add(m.end(1), m.end(1), " ", "spacing.space-after-number", "spacing", f"'{_ctx(text, m)}'")
    for m in _APOSTROPHE_S.finditer(text):
        if not _after(text, m, r"\w"):
            continue
        add(m.start(1), m.end(1), "", "spacing.apostrophe", "spacing", f"space before an apostrophe: '{_ctx(text, m)}'")
    for m in _PLURAL_POSSESSIVE.finditer(text):
        if not _after(text, m, r"[a-z]s", 2):
            continue
        add(m.start(1), m.end(1), "", "spacing.apostrophe", "spacing", f"space before a possessive apostrophe: '{_ctx(text, m)}'")
    if ctx.language == "en":
        for m in _GLUED.finditer(text):
            left, right = m.group(1), m.group(2)
            zipf = shared("en").zipf
            # and the first part is one of the commonest words ("in", "of", "the") or the document
            # writes the capitalised word alone elsewhere ("April"): "getValue" stays
            if zipf(left) >= 5.0 and zipf(right.lower()) >= 2.0 and zipf(m.group().lower()) < 1.0 \
                    and (zipf(left) >= 6.5 or re.search(rf"(?<!\w){right}(?!\w)", text)):
                add(m.end(1), m.end(1), " ", "spacing.glued-words", "spacing", f"'{m.group()}' -> '{left} {right}'", 0.95)
    for start, end, after, note in _straight_quote_spaces(text, lang):
        add(start, end, after, "spacing.quote", "spacing", note)
    for m in _QUOTE_BRACKET.finditer(text):
        add(m.start(), m.start(), " ", "spacing.space-before-bracket", "spacing", f"'{_ctx(text, m)}'")
    for m in _DOUBLE_SPACE.finditer(text):
        if not (m.start() and not text[m.start() - 1].isspace()):
            continue
        add(m.start(1), m.end(1), " ", "spacing.double-space", "spacing", "run of spaces")
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))


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
    for h in _PROTECTED_HINT.finditer(text):
        if h.start() < done:
            continue
        start = h.start()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        m = _PROTECTED.match(text, start)
        if m:
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        done = _RUN_END.match(text, h.start()).end()
    return mask


_PROTECTED_HINT = re.compile(r"://|www\.|@|_|\d[=+*/^<>]")
_RUN_END = re.compile(r"\S*")


def _word_before(text: str, i: int) -> str:
    m = re.search(r"[^\W\d_]+$", text[max(0, i - 40):i])
    return m.group() if m else ""


def _is_word(word: str, lang: str, min_zipf: float = 2.5) -> bool:
    return len(word) > 0 and shared(lang).zipf(word.lower()) >= min_zipf


def _ctx(text: str, m: re.Match) -> str:
    a, b = max(0, m.start() - 12), min(len(text), m.end() + 12)
    return text[a:b].replace("\n", " ")


def _editorial_brackets(text: str) -> bytearray:
    """Mark the inside of [...] brackets (editorial insertions like "дек[абря ? г.]")."""
    mask = bytearray(len(text) + 1)
    for m in re.finditer(r"\[[^\]\n]{0,80}\]", text):
        if not m.group().startswith("[^"):
            mask[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return mask


def _straight_quote_spaces(text: str, lang: str) -> list[tuple[int, int, str, str]]:
    """Missing spaces at straight double quotes, where each paragraph's quotes pair up.

    'the "Workers' Opposition"and the' : the second quote closes, and a letter follows it.
    """
    out = []
    pos = 0
    for para in text.split("\n"):
        quotes = [m.start() for m in re.finditer('"', para)]
        if quotes and len(quotes) % 2 == 0:
            for i, q in enumerate(quotes):
                closing = i % 2 == 1
                if closing and q + 1 < len(para) and para[q + 1].isalpha() and para[q - 1:q].strip():
                    out.append((pos + q + 1, pos + q + 1, " ", f"closing quote glued to the next word: {para[max(0, q - 12):q + 12]!r}"))
                if not closing and q > 0 and para[q - 1].isalpha() and para[q + 1:q + 2].isalpha() \
                        and len(_word_before(para, q)) > 1 and _is_word(_word_before(para, q), lang, 3.0):  # not in OCR garbage
                    out.append((pos + q, pos + q, " ", f"opening quote glued to the word before: {para[max(0, q - 12):q + 12]!r}"))
        pos += len(para) + 1
    return out
