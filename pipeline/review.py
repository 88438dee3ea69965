"""Review decisions: review/<id>.toml, written by a proofreader (or exported from
the HTML report reports/<id>.changes.html), read by the next run.

    witness = "kollontai-en-dreadnought"   # optional; must match the file name

    [[decision]]
    id = "3f2a9c01b7de"      # a change id (clean/<id>.changes.jsonl) or a query id
    action = "reject"        # accept | reject | resolve | paragraph (accept on a query: keep the text as it is)
    reading = "opposition"   # for resolve: the reading to put in the text
    note = "checked against the 1921 print"
    by = "AB"                # optional: who decided

For a change: accept confirms it, reject leaves it out (of a change merged from a
layout edit and a correction, only the correction). For a query (reports/<id>.queries.tsv):
resolve puts the reading in the text (an edit of kind `review`; "¶" is a paragraph
break), accept keeps the text as it is; either way the query is answered.
`paragraph` on a change that joined lines (a page-break join, a line join): the join
was wrong, a paragraph starts there; the next run writes a paragraph break in its
place (an edit of kind `review`, rule `review.paragraph`). `hyphen` on a line-end hyphen
decision (`hyphen.compound`, `hyphen.soft`): the other decision is right; the next run
drops the kept hyphen ("class-consistent" -> "classconsistent") or keeps the dropped one
("to-⏎day" -> "to-day"), an edit of kind `review`, rule `review.hyphen`.

A decision may also carry what it was about, for a human reading the file and for
the report once the change is gone (a rejected change is not in the next change
log): `line`, `rule`, `before`, `after` (of a change) or `text` (of a query).
These are informative only; the run looks at `id`, `action` and `reading`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.errors import EditionError
from pipeline.model import introduced_problem
from pipeline.tomlio import display_path, load_toml, validate_tables

ACTIONS = ("accept", "reject", "resolve", "paragraph", "hyphen")
HYPHEN_RULES = ("hyphen.compound", "hyphen.soft")  # line-end hyphen decisions a `hyphen` action turns round


@dataclass
class Decisions:
    """A proofreader's decisions for one witness, as the run needs them."""

    rejected: set[str] = field(default_factory=set)   # change ids not to apply
    accepted: set[str] = field(default_factory=set)   # change ids confirmed, query ids kept as they are
    resolved: dict[str, str] = field(default_factory=dict)  # query id -> reading
    paragraphs: set[str] = field(default_factory=set)  # change ids (line joins) to make paragraph breaks
    hyphens: set[str] = field(default_factory=set)  # change ids (line-end hyphen decisions) to turn round

    def __len__(self) -> int:
        return len(self.rejected) + len(self.accepted) + len(self.resolved) + len(self.paragraphs) + len(self.hyphens)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")  # a change or query id, nothing else
    action: Literal["accept", "reject", "resolve", "paragraph", "hyphen"]
    reading: str | None = None
    note: str = ""
    by: str = ""
    # informative: what the decision was about (written by the report's export)
    line: int | None = None
    rule: str = ""
    before: str | None = None
    after: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _reading_for_resolve(self) -> "Decision":
        if self.action == "resolve" and self.reading is None:
            raise ValueError("a 'resolve' decision needs a reading")
        if self.action != "resolve" and self.reading is not None:
            raise ValueError(f"a reading only goes with action 'resolve', not {self.action!r}")
        problem = introduced_problem("", self.reading or "")
        if problem:
            raise ValueError(f"field 'reading': would write {problem} into the clean text (write ¶ for a paragraph break)")
        return self


def read_review(path: Path, witness: str | None = None) -> list[Decision]:
    """Every decision of one review file, in file order; a missing file means none.

    Problems (syntax, unknown fields, a resolve without reading, two decisions for
    one id, a file exported for another witness) name the file and line.
    """
    if not path.exists():
        return []
    data, text = load_toml(path)
    return parse_review(data, text, path, witness)


def review_words(path: Path) -> list[str]:
    """The `words` a page exported with its decisions (for rules/words/, `edition review import`)."""
    if not path.exists():
        return []
    data, text = load_toml(path)
    parse_review(data, text, path)
    return list(data.get("words", []))


def parse_review(data: dict, text: str, path: Path, witness: str | None = None) -> list[Decision]:
    """The decisions of review-file text already parsed (`data`); see read_review."""
    shown = display_path(path)
    unknown = set(data) - {"decision", "witness", "words"}
    if unknown:
        raise EditionError(shown, f"unknown top-level key(s) {sorted(unknown)}; expected [[decision]] tables")
    words = data.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() and " " not in w.strip()
                                              for w in words):
        raise EditionError(shown, "'words' is a list of single words (for rules/words/)",
                           line=_line_of_key(text, "words"))
    if witness is not None and "witness" in data and data["witness"] != witness:
        raise EditionError(shown, f"this file is for witness {data['witness']!r}, not {witness!r} "
                           f"(save it as review/{data['witness']}.toml)", line=_line_of_key(text, "witness"))
    return validate_tables(Decision, data.get("decision", []), path=path, text=text, array="decision",
                           what="decisions")


def to_decisions(decisions: list[Decision]) -> Decisions:
    """The decisions as the run needs them."""
    out = Decisions()
    for d in decisions:
        if d.action == "reject":
            out.rejected.add(d.id)
        elif d.action == "accept":
            out.accepted.add(d.id)
        elif d.action == "paragraph":
            out.paragraphs.add(d.id)
        elif d.action == "hyphen":
            out.hyphens.add(d.id)
        else:
            out.resolved[d.id] = d.reading or ""
    return out


def load_decisions(path: Path) -> Decisions:
    """Read one review file (review/<id>.toml) for the run; a missing file means no decisions."""
    return to_decisions(read_review(path, witness=path.stem))


def _line_of_key(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        if line.split("=", 1)[0].strip() == key:
            return n
    return None


# -- writing (the HTML report's export writes the same format, in JavaScript) -------

def toml_string(s: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


FIELD_ORDER = ("id", "action", "reading", "note", "by", "line", "rule", "before", "after", "text")


def dump_review(witness: str, decisions: list[Decision], words: list[str] | None = None) -> str:
    """review/<id>.toml text for these decisions (same layout as the HTML export)."""
    lines = [f"# Review decisions for {witness}: save as review/{witness}.toml, then run `edition run`.",
             "# action: accept | reject | resolve (needs a reading) | paragraph | hyphen.",
             "# line/rule/before/after/text only say what a decision was about; the run reads id, action, reading.",
             f"witness = {toml_string(witness)}"]
    if words:
        lines.append("words = [" + ", ".join(toml_string(w) for w in words) + "]  "
                     "# for rules/words/: `edition review import` adds them")
    lines.append("")
    for d in decisions:
        lines.append("[[decision]]")
        for name in FIELD_ORDER:
            v = getattr(d, name)
            if v is None or (v == "" and name in ("note", "by", "rule")):
                continue
            lines.append(f"{name} = {v}" if isinstance(v, int) else f"{name} = {toml_string(v)}")
        lines.append("")
    return "\n".join(lines)
