"""`edition run` end to end on the real corpus, in a throw-away copy of the project."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, edition, make_project

CHECKER = ROOT.parent / "shared" / "tools" / "check_contract.py"


def snapshot(root: Path) -> dict[str, str]:
    out = {}
    for sub in ("clean", "reports"):
        for p in sorted((root / sub).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def project(built):
    """The session's run of the real pipeline (read-only)."""
    return built.root


def test_contract_holds(project):
    if not CHECKER.exists():
        pytest.skip("../shared/tools/check_contract.py not present")
    proc = subprocess.run([sys.executable, str(CHECKER), str(project)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "0 problems" in proc.stdout


_COLLATED: dict = {}  # name -> (the file each collating process writes its id into, the real function)


def _logged(name: str, *args, **kwargs):
    import os
    where, real = _COLLATED[name]
    with open(where, "a") as f:  # the process, and the witnesses whose texts it was sent
        f.write(f"{os.getpid()} {','.join(sorted(args[4]))}\n")
    return real(*args, **kwargs)


def _logged_collation(*args, **kwargs):  # in a worker
    return _logged("collation_task", *args, **kwargs)


def _logged_collate(*args, **kwargs):  # in this process
    return _logged("collate_task", *args, **kwargs)


def test_the_command_in_another_folder_gives_the_same_bytes(project, tmp_path, monkeypatch):
    """`edition run` (the command, in another folder) writes exactly what the session's run
    wrote: deterministic, and no absolute path or time in any output. (test_faults runs the
    command in a new process.) The session's run cleaned every
    witness in one process; this one, as a first run on two cores does, cleans the pivot here
    and the other witnesses in a forked worker, which then collates the work while this process
    makes the witnesses' outputs: the same bytes. The worker is sent the pivot's text as soon as
    only the stages that ask are left to run on it (grammar, punctuation), and collates with the
    texts it cleaned itself."""
    import os
    import pipeline.commands.run as run_command
    monkeypatch.setattr(run_command, "_CLEANED_HERE", False)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 2)
    shares = []
    real = run_command._share
    monkeypatch.setattr(run_command, "_share", lambda *a: shares.append(real(*a)) or shares[-1])
    where = tmp_path / "collated-in"  # the process ids that collated (a worker's are not in this one's memory)
    for name, logged in (("collation_task", _logged_collation), ("collate_task", _logged_collate)):
        monkeypatch.setitem(_COLLATED, name, (where, getattr(run_command, name)))
        monkeypatch.setattr(run_command, name, logged)
    other = make_project(tmp_path / "project")
    if (ROOT / "review").exists():
        shutil.copytree(ROOT / "review", other / "review")
    proc = edition(other, "run", "--quiet")
    assert proc.returncode == 0, proc.stderr
    here, there, workers = shares[0]
    assert workers == 1 and "kollontai-ru" in here and "kollontai-en-dreadnought" in there
    pid, sent = where.read_text().split()
    assert pid != str(os.getpid())  # the work was collated in the worker
    assert sent == "kollontai-ru"  # sent early: the translations' texts were the worker's own
    first = snapshot(project)
    assert snapshot(other) == first
    assert any(k.startswith("reports/collation/") for k in first)


def test_committed_outputs_match_a_fresh_run(project):
    """clean/ and reports/ in the repository are what `make run` makes now."""
    fresh = snapshot(project)
    committed = snapshot(ROOT)
    stale = sorted(k for k in fresh if committed.get(k) != fresh[k])
    extra = sorted(k for k in committed if k not in fresh)
    assert stale == [] and extra == [], f"regenerate with `make run`: {stale[:5]} {extra[:5]}"


def test_raw_untouched_by_a_run(project):
    for p in (ROOT / "raw").iterdir():
        assert (project / "raw" / p.name).read_bytes() == p.read_bytes()


def test_wordfreq_figures_read_from_the_lexicon_table_are_wordfreqs():
    """The grammar stage reads wordfreq's Zipf figures and commonest words from the lexicon's
    memory-mapped table (pipeline.context), not from wordfreq's own 138 MB dict: the same
    figures, digits, hyphens, several tokens and unknown words included."""
    wordfreq = pytest.importorskip("wordfreq")
    from pipeline.lexicon import top_words, wordfreq_zipf
    top = wordfreq.top_n_list("ru", 20_000)
    assert top_words("ru", 20_000) == top
    words = top[::40] + [w[:-1] for w in top[::200]] + ["слово123", "12", "три-четыре", "Москва", "не знаю", "",
                                                        "—", "x1y", "ёлка", "интернационалистами"]
    assert [wordfreq_zipf(w, "ru") for w in words] == [wordfreq.zipf_frequency(w, "ru") for w in words]
    assert wordfreq_zipf("the", "en") == wordfreq.zipf_frequency("the", "en") > 7


def test_a_first_run_shares_the_cleaning_with_workers_only_where_it_pays(built, monkeypatch):
    """Workers clean beside this process on two cores or more, in a process that has not
    cleaned before (its word lists are not loaded yet), when they get enough text; this process
    keeps the pivots of the works to collate, then witnesses no collation reads, up to its share;
    the workers clean the rest and collate (their share counts it)."""
    import pipeline.commands.run as run_command
    corpus = built.corpus
    size = {w.id: len(built.cleaned[w.id].doc.raw) for w in corpus.witnesses}
    todo = sorted(size, key=lambda wid: -size[wid])
    monkeypatch.setattr(run_command, "_CLEANED_HERE", False)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 2)
    here, there, workers = run_command._share(corpus, todo, size)
    assert here == ["kollontai-ru", "lenin-trade-unions", "allen-documents"] and workers == 1
    assert there == ["kollontai-en-dreadnought", "kollontai-en-iww"] and sorted(here + there) == sorted(todo)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 8)  # a worker per witness at most
    assert run_command._share(corpus, todo, size)[2] == len(todo) - 1
    small = {wid: 100 for wid in todo}  # too little to clean for a worker to pay
    assert run_command._share(corpus, todo, small) == (todo, [], 0)
    assert run_command._share(corpus, todo[:1], size) == (todo[:1], [], 0)  # one witness: here
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 1)
    assert run_command._share(corpus, todo, size) == (todo, [], 0)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(run_command, "_CLEANED_HERE", True)  # its word lists are loaded: alone
    assert run_command._share(corpus, todo, size) == (todo, [], 0)


