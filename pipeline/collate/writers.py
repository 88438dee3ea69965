"""Writers for a collation: <work>.alignment.json (the contract), <work>.tei.xml
(TEI P5, parallel segmentation), <work>.html (the synoptic view) and
<work>.coverage.json (which pivot paragraphs each witness covers, what it adds).

Writers only turn a Collation into strings; the CLI writes the files.
"""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pipeline.collate.classify import KINDS
from pipeline.collate.model import Collation, Row
from pipeline.collate.tei import tei_xml
from pipeline.collate.segment import is_heading, is_note_body, sentence_spans, word_count

TEMPLATES = Path(__file__).parent / "templates"


REPORTS = ("alignment.json", "tei.xml", "html", "coverage.json")  # the reports of a collation, in this order


def report_files(col: Collation, folder: Path, only: tuple[str, ...] = REPORTS) -> dict[Path, str]:
    """Every report of one collation (or those named in `only`), by path under `folder`."""
    cov: list[dict] = []  # the coverage, made once for the HTML and coverage.json

    def covered(c: Collation) -> dict:
        if not cov:
            cov.append(coverage(c))
        return cov[0]
    make = {"alignment.json": alignment_json, "tei.xml": tei_xml, "html": lambda c: html(c, covered(c)),
            "coverage.json": lambda c: json.dumps(covered(c), ensure_ascii=False, indent=1) + "\n"}
    return {folder / f"{col.work}.{name}": make[name](col) for name in REPORTS if name in only}


# ---------------------------------------------------------------- alignment.json

