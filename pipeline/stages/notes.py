"""Stage *notes*: footnote markers and bodies in one form, `[^n]` and `[^n]: text`.

*layout* has already moved page-foot footnotes after the last paragraph as
"[^1]: …". This stage

* writes the markers: a superscript number after a word ("shark,¹ the" -> "shark,[^1] the"),
  a number glued to a word or closing punctuation
  ("оппозиции1. Это", "платформ.3 Что") becomes "оппозиции[^1]. Это" when
  footnote 1 exists and the number occurs once in that position; Lenin's
  bracketed markers "production,[2] and" become "production,[^2] and";
* turns an endnote section ("[1] Lenin’s first speech …", "[3]The reference …")
  into "[^1]: …" paragraphs, joining an endnote's further paragraphs to it;
* raises a query for a footnote with no marker, or a marker that is ambiguous.
"""
from __future__ import annotations

import re
import unicodedata

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import stage

# at a paragraph's start (checked by _line_starts: a pattern opening with "^" in MULTILINE
# mode, or with a look-behind, is tried at every position of the text; one opening with "[" is not)
_DEFINED = re.compile(r"\[\^(\w+)\]: ")
_ENDNOTE = re.compile(r"\[(\d{1,3}[a-z]?)\] ?(?=\S)")
_BRACKET_MARK = re.compile(r"\[(\d{1,3}[a-z]?)\]")
# a number glued to a word or closing punctuation: "оппозиции1. Это", "платформ.3 Что"
_GLUED = re.compile(r"\d{1,3}(?=[\s.,;:…»!?)]|$)")
_GLUED_AFTER = re.compile(r"[^\W\d_]|[»”)\].,;:…]")
# superscript digits (¹ ² ³ ⁴ …), from the Unicode database: a superscript number is a note's
# marker wherever it follows a word or its punctuation ("shark,¹ the"), and numbers a page-foot note
SUPERSCRIPT_DIGITS = {c: str(unicodedata.digit(c)) for c in map(chr, range(0x80, 0x2080))
                      if "SUPERSCRIPT" in unicodedata.name(c, "") and unicodedata.digit(c, None) is not None}
SUPERSCRIPT = "[" + "".join(sorted(SUPERSCRIPT_DIGITS)) + "]"
_SUPERSCRIPT_MARK = re.compile(rf"(?<=\S){SUPERSCRIPT}{{1,3}}")
# the reference marks a page's notes take in turn where they are not numbered ("shark.*", "objects,†"):
# the first note of a page is "*", the second "†" ... (numbered 1, 2 ... as the page numbers them)
NOTE_SYMBOLS = "*†‡§‖¶"
SYMBOL = "[" + re.escape(NOTE_SYMBOLS) + "]"
# a mark right after a word or its punctuation, before a space, punctuation or the line's end
def after_word(mark: str) -> re.Pattern:
    """A note's mark (a pattern) right after a word or its punctuation, before a space, punctuation or
    the line's end ("shark.*", "objects,†"; the layout asks it of a page-foot note's number too)."""
    return re.compile(rf"(?<=[^\W\d_]|[.,;:!?»”’)]){mark}(?=[\s.,;:!?)]|$)")


_SYMBOL_MARK = after_word(SYMBOL)


def plain_number(label: str) -> str:
    """A note number as ASCII digits ("¹²" -> "12"; a reference mark by its turn: "*" -> "1", "†" -> "2")."""
    if len(label) == 1 and label in NOTE_SYMBOLS:
        return str(NOTE_SYMBOLS.index(label) + 1)
    return "".join(SUPERSCRIPT_DIGITS.get(c, c) for c in label)


@stage("notes", requires=("paragraphs",), assigns=("footnote-markers",), kinds=("footnote",),
       labels={"notes.marker": "footnote marker", "notes.glued-marker": "footnote marker",
               "notes.marker-missing": "footnote marker", "notes.superscript-marker": "footnote marker",
               "notes.endnote": "footnote",
               "notes.endnote-paragraph": "footnote"})