def test_jobs_zero_is_the_commands_own_choice_only_where_it_has_one():
    """--jobs 0: `edition run` and `edition clean ID` choose (_share); `edition clean FILE...`
    has no such choice and cleans here (a pool of 0 processes was an internal error)."""
    import argparse

    import pipeline.commands.run as run_command
    zero = argparse.Namespace(jobs=0)
    assert run_command._jobs(zero, own_choice=True) == 0 and run_command._jobs(zero) == 1
    assert run_command._jobs(argparse.Namespace(jobs=-1)) == (run_command.os.cpu_count() or 1)
    assert run_command._jobs(argparse.Namespace(jobs=3)) == 3


def test_an_error_met_in_a_worker_stops_the_run_with_one_line(tmp_path, monkeypatch):
    """Bad input found while a forked worker cleans its witness (here a stage's own check,
    made to fail for that witness): the same one-line error as in one process (exit 2, the
    file named), and nothing written."""
    import pipeline.commands.run as run_command
    import pipeline.run
    from pipeline.errors import EditionError
    monkeypatch.setattr(run_command, "_CLEANED_HERE", False)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(run_command, "AUTO_MIN", 0)  # two small witnesses: one here, one in a worker
    shares = []
    real_share, real_clean = run_command._share, pipeline.run.clean_witness
    monkeypatch.setattr(run_command, "_share", lambda *a: shares.append(real_share(*a)) or shares[-1])

    def clean(raw, w, *args, **kwargs):  # the worker is forked from this process: it runs this too
        if w.id == "kollontai-en-iww":
            raise EditionError(f"raw/{w.file}", "the clean text would break the output format: a test", line=3)
        return real_clean(raw, w, *args, **kwargs)
    monkeypatch.setattr(pipeline.run, "clean_witness", clean)
    root = make_project(tmp_path)
    r = edition(root, "run", "--quiet", "--only", "kollontai-en-iww", "allen-documents", "--no-collate")
    assert shares[0] == (["allen-documents"], ["kollontai-en-iww"], 1)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == "edition: error: raw/kollontai-en-iww.txt:3: the clean text would break the output " \
        "format: a test", r.stderr
    assert not (root / "clean").exists()  # nothing half-written


