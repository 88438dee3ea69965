"""Writing outputs as one transaction: a reader sees the old edition or the new one, whole.

`write_files` works in three steps, under an exclusive lock on the folder that holds all
the outputs (the project root for `edition run`):

1. stage: a journal `.edition-commit.json` saying "staging" and naming every target is
   written, then each file goes to a temporary name beside its target (`.NAME.edition-tmp`);
2. commit: the journal is rewritten (atomically) saying "commit" — the switch point;
3. switch: each temporary is renamed over its target, then the journal is removed.

`Staging` does the same in parts: some files staged now (`edition run`: the witnesses' outputs
while its worker collates), the rest with the commit; the journal names each temporary before
it is made, so a kill at any point is recovered as below.

A process killed in step 1 leaves the old edition and some temporaries: the next write (or
`recover`, which every command calls first) deletes them. Killed in step 3, it leaves a
committed journal: `recover` finishes the renames, so the new edition appears whole.
Ctrl-C during step 3 is held until the renames are done.

A file that holds its new bytes already (a regular file of this user with the mode a write gives)
is left as it is: its temporary, once written, is compared with it and removed (it is listed in
the journal all the same; nothing of it is synced or switched).

A file's content is a str, bytes, or a writer: a function that writes the text into the
open temporary (`writer(out)`, out a text stream, UTF-8, "\n" line ends), so a large output
(a change log, a review page) goes to disk as it is made and is never one string in memory.
A writer may be called again (a retried write): it makes its text anew from what it holds.

`refuse_inputs` keeps inputs read-only by construction: no output may resolve to an input
file or into raw/.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO, Union

from pipeline.errors import EditionError

JOURNAL = ".edition-commit.json"
Content = Union[str, bytes, Callable[[TextIO], None]]
_CHUNK = 1 << 20  # a long str is encoded a slice at a time: no bytes copy of the whole text
TMP_SUFFIX = ".edition-tmp"

_UMASK = os.umask(0)
os.umask(_UMASK)

# fault injection for the crash tests: fault_hook(step, n) is called before the n-th (0-based)
# file is staged ("stage") and before the n-th rename ("rename"); EDITION_FAULT_RENAME=N in the
# environment kills the process (SIGKILL) before rename N
fault_hook: Callable[[str, int], None] | None = None


class Interrupted(KeyboardInterrupt):
    """Ctrl-C; `changed` says whether the edition on disk was switched before it stopped."""

    def __init__(self, changed: bool):
        super().__init__()
        self.changed = changed


def _tmp(path: Path) -> Path:
    return path.parent / f".{path.name}{TMP_SUFFIX}"


def _home(paths: Iterable[Path]) -> Path:
    """The folder holding the journal: the deepest folder containing every output."""
    parents = [str(Path(os.path.abspath(p)).parent) for p in paths]
    return Path(os.path.commonpath(parents))


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on *folder* (flock on the directory): one writer at a time."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): single writer assumed
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_journal(folder: Path, state: str, targets: list[Path]) -> None:
    # paths relative to the folder: a project moved after a crash is still recovered
    data = json.dumps({"state": state, "files": [os.path.relpath(p, folder) for p in targets]}, ensure_ascii=False)
    tmp = folder / (JOURNAL + TMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / JOURNAL)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _recover_locked(folder: Path) -> str | None:
    """Finish or undo an interrupted write in *folder*; returns what was done (or None)."""
    journal = folder / JOURNAL
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / (JOURNAL + TMP_SUFFIX))
    if not journal.exists():
        return None
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        state, targets = data["state"], [folder / p for p in data["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise EditionError(journal, "unreadable write journal of an interrupted run; remove it and run again") from None
    base = folder.resolve()
    for target in targets:
        if base not in target.resolve().parents:  # a journal names only files under its folder
            raise EditionError(journal, f"write journal names {target}, outside {folder}; remove the journal")
        tmp = _tmp(target)
        if state == "commit":
            if tmp.exists():
                os.replace(tmp, target)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    os.unlink(journal)
    _fsync_dir(folder)
    return "finished" if state == "commit" else "undone"


def recover(folder: Path) -> str | None:
    """Complete (journal committed) or roll back (staging) a write a killed process left in
    *folder*; 'finished', 'undone' or None (nothing to do). Cheap when there is nothing."""
    folder = Path(folder)
    if not (folder / JOURNAL).exists() and not (folder / (JOURNAL + TMP_SUFFIX)).exists():
        return None
    with _locked(folder):
        return _recover_locked(folder)


def refuse_inputs(files: Iterable[Path], inputs: Iterable[Path] = (), protected: Iterable[Path] = ()) -> None:
    """An EditionError if an output would replace an input file or land inside a protected
    folder (raw/). Paths are compared after resolving symlinks of their folders."""
    def where(p: Path) -> Path:
        p = Path(p)
        return p.parent.resolve() / p.name

    ins = {Path(p).resolve() for p in inputs} | {where(p) for p in inputs}
    dirs = [Path(d).resolve() for d in protected]
    for path in files:
        out = where(path)
        if out in ins or out.resolve() in ins:
            raise EditionError(path, "output would overwrite an input file; choose another --out folder")
        for d in dirs:
            if out == d or d in out.parents:
                raise EditionError(path, f"output would be written inside {d.name}/, which holds the inputs "
                                         "and is never modified; choose another --out folder")


def _write_content(f, content: Content) -> None:
    """Write one output's content into the binary file *f*."""
    if isinstance(content, bytes):
        f.write(content)
        return
    out = io.TextIOWrapper(f, encoding="utf-8", newline="\n", write_through=False)
    try:
        if isinstance(content, str):
            for i in range(0, len(content), _CHUNK):
                out.write(content[i:i + _CHUNK])
        else:
            content(out)
        out.flush()
    finally:
        out.detach()


