"""The collation of a work: its witnesses' paragraphs, the rows that align them,
the anchors that justify each row, and the variants (apparatus) inside a row."""
from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int, int]  # (paragraph number, start, end) in one witness


@dataclass
class WitnessText:
    """One witness as collation sees it: its clean paragraphs, numbered from 0."""

    id: str
    language: str
    title: str
    paragraphs: list[str]
    role: str = ""


@dataclass
class Reading:
    """One reading of a variant: the text and the witnesses that have it."""

    text: str
    witnesses: list[str]
    spans: dict[str, list[Span]] = field(default_factory=dict)  # where, per witness; empty = omission point


@dataclass
class Variant:
    """A place where witnesses of one language differ; the first reading is the base's."""

    kind: str
    readings: list[Reading]
    note: str = ""
    move: dict = field(default_factory=dict)  # a transposition across places: from_row, to_row, witness, size


@dataclass
class Anchor:
    """Evidence that two paragraphs are versions of each other (a number, a name, a '?')."""

    kind: str  # number, roman, percent, name, quote, question, parens, heading
    label: str
    marks: dict[str, list[Span]] = field(default_factory=dict)
    trusted: bool = True  # a learned word pair with weak support is used, but not shown as evidence


@dataclass
class Row:
    """One aligned passage: paragraph numbers per witness ([] = no counterpart)."""

    cells: dict[str, list[int]]
    kind: str = ""  # e.g. "1-1", "1-2", "0-1" (pivot paragraphs - other paragraphs)
    anchors: list[Anchor] = field(default_factory=list)
    cost: float = 0.0
    variants: list[Variant] = field(default_factory=list)
    doubt: str = ""  # why a proofreader should check this row ("" = no doubt)
    lacks: list[str] = field(default_factory=list)  # witnesses that read on across this row without it (an omission, not a gap)
    # other witness -> steps [[pivot sentence ids], [its sentence ids]]; an id is "paragraph.sentence"
    sentences: dict[str, list[list[list[str]]]] = field(default_factory=dict)

    def shown_anchors(self) -> list[Anchor]:
        """The anchors a reader is shown as evidence: every kind, a learned word pair only if trusted."""
        return [a for a in self.anchors if a.kind != "lex" or a.trusted]


@dataclass
class Collation:
    """A collated work: witnesses, rows in pivot order, and timing/coverage facts."""

    work: str
    title: str
    pivot: str
    witnesses: list[WitnessText]
    rows: list[Row]
    method: str = "pivot"  # "pivot" (cross-language) or "tokens" (same-language compare)
    facts: dict = field(default_factory=dict)

    def witness(self, wid: str) -> WitnessText:
        return next(w for w in self.witnesses if w.id == wid)
