"""Anchors: things that survive translation and so tie a paragraph of a translation
to a paragraph of the original: numbers and dates, ordinals and roman numerals
("VIII съезд" / "Eighth Congress"), percentages, list items ("1)" / "(1)"), proper
names (through the name authority, else a standard transliteration), and marks
of the sentence: question and exclamation marks, quotations, parentheses.

An anchor is a key ("num:1920", "name:trotsky", "ord:8", "mark:?") with the
places where it occurs; keys are language-neutral, so equal keys on both sides
are evidence that two paragraphs are versions of each other.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.authority import skeleton, transliterate
from pipeline.russian import name_forms

# how much one matched anchor of each kind is worth (in cost units of the alignment)
WEIGHTS = {"num": 3.0, "item": 3.0, "ord": 2.0, "pct": 2.0, "name": 2.0, "tr": 1.2, "card": 0.4,
           "mark": 0.6, "quote": 0.4, "paren": 0.5, "lex": 0.5, "month": 2.0}

STRONG = {"num", "item", "ord", "pct", "name", "month"}  # a translation rarely drops these
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_EN_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
           "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "firstly": 1, "secondly": 2, "thirdly": 3}
_RU_ORD = [("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4), ("пят", 5), ("шест", 6), ("седьм", 7),
           ("восьм", 8), ("девят", 9), ("десят", 10), ("одиннадцат", 11), ("двенадцат", 12)]
_RU_ORD_START = {stem[:3] for stem, _ in _RU_ORD}
_EN_CARD = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "hundred": 100, "thousand": 1000, "million": 10**6, "millions": 10**6, "thousands": 1000,
            "hundreds": 100, "twice": 2}
_RU_CARD = [("двух", 2), ("два", 2), ("две", 2), ("дважды", 2), ("тр", 3), ("четыр", 4), ("пят", 5), ("шест", 6),
            ("сем", 7), ("восем", 8), ("девят", 9), ("десят", 10), ("сот", 100), ("тысяч", 1000),
            ("миллион", 10**6), ("млн", 10**6)]
_RU_CARD_EXACT = {"два", "две", "двух", "двум", "двумя", "три", "трех", "трёх", "трем", "тремя", "четыре",
                  "четырех", "пять", "пяти", "шесть", "шести", "семь", "семи", "восемь", "восьми", "девять",
                  "девяти", "десять", "десяти", "сто", "сотни", "сотен", "тысяча", "тысячи", "тысяч",
                  "миллион", "миллиона", "миллионов", "млн", "дважды"}
_CYR_LETTERS = "абвгдежз"
_LAT_LETTERS = "abcdefgh"

WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
NUMBER_RE = re.compile(r"\d+(?:[ ,.]\d{3})*")
ITEM_RE = re.compile(r"^\s*(?:\((\d{1,2}|[a-hа-ж])\)|(\d{1,2}|[a-hа-ж])\))\s")
ROMAN_RE = re.compile(r"\b[IVXLC]{2,}\b")
PCT_RE = re.compile(r"%|\bper\s?cent\b|процент", re.IGNORECASE)
QUOTE_RE = re.compile(r"[«“„]|(?<![\w])[\"'](?=\w)")
SENT_BOUNDARY_RE = re.compile(r"^|[.!?…:)]\s+|[«“\"(]\s*")  # a word right after one starts a sentence


@dataclass
class Found:
    """The anchors of one paragraph: key -> list of (start, end) spans."""

    keys: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, start: int, end: int) -> None:
        self.keys[key].append((start, end))

    def weight(self, strong_only: bool = False) -> float:
        """Total weight of the paragraph's anchors (strong ones only: those a translation keeps)."""
        return sum(key_weight(k) * len(v) for k, v in self.keys.items() if not strong_only or key_strong(k))


@lru_cache(maxsize=65536)
def key_weight(key: str) -> float:
    """The weight of an anchor key by its kind ("num:12" -> WEIGHTS["num"])."""
    return WEIGHTS[key.split(":", 1)[0]]


@lru_cache(maxsize=65536)
def key_strong(key: str) -> bool:
    """Is an anchor key of a strong kind (number, name, date, ...)?"""
    return key.split(":", 1)[0] in STRONG


