"""The run cache (`.edition-cache/` in the project, git-ignored, never committed).

A result is stored under the hash of everything it depends on, so a run reuses it
exactly when nothing it depends on changed:

* `witness/<key>.pickle`: one witness cleaned (pipeline.run.Cleaned). The key hashes the
  witness's raw bytes and catalogue entry, those of the Russian witnesses of its work
  (detect reads the original's names), its review file, config/, rules/ (rules, authority,
  word lists), the code and the installed libraries (`code_version`).
* `work/<key>.pickle`: one work's collation files ({relative path: content}); the key hashes
  its witnesses' clean texts and entries, config/, rules/ and the code.
* `grammar/<witness id>.marshal`, `hyphenation/<witness id>.marshal`: no results but memos
  (`WordMemo`), read by `--force` runs too: what pymorphy3 and the word list said of a Russian
  witness's words (pipeline.stages.grammar, pipeline.stages.hyphenation), made by the same code;
  a stage holds its witness's memo while it runs (`HeldMemo`).
* `detect/plain-<language>.marshal`: a memo too, of the lower-case forms detect leaves alone in
  every witness (pipeline.stages.detect._plain_memo), for the same code, model, name authority and settings.
* `kept.json`: the values kept in the user cache (`kept_json`: the original's names, their
  nominatives, the authority's name forms; `kept_pickle`: each rule file's validated rules,
  rules.load_rules) that the last full run named, so that the next removes
  those its code and inputs no longer name (`RunCache.prune_kept`).
* `run.json`: the last complete run: the hash of all its inputs and the hash of every file
  it wrote. `edition run` with the same inputs and untouched outputs does nothing.

A long text or array in a result (a large witness's raw and clean text, its change log's
columns) is stored beside the entry's pickle, `<key>.<n>.side`, written a slice at a time and
named in the pickle: pickling it in place made a whole copy of it in memory (a str is
encoded whole, an array copied to bytes) beside everything the run holds at its end.

Entries are written atomically (temporary name, then rename; the side files first), so a run
killed midway leaves whole entries only; the next run reuses them and finishes the rest.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
import time
from array import array
from functools import lru_cache
from pathlib import Path

from pipeline.store import cache_dir, write_atomic

CACHE_DIR = ".edition-cache"
FORMAT = "1"  # bump when the layout of the cache changes
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> str:
    """sha256 of the parts, each length-prefixed (("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes ("" if it does not exist)."""
    try:
        with open(path, "rb") as f:  # read a block at a time: an output may be hundreds of MB
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return ""


def tree_digest(root: Path, *subdirs: str) -> str:
    """Hash of every file under the given folders of `root` (relative names and bytes)."""
    parts: list[str] = []
    for sub in subdirs:
        d = root / sub
        if not d.is_dir():
            parts.append(f"{sub}: absent")
            continue
        for p in sorted(d.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."):
                parts += [p.relative_to(root).as_posix(), file_digest(p)]
    return digest(*parts)


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the edition's own code and data (pipeline/, its templates and data files),
    the Python version and the installed distributions (name and version of each)."""
    parts = [FORMAT, sys.version, tree_digest(PACKAGE.parent, PACKAGE.name)]
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            parts += sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
    return digest(*parts)


SIDE = 1 << 20  # a str (characters) or array (bytes) at least this long is stored beside the pickle
_SLICE = 1 << 20  # characters of a side text encoded at a time


class _Pickler(pickle.Pickler):
    """Pickles into `f`, storing each long text or array in a side file of `entry` (see the module doc)."""

    def __init__(self, f, entry: Path, sides: list[Path]):
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self.entry, self.sides = entry, sides
        self.stored: dict[int, tuple] = {}  # id -> its persistent id (one object met twice is stored once)

    def persistent_id(self, obj):
        kind = type(obj)
        if (kind is str and len(obj) >= SIDE) or (kind is array and len(obj) * obj.itemsize >= SIDE):
            if id(obj) in self.stored:  # (the value being pickled holds obj: its id stays its own)
                return self.stored[id(obj)]
            path = _side(self.entry, len(self.sides))
            if kind is str:
                write_atomic(path, lambda f: _write_text(f, obj))
                pid = ("str", path.name)
            else:  # the array's own bytes, no copy
                write_atomic(path, lambda f: f.write(memoryview(obj).cast("B")))
                pid = ("array", path.name, obj.typecode, len(obj))
            self.sides.append(path)
            self.stored[id(obj)] = pid
            return pid
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, entry: Path, sides: list[Path]):
        super().__init__(f)
        self.entry, self.sides = entry, sides
        self.loaded: dict[str, object] = {}

    def persistent_load(self, pid):
        name = pid[1]
        if name not in self.loaded:
            path = self.entry.with_name(name)
            self.sides.append(path)
            with open(path, "rb") as f:
                if pid[0] == "str":
                    value = f.read().decode("utf-8", "surrogatepass")
                else:
                    value = array(pid[2])
                    value.fromfile(f, pid[3])  # read into the array: no bytes copy
            self.loaded[name] = value
        return self.loaded[name]


def _side(entry: Path, n: int) -> Path:
    return entry.with_name(f"{entry.stem}.{n}.side")


def _write_text(f, text: str) -> None:
    for i in range(0, len(text), _SLICE):
        f.write(text[i:i + _SLICE].encode("utf-8", "surrogatepass"))


def kept_json(kind: str, parts: tuple[str, ...], make, valid):
    """A JSON value kept in the user cache (pipeline.store.cache_dir), in `<kind>-<hash>.json` named
    by the code (`code_version`: the edition's and the libraries', pymorphy3's dictionary among them)
    and `parts` (what the value is made from): read where a process made it before and `valid(value)`
    holds, else `make()` and kept there. A cache that cannot be read or written is not used."""
    return _kept(cache_dir() / f"{kind}-{digest(code_version(), *parts)[:24]}.json", make, valid,
                 read=lambda path: json.loads(path.read_text(encoding="utf-8")),
                 dump=lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8"),
                 unreadable=(OSError, ValueError), unwritable=(OSError,))


def kept_pickle(kind: str, parts: tuple[str | bytes, ...], make):
    """kept_json for a value JSON cannot hold (rules.load_rules: the validated rules, their patterns
    compiled): `<kind>-<hash>.pickle` in the user cache, named by the code and `parts`, read where a
    process made it before, else `make()` and kept there. `make()` raising keeps nothing (a rule file
    with a problem is read and refused again)."""
    return _kept(cache_dir() / f"{kind}-{digest(code_version(), *parts)[:24]}.pickle", make, lambda value: True,
                 read=lambda path: pickle.loads(path.read_bytes()),
                 dump=lambda value: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
                 # missing, half-written by another version, unreadable: made again
                 unreadable=(Exception,), unwritable=(OSError, pickle.PicklingError, TypeError, AttributeError))


def _kept(path: Path, make, valid, read, dump, unreadable: tuple, unwritable: tuple):
    """The value kept at `path`: read (and marked used) where it can be and is `valid`, else `make()`
    and written there atomically, if it can be."""
    try:
        value = read(path)
        if valid(value):
            try:
                os.utime(path)  # used now: what RunCache.prune_kept keeps
            except OSError:
                pass
            return value
    except unreadable:
        pass
    value = make()
    try:
        write_atomic(path, dump(value))
    except unwritable:
        pass
    return value


# the kinds of kept_json (context.original_names, russian.know_nominatives, collate.anchors.cyrillic_forms)
# and of kept_pickle (rules.load_rules): a file by its final name (write_atomic's temporary starts with a dot)
KEPT = re.compile(r"(?:(?:original-names|nominatives|name-forms)-[0-9a-f]{24}\.json|rules-[0-9a-f]{24}\.pickle)")
KEPT_DAYS = 30  # a kept value no project has used for this long is removed (RunCache.prune_kept)
KEPT_LIST = "kept.json"  # in the project's cache: the kept values its last full run used

MEMOS = ("grammar", "hyphenation", "dictionary")  # the kinds of WordMemo, one file per witness


class WordMemo:
    """What a stage asked a slow analyser (pymorphy3) about one witness's words, kept from one run
    to the next: `<project>/.edition-cache/<kind>/<witness id>.marshal`. No result of the run, only
    of the words, the code and the installed libraries: `--force` runs read it too, and it is read
    only if the same code made it (`code_version`). `data`: what was read ({} if nothing);
    `save(data)` writes what this run asked. With `root` None nothing is kept (a plain file of
    `edition clean FILE`)."""

    def __init__(self, root: Path | None, kind: str, name: str, salt: tuple[str, ...] = ()):
        """`salt`: what else the answers depend on (read only where it is the same)."""
        self.path = None if root is None else root / CACHE_DIR / kind / f"{name}.marshal"
        self.data: dict = {}
        if self.path is None:
            return
        import marshal
        self.key = digest(code_version(), kind, *salt)
        try:
            key, data = marshal.loads(self.path.read_bytes())
            if key == self.key and isinstance(data, dict):
                self.data = data
        except (OSError, ValueError, EOFError, TypeError):
            pass  # no memo, or an unreadable one: made again

    def save(self, data: dict) -> None:
        if self.path is None:
            return
        import marshal
        try:
            write_atomic(self.path, marshal.dumps((self.key, data)))
        except (OSError, ValueError):
            pass  # a memo that cannot be written is not kept


class HeldMemo:
    """A stage's memo of the witness it is cleaning (a WordMemo of the subclass's `kind`, and what the
    stage holds of it, unpacked by `hold(data)`), held where the stage's helpers read it, `Kind.held`,
    while the stage runs on that witness: `with Kind(root, witness id) as memo: ...` holds it, and the
    kind's idle memo (`Kind.idle`: no root, keeps nothing) is held again when the run ends, however it
    ends (a process cleans one witness at a time). `keeping`: not the idle memo (a helper notes what it
    asked only then)."""

    kind: str
    held: HeldMemo
    idle: HeldMemo

    def __init_subclass__(cls, kind: str, **kw):
        super().__init_subclass__(**kw)
        cls.kind = kind
        cls.idle = cls.held = cls()

    def __init__(self, root: Path | None = None, name: str = ""):
        self.memo = WordMemo(root, self.kind, name)
        self.hold(self.memo.data)

    @property
    def keeping(self) -> bool:
        return self is not type(self).idle

    def hold(self, data: dict) -> None:
        """Unpack what was read (`{}` if nothing) into the subclass's own fields."""

    def __enter__(self):
        type(self).held = self
        return self

    def __exit__(self, *exc) -> None:
        type(self).held = type(self).idle


def _kind(name: str) -> str:
    """The kind of a kept value's file name ("name-forms" of "name-forms-<hash>.json")."""
    return name.rsplit("-", 1)[0]


class RunCache:
    """Results by key under <project>/.edition-cache/ (see the module doc)."""

    def __init__(self, root: Path):
        self.dir = root / CACHE_DIR
        self.used: set[Path] = set()
        self.started = time.time()

    def _path(self, kind: str, key: str) -> Path:
        return self.dir / kind / f"{key}.pickle"

    def get(self, kind: str, key: str):
        """The stored result, or None (absent or unreadable: recomputed)."""
        path = self._path(kind, key)
        sides: list[Path] = []
        try:
            with open(path, "rb") as f:
                value = _Unpickler(f, path, sides).load()
        except Exception:  # noqa: BLE001 (a damaged or outdated entry is recomputed, never trusted)
            return None
        self.used.add(path)
        self.used.update(sides)
        return value

    def put(self, kind: str, key: str, value) -> None:
        path = self._path(kind, key)
        self.used.add(path)
        sides: list[Path] = []

        def dump(f) -> None:  # pickled straight into the file: no copy of a large witness's pickle in memory
            sides.clear()  # (a retried dump writes its side files again)
            _Pickler(f, path, sides).dump(value)
        try:
            write_atomic(path, dump)
        except (OSError, pickle.PicklingError):
            pass  # a cache that cannot be written is not used
        self.used.update(sides)

    def prune(self, kinds: tuple[str, ...] = ("witness", "work"), witnesses: set[str] | None = None) -> None:
        """Remove entries this run did not use (the cache holds the current state only), and the
        per-witness memos (MEMOS: grammar's, hyphenation's, detect's) of witnesses not in `witnesses` (the
        catalogue's), if given; with them, the user cache's kept values this project no longer uses
        (prune_kept)."""
        if witnesses is not None:
            self.prune_kept()
        for kind in MEMOS if witnesses is not None else ():
            if (self.dir / kind).is_dir():
                for p in (self.dir / kind).iterdir():
                    if p.suffix == ".marshal" and p.stem not in witnesses:
                        try:
                            p.unlink()
                        except OSError:
                            pass
        for kind in kinds:
            d = self.dir / kind
            if d.is_dir():
                for p in d.iterdir():
                    if p not in self.used:
                        try:
                            p.unlink()
                        except OSError:
                            pass

    def prune_kept(self) -> None:
        """Remove the user cache's kept values (kept_json: `KEPT`) that the current code and inputs no
        longer name: one this project's last full run used (`KEPT_LIST`) where this run used another of
        its kind and not it (made from other inputs or by other code: a run that asks no value of a kind,
        its witnesses and works all from the cache, names the last ones still), and any no run has used
        for KEPT_DAYS (another project's, or made before the list was kept). A value is used when it is
        read or written (its file's time: kept_json), so what another run reads or writes while this one
        runs is kept. Only final names are removed (never a writer's temporary), each unlinked at once:
        a reader has the whole file or none. The values this run names are listed for the next one."""
        folder = cache_dir()
        try:
            last = set(json.loads((self.dir / KEPT_LIST).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            last = set()
        try:
            names = [n for n in os.listdir(folder) if KEPT.fullmatch(n)]
        except OSError:
            return
        since, stale = self.started - 1.0, time.time() - KEPT_DAYS * 86400  # (1 s: file times' resolution)
        when = {}
        for n in names:
            try:
                when[n] = os.stat(folder / n).st_mtime
            except OSError:
                pass  # removed meanwhile
        asked = {_kind(n) for n, t in when.items() if t >= since}
        named = []
        for n, t in sorted(when.items()):
            if t >= since or (n in last and _kind(n) not in asked):
                named.append(n)
            elif n in last or t < stale:
                try:
                    os.unlink(folder / n)
                except OSError:
                    pass  # gone already, or not ours to remove
        try:
            write_atomic(self.dir / KEPT_LIST, json.dumps(named).encode("utf-8"))
        except OSError:
            pass

    # the whole run: its inputs' key, the outputs it wrote and what it said
    def last_run(self) -> dict:
        try:
            data = json.loads((self.dir / "run.json").read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_run(self, key: str, root: Path, outputs: list[Path], messages: list[str]) -> None:
        data = {"key": key, "messages": messages,
                "outputs": {p.relative_to(root).as_posix(): file_digest(p) for p in sorted(outputs)}}
        try:
            write_atomic(self.dir / "run.json", json.dumps(data, indent=0).encode("utf-8"))
        except OSError:
            pass

    def forget_run(self) -> None:
        try:
            (self.dir / "run.json").unlink()
        except OSError:
            pass

    def up_to_date(self, key: str, root: Path) -> dict | None:
        """The last run's record if it had this key and its outputs are on disk as it wrote them."""
        last = self.last_run()
        outputs = last.get("outputs")
        if last.get("key") != key or not isinstance(outputs, dict) or not outputs:
            return None
        for rel, sha in outputs.items():
            if file_digest(root / rel) != sha:
                return None
        return last
