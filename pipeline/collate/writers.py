"""Writers for a collation: <work>.alignment.json (the contract), <work>.tei.xml
(TEI P5, parallel segmentation), <work>.html (the synoptic view) and
<work>.coverage.json (which pivot paragraphs each witness covers, what it adds).

Writers only turn a Collation into strings; the CLI writes the files.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import etree

from pipeline.collate.classify import KINDS
from pipeline.collate.model import Collation, Row
from pipeline.collate.segment import sentence_spans, word_count

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TEMPLATES = Path(__file__).parent / "templates"


def report_files(col: Collation, folder: Path) -> dict[Path, str]:
    """Every report of one collation, by path under `folder`."""
    return {
        folder / f"{col.work}.alignment.json": alignment_json(col),
        folder / f"{col.work}.tei.xml": tei_xml(col),
        folder / f"{col.work}.html": html(col),
        folder / f"{col.work}.coverage.json": json.dumps(coverage(col), ensure_ascii=False, indent=1) + "\n",
    }


# ---------------------------------------------------------------- alignment.json

def alignment_json(col: Collation) -> str:
    """The contract file: rows of paragraph numbers in pivot order, plus per-row details.

    Rows are written one per line so that a change of alignment is a readable diff.
    `details[k]` explains `rows[k]` (kind, cost, anchors, number of variants).
    """
    ids = [w.id for w in col.witnesses]
    rows = [json.dumps({wid: r.cells.get(wid, []) for wid in ids}, ensure_ascii=False) for r in col.rows]
    details = [json.dumps(row_details(r), ensure_ascii=False) for r in col.rows]
    head = {"work": col.work, "pivot": col.pivot, "witnesses": ids, "method": col.method}
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append(' "rows": [\n  ' + ",\n  ".join(rows) + "\n ],")
    lines.append(' "details": [\n  ' + ",\n  ".join(details) + "\n ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def row_details(row: Row) -> dict:
    """Why a row is what it is: its kind, cost, anchors and variant counts."""
    out = {"kind": row.kind, "cost": round(row.cost, 2),
           "anchors": [f"{a.kind}:{a.label}" for a in row.anchors],
           "variants": dict(sorted(Counter(v.kind for v in row.variants).items()))}
    if row.doubt:
        out["doubt"] = row.doubt
    if row.sentences:
        out["sentences"] = row.sentences
    return out


# ---------------------------------------------------------------- coverage

def _ranges(nums: list[int]) -> str:
    """[0,1,2,5] -> '0-2, 5'."""
    out, start, prev = [], None, None
    for n in sorted(nums):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(out)


def coverage(col: Collation) -> dict:
    """Which pivot paragraphs each witness covers, which none covers, and what each adds."""
    pivot = col.witness(col.pivot)
    body = [k for k in range(len(pivot.paragraphs))]
    total_words = sum(word_count(p) for p in pivot.paragraphs) or 1
    out: dict = {"work": col.work, "pivot": col.pivot, "pivot_paragraphs": len(pivot.paragraphs), "witnesses": {}}
    covered_any: set[int] = set()
    for w in col.witnesses:
        if w.id == col.pivot:
            continue
        covered = sorted({p for r in col.rows if r.cells.get(w.id) for p in r.cells.get(col.pivot, [])})
        covered_any.update(covered)
        added = [p for r in col.rows if r.cells.get(w.id) and not r.cells.get(col.pivot) for p in r.cells[w.id]]
        out["witnesses"][w.id] = {
            "paragraphs": len(w.paragraphs),
            "covers_pivot_paragraphs": _ranges(covered),
            "covers_pivot_share": round(sum(word_count(pivot.paragraphs[p]) for p in covered) / total_words, 3),
            "added_paragraphs": [{"n": p, "text": w.paragraphs[p][:120]} for p in added],
        }
    uncovered = [p for p in body if p not in covered_any]
    out["uncovered_pivot_paragraphs"] = _ranges(uncovered)
    out["uncovered_pivot_share"] = round(sum(word_count(pivot.paragraphs[p]) for p in uncovered) / total_words, 3)
    out["variants"] = dict(sorted(Counter(v.kind for r in col.rows for v in r.variants).items()))
    out["doubtful_rows"] = [k for k, r in enumerate(col.rows) if r.doubt]
    return out


# ---------------------------------------------------------------- TEI

def _tei(tag: str, parent=None, **attrs):
    """A TEI element (xml:id / xml:lang written as id_ / lang_)."""
    name = f"{{{TEI_NS}}}{tag}"
    attrs = {(f"{{{XML_NS}}}{k[:-1]}" if k.endswith("_") else k): str(v) for k, v in attrs.items() if v is not None}
    return etree.SubElement(parent, name, attrs) if parent is not None else etree.Element(name, attrs, nsmap={None: TEI_NS})


def tei_xml(col: Collation) -> str:
    """TEI P5: listWit naming every witness; per row, each witness's paragraphs, and
    app/rdg (parallel segmentation) where witnesses of one language differ."""
    tei = _tei("TEI")
    header = _tei("teiHeader", tei)
    fd = _tei("fileDesc", header)
    _tei("title", _tei("titleStmt", fd)).text = f"{col.title or col.work}: collation"
    _tei("p", _tei("publicationStmt", fd)).text = "Generated by the edition pipeline (edition collate)."
    lw = _tei("listWit", _tei("sourceDesc", fd))
    for w in col.witnesses:
        _tei("witness", lw, id_=w.id, lang_=w.language, n=w.role or None).text = w.title or w.id
    enc = _tei("encodingDesc", header)
    _tei("variantEncoding", enc, method="parallel-segmentation", location="internal")
    body = _tei("body", _tei("text", tei))
    fillers: list = []
    for k, row in enumerate(col.rows):
        _tei_row(col, row, k, body, fillers)
    etree.indent(tei, space=" ")  # indent the structure only: the text (mixed content) is filled in after
    for fill in fillers:
        fill()
    return etree.tostring(tei, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"


def _tei_row(col: Collation, row: Row, k: int, body, fillers: list) -> None:
    """One aligned passage: a div with an ab per witness, or one ab with app/rdg for the
    witnesses of one language that were collated word by word."""
    div = _tei("div", body, type="passage", n=k, subtype=row.kind or "row")
    if row.anchors:
        note = _tei("note", div, type="anchors")
        note.text = "; ".join(f"{a.kind}: {a.label}" for a in row.anchors)
    collated = {wid for v in row.variants for r in v.readings for wid in r.witnesses}
    for lang_group in _collated_groups(col, row, collated):
        fillers.append(_tei_apparatus(col, row, div, lang_group))
    for w in col.witnesses:
        nums = row.cells.get(w.id, [])
        if nums and w.id not in collated:
            ab = _tei("ab", div, type="witness", corresp=f"#{w.id}", lang_=w.language,
                      n=" ".join(str(p) for p in nums))
            ab.text = "\n".join(w.paragraphs[p] for p in nums)


def _collated_groups(col: Collation, row: Row, collated: set[str]) -> list[list[str]]:
    """The collated witnesses of a row by language, each group in witness order."""
    groups: dict[str, list[str]] = {}
    for w in col.witnesses:
        if w.id in collated and row.cells.get(w.id):
            groups.setdefault(w.language, []).append(w.id)
    return list(groups.values())


def _tei_apparatus(col: Collation, row: Row, div, wids: list[str]):
    """An ab for the base witness's text with app/rdg at each variant (parallel segmentation);
    returns the function that fills it (called after the structure is indented).

    The base is the first witness of the group (the pivot, if it is in the group); each
    rdg names its witnesses, an empty rdg is an omission.
    """
    base = col.witness(wids[0])
    nums = row.cells[base.id]
    ab = _tei("ab", div, type="collation", corresp=" ".join(f"#{w}" for w in wids), lang_=base.language,
              n=" ".join(f"{wid}:{','.join(map(str, row.cells.get(wid, [])))}" for wid in wids))
    places = []
    for v in row.variants:
        spans = v.readings[0].spans.get(base.id, [])
        if spans and set(v.readings[0].witnesses) | {x for r in v.readings for x in r.witnesses} <= set(wids):
            places.append(((nums.index(spans[0][0]), spans[0][1]), (nums.index(spans[-1][0]), spans[-1][2]), v))
    places.sort(key=lambda x: x[0])
    last = None  # the element whose tail receives the next text
    cursor = (0, 0)

    def add_text(text: str) -> None:
        if not text:
            return
        if last is None:
            ab.text = (ab.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    def between(a: tuple[int, int], b: tuple[int, int]) -> str:
        (pa, oa), (pb, ob) = a, b
        if pa == pb:
            return base.paragraphs[nums[pa]][oa:ob]
        parts = [base.paragraphs[nums[pa]][oa:]] + [base.paragraphs[nums[q]] for q in range(pa + 1, pb)]
        return "\n".join(parts + [base.paragraphs[nums[pb]][:ob]])

    def fill() -> None:
        nonlocal last, cursor
        for start, end, v in places:
            if start < cursor:
                continue  # overlapping places cannot come out of the collation; be safe
            add_text(between(cursor, start))
            app = _tei("app", ab, type=v.kind)
            for r in v.readings:
                rdg = _tei("rdg", app, wit=" ".join(f"#{x}" for x in r.witnesses))
                rdg.text = r.text or None
            last, cursor = app, end
        add_text(between(cursor, (len(nums) - 1, len(base.paragraphs[nums[-1]]))))
    return fill


# ---------------------------------------------------------------- HTML

def _segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[dict]:
    """Cut a paragraph into pieces, each with the CSS classes and titles of the marks on it.

    A mark is (start, end, css class, title); a zero-width mark becomes a caret piece.
    """
    cuts = sorted({0, len(text)} | {m[0] for m in marks} | {m[1] for m in marks})
    out = []
    for x, y in zip(cuts, cuts[1:] + [None]):
        for s, e, cls, title in marks:
            if s == e == x:
                out.append({"text": "‸", "cls": cls + " gap", "title": title})
        if y is None:
            break
        on = [(cls, title) for s, e, cls, title in marks if s <= x and e >= y and s < e]
        out.append({"text": text[x:y], "cls": " ".join(c for c, _ in on), "title": " | ".join(t for _, t in on)})
    return out


def _variant_marks(row: Row) -> dict[str, dict[int, list]]:
    """Per witness and paragraph: the marks of this row's variants."""
    marks: dict[str, dict[int, list]] = {}
    for v in row.variants:
        for r in v.readings:
            title = f"{v.kind}: " + " / ".join(f"{x.text or '(omitted)'} [{', '.join(x.witnesses)}]" for x in v.readings)
            if v.note:
                title += f" ({v.note})"
            for wid in r.witnesses:
                for p, s, e in r.spans.get(wid, []):
                    cls = f"v v-{v.kind}" + (" base" if r is v.readings[0] else "")
                    marks.setdefault(wid, {}).setdefault(p, []).append((s, e, cls, title))
    return marks


