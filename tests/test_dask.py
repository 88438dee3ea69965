"""Cleaning on Dask (`--scheduler local:N | tcp://HOST:PORT`): the stages run on the workers
with the resources shipped by value once, the client writes the outputs, and the outputs are
those of the plain run. One small LocalCluster (two workers, loopback, no dashboard)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.commands.execute import FileTask, bundle_of, clean_file_task, resources_of
from pipeline.context import Resources
from tests.conftest import ROOT, edition, make_project
from tests.test_run import snapshot


@pytest.fixture(autouse=True)
def forkserver():
    """The cluster's processes forked from one server that has imported distributed (as
    distributed's own test suite does) instead of each starting Python from scratch: still new
    processes, which see only what is shipped to them (3 s of CPU less over this file).
    distributed is imported here, not when the module is collected: the worker that does not
    run this file never pays its 0.9 s import."""
    pytest.importorskip("distributed")
    import dask
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        from multiprocessing import forkserver

        from distributed.utils import get_mp_context
        ctx = get_mp_context()  # sets distributed's own list of modules for the server to import
        # the server imports the stages and writers a worker's tasks run too, once: code only (no
        # project, no word table is loaded by an import)
        preloaded = getattr(getattr(forkserver, "_forkserver", None), "_preload_modules", None) or ["distributed"]
        ctx.set_forkserver_preload(list(dict.fromkeys([*preloaded, *WORKER_MODULES])))
        yield


# what a worker imports to clean a file (pipeline.commands.execute.clean_file_task)
WORKER_MODULES = ["pipeline.commands.execute", "pipeline.run", "pipeline.stages", "pipeline.config",
                  "pipeline.report.files"]


def texts(tmp_path: Path) -> list[Path]:
    """Three small plain-text files: two real witnesses (cut) and one made up."""
    folder = tmp_path / "in"
    folder.mkdir()
    out = []
    for name, size in (("allen-documents.txt", 6000), ("lenin-trade-unions.txt", 9000)):
        p = folder / name
        p.write_bytes((ROOT / "raw" / name).read_bytes()[:size].rsplit(b"\n", 1)[0] + b"\n")
        out.append(p)
    for i in range(3):  # more files than the client keeps in flight (two per worker)
        p = folder / f"scan{i}.txt"
        p.write_text(f"The Workers' Opposition and the trade uni-\nons: a rnodern view of tbe\nquestion {i}.\n",
                     encoding="utf-8")
        out.append(p)
    return out


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_shipped_bundle_gives_the_same_results_as_the_project(tmp_path):
    """A worker on another machine sees no project folder: the bundle carries config/, rules/
    and the catalogue by value, unpacked once into its temp folder."""
    res = Resources(ROOT)
    shipped = bundle_of(res, ship=True)
    assert shipped.files and any(rel == "config/pipeline.toml" for rel, _ in shipped.files)
    remote = resources_of(shipped)
    assert remote.root != ROOT and (remote.root / "config" / "policy.toml").read_bytes() == \
        (ROOT / "config" / "policy.toml").read_bytes()
    assert resources_of(shipped) is remote  # loaded once per process
    p = texts(tmp_path)[2]
    task = FileTask("scan", str(p), p.read_bytes(), "en", "auto")
    assert clean_file_task(shipped, task) == clean_file_task(bundle_of(res), task)


def test_a_task_sends_its_logs_as_their_files_bytes_unless_very_large(tmp_path, monkeypatch):
    """The worker writes out a file's change log and queries (the client only writes their bytes);
    past RENDER_LIMIT records they travel as the compact log and are written by the client: the
    same bytes either way."""
    from pipeline.commands import execute
    from pipeline.outputs import content_bytes
    p = texts(tmp_path)[2]
    task = FileTask("scan", str(p), p.read_bytes(), "en", "auto")
    text, changes, queries, _ = clean_file_task(bundle_of(Resources(ROOT)), task)
    assert isinstance(changes, bytes) and isinstance(queries, bytes)
    assert b'"rule"' in changes and queries.startswith(b"id\tline\tcol")
    monkeypatch.setattr(execute, "RENDER_LIMIT", 0)
    _, big_changes, big_queries, _ = clean_file_task(bundle_of(Resources(ROOT)), task)
    assert isinstance(big_changes, execute.Streamed) and content_bytes(big_changes) == changes
    assert content_bytes(big_queries) == queries


def test_clean_on_a_local_cluster_matches_the_plain_run(tmp_path):
    files = [str(p) for p in texts(tmp_path)]
    plain = edition(tmp_path, "clean", *files, "--lang", "en", "--out", str(tmp_path / "plain"), "--quiet")
    assert plain.returncode == 0, plain.stderr
    on_dask = edition(tmp_path, "clean", *files, "--lang", "en", "--out", str(tmp_path / "dask"), "--quiet",
                      "--scheduler", "local:2")
    assert on_dask.returncode == 0, on_dask.stderr
    assert len(outputs(tmp_path / "plain")) == 4 * len(files)  # text, change log, queries, layout
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "plain")


SMALL_WORKS = """[[work]]
id = "opposition"
pivot = "ru"

