"""Faults during the write phase: an edition on disk is always the old one or the new one, whole.

`pipeline.outputs.write_files` stages every output, writes a journal (the commit point) and
renames; a process killed anywhere leaves either the old edition and temporaries (the next
command removes them) or a committed journal (the next command finishes the renames). These
tests kill a real writer (a forked process, SIGKILL) before every staged file and every rename
and check the contract (../shared/tools/check_contract.py) after the next command.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import signal
import sys
from pathlib import Path

import pytest

from pipeline import outputs
from pipeline.commands import run as run_command
from pipeline.errors import EditionError
from tests.conftest import SHARED, edition, edition_process, make_project

TOML = """[[witness]]
id = "a"
file = "a.txt"
language = "en"
work = "w"
role = "original"

[[witness]]
id = "b"
file = "b.txt"
language = "en"
work = "w"
role = "translation"
"""
A = (b"During the summer, the apportion did not assert it-\nself. Nothing was heard of it.\n\n"
     b"The Ninth Congress of the party was held in the spring of 1920.\n")
B = (b"During the summer the opposition did not assert itself.\nNothing was heard of it.\n\n"
     b"The Ninth Congress was held in the spring of 1920.\n")
RULE = """[[rule]]
id = "t.ninth"
match = "Ninth"
replacement = "NINTH"
scope = ["a"]
kind = "case"
note = "a change that makes a second edition differ from the first"
must_change = ["The Ninth Congress => The NINTH Congress"]
must_not_change = ["ninth"]
"""


def _contract_tool():
    spec = importlib.util.spec_from_file_location("check_contract", SHARED / "tools" / "check_contract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONTRACT = _contract_tool()


def check_contract(root: Path) -> list[str]:
    """The problems ../shared/tools/check_contract.py finds (run in this process: it is called often)."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["check_contract.py", str(root)]
    try:
        with contextlib.redirect_stdout(out):
            code = CONTRACT.main()
    finally:
        sys.argv = argv
    return [ln for ln in out.getvalue().splitlines() if not ln.startswith("contract:")] if code else []


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(outputs.TMP_SUFFIX) or p.name == outputs.JOURNAL]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for d in ("clean", "reports") for p in sorted((root / d).rglob("*"))
            if p.is_file()}


