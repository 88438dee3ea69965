"""A large witness's Document waits in a temporary file while each stage runs, its queries also
while a stage's edits are applied, its next text is made through a file, and its clean text
waits in one while the change log is made (pipeline.text: Document.park, ParkedText;
pipeline.run: _Shelf): the same text, change log and queries as when everything stays in
memory, on the real corpus."""
from __future__ import annotations

import pytest

import pipeline.run as run
from pipeline.run import clean_witness
from pipeline.text import Document, ParkedText


@pytest.mark.parametrize("wid", ["kollontai-en-dreadnought", "kollontai-ru"])
def test_parked_run_is_the_same(built, resources, monkeypatch, wid):
    kept = built.cleaned[wid]  # the session's run: these witnesses are far below PARK_MIN, none was parked
    assert len(kept.doc.raw) < run.PARK_MIN
    monkeypatch.setattr(run, "PARK_MIN", 0)  # every witness parked
    parked = clean_witness(kept.doc.raw, built.corpus.get(wid), resources)
    assert parked.text == kept.text
    assert list(parked.changes) == list(kept.changes) and len(kept.changes) > 500
    assert [(q.id, q.line, q.col, q.text, q.context, q.suggestions) for q in parked.queries] == \
        [(q.id, q.line, q.col, q.text, q.context, q.suggestions) for q in kept.queries]


def test_a_parked_document_has_no_pieces_until_it_comes_back(built):
    c = built.cleaned["lenin-trade-unions"]
    doc = Document(c.doc.raw, "lenin-trade-unions")
    doc.apply("x", [e for e in _edits(c)])
    text, changes = doc.text, doc.changes()
    doc.park()
    assert doc.text == text  # the text a stage reads is there
    with pytest.raises(AttributeError):
        doc.raw_offset(10)  # the pieces are not
    doc.unpark()
    assert doc.text == text and doc.changes() == changes
    assert doc.raw_offset(len(text)) == len(c.doc.raw)


def test_a_parked_document_makes_its_text_through_a_file(built):
    """Parked after an apply, the Document writes its new text to a file from the pieces, parks
    them, then reads the text back: the text the pieces make in memory; the pieces come back
    whole (the same change log and offsets)."""
    c = built.cleaned["kollontai-en-dreadnought"]
    made = []
    for park in (False, True):
        doc = Document(c.doc.raw, "kollontai-en-dreadnought")
        doc.apply("x", _edits(c)[::2])
        if park:
            assert doc._text is None  # made by park, not before
            doc.park()
            assert "_texts" not in doc.__dict__ and "_raw" not in doc.__dict__  # the pieces are in their file
            text = doc.text
            doc.unpark()
        else:
            text = doc.text
        made.append((text, doc.changes(), doc.raw_offset(len(text) // 2)))
    assert made[0] == made[1] and len(made[0][1]) > 500


def test_edits_out_of_order_are_applied_as_in_order(built):
    """A stage's edits are sorted only when they come out of order: reversed, the same text."""
    c = built.cleaned["lenin-trade-unions"]
    edits = _edits(c)
    texts = []
    for given in (edits, edits[::-1]):
        doc = Document(c.doc.raw, "lenin-trade-unions")
        doc.apply("x", given)
        texts.append(doc.text)
    assert texts[0] == texts[1] == c.text


def test_parked_text_reads_back_whole():
    text = "Рабочая оппозиция — “the Workers’ Opposition” 🜲\n" * 50_000  # beyond one slice, astral too
    assert ParkedText(text).read() == text


def _edits(c):
    """The witness's change log as edits on its raw text (one stage's work)."""
    from pipeline.model import Edit
    return [Edit(x.start, x.end, x.after, x.rule.split("+")[0], x.kind, x.confidence, x.note) for x in c.changes]


def test_a_drained_document_gives_the_same_changes(built, monkeypatch):
    import pipeline.text as text
    c = built.cleaned["kollontai-en-dreadnought"]
    made = []
    for drain in (False, True):
        doc = Document(c.doc.raw, "kollontai-en-dreadnought")
        doc.apply("x", _edits(c)[::2])
        doc.apply("y", [e for e in _shifted(doc, _edits(c)[1::2])])
        monkeypatch.setattr(text, "_DRAIN", 7)  # many blocks, a change across two of them
        made.append(list(doc.iter_changes(drain=drain)))
    assert made[0] == made[1] and len(made[0]) > 1000


def _shifted(doc, edits):
    """Edits on raw offsets moved to the current text (the ones whose raw text is still there)."""
    from pipeline.model import Edit
    for e in edits:
        s, t = doc.current_offset(e.start), doc.current_offset(e.end)
        if s is not None and t is not None:
            yield Edit(s, t, e.after, e.rule, e.kind, e.confidence, e.note)


def test_with_no_room_for_the_files_everything_stays_in_memory(built, resources, monkeypatch):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    wid = "lenin-trade-unions"
    raw, w = built.cleaned[wid].doc.raw, built.corpus.get(wid)
    monkeypatch.setattr(run, "PARK_MIN", 0)
    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    c = clean_witness(raw, w, resources)
    assert c.text == built.cleaned[wid].text and list(c.changes) == list(built.cleaned[wid].changes)
    assert ParkedText("abc").read() == "abc"
    doc = Document(raw, wid)
    doc.apply("x", _edits(built.cleaned[wid]))
    doc.park()  # no file for the text nor the pieces: both stay in memory
    assert doc.text == built.cleaned[wid].text and doc.raw_offset(0) == 0
    doc.unpark()
