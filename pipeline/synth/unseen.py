"""The unseen cases (benchmarks/unseen/): texts nobody here wrote, damaged in ways the seed texts
are not, each a raw file and its truth. Read by benchmarks/unseen_bench.py and tests/test_unseen.py.

A truth file is a text as the edition writes it: a paragraph per line, a blank line between,
note bodies "[^n]: ..." at the end (kept apart: they are scored as notes, not running text).
"""
from __future__ import annotations

import re
from pathlib import Path

from pipeline.synth.typeset import Case

CASES = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "unseen"
NOTE = re.compile(r"\[\^(\w+)\]: (.*)")


def names(root: Path = CASES) -> list[str]:
    return sorted(p.name[:-len(".raw.txt")] for p in root.glob("*.raw.txt"))


def load(name: str, root: Path = CASES) -> Case:
    """A case: its raw text and its truth (paragraphs, and note bodies apart)."""
    raw = (root / f"{name}.raw.txt").read_text(encoding="utf-8")
    truth = (root / f"{name}.truth.txt").read_text(encoding="utf-8")
    paras = [p for p in truth.split("\n") if p.strip()]
    notes = [m.group(2) for p in paras if (m := NOTE.fullmatch(p))]
    return Case(raw, [p for p in paras if not NOTE.fullmatch(p)], notes=notes)


def notes_found(case: Case, cleaned: str) -> int:
    """How many of the truth's note bodies stand in the cleaned text as a note, word for word."""
    out = {" ".join(m.group(2).split()) for p in cleaned.split("\n") if (m := NOTE.fullmatch(p))}
    return sum(1 for n in case.notes if " ".join(n.split()) in out)


def running_paragraphs(root: Path = CASES) -> list[str]:
    """The unseen truths' running-text paragraphs (no notes, no table rows), each once."""
    seen, out = set(), []
    for p in sorted(root.glob("*.truth.txt")):
        if p.name.startswith("table"):
            continue
        for para in p.read_text(encoding="utf-8").split("\n"):
            para = para.strip()
            if len(para) > 200 and not NOTE.fullmatch(para) and para not in seen:
                seen.add(para)
                out.append(para)
    return out