def content_bytes(content: Content) -> bytes:
    """The bytes a content writes (for a reader or a test that needs the whole output)."""
    buf = io.BytesIO()
    _write_content(buf, content)
    return buf.getvalue()


def content_text(content: Content) -> str:
    return content if isinstance(content, str) else content_bytes(content).decode("utf-8")


def write_files(files: dict[Path, Content]) -> None:
    """Write every file as one transaction (see the module doc); if anything fails before
    the commit point, nothing is replaced and no temporary is left."""
    if not files:
        return
    targets = [Path(os.path.abspath(p)) for p in files]
    for p in targets:
        p.parent.mkdir(parents=True, exist_ok=True)
    staging = Staging(_home(targets))
    staging.commit(files)


class Staging:
    """write_files in parts: `stage(files)` stages some outputs now (`edition run`: the witnesses'
    files while a worker still collates; the journal, saying "staging", names every temporary
    before it is made, and the files are fsync'd in the background), `commit(files)` stages the
    rest of `files`, then commits and switches them all as write_files does (the targets in the
    order of `files`, which holds every file staged before). The folder holding the journal (every
    output lies under it) is locked from the first stage to the end of the commit; `abort()` (or
    any failure) removes the temporaries: the old edition stays whole."""

    def __init__(self, folder: Path):
        self.folder = Path(os.path.abspath(folder))
        self.listed: list[Path] = []  # the targets the journal names, in the order first staged
        self.staged: set[Path] = set()  # the targets whose temporary is written
        self.unchanged: set[Path] = set()  # the staged targets that hold their new bytes already (no temporary)
        self._lock = None
        self._syncer: _Syncer | None = None

    def _open(self) -> None:
        if self._lock is None:
            self._lock = _locked(self.folder)
            self._lock.__enter__()
            _recover_locked(self.folder)
            self._syncer = _Syncer().__enter__()

    def _close(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.__exit__(None, None, None)

    def stage(self, files: dict[Path, Content], busy: Callable[[], bool] | None = None) -> None:
        """Stage the outputs of `files` not staged yet, in order, while `busy()` (if given)."""
        try:
            self._stage(files, busy)
        except KeyboardInterrupt:
            self.abort()
            raise Interrupted(changed=False) from None
        except BaseException:
            self.abort()
            raise

    def _stage(self, files: dict[Path, Content], busy) -> None:
        if busy is not None and not busy():
            return
        self._open()
        todo = [(Path(os.path.abspath(p)), content) for p, content in files.items()]
        todo = [(p, c) for p, c in todo if p not in self.staged]
        known = set(self.listed)
        new = [p for p, _ in todo if p not in known]
        if new:
            for p in new:
                if self.folder not in p.parents:
                    raise ValueError(f"{p} is not under {self.folder}")
                p.parent.mkdir(parents=True, exist_ok=True)
            _write_journal(self.folder, "staging", self.listed + new)
            self.listed += new
        for path, content in todo:
            if busy is not None and not busy():
                return
            if fault_hook is not None:
                fault_hook("stage", len(self.staged))
            tmp = _tmp(path)
            try:
                f = open(tmp, "w+b")
                try:
                    _write_content(f, content)
                    f.flush()
                    same = _holds(path, f)
                except BaseException:
                    f.close()
                    raise
                if same:  # the file holds these bytes already: left as it is (nothing to sync, switch nor free)
                    f.close()
                    os.unlink(tmp)
                    self.unchanged.add(path)
                else:
                    self._syncer.sync(path, f)  # fsync'd and closed while the next file is made
                    os.chmod(tmp, 0o666 & ~_UMASK)
            except OSError as exc:  # read-only folder, disk full, a folder where a file should be
                raise _cannot_write(path, exc) from None
            self.staged.add(path)

    def commit(self, files: dict[Path, Content]) -> None:
        """Stage what is left of `files`, then switch every file of `files` (see the class doc)."""
        targets = [Path(os.path.abspath(p)) for p in files]
        committed = False
        try:
            if self.staged - set(targets):
                raise ValueError("a staged output is missing from the files committed")
            self._stage(files, None)
            syncer, self._syncer = self._syncer, None
            syncer.__exit__(None, None, None)  # every file fsync'd and closed (the first failure raised)
            _write_journal(self.folder, "commit", targets)
            committed = True
            with _holding_interrupts() as held:
                _switch(targets, self.unchanged)
                os.unlink(self.folder / JOURNAL)
                _fsync_dir(self.folder)
            if held:
                raise Interrupted(changed=True)
        except KeyboardInterrupt:
            if not committed:
                self.abort()
            raise Interrupted(changed=committed) from None
        except BaseException:
            if not committed:
                self.abort()
            raise
        finally:
            self._close()

    def abort(self) -> None:
        """Remove what was staged (the journal and the temporaries) and release the folder."""
        if self._lock is None:
            return
        try:
            if self._syncer is not None:
                syncer, self._syncer = self._syncer, None
                syncer.__exit__(KeyboardInterrupt, None, None)  # wait for the files' closing, raise nothing
            _recover_locked(self.folder)
        finally:
            self._close()


def _cannot_write(path: Path, exc: OSError) -> EditionError:
    return EditionError(path, f"cannot write: {exc.strerror or exc}; nothing was changed")


class _Syncer:
    """Each staged file fsync'd and closed in a background thread while the next one is made
    (fsync waits for the disk, not the processor: a tenth of a second of `edition run`'s
    critical path, one file after another). Leaving the block waits for every file and raises
    the first failure, as the file's own write would have; the journal says "commit" only after."""

    def __enter__(self):
        self._pool = None
        self._pending: list = []
        return self

    def sync(self, path: Path, f) -> None:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="edition-fsync")
        self._pending.append((path, self._pool.submit(_sync_close, f)))

    def __exit__(self, kind, exc, tb) -> None:
        failed = None
        for path, done in self._pending:  # every file closed before anything else happens to it
            err = done.exception()
            if err is not None and failed is None:
                failed = (path, err)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if kind is None and failed is not None:
            path, err = failed
            if isinstance(err, OSError):
                raise _cannot_write(path, err) from None
            raise err


