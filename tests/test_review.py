"""Review files (review/<id>.toml): the format, its errors, and the loop through
a real run: a rejected change is not applied, a resolved query becomes an edit of
kind `review`, a decision for an id that no longer exists is reported as stale,
and raw + rules + review files give byte-identical clean/ and reports/."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import EditionError
from pipeline.review import Decision, dump_review, load_decisions, read_review, toml_string
from tests.conftest import changes_of, copy_project, edition, make_project




def queries_of(root: Path, wid: str) -> list[dict]:
    """reports/<id>.queries.tsv as its rows (the file a proofreader opens)."""
    import csv
    with open(root / "reports" / f"{wid}.queries.tsv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


# -- the format ------------------------------------------------------------------

def test_dump_and_read_round_trip(tmp_path):
    ds = [Decision(id="a1", action="reject", note='said "no"', by="AB", line=3, rule="rule.x",
                   before="apportion\n", after="opposition"),
          Decision(id="b2", action="resolve", reading="", text="ab\\c\t\x07", line=9),
          Decision(id="c3", action="accept")]
    text = dump_review("w", ds)
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    assert read_review(path, witness="w") == ds
    d = load_decisions(path)
    assert d.rejected == {"a1"} and d.accepted == {"c3"} and d.resolved == {"b2": ""}


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_toml_string_is_valid_toml_for_any_text(s):
    assert tomllib.loads(f"x = {toml_string(s)}\n")["x"] == s


@pytest.mark.parametrize("body, problem, line", [
    ('[[decision]]\nid = "a"\naction = "resolve"\n', "needs a reading", 1),
    ('[[decision]]\nid = "a"\naction = "reject"\n[[decision]]\nid = "a"\naction = "accept"\n', "two decisions", 5),
    ('[[decision]]\nid = "a"\naction = "delete"\n', "action", 3),
    ('[[decision]]\nid = "a"\naction = "reject"\ncolour = "red"\n', "unknown field", None),
    ('[[decision]]\nid = "a"\naction = "reject"\nreading = "x"\n', "only goes with action 'resolve'", 1),
    ('witness = "other"\n', "for witness 'other'", 1),
    ('[decision]\nid = "a"\n', "[[decision]]", None),
    ('[[decision]\n', "TOML syntax error", 1),
])
def test_bad_review_files_name_file_and_line(tmp_path, body, problem, line):
    path = tmp_path / "w.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(EditionError) as e:
        load_decisions(path)
    assert problem in str(e.value)
    assert "w.toml" in str(e.value)
    if line is not None:
        assert e.value.line == line


def test_missing_review_file_means_no_decisions(tmp_path):
    d = load_decisions(tmp_path / "none.toml")
    assert not d.rejected and not d.accepted and not d.resolved


def test_bad_review_file_stops_the_run_with_one_line(tmp_path):
    root = make_project(tmp_path)
    (root / "review").mkdir()
    (root / "review" / "kollontai-en-iww.toml").write_text('[[decision]]\nid = "x"\naction = "resolve"\n')
    r = edition(root, "run", "--quiet", "--only", "kollontai-en-iww", "--no-collate")
    assert r.returncode == 2
    assert "review/kollontai-en-iww.toml:1" in r.stderr and "needs a reading" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (root / "clean").exists()  # nothing half-written


# -- the loop through a real run --------------------------------------------------

WID = "kollontai-en-dreadnought"
RUN = ("run", "--quiet", "--only", WID, "--no-collate")  # one witness keeps the test fast


def pick(changes: list[dict]) -> dict:
    """A change worth rejecting: a word-level correction if there is one."""
    for kind in ("scanno", "name", "typo", "punct"):
        for c in changes:
            if c["kind"] == kind and "\n" not in c["before"] and c["before"].strip():
                return c
    return changes[len(changes) // 2]


@pytest.fixture(scope="module")
def reviewed(built, tmp_path_factory):
    """The session's run, copied, then run again with a review file: (root, first changes, rejected, query, reading)."""
    root = copy_project(built.root, tmp_path_factory.mktemp("review"))
    first = changes_of(root, WID)
    rejected = pick(first)
    queries = [q for q in queries_of(root, WID)]
    query = next((q for q in queries if q["suggestions"]), queries[0] if queries else None)
    reading = query["suggestions"].split("|")[0] if query and query["suggestions"] else "READING"
    merged = next((c for c in first if "+" in c["rule"] and "\n" in c["before"] and "layout." in c["rule"]
                   and any(not r.startswith(("layout.", "hyphen.", "notes.")) for r in c["rule"].split("+"))), None)
    ds = [Decision(id=rejected["id"], action="reject", note="checked the print"),
          Decision(id=first[0]["id"], action="accept"),
          Decision(id="0123456789ab", action="accept", note="an id from an older run")]
    if query:
        ds.append(Decision(id=query["id"], action="resolve", reading=reading))
    kept = next((q for q in queries if query is None or q["id"] != query["id"]), None)
    if kept:
        ds.append(Decision(id=kept["id"], action="accept", note="the text is right"))
    if merged:
        ds.append(Decision(id=merged["id"], action="reject"))
    # a page-break join the proofreader answers "paragraph break here"
    para = next(c for c in first if c["rule"] == "layout.page-break" and not c["after"].strip())
    ds.append(Decision(id=para["id"], action="paragraph", note="a new paragraph starts on the next page"))
    # a hyphen kept at a line end that the proofreader drops ("class-⏎consistent" -> "classconsistent")
    hyph = next(c for c in first if c["rule"] == "hyphen.compound" and c["before"] == "\n")
    ds.append(Decision(id=hyph["id"], action="hyphen"))
    (root / "review").mkdir()
    (root / "review" / f"{WID}.toml").write_text(dump_review(WID, ds), encoding="utf-8")
    r = edition(root, *RUN)
    assert r.returncode == 0, r.stderr
    return root, first, rejected, query, reading, r.stderr, merged, kept


