"""Segmenting a clean text: paragraphs, tokens, sentences.

Paragraph numbers follow the contract of DESIGN.md §2: the 0-based index of the
non-empty lines of clean/<id>.txt. Tokens keep their character offsets in the
paragraph, so variants and anchors can be highlighted in the text a reader sees.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# a word (letters/digits, with inner hyphens or apostrophes: "to-day", "one's"),
# a footnote marker ("[^3]"), or one punctuation character (its parts shared by the
# word-only patterns below)
_NOTE, _JOINS, _PUNCT = r"\[\^\d+\]", r"(?:[-'’‐]\w+)*", r"[^\w\s]"
TOKEN_RE = re.compile(rf"{_NOTE}|\w+{_JOINS}|{_PUNCT}", re.UNICODE)
SENTENCE_END_RE = re.compile(r"(?<=[.!?…»”\"])\s+(?=[«“\"(\[]?[A-ZА-ЯЁ0-9])")
NOTE_BODY_RE = re.compile(r"^\[\^\d+\]:\s")
# abbreviations that stand before a name or a number (the period ends no sentence)
ABBREVIATION_RE = re.compile(r"(?<![\w.])(?:тов|Тов|тт|Тт|т|Т|г|гг|см|ср|стр|ст|Mr|Mrs|Messrs|Dr|St|No|Nos|cf|viz|Vol|vol|pp?|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|дек|янв|февр|окт|нояб|сент)\.$")
LABEL_RE = re.compile(r"\(?(?:\d{1,3}|[IVXLC]{1,6}|[a-zа-я])[.)]")


class Token(NamedTuple):
    """One token of a witness: its text, where it is, and whether it is a word."""

    text: str
    para: int  # paragraph number in the witness
    start: int  # character offsets inside the paragraph
    end: int
    is_word: bool


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a clean text: its non-empty lines, in order (numbered from 0)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def is_note_body(paragraph: str) -> bool:
    """A footnote body (`[^n]: text`), which the notes stage places after the text."""
    return NOTE_BODY_RE.match(paragraph) is not None


def tokenize(paragraph: str, para: int = 0) -> list[Token]:
    """Split one paragraph into word and punctuation tokens with their offsets."""
    return [Token(s, para, m.start(), m.end(), s[0].isalnum() or s[0] == "_")
            for m in TOKEN_RE.finditer(paragraph) for s in (m.group(),)]


def tokenize_paragraphs(paras: list[str], numbers: list[int] | None = None) -> list[Token]:
    """Tokens of several paragraphs in order; `numbers` are their paragraph numbers."""
    numbers = numbers if numbers is not None else list(range(len(paras)))
    out: list[Token] = []
    for n, p in zip(numbers, paras):
        out.extend(tokenize(p, n))
    return out


def sentences(paragraph: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a paragraph: a cheap splitter after . ! ? before a capital."""
    spans, start = [], 0
    for m in SENTENCE_END_RE.finditer(paragraph):
        if LABEL_RE.fullmatch(paragraph[start:m.start()]):
            continue  # a list or section label ("3.", "IV.", "(a)") opens the sentence that follows
        if ABBREVIATION_RE.search(paragraph, start, m.start()):
            continue  # "тов. Троцкий", "Mr. Smith": a title before a name ends no sentence
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(paragraph):
        spans.append((start, len(paragraph)))
    return spans


# TOKEN_RE with its words split in two, those that begin with a letter or digit captured: the
# same tokens (only an underscore begins a word token that is not alphanumeric)
_WORD_COUNT_RE = re.compile(rf"{_NOTE}|([^\W_]\w*{_JOINS})|\w+{_JOINS}|{_PUNCT}", re.UNICODE)


# TOKEN_RE with its word tokens captured: findall gives a word token's text, "" for the others
_WORDS_RE = re.compile(rf"{_NOTE}|(\w+{_JOINS})|{_PUNCT}", re.UNICODE)


def words(paragraph: str) -> list[str]:
    """The texts of the paragraph's word tokens, in order (those of `tokenize` with is_word)."""
    return [w for w in _WORDS_RE.findall(paragraph) if w]


def word_count(paragraph: str) -> int:
    """Number of word tokens in a paragraph (tokens of TOKEN_RE that begin with a letter or digit)."""
    found = _WORD_COUNT_RE.findall(paragraph)
    return len(found) - found.count("")


def is_heading(paragraph: str) -> bool:
    """A heading: short, and not ending like a sentence of running text."""
    p = paragraph.strip()
    if not p or is_note_body(p):
        return False
    if len(p) > 100:
        return False
    words = word_count(p)
    if words == 0 or words > 12:
        return False
    return p[-1] not in ".,;:" or re.fullmatch(r"[IVXLC]+\.?|\d+\.?|\(\d+\)", p) is not None


@lru_cache(maxsize=8192)
def sentence_spans(paragraph: str) -> tuple[tuple[int, int], ...]:
    """The sentences collation numbers: a heading is one, else those of `sentences`."""
    return ((0, len(paragraph)),) if is_heading(paragraph) else tuple(sentences(paragraph))
