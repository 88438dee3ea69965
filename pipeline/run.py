"""Running the stages on one witness: raw text in, Document, change log and queries out.

A stage is a function `run(text, ctx) -> StageResult` in pipeline/stages/<name>.py,
declared with @stage (pipeline.stages); config/pipeline.toml names them in order
(validated by pipeline.config). The stage sees only the current text;
this module maps its edits and queries back to raw offsets (pipeline.text).
"""
from __future__ import annotations

import bisect
import pickle
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from pipeline.context import Context, Resources
from pipeline.config import stages_of
from pipeline.errors import EditionError
from pipeline.model import (Change, ChangeLog, Edit, Query, Witness, char_problem, format_problem, introduced_problem,
                            stable_id)
from pipeline.review import Decisions, to_decisions
from pipeline.sources import read_witness
from pipeline.stages import get
from pipeline.text import Document, ParkedText, spill
from pipeline.wordlist import drop_listed
from pipeline.witnesses import Corpus

# rules whose edits make the text's layout (paragraphs, joined lines and hyphens, notes)
STRUCTURAL = ("layout.", "hyphen.", "notes.")


def stage_function(name: str):
    """The run function of a configured stage (pipeline.stages.get(name).run; kept for scripts)."""
    return get(name).run


@dataclass(frozen=True)
class Finished:
    """What a cleaned witness keeps of its Document: the raw and the clean text. (The pieces
    and applied edits are in the change log; keeping them too took ~12 MB per MB of input.)"""

    raw: str
    text: str


@dataclass
class Cleaned:
    """The result of cleaning one witness."""

    witness: Witness
    doc: Finished
    queries: list[Query]
    changes: ChangeLog | list[Change]  # a ChangeLog when cleaned here (compact; reads as a list of Change)
    facts: dict
    stale: list[str] = field(default_factory=list)  # review decisions whose id no longer exists
    refused: list[str] = field(default_factory=list)  # rejections of pure layout/hyphen changes, not applied
    review: list = field(default_factory=list)  # the review file's decisions (pipeline.review.Decision), for reports
    applied: int = 0  # review decisions that took effect in this run (edition run says how many)

    @property
    def text(self) -> str:
        return self.doc.text


@dataclass
class Pass:
    """One pass of the stages over a witness."""

    doc: Document
    queries: list[Query]
    facts: dict
    used: set[str]  # ids of the resolved queries applied
    listed: set[str] = field(default_factory=set)  # ids of the queries a word list answered


