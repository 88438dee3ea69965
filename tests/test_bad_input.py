"""Bad input: one clear line naming the file and the problem, a non-zero exit, nothing half-written."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import edition, make_project

TOML = """[[witness]]
id = "w"
file = "w.txt"
language = "{lang}"
work = "w"
role = "original"
encoding = "{enc}"
"""
RU = "Что такое рабочая оппозиция? Надо ли в интересах нашей партии и\n\nмировой рабочей революции.\n"



def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def assert_nothing_written(root: Path) -> None:
    assert not (root / "clean").exists() or not any((root / "clean").iterdir())
    assert not list(root.rglob("*.tmp"))


@pytest.mark.parametrize("data,needle", [
    (b"", "empty file"),
    (b"   \n\n  \n", "empty file"),
    (bytes(range(256)) * 20, "binary file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "binary file"),
])
def test_empty_and_binary_files(tmp_path, data, needle):
    root = make_project(tmp_path, {"w.txt": data}, TOML.format(lang="en", enc="auto"))
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, "w.txt", needle)
    assert_nothing_written(root)


@pytest.mark.parametrize("codec", ["cp1251", "utf-16"])
def test_wrong_encoding_declared(tmp_path, codec):
    root = make_project(tmp_path, {"w.txt": RU.encode(codec)}, TOML.format(lang="ru", enc="utf-8"))
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, "w.txt", "not valid utf-8")
    assert_nothing_written(root)


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r", "utf-16", "utf-8-sig"])
def test_encoding_detected_when_auto(tmp_path, codec):
    root = make_project(tmp_path, {"w.txt": RU.encode(codec)}, TOML.format(lang="ru", enc="auto"))
    proc = edition(root, "clean", "w", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert (root / "clean" / "w.txt").read_text(encoding="utf-8").startswith("Что такое рабочая оппозиция?")


def test_crlf_file_normalised_and_logged(tmp_path):
    data = "The Ninth Congress was held in the spring of 1920.\r\nDuring the summer, nothing.\r\n".encode()
    root = make_project(tmp_path, {"w.txt": data}, TOML.format(lang="en", enc="utf-8"))
    proc = edition(root, "clean", "w", "--quiet")
    assert proc.returncode == 0, proc.stderr
    clean = (root / "clean" / "w.txt").read_bytes()
    assert b"\r" not in clean
    assert b"decode.newline" in (root / "clean" / "w.changes.jsonl").read_bytes()


def test_crlf_with_strict_newline_policy_is_an_error(tmp_path):
    data = "A line.\r\nAnother.\r\n".encode()
    root = make_project(tmp_path, {"w.txt": data}, TOML.format(lang="en", enc="utf-8") + 'newline = "lf"\n')
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, "w.txt", "CRLF")
    assert_nothing_written(root)


def test_unknown_witness_id(tmp_path):
    root = make_project(tmp_path)
    proc = edition(root, "clean", "no-such-witness")
    assert_one_line_error(proc, "witnesses.toml", "unknown witness id 'no-such-witness'")
    assert_nothing_written(root)


@pytest.mark.parametrize("toml,needles", [
    ('[[witness]]\nid = "w"\nfile = "w.txt"\nlanguage = "en"\nwork = "w"\nrole = "original"\ncolour = "red"\n',
     ["witnesses.toml:7", "unknown field 'colour'"]),
    ('[[witness]]\nid = "w"\nfile = "w.txt"\nlanguage = "fr"\nwork = "w"\nrole = "original"\n',
     ["witnesses.toml:4", "language"]),
    ('[[witness]\nid = "w"\n', ["witnesses.toml:1", "TOML syntax error"]),
    ('[[witness]]\nid = "w"\nfile = "missing.txt"\nlanguage = "en"\nwork = "w"\nrole = "original"\n',
     ["witnesses.toml:3", "not found"]),
    ('[[witness]]\nid = "w"\nlanguage = "en"\nwork = "w"\nrole = "original"\n',
     ["witnesses.toml:1", "missing field 'file'"]),
])
def test_malformed_witnesses_toml(tmp_path, toml, needles):
    root = make_project(tmp_path, {"w.txt": b"Some text.\n"}, toml)
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, *needles)
    assert_nothing_written(root)


def test_error_in_one_witness_writes_nothing_for_the_others(tmp_path):
    toml = TOML.format(lang="en", enc="auto") + TOML.format(lang="en", enc="auto").replace('"w"', '"v"').replace("w.txt", "v.txt")
    root = make_project(tmp_path, {"w.txt": b"A good text.\n", "v.txt": b""}, toml)
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, "v.txt", "empty file")
    assert_nothing_written(root)


def test_clean_plain_files_needs_lang(tmp_path):
    f = tmp_path / "scan.txt"
    f.write_text("Some text.\n")
    proc = edition(tmp_path, "clean", str(f), "--out", str(tmp_path / "out"))
    assert_one_line_error(proc, "--lang")


def test_clean_plain_file_from_outside_the_project(tmp_path, monkeypatch):
    """`edition clean FILE --out DIR` run in any folder uses the edition's own config and rules."""
    f = tmp_path / "scan.txt"
    f.write_bytes(b"During the summer, the\r\nopposition did not assert itself . Nothing was heard inApril.\r\n")
    monkeypatch.chdir(tmp_path)  # no --root: the folder the command runs in, which is no project
    assert main(["clean", str(f), "--lang", "en", "--out", "out", "--quiet"]) == 0
    assert (tmp_path / "out" / "scan.txt").read_text(encoding="utf-8") == \
        "During the summer, the opposition did not assert itself. Nothing was heard in April.\n"


def test_config_without_stages_is_an_error(tmp_path):
    root = make_project(tmp_path, {"w.txt": b"Some text.\n"}, TOML.format(lang="en", enc="auto"))
    (root / "config" / "pipeline.toml").write_text("stages = []\n", encoding="utf-8")
    proc = edition(root, "run", "--quiet")
    assert_one_line_error(proc, "pipeline.toml", "no stages")
    assert_nothing_written(root)