def test_the_clean_text_is_told_once_only_stages_that_ask_are_left(built, monkeypatch):
    """clean_witness tells `on_text` the witness's clean text before the last stages run, once
    every stage left declares no edit kinds (grammar, punctuation: they only ask): the text the
    cleaning then ends with. Not told where a review decision changes the text after the stages."""
    import dataclasses

    from pipeline.config import stages_of
    from pipeline.review import Decisions
    from pipeline.run import clean_witness
    from pipeline.sources import read_witness
    events = []

    def logged(st):
        return dataclasses.replace(st, run=lambda text, ctx: events.append(st.name) or st.run(text, ctx))
    monkeypatch.setitem(built.resources.__dict__, "_stages",  # the resources' validated stages, grammar logged
                        [logged(st) if st.name == "grammar" else st for st in stages_of(built.resources)])
    raw, encoding, _ = read_witness(built.root, built.corpus, "kollontai-en-iww")
    w = built.corpus.get("kollontai-en-iww")
    c = clean_witness(raw, w, built.resources, facts={"encoding": encoding}, on_text=events.append)
    assert events == [c.text, "grammar"] and c.text == built.cleaned[w.id].text
    events.clear()
    resolved = Decisions(resolved={"no-such-query": "x"})  # a reading written after the stages: not told
    clean_witness(raw, w, built.resources, resolved, facts={"encoding": encoding}, on_text=events.append)
    assert events == ["grammar"]


@pytest.mark.parametrize("stage,char", [("rules", "\x01"), ("grammar", "\ufffe")])
def test_a_stage_that_writes_a_character_no_clean_text_holds_is_named(built, monkeypatch, stage, char):
    """After decode, each stage's output is checked through what its edits write: a control
    character or noncharacter a later stage writes (one that edits, one declared to only ask)
    is a one-line error naming the stage and the clean line, as a check of the whole text gave."""
    import dataclasses

    from pipeline.config import stages_of
    from pipeline.errors import EditionError
    from pipeline.model import Edit, StageResult
    from pipeline.run import clean_witness
    from pipeline.sources import read_witness

    def writing(st):
        def run(text, ctx):
            got = st.run(text, ctx)
            at = text.index("\n\n") + 2  # the second paragraph's start: clean line 3
            return StageResult(got.edits + [Edit(at, at, char, "test.char", "punct")], got.queries)
        return dataclasses.replace(st, run=run)
    monkeypatch.setitem(built.resources.__dict__, "_stages",
                        [writing(st) if st.name == stage else st for st in stages_of(built.resources)])
    raw, encoding, _ = read_witness(built.root, built.corpus, "kollontai-en-iww")
    w = built.corpus.get("kollontai-en-iww")
    with pytest.raises(EditionError) as err:
        clean_witness(raw, w, built.resources, facts={"encoding": encoding})
    assert f"stage {stage!r} left" in str(err.value) and "clean line 3" in str(err.value), str(err.value)


