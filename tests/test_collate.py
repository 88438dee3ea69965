"""Collation: token alignment, variant classification, planted variants, writers, CLI."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from rapidfuzz.distance import Levenshtein

from pipeline.cli import main
from pipeline.collate import align as align_mod
from pipeline.collate import compare_texts
from pipeline.collate.align import align
from pipeline.collate.classify import classify_pair, ortho_key
from pipeline.collate.compare import compare_witnesses
from pipeline.collate.model import WitnessText
from pipeline.collate.segment import paragraphs
from pipeline.collate.synthetic import make_witness
from pipeline.collate.writers import alignment_json, html, tei_xml

ROOT = Path(__file__).resolve().parent.parent
TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@pytest.fixture(scope="module")
def english(cleaned) -> list[str]:
    """Clean paragraphs of the Dreadnought text, as the code makes them now (the session's run)."""
    return [p for p in paragraphs(cleaned["kollontai-en-dreadnought"].text) if not p.startswith("[^")]


def check_opcodes(a, b, ops):
    """Opcodes cover both sequences in order, and equal stretches are equal."""
    i = j = 0
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j)
        if tag == "equal":
            assert list(a[i1:i2]) == list(b[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))


def cost(ops):
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


# ---------------------------------------------------------------- alignment

@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from("abcdefg"), max_size=40), st.lists(st.sampled_from("abcdefg"), max_size=40))
def test_align_small_is_exact(a, b):
    ops = align(a, b)
    check_opcodes(a, b, ops)
    assert cost(ops) == Levenshtein.distance(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=50, max_size=300), st.data())
def test_align_anchored_and_windowed_paths_are_valid(a, data):
    b = list(a)
    for _ in range(data.draw(st.integers(0, 20))):
        k = data.draw(st.integers(0, max(0, len(b) - 1)))
        op = data.draw(st.sampled_from(["del", "ins", "sub"]))
        if op == "del" and b:
            del b[k]
        elif op == "ins":
            b.insert(k, data.draw(st.integers(0, 80)))
        elif b:
            b[k] = data.draw(st.integers(61, 80))
    old = align_mod.EXACT_LIMIT, align_mod.WINDOW
    align_mod.EXACT_LIMIT, align_mod.WINDOW = 100, 16  # force anchors and windows on small input
    try:
        ops = align(a, b)
    finally:
        align_mod.EXACT_LIMIT, align_mod.WINDOW = old
    check_opcodes(a, b, ops)


def test_align_long_repetitive_text_stays_close_to_optimal(english):
    words = english[:5]
    base = " ".join(words).split()[:300] * 40  # nothing unique: the windowed path
    other = list(base)
    for k in range(0, len(other), 97):
        other[k] = "XX"
    ops = align(base, other)
    check_opcodes(base, other, ops)
    assert cost(ops) == len(range(0, len(other), 97))


# ---------------------------------------------------------------- classification

@pytest.mark.parametrize("a, b, kind", [
    ("labour", "labor", "orthographic"), ("centre", "center", "orthographic"), ("organise", "organize", "orthographic"),
    ("organisation", "organization", "orthographic"), ("travelled", "traveled", "orthographic"),
    ("to-day", "today", "orthographic"), ("Party", "party", "case"), ("modern", "rnodern", "ocr"),
    ("the", "tlie", "ocr"), ("here", "there", "substantive"), ("think", "tliink", "ocr"), ("large", "big", "substantive"),
    ("opposition", "apportion", "substantive"), (",", ";", "punctuation"),
    ("всё", "все", "orthographic"), ("оппозиціи", "оппозиции", "orthographic"), ("союзовъ", "союзов", "orthographic"),
    ("Троцкий", "троцкий", "case"), ("партия", "партпя", "ocr"), ("партия", "класс", "substantive"),
])
def test_classify_pairs(a, b, kind):
    assert classify_pair([a], [b]) == kind


def test_classify_multiword():
    assert classify_pair(["very", "good"], ["good", "very"]) == "transposition"
    assert classify_pair(["the", "centre", ","], ["the", "center"]) == "orthographic"
    assert classify_pair(["a", ","], ["a", ";"]) == "punctuation"
    assert ortho_key("Labour") == ortho_key("labor")


