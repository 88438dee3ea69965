"""Collation: align each work's witnesses to its pivot, collate same-language
witnesses word by word, and write the reports of DESIGN.md §2.

    collate_corpus(root, corpus, res, texts)  # `edition run`: {path: content} under reports/collation/
    collate_work(work, witnesses, authority)  # one work -> Collation
    compare_texts(witnesses, name)            # plain same-language witnesses -> Collation

Steps (each replaceable): segment (paragraphs, tokens) -> pivot (cross-language
paragraph alignment) -> rows (one per aligned passage, in pivot order) -> compare
(token alignment, readings, classification) -> writers (json, TEI, HTML).
"""
from __future__ import annotations

from pathlib import Path

from pipeline.collate.anchors import AnchorFinder, finder_for
from pipeline.collate.compare import collate_passage, compare_witnesses, link_moves
from pipeline.collate.direct import compose_steps, paragraph_links, through_base
from pipeline.collate.model import Anchor, Collation, Row, WitnessText
from pipeline.collate.pivot import Bead, align_sentences, align_translations, units
from pipeline.collate.segment import is_heading, paragraphs
from pipeline.collate.writers import report_files

__all__ = ["collate_corpus", "collations", "collate_work", "compare_texts", "build_rows", "prepare", "anchors_of",
           "take_anchors", "Collation", "WitnessText"]


def collate_corpus(root: Path, corpus, res, texts: dict[str, str]) -> dict[Path, str]:
    """Collate every work with two or more witnesses; return the report files to write.

    `texts` are the clean texts of this run by witness id; a witness not cleaned in
    this run (`edition run --only`) is read from clean/<id>.txt if it exists.
    """
    files: dict[Path, str] = {}
    for col in collations(root, corpus, res, texts):
        files.update(report_files(col, root / "reports" / "collation"))
    return files


def collations(root: Path, corpus, res, texts: dict[str, str]) -> list[Collation]:
    """The collation of every work with two or more witnesses (collate_corpus without the reports)."""
    out = []
    authority = _authority(res)
    for work in corpus.works:
        members = corpus.members(work.id)
        if len(members) < 2:
            continue
        wits = witness_texts(root, members, texts)
        if len(wits) < 2 or not any(w.id == work.pivot for w in wits):
            continue
        out.append(collate_work(work.id, work.title, work.pivot, wits, authority))
    return out


def prepare(text: str, language: str, res) -> None:
    """Work ahead, in this process, on what collating a clean text that is not its work's pivot
    needs of it alone (its paragraphs' anchors, stems and shingles), for a collation in this
    process later: a worker does it while another process is still cleaning the pivot."""
    from pipeline.collate import lexicon
    from pipeline.collate.direct import shingles
    finder = finder_for(_authority(res))
    for p in paragraphs(text):
        finder.find_ahead(p, language, is_heading(p))
        lexicon.stems(p)
        shingles(p)


def anchors_of(text: str, language: str, res) -> dict:
    """The anchors of a clean text's paragraphs, {(paragraph, language, heading): Found}, found in
    this process for the process that collates the text (take_anchors): the run's process finds a
    pivot's while its worker cleans the translations (~0.03 s of the worker's collation)."""
    finder = finder_for(_authority(res))
    return {(p, language, h): finder.find(p, language, h) for p in paragraphs(text) for h in (is_heading(p),)}


def take_anchors(found: dict, res) -> None:
    """Anchors another process found (anchors_of): this process's finder hands each out once, as
    those it found ahead (AnchorFinder.find_ahead)."""
    if found:
        finder_for(_authority(res)).ahead.update(found)


def _authority(res):
    """The name authority from the run's resources, if there is one."""
    try:
        return res.authority
    except (AttributeError, FileNotFoundError):
        return None


def witness_texts(root: Path, members, texts: dict[str, str]) -> list[WitnessText]:
    """The members' clean paragraphs: from this run, else from clean/<id>.txt."""
    out = []
    for w in members:
        text = texts.get(w.id)
        if text is None:
            path = root / "clean" / f"{w.id}.txt"
            if not path.exists():
                continue
            text = path.read_text(encoding="utf-8")
        out.append(WitnessText(w.id, w.language, w.title, paragraphs(text), w.role))
    return out