def run_stages(raw: str, witness: Witness, res: Resources, skip: frozenset[str] = frozenset(),
               resolved: dict[str, str] | None = None, facts: dict | None = None, upto: str | None = None,
               paragraphs: frozenset[str] = frozenset(), hyphens: frozenset[str] = frozenset(),
               keys: bool = True, on_text: Callable[[str], None] | None = None) -> Pass:
    """Run the configured stages in order (stopping before the stage `upto`, if given); `keys=False`:
    the Document keeps no edit keys (no review rejection to look up; a string per edit saved).
    `on_text(text)`: told the text once only stages that ask (no edit kinds declared) are left
    (grammar, punctuation): the clean text, unless one of them breaks its declaration."""
    doc = Document(raw, witness.id, keys=keys or bool(skip))
    ctx = Context(witness, res, res.policy(witness), facts=dict(facts or {}))
    queries: dict[str, Query] = {}
    asked_in: dict[str, int] = {}  # query id -> index of the stage that asked it
    edited: dict[int, _Spans] = {}  # stage index -> raw spans it changed, in order
    words = res.words(witness)  # the project's word lists: no query or auto-correction of a listed word
    listed: set[str] = set()  # ids of the queries the word lists answered
    stages = stages_of(res)
    decoded = False  # once the text is decoded, no stage may write a character no clean text holds
    asking = len(stages)  # from this stage on, every stage only asks
    while asking and not stages[asking - 1].kinds:
        asking -= 1
    # a large witness: the pieces, applied edits and queries so far wait in files while a stage works,
    # the queries also while its edits are applied and the next text is made (through a file)
    shelf = _Shelf(queries, asked_in, edited) if len(raw) >= PARK_MIN else None
    for k, st in enumerate(stages):
        name = st.name
        if name == upto:
            break
        if k == asking and on_text is not None and upto is None and not (resolved or paragraphs or hyphens):
            on_text(doc.text)
        if shelf is not None:
            doc.park()
            shelf.park()
        asked = st.run(doc.text, ctx)
        if shelf is not None:
            doc.unpark()
            shelf.unpark()
        result = drop_listed(asked, doc.text, words)
        text = doc.text
        for q in asked.queries:
            q.raw_start = doc.raw_offset(q.start)
            q.raw_end = doc.raw_offset(q.end, end=True) if q.end > q.start else q.raw_start
            q.line, q.col = doc.line_col(q.raw_start)
            q.id = stable_id(witness.id, q.raw_start, q.raw_end, q.rule, q.text)
        if result is not asked:  # answered by the word list: a "keep as is" decision about one is not stale
            listed |= {q.id for q in asked.queries} - {q.id for q in result.queries}
        for q in result.queries:
            if not q.context:
                a, b = max(0, q.start - 60), min(len(text), q.end + 60)
                q.context = text[a:b].replace("\n", " ⏎ ")
            old = queries.get(q.id)
            if old is None or q.score > old.score:
                queries[q.id] = q
                asked_in[q.id] = k
        if queries:
            edited[k] = _Spans(doc, result.edits)
        # the stage's text and results go before the next stage runs (else two texts and a stage's
        # edits stay alive beside the next stage's work)
        del text, asked
        if shelf is not None:
            shelf.park()
        # once the whole text has been checked, only what an edit writes can bring a character in
        written = "".join(e.after for e in result.edits) if decoded else None
        doc.apply(name, result.edits, skip, owned=True)
        del result
        _give_back(len(raw))
        if shelf is not None:
            doc.park()  # the next text made with the pieces in their file
        decoded = decoded or "unicode" in st.assigns
        if decoded and (written is None or char_problem(written) is not None):
            _check_chars(doc, witness, f"stage {name!r} left")
    if shelf is not None:
        doc.unpark()
        shelf.unpark()
    # a query about text a later stage then changed is answered already ("Froebel-⏎pestalozzi's",
    # asked by hyphenation, written "Froebel-Pestalozzi's" by a rule)
    for qid in [qid for qid, q in queries.items() if _changed_later(q, asked_in[qid], edited)]:
        del queries[qid]
    used: set[str] = set()
    if resolved or paragraphs or hyphens:
        edits: list[Edit] = _change_edits(doc, paragraphs, hyphens, used)
        for qid, reading in sorted((resolved or {}).items()):
            q = queries.get(qid)
            if q is None:
                continue
            s = doc.current_offset(q.raw_start)
            t = doc.current_offset(q.raw_end)
            if s is None or t is None:
                continue
            used.add(qid)
            # "¶" in a reading is a paragraph break (the answer to a "paragraph break?" query)
            after = reading.replace("¶", "\n\n")
            text = doc.text
            problem = introduced_problem(text[max(0, s - 2):t + 2], text[max(0, s - 2):s] + after + text[t:t + 2])
            if problem:
                raise EditionError(f"review/{witness.id}.toml", f"decision {qid!r}: its reading {reading!r} would "
                                   f"write {problem} into the clean text; change the reading")
            edits.append(Edit(s, t, after, "review.resolve", "review", 1.0,
                              f"query {qid} resolved by a proofreader"))
            del queries[qid]
        edits.sort(key=lambda e: e.start)
        # a resolution that overlaps an earlier one is dropped, never half-applied
        kept, last = [], -1
        for e in edits:
            if e.start >= last:
                kept.append(e)
                last = e.end
        doc.apply("review", kept)
    if upto is None and decoded:
        _check_chars(doc, witness, "the review readings left")
        if any("paragraphs" in st.assigns for st in stages):
            found = format_problem(doc.text)
            if found:
                line = doc.text.count("\n", 0, found[0]) + 1
                raise EditionError(f"raw/{witness.file}", f"the clean text would break the output format: {found[1]} at clean "
                                   f"line {line} (a defect of the stages; please report it with this file)")
    ordered = sorted(queries.values(), key=lambda q: (q.raw_start, q.raw_end, q.rule))
    return Pass(doc, ordered, ctx.facts, used, listed)