def test_a_wrong_join_answered_with_a_paragraph_break(reviewed):
    """action = "paragraph": the page-break join becomes a paragraph break, an edit of kind review."""
    root, first, *_ = reviewed
    para = reviewed_para(root, first)
    after = changes_of(root, WID)
    assert para["id"] not in {c["id"] for c in after}
    made = [c for c in after if c["start"] == para["start"] and c["end"] == para["end"]]
    assert len(made) == 1 and made[0]["after"] == "\n\n" and made[0]["kind"] == "review"
    assert made[0]["rule"] == "layout.page-break+review.paragraph"
    clean = (root / "clean" / f"{WID}.txt").read_text(encoding="utf-8")
    at = para["start"] + sum(len(c["after"]) - (c["end"] - c["start"]) for c in after if c["end"] <= para["start"])
    assert clean[at:at + 2] == "\n\n" and clean[at - 1] != "\n" and clean[at + 2] != "\n"  # one paragraph break


def test_a_hyphen_decision_turned_round(reviewed):
    """action = "hyphen" on a kept line-end hyphen: the next run joins the word without it."""
    root, first, *_ = reviewed
    d = next(d for d in read_review(root / "review" / f"{WID}.toml") if d.action == "hyphen")
    hyph = next(c for c in first if c["id"] == d.id)
    raw = (root / "raw" / f"{WID}.txt").read_text(encoding="utf-8")
    assert raw[hyph["start"] - 1] == "-"
    left = raw[:hyph["start"] - 1].split()[-1]
    right = raw[hyph["end"]:].split()[0]
    after = changes_of(root, WID)
    made = [c for c in after if c["start"] == hyph["start"] - 1 and "review.hyphen" in c["rule"]]
    assert len(made) == 1 and made[0]["kind"] == "review"
    assert made[0]["before"] == "-\n" + right[0] and made[0]["after"] == right[0]
    clean = (root / "clean" / f"{WID}.txt").read_text(encoding="utf-8")
    assert left + right in clean and f"{left}-{right}" not in clean


def test_run_says_how_many_decisions_it_applied(reviewed):
    root, first, rejected, query, reading, stderr, merged, kept = reviewed
    n = 5 + bool(query) + bool(kept) + bool(merged)  # reject, accept, stale, paragraph, hyphen, ...
    applied = n - 1  # all but the stale one
    assert f"review/{WID}.toml: {applied} of {n} decisions applied, 1 stale" in stderr


def reviewed_para(root: Path, first: list[dict]) -> dict:
    """The change the review file answers with a paragraph break."""
    d = next(d for d in read_review(root / "review" / f"{WID}.toml") if d.action == "paragraph")
    return next(c for c in first if c["id"] == d.id)