def killed_writer(files: dict[Path, outputs.Content], step: str, at: int) -> int:
    """write_files(files) in a forked process SIGKILLed before item *at* of *step*; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            def hook(s: str, n: int) -> None:
                if s == step and n == at:
                    os.kill(os.getpid(), signal.SIGKILL)
            outputs.fault_hook = hook
            outputs.write_files(files)
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory):
    """A small project after a first run, and the files a second run (with one more rule) writes."""
    root = make_project(tmp_path_factory.mktemp("faults"), {"a.txt": A, "b.txt": B}, TOML)
    run_command.build_edition(root)
    old = snapshot(root)
    (root / "rules" / "zz-test.toml").write_text(RULE, encoding="utf-8")
    captured: dict[Path, outputs.Content] = {}
    real = outputs.write_files  # build_edition imports it when it runs
    outputs.write_files = captured.update
    try:
        run_command.build_edition(root)
    finally:
        outputs.write_files = real
    # a large output is a writer that makes its text as it is written (pipeline.outputs.Content)
    assert any(callable(c) for c in captured.values())
    new = {str(p.relative_to(root)): outputs.content_bytes(c) for p, c in captured.items()}
    assert any(old.get(k) != v for k, v in new.items()), "the second edition must differ from the first"
    assert not check_contract(root)
    # the check can fail: the new clean text beside the old change log is what a torn write looks like
    (root / "clean" / "a.txt").write_bytes(new["clean/a.txt"])
    assert check_contract(root)
    (root / "clean" / "a.txt").write_bytes(old["clean/a.txt"])
    return root, old, captured, new


@pytest.mark.parametrize("step", ["stage", "rename"])
def test_kill_at_every_step_of_the_write_leaves_one_whole_edition(two_editions, step):
    root, old, files, new = two_editions
    for at in range(len(files)):
        status = killed_writer(files, step, at)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        # a reader: any edition command first finishes (or undoes) the interrupted write
        proc = edition(root, "report", "--json")
        assert proc.returncode == 0, proc.stderr
        assert not leftovers(root), (step, at, leftovers(root))
        assert not check_contract(root), (step, at, check_contract(root))
        now = snapshot(root)
        expected = old if step == "stage" else {**old, **new}
        assert now == expected, (step, at, [k for k in set(now) | set(expected) if now.get(k) != expected.get(k)])
        outputs.write_files({root / k: v for k, v in old.items()})  # back to the first edition
        assert snapshot(root) == old


def test_a_real_run_killed_mid_rename_is_finished_by_the_next_command(two_editions, tmp_path):
    """`edition run` in its own process, SIGKILLed at its third rename (EDITION_FAULT_RENAME)."""
    root, old, files, new = two_editions
    env = {**os.environ, "EDITION_FAULT_RENAME": "2"}
    proc = edition_process(root, "run", "--quiet", env=env)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (root / outputs.JOURNAL).exists()  # committed, not yet switched: the next command finishes it
    proc = edition(root, "report")
    assert proc.returncode == 0, proc.stderr
    assert not leftovers(root)
    assert not check_contract(root)
    assert snapshot(root) == {**old, **new}
    outputs.write_files({root / k: v for k, v in old.items()})


def test_interrupt_before_the_commit_point_changes_nothing_and_says_so(two_editions, monkeypatch):
    root, old, files, new = two_editions

    def ctrl_c(step: str, n: int) -> None:
        if step == "stage" and n == 3:
            raise KeyboardInterrupt
    monkeypatch.setattr(outputs, "fault_hook", ctrl_c)
    monkeypatch.setattr(run_command, "build_edition", lambda *a, **k: outputs.write_files(files) or ({}, files))
    proc = edition(root, "run", "--quiet")
    assert proc.returncode == 130
    assert "nothing was changed" in proc.stderr
    assert snapshot(root) == old and not leftovers(root)


def test_interrupt_during_the_renames_is_held_until_the_edition_is_switched(two_editions, monkeypatch):
    root, old, files, new = two_editions

    def ctrl_c(step: str, n: int) -> None:
        if step == "rename" and n == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives mid-switch: held, then reported
    monkeypatch.setattr(outputs, "fault_hook", ctrl_c)
    monkeypatch.setattr(run_command, "build_edition", lambda *a, **k: outputs.write_files(files) or ({}, files))
    proc = edition(root, "run", "--quiet")
    assert proc.returncode == 130
    assert "the new outputs were all written" in proc.stderr
    assert snapshot(root) == {**old, **new} and not leftovers(root)
    assert not check_contract(root)
    monkeypatch.setattr(outputs, "fault_hook", None)
    outputs.write_files({root / k: v for k, v in old.items()})


def test_temporaries_of_a_killed_run_are_removed_by_the_next(two_editions):
    root, old, files, new = two_editions
    killed_writer(files, "stage", len(files) - 1)
    assert leftovers(root)  # the staging journal and the temporaries written so far
    proc = edition(root, "report")
    assert proc.returncode == 0
    assert not leftovers(root) and snapshot(root) == old


def test_a_writer_that_fails_midway_changes_nothing(two_editions):
    """A large output is written by a writer as it is made (pipeline.outputs.Content): one that
    fails after writing part of its file leaves the old edition whole and no temporary."""
    root, old, files, new = two_editions

    def broken(out) -> None:
        out.write("half of a change log\n" * 1000)
        raise OSError(28, "No space left on device")

    staged = {**files, root / "clean" / "a.changes.jsonl": broken}
    with pytest.raises(EditionError, match="a.changes.jsonl: cannot write: No space left on device; nothing was changed"):
        outputs.write_files(staged)
    assert snapshot(root) == old and not leftovers(root)


def test_a_writer_called_again_writes_the_same_bytes(two_editions, tmp_path):
    """A writer makes its text anew from what it holds (a retried write gets the same file);
    a long string is written a slice at a time, the same bytes."""
    root, old, files, new = two_editions
    for path, content in files.items():
        if callable(content):
            again = outputs.content_bytes(content)  # a writer may be called again: the same bytes
            assert again == new[str(path.relative_to(root))]
    text = "x" * (3 << 20) + "é\n"  # longer than a slice of the str writer
    outputs.write_files({tmp_path / "t.txt": text})
    assert (tmp_path / "t.txt").read_bytes() == text.encode("utf-8")


def test_outputs_staged_in_two_parts_are_switched_as_one(two_editions):
    """`edition run` stages the witnesses' outputs while its worker collates (pipeline.outputs.Staging),
    the rest once made: what is staged first waits unseen beside the old edition, removed if the
    run fails before the commit; the commit switches every file at once."""
    root, old, files, new = two_editions
    first = dict(list(files.items())[:len(files) // 2])
    staging = outputs.Staging(root)
    staging.stage(first)
    seen = {k: v for k, v in snapshot(root).items() if not k.endswith(outputs.TMP_SUFFIX)}
    # a file that holds its new bytes already is left as it is (no temporary); each other one has a temporary
    changed = [str(p.relative_to(root)) for p in first if old.get(str(p.relative_to(root))) != new[str(p.relative_to(root))]]
    assert 0 < len(changed) < len(first)  # (both kinds are staged here)
    assert seen == old and len(leftovers(root)) == len(changed) + 1  # the temporaries and the journal
    staging.abort()  # a failure before the commit
    assert snapshot(root) == old and not leftovers(root)
    staging = outputs.Staging(root)
    staging.stage(first, busy=lambda: False)  # the worker done already: nothing written yet
    assert not [p for p in leftovers(root) if p.name != outputs.JOURNAL]
    staging.stage(first)
    staging.commit(files)
    assert snapshot(root) == {**old, **new} and not leftovers(root)
    assert not check_contract(root)
    outputs.write_files({root / k: v for k, v in old.items()})


def test_a_file_holding_its_new_bytes_already_is_left_as_it_is(tmp_path):
    """A write leaves a file that holds its new bytes (a regular file with the mode a write gives) as it is:
    no temporary, sync nor rename; one that differs, or has another mode, is replaced."""
    same, other, mode = tmp_path / "same.txt", tmp_path / "other.txt", tmp_path / "mode.txt"
    outputs.write_files({same: "kept\n", other: "old\n", mode: "kept\n"})
    os.chmod(mode, 0o600)
    before = {p: os.stat(p).st_ino for p in (same, other, mode)}
    outputs.write_files({same: "kept\n", other: "new\n", mode: "kept\n"})
    assert os.stat(same).st_ino == before[same]  # the very same file
    assert os.stat(other).st_ino != before[other] and other.read_text() == "new\n"
    assert os.stat(mode).st_ino != before[mode] and stat_mode(mode) == 0o666 & ~outputs._UMASK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mode.txt", "other.txt", "same.txt"]


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
