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


# ---------------------------------------------------------------- the alignment's bounds

def _unbounded(pu, ou, ratio, band, beads, free_ends):
    """The alignment as pivot.align_units defines it, every bead of the band costed in full
    (no bound, no shortcut: exact() for the anchors, the 2-D prefix sums made whole)."""
    import math
    from pipeline.collate import pivot as pv
    n, m = len(pu), len(ou)
    order = sorted(beads.items(), key=lambda kv: kv[1])
    mt = pv._Matches(pu, ou)
    st = pv._Structure(pu, ou, {x for ab, _ in order for x in ab})
    skip, add = [pv.skip_pivot_cost(u) for u in pu], [pv.add_other_cost(u) for u in ou]
    plen, olen = pv._prefix([u.length for u in pu]), pv._prefix([u.length for u in ou])
    cost = [[math.inf] * (n + 1) for _ in range(m + 1)]
    back = [[None] * (n + 1) for _ in range(m + 1)]
    for i in range(n + 1):
        cost[0][i] = 0.0 if free_ends else sum(skip[:i])
        if i and not free_ends:
            back[0][i] = (i - 1, 0, skip[i - 1])
    rows_of = pv._open_rows(band, n, m)
    for j in range(1, m + 1):
        for i in rows_of[j]:
            best, arg = cost[j - 1][i] + add[j - 1], (i, j - 1, add[j - 1])
            if i > 0 and cost[j][i - 1] + skip[i - 1] < best:
                best, arg = cost[j][i - 1] + skip[i - 1], (i - 1, j, skip[i - 1])
            for (a, b), prior in order:
                if a > i or b > j or cost[j - b][i - a] == math.inf:
                    continue
                i0, j0 = i - a, j - b
                c = prior + st.cost(i0, i, j0, j)
                expected = (plen[i] - plen[i0]) * ratio
                l2 = olen[j] - olen[j0]
                mean = (expected + l2) / 2 or 1.0
                p = math.erfc(abs(l2 - expected) / math.sqrt(pv.LENGTH_VARIANCE * mean + (pv.LENGTH_SPREAD * mean) ** 2)
                              / pv.SQRT2)
                c += pv.MAX_LENGTH_COST if p < 1e-11 else min(-math.log(p), pv.MAX_LENGTH_COST)
                matched, unmatched = mt.exact(i0, i, j0, j)
                c += pv.UNMATCHED_STRONG * unmatched - matched
                if cost[j - b][i0] + c < best:
                    best, arg = cost[j - b][i0] + c, (i0, j0, c)
            cost[j][i], back[j][i] = best, arg
    i = min(range(n + 1), key=lambda k: (cost[m][k], k)) if free_ends else n
    j, out = m, []
    while j > 0 or (not free_ends and i > 0):
        pi, pj, c = back[j][i]
        out.append((pi, i, pj, j, c))
        i, j = pi, pj
    return out[::-1]


def test_the_bounds_and_shortcuts_change_no_alignment():
    """align_units gives up a bead on bounds (each side's anchor total, the block of the prefix sums
    made from the band's first column, the length as z*z) and takes a bead's anchors from the pair
    table when one pair of units shares them: on real sentences and paragraphs of the Kollontai
    texts (clean/), banded and not, the chain is the one every bead costed in full gives, cost for cost."""
    from pipeline.collate import pivot as pv
    from pipeline.collate.anchors import AnchorFinder
    from pipeline.collate.model import WitnessText
    from pipeline.collate.segment import paragraphs as split
    finder = AnchorFinder(Resources(ROOT).authority)
    ru, dn = ((ROOT / "clean" / f"{w}.txt").read_text("utf-8") for w in (RU, DN))
    pw, ow = WitnessText(RU, "ru", "", split(ru)), WitnessText(DN, "en", "", split(dn))
    pu, ou = pv.units(pw, finder), pv.units(ow, finder)
    ps, _ = pv.sentence_units(pw, list(range(40, 52)), pu)
    os_, _ = pv.sentence_units(ow, list(range(37, 50)), ou)
    band = [(max(0, round(i * len(os_) / len(ps)) - 6), min(len(os_), round(i * len(os_) / len(ps)) + 6))
            for i in range(len(ps) + 1)]
    cases = [(ps, os_, band, pv.SENTENCE_BEADS, False), (ps, os_, None, pv.SENTENCE_BEADS, False),
             (pu[30:70], ou[28:66], None, pv.BEADS, True)]
    for p, o, b, beads, free in cases:
        assert len(p) > 30 and len(o) > 30
        want = _unbounded(p, o, 1.2, b, beads, free)
        assert pv.align_units(p, o, 1.2, b, beads=beads, free_ends=free) == want
        assert any(i1 - i0 > 1 or j1 - j0 > 1 for i0, i1, j0, j1, _ in want)  # beads of several units too
    # the structure costs looked up by side (a group of translation units with a note, or a heading at its
    # edge, and one without): the Russian's notes (its last paragraphs) on the translation side
    back, notes = ou[126:160], pu[136:164]
    assert any(u.note for u in notes) and any(u.heading for u in back + notes)
    assert pv.align_units(back, notes, 0.9, None, beads=pv.BEADS) == _unbounded(back, notes, 0.9, None, pv.BEADS, True)
    for p, o in ((ps, os_), (pu, ou)):  # the pair table (a key held once by the pivot unit: its weight) is exact()'s
        mt = pv._Matches(p, o)
        assert sum(map(len, mt.pair)) > 100
        assert all(mt.from_pair(got, i, i + 1, j, j + 1) == mt.exact(i, i + 1, j, j + 1)
                   for i, row in enumerate(mt.pair) for j, got in row.items())
    start = pv._first_read(band, pv.SENTENCE_BEADS)  # the prefix sums made from the band's first column: the same sums
    whole, cut = pv._Matches(ps, os_).full, pv._Matches(ps, os_, start).full
    assert 0 < max(start) and all(whole[i][start[i]:] == cut[i][start[i]:] for i in range(len(ps) + 1))
    for us in (ps, ou):  # the structure tables, made from each unit's flags, are _side's
        sides = pv._Structure._sides(us, {1, 2, 3, 4, 5})
        assert all(sides[a] == [pv._Structure._side(us[max(0, k - a):k], a) for k in range(len(us) + 1)]
                   for a in (1, 2, 3, 4, 5))