def test_rejected_change_is_not_applied(reviewed):
    root, first, rejected, *_ = reviewed
    after = changes_of(root, WID)
    assert rejected["id"] not in {c["id"] for c in after}
    raw = (root / "raw" / f"{WID}.txt").read_text(encoding="utf-8")
    assert raw[rejected["start"]:rejected["end"]] == rejected["before"]
    # the raw reading is kept: no change covers that span any more
    assert not any(c["start"] < rejected["end"] and rejected["start"] < c["end"] and c["rule"] == rejected["rule"]
                   for c in after)
    assert len(after) < len(first) + 2


def test_rejecting_a_correction_merged_with_a_line_join_keeps_the_join(reviewed):
    """' \nif' -> ' in' (layout.line-join+rule...): the proofreader rejects the reading, not the layout."""
    root, first, *_, merged, _ = reviewed
    if merged is None:
        pytest.skip("no merged layout+correction change at the moment")
    after = changes_of(root, WID)
    assert merged["id"] not in {c["id"] for c in after}
    join = [c for c in after if c["start"] == merged["start"]]
    assert join and all(r.startswith("layout.") for r in join[0]["rule"].split("+"))
    clean = (root / "clean" / f"{WID}.txt").read_text(encoding="utf-8")
    assert not [m for m in re.finditer(r"[^\n]\n[^\n]", clean)]  # no hard wrap came back
    word = merged["before"].split()[-1]
    assert re.search(rf"\s{re.escape(word)}(?!\w)", clean)


def test_resolved_query_becomes_a_review_edit(reviewed):
    root, first, rejected, query, reading, *_ = reviewed
    if query is None:
        pytest.skip("this witness has no queries at the moment")
    after = changes_of(root, WID)
    review = [c for c in after if c["kind"] == "review" and "review.resolve" in c["rule"]]
    # the resolution may merge with a neighbouring edit (a line join) into one change
    assert len(review) == 1 and reading.replace("¶", "\n\n") in review[0]["after"] and query["id"] in review[0]["note"]
    assert "review.resolve" in review[0]["rule"]
    assert query["id"] not in {q["id"] for q in queries_of(root, WID)}
    clean = (root / "clean" / f"{WID}.txt").read_text(encoding="utf-8")
    assert reading.replace("¶", "\n\n") in clean


def test_query_kept_as_is_is_answered_without_an_edit(reviewed):
    root, first, *_, kept = reviewed
    if kept is None:
        pytest.skip("not enough queries at the moment")
    assert kept["id"] not in {q["id"] for q in queries_of(root, WID)}
    assert not any(kept["id"] in c["note"] for c in changes_of(root, WID))


def test_stale_decision_is_reported_never_dropped(reviewed):
    root, *_, stderr, _, _ = reviewed
    assert "0123456789ab" in stderr and "stale" in stderr
    assert stderr.count("stale decision") == 1  # only that one: a kept query or a merged rejection is not stale
    page = (root / "reports" / f"{WID}.changes.html").read_text(encoding="utf-8")
    assert "stale decision" in page and "0123456789ab" in page
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert "1 stale decision" in index


def test_reviewed_witness_keeps_the_contract(reviewed):
    """Review decisions never break DESIGN.md §2: the change log still rebuilds the clean text, no hard wraps."""
    import importlib.util
    checker = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check_contract.py"
    if not checker.exists():
        pytest.skip("../shared/tools/check_contract.py not present")
    spec = importlib.util.spec_from_file_location("check_contract", checker)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    root = reviewed[0]
    problems: list[str] = []
    mod.check_witness(root, WID, root / "raw" / f"{WID}.txt", problems)
    assert problems == []


def test_review_progress_counts_the_decisions(reviewed):
    root, first, rejected, query, *_, merged, kept = reviewed
    r = edition(root, "report", WID, "--json", "--top", "3")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    p = s["progress"]
    assert p["rejected"] == (2 if merged else 1) and p["accepted"] == 1
    assert p["queries_done"] == (1 if query else 0) + (1 if kept else 0)
    assert s["stale"] == ["0123456789ab"]
    assert len(s["top_queries"]) <= 3
    assert [q["score"] for q in s["top_queries"]] == sorted((q["score"] for q in s["top_queries"]), reverse=True)


