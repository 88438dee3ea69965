"""Rendering the HTML reports with jinja2 (autoescape on for every template).

Witness text never goes into the markup as markup: the index shows it through
autoescaped expressions; the changes page carries it as JSON in a
<script type="application/json"> element (see data.script_json) and the page's
script only ever puts it into the document as text nodes.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipeline.report.data import WitnessState, page_data, script_json, script_parts

TEMPLATES = Path(__file__).parent / "templates"


def compiled_templates():
    """Where jinja2 keeps the templates it compiled, in the user cache (pipeline.store.cache_dir;
    checked against each template's source by jinja2): compiling them took a few hundredths of
    a second of every run. None if the cache cannot be written."""
    from jinja2 import FileSystemBytecodeCache

    from pipeline.store import cache_dir
    kept = cache_dir() / "templates"
    try:
        kept.mkdir(parents=True, exist_ok=True)
        return FileSystemBytecodeCache(str(kept))
    except OSError:
        return None


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                    keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                    bytecode_cache=compiled_templates())
    e.filters["script_json"] = script_json
    e.filters["script_parts"] = script_parts
    e.filters["num"] = lambda n: f"{n:,}"
    return e


def write_changes_page(out, st: WitnessState) -> None:
    """reports/<id>.changes.html into the text stream *out* as it is made: the changes'
    rows are made, dumped and written a batch at a time, never held whole."""
    data = page_data(st, stream=True)
    for part in env().get_template("changes.html.j2").generate(w=st.witness, st=st, data=data,
                                                                progress=st.progress):
        out.write(part)


def render_changes(st: WitnessState) -> str:
    buf = io.StringIO()
    write_changes_page(buf, st)
    return buf.getvalue()


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