[[witness]]
id = "ru"
file = "ru.txt"
language = "ru"
work = "opposition"
role = "original"

[[witness]]
id = "en"
file = "en.txt"
language = "en"
work = "opposition"
role = "translation"

[[witness]]
id = "lenin"
file = "lenin.txt"
language = "en"
work = "lenin"
role = "original"
"""


def test_run_on_a_local_cluster_matches_the_plain_run(tmp_path):
    """`edition run --scheduler local:2`: the witnesses cleaned on two Dask workers, the client
    collating and writing: clean/ and reports/ byte for byte those of the plain run."""
    def cut(name: str, size: int) -> bytes:
        return (ROOT / "raw" / name).read_bytes()[:size].rsplit(b"\n", 1)[0] + b"\n"

    raw = {"ru.txt": cut("kollontai-ru.txt", 8000), "en.txt": cut("kollontai-en-dreadnought.txt", 6000),
           "lenin.txt": cut("lenin-trade-unions.txt", 5000)}
    plain = make_project(tmp_path / "plain", raw, SMALL_WORKS)
    on_dask = make_project(tmp_path / "dask", raw, SMALL_WORKS)
    r = edition(plain, "run", "--quiet")
    assert r.returncode == 0, r.stderr
    r = edition(on_dask, "run", "--quiet", "--scheduler", "local:2")
    assert r.returncode == 0, r.stderr
    made = snapshot(plain)
    assert {"clean/ru.txt", "clean/en.changes.jsonl", "reports/index.html"} <= set(made)
    assert any(k.startswith("reports/collation/") for k in made)
    assert snapshot(on_dask) == made


def test_a_bad_scheduler_is_one_line(tmp_path):
    f = texts(tmp_path)[2]
    for spec, problem in (("local:0", "local:N"), ("nowhere", "expected local:N or tcp://HOST:PORT")):
        r = edition(tmp_path, "clean", str(f), "--lang", "en", "--out", str(tmp_path / "o"), "--scheduler", spec)
        assert r.returncode == 2 and problem in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_lang_auto_cleans_a_mixed_library_in_one_call(tmp_path):
    """`--lang auto` (one call for English and Russian files, so a Dask run starts one cluster):
    each file cleaned as with its own --lang; a file with no letters to tell by is refused."""
    folder = tmp_path / "in"
    folder.mkdir()
    ru, en = folder / "ru.txt", folder / "en.txt"
    ru.write_bytes((ROOT / "raw" / "kollontai-ru.txt").read_bytes()[:5000].rsplit(b"\n", 1)[0] + b"\n")
    en.write_text("The Workers' Opposition and the trade uni-\nons: a rnodern view of tbe\nquestion.\n", encoding="utf-8")
    for lang, f in (("ru", ru), ("en", en)):
        r = edition(tmp_path, "clean", str(f), "--lang", lang, "--out", str(tmp_path / "apart"), "--quiet")
        assert r.returncode == 0, r.stderr
    r = edition(tmp_path, "clean", str(en), str(ru), "--lang", "auto", "--out", str(tmp_path / "auto"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert outputs(tmp_path / "auto") == outputs(tmp_path / "apart")
    assert outputs(tmp_path / "auto") != {}
    digits = folder / "table.txt"
    digits.write_text("1921 1922\n12 14\n", encoding="utf-8")
    r = edition(tmp_path, "clean", str(en), str(digits), "--lang", "auto", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "table.txt" in r.stderr and "--lang auto" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def _what_the_worker_held(bundle, task):
    """On a worker: were the run's resources loaded and frozen before this task? Its process, and
    the task's result."""
    import gc
    import os

    from pipeline.commands import execute
    held = (bundle.digest, bundle.files is None) in execute._RESOURCES and gc.get_freeze_count() > 0
    return held, os.getpid(), clean_file_task(bundle, task)


