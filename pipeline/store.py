"""Compact on-disk tables that open in microseconds: word -> float, memory-mapped.

Unpacking wordfreq's Russian list into a dict takes most of a second (713,000 forms),
paid by every process that touches it. A `Table` is that dict written once as an
open-addressing hash table in one file and memory-mapped: opening it reads nothing,
a lookup reads a few bytes, and every process on the machine shares the pages.

File layout (little-endian): a 32-byte header (magic, version, slot count, entry
count), then `slots` uint32 offsets into the data region (0: empty slot), then the
entries, each `key length (uint16), key (UTF-8), value (float64)`. The slot of a key
is crc32(key) modulo the slot count, probing linearly; the table is at most half full.

Tables live in the user cache (EDITION_CACHE, default ~/.cache/edition), named by what
they were built from (e.g. the wordfreq version), so a new version builds a new file.
"""
from __future__ import annotations

import contextlib
import mmap
import os
import struct
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from zlib import crc32

MAGIC = b"EDTAB\x00\x01\x00"
HEADER = struct.Struct("<8sIIQQ")  # magic, format version, slot count (power of 2), entries, data offset
FORMAT = 1
_VALUE = struct.Struct("<d")
_KEYLEN = struct.Struct("<H")


def cache_dir() -> Path:
    """Where built tables live: EDITION_CACHE, default ~/.cache/edition."""
    return Path(os.environ.get("EDITION_CACHE") or Path.home() / ".cache" / "edition")


class Lookup:
    """`m[key]` and `key in m` of a read-only str mapping whose get(key) is None for a missing key."""
    __slots__ = ()

    def __getitem__(self, key: str):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and self.get(key) is not None


