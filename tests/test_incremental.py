"""Incremental runs (pipeline/cache.py, `.edition-cache/`): a witness is cleaned again only
when something it depends on changed, a work collated again only when one of its witnesses
did, a run with nothing changed does nothing, and the outputs are always byte-identical to a
full run (`--force`). A run interrupted midway leaves whole outputs and the next one finishes."""
from __future__ import annotations

import pytest

import pipeline.commands.execute as execute
from pipeline.cache import CACHE_DIR
from pipeline.commands.run import witness_key
from pipeline.context import Resources
from pipeline.witnesses import load_corpus
from tests.conftest import copy_project, edition
from tests.test_run import snapshot


@pytest.fixture
def project(built, tmp_path):
    """A copy of the session's built project (its outputs and run cache included)."""
    root = copy_project(built.root, tmp_path / "p")
    assert (root / CACHE_DIR / "witness").is_dir()
    return root


@pytest.fixture
def cleaned_ids(monkeypatch):
    """The ids of the witnesses the runs of a test actually clean (not taken from the cache)."""
    seen: list[str] = []
    real = execute.clean_witness_task

    def counting(bundle, task):
        seen.append(task.key)
        return real(bundle, task)

    monkeypatch.setattr(execute, "clean_witness_task", counting)
    return seen


def keys(root):
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    return {w.id: witness_key(root, res, corpus, w.id) for w in corpus.witnesses}


def test_nothing_changed_cleans_nothing_and_writes_nothing(project, built, cleaned_ids):
    first = edition(project, "run", "--quiet")
    assert first.returncode == 0, first.stderr
    assert cleaned_ids == []  # every witness and the collation came from the cache
    assert snapshot(project) == snapshot(built.root)
    times = {p: p.stat().st_mtime_ns for p in (project / "reports").rglob("*") if p.is_file()}
    again = edition(project, "run")
    assert again.returncode == 0 and "nothing changed" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in (project / "reports").rglob("*") if p.is_file()} == times
    # an output damaged by hand is not "up to date": the next run writes it again
    (project / "clean" / "allen-documents.txt").write_text("edited by hand\n", encoding="utf-8")
    assert edition(project, "run", "--quiet").returncode == 0
    assert snapshot(project) == snapshot(built.root)
    assert cleaned_ids == []


def test_a_changed_witness_is_cleaned_again_alone_and_matches_a_full_run(small, tmp_path, cleaned_ids):
    """On the corpus cut to its first 20,000 bytes a witness (conftest `small`, run once per
    session; two more runs of the whole corpus would cost as much as the rest of this file): the
    incremental run after a change writes exactly what a full run (`--force`) writes."""
    project = copy_project(small, tmp_path / "small")
    corpus = load_corpus(project / "raw")
    before = snapshot(project)
    assert any(k.startswith("reports/collation/") for k in before)
    raw = project / "raw" / "allen-documents.txt"
    raw.write_bytes(raw.read_bytes().replace(b" the ", b" tbe ", 3))
    assert edition(project, "run", "--quiet").returncode == 0
    assert cleaned_ids == ["allen-documents"]
    incremental = snapshot(project)
    assert incremental != before
    assert edition(project, "run", "--quiet", "--force").returncode == 0
    assert len(cleaned_ids) == 1 + len(corpus.witnesses)  # --force cleaned every witness again
    assert snapshot(project) == incremental


def test_what_a_witness_depends_on(project):
    """The cache keys: a review file is an input of its witness only; the Russian original of a
    work is an input of its translations (detect reads its names); config and rules of every witness."""
    before = keys(project)
    (project / "review").mkdir(exist_ok=True)
    (project / "review" / "lenin-trade-unions.toml").write_text(
        '[[decision]]\nid = "c0000000000"\naction = "accept"\n', encoding="utf-8")
    after = keys(project)
    assert {w for w in before if before[w] != after[w]} == {"lenin-trade-unions"}

    ru = project / "raw" / "kollontai-ru.txt"
    ru.write_bytes(ru.read_bytes() + "\nЕщё одна строка.\n".encode("utf-8"))
    changed = keys(project)
    assert {w for w in after if after[w] != changed[w]} == {"kollontai-ru", "kollontai-en-dreadnought",
                                                            "kollontai-en-iww"}
    policy = project / "config" / "policy.toml"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    final = keys(project)
    assert all(final[w] != changed[w] for w in final)