def test_workers_are_warmed_up_before_their_first_task_and_replaced_after_recycle(tmp_path, monkeypatch):
    """A worker of a local cluster starts with the resources loaded and frozen (forked from a
    warm server, or warmed by a WorkerPlugin) before it runs a task, and its nanny replaces it
    after RECYCLE tasks (here 2), so its memos cannot grow with the texts; the results are those
    of this process. With $EDITION_DASK_TRACE, the run's task stream, events and restarts are
    written out (benchmarks/dask_trace.py reads them)."""
    import json

    from pipeline.commands import execute
    monkeypatch.setattr(execute, "RECYCLE", 2)
    monkeypatch.setenv(execute.TRACE_ENV, str(tmp_path / "trace-{pid}.json"))
    tasks = [FileTask(p.stem, str(p), p.read_bytes(), "en", "auto") for p in texts(tmp_path)[2:]]
    bundle = bundle_of(Resources(ROOT), ship=True)
    with execute.Dask("local:1") as ex:
        got = dict(ex.map(_what_the_worker_held, bundle, tasks))
    assert set(got) == {t.key for t in tasks}
    pids = [got[t.key][1] for t in tasks]
    assert pids[0] == pids[1] != pids[2]
    trace = json.loads((tmp_path / f"trace-{os.getpid()}.json").read_text(encoding="utf-8"))
    assert len(trace["stream"]) == 3 and all(r["compute"] for r in trace["stream"])
    assert [r["status"] for r in trace["restarts"]] == ["OK"]
    assert any("add-worker" in e for _, e in trace["events"])
    for t in tasks:
        held, _, result = got[t.key]
        assert held, t.key
        assert result == clean_file_task(bundle, t)


def test_a_worker_that_does_not_come_back_from_its_restart_is_replaced(tmp_path, monkeypatch, capsys):
    """A recycled worker whose restart times out (seen on 200 scale books: the client then waited
    distributed's 120 s and the run failed; with a timeout of its own, the run went on with one
    worker fewer) is replaced: the local cluster closes its nanny and starts another worker, which
    takes the next tasks, with one line of warning; the results are those of a plain run. With no
    worker left at all, the client cleans the rest itself."""
    from distributed import Client

    from pipeline.commands import execute
    monkeypatch.setattr(execute, "RECYCLE", 2)
    asked = []

    def timed_out(self, workers, timeout=None, raise_for_error=True):
        asked.append((tuple(workers), timeout, raise_for_error))
        return dict.fromkeys(workers, "timed out")

    monkeypatch.setattr(Client, "restart_workers", timed_out)
    tasks = [FileTask(p.stem, str(p), p.read_bytes(), "en", "auto") for p in texts(tmp_path)[2:]]
    bundle = bundle_of(Resources(ROOT), ship=True)
    with execute.Dask("local:1") as ex:
        got = dict(ex.map(_what_the_worker_held, bundle, tasks))
        names = {info["name"] for info in ex.client.scheduler_info()["workers"].values()}
    assert asked == [(asked[0][0], execute.RESTART_TIMEOUT, False)]
    pids = [got[t.key][1] for t in tasks]
    assert pids[0] == pids[1] != pids[2] != os.getpid()
    assert names == {"0.1"}  # the lost worker's nanny closed, its replacement in its place
    assert [got[t.key][2] for t in tasks] == [clean_file_task(bundle, t) for t in tasks]
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "did not come back" in warning[0] and "in its place" in warning[0]


def test_with_no_worker_left_the_client_cleans_the_rest(tmp_path, monkeypatch, capsys):
    """A restart that times out and a replacement that never joins: the client cleans the rest."""
    from distributed import Client

    from pipeline.commands import execute
    monkeypatch.setattr(execute, "RECYCLE", 2)
    monkeypatch.setattr(Client, "restart_workers", lambda self, workers, **kw: dict.fromkeys(workers, "timed out"))
    monkeypatch.setattr(execute.Dask, "_joined", lambda self, names, wait=False: [])
    tasks = [FileTask(p.stem, str(p), p.read_bytes(), "en", "auto") for p in texts(tmp_path)[2:]]
    bundle = bundle_of(Resources(ROOT), ship=True)
    with execute.Dask("local:1") as ex:
        got = dict(ex.map(_what_the_worker_held, bundle, tasks))
    pids = [got[t.key][1] for t in tasks]
    assert pids[0] == pids[1] != os.getpid() and pids[2] == os.getpid()
    assert [got[t.key][2] for t in tasks] == [clean_file_task(bundle, t) for t in tasks]
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 2 and "did not come back" in warning[0] and "in this process" in warning[1]