class Table(Lookup, Mapping):
    """A read-only str -> float mapping backed by a memory-mapped file (see the module doc)."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        magic, version, nslots, n, data = HEADER.unpack_from(self._mm, 0)
        if magic != MAGIC or version != FORMAT:
            raise ValueError(f"{path}: not an edition table (format {FORMAT})")
        self.path = path
        self._n = n
        self._mask = nslots - 1
        self._slots = memoryview(self._mm)[HEADER.size:HEADER.size + 4 * nslots].cast("I")
        self._data = data

    def get(self, key: str, default=None):
        b = key.encode("utf-8", "surrogatepass")
        if len(b) > 0xFFFF:  # longer than any key a table holds (write_table leaves them out)
            return default
        mm, slots, mask = self._mm, self._slots, self._mask
        i = crc32(b) & mask
        end = 2 + len(b)
        kb = _KEYLEN.pack(len(b)) + b  # an entry starts with its key's length, then the key
        while True:
            off = slots[i]
            if not off:
                return default
            if mm[off:off + end] == kb:
                return _VALUE.unpack_from(mm, off + end)[0]
            i = (i + 1) & mask

    def __len__(self) -> int:
        return self._n

    def items(self) -> Iterator[tuple[str, float]]:  # type: ignore[override]
        mm, off = self._mm, self._data
        for _ in range(self._n):
            (k,) = _KEYLEN.unpack_from(mm, off)
            key = mm[off + 2:off + 2 + k].decode("utf-8", "surrogatepass")
            yield key, _VALUE.unpack_from(mm, off + 2 + k)[0]
            off += 2 + k + 8

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self.items())

    def to_dict(self) -> dict[str, float]:
        """The whole table as a dict (for a long-lived worker: dict lookups are faster)."""
        return dict(self.items())

    def __reduce__(self):  # shipped to another process as its path: the receiver maps the same file
        return (Table, (self.path,))


@contextlib.contextmanager
def building(path: Path) -> Iterator[None]:
    """One process at a time builds the file `path` (an exclusive flock on `.<name>.lock` beside it,
    left there): a process that found it missing looks again inside, for another may have built it
    while this one waited (the first run's two processes, forked before either had a table). Where
    there is no flock (Windows) or the folder cannot be written: no lock, each builds its own."""
    fd = None
    try:
        import fcntl
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
    except (ImportError, OSError):
        pass
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing releases the lock


def write_atomic(path: Path, data) -> None:
    """Write bytes, or whatever `data(file)` writes, to `path` atomically (a temporary name in
    its folder, then a rename): a reader, or another process building the same file, never sees
    half of it; a failure leaves no temporary behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_table(path: Path, table: Mapping[str, float]) -> None:
    """Write `table` as a Table file, atomically (a temporary name, then a rename)."""
    items = [(k.encode("utf-8", "surrogatepass"), float(v)) for k, v in table.items()]
    nslots = 1024
    while nslots < 2 * len(items):
        nslots *= 2
    data_start = HEADER.size + 4 * nslots
    slots = [0] * nslots
    data = bytearray()
    mask = nslots - 1
    for key, value in items:
        if len(key) > 0xFFFF:
            continue
        off = data_start + len(data)
        data += _KEYLEN.pack(len(key)) + key + _VALUE.pack(value)
        i = crc32(key) & mask
        while slots[i]:
            i = (i + 1) & mask
        slots[i] = off

    def write(f) -> None:
        f.write(HEADER.pack(MAGIC, FORMAT, nslots, len(items), data_start))
        f.write(struct.pack(f"<{nslots}I", *slots))
        f.write(data)
    write_atomic(path, write)


def open_table(name: str, build: Callable[[], Mapping[str, float]], what: str = "") -> Mapping[str, float]:
    """The table `name` from the cache, built once with `build()` if missing or unreadable.

    `name` says what the table was built from (e.g. "freq-ru-wordfreq-3.1.1"), so a new
    source version builds a new file. If the cache cannot be written, the built dict is
    returned as it is (slower to start, same answers). Building is said on stderr once.
    """
    path = cache_dir() / f"{name}.tab"
    try:
        opened = Table(path)
        if len(opened):  # an empty table is a broken one (a full disk, a bad copy): built again
            return opened
    except (OSError, ValueError, struct.error):
        pass
    t = time.perf_counter()
    table = build()
    if not table:
        return table
    try:
        write_table(path, table)
        opened = Table(path)
    except (OSError, ValueError, struct.error):
        return table
    print(f"edition: built {what or name} once, {time.perf_counter() - t:.1f} s: {path}", file=sys.stderr)
    return opened


class FastTable(Lookup, Mapping):
    """A Table whose keys are also in a DAWG (dawg2, C) beside it, each mapped to the number of its
    value in the list of the table's distinct values: a lookup is made in C (about 0.3 us against
    the table's 1.5 us; detection asks the word list about a hundred thousand times a megabyte of
    OCR, mostly garbles no memo holds twice). For a table of few distinct values (the word lists:
    en 564, ru 553): the DAWG is read into memory (en 2.3 MB, ru 6.7 MB) at the first lookup, built
    then if missing (1.5 s en, 4.4 s ru, once per machine: `edition prepare`); the table itself
    stays memory-mapped for the rest. (symspellpy's bigrams, 184,000 distinct counts, would take
    4.3 MB and their counts as many again in every English process, for about 1 % of detect.)"""

    def __init__(self, table: Table):
        self.table, self.path = table, table.path

    def get(self, key: str, default=None):  # the first lookup: the DAWG opened, then asked
        self.get = _dawg_lookup(self.table) or self.table.get  # an instance attribute: no test per call
        return self.get(key, default)

    def __len__(self) -> int:
        return len(self.table)

    def items(self) -> Iterator[tuple[str, float]]:  # type: ignore[override]
        return self.table.items()

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def to_dict(self) -> dict[str, float]:
        return self.table.to_dict()

    def __reduce__(self):  # shipped to another process as its path: the receiver maps the same files
        return (fast_table, (Table(self.path),))


# the DAWGs' layout beside their tables (keys -> numbers of the distinct values): a change makes new files
FAST_FORMAT = 1


def fast_table(table: Mapping[str, float]) -> Mapping[str, float]:
    """The table with its DAWG (FastTable); the table as it is where it is no Table (a dict: no cache)."""
    return FastTable(table) if isinstance(table, Table) else table


def _dawg_lookup(table: Table) -> Callable | None:
    """`table.get` answered from the table's DAWG, opened (built once if missing); None where the
    DAWG cannot be had (no dawg2, an unwritable cache, a key a DAWG cannot hold): then the table
    answers alone. The answers are the table's either way."""
    try:
        import dawg
    except ImportError:
        return None
    import marshal
    path = table.path.with_name(f"{table.path.name}.dawg{FAST_FORMAT}")
    values_path = table.path.with_name(f"{table.path.name}.dawg{FAST_FORMAT}.values")
    try:
        values = marshal.loads(values_path.read_bytes())
        d = dawg.IntDAWG().load(str(path))
    except (OSError, ValueError, EOFError, TypeError, dawg.Error):
        try:
            items = list(table.items())
            if any("\x00" in k for k, _ in items):
                return None  # a key a DAWG cannot hold
            bits = {_VALUE.pack(v): v for _, v in items}  # each distinct value to the bit (0.0 is not -0.0)
            order = sorted(bits)
            number = {b: i for i, b in enumerate(order)}
            values = [bits[b] for b in order]
            built = dawg.IntDAWG((k, number[_VALUE.pack(v)]) for k, v in items if k)
            write_atomic(path, built.tobytes())  # the DAWG first: the values on disk always have theirs beside them
            write_atomic(values_path, marshal.dumps(values))
            d = dawg.IntDAWG().load(str(path))
        except (OSError, ValueError, UnicodeEncodeError, dawg.Error):
            return None
    return dawg_get(d, values, table.get)


def dawg_get(d, answers: list, table_get: Callable) -> Callable:
    """get(key, default) answered from a dawg.IntDAWG `d` (each key's number in `answers`), the keys a DAWG
    cannot hold by `table_get(key, default)` (the table's own answer): a closure, a lookup is made millions
    of times."""
    find = d.get

    def get(key: str, default=None):
        # "": no key of a DAWG; a NUL: a DAWG reads the key as a C string; both the table's to answer
        if not key or "\x00" in key:
            return table_get(key, default)
        try:
            i = find(key)
        except UnicodeEncodeError:  # a lone surrogate: the table encodes it
            return table_get(key, default)
        return default if i is None else answers[i]
    return get