def test_an_interrupted_run_leaves_whole_outputs_and_the_next_finishes(project, built, monkeypatch, cleaned_ids):
    for name in ("allen-documents.txt", "lenin-trade-unions.txt"):
        raw = project / "raw" / name
        raw.write_bytes(raw.read_bytes().replace(b" the ", b" tbe ", 2))
    before = snapshot(project)
    real = execute.clean_witness_task  # counts into cleaned_ids
    calls = []

    def interrupted(bundle, task):
        calls.append(task.key)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C after the first witness is done
        return real(bundle, task)

    monkeypatch.setattr(execute, "clean_witness_task", interrupted)
    r = edition(project, "run", "--quiet")
    assert r.returncode == 130
    assert snapshot(project) == before  # nothing written, nothing half-written
    assert not [p for p in project.rglob("*.tmp")]
    assert cleaned_ids == calls[:1]
    monkeypatch.setattr(execute, "clean_witness_task", real)
    cleaned_ids.clear()
    assert edition(project, "run", "--quiet").returncode == 0
    assert cleaned_ids == [calls[1]]  # the witness finished before the interruption came from the cache
    finished = snapshot(project)
    # (detect asks about "tbe", two misreadings in a print this clean being too few to fix, [detect]
    # clean_print_false_rate: the query lists record it)
    assert {k for k in finished if finished[k] != before.get(k)} >= {
        "reports/allen-documents.queries.tsv", "reports/lenin-trade-unions.queries.tsv", "reports/witnesses.json"}
    cleaned_ids.clear()
    assert edition(project, "run", "--quiet").returncode == 0 and cleaned_ids == []


def test_a_long_text_is_stored_beside_its_entry_and_read_back_the_same(built, tmp_path, monkeypatch):
    """pipeline/cache.py stores a long str or array beside the pickle (a side file, written a slice
    at a time: no whole copy of a large witness's text in memory). A real cleaned witness, with the
    threshold lowered so its raw and clean text and its change log's columns go beside, is read back
    writing the same bytes (clean text, change log, manifest entry); an entry missing a side file is
    recomputed, and a pruned cache keeps exactly the files of the entries used."""
    import pipeline.cache as cache
    from pipeline.outputs import content_bytes
    from pipeline.report.files import manifest_entry, witness_files

    monkeypatch.setattr(cache, "SIDE", 1000)
    wid = "kollontai-en-dreadnought"
    c = built.cleaned[wid]
    store = cache.RunCache(tmp_path)
    store.put("witness", "k", c)
    store.put("witness", "other", c.witness)  # a small entry: no side file
    folder = tmp_path / cache.CACHE_DIR / "witness"
    sides = sorted(p.name for p in folder.glob("k.*.side"))
    assert len(sides) >= 3  # the raw text, the clean text, the change log's numbers
    back = cache.RunCache(tmp_path).get("witness", "k")
    assert back.doc.raw == c.doc.raw and back.text == c.text and len(back.changes) == len(c.changes)
    assert {p.name: content_bytes(v) for p, v in witness_files(tmp_path, {wid: back}).items()} == \
        {p.name: content_bytes(v) for p, v in witness_files(tmp_path, {wid: c}).items()}
    assert manifest_entry(back) == manifest_entry(c)
    used = cache.RunCache(tmp_path)
    used.get("witness", "k")
    used.prune()  # "other" was not used: gone; "k" and its side files stay
    assert sorted(p.name for p in folder.iterdir()) == sorted(sides + ["k.pickle"])
    (folder / sides[0]).unlink()
    assert cache.RunCache(tmp_path).get("witness", "k") is None


