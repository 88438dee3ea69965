"""Garbled places no other doubt of detect names: lone letters, forms that are no words, odd marks.

Detect doubts a word it can weigh (a non-word with candidates, a real word one learned confusion
from a likelier one), a damaged stretch of several non-words (correct/stretches.py), a split word.
What the OCR garbles besides often looks like none of them: a word broken into pieces ("ca e",
"J hn", "my elf"), a capital read inside a word the witness repeats ("weU", "foUowed": its own
vocabulary, so never weighed), a form no candidate comes near, marks no printer sets (".,'",
" . ", "«,"). Without a query budget about a third of the dev sets' misread words were never
doubted at all (benchmarks/error_classes.py --no-budget), most of them in such places.

Kinds of doubt, each a query rule whose worth the budget learns (pipeline/data/query_value.json,
benchmarks/correction.py), none a fix:

* `detect.letter`: a lone letter that is no one-letter word of the language (English "a", "I",
  "O") and no initial (a capital before a full stop): a word's piece, or a misread mark;
* `detect.garble`: a form that is no word (the caller's test: correct/stretches.py's suspect, for
  a form no other doubt took up: a capital inside small letters, letters and digits mixed, a form
  neither the lexicon nor the witness nor the name authority knows);
* `detect.marks`: the marks between two words in no shape the language's punctuation takes
  (`PLAIN`: a closing mark, closing quotes or brackets, a space, opening ones; a dash; an
  ellipsis; "&"; a currency sign before a number) and the text sets at most twice: the query is
  the two words and the marks;
* `detect.figure`: a lone figure standing free between two words, no figure beside it, that the OCR
  model has learned as a one-letter word's misreading ("and 1 saw": "I"; "1" is also a misread "!",
  "rifles 1 Who"), where detect's lone-digit weighing neither fixed nor asked it (its neighbours spoke for
  a number, or a capital follows); detect offers the letter before a small letter. Without the budget, 638
  of ICDAR's 18224 misread words were such figures no doubt touched (49 of Overproof's 5317); of such
  places 638 of 645 in ICDAR and 49 of 54 in Overproof were misread;
* `detect.rare`: a word the lexicon knows as rare, that the witness does not use often, with damage
  beside it (a doubt or fix of detect, or one of the above; a name's doubt is none): a garble that
  happens to spell a word ("ne", "tho", "bo").

A doubt's score is how damaged its neighbourhood is, from the document's own evidence: the share
of the `REACH` tokens on either side that are doubted already (a query or a fix of detect) or odd
themselves. A lone letter among sound words ("the b of") is less often a misreading than one in
a garbled line; the budget's rates by score band (budget.py) say how much less. Doubts close together
are joined into one query by the budget (budget.py `lines`), with the doubts beside them.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import chain, compress
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.tomlio import load_model

# the marks between two words as printed English sets them (whitespace read as one space): one closing
# mark (, . ; : ! ?) among closing quotes or brackets (after an abbreviation's full stop too: "etc.,",
# "i.e.):", `odd_marks`), an ellipsis, its dots spaced or not, a dash, spaces, opening quotes or brackets
# (a straight quote with a space inside it, as typed transcriptions set them: ". ' The"); "&" or "/"
# between words; a currency sign before a number; a note's mark ("[^1]", "*"); a break ("* * *")
_CLOSE = r"""(?:\ ?['"])?[”’)\]%*]*[,.;:!?]?(?:\ ?['"])?[”’)\]*]*"""
_OPEN = r"""\ ?[“‘(\[*'"’”]*\ ?"""
_DOTS = r"""(?:\ ?(?:\.\ ?){3,4})?"""
PLAIN = regex.compile(rf"""
    {_CLOSE}{_DOTS}(?:\ ?[-‐‑–—]{{1,2}})?{_OPEN}{_DOTS}(?:\[\^)?
  | [,.;:]?\ [&/]\ ?
  | [,.;:]?\ ?[£$]
  | [.!?]?\ (?:\*\ ?){{3}}
""", regex.VERBOSE)
_SPACES = regex.compile(r"\s+")
# what stands between two letters or digits with a mark in it, other than a space or a full stop or comma
# and spaces (most gaps, passed over at once)
_GAP = regex.compile(r"(?<=[\p{L}\d])(?![,.;:!?]?[ \n]+[\p{L}\d])[^\p{L}\d]*[^\s\p{L}\d][^\p{L}\d]*(?=[\p{L}\d])")
DATA = Path(__file__).resolve().parent.parent / "data" / "garble.toml"


class GarbleData(BaseModel):
    """pipeline/data/garble.toml: per language, its one-letter words and the abbreviations whose
    full stop other marks or a lower-case word may follow."""

    model_config = ConfigDict(extra="forbid")
    one_letter_words: dict[str, frozenset[str]]
    abbreviations: dict[str, frozenset[str]]

    @field_validator("one_letter_words", "abbreviations")
    @classmethod
    def _lower_words(cls, v):
        for lang, words in v.items():
            for w in words:
                if not w.isalpha() or not w.islower():
                    raise ValueError(f"{lang}: {w!r} is not a lower-case word (letters only, no full stop)")
        return v

    @field_validator("one_letter_words")
    @classmethod
    def _one_letter(cls, v):
        for lang, words in v.items():
            if any(len(w) != 1 for w in words):
                raise ValueError(f"one_letter_words.{lang}: a word of more than one letter")
        return v


@lru_cache(maxsize=4)
def load_data(path: Path = DATA) -> GarbleData:
    return load_model(GarbleData, path, "garble data")


def abbreviations(language: str) -> frozenset[str]:
    """The language's abbreviations (lower case, no full stop) from pipeline/data/garble.toml."""
    return load_data().abbreviations.get(language, frozenset())


def one_letter_words(language: str) -> frozenset[str] | None:
    """The language's one-letter words (lower case); None for a language the data does not name."""
    return load_data().one_letter_words.get(language)


_TOUCH_BEFORE, _TOUCH_AFTER = frozenset(".(&[/"), frozenset(".)]/")
REACH = 2  # tokens on either side whose damage makes a doubt's score

LETTER, FORM, MARKS, RARE, FIGURE = "detect.letter", "detect.garble", "detect.marks", "detect.rare", "detect.figure"


def odd_marks(text: str, starts, ends, most: int = 2, language: str = "en") -> list[int]:
    """The indexes k of the tokens followed by marks in no plain shape (`PLAIN`) before token k + 1, a
    shape the text sets at most `most` times (one it sets more often is its own convention: a
    transcription's spaced quotes, a scan's mark for a letter it cannot read)."""
    out, shapes = [], []
    known = abbreviations(language)
    shape: dict[str, str] = {}  # a gap as printed -> its shape if it is odd, else ""
    n = len(starts)
    for m in _GAP.finditer(text):
        a, b = m.span()
        k = bisect.bisect_right(starts, a) - 1
        if k < 0 or k + 1 >= n or starts[k + 1] != b:  # not between two tokens (an apostrophe inside one)
            continue
        raw = m.group()
        if raw[0] == "." and (a - starts[k] == 1 or text[starts[k]:a].lower() in known):
            raw = raw[1:]  # an abbreviation's full stop ("etc.,", "p.", "i.e.):") before the marks
        gap = shape.get(raw)
        if gap is None:  # (the same few gaps again and again: each judged once)
            gap = _SPACES.sub(" ", raw)
            gap = shape[raw] = "" if not gap or PLAIN.fullmatch(gap) else gap
        if gap:
            out.append(k)
            shapes.append(gap)
    times = Counter(shapes)
    return [k for k, gap in zip(out, shapes) if times[gap] <= most]


def lone_letter(printed: str, before: str, after: str, language: str) -> bool:
    """A lone small letter that is no word of the language, standing free: no full stop or bracket
    touches it (`before`, `after`: the characters beside it), as they touch an abbreviation ("p. 31",
    "i.e.", "&c."), a list's mark ("b)", "(b)") or an initial. A capital alone is an initial or a
    letter named ("member X") as often as a misreading, and is left."""
    words = one_letter_words(language)
    if words is None or len(printed) != 1 or not printed.isalpha() or not printed.islower() or printed in words:
        return False
    return before not in _TOUCH_BEFORE and after not in _TOUCH_AFTER


def lone_figure(text: str, starts, ends, k: int) -> bool:
    """Token k (one figure) stands free between two words of one line: a space on either side and no line
    break between it and them (a figure opening a line numbers a heading or a list's item: "1 Background to
    ..."), a token on either side with no figure in it (a list of figures, "1 2 3", or a figure beside a
    number is figures)."""
    a, b = starts[k], ends[k]
    if k == 0 or k + 1 >= len(starts) or not text[a - 1:a].isspace() or not text[b:b + 1].isspace():
        return False
    if "\n" in text[ends[k - 1]:a] or "\n" in text[b:starts[k + 1]]:
        return False
    return not any(c.isdigit() for j in (k - 1, k + 1) for c in text[starts[j]:ends[j]])


def doubts(text: str, starts, ends, language: str, odd_form: Callable[[int], bool],
           covered: bytearray, maybe: Iterable[int] | None = None,
           rare: Callable[[int], bool] | None = None,
           named: bytearray | None = None,
           figures: frozenset[str] = frozenset()) -> list[tuple[int, int, str, float, str]]:
    """(start, end, rule, score, what) of each garbled place no doubt covers yet (`covered`: per token,
    a query or a fix of detect on it), in text order. `odd_form(k)`: token k is no word; `maybe`: the
    indexes of the tokens that may be a lone letter or no word (the others are words; default: all);
    `rare(k)`: token k is a rare word, doubted only with damage beside it (`RARE`; asked only there), a doubt
    of a name or a sentence's punctuation no damage (`named`: per token, only such a doubt covers it);
    `figures`: the figures the OCR model reads for one-letter words (`FIGURE`: "1" for "I"), among `maybe`."""
    n = len(starts)
    kind: dict[int, str] = {}
    for k in range(n) if maybe is None else maybe:
        if covered[k]:
            continue
        a, b = starts[k], ends[k]
        if b - a == 1:
            if lone_letter(text[a], text[a - 1:a], text[b:b + 1], language):
                kind[k] = LETTER
            elif text[a] in figures and lone_figure(text, starts, ends, k):
                kind[k] = FIGURE
        elif odd_form(k):
            kind[k] = FORM
    marks = odd_marks(text, starts, ends, language=language)
    odd = bytearray(map(bool, covered))  # per token: doubted already, or odd itself
    for k in chain(kind, *((k, k + 1) for k in marks)):
        odd[k] = 1

    def score(k0: int, k1: int) -> float:
        near = [j for j in range(k0 - REACH, k1 + REACH + 1) if 0 <= j < n and not k0 <= j <= k1]
        return round(sum(odd[j] for j in near) / max(1, len(near)), 3) if near else 0.0

    out = [(starts[k], ends[k], rule, score(k, k), text[starts[k]:ends[k]]) for k, rule in kind.items()]
    for k in marks:
        if (covered[k] or k in kind) and (covered[k + 1] or k + 1 in kind):
            continue  # both words doubted: the marks are read with them
        out.append((starts[k], ends[k + 1], MARKS, score(k, k + 1), text[ends[k]:starts[k + 1]]))
    if named is not None:  # a foreign name beside a rare word is no damage ("Partiinaya Zhizn")
        for k in compress(range(n), named):
            odd[k] = 0
    if rare is not None:
        near = {j for k in compress(range(n), odd) for j in range(max(0, k - REACH), min(n, k + REACH + 1))}
        for k in sorted(near):
            if not odd[k] and not covered[k] and rare(k):
                out.append((starts[k], ends[k], RARE, score(k, k), text[starts[k]:ends[k]]))
    out.sort(key=lambda d: (d[0], d[1]))
    return out
