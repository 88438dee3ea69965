"""Report writers for proofreaders and editors.

`build_reports(root, corpus, cleaned, files)` returns the HTML reports of a run
(`edition run` writes them with everything else):

- reports/index.html: the edition at a glance (per witness: changes by stage and
  kind, open queries, review progress, links to every report);
- reports/<id>.changes.html: every change in context, the queries, and the review
  decisions a proofreader ticks and exports as review/<id>.toml.

The pages are self-contained (no server, no CDN, work from file://) and depend
only on raw text, rules and review files: no time stamps, no absolute paths.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.report.data import WitnessState
from pipeline.report.html import render_changes, render_index
from pipeline.review import read_review

__all__ = ["build_reports", "witness_state", "load_state"]


def witness_state(root: Path, c) -> WitnessState:
    """The reports' view of a freshly cleaned witness (pipeline.run.Cleaned)."""
    decisions = read_review(root / "review" / f"{c.witness.id}.toml", witness=c.witness.id)
    return WitnessState(c.witness, c.doc.raw, list(c.changes), list(c.queries), decisions, list(c.stale))


def load_state(root: Path, corpus, wid: str, files: dict[Path, str] | None = None) -> WitnessState | None:
    """A witness not cleaned in this run (`edition run --only`), read back from its
    outputs (from `files` if they are about to be written, else from disk); None if
    it has never been cleaned. Stale decisions cannot be known this way."""
    from pipeline.model import Change, Query
    from pipeline.run import read_queries
    from pipeline.commands import read_witness

    files = files or {}
    w = corpus.get(wid)
    log = root / "clean" / f"{wid}.changes.jsonl"
    tsv = root / "reports" / f"{wid}.queries.tsv"
    if log in files:
        log_text = files[log]
    elif log.exists():
        log_text = log.read_text(encoding="utf-8")
    else:
        return None
    changes = [Change(**json.loads(line)) for line in log_text.splitlines() if line.strip()]
    queries: list[Query] = []
    if tsv.exists():
        for r in read_queries(tsv):
            queries.append(Query(0, 0, r["text"], [s for s in r["suggestions"].split("|") if s],
                                 float(r["score"] or 0), r["reason"], line=int(r["line"]), col=int(r["col"]),
                                 id=r["id"]))
    raw, _, _ = read_witness(root, corpus, wid)
    decisions = read_review(root / "review" / f"{wid}.toml", witness=wid)
    return WitnessState(w, raw, changes, queries, decisions, [])


def build_reports(root: Path, corpus, cleaned: dict, files: dict[Path, str]) -> dict[Path, str]:
    """reports/index.html and reports/<id>.changes.html for every cleaned witness."""
    out: dict[Path, str] = {}
    states: dict[str, WitnessState] = {}
    for w in corpus.witnesses:
        if w.id in cleaned:
            states[w.id] = witness_state(root, cleaned[w.id])
            out[root / "reports" / f"{w.id}.changes.html"] = render_changes(states[w.id])
        else:
            st = load_state(root, corpus, w.id, files)
            if st is not None:
                states[w.id] = st
    present = {p.relative_to(root).as_posix() for p in files if _inside(p, root)}
    present |= {p.relative_to(root).as_posix() for p in out}
    for sub in ("reports", "reports/collation", "clean", "review"):
        d = root / sub
        if d.is_dir():
            present |= {p.relative_to(root).as_posix() for p in d.iterdir() if p.is_file()}
    out[root / "reports" / "index.html"] = render_index(corpus, states, present)
    return out


def _inside(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root)
        return True
    except ValueError:
        return False
