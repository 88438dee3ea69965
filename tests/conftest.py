"""Shared fixtures: the real pipeline run once per test session, on a copy of the project.

    def test_x(built):          # Edition: root (a temp project with clean/ and reports/ written),
        ...                     #   corpus, resources, cleaned (witness id -> pipeline.run.Cleaned)
    def test_y(cleaned): ...    # just the cleaned witnesses of that run
    def test_z(tmp_path):       # a test that changes a project makes its own: make_project(tmp_path)

`built` is read-only for tests: never write into built.root.
"""
from __future__ import annotations

import contextlib
import gc
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.commands.run import build_edition
from pipeline.context import Resources
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


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Edition:
    """`edition run --quiet` on a copy of the project (raw, config, rules, review), in-process, once."""
    root = make_project(tmp_path_factory.mktemp("edition"))
    if (ROOT / "review").exists():
        shutil.copytree(ROOT / "review", root / "review")
    cleaned, files = build_edition(root)
    corpus = load_corpus(root / "raw")
    edition = Edition(root, corpus, Resources(root), cleaned, files)
    gc.collect()
    gc.freeze()  # the session's run lives to the end: later garbage collections need not walk it again
    return edition


@pytest.fixture(scope="session")
def corpus(built):
    return built.corpus


@pytest.fixture(scope="session")
def resources(built):
    return built.resources


@pytest.fixture(scope="session")
def cleaned(built):
    """Every witness cleaned by the real pipeline (that run's results, in memory)."""
    return built.cleaned


@pytest.fixture(scope="session")
def paragraphs(cleaned):
    return {wid: [p for p in c.text.split("\n") if p.strip()] for wid, c in cleaned.items()}


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


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> Path:
    """A project with a witness full of markup, entities, quotes and control characters, and
    one that needs no change at all, after `edition run` (the command, in a new process).
    Read-only: a test that writes into it copies it first (copy_project)."""
    root = make_project(tmp_path_factory.mktemp("hostile"), {"hostile.txt": HOSTILE_RAW.encode("utf-8"),
                                                            "plain.txt": b"A clean line.\n"}, HOSTILE_TOML)
    r = edition_process(root, "run", "--quiet")
    assert r.returncode == 0, r.stderr
    return root


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
            if f.name != "names.toml" and any(set(r.spec.scope) - {"*", "en", "ru"} for r in load_rule_file(f)):
                f.unlink()
    return tmp


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


def edition_process(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `python -m pipeline` in a new process."""
    return subprocess.run([sys.executable, "-m", "pipeline", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout)


def changes_of(root: Path, wid: str) -> list[dict]:
    """A witness's change log, read back from clean/<id>.changes.jsonl."""
    text = (root / "clean" / f"{wid}.changes.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
