"""The edition's data: witnesses and works (validated with pydantic), and the
edits, changes and queries the stages produce (plain dataclasses: they are made
by the thousand on the hot path).
"""
from __future__ import annotations

import bisect
import hashlib
import re
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WITNESS_ID = r"^[a-z0-9][a-z0-9\-]*$"

# -- the clean text's format (DESIGN.md §2) --------------------------------------------
# characters no clean text holds once decoded: controls (a tab and the newline aside), CR,
# line/paragraph separators, noncharacters and lone surrogates (XML may hold none of them)
_NOT_TEXT_BMP = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
NOT_TEXT = re.compile("[" + _NOT_TEXT_BMP +
                      "".join(f"{chr(p * 0x10000 + 0xfffe)}{chr(p * 0x10000 + 0xffff)}" for p in range(1, 17)) + "]")
# the same without the astral noncharacters, for a text with no astral character at all: the
# astral members make `re` search 15 times slower, and every stage's output is searched
_NOT_TEXT_IN_BMP = re.compile("[" + _NOT_TEXT_BMP + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LAYOUT_FAULTS = (("a run of blank lines", re.compile(r"\n\n\n")), ("trailing spaces", re.compile(r"[ \t]+\n")))


def char_problem(text: str) -> tuple[int, str] | None:
    """(offset, problem) of the first character no clean text may hold, or None."""
    m = (NOT_TEXT if _ASTRAL.search(text) else _NOT_TEXT_IN_BMP).search(text)
    if m is None:
        return None
    c = m.group()
    what = "CR" if c == "\r" else "a noncharacter" if c in "\ufffe\uffff" or "\ufdd0" <= c <= "\ufdef" or \
        ord(c) > 0xffff or "\ud800" <= c <= "\udfff" else "a line separator" if c in "\u2028\u2029" else \
        "a control character"
    return m.start(), f"{what} (U+{ord(c):04X})"


def format_problem(text: str) -> tuple[int, str] | None:
    """(offset, problem) where *text* breaks the clean-text format of DESIGN.md §2, or None.

    >>> format_problem("One paragraph.\\n\\nAnother.\\n") is None
    True
    >>> format_problem("One.\\n\\n\\nTwo.\\n")
    (4, 'a run of blank lines')
    """
    found = char_problem(text)
    if found:
        return found
    for what, pat in _LAYOUT_FAULTS:
        m = pat.search(text)
        if m:
            return m.start(), what
    if not text or text.isspace():  # (text.strip() made a copy of the whole text)
        return 0, "no text left"
    if text.startswith(("\n", " ")):
        return 0, "a leading blank line or space"
    if not text.endswith("\n"):
        return len(text), "no final newline"
    return None


def introduced_problem(before: str, after: str) -> str | None:
    """What replacing *before* by *after* (each with a little context) would add that breaks the
    clean-text format: a character no clean text holds, a blank-line run, trailing spaces."""
    for c in set(NOT_TEXT.findall(after)):
        if after.count(c) > before.count(c):
            return char_problem(c)[1]
    for what, pat in _LAYOUT_FAULTS:
        if len(pat.findall(after)) > len(pat.findall(before)):
            return what
    return None


class Witness(BaseModel):
    """One witness: a raw file and what it is (raw/witnesses.toml)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=WITNESS_ID)
    file: str
    language: Literal["en", "ru"]
    work: str
    role: Literal["original", "translation", "reference"]
    title: str = ""
    source: str = ""
    encoding: str = "auto"
    # "any": CR/CRLF line ends are normalised (and logged); "lf": they are an error
    newline: Literal["any", "lf"] = "any"
    # "corpus": catalogued in raw/witnesses.toml; "file": a plain file given to `edition clean PATH`
    # (config/policy.toml's [files] layer applies to those)
    origin: Literal["corpus", "file"] = "corpus"


class Work(BaseModel):
    """A work: the witnesses that are versions of it are collated, through the pivot."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=WITNESS_ID)
    title: str = ""
    pivot: str


@dataclass(slots=True)
class Edit:
    """A stage's proposal: replace text[start:end] of the *current* text by `after`.

    `rule` names what made it (e.g. "layout.line-join"), `kind` what sort of
    damage it repairs (layout, hyphen, spacing, punct, scanno, name, ...). `note` is a str,
    or an object whose str() is the note, written out only when the edit is applied (detect's
    notes: a noisy 100 MB witness has a million edits, and a note as text took ~200 bytes).
    """

    start: int
    end: int
    after: str
    rule: str
    kind: str
    confidence: float = 1.0
    note: str = ""


@dataclass(slots=True)
class Query:
    """Something a stage suspects but does not change, for a proofreader.

    start/end are offsets in the current text when a stage makes it; the
    pipeline maps them to raw offsets (raw_start/raw_end) and a line/col.
    """

    start: int
    end: int
    text: str
    suggestions: list[str]
    score: float
    reason: str
    rule: str = "query"
    raw_start: int = -1
    raw_end: int = -1
    line: int = 0
    col: int = 0
    id: str = ""
    context: str = ""


@dataclass(slots=True)
class StageResult:
    """What a stage returns: edits on the current text, and queries."""

    edits: list[Edit] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)


