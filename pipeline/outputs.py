"""Writing outputs all-or-nothing: every file goes to a temporary name first,
and only when all are written are they renamed into place."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_files(files: dict[Path, str | bytes]) -> None:
    """Write every file atomically; if anything fails, nothing is replaced."""
    temps: list[tuple[Path, str]] = []
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temps.append((path, tmp))
            data = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        for path, tmp in temps:
            os.replace(tmp, path)
        temps = []
    finally:
        for _, tmp in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
