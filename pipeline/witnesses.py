"""Loading raw/witnesses.toml: the witnesses, the works, and each witness's raw text."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import EditionError
from pipeline.model import Witness, Work
from pipeline.tomlio import display_path, line_of, load_toml, validate, validate_tables


@dataclass
class Corpus:
    """The witnesses and works of raw/witnesses.toml."""

    root: Path  # the raw/ folder
    witnesses: list[Witness]
    works: list[Work]

    def get(self, wid: str) -> Witness:
        for w in self.witnesses:
            if w.id == wid:
                return w
        known = ", ".join(w.id for w in self.witnesses)
        raise EditionError(display_path(self.root / "witnesses.toml"), f"unknown witness id {wid!r} (known: {known})")

    def work(self, work_id: str) -> Work:
        for w in self.works:
            if w.id == work_id:
                return w
        raise EditionError(display_path(self.root / "witnesses.toml"), f"unknown work {work_id!r}")

    def members(self, work_id: str) -> list[Witness]:
        return [w for w in self.witnesses if w.work == work_id]

    def path(self, w: Witness) -> Path:
        return self.root / w.file


def load_corpus(raw_dir: Path) -> Corpus:
    """Read and validate raw/witnesses.toml; any problem names the file and line."""
    path = raw_dir / "witnesses.toml"
    data, text = load_toml(path)
    shown = display_path(path)
    unknown = set(data) - {"witness", "work"}
    if unknown:
        raise EditionError(shown, f"unknown top-level key(s) {sorted(unknown)}; expected [[witness]] and [[work]] tables")
    entries = data.get("witness", [])
    if not isinstance(entries, list) or not entries:
        raise EditionError(shown, "no [[witness]] tables")
    witnesses: list[Witness] = validate_tables(Witness, entries, path=path, text=text, array="witness",
                                               what="witnesses")
    seen: dict[str, int] = {}
    for i, w in enumerate(witnesses):
        if w.id in seen:
            raise EditionError(shown, f"witness id {w.id!r} is used twice", line=line_of(text, "witness", i, "id"))
        seen[w.id] = i
        problem = _outside(raw_dir, w.file)
        if problem:
            raise EditionError(shown, f"witness {w.id!r}: file {w.file!r} {problem}",
                               line=line_of(text, "witness", i, "file"))
        if not (raw_dir / w.file).is_file():
            what = "is a folder" if (raw_dir / w.file).is_dir() else "not found"
            raise EditionError(shown, f"witness {w.id!r}: file {w.file!r} {what} in {display_path(raw_dir)}",
                               line=line_of(text, "witness", i, "file"))
    works: list[Work] = []
    work_ids: set[str] = set()
    for i, entry in enumerate(data.get("work", [])):
        wk = validate(Work, entry, path=path, text=text, array="work", index=i)
        if wk.id in work_ids:
            raise EditionError(shown, f"work id {wk.id!r} is used twice", line=line_of(text, "work", i, "id"))
        work_ids.add(wk.id)
        if wk.pivot not in seen:
            raise EditionError(shown, f"work {wk.id!r}: pivot {wk.pivot!r} is not a witness",
                               line=line_of(text, "work", i, "pivot"))
        works.append(wk)
    for i, w in enumerate(witnesses):  # a work needs no [[work]] table: its first witness is then the pivot
        if w.work not in {wk.id for wk in works}:
            try:
                works.append(Work(id=w.work, pivot=w.id))
            except ValidationError:
                raise EditionError(shown, f"witness {w.id!r}: field 'work': {w.work!r} is not a work id "
                                          "(lower-case letters, digits and '-')",
                                   line=line_of(text, "witness", i, "work")) from None
    return Corpus(raw_dir, witnesses, works)


def _outside(raw_dir: Path, file: str) -> str | None:
    """Why a witness file may not be read (it must be a file inside raw/), or None."""
    p = Path(file)
    if p.is_absolute() or file.startswith(("/", "\\")) or (len(file) > 1 and file[1] == ":"):
        return "is an absolute path; give a path inside raw/"
    if ".." in p.parts:
        return "leaves raw/ ('..'); give a path inside raw/"
    if p.name == "witnesses.toml" and len(p.parts) == 1:
        return "is the catalogue itself, not a text"
    base = raw_dir.resolve()
    real = (raw_dir / p).resolve()
    if real != base and base not in real.parents:
        return "resolves outside raw/ (a symbolic link?); copy the text into raw/"
    return None
