"""Rendering the HTML reports with jinja2 (autoescape on for every template).

Witness text never goes into the markup as markup: the index shows it through
autoescaped expressions; the changes page carries it as JSON in a
<script type="application/json"> element (see data.script_json) and the page's
script only ever puts it into the document as text nodes.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report.data import WitnessState, page_data, script_json

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                    keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    e.filters["script_json"] = script_json
    e.filters["num"] = lambda n: f"{n:,}"
    return e


def render_changes(st: WitnessState) -> str:
    data = page_data(st)
    return env().get_template("changes.html.j2").render(w=st.witness, st=st, data=data,
                                                         progress=st.progress)


def render_index(corpus, states: dict[str, WitnessState], present: set[str]) -> str:
    rows = []
    for w in corpus.witnesses:
        st = states.get(w.id)
        links = []
        def link(label: str, path: str, href: str | None = None) -> None:
            if path in present:
                links.append((label, href or path.removeprefix("reports/")))
        link("changes & review", f"reports/{w.id}.changes.html")
        link("queries.tsv", f"reports/{w.id}.queries.tsv")
        link("clean text", f"clean/{w.id}.txt", f"../clean/{w.id}.txt")
        link("change log", f"clean/{w.id}.changes.jsonl", f"../clean/{w.id}.changes.jsonl")
        link("review file", f"review/{w.id}.toml", f"../review/{w.id}.toml")
        rows.append({"w": w, "st": st, "links": links,
                     "stages": st.by("stage") if st else [], "kinds": st.by("kind") if st else [],
                     "progress": st.progress if st else None})
    works = []
    for wk in corpus.works:
        members = corpus.members(wk.id)
        reports = [(label, f"collation/{wk.id}{ext}") for label, ext in
                   (("synoptic view", ".html"), ("TEI", ".tei.xml"), ("alignment", ".alignment.json"))
                   if f"reports/collation/{wk.id}{ext}" in present]
        works.append({"work": wk, "members": members, "reports": reports})
    ps = [r["progress"] for r in rows if r["progress"]]
    total, done = sum(p["total"] for p in ps), sum(p["done"] for p in ps)
    totals = {"changes": sum(len(r["st"].changes) for r in rows if r["st"]),
              "queries": sum(p["open_queries"] for p in ps), "total": total, "done": done,
              "percent": (100 * done // total) if total else 100}
    return env().get_template("index.html.j2").render(rows=rows, works=works, totals=totals)
