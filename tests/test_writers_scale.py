"""The write phase grows linearly with a witness: no writer may test every pair of changes.

A 100 MB witness has ~2.5 million changes; the changes page once paired every removed line
with every long insertion (moved text) and ran for hours. Here: the pairing is the same as
its definition read literally (on the real corpus and on generated logs), and the page, the
change log and the index of a log four times longer cost about four times the CPU.
"""
from __future__ import annotations

import io
import random
import time

from pipeline.model import Change, ChangeLog, Query, Witness
from pipeline.outputs import _write_content
from pipeline.report.data import WitnessState, _norm, moved_pairs
from pipeline.report.files import write_changes
from pipeline.report.html import render_index, write_changes_page


def pairs_by_definition(changes: list[Change], min_len: int = 12) -> dict[int, list[int]]:
    """Every removal against every insertion: the nearest insertion holding one of its long
    removed lines that it does not write itself (the earlier of two as near)."""
    out: dict[int, list[int]] = {}
    written = [(j, there) for j, there in enumerate(_norm(d.after) for d in changes) if len(there) >= min_len]
    for i, c in enumerate(changes):
        here = _norm(c.after)
        pieces = [p for p in (_norm(x) for x in c.before.split("\n")) if len(p) >= min_len and p not in here]
        best = None
        for j, there in written if pieces else ():
            if j != i and any(p in there for p in pieces):
                if best is None or abs(j - i) < abs(best - i):
                    best = j
        if best is not None:
            out.setdefault(i, []).append(best)
            out.setdefault(best, []).append(i)
    return {k: sorted(v) for k, v in out.items()}


def test_moved_pairs_as_defined_on_the_corpus(cleaned):
    found = 0
    for c in cleaned.values():
        changes = list(c.changes)
        pairs = moved_pairs(changes)
        assert pairs == pairs_by_definition(changes)
        found += len(pairs)
    assert found  # the corpus moves footnotes: some pairs exist to compare


def test_moved_pairs_as_defined_on_generated_logs():
    rng = random.Random(13)
    lines = ["The Workers' Opposition", "Рабочая оппозиция и профсоюзы", "footnote body text here",
             "THE WORKERS' OPPOSITION.", "a line of the running head", "x" * 14]
    paired = 0
    for _ in range(400):
        changes = []
        for k in range(rng.randint(1, 25)):
            before = "\n".join(rng.choice(lines)[:rng.randint(4, 30)] for _ in range(rng.randint(0, 3)))
            after = " ".join(rng.choice(lines)[rng.randint(0, 4):] for _ in range(rng.randint(0, 2)))
            changes.append(Change(f"{k:012x}", 10 * k, 10 * k + 1, before, after, "layout", "layout.x", "layout",
                                  1, 1, 1.0, ""))
        pairs = moved_pairs(changes)
        assert pairs == pairs_by_definition(changes), changes
        paired += bool(pairs)
    assert paired > 100  # ties, a line in several insertions, a removal writing its own line: all met


def _log(n: int) -> ChangeLog:
    """n changes as a re-typeset book makes them: joins, running heads removed on every page
    (each a different page number), words corrected, and long insertions (moved notes)."""
    rng = random.Random(n)
    changes, pos = [], 0
    for k in range(n):
        pos += rng.randint(20, 80)
        if k % 4 == 0:
            before, after, rule = f"\n\nTHE WORKERS' OPPOSITION {k}\n\n", " ", "layout.line-join+layout.furniture"
        elif k % 4 == 1:
            before, after, rule = "\n", "", "hyphen.soft"
        elif k % 4 == 2:
            before, after, rule = "tbe", "the", "detect.scanno"
        else:
            before, after, rule = "\n", f"\n\n[^{k}]: a note of some length moved here {k}\n\n", "layout.end"
        changes.append(Change(f"{k:012x}", pos, pos + len(before), before, after, rule.split(".")[0], rule,
                              "layout", k + 1, 1, 1.0, "a note"))
        pos += len(before)
    return ChangeLog(changes)


def _write_phase_cpu(n: int) -> float:
    """CPU seconds of the changes page, the change log and the index for a log of n changes (best of 2)."""
    log = _log(n)
    w = Witness(id="w", file="w.txt", language="en", work="w", role="original")
    queries = [Query(0, 1, "tbe", ["the"], 0.5, "why", id=f"q{k}", raw_start=c.start, raw_end=c.end)
               for k, c in enumerate(log) if k % 40 == 2]
    st = WitnessState(w, "x" * (log[len(log) - 1].end + 10), log, queries)
    corpus = type("C", (), {"witnesses": [w], "works": [], "members": lambda self, _: []})()
    best = float("inf")
    for _ in range(2):
        t = time.process_time()
        _write_content(io.BytesIO(), lambda out: write_changes_page(out, st))
        _write_content(io.BytesIO(), lambda out: write_changes(out, log))
        render_index(corpus, {"w": st}, set())
        best = min(best, time.process_time() - t)
    return best


def test_the_write_phase_grows_linearly():
    small, large = _write_phase_cpu(1_500), _write_phase_cpu(6_000)
    # linear: ~4x; a writer pairing every removal with every insertion: ~16x and more
    assert large < 7 * small, (small, large)
