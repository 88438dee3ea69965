"""Stage *names* (not yet written)."""
from __future__ import annotations

from pipeline.context import Context
from pipeline.model import StageResult


def run(text: str, ctx: Context) -> StageResult:
    return StageResult()
