"""Shared fixtures: the real pipeline run once per test session, on a copy of the project.

    def test_x(built):          # Edition: root (a temp project with clean/ and reports/ written),
        ...                     #   corpus, resources, cleaned (witness id -> pipeline.run.Cleaned)
    def test_y(cleaned): ...    # just the cleaned witnesses of that run
    def test_r(resources): ...  # the project's config and rules (no run needed: never waits for it)
    def test_z(tmp_path):       # a test that changes a project makes its own: make_project(tmp_path)
    def test_s(small, tmp_path):  # ... or copies `small` (every witness cut to 20,000 bytes, run once)
    def test_g(generic): ...    # resources for a generated text's made-up witness ("gen")
    def test_k(kollontai_collation): ...  # the Kollontai work collated again (and its CPU time)

`built`, `small` and `hostile` are read-only for tests: never write into them. Under
pytest-xdist (`make test`) each is made once for the whole session: the first worker to ask
builds it, under a file lock in the folder the workers share, and the others read its results
(`_once`). Make a test do no more than it checks: share these rather than run again.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest

from pipeline.cli import main
from pipeline.commands.run import build_edition
from pipeline.context import Context, Resources
from pipeline.model import Witness
from pipeline.rules import load_rule_file
from pipeline.run import Cleaned
from pipeline.witnesses import Corpus, load_corpus

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@dataclass
class Edition:
    root: Path
    corpus: Corpus
    resources: Resources
    cleaned: dict[str, Cleaned]
    files: dict[Path, str]


def _once(tmp_path_factory, name: str, make):
    """`make(folder)` run once per test session, whichever pytest-xdist worker asks first.

    The first worker runs it under a lock in the folder the workers share (the parent of each
    worker's basetemp, as pytest-xdist documents) and stores its picklable result; the others
    wait for the lock and read that result. Without xdist: simply run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    if worker is None:
        return make(base / name)
    import fcntl
    shared = base.parent / name
    result = base.parent / f"{name}.pickle"
    with open(base.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if result.exists():
            return pickle.loads(result.read_bytes())
        value = make(shared)
        result.with_suffix(".part").write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        result.with_suffix(".part").rename(result)
        return value


def _build(root: Path):
    make_project(root)
    if (ROOT / "review").exists():
        shutil.copytree(ROOT / "review", root / "review")
    cleaned, files = build_edition(root)
    return root, cleaned, files


@pytest.fixture(scope="session")
def resources(tmp_path_factory) -> Resources:
    """The project's shared resources (config, rules, word lists, lexicons) on a copy of the
    project: what the stages read, without waiting for the session's run."""
    root = make_project(tmp_path_factory.mktemp("resources"))
    if (ROOT / "review").exists():
        shutil.copytree(ROOT / "review", root / "review")
    return Resources(root)


def en_context(resources: Resources, wid: str = "lenin-trade-unions", **detect_policy) -> Context:
    """A stage context for an English text as the witness `wid` (Lenin's: the project's policy
    for an English original), with [detect] settings overridden by `detect_policy`."""
    w = Witness(id=wid, file="x.txt", language="en", work="lenin-trade-unions", role="original")
    ctx = Context(w, resources, resources.policy(w))
    if detect_policy:
        import copy
        ctx.policy = copy.deepcopy(ctx.policy)
        ctx.policy.setdefault("detect", {}).update(detect_policy)
    return ctx


def refused(load, path: Path, cases) -> None:
    """A data file's maintainer slips: for each (file text, pattern), `load(path)` of a file with that text
    raises EditionError whose one line matches the pattern."""
    from pipeline.errors import EditionError
    for text, pattern in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(EditionError, match=pattern):
            load(path)


@pytest.fixture(scope="session")
def generic(resources) -> Resources:
    """The project's resources as a witness outside its catalogue sees them (the generated
    texts of test_fuzz and test_properties: ids such as "gen"): the rules scoped to the
    catalogue's witnesses, which never apply to such a witness, left out; every rule of a
    language or "*" kept. The same results as `resources` for such a witness (compared on
    test_fuzz's 2,000 inputs: text, change log, queries), without the rules stage sifting
    the project's 144 witness rules on every call (a fifth of a small text's cleaning)."""
    res = Resources(resources.root)  # the same project; the rules as validated once for `resources`
    languages = set(get_args(Witness.model_fields["language"].annotation))
    res.__dict__["rules"] = [r for r in resources.rules if set(r.spec.scope) & {"*", *languages}]  # a cached_property
    return res


@pytest.fixture(scope="session")
def built(tmp_path_factory, resources) -> Edition:
    """`edition run --quiet` on a copy of the project (raw, config, rules, review), in-process,
    once per session (shared by the xdist workers: see _once)."""
    root, cleaned, files = _once(tmp_path_factory, "edition", _build)
    edition = Edition(root, load_corpus(root / "raw"), resources, cleaned, files)
    gc.collect()
    gc.freeze()  # the session's run lives to the end: later garbage collections need not walk it again
    return edition


KOLLONTAI = "kollontai-workers-opposition"
COLLATE_FAST = 2.0  # CPU seconds to collate the Kollontai work (three witnesses): test_collate_pivot's bound


def _collate_kollontai(built: Edition):
    from pipeline.collate import collate_work, witness_texts
    work = built.corpus.work(KOLLONTAI)
    wits = witness_texts(built.root, built.corpus.members(KOLLONTAI), {})  # the session run's clean texts
    authority = built.resources.authority  # loaded once per run, as in `edition run`
    best = float("inf")
    gc.collect()
    gc.freeze()  # the objects earlier tests left are not the collation's: its GC passes skip them
    try:
        for _ in range(3):  # CPU time, best of three (the machine may be shared): the next only if needed
            t = time.process_time()
            col = collate_work(work.id, work.title, work.pivot, wits, authority)
            best = min(best, time.process_time() - t)
            if best < COLLATE_FAST:
                break
    finally:  # what lives on (the session's run, this collation) frozen again, as `built` left it
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return col, best


@pytest.fixture(scope="session")
def kollontai_collation(tmp_path_factory, built):
    """(collation, CPU seconds): the Kollontai work collated again from the clean texts of the
    session's run (what the code makes now), timed; once per session for both workers.
    test_collate_pivot times and reads it; test_collate_excerpts reads it and compares its
    reports, byte for byte, with those the session's run wrote."""
    return _once(tmp_path_factory, "kollontai-collation", lambda _: _collate_kollontai(built))


@pytest.fixture(scope="session")
def corpus(built):
    return built.corpus


@pytest.fixture(scope="session")
def cleaned(built):
    """Every witness cleaned by the real pipeline (that run's results, in memory)."""
    return built.cleaned


@pytest.fixture(scope="session")
def paragraphs(cleaned):
    return {wid: [p for p in c.text.split("\n") if p.strip()] for wid, c in cleaned.items()}


# The test files that take longest, longest first (CPU seconds measured on this machine, with
# the processes a file starts: Chromium and Playwright's driver for the browser files, the Dask
# cluster's processes for test_dask, jing for test_collate_excerpts). `make test` hands whole
# files to two xdist workers in this order (--dist loadfile --no-loadscope-reorder), so the long
# ones start first and the short ones even out the end. The two browser files are one unit of
# work (pytest_xdist_make_scheduler below): one worker starts Chromium, once. test_fuzz follows:
# it needs no session run, so the second worker works while the first builds it. Files not
# listed follow in their usual order.
LONGEST_FIRST = ["test_browser.py", "test_browser_review.py", "test_fuzz.py", "test_collate_excerpts.py",
                 "test_dask.py", "test_properties.py", "test_run.py", "test_bad_input.py", "test_review.py",
                 "test_collate_pivot.py", "test_incremental.py", "test_cleanup.py", "test_rules.py",
                 "test_layout_typeset.py", "test_detect.py", "test_faults.py", "test_word_index.py", "test_collate.py",
                 "test_parking.py", "test_correct.py", "test_report.py"]
BROWSER_FILES = ("test_browser.py", "test_browser_review.py")


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile with the browser files as one unit: a worker that took one file by itself
    when the other took the other started a second Chromium and Playwright driver (a second of
    CPU), which happened whenever test_browser.py ended before the other worker's file did."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "browser" if scope.rsplit("/", 1)[-1] in BROWSER_FILES else scope

    return BrowserTogether(config, log)


# Python collects its youngest generation every 700 net allocations, and each collection that
# reaches the oldest walks every object alive: the lexicons, the session's run and each module's
# collations (the explicit gc.freeze() calls above keep the largest out of it). The pipeline's
# tests allocate millions of objects that live for one call: with these thresholds the collector
# runs a hundred times less often and spends half the CPU (2.5 s -> 1.2 s measured over
# test_properties, test_layout_typeset, test_fuzz and test_collate_excerpts; the same peak memory).
# Garbage in cycles is still collected; only later.
GC_THRESHOLDS = (50_000, 20, 100)


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_modifyitems(items):
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's tests keep their order


HOSTILE_RAW = ('Title <script>alert("x")</script> & "quotes" \'single\'\n\n'
               'A line with <img src=x onerror="window.__pwned=1"> and &amp; and &lt;b&gt;\n'
               'control \x07 bell, \x1b escape, \x0b vtab, \u202e RTL override\u202c, \x7f del.\n'
               '</script><script>window.__pwned=2</script> <!-- comment --> ]]> {{ 1+1 }}\n'
               'Astral \U0001d504\U0001d505 math and emoji \U0001f600 then more text here\n'
               'for a second line to be joined, and an opposi-\ntion hyphen.\n')
HOSTILE_TOML = '''[[witness]]
id = "hostile"
file = "hostile.txt"
language = "en"
work = "hostile"
role = "original"
title = "<b>bold</b> & \\"q\\" <script>window.__pwned=3</script>"

[[witness]]
id = "plain"
file = "plain.txt"
language = "en"
work = "plain"
role = "original"
'''


def _build_hostile(root: Path) -> Path:
    make_project(root, {"hostile.txt": HOSTILE_RAW.encode("utf-8"), "plain.txt": b"A clean line.\n"}, HOSTILE_TOML)
    # each of detect's doubts its own query: the markup is odd marks and lone letters from end to end, which
    # doubts close together would make one query over every line (a review test answers a query and
    # accepts a change elsewhere)
    with (root / "config" / "policy.toml").open("a", encoding="utf-8") as f:
        f.write("\n[witness.hostile.detect]\nmerge_gap = -1\n")
    r = edition(root, "run", "--quiet")
    assert r.returncode == 0, r.stderr
    return root


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Path:
    """A project with a witness full of markup, entities, quotes and control characters, and
    one that needs no change at all, after `edition run` (the command, in-process: a new
    process, ~1 s of CPU to import the pipeline and load its tables again, is what
    test_faults' run killed at its third rename starts; once per session). Read-only: a test
    that writes into it copies it first (copy_project)."""
    return _once(tmp_path_factory, "hostile", _build_hostile)


SMALL_BYTES = 20_000


def _build_small(root: Path) -> Path:
    make_project(root)
    for w in load_corpus(root / "raw").witnesses:
        raw = root / "raw" / w.file
        raw.write_bytes(raw.read_bytes()[:SMALL_BYTES].rsplit(b"\n", 1)[0] + b"\n")
    r = edition(root, "run", "--quiet")
    assert r.returncode == 0, r.stderr
    return root


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Path:
    """The project (config, rules, every witness and work) with each raw file cut to its first
    20,000 bytes at a line end, after `edition run` (in-process; once per session): for a test
    that changes a witness and runs again, where re-cleaning and re-collating the whole corpus
    would cost more than the rest of its file. Read-only: copy_project() it."""
    return _once(tmp_path_factory, "small", _build_small)


def copy_project(src: Path, dst: Path) -> Path:
    """A copy of a project after its run (raw, config, rules, review, clean/, reports/), to change."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


def make_project(tmp: Path, raw_files: dict[str, bytes] | None = None, witnesses_toml: str | None = None) -> Path:
    """A throw-away project: the real config and rules, and the given raw files.

    With raw files of its own, the project keeps only what fits its witnesses: the policy
    without [witness.*] tables, the rule files whose scopes are languages or "*" (a table
    or a rule for a witness the project lacks is an error in `edition run`)."""
    own = raw_files is not None or witnesses_toml is not None
    for sub in ("config", "rules"):
        if (ROOT / sub).exists():
            shutil.copytree(ROOT / sub, tmp / sub)
    (tmp / "raw").mkdir()
    if raw_files is None:
        shutil.copytree(ROOT / "raw", tmp / "raw", dirs_exist_ok=True)
    else:
        for name, data in raw_files.items():
            (tmp / "raw" / name).write_bytes(data)
    if witnesses_toml is not None:
        (tmp / "raw" / "witnesses.toml").write_text(witnesses_toml, encoding="utf-8")
    if own:
        policy = tmp / "config" / "policy.toml"
        if policy.exists():
            policy.write_text(_without_witness_tables(policy.read_text(encoding="utf-8")), encoding="utf-8")
        for f in (tmp / "rules").glob("*.toml"):
            if f.name != "names.toml" and _scoped_to_witnesses(f.name, f.read_text(encoding="utf-8")):
                f.unlink()
    return tmp


@functools.lru_cache(maxsize=None)
def _scoped_to_witnesses(name: str, text: str) -> bool:
    """Whether a rule file has a rule scoped to a witness (read once per file and content:
    validating a rule file runs its examples, and many tests make a project)."""
    return any(set(r.spec.scope) - {"*", "en", "ru"} for r in load_rule_file(ROOT / "rules" / name, text))


def _without_witness_tables(text: str) -> str:
    out, keep = [], True
    for line in text.splitlines(keepends=True):
        m = re.match(r"^\s*\[([^\[\]]+)\]", line)
        if m:
            keep = not m.group(1).strip().startswith("witness.")
        if keep:
            out.append(line)
    return "".join(out)


def edition(root: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the `edition` command on a project folder as a user would: its main(), with its exit
    code, stdout and stderr, in this process (the lexicons stay loaded between runs).
    edition_process() runs it as a new process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--root", str(root), *args])
        except SystemExit as exc:  # argparse: a usage error
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["edition", *args], code, out.getvalue(), err.getvalue())


def edition_process(root: Path, *args: str, timeout: int = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m pipeline` in a new process (`env`: its environment, if not this one's)."""
    return subprocess.run([sys.executable, "-m", "pipeline", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def changes_of(root: Path, wid: str) -> list[dict]:
    """A witness's change log, read back from clean/<id>.changes.jsonl."""
    text = (root / "clean" / f"{wid}.changes.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# -- the browser (tests/test_browser*.py) ----------------------------------------------------
# Headless Chromium (installed by `make browser`, which `make test` depends on) driven by
# Playwright. One browser and one page per test process: starting Chromium, a
# browser context and a page's renderer costs more CPU than most browser tests themselves.
# Each test still starts clean: the page's storage (the decisions a page keeps in localStorage)
# is cleared for every origin the test visited, and the page left blank, before the next test.

# Debian's chromium-headless-shell where installed (`make browser` installs it): the same Blink
# and V8 without the full browser's UI processes, as Playwright itself runs headless tests
# (a fifth less CPU over the browser tests); else Debian's chromium.
CHROMIUM = next((p for p in (Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium")) if p.exists()),
                Path("/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_page():
    """This process's browser context and its one page (a new one if a test closed it)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ctx = b.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
        yield {"context": ctx, "page": _new_page(ctx)}
        ctx.close()
        b.close()


def _new_page(ctx):
    pg = ctx.new_page()
    pg.errors, pg.dialogs, pg.origins = [], [], set()
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.accept()
    pg.on("dialog", on_dialog)
    pg.on("framenavigated", lambda f: pg.origins.add(_origin(f.url)) if f == pg.main_frame else None)
    return pg


def _origin(url: str) -> str:
    if url.startswith("file:"):
        return "file://"
    parts = url.split("/")
    return "/".join(parts[:3]) if len(parts) >= 3 and parts[0].startswith("http") else ""


@pytest.fixture
def page(browser_page):
    """The page, blank and with empty storage; after the test, no script error on it."""
    ctx = browser_page["context"]
    if browser_page["page"].is_closed():
        browser_page["page"] = _new_page(ctx)
    pg = browser_page["page"]
    pg.errors.clear()
    pg.dialogs.clear()
    pg.origins.clear()
    yield pg
    try:
        if not pg.is_closed():
            pg.goto("about:blank")
            cdp = ctx.new_cdp_session(pg)
            for origin in pg.origins - {""}:
                cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
            cdp.detach()
    finally:
        assert not pg.errors, pg.errors


@pytest.fixture
def served(built, tmp_path):
    """A copy of the session's project behind `edition serve` (127.0.0.1, any free port)."""
    import threading
    from pipeline.commands.serve import make_server
    root = copy_project(built.root, tmp_path / "served")
    server = make_server(root, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
