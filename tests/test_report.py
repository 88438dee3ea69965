"""The HTML reports and `edition report`: what they say, that witness text can
never become markup, and that they are byte-for-byte reproducible."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.model import Change, Query, Witness
from pipeline.report import build_reports
from pipeline.report.data import WitnessState, layout_labels, moved_pairs, page_data
from pipeline.review import Decision
from tests.conftest import HOSTILE_RAW, ROOT, edition, make_project

# -- safety -----------------------------------------------------------------------------

def test_hostile_witness_goes_through_the_whole_run(hostile):
    for name in ("clean/hostile.txt", "clean/hostile.changes.jsonl", "reports/hostile.changes.html", "reports/index.html"):
        assert (hostile / name).is_file(), name


def test_witness_text_never_becomes_markup(hostile):
    page = (hostile / "reports" / "hostile.changes.html").read_text(encoding="utf-8")
    # exactly our own two <script> elements, and the data one holds no '<' at all
    assert len(re.findall(r"<script\b", page, re.I)) == 2
    data = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and ">" not in data and "&" not in data
    assert "<img" not in page  # only as text inside the JSON, where '<' is \u003c
    # the JSON gives back the raw text exactly, control characters and astral characters included
    parsed = json.loads(data)
    assert parsed["raw"] == HOSTILE_RAW
    index = (hostile / "reports" / "index.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in index and "&lt;b&gt;bold&lt;/b&gt;" in index
    assert "<script>window" not in index
    assert "\x07" not in page + index and "\x1b" not in page + index  # escaped in JSON, not raw bytes


def test_offsets_are_utf16_for_the_browser(hostile):
    """JavaScript strings count UTF-16 units: offsets after astral characters are shifted."""
    page = (hostile / "reports" / "hostile.changes.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1))
    raw16 = HOSTILE_RAW.encode("utf-16-le")
    changes = [json.loads(x) for x in (hostile / "clean" / "hostile.changes.jsonl").read_text().splitlines()]
    for row, c in zip(data["changes"], changes):
        s, e = row[1], row[2]
        assert raw16[2 * s:2 * e].decode("utf-16-le") == c["before"]


# -- the parts ----------------------------------------------------------------------------

def ch(start, end, before, after, rule="layout.line-join", kind="layout", i=0) -> Change:
    return Change(f"id{i}", start, end, before, after, rule.split(".")[0], rule, kind, 1, 1, 1.0, "")


@pytest.mark.parametrize("before, after, rule, kind, labels", [
    (" \n\n", " ", "layout.line-join", "layout", ["lines joined"]),
    (" \n\n\n\n", " ", "layout.page-break", "layout", ["page break", "lines joined"]),
    ("\n\n 12 \n\n", " ", "layout.join", "layout", ["page break", "lines joined"]),
    (" \n", "\n\n", "layout.paragraph", "layout", ["paragraph break"]),
    (" \n\n \n1 Note text here\n", " ", "layout.page-break+layout.footnote-move", "footnote",
     ["page break", "footnote moved", "lines joined"]),
    ("1", "[^1]", "notes.glued-marker", "footnote", ["footnote marker"]),
    ("apportion", "opposition", "rule.dn.apportion", "scanno", []),
])
def test_layout_labels(before, after, rule, kind, labels):
    assert layout_labels(ch(0, len(before), before, after, rule, kind)) == labels


def test_moved_text_is_paired_with_where_it_went():
    cs = [ch(10, 40, " \n\n1 Пример – голосование платформ\n", " ", "layout.footnote-move", "footnote", 0),
          ch(50, 51, "\n", " ", i=1),
          ch(90, 120, " \n7 О бюрократизме поговорим ниже.\n", " ", "layout.footnote-move", "footnote", 2),
          ch(200, 201, "\n", "\n\n[^1]: Пример – голосование платформ\n\n[^7]: О бюрократизме поговорим ниже.\n",
             "layout.end", "spacing", 3)]
    assert moved_pairs(cs) == {0: [3], 2: [3], 3: [0, 2]}


def test_progress_counts():
    w = Witness(id="w", file="w.txt", language="en", work="w", role="original")
    cs = [ch(0, 1, "a", "b", i=0), ch(2, 3, "c", "d", i=1), ch(4, 5, "e", "f", "review.resolve", "review", i=2)]
    qs = [Query(0, 1, "x", ["y"], 0.5, "why", id="q1")]
    ds = [Decision(id="id0", action="accept"), Decision(id="gone", action="reject"),
          Decision(id="qold", action="resolve", reading="z"), Decision(id="stale1", action="accept"),
          Decision(id="qkept", action="accept")]  # a query kept as is: gone from the next run's list
    p = WitnessState(w, "a c e", cs, qs, ds, ["stale1"]).progress
    assert (p["changes"], p["changes_done"], p["accepted"], p["rejected"]) == (4, 3, 1, 1)
    assert (p["queries"], p["queries_done"], p["open_queries"], p["stale"]) == (3, 2, 1, 1)
    assert (p["total"], p["done"], p["percent"]) == (7, 5, 71)


def test_page_data_keeps_decisions_and_empty_readings():
    w = Witness(id="w", file="w.txt", language="en", work="w", role="original")
    d = page_data(WitnessState(w, "abc", [], [], [Decision(id="q", action="resolve", reading=""),
                                                     Decision(id="c", action="reject", note="")], []))
    assert d["decisions"] == {"q": {"action": "resolve", "reading": ""}, "c": {"action": "reject"}}


# -- the real edition --------------------------------------------------------------------

def test_reports_of_the_real_edition_are_reproducible(corpus, cleaned):
    files: dict[Path, str] = {}
    a = build_reports(ROOT, corpus, cleaned, files)
    b = build_reports(ROOT, corpus, cleaned, files)
    assert a == b
    names = {p.relative_to(ROOT).as_posix() for p in a}
    assert "reports/index.html" in names
    assert {f"reports/{w.id}.changes.html" for w in corpus.witnesses} <= names
    for p, text in a.items():
        assert str(ROOT) not in text, p
        assert not re.search(r"20\d\d-\d\d-\d\d[T ]\d\d:\d\d", text), p  # no time stamps


def test_index_links_every_report(corpus, cleaned, tmp_path):
    root = make_project(tmp_path)
    files = {root / "reports" / "collation" / "kollontai-workers-opposition.html": "<html></html>",
             root / "reports" / "collation" / "kollontai-workers-opposition.tei.xml": "<TEI/>"}
    for w in corpus.witnesses:
        files[root / "clean" / f"{w.id}.txt"] = cleaned[w.id].text
        files[root / "reports" / f"{w.id}.queries.tsv"] = ""
    out = build_reports(root, corpus, cleaned, files)
    index = out[root / "reports" / "index.html"]
    hrefs = set(re.findall(r'href="([^"]+)"', index))
    assert "collation/kollontai-workers-opposition.html" in hrefs
    assert "collation/kollontai-workers-opposition.tei.xml" in hrefs
    for w in corpus.witnesses:
        assert {f"{w.id}.changes.html", f"{w.id}.queries.tsv", f"../clean/{w.id}.txt"} <= hrefs
        n = len(cleaned[w.id].changes)
        assert f"<b>{n:,}</b>" in index


def test_edition_report_json_and_table(hostile):
    r = edition(hostile, "report", "hostile", "--json", "--top", "1")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    changes = (hostile / "clean" / "hostile.changes.jsonl").read_text().splitlines()
    assert s["witness"] == "hostile" and s["changes"] == len(changes)
    assert sum(s["by_stage"].values()) == len(changes) and sum(s["by_kind"].values()) == len(changes)
    assert len(s["top_queries"]) <= 1
    r = edition(hostile, "report", "hostile")
    assert r.returncode == 0 and "hostile" in r.stdout and "changes" in r.stdout
    r = edition(hostile, "report", "nosuch")
    assert r.returncode == 2 and "unknown witness id 'nosuch'" in r.stderr


# -- the commands a maintainer uses ----------------------------------------------------

def test_edition_report_fits_80_columns_and_its_counts_add_up(built, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = edition(built.root, "report")
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    for w in built.corpus.witnesses:  # ids whole, never broken across lines
        assert re.search(rf"(^|\s){re.escape(w.id)}\s", r.stdout), w.id
    wid = "kollontai-en-dreadnought"
    r = edition(built.root, "report", wid, "--top", "3")
    assert r.returncode == 0 and max(len(line) for line in r.stdout.splitlines()) <= 80
    m = re.search(r"reviewed ([\d,]+) of ([\d,]+) \(\d+%\) = (.*)", r.stdout)
    parts = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) [a-z]", m.group(3))]
    assert int(m.group(1).replace(",", "")) == sum(parts)


def test_errors_have_one_prefix(built):
    r = edition(built.root, "rules", "check", "--rule", "no.such.rule")
    assert r.returncode == 2 and r.stderr == "edition: error: no rule with id 'no.such.rule'\n"


def test_clean_a_file_without_out_writes_beside_it(tmp_path):
    (tmp_path / "scan.txt").write_text("A line of text that\nis wrapped here.\n", encoding="utf-8")
    r = edition(tmp_path, "clean", str(tmp_path / "scan.txt"), "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert f"writing into {tmp_path / 'clean'}" in r.stderr.replace("\n", "")
    assert (tmp_path / "clean" / "scan.txt").read_text(encoding="utf-8") == "A line of text that is wrapped here.\n"
    r = edition(tmp_path, "clean", str(tmp_path / "nosuch.txt"), "--lang", "en")
    assert r.returncode == 2 and r.stderr.startswith(f"edition: error: {tmp_path / 'nosuch.txt'}: file not found")


def test_rules_commands_refuse_what_would_do_nothing(built, tmp_path):
    r = edition(tmp_path, "rules", "test")  # not a project
    assert r.returncode == 2 and "not an edition project" in r.stderr and "--root" in r.stderr
    target = tmp_path / "local.toml"
    r = edition(built.root, "rules", "add", "the", "the", "--file", str(target), "--yes")
    assert r.returncode == 2 and "changes nothing" in r.stderr
    r = edition(built.root, "rules", "add", "zzqx never here", "x", "--file", str(target), "--yes")
    assert r.returncode == 2 and "occurs nowhere" in r.stderr
    assert not target.exists()
    r = edition(built.root, "rules", "add", "a", "b", "--kind", "nonsense")
    assert r.returncode == 2 and "scanno" in r.stderr and "punct" in r.stderr  # the choices are listed


def test_run_warns_loudly_about_a_rule_whose_examples_fail(tmp_path):
    root = make_project(tmp_path, {"a.txt": b"The rank and tile of the party.\n"},
                        '[[witness]]\nid = "a"\nfile = "a.txt"\nlanguage = "en"\nwork = "a"\nrole = "original"\n')
    (root / "rules" / "bad.toml").write_text(
        '[[rule]]\nid = "x.tile"\nmatch = "rank and tile"\nreplacement = "rank and file"\nscope = ["en"]\n'
        'kind = "scanno"\nnote = "t"\nmust_change = ["the rank and tile => the rank and pile"]\n', encoding="utf-8")
    r = edition(root, "run", "--quiet", "--no-collate")
    assert r.returncode == 0, r.stderr
    assert "edition: WARNING: " in r.stderr and "rules/bad.toml:1: rule 'x.tile' fails its own examples" in r.stderr


# -- evidence from the pivot, and the concordance across the edition -----------------------

def _split(p: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"(?<=\.) ", p):
        out.append((start, m.start()))
        start = m.end()
    return out + [(start, len(p))]


@pytest.mark.parametrize("where", ["row", "details"])
def test_pivot_evidence_from_alignment_rows(where):
    from pipeline.report.data import pivot_evidence
    pairs = [{"ru": [1], "en": [0]}, {"ru": [0], "en": [1]}]
    row = {"ru": [1], "en": [0]}
    alignment = {"pivot": "ru", "witnesses": ["ru", "en"], "rows": [{"ru": [0], "en": []}, row],
                 "details": [{}, {}]}
    if where == "row":
        row["sentences"] = pairs
    else:
        alignment["details"][1]["sentences"] = pairs
    ev = pivot_evidence(alignment, "en", "Mixed. Second.\n", "Заголовок\n\nПервое. Смешанным.\n", _split)
    assert ev["id"] == "ru" and ev["paras"] == {"0": [1]} and ev["texts"] == {"1": "Первое. Смешанным."}
    assert ev["sent"] == {"0.0": ["1.1"], "0.1": ["1.0"]}  # the English first sentence is the Russian second
    assert ev["own"]["0"] == [[0, 6], [7, 14]] and ev["spans"]["1"] == [[0, 7], [8, 18]]
    assert pivot_evidence(alignment, "ru", "", "", _split) is None  # the pivot itself has none


def test_elsewhere_counts_rules_and_readings_in_other_witnesses():
    from pipeline.report.data import elsewhere
    w = {k: Witness(id=k, file=f"{k}.txt", language="en", work="w", role="original") for k in ("a", "b")}

    def ch(rule):
        return Change("x", 0, 1, "a", "b", "rules", rule, "scanno", 1, 1, 1.0, "")
    st = {"a": WitnessState(w["a"], "", [ch("r.one"), ch("r.two+layout.line-join")],
                            [Query(0, 1, "syezdov", [], 0.3, "", rule="detect.nonword")]),
          "b": WitnessState(w["b"], "", [ch("r.two"), ch("r.two")],
                            [Query(0, 1, "syezdov", [], 0.3, "", rule="detect.nonword")] * 2)}
    out = elsewhere(st)
    assert out["a"]["rules"] == {"r.two": [["b", 2]]} and out["b"]["rules"] == {"r.two": [["a", 1]]}
    assert out["a"]["texts"] == {"syezdov": [["b", 2]]}