def collate_work(work: str, title: str, pivot: str, witnesses: list[WitnessText], authority=None) -> Collation:
    """Align every witness to the pivot (cross-language where languages differ, word by
    word where they agree), build rows in pivot order, and collate same-language cells."""
    order = sorted(witnesses, key=lambda w: w.id != pivot)  # pivot first, then as listed
    piv = order[0]
    finder = finder_for(authority)
    pivot_units = units(piv, finder)
    translations = [w for w in order[1:] if w.language != piv.language]
    beads: dict[str, list[Bead]] = align_translations(piv, translations, finder, pivot_units) if translations else {}
    for w in translations:  # a witness sharing text with an earlier one of its language goes where that text is
        base = next((x for x in translations if x.language == w.language and x is not w), None)
        if base is not None and base is not w and translations.index(base) < translations.index(w):
            beads[w.id] = direct_beads(piv, base, w, beads[base.id], beads[w.id], finder, pivot_units)
    for w in order[1:]:
        if w.language == piv.language:
            beads[w.id] = same_language_beads(piv, w)
    rows = build_rows(piv, order[1:], beads)
    for row in rows:
        for lang in dict.fromkeys(w.language for w in order):
            members = [w for w in order if w.language == lang and row.cells.get(w.id)]
            if len(members) >= 2:
                row.variants.extend(collate_passage(members, row.cells))
    for lang in dict.fromkeys(w.language for w in order):
        members = [w for w in order if w.language == lang]
        if len(members) >= 2:
            link_moves(rows, members, whole_paragraphs=False)
    return Collation(work, title, pivot, order, rows, method="pivot")


def direct_beads(piv: WitnessText, base: WitnessText, w: WitnessText, base_beads: list[Bead], own: list[Bead],
                 finder: AnchorFinder, pivot_units) -> list[Bead]:
    """The witness's beads, its paragraphs that share text with `base` placed beside base's."""
    links = paragraph_links(base, w)
    if not links:
        return own
    own_by_para = {q: b for b in own for q in b.other}
    wu = units(w, finder)
    out = []
    for pnums, onums, direct in through_base(links, base_beads, own, len(w.paragraphs)):
        if not direct:
            b = own_by_para[onums[0]]
            if b.other == onums:
                out.append(b)
                continue
        anchors = [Anchor("text", f"shares its words with {base.id} ¶{', '.join(str(x) for q in onums for x in links[q])}", {})] \
            if direct else []
        if direct:  # sentences through the base's own sentence alignment
            linked = {x for q in onums for x in links[q]}
            base_steps = [st for b in base_beads if set(b.other) & linked for st in b.sentences]
            steps = compose_steps(base_steps, base, w, linked, onums)
        else:
            steps = align_sentences(piv, w, pnums, onums, pivot_units, wu) if pnums else []
        out.append(Bead(pnums, onums, 0.0, anchors, steps))
    return out


def same_language_beads(pivot: WitnessText, other: WitnessText) -> list[Bead]:
    """Beads for a witness in the pivot's own language: from the word-by-word alignment."""
    out = []
    for row in compare_witnesses([pivot, other]):
        out.append(Bead(row.cells[pivot.id], row.cells[other.id], 0.0, []))
    return [b for b in out if b.pivot or b.other]


def build_rows(pivot: WitnessText, others: list[WitnessText], beads: dict[str, list[Bead]]) -> list[Row]:
    """Rows in pivot order: pivot paragraphs that any witness's bead joins share a row;
    a witness's paragraphs without counterpart get rows after the pivot paragraph they follow."""
    rows, row_of = _pivot_rows(pivot, others, beads)
    # paragraphs without counterpart, after the row of the pivot paragraph they follow; the
    # additions of several witnesses at one place share a row (and are collated if of one language)
    additions: dict[int, Row] = {}  # index of the row they follow (-1: before all) -> row of additions
    index = {id(r): k for k, r in enumerate(rows)}
    for w in others:
        _fill_witness(w.id, beads.get(w.id, []), row_of, index, additions, pivot, others)
    out = [additions[-1]] if -1 in additions else []
    for k, row in enumerate(rows):
        out.append(row)
        if k in additions:
            out.append(additions[k])
    for row in out:
        row.kind = "/".join(f"{len(row.cells[pivot.id])}-{len(row.cells[w.id])}" for w in others)
    return out