def _change_edits(doc: Document, paragraphs: frozenset[str], hyphens: frozenset[str],
                  used: set[str]) -> list[Edit]:
    """A proofreader's answers to changes (review actions `paragraph`, `hyphen`), as review edits:
    a paragraph break in place of a line join that wrote nothing but spaces; the other
    decision for a line-end hyphen (a kept hyphen dropped, a dropped one kept)."""
    edits: list[Edit] = []
    if not paragraphs and not hyphens:
        return edits
    text = doc.text
    for c in doc.changes():
        if c.id not in paragraphs and c.id not in hyphens:
            continue
        s, t = doc.current_offset(c.start), doc.current_offset(c.end)
        if s is None or t is None:
            continue
        rules = c.rule.split("+")
        if c.id in paragraphs and "\n" in c.before and not c.after.strip() \
                and not any(r.startswith("hyphen.") for r in rules):  # never inside a hyphenated word
            edits.append(Edit(s, t, "\n\n", "review.paragraph", "review", 1.0,
                              f"change {c.id} (lines joined) made a paragraph break by a proofreader"))
        elif c.id in hyphens and "hyphen.compound" in rules and 0 < s and t < len(text) and text[s - 1] == "-" \
                and not c.after.strip():
            # the hyphen, the join and the next letter, rewritten as that letter: the edit then holds
            # the (empty) join it turns round, and the change is the proofreader's (kind review)
            edits.append(Edit(s - 1, t + 1, text[t], "review.hyphen", "review", 1.0,
                              f"change {c.id}: the line-end hyphen dropped by a proofreader"))
        elif c.id in hyphens and "hyphen.soft" in rules and "-" in c.before and not c.after.strip():
            edits.append(Edit(s, t, "-", "review.hyphen", "review", 1.0,
                              f"change {c.id}: the line-end hyphen kept by a proofreader"))
        else:
            continue
        used.add(c.id)
    return edits


