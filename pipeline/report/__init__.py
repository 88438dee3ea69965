"""Report writers for proofreaders and editors.

`build_reports(root, corpus, cleaned, files)` returns the HTML reports of a run
(`edition run` writes them with everything else; with `stream=True` a page is a writer that
makes it while it is written, pipeline.outputs):

- reports/index.html: the edition at a glance (per witness: changes by stage and
  kind, open queries, review progress, links to every report);
- reports/<id>.changes.html: every change in context, the queries, and the review
  decisions a proofreader ticks and exports as review/<id>.toml.

The pages are self-contained (no server, no CDN, work from file://) and depend
only on raw text, rules and review files: no time stamps, no absolute paths.
"""
from __future__ import annotations

import hashlib
import json
from functools import partial
from pathlib import Path

from pipeline.report.data import WitnessState, elsewhere, pivot_evidence
from pipeline.report.files import read_changes, read_manifest, read_queries
from pipeline.outputs import Content, content_text
from pipeline.review import read_review
from pipeline.sources import read_raw

__all__ = ["build_reports", "Ahead", "witness_state", "load_state"]


def witness_state(c) -> WitnessState:
    """The reports' view of a freshly cleaned witness (pipeline.run.Cleaned, with its review decisions)."""
    return WitnessState(c.witness, c.doc.raw, c.changes, c.queries, list(c.review), list(c.stale))


def load_state(root: Path, corpus, wid: str, files: dict[Path, Content] | None = None, *,
               raw: bool = True) -> WitnessState | None:
    """A witness not cleaned in this run, read back from its written outputs (from `files` if
    they are about to be written, else from disk): the change log, the queries, the review
    file, and the stale decisions of reports/witnesses.json. None if it was never cleaned.
    `raw=False` skips reading the raw text (the terminal summary does not show it)."""
    files = files or {}
    w = corpus.get(wid)
    log = root / "clean" / f"{wid}.changes.jsonl"
    tsv = root / "reports" / f"{wid}.queries.tsv"
    if log in files:
        log_text = content_text(files[log])
    elif log.exists():
        log_text = log.read_text(encoding="utf-8")
    else:
        return None
    queries = read_queries(tsv) if tsv.exists() else []
    decisions = read_review(root / "review" / f"{wid}.toml", witness=wid)
    stale = read_manifest(root / "reports" / "witnesses.json").get(wid, {}).get("stale", [])
    return WitnessState(w, read_raw(corpus, wid) if raw else "", read_changes(log_text), queries, decisions,
                        list(stale))


def build_reports(root: Path, corpus, cleaned: dict, files: dict[Path, Content], split=None,
                  stream: bool = False, ahead: "Ahead | None" = None) -> dict[Path, Content]:
    """reports/index.html and reports/<id>.changes.html for every cleaned witness. `split` (the
    collation's sentence splitter) lets a translation's page show the aligned original. With
    `stream`, a changes page is a writer (pipeline.outputs): its text is made as it is written.
    `ahead`: what pages_ahead made of them already (the same states, the pages made)."""
    # jinja2 imported when the pages are made (pipeline.report.files, a run's first step, needs none of it)
    from pipeline.report.html import render_changes, render_index, write_changes_page
    out: dict[Path, Content] = {}
    if ahead is None:
        ahead = Ahead(root, corpus, cleaned, files)
    states = ahead.states
    if split is not None:
        for wid in states:
            if wid in cleaned and wid not in ahead.pages:
                states[wid].pivot = _pivot(root, corpus, corpus.get(wid), cleaned, files, split)
    for wid in cleaned:
        page = root / "reports" / f"{wid}.changes.html"
        if wid in ahead.pages:
            out[page] = ahead.pages[wid]
        else:
            out[page] = partial(write_changes_page, st=states[wid]) if stream else render_changes(states[wid])
    present = {p.relative_to(root).as_posix() for p in files if _inside(p, root)}
    present |= {p.relative_to(root).as_posix() for p in out}
    for sub in ("reports", "reports/collation", "clean", "review"):
        d = root / sub
        if d.is_dir():
            present |= {p.relative_to(root).as_posix() for p in d.iterdir() if p.is_file()}
    out[root / "reports" / "index.html"] = render_index(corpus, states, present)
    return out


class Ahead:
    """The reports' view of every witness (WitnessState: cleaned in this run, else read back),
    each with what it shares with the others (elsewhere); and `pages`, the text of the changes
    pages made before build_reports (`make_pages`)."""

    def __init__(self, root: Path, corpus, cleaned: dict, files: dict[Path, Content]):
        self.states: dict[str, WitnessState] = {}
        self.pages: dict[str, str] = {}
        for w in corpus.witnesses:
            if w.id in cleaned:
                self.states[w.id] = witness_state(cleaned[w.id])
                self.states[w.id].review_sha = _sha(root / "review" / f"{w.id}.toml")
            else:
                st = load_state(root, corpus, w.id, files)
                if st is not None:
                    self.states[w.id] = st
        shared = elsewhere(self.states)
        for wid in cleaned:
            self.states[wid].elsewhere = shared[wid]
        self.cleaned = list(cleaned)

    def make_pages(self, busy) -> None:
        """The changes pages that show no aligned original (a witness that is not a translation:
        build_reports adds the original to a translation's page from its work's alignment), made
        one after another while `busy()` (a worker still collates: this process would wait)."""
        from pipeline.report.html import write_changes_page
        for wid in self.cleaned:
            st = self.states[wid]
            if st.witness.role != "translation" and wid not in self.pages:
                if not busy():
                    return
                self.pages[wid] = content_text(partial(write_changes_page, st=st))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def _text(path: Path, files: dict[Path, Content]) -> str | None:
    if path in files:
        return content_text(files[path])
    return path.read_text(encoding="utf-8") if path.exists() else None


def _pivot(root: Path, corpus, w, cleaned: dict, files: dict[Path, Content], split) -> dict | None:
    """The aligned original for a translation's page, from its work's alignment (this run's or the last)."""
    if w.role != "translation":
        return None
    raw = _text(root / "reports" / "collation" / f"{w.work}.alignment.json", files)
    if raw is None:
        return None
    alignment = json.loads(raw)
    pid = alignment.get("pivot")
    if not pid:
        return None
    ptext = cleaned[pid].text if pid in cleaned else _text(root / "clean" / f"{pid}.txt", files)
    if ptext is None:
        return None
    return pivot_evidence(alignment, w.id, cleaned[w.id].text, ptext, split)


def _inside(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root)
        return True
    except ValueError:
        return False
