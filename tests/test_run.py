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
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("edition"))
    if (ROOT / "review").exists():
        shutil.copytree(ROOT / "review", root / "review")
    proc = edition(root, "run", "--quiet", timeout=600)
    assert proc.returncode == 0, proc.stderr
    return root


def test_contract_holds(project):
    if not CHECKER.exists():
        pytest.skip("../shared/tools/check_contract.py not present")
    proc = subprocess.run([sys.executable, str(CHECKER), str(project)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "0 problems" in proc.stdout


def test_two_runs_are_byte_identical(project):
    first = snapshot(project)
    proc = edition(project, "run", "--quiet", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(project) == first
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
