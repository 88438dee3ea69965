"""Reading TOML data files so that every problem names its file, line and field.

tomllib reports syntax errors with a line; for semantic errors (a pydantic
validation failure in the third [[rule]] table) we find the line ourselves by
scanning the text for the table header and the key.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.errors import EditionError

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]\s*(#.*)?$")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]+\")\s*=")


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; a syntax error becomes an EditionError with the line."""
    shown = display_path(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise EditionError(shown, "file not found") from None
    except UnicodeDecodeError as exc:
        raise EditionError(shown, f"not UTF-8 (byte {exc.start})") from None
    return parse_toml(text, path), text


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML text read from `path` (named in the error)."""
    shown = display_path(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        raise EditionError(shown, f"TOML syntax error: {msg}", line=line) from None


def header_lines(text: str, array: str) -> list[int]:
    """1-based lines of every [[array]] header, in order, in one pass (as `line_of` finds each: a
    file of many tables asked table by table would be read again for each).

    >>> header_lines('[[rule]]\\nid = "a"\\n[[rule]]\\nid = "b"\\n', "rule")
    [1, 3]
    """
    return [n for n, line in enumerate(text.splitlines(), 1)
            if (m := _HEADER.match(line)) and m.group(1) == array]


def line_of(text: str, array: str, index: int, key: str | None = None) -> int | None:
    """1-based line of `key` in the index-th [[array]] table (or of its header).

    >>> line_of('[[rule]]\\nid = "a"\\n[[rule]]\\nid = "b"\\nmatch = 3\\n', "rule", 1, "match")
    5
    """
    count = -1
    header_line = None
    for n, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m:
            if count == index:
                break
            if m.group(1) == array:
                count += 1
                if count == index:
                    header_line = n
            continue
        if _TABLE.match(line) and count == index:
            break
        if count == index and key is not None:
            k = _KEY.match(line)
            if k and k.group(1).strip('"') == key:
                return n
    return header_line


def validate(model: type[BaseModel], data: Any, *, path: Path, text: str, array: str, index: int) -> BaseModel:
    """Validate one [[array]] table; the first error names file, line and field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(x) for x in err["loc"]]
        field = loc[0] if loc else None
        line = line_of(text, array, index, field)
        what = ".".join(loc) if loc else "entry"
        msg = err["msg"].removeprefix("Value error, ")
        if not loc and msg.startswith("field '"):  # a model check that names its field itself
            raise EditionError(display_path(path), f"[[{array}]] #{index + 1}: {msg}",
                               line=line_of(text, array, index, msg.split("'")[1])) from None
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {what!r}"
        elif err["type"] == "missing":
            msg = f"missing field {what!r}"
        else:
            msg = f"field {what!r}: {msg}"
        raise EditionError(display_path(path), f"[[{array}]] #{index + 1}: {msg}", line=line) from None


def validate_tables(model: type[BaseModel], entries: Any, *, path: Path, text: str, array: str,
                    what: str = "entries") -> list:
    """Validate every [[array]] table; two tables with the same `id` are refused, with the line.

    `what` names the tables in the message ("two decisions for id 'a'").
    """
    shown = display_path(path)
    if not isinstance(entries, list):
        raise EditionError(shown, f"'{array}' must be [[{array}]] tables")
    out: list = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        item = validate(model, entry, path=path, text=text, array=array, index=i)
        key = getattr(item, "id", None)
        if key is not None and key in seen:
            raise EditionError(shown, f"two {what} for id {key!r} ([[{array}]] #{seen[key] + 1} and #{i + 1})",
                               line=line_of(text, array, i, "id"))
        if key is not None:
            seen[key] = i
        out.append(item)
    return out


def _table_path(header: str) -> list[str]:
    return [part.strip().strip('"') for part in header.split(".")]


def line_in_table(text: str, table: list[str], key: str | None = None) -> int | None:
    """1-based line of `key` in the [a.b.c] table named by `table` (or of its header;
    of the nearest enclosing header when the table is written inline).

    >>> line_in_table('[default.layout]\\nmode = "x"\\n[witness.a.layout]\\nmodee = 1\\n', ["witness", "a", "layout"], "modee")
    4
    """
    current: list[str] = []
    exact = child = parent = None
    parent_depth = 0
    for n, line in enumerate(text.splitlines(), 1):
        m = _TABLE.match(line)
        if m:
            current = _table_path(m.group(1))
            depth = len(current)
            if current == table:
                exact = exact or n
            elif current[:len(table)] == table:  # [a.b.c] defines [a.b]
                child = child or n
            elif current == table[:depth] and depth > parent_depth:  # [a] holding b = {...} inline
                parent, parent_depth = n, depth
            continue
        if key is not None and current == table:
            k = _KEY.match(line)
            if k and k.group(1).strip('"') == key:
                return n
    return exact or child or parent


def first_error(exc: ValidationError) -> tuple[str | None, str]:
    """The first problem of a pydantic validation error: (field, message in plain words)."""
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"]]
    what = ".".join(loc) if loc else "entry"
    if err["type"] == "extra_forbidden":
        msg = f"unknown key {what!r}"
    elif err["type"] == "missing":
        msg = f"missing key {what!r}"
    else:
        msg = f"key {what!r}: {err['msg']}"
    return (loc[0] if loc else None), msg


def load_model(model: type[BaseModel], path: Path, what: str) -> BaseModel:
    """A whole TOML data file validated as one pydantic model; a problem is one line naming the
    file and the key (`what` says which data it is: "grammar data")."""
    data, _ = load_toml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EditionError(display_path(path), f"invalid {what}: {first_error(exc)[1]}") from None
