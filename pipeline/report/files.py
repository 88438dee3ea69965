"""The machine-readable outputs of a run, written from what the run holds, and read back.

- clean/<id>.changes.jsonl: the change log (one Change per line);
- reports/<id>.queries.tsv: the queries for a proofreader;
- reports/witnesses.json: what was found out about each witness (encoding, measured
  layout), how much was changed, and the review decisions that matched nothing (stale).

`edition report` reads these back (read_changes, read_queries, read_manifest) instead
of cleaning again.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from functools import partial
from pathlib import Path

from pipeline.errors import one_line
from pipeline.model import Change, Query
from pipeline.outputs import Content, content_text

QUERY_HEADER = ["id", "line", "col", "text", "suggestions", "score", "reason"]
# JSON lets these stand raw in a string, but many line readers (str.splitlines, JavaScript
# before ES2019) end a line at them: one record would read as two
_LINE_BREAKING = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps(obj, ensure_ascii=False) makes one each call


def json_line(obj) -> str:
    """One JSON record on one line, whatever reader splits it."""
    text = _ENCODER.encode(obj)
    if any(c in text for c in _LINE_BREAKING):
        for c, esc in _LINE_BREAKING.items():
            text = text.replace(c, esc)
    return text


def write_changes(out, changes: list[Change]) -> None:
    """clean/<id>.changes.jsonl into the text stream *out*, a record at a time."""
    for c in changes:
        out.write(json_line(c.as_json()))
        out.write("\n")


def changes_jsonl(changes: list[Change]) -> str:
    return content_text(partial(write_changes, changes=changes))


def tsv_field(value) -> str:
    r"""A TSV field never holds a tab or a line break: they are written as escapes (\t, \n)."""
    return one_line(str(value))


def write_queries(out, queries: list[Query]) -> None:
    """reports/<id>.queries.tsv into the text stream *out*, a row at a time."""
    w = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(QUERY_HEADER)
    for q in queries:
        w.writerow([tsv_field(v) for v in (q.id, q.line, q.col, q.text, "|".join(q.suggestions), f"{q.score:.3f}",
                                           q.reason)])


def queries_tsv(queries: list[Query]) -> str:
    return content_text(partial(write_queries, queries=queries))


def witness_files(root: Path, cleaned: dict) -> dict[Path, Content]:
    """clean/<id>.txt, clean/<id>.changes.jsonl and reports/<id>.queries.tsv of each cleaned
    witness: the text, and writers that stream the log and the queries when the file is written."""
    files: dict[Path, Content] = {}
    for wid, c in cleaned.items():
        files[root / "clean" / f"{wid}.txt"] = c.text
        files[root / "clean" / f"{wid}.changes.jsonl"] = partial(write_changes, changes=c.changes)
        files[root / "reports" / f"{wid}.queries.tsv"] = partial(write_queries, queries=c.queries)
    return files


# a line (between two "\n") holding more than whitespace: what `text.split("\n")` and strip() count,
# without a string per line (a 100 MB witness: ~2 million of them beside its text)
_FILLED_LINE = re.compile(r"^[^\S\n]*\S", re.M)


def manifest_entry(c) -> dict:
    """One witness of reports/witnesses.json, from a freshly cleaned witness (pipeline.run.Cleaned)."""
    w = c.witness
    entry = {"id": w.id, "file": w.file, "language": w.language, "work": w.work, "role": w.role,
            "encoding": c.facts.get("encoding", w.encoding),
            "raw_sha256": text_sha256(c.doc.raw),
            "raw_chars": len(c.doc.raw), "clean_chars": len(c.text),
            "paragraphs": sum(1 for _ in _FILLED_LINE.finditer(c.text)),
            "layout": c.facts.get("layout", {}), "changes": len(c.changes), "queries": len(c.queries)}
    if c.stale:  # review decisions that matched nothing (`edition report` shows them)
        entry["stale"] = list(c.stale)
    return entry


def text_sha256(text: str, chunk: int = 1 << 20) -> str:
    """sha256 of a text's UTF-8 bytes, encoded a slice at a time (no copy of a large text)."""
    h = hashlib.sha256()
    for i in range(0, len(text), chunk):
        h.update(text[i:i + chunk].encode("utf-8"))
    return h.hexdigest()


def witness_manifest(order: list[str], cleaned: dict, earlier: dict[str, dict] | None = None) -> str:
    """reports/witnesses.json, in corpus order: this run's witnesses, and (`edition run --only`)
    the entries of the others as the last run wrote them."""
    earlier = earlier or {}
    out = [manifest_entry(cleaned[wid]) if wid in cleaned else earlier[wid]
           for wid in order if wid in cleaned or wid in earlier]
    return json.dumps({"witnesses": out}, ensure_ascii=False, indent=2) + "\n"


# -- reading back ---------------------------------------------------------------------

def read_changes(text: str) -> list[Change]:
    return [Change(**json.loads(line)) for line in text.split("\n") if line.strip()]


def read_queries(path: Path) -> list[Query]:
    """A queries.tsv read back as Query objects (raw offsets unknown: -1)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Query(0, 0, r["text"], [s for s in r["suggestions"].split("|") if s], float(r["score"] or 0),
                  r["reason"], line=int(r["line"]), col=int(r["col"]), id=r["id"]) for r in rows]


def read_manifest(path: Path) -> dict[str, dict]:
    """reports/witnesses.json by witness id; empty if it was never written."""
    if not path.exists():
        return {}
    return {e["id"]: e for e in json.loads(path.read_text(encoding="utf-8"))["witnesses"]}