@dataclass(slots=True)
class Change:
    """One entry of clean/<id>.changes.jsonl: an edit on raw offsets (DESIGN.md §2)."""

    id: str
    start: int
    end: int
    before: str
    after: str
    stage: str
    rule: str
    kind: str
    line: int
    col: int
    confidence: float
    note: str

    def as_json(self) -> dict:
        return {"id": self.id, "start": self.start, "end": self.end, "before": self.before,
                "after": self.after, "stage": self.stage, "rule": self.rule, "kind": self.kind,
                "line": self.line, "col": self.col, "confidence": self.confidence, "note": self.note}


class TextColumn:
    """Many short texts held compactly, in order: a text up to POOLED characters is a 4-byte
    code into a table of the distinct ones (rule names, "⏎", " ", a corrected word); a longer
    one (a note: "a non-word; 'the' is likelier from the OCR error model ...", each different)
    is kept as UTF-8 in a stream compressed a block at a time (they repeat their wording: ~5
    times smaller; as a str each took ~170 bytes, ~2 MB per MB of a noisy witness). Reading one
    decompresses its block (the last few read are kept, for reading in order)."""

    POOLED = 64
    _LONG = 0xFFFFFFFF  # the code of a long text
    _BLOCK = 1 << 16  # bytes of the stream compressed together
    _KEEP = 8  # decompressed blocks kept

    def __init__(self) -> None:
        self._codes = array("I")  # each text's code: its index in _table, or _LONG
        self._table: list[str] = []  # the distinct short texts
        self._index: dict[str, int] | None = {}  # short text -> code (made again when needed)
        self._long = array("q")  # the positions of the long texts, ascending
        self._ends = array("q")  # where each long text ends in the stream
        self._blocks: list[bytes] = []  # the stream before the tail, compressed
        self._block_starts = array("q")  # where each block starts in the stream
        self._tail = bytearray()  # the stream's end, not compressed yet
        self._tail_start = 0
        self._read: dict[int, bytes] = {}  # block index -> its bytes (the last few read)

    def extend(self, texts: Iterable[str]) -> None:
        limit, codes, table = self.POOLED, self._codes, self._table
        index = self._index
        if index is None:
            index = self._index = {t: k for k, t in enumerate(table)}
        for t in texts:
            if type(t) is not str:  # a note made only when it is kept (model.Edit)
                t = str(t)
            if len(t) <= limit:
                k = index.get(t)
                if k is None:
                    k = index[t] = len(table)
                    table.append(t)
                codes.append(k)
                continue
            self._long.append(len(codes))
            codes.append(self._LONG)
            self._tail += t.encode("utf-8", "surrogatepass")
            self._ends.append(self._tail_start + len(self._tail))
            if len(self._tail) >= self._BLOCK:
                self._blocks.append(zlib.compress(self._tail))
                self._block_starts.append(self._tail_start)
                self._tail_start += len(self._tail)
                self._tail = bytearray()

    def close(self) -> None:
        """No more texts for now: the index of the short ones goes (made again if one is added)."""
        self._index = None

    def __len__(self) -> int:
        return len(self._codes)

    def slice(self, start: int, stop: int) -> list[str]:
        """The texts at positions start..stop-1."""
        table, long = self._table, self._LONG
        return [table[k] if k != long else self._long_text(bisect.bisect_left(self._long, start + n))
                for n, k in enumerate(self._codes[start:stop])]

    def every(self, offset: int, step: int) -> Iterator[str]:
        """The texts at positions offset, offset + step, ... (one field of every record), in order."""
        codes, table = self._codes[offset::step], self._table
        if not self._long:
            return map(table.__getitem__, codes)
        long = self._LONG
        return (table[k] if k != long else self._long_text(bisect.bisect_left(self._long, offset + n * step))
                for n, k in enumerate(codes))

    def _long_text(self, k: int) -> str:
        a, b = self._ends[k - 1] if k else 0, self._ends[k]
        if a >= self._tail_start:
            data, base = self._tail, self._tail_start
        else:
            n = bisect.bisect_right(self._block_starts, a) - 1
            data, base = self._read.get(n), self._block_starts[n]
            if data is None:
                if len(self._read) >= self._KEEP:
                    del self._read[next(iter(self._read))]
                data = self._read[n] = zlib.decompress(self._blocks[n])
        return data[a - base:b - base].decode("utf-8", "surrogatepass")

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_read": {}, "_index": None}