def alignment_json(col: Collation) -> str:
    """The contract file: rows of paragraph numbers in pivot order, plus per-row details.

    Rows are written one per line so that a change of alignment is a readable diff.
    `details[k]` explains `rows[k]` (kind, cost, anchors, number of variants).
    """
    ids = [w.id for w in col.witnesses]
    rows = [json.dumps({wid: r.cells.get(wid, []) for wid in ids}, ensure_ascii=False) for r in col.rows]
    details = [json.dumps(row_details(r, sentence_pairs(col, r)), ensure_ascii=False) for r in col.rows]
    head = {"work": col.work, "pivot": col.pivot, "witnesses": ids, "method": col.method}
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append(' "rows": [\n  ' + ",\n  ".join(rows) + "\n ],")
    lines.append(' "details": [\n  ' + ",\n  ".join(details) + "\n ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def row_details(row: Row, sentences: list[dict] | None = None) -> dict:
    """Why a row is what it is: its kind, cost, anchors (learned word pairs only when
    trusted), variant counts, moves, and the sentence pairs."""
    out = {"kind": row.kind, "cost": round(row.cost, 2),
           "anchors": [f"{a.kind}:{a.label}" for a in shown_anchors(row)],
           "variants": dict(sorted(Counter(v.kind for v in row.variants).items()))}
    if row.doubt:
        out["doubt"] = row.doubt
    moves = [move_record(v) for v in row.variants if v.kind == "transposition"]
    if moves:
        out["moves"] = moves
    if sentences:
        out["sentences"] = sentences
    return out


def shown_anchors(row: Row) -> list:
    """The anchors a reader is shown: every kind, but a learned word pair only if trusted."""
    return row.shown_anchors()


def move_record(v) -> dict:
    """A transposition as tools read it: what moved, and where it stands in each witness."""
    return {"note": v.note, **v.move, "readings": [{"text": r.text, "witnesses": r.witnesses,
                                          "at": {w: [list(s) for s in sp] for w, sp in r.spans.items()}}
                                         for r in v.readings]}


def sentence_index(col: Collation, row: Row, wid: str) -> dict[str, int]:
    """Sentence id "paragraph.sentence" -> its number within the row's paragraphs of one witness."""
    w = col.witness(wid)
    out, n = {}, 0
    for p in row.cells.get(wid, []):
        for k in range(len(sentence_spans(w.paragraphs[p]))):
            out[f"{p}.{k}"] = n
            n += 1
    return out


def sentence_pairs(col: Collation, row: Row) -> list[dict]:
    """The row's sentence pairs, pivot sentence numbers against each witness's (numbers
    0-based within the row's paragraphs, in reading order; [] on one side: no counterpart)."""
    if not row.sentences:
        return []
    piv = sentence_index(col, row, col.pivot)
    out = []
    for wid, steps in row.sentences.items():
        mine = sentence_index(col, row, wid)
        for left, right, *_ in steps:
            out.append({col.pivot: [piv[x] for x in left if x in piv], wid: [mine[x] for x in right if x in mine]})
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
        omitted, added_s = unmatched_sentences(col, w.id)
        out["witnesses"][w.id] = {
            "paragraphs": len(w.paragraphs),
            "covers_pivot_paragraphs": _ranges(covered),
            "covers_pivot_share": round(sum(word_count(pivot.paragraphs[p]) for p in covered) / total_words, 3),
            "added_paragraphs": [{"n": p, "text": w.paragraphs[p][:120]} for p in added],
            "omitted_sentences": omitted,
            "added_sentences": added_s,
        }
    uncovered = [p for p in body if p not in covered_any]
    out["uncovered_pivot_paragraphs"] = _ranges(uncovered)
    out["uncovered_pivot_share"] = round(sum(word_count(pivot.paragraphs[p]) for p in uncovered) / total_words, 3)
    out["variants"] = dict(sorted(Counter(v.kind for r in col.rows for v in r.variants).items()))
    out["moves"] = sum(1 for r in col.rows for v in r.variants if v.move and v.move["from_row"] == col.rows.index(r))
    out["doubtful_rows"] = [k for k, r in enumerate(col.rows) if r.doubt]
    return out


def unmatched_sentences(col: Collation, wid: str) -> tuple[list[dict], list[dict]]:
    """(omitted, added): sentences of the pivot inside the witness's region that none of its
    sentences renders, and sentences of the witness that render none of the pivot's.

    Inside a row the sentence alignment says it; a pivot paragraph the alignment left out
    inside a stretch the witness translates counts whole (between two excerpts is a gap,
    not an omission). Titles are not sentences (a heading of the pivot that asks is one)."""
    if col.method != "pivot" or wid == col.pivot:
        return [], []
    pivot, w = col.witness(col.pivot), col.witness(wid)
    omitted: list[dict] = []
    added: list[dict] = []

    def text_of(wit, sid: str) -> tuple[int, str] | None:
        p, k = map(int, sid.split("."))
        para = wit.paragraphs[p]
        if is_heading(para) and (wit is w or not para.rstrip().endswith(("?", "!"))):
            return None  # a translator's own title, even one that asks, is not a sentence of the text
        s, e = sentence_spans(para)[k]
        return p, para[s:e]

    for row in col.rows:
        qs, ps = row.cells.get(wid, []), row.cells.get(col.pivot, [])
        if ps and not qs and wid in row.lacks:  # a paragraph left out inside a stretch: every sentence
            for p in ps:
                if is_note_body(pivot.paragraphs[p]):
                    continue
                for k in range(len(sentence_spans(pivot.paragraphs[p]))):
                    got = text_of(pivot, f"{p}.{k}")
                    if got:
                        omitted.append({"pivot_paragraph": got[0], "text": got[1]})
        if not (qs and ps):
            continue
        for left, right, *elsewhere in row.sentences.get(wid, []):
            if elsewhere:
                continue  # its counterpart stands in a neighbouring row
            for sid in (left if not right else right if not left else []):
                got = text_of(pivot if not right else w, sid)
                if got:
                    (omitted if not right else added).append(
                        {"pivot_paragraph" if not right else "paragraph": got[0], "text": got[1]})
    for a in added:  # an added sentence is placed by the pivot paragraph of its row
        q = a.pop("paragraph")
        row = next(r for r in col.rows if q in r.cells.get(wid, []))
        a["pivot_paragraph"] = row.cells[col.pivot][0] if row.cells.get(col.pivot) else None
        a["paragraph"] = q
    return omitted, added


# ---------------------------------------------------------------- HTML

def _segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[tuple[str, str, str]]:
    """Cut a paragraph into pieces (text, CSS classes, titles), each with the marks on it.

    A mark is (start, end, css class, title); a zero-width mark becomes a caret piece.
    """
    cuts = sorted({0, len(text)} | {m[0] for m in marks} | {m[1] for m in marks})
    at = {x: k for k, x in enumerate(cuts)}
    on: list[list[tuple[str, str]]] = [[] for _ in cuts]  # on[k]: the marks over cuts[k]..cuts[k + 1], in order
    gaps: list[list[tuple[str, str]]] = [[] for _ in cuts]  # gaps[k]: the zero-width marks at cuts[k]
    for s, e, cls, title in marks:
        if s == e:
            gaps[at[s]].append((cls, title))
        elif s < e:
            for k in range(at[s], at[e]):
                on[k].append((cls, title))
    out = []
    for k, x in enumerate(cuts):
        if gaps[k]:
            out.extend([("‸", cls + " gap", title) for cls, title in gaps[k]])
        if k + 1 == len(cuts):
            break
        here = on[k]
        if not here:
            out.append((text[x:cuts[k + 1]], "", ""))
        elif len(here) == 1:  # one mark (the commonest): its class and title as they are
            out.append((text[x:cuts[k + 1]], *here[0]))
        else:
            out.append((text[x:cuts[k + 1]], " ".join([c for c, _ in here]), " | ".join([t for _, t in here])))
    return out


def _escape(s: str) -> str:
    """As markupsafe.escape (the templates' autoescape) writes a string."""
    return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


@lru_cache(maxsize=4096)
def _span_open(cls: str, title: str) -> str:
    """The opening tag of a piece's span: a page repeats its classes and titles (kept per pair)."""
    return f'<span class="{_escape(cls)}" title="{_escape(title)}">'


def _pieces_html(pieces: list[tuple[str, str, str]]) -> Markup:
    """A paragraph's pieces as the synoptic view shows them: a piece with classes in a span (its
    titles on hover), one without as plain text. Made here rather than by a loop in the
    template: the pieces are most of the page."""
    return Markup("".join([f"{_span_open(cls, title)}{_escape(text)}</span>" if cls else _escape(text)
                           for text, cls, title in pieces]))


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
    for a in shown_anchors(row):
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
    for n, (left, right, *_) in enumerate(steps):
        cls = f"s s{n % 2}" if left and right else "s s-none"
        title = f"sentence step {n + 1}: {len(left)}-{len(right)}"
        for w_id, ids in ((col.pivot, left), (wid, right)):
            for sid in ids:
                p, s, e = spans[(w_id, sid)]
                marks.setdefault(w_id, {}).setdefault(p, []).append((s, e, cls, title))
    return marks


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The templates' environment; the compiled template is kept in the user cache
    (pipeline.report.html.compiled_templates)."""
    from pipeline.report.html import compiled_templates
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True, bytecode_cache=compiled_templates())


def html(col: Collation, cov: dict | None = None) -> str:
    """The synoptic view: one row per aligned passage, a column per witness (`cov`: its
    coverage(col), if made already)."""
    env = _environment()
    rows = []
    for k, row in enumerate(col.rows):
        vm, am, sm = _variant_marks(row), _anchor_marks(row), _sentence_marks(col, row)
        cells = []
        for w in col.witnesses:
            paras = [{"n": p, "html": _pieces_html(_segments(w.paragraphs[p], sm.get(w.id, {}).get(p, [])
                                                             + vm.get(w.id, {}).get(p, []) + am.get(w.id, {}).get(p, [])))}
                     for p in row.cells.get(w.id, [])]
            cells.append({"wid": w.id, "paras": paras})
        missing_pivot = not row.cells.get(col.pivot)
        rows.append({"n": k, "row": row, "cells": cells, "anchors": shown_anchors(row), "addition": missing_pivot and col.method == "pivot",
                     "variant_counts": sorted(Counter(v.kind for v in row.variants).items())})
    cov = cov if cov is not None else coverage(col)
    counts = Counter(v.kind for r in col.rows for v in r.variants)
    columns = [{"wid": w.id, "k": k, "empty": sum(1 for r in col.rows if not r.cells.get(w.id))}
               for k, w in enumerate(col.witnesses)]
    return env.get_template("collation.html.j2").render(
        col=col, rows=rows, coverage=cov, kinds=KINDS, counts=counts, columns=columns,
        heat=density(col), overlap=overlap_statements(col))


def density(col: Collation) -> list[dict]:
    """The variant density along the text (a heat map, as in Juxta): per row, variants per
    100 words of the row's text in the collated witnesses; empty when nothing is collated."""
    if not any(r.variants for r in col.rows):
        return []
    out = []
    for k, r in enumerate(col.rows):
        collated = {wid for v in r.variants for x in v.readings for wid in x.witnesses}
        words = sum(word_count(col.witness(wid).paragraphs[p]) for wid in collated for p in r.cells.get(wid, []))
        n = len(r.variants)
        rate = 100.0 * n / max(words, 1) if n else 0.0
        moves = sum(1 for v in r.variants if v.kind == "transposition")
        out.append({"n": k, "variants": n, "rate": round(rate, 1), "level": min(5, int(rate // 2) + (1 if n else 0)),
                    "moves": moves})
    return out


def overlap_statements(col: Collation) -> list[str]:
    """Plain sentences about witnesses of one language that share no passage (so nothing is
    collated word by word between them), or how many rows they share."""
    out = []
    langs: dict[str, list[str]] = {}
    for w in col.witnesses:
        if w.id != col.pivot or col.method != "pivot":
            langs.setdefault(w.language, []).append(w.id)
    for lang, ids in langs.items():
        if len(ids) < 2:
            continue
        shared = sum(1 for r in col.rows if sum(1 for wid in ids if r.cells.get(wid)) >= 2)
        names = ", ".join(ids)
        if not shared:
            out.append(f"The {lang} witnesses {names} share no passage: each covers other parts of the pivot, so "
                       f"they meet only through it and nothing is collated word by word between them.")
        else:
            out.append(f"The {lang} witnesses {names} share {shared} row(s), collated word by word.")
    return out
