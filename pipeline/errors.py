"""One error type for bad input: it always names the file (and line) at fault."""
from __future__ import annotations

from pathlib import Path


class EditionError(Exception):
    """Bad input or configuration. str(err) is the one line the user sees.

    >>> str(EditionError("raw/x.txt", "empty file"))
    'raw/x.txt: empty file'
    >>> str(EditionError("rules/a.toml", "unknown field 'foo'", line=12))
    'rules/a.toml:12: unknown field \\'foo\\''
    """

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        where = self.path or "edition"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {problem}")