def test_reviewed_edition_is_reproducible(reviewed, built, tmp_path):
    """raw + rules + review files -> byte-identical clean/ and reports/ (in another folder, too)."""
    root = reviewed[0]
    other = copy_project(built.root, tmp_path / "other")  # the same start as `reviewed`, elsewhere
    (other / "review").mkdir(exist_ok=True)
    for f in (root / "review").iterdir():
        (other / "review" / f.name).write_bytes(f.read_bytes())
    r = edition(other, *RUN)
    assert r.returncode == 0, r.stderr

    def tree(base: Path) -> dict[str, bytes]:
        return {p.relative_to(base).as_posix(): p.read_bytes()
                for sub in ("clean", "reports") for p in sorted((base / sub).rglob("*")) if p.is_file()}

    a, b = tree(root), tree(other)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], name
    for name, data in b.items():  # no absolute paths in any output
        assert str(other).encode() not in data and str(root).encode() not in data, name


# -- the project word lists (rules/words/) ---------------------------------------------

def test_word_list_format_and_errors(tmp_path):
    from pipeline.wordlist import WordList, load_word_lists, parse_words
    assert parse_words("# comment\nsyezdov\n\nPartiinoye  # a title word\n", "rules/words/en.txt") == \
        ["syezdov", "Partiinoye"]
    words = WordList.of(["syezdov", "Partiinoye"])
    assert "syezdov" in words and "Syezdov" in words  # lower case covers a capitalised form
    assert "Partiinoye" in words and "partiinoye" not in words  # capitals match as written
    for body, line, problem in (("a b\n", 1, "not one word"), ("x\n\nx\n", 3, "listed twice")):
        with pytest.raises(EditionError) as e:
            parse_words(body, "rules/words/en.txt")
        assert str(e.value).startswith(f"rules/words/en.txt:{line}: ") and problem in str(e.value)
    d = tmp_path / "rules" / "words"
    d.mkdir(parents=True)
    (d / "fr.txt").write_text("mot\n", encoding="utf-8")
    with pytest.raises(EditionError, match=r"rules/words/fr.txt: 'fr' is neither a language nor a witness id"):
        load_word_lists(tmp_path, {"en", "ru", "lenin-trade-unions"})


def test_listed_words_are_not_queried_or_auto_corrected(built, tmp_path):
    """The run drops non-word and name queries about listed words (and automatic corrections of them)."""
    wid = "lenin-trade-unions"
    before = queries_of(built.root, wid)
    asked = [q for q in before if q["reason"].startswith(("not in the en lexicon", "capitalised word"))]
    assert asked, "the Lenin witness has non-word queries"
    listed = sorted({q["text"] for q in asked})[:3]
    root = copy_project(built.root, tmp_path / "p")
    en = root / "rules" / "words" / "en.txt"
    en.parent.mkdir(exist_ok=True)
    en.write_text((en.read_text(encoding="utf-8") if en.exists() else "") + "\n".join(listed) + "\n", encoding="utf-8")
    r = edition(root, "run", "--quiet", "--only", wid, "--no-collate")
    assert r.returncode == 0, r.stderr
    after = queries_of(root, wid)
    assert not [q for q in after if q["text"] in listed]
    assert len(after) == len(before) - sum(1 for q in before if q["text"] in listed)


# -- saving decisions in place (edition serve, edition review import) ----------------------

def test_save_review_validates_and_refuses_stale_and_conflicts(built, tmp_path):
    from pipeline.commands.review import file_sha, save_review
    root = copy_project(built.root, tmp_path / "p")
    first = changes_of(root, WID)
    path = root / "review" / f"{WID}.toml"
    base = file_sha(path)
    ok = [Decision(id=first[0]["id"], action="accept")]
    s = save_review(root, WID, ok, base=base)
    assert s.total == 1 and s.new == 1 and read_review(path, WID)[0].id == first[0]["id"]
    with pytest.raises(EditionError, match="changed since this page was made"):
        save_review(root, WID, ok, base=base)  # the file is no longer the version the page knew
    with pytest.raises(EditionError, match="stale"):
        save_review(root, WID, [Decision(id="0123456789ab", action="accept")], base=s.sha)
    word_change = next(c for c in first if "\n" not in c["before"])
    with pytest.raises(EditionError, match="no line join between words"):
        save_review(root, WID, [Decision(id=word_change["id"], action="paragraph")], base=s.sha)
    assert read_review(path, WID)[0].id == first[0]["id"]  # nothing written by a refused save