def _sync_close(f) -> None:
    try:
        os.fsync(f.fileno())
    finally:
        f.close()


def _switch(targets: list[Path], unchanged: set[Path] = frozenset()) -> None:
    """Each target's temporary renamed over it (an `unchanged` target has none: it is left as it is)."""
    fault = os.environ.get("EDITION_FAULT_RENAME")
    for i, path in enumerate(targets):
        if fault_hook is not None:
            fault_hook("rename", i)
        if fault is not None and fault.isdigit() and int(fault) == i:
            os.kill(os.getpid(), signal.SIGKILL)
        if path not in unchanged:
            os.replace(_tmp(path), path)
    _fsync_dirs(list(dict.fromkeys(p.parent for p in targets if p not in unchanged)))


def _holds(path: Path, f) -> bool:
    """Does the file *path* hold what the temporary *f* (open for reading too, all written) holds, as a
    file this write would leave (a regular file of this user, with the mode a write gives)? Then the
    write leaves it as it is: `edition run --force` on unchanged inputs rewrote every output, each
    file synced, renamed over its twin and the twin's blocks freed."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    size = f.tell()
    if not stat.S_ISREG(st.st_mode) or st.st_size != size or stat.S_IMODE(st.st_mode) != 0o666 & ~_UMASK \
            or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return False
    f.seek(0)
    try:
        with open(path, "rb") as old:
            while True:
                mine = f.read(_CHUNK)
                if mine != old.read(_CHUNK):
                    return False
                if not mine:
                    return True
    except OSError:
        return False
    finally:
        f.seek(size)


def _fsync_dirs(folders: list[Path]) -> None:
    """Each folder fsync'd, at the same time in threads (each waits for the disk, not the processor;
    the file system may commit them together): one after another they were four waits of the run's end."""
    if len(folders) < 2:
        for d in folders:
            _fsync_dir(d)
        return
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=len(folders), thread_name_prefix="edition-fsync") as pool:
        list(pool.map(_fsync_dir, folders))


@contextlib.contextmanager
def _holding_interrupts() -> Iterator[list[int]]:
    """Hold SIGINT/SIGTERM while the block runs; the list says whether one came."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, lambda signum, frame: held.append(signum))
    try:
        yield held
    finally:
        for s, h in old.items():
            signal.signal(s, h)