class ChangeLog(Sequence):
    """A witness's change log held compactly: a Change object with its own id string, ints
    and float took ~400 bytes (a 100 MB witness has over a million changes); here a change
    takes ~70: its numbers in arrays, its id as 6 bytes, its texts in a TextColumn (the
    short ones shared: "⏎", " ", the rule names; the notes compressed). A Change is made when one is read; the log
    reads as a list of them (len, index, iteration)."""

    def __init__(self, changes: Iterable[Change] = ()):
        self._nums = array("i")  # start, end, line, col of each change (64-bit once one needs it)
        self._conf = array("d")
        self._ids = bytearray()  # 6 bytes a change: its 12-hex-digit id
        self._odd_ids: dict[int, str] = {}  # an id of another form (read from an older log), by index
        self._odd_conf: dict[int, object] = {}
        self._texts = TextColumn()  # before, after, stage, rule, kind, note of each change
        for c in changes:
            self._add(c)
        self._texts.close()

    def _add(self, c: Change) -> None:
        n = len(self._conf)
        nums = (c.start, c.end, c.line, c.col)
        if self._nums.typecode == "i" and not -_I32 <= min(nums) <= max(nums) < _I32:
            self._nums = array("q", self._nums)
        self._nums.extend(nums)
        self._conf.append(c.confidence)
        if type(c.confidence) is not float:  # an int (1, not 1.0) is written as it is: kept as it is
            self._odd_conf[n] = c.confidence
        if len(c.id) == 12 and _HEX12.fullmatch(c.id):
            self._ids += bytes.fromhex(c.id)
        else:
            self._ids += bytes(6)
            self._odd_ids[n] = c.id
        self._texts.extend((c.before, c.after, c.stage, c.rule, c.kind, c.note))  # as FIELDS

    def __len__(self) -> int:
        return len(self._conf)

    FIELDS = ("before", "after", "stage", "rule", "kind", "note")  # the texts of a change, as _texts holds them
    NUMBERS = ("start", "end", "line", "col")  # its numbers, as _nums holds them
    COLUMNS = FIELDS + NUMBERS

    def column(self, name: str) -> Iterator:
        """One field (COLUMNS) of every change, in order, without making the changes: the
        reports count the stages, kinds and rules of every change, and look its spans up."""
        if name in self.NUMBERS:
            return iter(self._nums[self.NUMBERS.index(name)::len(self.NUMBERS)])
        return self._texts.every(self.FIELDS.index(name), len(self.FIELDS))

    def _make(self, i: int) -> Change:
        a, b, line, col = self._nums[4 * i:4 * i + 4]
        before, after, stage, rule, kind, note = self._texts.slice(6 * i, 6 * i + 6)
        cid = self._odd_ids.get(i) or self._ids[6 * i:6 * i + 6].hex()
        conf = self._odd_conf.get(i, self._conf[i]) if self._odd_conf else self._conf[i]
        return Change(cid, a, b, before, after, stage, rule, kind, line, col, conf, note)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._make(k) for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("change index out of range")
        return self._make(i)

    def __iter__(self) -> Iterator[Change]:
        return map(self._make, range(len(self)))

    def __eq__(self, other) -> bool:
        if isinstance(other, ChangeLog | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # mutable in principle, like a list

    def __repr__(self) -> str:
        return f"ChangeLog({len(self)} changes)"


_HEX12 = re.compile("[0-9a-f]{12}")
_I32 = 2**31


def stable_id(*parts: object, n: int = 12) -> str:
    """A short id derived only from its parts, so it is the same on every run."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:n]


def slug(text: str, default: str = "text") -> str:
    """An id made of a name: lower-case ASCII letters, digits and hyphens.

    >>> slug("Workers' Opposition (1921)")
    'workers-opposition-1921'
    """
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or default