def _give_back(size: int) -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing): what
    a stage freed stays resident otherwise, and on a large witness the next stages' memory
    comes on top of it (the layout and hyphenation stages of a 30 MB witness left ~250 MB).
    Only for a witness of `TRIM_MIN` characters or more: a short one frees little worth giving
    back, and each call walks the heap (0.003-0.09 ms, after every stage of every small file)."""
    global _TRIM
    if size < TRIM_MIN:
        return
    if _TRIM is None:
        try:
            import ctypes
            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None
TRIM_MIN = 1_000_000
# a witness this long (characters) has its Document parked in a temporary file while each stage
# runs (text.Document.parked): ~3 bytes a character less beside the stage's own work, for a
# pickle written and read per stage (~1 % of the stages' time)
PARK_MIN = 1_000_000


class _Shelf:
    """Dicts emptied into a temporary file (`park`) and filled again as they were (`unpark`: same
    keys, order and values): a large witness's queries (~1.6 bytes a character). With no room for
    the file they stay in memory."""

    def __init__(self, *held: dict):
        self.held = held
        self._file: IO[bytes] | None = None

    def park(self) -> None:
        if self._file is None:
            self._file = spill(self.held)
            if self._file is not None:
                for d in self.held:
                    d.clear()

    def unpark(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            with f:
                f.seek(0)
                for d, saved in zip(self.held, pickle.load(f)):
                    d.update(saved)


@contextmanager
def _parked(*held: dict) -> Iterator[None]:
    """The dicts parked (_Shelf) while the block runs."""
    shelf = _Shelf(*held)
    shelf.park()
    try:
        yield
    finally:
        shelf.unpark()


def _check_chars(doc: Document, witness: Witness, when: str) -> None:
    """No stage after decode may write a control character, CR or noncharacter."""
    found = char_problem(doc.text)
    if found:
        line = doc.text.count("\n", 0, found[0]) + 1
        raise EditionError(f"raw/{witness.file}", f"{when} {found[1]} in the text at clean line {line} "
                           "(a defect of that stage; please report it with this file)")


class _Spans:
    """The raw spans a stage's edits changed, sorted, as two arrays (16 bytes a span). Sorted as
    one int a span (start << 40 | end): a list of (start, end) tuples took ~120 bytes a span
    while sorting, beside the stage's edits (a million on a large witness), ints ~40."""

    def __init__(self, doc: Document, edits: list[Edit]):
        keys = []
        for e in edits:
            a = doc.raw_offset(e.start)
            keys.append(a << 40 | max(doc.raw_offset(e.end, end=True), a + 1))
        keys.sort()
        self.starts = array("q", (k >> 40 for k in keys))
        self.ends = array("q", (k & _END for k in keys))


_END = (1 << 40) - 1


def _changed_later(q: Query, asked: int, edited: dict[int, _Spans]) -> bool:
    """Did a stage after the one that asked `q` change raw text inside the query's span?"""
    lo, hi = q.raw_start, max(q.raw_end, q.raw_start + 1)
    for k, spans in edited.items():
        if k <= asked:
            continue
        starts = spans.starts
        i = bisect.bisect_left(starts, lo)
        # the span starting before lo may reach into the query; the next may start inside it
        if (i > 0 and spans.ends[i - 1] > lo) or (i < len(starts) and starts[i] < hi):
            return True
    return False


def _unpack(p: Pass) -> tuple[Document, list[Query], dict, set[str], set[str]]:
    return p.doc, p.queries, p.facts, p.used, p.listed