_FINDER: list = []  # [(authority, its finder)]: the last one made


def cyrillic_forms(names: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """pipeline.russian.name_forms of each name, read from the user cache (pipeline.store.cache_dir)
    where a process made them before (`edition prepare` for the project's authority): pymorphy3 took
    0.07 s for the corpus's 77 names in every process that collated. The file is named by the
    names, the code (pipeline.cache.code_version: name_forms and pymorphy3's version with its
    dictionary); a cache that cannot be read or written is not used."""
    import json

    from pipeline.cache import kept_json
    kept = kept_json("name-forms", (json.dumps(names, ensure_ascii=False),),
                     lambda: {n: sorted(name_forms(n)) for n in names},
                     lambda v: isinstance(v, dict) and set(v) == set(names))
    return {n: frozenset(kept[n]) for n in names}


def finder_for(authority) -> AnchorFinder:
    """The finder of this name authority, made once per process (its name forms take pymorphy3's time)."""
    if not _FINDER or _FINDER[0][0] is not authority:
        _FINDER[:] = [(authority, AnchorFinder(authority))]
    return _FINDER[0][1]


def roman_value(s: str) -> int | None:
    """Value of a roman numeral (II..CC), or None if it is not one."""
    total, prev = 0, 0
    for ch in reversed(s):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total += -v if v < prev else v
        prev = max(prev, v)
    return total if 1 < total < 200 else None


class AnchorFinder:
    """Finds anchors in paragraphs of one language, using the name authority if given."""

    def __init__(self, authority=None):
        self.authority = authority
        self.cyr_forms: dict[str, str] = {}  # every declined form of a Cyrillic name -> its entry
        if authority is not None:
            forms = cyrillic_forms(tuple(dict.fromkeys(e.cyrillic for e in authority.entries if e.cyrillic)))
            for e in authority.entries:
                if e.cyrillic:
                    for form in forms[e.cyrillic]:
                        self.cyr_forms.setdefault(form, e.id)
        self.ahead: dict[tuple[str, str, bool], Found] = {}  # found by find_ahead, each taken once by find

    def find_ahead(self, paragraph: str, language: str, heading: bool = False) -> None:
        """Find a paragraph's anchors now, for a later find() of the same arguments (a worker
        process does it while the pivot is still being cleaned)."""
        self.ahead[(paragraph, language, heading)] = self.find(paragraph, language, heading)

    def find(self, paragraph: str, language: str, heading: bool = False) -> Found:
        """Every anchor of a paragraph with its spans."""
        f = self.ahead.pop((paragraph, language, heading), None) if self.ahead else None
        if f is not None:  # the caller owns it (it may add to it): handed out once
            return f
        f = Found()
        self._numbers(paragraph, f, heading)
        self._words(paragraph, language, f)
        self._marks(paragraph, f)
        return f

    def _numbers(self, text: str, f: Found, heading: bool) -> None:
        m = ITEM_RE.match(text)
        skip_to = 0
        if m and not heading:
            label = m.group(1) or m.group(2)
            f.add(f"item:{_item_index(label)}", m.start(), m.end())
            skip_to = m.end()
        for m in NUMBER_RE.finditer(text):
            if m.start() < skip_to or (text[max(0, m.start() - 2):m.start()] == "[^"):
                continue  # a list label or a footnote marker
            value = re.sub(r"[ ,.]", "", m.group())
            kind = "card" if len(value) <= 2 and int(value) <= 12 else "num"  # small numbers are also words
            f.add(f"{kind}:{int(value)}", m.start(), m.end())
        for m in ROMAN_RE.finditer(text):
            v = roman_value(m.group())
            if v:
                f.add(f"ord:{v}", m.start(), m.end())
        for m in PCT_RE.finditer(text):
            f.add("pct:%", m.start(), m.end())

    def _words(self, text: str, language: str, f: Found) -> None:
        starts = {m.end() for m in SENT_BOUNDARY_RE.finditer(text)}
        for m in WORD_RE.finditer(text):
            w = m.group()
            key = _number_key(w.lower(), language)
            if key:
                f.add(key, m.start(), m.end())
                continue
            if not w[0].isupper() or len(w) < 3:
                continue
            key = self._name_key(w, language, m.start() in starts)
            if key:
                f.add(key, m.start(), m.end())

    def _name_key(self, word: str, language: str, sentence_start: bool) -> str | None:
        """name:<authority id>, or tr:<transliteration skeleton prefix> for other capitalised words."""
        base = re.sub(r"['’]s$", "", word)
        if language == "ru":
            eid = self.cyr_forms.get(base.lower())
            if eid:
                return f"name:{eid}"
            if sentence_start or base.isupper():
                return None
            return f"tr:{skeleton(transliterate(base))[:5]}" if len(base) >= 4 else None
        if self.authority is not None:
            e = self.authority.canonical_of(base)
            if e is not None:
                return f"name:{e.id}"
        if sentence_start or base.isupper() or len(base) < 4:
            return None
        return f"tr:{skeleton(base)[:5]}"

    def _marks(self, text: str, f: Found) -> None:
        for m in re.finditer(r"\?", text):
            f.add("mark:?", m.start(), m.end())
        for m in re.finditer(r"!", text):
            f.add("mark:!", m.start(), m.end())
        for m in QUOTE_RE.finditer(text):
            f.add("quote:open", m.start(), m.end())
        item = ITEM_RE.match(text)
        for m in re.finditer(r"\((?!\d{1,2}\)|[a-hа-ж]\))", text):
            if not (item and m.start() < item.end()):
                f.add("paren:(", m.start(), m.end())


@lru_cache(maxsize=65536)
def _number_key(lw: str, language: str) -> str | None:
    """The anchor of a (lower-case) word that names a month, an ordinal or a number, if any;
    kept per word: a text repeats its words."""
    month = _month(lw, language)
    if month:
        return f"month:{month}"
    ordinal = _ordinal(lw, language)
    if ordinal:
        return f"ord:{ordinal}"
    card = _cardinal(lw, language)
    return f"card:{card}" if card else None


def _item_index(label: str) -> int:
    """List label -> its position: '3' -> 3, 'c' -> 3, 'в' -> 3."""
    if label.isdigit():
        return int(label)
    if label in _LAT_LETTERS:
        return _LAT_LETTERS.index(label) + 1
    return _CYR_LETTERS.index(label) + 1 if label in _CYR_LETTERS else 0


def _ordinal(lw: str, language: str) -> int | None:
    """'eighth' -> 8, 'восьмого' -> 8, '8th' -> 8."""
    if language == "en":
        if lw in _EN_ORD:
            return _EN_ORD[lw]
        m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)", lw)
        return int(m.group(1)) if m else None
    if lw.startswith("во-") or lw.startswith("в-"):
        lw = lw.split("-", 1)[1]
    if lw[:3] not in _RU_ORD_START:
        return None
    for stem, v in _RU_ORD:
        if lw.startswith(stem) and len(lw) - len(stem) <= 4 and re.fullmatch(r"(ой|ый|ий|ая|ое|ого|ом|ому|ых|ые|ую|ей|ья|ье|ьего|ьем|ьей|ьих|ьи|ью|ыми|ьими|ым)", lw[len(stem):] or "-") is not None:
            return v
    return None


_EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december"]
_RU_MONTHS = ["январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"]


_RU_MONTH_START = {m[:2] for m in _RU_MONTHS}


def _month(lw: str, language: str) -> int | None:
    """Month names: 'september' -> 9, 'сентября' -> 9 ('may'/'май' only as 'May' after a number is too rare to try)."""
    if language == "en":
        return _EN_MONTHS.index(lw) + 1 if lw in _EN_MONTHS and lw != "may" else None
    if lw[:2] not in _RU_MONTH_START:
        return None
    for k, stem in enumerate(_RU_MONTHS):
        if k != 4 and lw.startswith(stem) and len(lw) - len(stem) <= 2 and (k != 2 or lw in ("март", "марта", "марте")):
            return k + 1
    return None


def _cardinal(lw: str, language: str) -> int | None:
    """Number words: 'seven' -> 7, 'семь' -> 7 (only exact, common forms)."""
    if language == "en":
        return _EN_CARD.get(lw)
    if lw in _RU_CARD_EXACT:
        return next(v for stem, v in _RU_CARD if lw.startswith(stem))
    return None
