"""One error type for bad input: it always names the file (and line) at fault."""
from __future__ import annotations

import re
from pathlib import Path

# characters that would break the one-line message (newlines, other controls, line separators)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def one_line(text: str) -> str:
    r"""*text* with every control character and line separator written as an escape.

    >>> one_line("a\nb.txt")
    'a\\nb.txt'
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class EditionError(Exception):
    """Bad input or configuration. str(err) is the one line the user sees.

    >>> print(EditionError("raw/x.txt", "empty file"))
    raw/x.txt: empty file
    >>> print(EditionError("rules/a.toml", "unknown field 'foo'", line=12))
    rules/a.toml:12: unknown field 'foo'
    >>> print(EditionError("raw/a\\nb.txt", "empty file"))
    raw/a\\nb.txt: empty file
    """

    def __init__(self, path: str | Path | None, problem: str, line: int | None = None, col: int | None = None):
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        self.col = col
        where = one_line(self.path) if self.path else "edition"
        if line is not None:
            where = f"{where}:{line}" + (f":{col}" if col is not None else "")
        super().__init__(f"{where}: {one_line(problem)}")

    def __reduce__(self):
        """Pickled by its parts: raised in a worker process, it reaches the command whole."""
        return type(self), (self.path, self.problem, self.line, self.col)