def clean_witness(raw: str, witness: Witness, res: Resources, decisions: Decisions | None = None,
                  facts: dict | None = None, on_text: Callable[[str], None] | None = None) -> Cleaned:
    """Run every stage on one witness's raw text (already decoded). `on_text(text)`: told the
    clean text as soon as only stages that ask are left (run_stages), where no review decision
    changes it afterwards: a collation may start meanwhile (the caller checks it against the result).

    Review decisions: a rejected change id is looked up in a first run, its
    constituent edits are skipped in the final run; ids that match nothing are
    reported as stale, never dropped silently.
    """
    decisions = decisions or Decisions()
    skip: set[str] = set()
    found_rejected: set[str] = set()
    refused: set[str] = set()
    paras, hyph = frozenset(decisions.paragraphs), frozenset(decisions.hyphens)
    keyed = bool(decisions.rejected)  # the edit keys are read only to apply a rejection
    early = on_text if not (decisions.rejected or decisions.resolved or paras or hyph) else None
    doc, queries, out_facts, used, listed = _unpack(run_stages(raw, witness, res, frozenset(), decisions.resolved,
                                                               facts, paragraphs=paras, hyphens=hyph, keys=keyed,
                                                               on_text=early))
    for _ in range(3 if decisions.rejected else 0):  # a rejection can uncover a change made of the rest
        keys = doc.change_keys()
        new = {cid for cid in decisions.rejected if cid in keys} - found_rejected
        if not new:
            break
        found_rejected |= new
        for cid in new:
            # a change merged from a layout edit and a correction (' \nif' -> ' in'): rejecting it
            # rejects the correction; the layout edits stay (else a hard wrap comes back)
            reading = [k for k in keys[cid] if not k.startswith(STRUCTURAL)]
            if reading:
                skip.update(reading)
            elif all(k.startswith("notes.") for k in keys[cid]):
                skip.update(keys[cid])  # a footnote marker left as printed is still valid text
            else:  # undoing a line join or hyphen decision alone would leave a hard wrap
                refused.add(cid)
        doc, queries, out_facts, used, listed = _unpack(run_stages(
            raw, witness, res, frozenset(skip), decisions.resolved, facts, paragraphs=paras, hyphens=hyph))
    # an accepted query ("keep as is"): answered, the text stays as it is; it leaves the query list
    kept = decisions.accepted & {q.id for q in queries}
    if kept:
        queries = [q for q in queries if q.id not in kept]
    raw = doc.raw
    # a large witness's clean text waits in a file while the change log is made from the pieces
    # beside them (the text, the pieces and the log together were the run's peak)
    parked = ParkedText(doc.text) if len(raw) >= PARK_MIN else None
    if parked is not None:
        doc.release_text()
        held = {"queries": queries}  # and its queries
        del queries
        with _parked(held):
            changes = ChangeLog(doc.iter_changes(drain=True))
            del doc  # its pieces and applied edits are in the change log now
            _give_back(len(raw))
        queries = held["queries"]
        text = parked.read()
    else:
        text = doc.text
        changes = ChangeLog(doc.iter_changes())
        del doc
    ids = {c.id for c in changes} if decisions.accepted else set()  # only an accepted id is looked up
    qids = {q.id for q in queries}
    kept |= decisions.accepted & listed  # kept as is, and the word then listed: answered either way
    stale = sorted((decisions.rejected - found_rejected) | (decisions.accepted - ids - kept)
                   | (set(decisions.resolved) - used - qids) | ((decisions.paragraphs | decisions.hyphens) - used))
    applied = len(found_rejected - refused) + len(decisions.accepted & (ids | kept)) + len(used)
    return Cleaned(witness, Finished(raw, text), queries, changes, out_facts, stale, sorted(refused),
                   applied=applied)


def clean_corpus(root: Path, corpus: Corpus, ids: list[str], res: Resources, jobs: int = 1,
                 on_start: Callable[[str], None] | None = None,
                 on_done: Callable[[str], None] | None = None) -> dict[str, Cleaned]:
    """Read and clean the given witnesses; nothing is written.

    Every input is read (and refused if bad) before any cleaning starts. With jobs > 1
    the witnesses are cleaned in parallel processes: a stage is a pure function of one
    witness plus read-only shared data, so the results are the same.
    """
    inputs = {wid: read_witness(root, corpus, wid) for wid in ids}
    out: dict[str, Cleaned] = {}
    if jobs > 1 and len(ids) > 1:
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing: imported only when used
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(res.root),)) as pool:
            futures = {wid: pool.submit(_clean_in_worker, raw, corpus.get(wid), to_decisions(review), enc)
                       for wid, (raw, enc, review) in inputs.items()}
            for wid in ids:
                out[wid] = futures[wid].result()
                if on_done:
                    on_done(wid)
    else:
        for wid, (raw, encoding, review) in inputs.items():
            if on_start:
                on_start(wid)
            out[wid] = clean_witness(raw, corpus.get(wid), res, to_decisions(review), facts={"encoding": encoding})
            if on_done:
                on_done(wid)
    for wid, (_, _, review) in inputs.items():
        out[wid].review = review
    return out


_WORKER_RESOURCES: Resources | None = None


def _init_worker(root: str) -> None:
    global _WORKER_RESOURCES
    _WORKER_RESOURCES = Resources(Path(root))


def _clean_in_worker(raw: str, w: Witness, decisions: Decisions, encoding: str) -> Cleaned:
    assert _WORKER_RESOURCES is not None
    return clean_witness(raw, w, _WORKER_RESOURCES, decisions, facts={"encoding": encoding})
