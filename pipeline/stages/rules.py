"""Stage *rules*: apply the maintainers' correction rules (rules/*.toml).

Each rule repairs damage seen in a witness, e.g. the Dreadnought's "rank and
tile" -> "rank and file" or Lenin's "carried awav" -> "carried away"; the
edit carries the rule id, its kind (scanno, typo, ...) and its note, so the
change log says which rule made every correction and why. Two rules claiming
the same span stop the run with an error naming both (pipeline.rules.find_hits).
"""
from __future__ import annotations

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.stages import stage
from pipeline.rules import KINDS, find_hits, minimal_span


@stage("rules", kinds=KINDS)
def run(text: str, ctx: Context) -> StageResult:
    """Every in-scope rule's hits on the current text, as edits (smallest differing words)."""
    rules = [r for r in ctx.resources.rules if r.applies_to(ctx.witness.id, ctx.language)]
    edits = []
    for h in find_hits(rules, text):
        s, e, after = minimal_span(text, h.start, h.end, h.replacement)
        if text[s:e] == after:
            continue
        edits.append(Edit(s, e, after, f"rule.{h.rule.id}", h.rule.spec.kind, h.rule.spec.confidence,
                          h.rule.spec.note))
    return StageResult(edits)