def test_a_pivots_anchors_found_in_another_process_are_those_found_here(resources):
    """`edition run` finds the pivot's anchors in its own process and hands them to the worker that
    collates (anchors_of, take_anchors): the pivot's units are the same, each anchor set handed out
    once (a paragraph printed twice gets its own for the second)."""
    import pickle

    from pipeline.collate import _authority, anchors_of, take_anchors
    from pipeline.collate.anchors import AnchorFinder, finder_for
    from pipeline.collate.model import WitnessText
    from pipeline.collate.pivot import units
    text = (ROOT / "clean" / f"{RU}.txt").read_text(encoding="utf-8")
    paras = paragraphs(text)
    w = WitnessText(RU, "ru", "", paras + paras[:1], "original")  # the first paragraph twice
    own = [u.found.keys for u in units(w, AnchorFinder(_authority(resources)))]
    found = pickle.loads(pickle.dumps(anchors_of(text, "ru", resources)))  # as the worker receives them
    take_anchors(found, resources)
    shipped = units(w, finder_for(_authority(resources)))
    assert [u.found.keys for u in shipped] == own and any(own)
    assert not finder_for(_authority(resources)).ahead  # every one handed out
    assert shipped[0].found is not shipped[-1].found


def test_sentence_units_give_each_sentence_the_anchors_it_holds_whole():
    """sentence_units cuts a paragraph's anchors by sentence (each span to the sentence that holds it
    whole, found by bisection): as a walk of every sentence over every span gives them, key order
    included, on the Dreadnought's paragraphs (with a span across a sentence end and an empty one
    where a sentence ends, as the walk's tests read them)."""
    from pipeline.collate import pivot as pv
    from pipeline.collate.anchors import AnchorFinder
    from pipeline.collate.model import WitnessText
    from pipeline.collate.segment import paragraphs as split, sentence_spans
    text = (ROOT / "clean" / f"{DN}.txt").read_text("utf-8")
    w = WitnessText(DN, "en", "", split(text)[:60])
    pu = pv.units(w, AnchorFinder(Resources(ROOT).authority))
    many = next(k for k, p in enumerate(w.paragraphs) if len(sentence_spans(p)) >= 4)
    (s0, e0), (s1, e1) = sentence_spans(w.paragraphs[many])[:2]
    pu[many].found.add("test:across", e0 - 2, s1 + 2)  # held by neither sentence
    pu[many].found.add("test:empty", e0, e0)  # held by the first (and by the second if it began there)
    pu[many].found.add("card:3", s1, e1)  # a key the paragraph has elsewhere too: its spans stay in order
    got, ids = pv.sentence_units(w, list(range(len(w.paragraphs))), pu)
    want = []
    for p in range(len(w.paragraphs)):
        for s, e in sentence_spans(w.paragraphs[p]):
            keys = {}
            for key, spans in pu[p].found.keys.items():
                for a, b in spans:
                    if s <= a and b <= e:
                        keys.setdefault(key, []).append((a - s, b - s))
            want.append(list(keys.items()))
    assert [list(u.found.keys.items()) for u in got] == want and len(ids) == len(want) > 60
    assert any("test:empty" in u.found.keys for u in got) and not any("test:across" in u.found.keys for u in got)