def _pivot_rows(pivot: WitnessText, others: list[WitnessText],
                beads: dict[str, list[Bead]]) -> tuple[list[Row], dict[int, Row]]:
    """One row per run of pivot paragraphs joined by some witness's bead; pivot paragraph -> its row."""
    n = len(pivot.paragraphs)
    joined = [False] * n  # joined[p]: pivot paragraphs p and p + 1 are in one bead of some witness
    for bs in beads.values():
        for b in bs:
            if b.other:
                for p in b.pivot[:-1]:
                    joined[p] = True
    rows: list[Row] = []
    row_of: dict[int, Row] = {}
    for p in range(n):
        if p == 0 or not joined[p - 1]:
            rows.append(Row({pivot.id: [], **{w.id: [] for w in others}}))
        rows[-1].cells[pivot.id].append(p)
        row_of[p] = rows[-1]
    return rows, row_of


def _fill_witness(wid: str, beads: list[Bead], row_of: dict[int, Row], index: dict[int, int],
                  additions: dict[int, Row], pivot: WitnessText, others: list[WitnessText]) -> None:
    """Put one witness's beads into the pivot rows, and its paragraphs without counterpart into additions."""
    last, pending = -1, []  # row index of the last matched bead; additions not yet placed
    for b in beads:
        if b.other and not b.pivot:
            pending.append(b)
            continue
        if not b.other:  # a pivot paragraph this witness leaves out inside a stretch it translates
            for q in b.pivot:
                if wid not in row_of[q].lacks:
                    row_of[q].lacks.append(wid)
            continue
        row = row_of[b.pivot[0]]
        k = index[id(row)]
        if pending and k == last:  # additions inside a passage another witness keeps whole
            for a in pending:
                row.cells[wid].extend(a.other)
                row.cost += a.cost
        else:  # additions (a title, a passage of its own) go with the passage they open
            _place(additions, k - 1, wid, pending, pivot, others)
        pending = []
        row.cells[wid].extend(b.other)
        row.anchors.extend(b.anchors)
        row.cost += b.cost
        reason = doubt(b)
        if reason:
            row.doubt = "; ".join(filter(None, [row.doubt, f"{wid}: {reason}"]))
        if b.sentences:
            row.sentences.setdefault(wid, []).extend(b.sentences)
        last = index[id(row_of[b.pivot[-1]])]
    _place(additions, last, wid, pending, pivot, others)


DOUBTFUL_COST = 2.0  # a bead costing more than this had little evidence for it


def doubt(b: Bead) -> str:
    """Why an aligned bead is doubtful, or "": weak evidence, or nothing that survives translation."""
    strong = [a for a in b.anchors if a.kind not in ("lex", "quote", "paren", "mark", "heading")]
    if b.cost > DOUBTFUL_COST:
        return f"weak evidence (cost {b.cost:.1f})" + ("" if strong else ", no number, name or date in common")
    if not b.anchors and len(b.pivot) + len(b.other) > 2:
        return "no anchor in common"
    if len(b.pivot) + len(b.other) >= 5:
        return f"{len(b.pivot)} paragraphs against {len(b.other)}: check where the translation omits or splits"
    return ""


def _place(additions: dict[int, Row], after: int, wid: str, pending: list[Bead], pivot: WitnessText,
           others: list[WitnessText]) -> None:
    """Put a witness's paragraphs without counterpart in the addition row after row `after`."""
    if not pending:
        return
    block = additions.setdefault(after, Row({pivot.id: [], **{x.id: [] for x in others}}))
    for b in pending:
        block.cells[wid].extend(b.other)
        block.cost += b.cost


def compare_texts(witnesses: list[WitnessText], name: str) -> Collation:
    """Collate plain-text witnesses of one language word by word; the first is the base."""
    rows = compare_witnesses(witnesses)
    return Collation(name, name, witnesses[0].id, witnesses, rows, method="tokens")