def test_a_stage_that_asks_but_edits_after_all_has_the_work_collated_again(tmp_path, monkeypatch):
    """The pivot's text is sent to the worker early, once only stages declaring no edit kinds
    are left; one that edits all the same (a stage written against its declaration) makes the
    collation of the text told stale: the work is collated again from the final text, and the
    outputs are those of a run in one process."""
    import dataclasses

    import pipeline.commands.run as run_command
    import pipeline.stages as stages
    from pipeline.model import Edit, StageResult
    real = stages.get("punctuation")

    def punctuation(text, ctx):  # declares no edit kinds, edits the pivot
        got = real.run(text, ctx)
        at = text.find(" оппозиции ") if ctx.witness.id == "kollontai-ru" else -1
        if at < 0:
            return got
        return StageResult([Edit(at + 1, at + 10, "оппозиция", "punctuation.test", "punct")], got.queries)
    monkeypatch.setitem(stages.REGISTRY, "punctuation", dataclasses.replace(real, run=punctuation))
    # a work of two: the first pages of the pivot and of the Dreadnought (the whole corpus twice cost 10 s)
    def opening(name: str, lines: int) -> bytes:
        return b"".join((ROOT / "raw" / name).read_bytes().splitlines(keepends=True)[:lines])
    # 40 kB for the worker: above AUTO_MIN, so the run still forks one
    raw = {"kollontai-ru.txt": opening("kollontai-ru.txt", 400),
           "kollontai-en-dreadnought.txt": opening("kollontai-en-dreadnought.txt", 500)}
    catalogue = "".join(
        f'[[witness]]\nid = "{id}"\nfile = "{id}.txt"\nlanguage = "{lang}"\nwork = "w"\nrole = "{role}"\n\n'
        for id, lang, role in (("kollontai-ru", "ru", "original"), ("kollontai-en-dreadnought", "en", "translation")))
    catalogue = '[[work]]\nid = "w"\ntitle = "w"\npivot = "kollontai-ru"\n\n' + catalogue
    alone = make_project(tmp_path / "alone", raw, catalogue)
    assert edition(alone, "run", "--quiet", "--jobs", "1").returncode == 0
    monkeypatch.setattr(run_command, "_CLEANED_HERE", False)
    monkeypatch.setattr(run_command.os, "cpu_count", lambda: 2)
    where = tmp_path / "collated-in"
    for name, logged in (("collation_task", _logged_collation), ("collate_task", _logged_collate)):
        monkeypatch.setitem(_COLLATED, name, (where, getattr(run_command, name)))
        monkeypatch.setattr(run_command, name, logged)
    shared = make_project(tmp_path / "shared", raw, catalogue)
    proc = edition(shared, "run", "--quiet")
    assert proc.returncode == 0, proc.stderr
    # the text told, then the final one: collated again in the worker, or here if the worker had not
    # started it when this process asked (its queue held the stale collation's reports)
    assert len(where.read_text().splitlines()) == 2
    assert "оппозиция" in (shared / "clean" / "kollontai-ru.txt").read_text(encoding="utf-8")
    assert snapshot(shared) == snapshot(alone)


def test_a_small_run_runs_without_the_cycle_collector_and_leaves_it_as_it_was():
    """`edition run` on raw texts under NO_COLLECTIONS bytes pauses the collector; afterwards it
    is enabled with its thresholds as before, and a cycle made meanwhile is still collected (what
    the run made is not frozen for good); a larger run keeps it running."""
    import gc
    import weakref

    from pipeline.commands.run import NO_COLLECTIONS, few_collections

    class Node:
        pass
    before = gc.get_threshold()
    with few_collections(NO_COLLECTIONS - 1):
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        gone = weakref.ref(a)
        del a, b
    assert gc.isenabled() and gc.get_threshold() == before
    assert gone() is not None
    gc.collect()
    assert gone() is None
    with few_collections(NO_COLLECTIONS):
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_threshold() == before