# ---------------------------------------------------------------- planted variants

def found(variants, change, base_id="a"):
    """Is the planted change covered by a variant of its kind?"""
    for v in variants:
        for p, s, e in v.readings[0].spans.get(base_id, []):
            if p == change.para and s < change.end and e > change.start and v.kind == change.kind:
                return True
    return False


@pytest.mark.parametrize("seed, kinds", [
    (1, None), (2, None),
    (3, ["orthographic", "substantive", "punctuation"]),
])
def test_planted_variants_are_found_and_classified(english, seed, kinds):
    paras = english[:60]
    new, changes = make_witness(paras, seed=seed, kinds=kinds)
    assert len(changes) > 50
    rows = compare_witnesses([WitnessText("a", "en", "", paras), WitnessText("b", "en", "", new)])
    variants = [v for r in rows for v in r.variants]
    missed = [(c.kind, c.before, c.after) for c in changes if not found(variants, c)]
    assert missed == []
    assert Counter(v.kind for v in variants) == Counter(c.kind for c in changes)  # nothing spurious
    assert [r.cells["a"] for r in rows] == [[k] for k in range(len(paras))]


def test_american_spelling_witness(english):
    paras = english[:60]
    text = "\n".join(paras)
    american = text.replace("labour", "labor").replace("centre", "center").replace("organis", "organiz")
    rows = compare_witnesses([WitnessText("a", "en", "", paras), WitnessText("b", "en", "", american.split("\n"))])
    kinds = Counter(v.kind for r in rows for v in r.variants)
    assert kinds and set(kinds) == {"orthographic"}
    assert kinds["orthographic"] == sum(text.count(w) for w in ("labour", "centre", "organis"))


def test_paragraph_split_and_addition_rows():
    a = WitnessText("a", "en", "", ["One two three four. Five six seven eight.", "Nine ten eleven."])
    b = WitnessText("b", "en", "", ["One two three four.", "Five six seven eight.", "An added line.",
                                    "Nine ten eleven."])
    rows = compare_witnesses([a, b])
    assert [(r.cells["a"], r.cells["b"]) for r in rows] == [([0], [0, 1]), ([], [2]), ([1], [3])]


def test_three_witnesses_group_readings():
    a = WitnessText("a", "en", "", ["The labour of the centre is great."])
    b = WitnessText("b", "en", "", ["The labor of the center is great."])
    c = WitnessText("c", "en", "", ["The labour of the middle is great."])
    rows = compare_witnesses([a, b, c])
    vs = rows[0].variants
    assert [(v.kind, [(r.text, r.witnesses) for r in v.readings]) for v in vs] == [
        ("orthographic", [("labour", ["a", "c"]), ("labor", ["b"])]),
        ("substantive", [("centre", ["a"]), ("center", ["b"]), ("middle", ["c"])]),
    ]


# ---------------------------------------------------------------- writers

def small_collation():
    a = WitnessText("a", "en", "First <b>& 'witness'", ["The labour of the centre, <script>x</script>.", "Second."])
    b = WitnessText("b", "en", "Second", ["The labor of the center; <script>x</script>.", "Second!", "Added."])
    return compare_texts([a, b], "demo")


def test_tei_structure():
    col = small_collation()
    root = etree.fromstring(tei_xml(col).encode("utf-8"))
    assert root.tag == f"{TEI}TEI"
    ids = [w.get(XML_ID) for w in root.iter(f"{TEI}witness")]
    assert ids == ["a", "b"]
    assert root.find(f"{TEI}teiHeader/{TEI}fileDesc/{TEI}sourceDesc/{TEI}listWit") is not None
    apps = list(root.iter(f"{TEI}app"))
    assert len(apps) == sum(len(r.variants) for r in col.rows) > 0
    for app in apps:
        rdgs = app.findall(f"{TEI}rdg")
        assert len(rdgs) >= 2
        for rdg in rdgs:
            assert all(w.lstrip("#") in ids for w in rdg.get("wit").split())
    body_text = "".join(root.find(f"{TEI}text").itertext())
    assert "<script>" in body_text  # text, escaped in the XML, not markup
    base = root.find(f".//{TEI}p[@corresp='#a']")
    for wid in ("a", "b"):  # each witness's text comes back from the parallel segmentation
        assert reading_text(base, wid) == col.witness(wid).paragraphs[0]
    assert "".join(root.find(f".//{TEI}p[@corresp='#b']").itertext()) == col.witness("b").paragraphs[0]
    assert all(s.get(XML_ID) for s in root.iter(f"{TEI}s"))