def run(text: str, ctx: Context) -> StageResult:
    """Write footnote markers and bodies as `[^n]` and `[^n]: text`."""
    edits: list[Edit] = []
    queries: list[Query] = []
    notes_start = _endnote_section(text)
    labels: list[str] = []
    if notes_start is not None:
        edits.extend(_endnote_edits(text, notes_start, labels))
    body_end = notes_start if notes_start is not None else len(text)
    defined = list(_line_starts(_DEFINED, text))
    if defined:
        body_end = min(body_end, defined[0].start())
        labels.extend(m.group(1) for m in defined)
    known = set(labels)
    # the body is text[:body_end], read in place (patterns given an end position see the text
    # cut there): a copy of a large text stood beside it
    marked: set[str] = set()
    for m in _BRACKET_MARK.finditer(text):  # notes may cite notes: "Politvod,[10] as"
        if m.group(1) in known and not _at_paragraph_start(text, m.start()):
            edits.append(Edit(m.start(), m.end(), f"[^{m.group(1)}]", "notes.marker", "footnote", 1.0,
                              f"note marker [{m.group(1)}] written [^{m.group(1)}]"))
            marked.add(m.group(1))
    glued: dict[str, list[re.Match]] | None = None  # numbers glued to a word, read if a note needs them
    symbols: dict[str, list[re.Match]] = {}
    for label in labels:
        if label in marked or not label.isdigit():
            continue
        if glued is None:
            glued = {}
            for m in _GLUED.finditer(text, 0, body_end):
                if m.start() and _GLUED_AFTER.match(text, m.start() - 1, body_end):
                    glued.setdefault(m.group(), []).append(m)
            for m in _SUPERSCRIPT_MARK.finditer(text, 0, body_end):
                glued.setdefault(plain_number(m.group()), []).append(m)
            symbols = {}  # reference marks, read for a note no number in the text marks
            for m in _SYMBOL_MARK.finditer(text, 0, body_end):
                if not _emphasis(text, m.start()):
                    symbols.setdefault(plain_number(m.group()), []).append(m)
        found = glued.get(label) or symbols.get(label, [])
        if len(found) == 1:
            m = found[0]
            sup = m.group() != label
            how = "a reference mark after" if m.group() in NOTE_SYMBOLS else \
                "set as a superscript after" if sup else "glued to"
            edits.append(Edit(m.start(), m.end(), f"[^{label}]", "notes.superscript-marker" if sup else "notes.glued-marker",
                              "footnote", 0.95 if not sup else 1.0,
                              f"footnote number {m.group()} {how} {text[max(0, m.start() - 15):m.start()]!r}"))
        else:
            where = text.find(f"[^{label}]: ")
            queries.append(Query(where, where + len(label) + 4, f"[^{label}]", [], 0.8,
                                 f"footnote {label}: {'no' if not found else len(found)} candidate marker(s) in the text",
                                 rule="notes.marker-missing"))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)), queries)


def _emphasis(text: str, pos: int) -> bool:
    """Whether the "*" at `pos` closes an emphasis its word opens ("the *Ten* strongly"): no note's mark."""
    if text[pos] != "*":
        return False
    k = pos
    while k > 0 and not text[k - 1].isspace() and text[k - 1] != "*":
        k -= 1
    return k > 0 and text[k - 1] == "*"


def _at_paragraph_start(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] == "\n"


def _line_starts(pattern: re.Pattern, text: str):
    """pattern's matches that start a line (as "^" + pattern in MULTILINE mode: no match
    of these patterns holds a line break, so one not at a line start hides none that is)."""
    return (m for m in pattern.finditer(text) if _at_paragraph_start(text, m.start()))


def _endnote_section(text: str) -> int | None:
    """Where an endnote section "[1] …" starts: a paragraph "[1] …" followed by more notes."""
    notes = [(m.group(1), m.start()) for m in _line_starts(_ENDNOTE, text)]
    last_2 = max((k for k, (label, _) in enumerate(notes) if label == "2"), default=-1)
    for k, (label, start) in enumerate(notes):
        if label == "1" and k < last_2:
            return start
    return None


def _endnote_edits(text: str, start: int, labels: list[str]) -> list[Edit]:
    """"[3]The reference …" -> "[^3]: The reference …"; further paragraphs of a note join it."""
    edits: list[Edit] = []
    pos = start
    for para in text[start:].split("\n\n"):
        m = _ENDNOTE.match(para)
        if m:
            labels.append(m.group(1))
            edits.append(Edit(pos, pos + m.end(), f"[^{m.group(1)}]: ", "notes.endnote", "footnote", 1.0,
                              f"endnote [{m.group(1)}] written as a footnote body"))
        elif pos > start and para.strip():
            edits.append(Edit(pos - 2, pos, " ", "notes.endnote-paragraph", "footnote", 0.9,
                              "a further paragraph of an endnote joined to it (a note is one paragraph)"))
        pos += len(para) + 2
    return edits
