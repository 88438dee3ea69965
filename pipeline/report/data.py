"""What the reports show, computed once per witness: counts, review progress,
layout labels, moved text, and the data the HTML page renders.

Nothing here writes files or depends on the time or the machine: the same raw
text, rules and review files give the same reports, byte for byte.
"""
from __future__ import annotations

import bisect
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from markupsafe import Markup

from pipeline.model import Change, ChangeLog, Query, Witness
from pipeline.review import Decision
from pipeline.stages import labels as rule_labels


@dataclass
class WitnessState:
    """One witness as the reports see it: its change log, queries and review file."""

    witness: Witness
    raw: str
    changes: list[Change]
    queries: list[Query]
    decisions: list[Decision] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    pivot: dict | None = None  # the aligned original (pivot_evidence), for a translation
    elsewhere: dict = field(default_factory=dict)  # the same rules and queried readings in other witnesses
    review_sha: str = ""  # the version of review/<id>.toml the page is made from (edition serve)

    # -- counts -------------------------------------------------------------
    def by(self, attr: str) -> list[tuple[str, int]]:
        c = Counter(column(self.changes, attr))
        return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def progress(self) -> dict:
        """Review progress: how many changes and queries have a decision.

        A rejected change and an answered query (resolved, or accepted: kept as is) are
        gone from the next run's lists; their decisions in the review file still count."""
        # the ids are looked up for the decisions only (a million changes: no set of them without one)
        ids = {c.id for c in self.changes} if self.decisions else set()
        qids = {q.id for q in self.queries}
        stale = set(self.stale)
        accepted = rejected = rejected_gone = queries_decided = queries_gone = 0
        for d in self.decisions:
            if d.id in stale:
                continue
            if d.id in ids:
                accepted += d.action == "accept"
                rejected += d.action == "reject"
            elif d.id in qids:
                queries_decided += 1
            elif d.action == "reject":
                rejected += 1
                rejected_gone += 1
            elif d.action not in ("paragraph", "hyphen"):  # counted as the review edit it made
                queries_gone += 1
        reviewed_edits = sum(1 for kind in column(self.changes, "kind") if kind == "review")
        total_changes = len(self.changes) + rejected_gone
        done_changes = accepted + rejected + reviewed_edits
        total_queries = len(self.queries) + queries_gone
        done_queries = queries_decided + queries_gone
        total = total_changes + total_queries
        done = done_changes + done_queries
        return {"changes": total_changes, "changes_done": min(done_changes, total_changes),
                "accepted": accepted, "rejected": rejected, "review_edits": reviewed_edits,
                "queries": total_queries, "queries_done": done_queries, "open_queries": len(self.queries),
                "stale": len(self.stale), "total": total, "done": min(done, total),
                "percent": (100 * done // total) if total else 100}


def column(changes, name: str) -> Iterable:
    """One attribute of every change, in order: from a ChangeLog without making each change."""
    if isinstance(changes, ChangeLog) and name in ChangeLog.COLUMNS:
        return changes.column(name)
    return (getattr(c, name) for c in changes)


# -- layout labels and moved text ------------------------------------------------------

_PAGE_NO = re.compile(r"\n[ \t]*(?:[-–—]\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*[-–—])?[ \t]*\n", re.I)
_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def layout_labels(c: Change) -> list[str]:
    """What a change did to the layout, in words a proofreader knows: from the labels its
    stages declare for its rules (pipeline.stages: layout.page-break -> "page break"), and
    from the line breaks it removed or wrote."""
    b, a = c.before, c.after
    declared = rule_labels()
    named = [declared[r] for r in c.rule.split("+") if r in declared]
    out: list[str] = []
    if "page break" in named or "\f" in b or (b.count("\n") >= 2 and _PAGE_NO.search(b)):
        out.append("page break")
    for label in named:
        if label not in out and label != c.kind:  # a footnote change of kind "footnote" needs no label
            out.append(label)
    if "\n\n" in a:
        out.append("paragraph break")
    elif "\n" in b and "\n" not in a:
        out.append("lines joined")
    return out


def _norm(s: str) -> str:
    return _ALNUM.sub("", s).lower()


def moved_pairs(changes: list[Change], min_len: int = 12) -> dict[int, list[int]]:
    """Changes that remove a stretch of text in one place and write it in another
    (footnote bodies moved to the end, a heading moved): index -> partner indices.
    A removal is matched by any of its lines; one insertion may gather many; a removal's
    partner is the nearest change writing one of its lines (the earlier of two as near).

    Linear in the changes (a 100 MB witness has ~30,000 removals and as many long insertions;
    testing every pair took hours): the distinct removed lines are found in the insertions
    through their first `min_len` characters, each line then knows the sorted indices of the
    insertions holding it, and a removal looks its nearest partner up by bisection."""
    written: list[tuple[int, str]] = []  # (index, what it writes) of the changes writing a long stretch
    removing: list[tuple[int, list[str]]] = []  # (index, the long lines it removes that it does not write)
    lines: dict[str, list[int]] = {}  # a removed line -> the insertions holding it (filled below)
    # one pass over the texts removed and written (a change log's are read, no change made)
    for i, (before, after) in enumerate(zip(column(changes, "before"), column(changes, "after"))):
        na = _norm(after)
        if len(na) >= min_len:
            written.append((i, na))
        pieces = [n for n in (_norm(x) for x in before.split("\n")) if len(n) >= min_len and n not in na]
        if pieces:
            removing.append((i, pieces))
            for p in pieces:
                lines.setdefault(p, [])
    out: dict[int, list[int]] = {}
    if not written or not removing:
        return out
    by_head: dict[str, list[str]] = {}  # the first min_len characters of a removed line -> the lines
    for p in lines:
        by_head.setdefault(p[:min_len], []).append(p)
    for j, na in written:  # in index order: each line's list comes out sorted
        found: set[str] = set()
        for k in range(len(na) - min_len + 1):
            for p in by_head.get(na[k:k + min_len], ()):
                if p not in found and na.startswith(p, k):
                    found.add(p)
                    lines[p].append(j)
    for i, pieces in removing:
        best = None
        for p in pieces:
            holders = lines[p]
            k = bisect.bisect_left(holders, i)
            for j in _nearest(holders, k, i):
                if best is None or (abs(j - i), j) < (abs(best - i), best):
                    best = j
        if best is not None:
            out.setdefault(i, []).append(best)
            out.setdefault(best, []).append(i)
    return {k: sorted(v) for k, v in out.items()}


def _nearest(holders: list[int], k: int, i: int) -> Iterator[int]:
    """The nearest index of `holders` (sorted) below `i` and the nearest above it (k: where i
    would go), never i itself."""
    below = k - 1
    if below >= 0:
        yield holders[below]
    above = k + 1 if k < len(holders) and holders[k] == i else k
    if above < len(holders):
        yield holders[above]


# -- the page's data ---------------------------------------------------------------------

def queries_near(changes: list[Change], queries: list[Query], gap: int = 2) -> dict[int, list[int]]:
    """For each change, the queries at (or right beside) its raw span: a layout change that
    says "text lost here (see query)" leads to that query. change index -> query indices."""
    starts = array("q", column(changes, "start"))  # (a list held an int object per change)
    out: dict[int, list[int]] = {}
    for k, q in enumerate(queries):
        if q.raw_start < 0:
            continue
        i = bisect.bisect_right(starts, q.raw_end + gap) - 1
        while i >= 0 and changes[i].end + gap >= q.raw_start:  # spans are sorted and disjoint: a few steps
            out.setdefault(i, []).append(k)
            i -= 1
    return {i: sorted(v) for i, v in out.items()}


def _utf16_index(text: str):
    """A function mapping code-point offsets of `text` to UTF-16 offsets (JavaScript strings)."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return lambda i: i
    return lambda i: i + bisect.bisect_left(astral, i)


def _split_context(context: str, text: str) -> tuple[str, str, str]:
    """The query's context split around its text (the occurrence nearest the middle)."""
    if not text or not context:
        return context, "", ""
    hits, k = [], context.find(text)
    while k >= 0:
        hits.append(k)
        k = context.find(text, k + 1)
    if not hits:
        return context, "", ""
    mid = (len(context) - len(text)) / 2
    k = min(hits, key=lambda h: (abs(h - mid), h))
    return context[:k], text, context[k + len(text):]


def decision_info(d: Decision) -> dict:
    """A decision as the page keeps it: every field but the id; empty notes left out,
    an empty reading kept (it deletes the queried text)."""
    return {k: v for k, v in d.model_dump().items()
            if k != "id" and v is not None and not (v == "" and k in ("note", "by", "rule"))}


def _paragraphs(text: str) -> list[str]:
    """A clean text's paragraphs as collation numbers them (DESIGN.md §2: its non-empty lines)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def pivot_evidence(alignment: dict, wid: str, own_text: str, pivot_text: str, split) -> dict | None:
    """What a translation's page needs to show the aligned sentence of the original: from
    the alignment rows (paragraph pairs) and their `sentences` pairs when present (in the row
    or in its `details`: `[{"<pivot>": [0, 1], "<witness>": [0]}, ...]`, sentence numbers
    counted through the row's paragraphs of each witness), the pivot's paragraphs aligned
    to any paragraph of `wid`, with their sentence spans (`split`: the collation's splitter)."""
    pivot = alignment.get("pivot")
    if not pivot or pivot == wid or wid not in alignment.get("witnesses", []):
        return None
    rows = alignment.get("rows", [])
    details = alignment.get("details", [])
    ptexts, otexts = _paragraphs(pivot_text), _paragraphs(own_text)
    pspans, ospans = _Spans(ptexts, split), _Spans(otexts, split)  # split when a row asks (most are never asked)
    paras: dict[int, list[int]] = {}
    sent: dict[str, list[str]] = {}
    for k, row in enumerate(rows):
        mine, theirs = row.get(wid, []), row.get(pivot, [])
        if not mine or not theirs:
            continue
        for t in mine:
            paras[t] = list(theirs)
        pairs = row.get("sentences") or (details[k].get("sentences") if k < len(details) else None) or []
        if not isinstance(pairs, list):
            continue
        o_ids, p_ids = _sentence_ids(mine, ospans), _sentence_ids(theirs, pspans)
        for pair in pairs:
            ps = [p_ids[n] for n in pair.get(pivot, []) if 0 <= n < len(p_ids)]
            for n in pair.get(wid, []):
                if 0 <= n < len(o_ids) and ps:
                    sent[o_ids[n]] = ps
    if not paras:
        return None
    used = sorted({p for ps in paras.values() for p in ps if p < len(ptexts)})
    return {"id": pivot, "paras": {str(t): ps for t, ps in sorted(paras.items())},
            "texts": {str(p): ptexts[p] for p in used},
            "spans": {str(p): pspans[p] for p in used} if sent else {},
            "own": {str(t): ospans[t] for t in sorted(paras) if t < len(otexts)} if sent else {},
            "sent": dict(sorted(sent.items()))}


class _Spans(dict):
    """Paragraph number -> its sentence spans, split on first use (a number past the paragraphs: none)."""

    def __init__(self, texts: list[str], split):
        super().__init__()
        self.texts, self.split = texts, split

    def __missing__(self, p: int) -> list:
        spans = self[p] = [list(x) for x in self.split(self.texts[p])] if 0 <= p < len(self.texts) else []
        return spans

    def get(self, p: int, default=None) -> list:
        return self[p] if 0 <= p < len(self.texts) else default


def _sentence_ids(paragraphs: list[int], spans: dict[int, list]) -> list[str]:
    """The row's sentences of one witness, in reading order, as "paragraph.sentence" ids."""
    return [f"{p}.{k}" for p in paragraphs for k in range(len(spans.get(p, [])))]


def elsewhere(states: dict[str, "WitnessState"]) -> dict[str, dict]:
    """For each witness: the rules it shares with other witnesses and the readings queried in
    others too, with their counts there (the edition-wide concordance a page links to)."""
    rules = {wid: Counter(r for rule in column(st.changes, "rule") for r in rule.split("+")) for wid, st in states.items()}
    texts = {wid: Counter(q.text for q in st.queries) for wid, st in states.items()}
    out: dict[str, dict] = {}
    for wid in states:
        entry = {}
        for name, counts in (("rules", rules), ("texts", texts)):
            shared = {k: [[o, counts[o][k]] for o in states if o != wid and counts[o][k]] for k in counts[wid]}
            entry[name] = {k: v for k, v in sorted(shared.items()) if v}
        out[wid] = entry
    return out


class Streamed:
    """A long list of the page's data made an item at a time as the page is written (never held
    whole: the changes of a 100 MB witness); `n` items, iterated once."""

    def __init__(self, items: Iterable, n: int):
        self.items, self.n = items, n

    def __iter__(self):
        return iter(self.items)


def page_data(st: WitnessState, stream: bool = False) -> dict:
    """Everything reports/<id>.changes.html renders, as plain JSON-able data; with `stream`, the
    changes and queries as Streamed rows (made while the page is written)."""
    u = _utf16_index(st.raw)
    changes = _change_rows(st, u)
    queries = (_query_row(q, u) for q in st.queries)
    w = st.witness
    return {
        "witness": {"id": w.id, "title": w.title, "language": w.language, "work": w.work, "role": w.role},
        "fields": ["id", "start", "end", "after", "stage", "rule", "kind", "line", "col", "confidence", "note",
                   "layout", "moved", "queries"],
        "raw": st.raw,
        "changes": Streamed(changes, len(st.changes)) if stream else list(changes),
        "queries": Streamed(queries, len(st.queries)) if stream else list(queries),
        "decisions": {d.id: decision_info(d) for d in st.decisions},
        "stale": list(st.stale),
        "pivot": st.pivot,
        "elsewhere": st.elsewhere,
        "review_sha": st.review_sha,
    }


def _change_rows(st: WitnessState, u) -> Iterator[list]:
    pairs = moved_pairs(st.changes)
    near = queries_near(st.changes, st.queries)
    for i, c in enumerate(st.changes):
        yield [c.id, u(c.start), u(c.end), c.after, c.stage, c.rule, c.kind, c.line, c.col,
               c.confidence, c.note, layout_labels(c), pairs.get(i, []), near.get(i, [])]


def _query_row(q: Query, u) -> dict:
    pre, hit, post = _split_context(q.context, q.text)
    return {"id": q.id, "line": q.line, "col": q.col, "text": q.text, "suggestions": list(q.suggestions),
            "score": round(q.score, 3), "reason": q.reason, "rule": q.rule,
            "ctx": [pre, hit, post], "start": u(max(q.raw_start, 0)), "end": u(max(q.raw_end, 0))}


_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027"),
            ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_SLICE = 1 << 20  # a long string (the raw text) is dumped a slice at a time
_BATCH = 2000  # list items per piece of the streamed JSON


# what json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) makes anew each call
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dump(data: object) -> str:
    s = _ENCODER.encode(data)
    for c, esc in _ESCAPES:
        if c in s:
            s = s.replace(c, esc)
    return s


def _dump_parts(data: object) -> Iterator[str]:
    """_dump(data) in pieces: a long string a slice at a time (JSON escapes one character at a
    time, so the slices' escapes joined are the whole one's)."""
    if isinstance(data, str) and len(data) > _SLICE:
        yield '"'
        for i in range(0, len(data), _SLICE):
            yield _dump(data[i:i + _SLICE])[1:-1]
        yield '"'
    else:
        yield _dump(data)


def script_parts(data: object) -> Iterator[Markup]:
    """The JSON of script_json in pieces, for a page written as it is made: safe inside
    <script type="application/json"> (no '<', '>', '&' or quote can end the element or start
    markup); deterministic (sorted keys). Lists and dicts at the top level get one item per
    line, so that a change to a rule shows in `git diff` of the committed report as the lines
    of the changes it touched."""
    if not isinstance(data, dict):
        yield Markup(_dump(data))
        return
    yield Markup("{")
    for n, k in enumerate(sorted(data)):
        v = data[k]
        head = (",\n" if n else "") + _dump(k) + ":"
        if (isinstance(v, Streamed) and v.n) or (isinstance(v, list) and v):
            yield Markup(head + "[\n")
            batch: list[str] = []
            first = True
            for x in v:
                batch.append(_dump(x))
                if len(batch) >= _BATCH:
                    yield Markup(("" if first else ",\n") + ",\n".join(batch))
                    batch, first = [], False
            if batch:
                yield Markup(("" if first else ",\n") + ",\n".join(batch))
            yield Markup("\n]")
        elif isinstance(v, Streamed):
            yield Markup(head + "[]")
        elif isinstance(v, dict) and v and k != "witness":
            yield Markup(head + "{\n" + ",\n".join(f"{_dump(i)}:{_dump(v[i])}" for i in sorted(v)) + "\n}")
        else:
            yield Markup(head)
            for part in _dump_parts(v):
                yield Markup(part)
    yield Markup("}")


def script_json(data: object) -> Markup:
    """script_parts(data) as one string (see there)."""
    return Markup("".join(script_parts(data)))