def test_a_pruned_cache_keeps_the_memos_of_the_catalogues_witnesses_only(tmp_path):
    """A full run prunes the stages' memos (.edition-cache/grammar/<witness id>.marshal, ...) of
    witnesses no longer in the catalogue: the cache holds the current state only."""
    import pipeline.cache as cache
    folders = [tmp_path / cache.CACHE_DIR / kind for kind in cache.MEMOS]
    for folder in folders:
        folder.mkdir(parents=True)
        for name in ("kollontai-ru.marshal", "gone.marshal"):
            (folder / name).write_bytes(b"memo")
    cache.RunCache(tmp_path).prune()  # no catalogue given: memos kept
    assert all(len(list(folder.iterdir())) == 2 for folder in folders)
    cache.RunCache(tmp_path).prune(witnesses={"kollontai-ru"})
    assert all([p.name for p in folder.iterdir()] == ["kollontai-ru.marshal"] for folder in folders)


def test_a_full_runs_prune_removes_the_kept_values_its_code_and_inputs_no_longer_name(tmp_path, monkeypatch):
    """The user cache's kept values (cache.kept_json: the original's names, their nominatives, the name
    forms): a full run's prune removes one the project's last full run used where this run used another
    of its kind instead, and one no run has used for KEPT_DAYS; it keeps what this run used (read or
    written), a kind this run did not ask, a writer's temporary and every other file."""
    import json
    import os
    import time

    import pipeline.cache as cache
    user = tmp_path / "user"
    monkeypatch.setenv("EDITION_CACHE", str(user))
    project = tmp_path / "project"
    old = time.time() - 3600

    def kept(kind: str, what: str, mtime: float | None = old) -> str:
        name = f"{kind}-{cache.digest(what)[:24]}.json"
        (user / name).write_text("[]", encoding="utf-8")
        if mtime is not None:
            os.utime(user / name, (mtime, mtime))
        return name

    user.mkdir()
    before = kept("original-names", "old text")  # the last run's, superseded by "new text" below
    forms = kept("name-forms", "authority")  # the last run's, and no run asks the kind this time
    other = kept("nominatives", "another project's names")  # not in the list: used an hour ago
    stale = kept("nominatives", "long ago", time.time() - (cache.KEPT_DAYS + 1) * 86400)
    temporary = f".{kept('nominatives', 'being written', None)}.123.tmp"  # write_atomic's, of another process
    os.rename(user / temporary[1:-8], user / temporary)
    os.utime(user / temporary, (time.time() - 40 * 86400,) * 2)
    (user / "freq-en-wordfreq-3.1.1.tab").write_bytes(b"a table")
    (project / cache.CACHE_DIR).mkdir(parents=True)
    (project / cache.CACHE_DIR / cache.KEPT_LIST).write_text(json.dumps([before, forms]), encoding="utf-8")

    run = cache.RunCache(project)
    now = cache.kept_json("original-names", ("new text",), lambda: ["Шляпников"], lambda v: isinstance(v, list))
    assert now == ["Шляпников"]
    made = next(p.name for p in user.iterdir() if p.name.startswith("original-names") and p.name != before)
    run.prune()  # no catalogue (a partial run): the user cache is left as it is
    assert {before, forms, other, stale, made} <= {p.name for p in user.iterdir()}
    run.prune(witnesses=set())
    assert sorted(p.name for p in user.iterdir()) == sorted([temporary, "freq-en-wordfreq-3.1.1.tab", forms, other, made])
    assert json.loads((project / cache.CACHE_DIR / cache.KEPT_LIST).read_text()) == sorted([forms, made])
    # a value read is used: its time is now, and the next full run keeps it
    os.utime(user / made, (old, old))
    run = cache.RunCache(project)
    assert cache.kept_json("original-names", ("new text",), lambda: [], lambda v: isinstance(v, list)) == ["Шляпников"]
    run.prune(witnesses=set())
    assert (user / made).is_file() and (user / forms).is_file()
