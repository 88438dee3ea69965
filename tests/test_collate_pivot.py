"""Cross-language collation of the Kollontai witnesses against the Russian pivot."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.collate import collate_corpus
from pipeline.collate.synthetic import make_witness
from pipeline.collate.segment import is_note_body, paragraphs
from pipeline.context import Resources
from pipeline.witnesses import load_corpus
from tests.conftest import COLLATE_FAST

ROOT = Path(__file__).resolve().parent.parent
WORK, RU, DN, IWW = "kollontai-workers-opposition", "kollontai-ru", "kollontai-en-dreadnought", "kollontai-en-iww"



@pytest.fixture(scope="module")
def texts(cleaned):
    """The clean texts the code makes now (the session's run), not the committed clean/."""
    return {wid: c.text for wid, c in cleaned.items()}


@pytest.fixture(scope="module")
def collation(kollontai_collation):
    """The work collated from the session's clean texts, and the CPU it took (conftest, shared
    with test_collate_excerpts)."""
    return kollontai_collation


def section_starts(col):
    ru = col.witness(RU).paragraphs
    root = next(k for k, p in enumerate(ru) if p.strip() == "Корень разногласий")
    return ru, root


def covered(col, wid):
    return [p for r in col.rows if r.cells[wid] for p in r.cells[RU]]


FAST = COLLATE_FAST  # CPU seconds for the Kollontai work (three witnesses)


def test_cross_language_alignment_is_fast(collation):
    assert collation[1] < FAST


def test_iww_aligns_to_the_first_section_only(collation):
    col, _ = collation
    ru, root = section_starts(col)
    cov = covered(col, IWW)
    assert cov and max(cov) < root
    assert set(range(0, root)) <= set(cov)  # the whole first section, heading included


def test_dreadnought_aligns_from_the_root_of_the_differences_to_the_end(collation):
    col, _ = collation
    ru, root = section_starts(col)
    cov = covered(col, DN)
    assert min(cov) == root
    first_note = next(k for k, p in enumerate(ru) if is_note_body(p))
    assert max(cov) >= first_note - 3  # the last paragraphs of the text (not the author's footnotes)
    first = next(r for r in col.rows if r.cells[DN])
    assert first.cells[RU] == [root] and first.cells[DN] == [0]


def test_rows_follow_the_pivot_and_every_paragraph_appears_once(collation):
    col, _ = collation
    pivot_order = [p for r in col.rows for p in r.cells[RU]]
    assert pivot_order == list(range(len(col.witness(RU).paragraphs)))
    for w in col.witnesses:
        seen = [p for r in col.rows for p in r.cells[w.id]]
        assert sorted(seen) == list(range(len(w.paragraphs))), w.id
        assert seen == sorted(seen), w.id  # each witness's paragraphs keep their order


def test_rows_carry_their_anchors(collation):
    col, _ = collation
    matched = [r for r in col.rows if r.cells[RU] and (r.cells[DN] or r.cells[IWW])]
    with_anchor = [r for r in matched if r.anchors]
    assert len(with_anchor) >= 0.7 * len(matched)
    kinds = {a.kind for r in matched for a in r.anchors}
    assert {"name", "heading", "item", "ord"} <= kinds


def test_numbered_lists_align_item_by_item(collation):
    col, _ = collation
    ru, dn = col.witness(RU).paragraphs, col.witness(DN).paragraphs
    for r in col.rows:
        if len(r.cells[RU]) == 1 and ru[r.cells[RU][0]][:2] in ("1)", "2)", "3)", "4)", "5)", "6)"):
            assert len(r.cells[DN]) == 1 and dn[r.cells[DN][0]].startswith(f"({ru[r.cells[RU][0]][0]})")


def test_a_new_witness_needs_no_code(tmp_path, texts):
    """A third English witness (one TOML entry, one file) is aligned and collated word by word."""
    raw = tmp_path / "raw"
    raw.mkdir()
    toml = (ROOT / "raw" / "witnesses.toml").read_text(encoding="utf-8")
    iww = paragraphs(texts[IWW])
    new, changes = make_witness(iww, seed=7, rate=0.01, kinds=["orthographic", "substantive", "punctuation"])
    texts = {RU: texts[RU], DN: texts[DN], IWW: texts[IWW], "kollontai-en-copy": "\n\n".join(new) + "\n"}
    toml += ('\n[[witness]]\nid = "kollontai-en-copy"\nfile = "copy.txt"\nlanguage = "en"\n'
             'work = "kollontai-workers-opposition"\nrole = "translation"\n')
    (raw / "witnesses.toml").write_text(toml, encoding="utf-8")
    for name in ("kollontai-ru.txt", "kollontai-en-dreadnought.txt", "kollontai-en-iww.txt", "lenin-trade-unions.txt",
                 "allen-documents.txt"):
        (raw / name).write_text("x\n", encoding="utf-8")
    (raw / "copy.txt").write_text(texts["kollontai-en-copy"], encoding="utf-8")
    files = collate_corpus(tmp_path, load_corpus(raw), Resources(ROOT), texts)
    data = json.loads(files[tmp_path / "reports" / "collation" / f"{WORK}.alignment.json"])
    assert data["witnesses"][-1] == "kollontai-en-copy"
    assert [r[IWW] for r in data["rows"]] == [r["kollontai-en-copy"] for r in data["rows"]]
    variants = sum(sum(d["variants"].values()) for d in data["details"])
    assert variants == len(changes) > 0
    tei = files[tmp_path / "reports" / "collation" / f"{WORK}.tei.xml"]
    assert tei.count("<app ") == variants and 'wit="#kollontai-en-copy"' in tei


# ---------------------------------------------------------------- rows from beads (no corpus needed)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.collate import build_rows  # noqa: E402
from pipeline.collate.model import WitnessText  # noqa: E402
from pipeline.collate.pivot import Bead  # noqa: E402


@st.composite
def bead_chains(draw, n_pivot: int):
    """A monotone chain of beads over some translation paragraphs, as the alignment makes them."""
    i = draw(st.integers(0, n_pivot))  # leading pivot paragraphs skipped
    j, beads = 0, []
    for _ in range(draw(st.integers(0, 12))):
        a, b = draw(st.sampled_from([(1, 1), (1, 2), (2, 1), (1, 0), (0, 1), (3, 1), (1, 3)]))
        if i + a > n_pivot:
            break
        beads.append(Bead(list(range(i, i + a)), list(range(j, j + b)), 0.0, []))
        i, j = i + a, j + b
    return beads, j


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_rows_keep_pivot_order_and_every_paragraph_once(data):
    n = data.draw(st.integers(1, 12))
    pivot = WitnessText("p", "ru", "", [f"p{k}" for k in range(n)])
    chains = {}
    others = []
    for wid in ("a", "b"):
        beads, m = data.draw(bead_chains(n))
        chains[wid] = beads
        others.append(WitnessText(wid, "en", "", [f"{wid}{k}" for k in range(m)]))
    rows = build_rows(pivot, others, chains)
    assert [p for r in rows for p in r.cells["p"]] == list(range(n))
    for w in others:
        seen = [q for r in rows for q in r.cells[w.id]]
        assert seen == list(range(len(w.paragraphs)))
    for r in rows:  # a row is a run of consecutive pivot paragraphs
        ps = r.cells["p"]
        assert ps == list(range(ps[0], ps[0] + len(ps))) if ps else True
    for wid, beads in chains.items():  # a bead's pivot paragraphs never straddle two rows
        for b in beads:
            if b.pivot and b.other:
                assert len({id(r) for r in rows for p in b.pivot if p in r.cells["p"]}) == 1


def test_rows_join_pivot_groups_of_different_witnesses():
    pivot = WitnessText("p", "ru", "", ["p0", "p1", "p2"])
    a = WitnessText("a", "en", "", ["a0", "a1"])
    b = WitnessText("b", "en", "", ["b0", "b1", "b2"])
    rows = build_rows(pivot, [a, b], {
        "a": [Bead([0, 1], [0], 0.0, []), Bead([2], [1], 0.0, [])],
        "b": [Bead([0], [0], 0.0, []), Bead([1], [1], 0.0, []), Bead([], [2], 0.0, [])]})
    assert [r.cells for r in rows] == [
        {"p": [0, 1], "a": [0], "b": [0, 1]},
        {"p": [], "a": [], "b": [2]},  # b's addition follows p1, where b was
        {"p": [2], "a": [1], "b": []},
    ]


# ---------------------------------------------------------------- anchors

from pipeline.collate.anchors import AnchorFinder  # noqa: E402


@pytest.mark.parametrize("ru, en, key", [
    ("постановление VIII съезда", "the decision of the eighth Congress", "ord:8"),
    ("Девятый съезд был весною", "The Ninth Congress was held in the spring", "ord:9"),
    ("в 1920 году", "in 1920", "num:1920"),
    ("17% рабочих", "17 per cent of the workers", "pct:%"),
    ("1) Создать орган", "(1) To form a body", "item:1"),
    ("тов. Троцкого", "comrade Trotzky", "name:trotsky"),
    ("Цюрупа", "Zarupa, the People's Commissar", "name:tsiurupa"),
    ("на конференции сентября", "at the Conference in September", "month:9"),
    ("7 млн. рабочих", "seven million workers", "card:7"),
    ("Что же это показывает?", "What does this mean?", "mark:?"),
])
def test_anchors_survive_translation(ru, en, key):
    finder = AnchorFinder(Resources(ROOT).authority)
    assert key in finder.find(ru, "ru").keys and key in finder.find(en, "en").keys


def test_working_ahead_changes_nothing_but_when(built, collation):
    """pipeline.collate.prepare, what a worker of `edition run` does with a translation it has
    cleaned while another process still cleans the pivot (its paragraphs' anchors, stems and
    shingles), is taken by the collation that follows, which comes out the same."""
    from pipeline.collate import collate_work, prepare, witness_texts
    from pipeline.collate.anchors import finder_for
    from pipeline.collate.writers import alignment_json, tei_xml
    work = built.corpus.work(WORK)
    wits = witness_texts(built.root, built.corpus.members(WORK), {})
    authority = built.resources.authority
    for w in wits:
        if w.id != work.pivot:
            prepare("\n\n".join(w.paragraphs), w.language, built.resources)
    finder = finder_for(authority)
    assert len(finder.ahead) >= sum(len(set(w.paragraphs)) for w in wits if w.id != work.pivot) > 100
    col = collate_work(work.id, work.title, work.pivot, wits, authority)
    assert not finder.ahead  # every paragraph's anchors taken
    assert alignment_json(col) == alignment_json(collation[0]) and tei_xml(col) == tei_xml(collation[0])
