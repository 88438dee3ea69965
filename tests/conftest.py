"""Shared fixtures: the real corpus, cleaned once per test session."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.commands import clean_corpus
from pipeline.context import Resources
from pipeline.witnesses import load_corpus

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(ROOT / "raw")


@pytest.fixture(scope="session")
def resources():
    return Resources(ROOT)


@pytest.fixture(scope="session")
def cleaned(corpus, resources):
    """Every witness cleaned by the real pipeline (in memory; nothing written)."""
    return clean_corpus(ROOT, corpus, [w.id for w in corpus.witnesses], resources)


@pytest.fixture(scope="session")
def paragraphs(cleaned):
    return {wid: [p for p in c.text.split("\n") if p.strip()] for wid, c in cleaned.items()}


def make_project(tmp: Path, raw_files: dict[str, bytes] | None = None, witnesses_toml: str | None = None) -> Path:
    """A throw-away project: the real config and rules, and the given raw files."""
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
    return tmp


def edition(root: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run the `edition` command on a project folder, as a user would."""
    return subprocess.run([sys.executable, "-m", "pipeline", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout)


def changes_of(root: Path, wid: str) -> list[dict]:
    """A witness's change log, read back from clean/<id>.changes.jsonl."""
    text = (root / "clean" / f"{wid}.changes.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
