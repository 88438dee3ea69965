"""Review decisions: review/<id>.toml, written by a proofreader (or exported from
the HTML report), read by the next run.

    [[decision]]
    id = "3f2a9c01b7de"      # a change id (clean/<id>.changes.jsonl) or a query id
    action = "reject"        # accept | reject | resolve
    reading = "opposition"   # for resolve: the reading to put in the text
    note = "checked against the 1921 print"
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from pipeline.errors import EditionError
from pipeline.run import Decisions
from pipeline.tomlio import display_path, line_of, load_toml, validate


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    action: Literal["accept", "reject", "resolve"]
    reading: str | None = None
    note: str = ""
    by: str = ""

    @model_validator(mode="after")
    def _reading_for_resolve(self) -> "Decision":
        if self.action == "resolve" and self.reading is None:
            raise ValueError("a 'resolve' decision needs a reading")
        return self


def load_decisions(path: Path) -> Decisions:
    """Read one review file; a missing file means no decisions."""
    if not path.exists():
        return Decisions()
    data, text = load_toml(path)
    unknown = set(data) - {"decision", "witness"}
    if unknown:
        raise EditionError(display_path(path), f"unknown top-level key(s) {sorted(unknown)}; expected [[decision]] tables")
    out = Decisions()
    seen: dict[str, int] = {}
    for i, entry in enumerate(data.get("decision", [])):
        d = validate(Decision, entry, path=path, text=text, array="decision", index=i)
        if d.id in seen:
            raise EditionError(display_path(path), f"two decisions for id {d.id!r} (#{seen[d.id] + 1} and #{i + 1})",
                               line=line_of(text, "decision", i, "id"))
        seen[d.id] = i
        if d.action == "reject":
            out.rejected.add(d.id)
        elif d.action == "accept":
            out.accepted.add(d.id)
        else:
            out.resolved[d.id] = d.reading or ""
    return out
