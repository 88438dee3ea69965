"""Stage *typography*: quote style as the witness's policy says (config/policy.toml).

`quotes = "keep"` leaves the witness's quotes as printed. `"curly"` keeps
curly quotes and repairs the ones the OCR or a conversion turned the wrong way:
Lenin's 'dealing with it “in principle “, as a matter of' has a closing quote
printed as an opening one, with a stray space before it -> '“in principle”,'.
`"straight"` turns curly double and single quotes into straight ones, and two
apostrophes set for a closing quote into one ('military front. '' And yet' ->
'military front." And yet').
"""
from __future__ import annotations

import re
from typing import Literal

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.stages import Settings, stage

# an opening quote where a closing one belongs: after a word, before punctuation, space or end
_WRONG_OPEN = re.compile(r"(?<=[\w.,;:?!…)]) ?“(?=[\s,.;:?!)]|$)", re.M)
# a closing quote where an opening one belongs: after a space or bracket, before a word
_WRONG_CLOSE = re.compile(r"(?:(?<=^)|(?<=[\s(]))”(?=\w)", re.M)
_STRAIGHT = {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"}
# two apostrophes set for a closing double quote, maybe after a stray space: 'front. '' And yet'
_DOUBLE_APOSTROPHE = re.compile(r"(?<=[\w.,;:?!]) ?''(?!')")


class TypographySettings(Settings):
    """[default.typography] and its layers in config/policy.toml (dash_text is read by hyphenation)."""

    quotes: Literal["keep", "curly", "straight"] = "keep"
    dash_text: str = " - "  # how a hyphen judged to be a dash is written; "document": the file's own dash


@stage("typography", kinds=("punct",), settings=TypographySettings)
def run(text: str, ctx: Context) -> StageResult:
    """Apply the witness's quote policy."""
    policy = ctx.policy.get("typography", {}).get("quotes", "keep")
    edits: list[Edit] = []
    if policy == "curly":
        for m in _WRONG_OPEN.finditer(text):
            edits.append(Edit(m.start(), m.end(), "”", "typography.closing-quote", "punct", 0.95,
                              f"an opening quote where a closing one belongs: {_around(text, m)!r}"))
        for m in _WRONG_CLOSE.finditer(text):
            edits.append(Edit(m.start(), m.end(), "“", "typography.opening-quote", "punct", 0.95,
                              f"a closing quote where an opening one belongs: {_around(text, m)!r}"))
    elif policy == "straight":
        for m in _DOUBLE_APOSTROPHE.finditer(text):
            edits.append(Edit(m.start(), m.end(), '"', "typography.double-apostrophe", "punct", 0.95,
                              f"two apostrophes for a closing quote: {_around(text, m)!r}"))
        for m in re.finditer("[“”„‘’]", text):
            edits.append(Edit(m.start(), m.end(), _STRAIGHT[m.group()], "typography.straight-quotes", "punct", 1.0,
                              "policy: straight quotes"))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))


def _around(text: str, m: re.Match) -> str:
    return text[max(0, m.start() - 15):m.end() + 10].replace("\n", " ")