def test_review_import_merges_an_export(built, tmp_path):
    root = copy_project(built.root, tmp_path / "p")
    first = changes_of(root, WID)
    q = queries_of(root, WID)[0]
    exported = tmp_path / f"{WID}.toml"
    exported.write_text(dump_review(WID, [Decision(id=first[1]["id"], action="reject"),
                                          Decision(id=q["id"], action="accept")], words=["Kollontai"]),
                        encoding="utf-8")
    r = edition(root, "review", "import", str(exported))
    assert r.returncode == 0, r.stderr
    assert f"review/{WID}.toml: 2 decisions (2 new, 0 changed)" in r.stderr and "Kollontai" in r.stderr
    assert {d.id for d in read_review(root / "review" / f"{WID}.toml", WID)} == {first[1]["id"], q["id"]}
    assert "Kollontai" in (root / "rules" / "words" / "en.txt").read_text(encoding="utf-8").split()
    # an export saved by hand as the review file: the run says where its words belong; import moves them
    saved = root / "review" / f"{WID}.toml"
    saved.write_text(dump_review(WID, read_review(saved, WID), words=["Shlyapnikov"]), encoding="utf-8")
    r = edition(root, "run", "--quiet", "--only", WID, "--no-collate")
    assert r.returncode == 0 and f"`edition review import review/{WID}.toml` moves them" in r.stderr
    r = edition(root, "review", "import", str(saved))
    assert r.returncode == 0, r.stderr
    assert "words" not in tomllib.loads(saved.read_text(encoding="utf-8"))
    assert "Shlyapnikov" in (root / "rules" / "words" / "en.txt").read_text(encoding="utf-8").split()
    exported.write_text('witness = "kollontai-ru"\n', encoding="utf-8")
    r = edition(root, "review", "import", str(exported), "--witness", WID)
    assert r.returncode == 2 and "is for witness 'kollontai-ru'" in r.stderr


def test_serve_binds_loopback_and_serves_only_the_project(built, tmp_path):
    import threading
    import urllib.error
    import urllib.request
    from pipeline.commands.serve import make_server
    root = copy_project(built.root, tmp_path / "p")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    server = make_server(root, 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        page = urllib.request.urlopen(f"{base}/reports/{WID}.changes.html").read().decode("utf-8")
        assert '"review_sha"' in page
        for bad in ("/raw/witnesses.toml", "/reports/../raw/witnesses.toml", "/reports/%2e%2e/%2e%2e/secret.txt",
                    "/../secret.txt", "/config/policy.toml", "/reports/..%2f..%2fsecret.txt"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + bad)
            assert e.value.code == 404, bad
        first = changes_of(root, WID)
        body = json.dumps({"base": "", "decisions": [{"id": first[0]["id"], "action": "accept"}]}).encode()
        req = urllib.request.Request(f"{base}/api/review/{WID}", body, {"Content-Type": "application/json"})
        out = json.loads(urllib.request.urlopen(req).read())
        assert out["ok"] and out["total"] == 1 and out["file"] == f"review/{WID}.toml"
        with pytest.raises(urllib.error.HTTPError) as e:  # the same base again: a conflict
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/review/{WID}", body))
        assert e.value.code == 409 and "changed since" in json.loads(e.value.read())["error"]
        evil = urllib.request.Request(f"{base}/api/review/{WID}", body, {"Origin": "http://example.org"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(evil)
        assert e.value.code == 403
    finally:
        server.shutdown()
        server.server_close()


def test_the_period_words_of_the_lenin_notes_are_not_queried(built):
    """rules/words/en.txt lists the transliterations of the Lenin volume's notes."""
    texts = {q["text"] for q in queries_of(built.root, "lenin-trade-unions")}
    assert not {"syezdov", "plenumov", "Partiinoye"} & texts
    raw = (built.root / "raw" / "lenin-trade-unions.txt").read_text(encoding="utf-8")
    assert "syezdov" in raw and "Partiinoye" in raw  # they are in the text: the list answered them