def _anchor_marks(row: Row) -> dict[str, dict[int, list]]:
    """Per witness and paragraph: the marks of this row's anchors."""
    marks: dict[str, dict[int, list]] = {}
    for a in row.anchors:
        for wid, spans in a.marks.items():
            for p, s, e in spans:
                marks.setdefault(wid, {}).setdefault(p, []).append((s, e, f"a a-{a.kind}", f"anchor {a.kind}: {a.label}"))
    return marks


def _sentence_marks(col: Collation, row: Row) -> dict[str, dict[int, list]]:
    """Per witness and paragraph: sentence pairs of the row, tinted alike in both columns
    (only when one translation is in the row, so that the tints cannot disagree)."""
    marks: dict[str, dict[int, list]] = {}
    if len(row.sentences) != 1:
        return marks
    wid, steps = next(iter(row.sentences.items()))
    spans = {}
    for w in (col.witness(col.pivot), col.witness(wid)):
        for p in row.cells.get(w.id, []):
            for k, (s, e) in enumerate(sentence_spans(w.paragraphs[p])):
                spans[(w.id, f"{p}.{k}")] = (p, s, e)
    for n, (left, right) in enumerate(steps):
        cls = f"s s{n % 2}" if left and right else "s s-none"
        title = f"sentence step {n + 1}: {len(left)}-{len(right)}"
        for w_id, ids in ((col.pivot, left), (wid, right)):
            for sid in ids:
                p, s, e = spans[(w_id, sid)]
                marks.setdefault(w_id, {}).setdefault(p, []).append((s, e, cls, title))
    return marks


def html(col: Collation) -> str:
    """The synoptic view: one row per aligned passage, a column per witness."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    rows = []
    for k, row in enumerate(col.rows):
        vm, am, sm = _variant_marks(row), _anchor_marks(row), _sentence_marks(col, row)
        cells = []
        for w in col.witnesses:
            paras = [{"n": p, "pieces": _segments(w.paragraphs[p], sm.get(w.id, {}).get(p, []) + vm.get(w.id, {}).get(p, [])
                                                  + am.get(w.id, {}).get(p, []))}
                     for p in row.cells.get(w.id, [])]
            cells.append({"wid": w.id, "paras": paras})
        missing_pivot = not row.cells.get(col.pivot)
        rows.append({"n": k, "row": row, "cells": cells, "addition": missing_pivot and col.method == "pivot",
                     "variant_counts": sorted(Counter(v.kind for v in row.variants).items())})
    cov = coverage(col)
    counts = Counter(v.kind for r in col.rows for v in r.variants)
    return env.get_template("collation.html.j2").render(
        col=col, rows=rows, coverage=cov, kinds=KINDS, counts=counts)