def reading_text(el, wid: str) -> str:
    """A witness's text from an element with app/rdg (sentences and anchors inside)."""
    out = [el.text or ""]
    for child in el:
        if child.tag == f"{TEI}app":
            rdg = next(r for r in child if f"#{wid}" in r.get("wit").split())
            out.append(rdg.text or "")
        else:
            out.append(reading_text(child, wid))
        out.append(child.tail or "")
    return "".join(out)


def test_html_escapes_and_is_self_contained():
    out = html(small_collation())
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<b>&" not in out
    assert "http://" not in out and "https://" not in out and "<link" not in out


def test_alignment_json_contract():
    col = small_collation()
    data = json.loads(alignment_json(col))
    assert data["work"] == "demo" and data["pivot"] == "a" and data["witnesses"] == ["a", "b"]
    assert all(set(r) == {"a", "b"} for r in data["rows"])
    assert sorted(p for r in data["rows"] for p in r["b"]) == [0, 1, 2]
    assert len(data["details"]) == len(data["rows"])


def test_compare_command(tmp_path, english):
    paras = english[:20]
    new, _ = make_witness(paras, seed=5)
    (tmp_path / "A.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    (tmp_path / "B.txt").write_text("\n\n".join(new) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "A.txt"), str(tmp_path / "B.txt"), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["a-vs-b.alignment.json", "a-vs-b.coverage.json", "a-vs-b.html", "a-vs-b.tei.xml"]
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["compare", str(tmp_path / "A.txt"), str(tmp_path / "B.txt"), "--out", str(out)]) == 0
    assert first == {p.name: p.read_bytes() for p in out.iterdir()}  # byte-identical reruns


def test_compare_command_missing_file(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nope.txt"), str(tmp_path / "B.txt"), "--out", str(tmp_path)]) == 2
    assert "nope.txt: file not found" in capsys.readouterr().err


def test_rows_stay_in_base_order_when_a_paragraph_spans_a_lost_one():
    a = WitnessText("a", "en", "", ["Alpha beta gamma delta.", "Lost lost lost.", "Epsilon zeta eta theta."])
    b = WitnessText("b", "en", "", ["Alpha beta gamma delta. Epsilon zeta eta theta."])
    rows = compare_witnesses([a, b])
    assert [p for r in rows for p in r.cells["a"]] == [0, 1, 2]
    assert [r.cells["b"] for r in rows if r.cells["b"]] == [[0]]


def test_the_authoritys_russian_name_forms_are_made_once_and_read_back_the_same(tmp_path, monkeypatch, resources):
    """AnchorFinder's declined Russian names (pymorphy3, 0.07 s a process) come from the user
    cache once made: the same forms for the same names; other names are made anew."""
    import pipeline.collate.anchors as anchors
    from pipeline.russian import name_forms
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path))
    names = tuple(dict.fromkeys(e.cyrillic for e in resources.authority.entries if e.cyrillic))[:5]
    made = anchors.cyrillic_forms(names)
    assert made == {n: name_forms(n) for n in names} and any(len(f) > 1 for f in made.values())
    assert len(list(tmp_path.glob("name-forms-*.json"))) == 1
    monkeypatch.setattr(anchors, "name_forms", lambda n: pytest.fail(f"{n} made again"))
    assert anchors.cyrillic_forms(names) == made  # read back
    monkeypatch.setattr(anchors, "name_forms", name_forms)
    assert anchors.cyrillic_forms(names[:2]) == {n: made[n] for n in names[:2]}  # another set: its own file
    assert len(list(tmp_path.glob("name-forms-*.json"))) == 2
