"""The text being cleaned, its edits, and its map back to raw offsets.

A Document keeps the current text as a sequence of pieces: *kept* pieces are
untouched stretches of the raw text (they know their raw offset), *inserted*
pieces are text some edit wrote (they know which edits). A stage sees only the
current text and returns edits on it; `Document.apply` splices them into the
pieces. When a later edit touches text an earlier edit wrote, the inserted
piece absorbs both and remembers both edits, so the change log stays exact.

At the end, `Document.changes()` reads the raw-level change log off the
pieces: every stretch between two kept pieces is one change (raw span
replaced by the inserted text), attributed to the edits that produced it.
Applying the changes to the raw text gives the current text exactly.
"""
from __future__ import annotations

import bisect
import pickle
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import IO
from dataclasses import dataclass
from itertools import accumulate, chain, compress, islice, pairwise

from pipeline.model import Change, Edit, TextColumn, stable_id


@dataclass(slots=True)
class Applied:
    """An edit as applied: which stage and rule made it, and a key stable across runs."""

    stage: str
    rule: str
    kind: str
    confidence: float
    note: str
    key: str  # rule@raw_lo:raw_hi>after, used by review decisions to skip it


_KEPT = -1  # the refs code of a kept piece (it records no edit)


class OverlapError(ValueError):
    """A stage returned overlapping or unsorted edits (a programming error in the stage)."""


class Document:
    """The current text of one witness, with everything needed to rebuild it from raw."""

    def __init__(self, raw: str, witness: str = "", keys: bool = True):
        self.raw = raw
        self.witness = witness
        # each applied edit's key (for review rejections: change_keys, skip); without them
        # a large text saves a string per edit
        self.keys = keys
        # the pieces, column by column (a Piece object each took ~120 bytes and an applied edit
        # ~200: a large witness has millions): raw offset (-1: written text), length, the written
        # text (None: kept) and the applied edits a written piece records (a code: _refs_of)
        n = 1 if raw else 0
        # 4-byte columns where the offsets fit (a text written a little longer than its raw still fits)
        self._int = int_code = "i" if len(raw) < 2**30 else "q"
        self._raw = array(int_code, [0] * n)
        self._len = array(int_code, [len(raw)] * n)
        self._texts: list[str | None] = [None] * n
        self._ref = array(int_code, [_KEPT] * n)
        self._ref_sets: list[tuple[int, ...]] = []  # the edits of a piece that records several
        # the applied edits: stage, rule, kind, note and key of each (short texts shared), confidence
        self._apps = TextColumn()
        self._conf = array("d")
        self._odd_conf: dict[int, object] = {}  # a confidence not a float (1, not 1.0): kept as it is
        self._text: str | None = raw
        self._starts: array | None = None
        self._raw_lines: array | None = None
        self._spilled: IO[bytes] | None = None  # the file the columns are parked in (park)

    # -- reading ---------------------------------------------------------
    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _joined(self.raw, self._raw, self._len, self._texts)
        return self._text

    def _piece_starts(self) -> array:
        if self._starts is None:
            starts = array(self._int, accumulate(self._len, initial=0))
            starts.pop()  # the end of the last piece
            self._starts = starts
        return self._starts

    def _refs_of(self, code: int) -> tuple[int, ...]:
        """The applied edits a piece records: none (a kept piece), one (its index), or several."""
        if code >= 0:
            return (code,)
        return () if code == _KEPT else self._ref_sets[-2 - code]

    def _code(self, refs: tuple[int, ...]) -> int:
        if len(refs) == 1:
            return refs[0]
        self._ref_sets.append(refs)
        return -1 - len(self._ref_sets)

    def _applied(self, r: int) -> Applied:
        stage, rule, kind, note, key = self._apps.slice(5 * r, 5 * r + 5)
        return Applied(stage, rule, kind, self._odd_conf.get(r, self._conf[r]) if self._odd_conf else self._conf[r],
                       note, key)

    @property
    def applied(self) -> list[Applied]:
        """The edits applied so far, in order."""
        return [self._applied(r) for r in range(len(self._conf))]

    def raw_offset(self, pos: int, *, end: bool = False) -> int:
        """The raw offset of current offset `pos`.

        Inside written (inserted) text there is no exact raw offset; we answer
        with the raw span that text replaced: its start (or its end, if end=True).
        """
        raws, lens = self._raw, self._len
        n = len(raws)
        if not n:
            return 0
        starts = self._piece_starts()
        i = bisect.bisect_right(starts, pos) - 1
        j = i
        while j >= 0 and starts[j] + lens[j] >= pos:
            if raws[j] >= 0:
                return raws[j] + (pos - starts[j])
            j -= 1
        if end:
            for k in range(i + 1, n):
                if raws[k] >= 0:
                    return raws[k]
            return len(self.raw)
        for k in range(min(i, n) - 1, -1, -1):
            if raws[k] >= 0:
                return raws[k] + lens[k]
        return 0

    def current_offset(self, raw_pos: int) -> int | None:
        """The current offset of raw offset `raw_pos`, or None if that raw text was changed."""
        starts = self._piece_starts()
        for i, (r, n) in enumerate(zip(self._raw, self._len)):
            if r >= 0 and r <= raw_pos <= r + n:
                return starts[i] + raw_pos - r
        return None

    def line_col(self, raw_pos: int) -> tuple[int, int]:
        """1-based line and column of a raw offset, for humans."""
        if self._raw_lines is None:
            lines = array(self._int, [0])  # an int object per line took 40 bytes
            find = self.raw.find
            i = find("\n")
            while i >= 0:
                lines.append(i + 1)
                i = find("\n", i + 1)
            self._raw_lines = lines
        k = bisect.bisect_right(self._raw_lines, raw_pos) - 1
        return k + 1, raw_pos - self._raw_lines[k] + 1

    # -- editing ---------------------------------------------------------
    def key(self, e: Edit) -> str:
        """A key for an edit that is stable across runs (rule, raw span, reading)."""
        lo = self.raw_offset(e.start)
        hi = self.raw_offset(e.end, end=True) if e.end > e.start else lo
        return f"{e.rule}@{lo}:{hi}>{e.after}"

    def apply(self, stage: str, edits: list[Edit], skip: frozenset[str] = frozenset(), owned: bool = False) -> int:
        """Splice a stage's edits (sorted, non-overlapping, on the current text) into the pieces.

        Edits whose key is in `skip` (rejected by a proofreader) are left out. `owned`: the
        caller hands the list over; it is emptied once its edits are recorded, before the new
        pieces are made (a million edits of a large witness held ~300 bytes each beside them).
        Returns how many edits were applied.
        """
        given = edits
        if not all(a.start < b.start or (a.start == b.start and a.end <= b.end) for a, b in pairwise(edits)):
            # (a stage's edits come in order as a rule: a key tuple per edit took ~110 bytes, a
            # million edits on a large witness)
            edits = sorted(edits, key=lambda e: (e.start, e.end))
        prev_end = -1
        text = self.text
        for e in edits:
            if e.start < prev_end or e.end < e.start or e.end > len(text):
                raise OverlapError(f"stage {stage}: edit {e.rule} {e.start}..{e.end} overlaps or is out of range")
            prev_end = e.end if e.end > e.start else e.start
        # the applied edits' spans and readings, compactly (arrays: an int object per edit took 32 bytes)
        starts, ends, afters, refs = array("q"), array("q"), [], array("q")
        for e in edits:
            if text[e.start:e.end] == e.after:
                continue
            key = self.key(e) if skip or self.keys else ""
            if skip and key in skip:
                continue
            starts.append(e.start)
            ends.append(e.end)
            afters.append(e.after)
            refs.append(self._add(stage, e, key if self.keys else ""))
        if owned:
            given.clear()
        del edits, given
        if refs:
            # the old text goes before the new pieces are made (on a large witness it is as large
            # as they are); the next reader joins the new one
            del text
            self._text = None
            self._splice(starts, ends, afters, refs)
        return len(refs)

    def _add(self, stage: str, e: Edit, key: str) -> int:
        """Record an applied edit; its index."""
        r = len(self._conf)
        self._apps.extend((stage, e.rule, e.kind, e.note, key))
        self._conf.append(e.confidence)
        if type(e.confidence) is not float:
            self._odd_conf[r] = e.confidence
        return r

    def _splice(self, starts: array, ends: array, afters: list[str], refs: array) -> None:
        """Replace the spans starts[k]..ends[k] by written pieces afters[k]; offsets are in the old text.

        Kept and written pieces are split alike at edit boundaries; a written
        piece records the edits it absorbed (`refs`), so a change made of two
        stages' work names both.
        """
        R, L, T, F = self._raw, self._len, self._texts, self._ref
        code = self._int
        oR, oL, oT, oF = array(code), array(code), [], array(code)

        def put(r: int, length: int, text: str | None, code: int) -> None:
            oR.append(r)
            oL.append(length)
            oT.append(text)
            oF.append(code)

        def put_block(a: int, b: int) -> None:  # pieces a..b-1 as they stand
            oR.extend(R[a:b])
            oL.extend(L[a:b])
            oT.extend(T[a:b])
            oF.extend(F[a:b])
        n, i, pos = len(L), 0, 0
        # the piece at i as it stands: whole, or its tail once an edit took its head
        cr, cl, ct, cf = (R[0], L[0], T[0], F[0]) if n else (0, 0, None, _KEPT)
        for s, t, after, ref in zip(starts, ends, afters, refs):
            while i < n and pos + cl <= s:  # wholly before the edit: the current piece, then a block
                put(cr, cl, ct, cf)
                pos += cl
                i += 1
                j = i
                while j < n and pos + L[j] <= s:
                    pos += L[j]
                    j += 1
                if j > i:
                    put_block(i, j)
                    i = j
                if i < n:
                    cr, cl, ct, cf = R[i], L[i], T[i], F[i]
            if i < n and pos < s:  # s falls inside the current piece: split it
                k = s - pos
                put(cr, k, None if ct is None else ct[:k], cf)
                cr, cl, ct = (cr + k if cr >= 0 else cr), cl - k, (None if ct is None else ct[k:])
                pos = s
            merged: list[int] = []
            while i < n and pos < t:  # consume [s, t)
                merged.extend(self._refs_of(cf))
                stop = pos + cl
                if stop > t:
                    k = t - pos
                    cr, cl, ct = (cr + k if cr >= 0 else cr), cl - k, (None if ct is None else ct[k:])
                    pos = t
                    break
                pos = stop
                i += 1
                if i < n:
                    cr, cl, ct, cf = R[i], L[i], T[i], F[i]
            put(-1, len(after), after, self._code(tuple(dict.fromkeys(merged)) + (ref,)))
        if i < n:
            put(cr, cl, ct, cf)
            put_block(i + 1, n)
        if 0 in oL:  # an empty kept piece is dropped (an empty written one records a deletion)
            # a bytearray mask, not a list of indexes (an int object per piece; a large text has millions)
            keep = bytearray(bool(n) or r < 0 for r, n in zip(oR, oL))
            oR, oL = array(code, compress(oR, keep)), array(code, compress(oL, keep))
            oT, oF = list(compress(oT, keep)), array(code, compress(oF, keep))
        self._raw, self._len, self._texts, self._ref = oR, oL, oT, oF
        self._text = None
        self._starts = None

    # -- parked in a file ---------------------------------------------------
    _PARKED = ("_raw", "_len", "_texts", "_ref", "_ref_sets", "_apps", "_conf", "_odd_conf")

    def park(self) -> None:
        """The pieces and the applied edits to a temporary file, out of memory, until `unpark`: a
        stage reads only the text, and on a large witness the pieces and edits (~3 bytes per
        character) would sit beside the stage's own work. The text is made first, if it is not
        there: written to a file a block of pieces at a time and read back once the pieces are
        parked (joined in memory it was twice the text beside the pieces). Reading the offsets,
        the changes or applying edits before `unpark` is an error (the columns are gone)."""
        if self._spilled is not None:
            return
        made = None
        if self._text is None:
            try:
                made = ParkedText(_blocks(self.raw, self._raw, self._len, self._texts))
            except OSError:  # no room for the file: joined in memory
                self.text  # noqa: B018
        state = {k: self.__dict__.pop(k) for k in self._PARKED}
        f = spill(state)
        if f is None:  # no room for the file: the pieces stay in memory
            self.__dict__.update(state)
        else:
            del state
            self._starts = None
            self._spilled = f
        if made is not None:
            self._text = made.read()

    def unpark(self) -> None:
        """The pieces and applied edits back from their file (nothing if they are not parked)."""
        f, self._spilled = self._spilled, None
        if f is None:
            return
        with f:
            f.seek(0)
            self.__dict__.update(pickle.load(f))

    def release_text(self) -> None:
        """Let the current text go (the next reader joins it again): the change log is made from
        the pieces alone, and a caller may keep the text elsewhere meanwhile (ParkedText)."""
        self._text = None

    # -- the change log -----------------------------------------------------
    def _groups(self, drain: bool = False):
        """Each stretch between two kept pieces that differs from raw:
        (raw start, raw end, before, after, the applied edits that made it). `drain`: the
        pieces go as they are read (_drained)."""
        raw = self.raw
        prev_end = 0
        buf: list[str] = []
        refs: list[int] = []
        pieces = self._drained() if drain else zip(self._raw, self._len, self._texts, self._ref)
        # a sentinel kept piece at the end
        for r, n, t, f in chain(pieces, ((len(raw), 0, None, _KEPT),)):
            if r < 0:
                buf.append(t)
                refs.extend(self._refs_of(f))
                continue
            if r != prev_end or refs:
                before, after = raw[prev_end:r], "".join(buf)
                if before != after:
                    yield prev_end, r, before, after, [self._applied(x) for x in dict.fromkeys(refs)]
            prev_end = r + n
            buf, refs = [], []

    def _drained(self) -> Iterator[tuple]:
        """The pieces in order, each block let go once read (the Document is spent: no text,
        offsets or changes after). The columns are turned round in place and cut from their
        end, a block at a time: what the change log takes, the pieces give back meanwhile."""
        R, L, T, F = self._raw, self._len, self._texts, self._ref
        self._raw = self._len = self._ref = array(self._int)
        self._texts = []
        self._text = self._starts = None
        for col in (R, L, T, F):
            col.reverse()
        while L:
            k = max(0, len(L) - _DRAIN)
            block = list(zip(R[k:], L[k:], T[k:], F[k:]))
            del R[k:], L[k:], T[k:], F[k:]
            block.reverse()
            yield from block
            del block

    def changes(self) -> list[Change]:
        """The raw-level change log: sorted, non-overlapping, exact."""
        return list(self.iter_changes())

    def iter_changes(self, drain: bool = False) -> Iterator[Change]:
        """changes(), one at a time (a large log is stored compactly as it comes: model.ChangeLog).
        `drain`: the pieces are let go as they are read; the Document is spent after."""
        return (self._change(*group) for group in self._groups(drain))

    def _change(self, start: int, end: int, before: str, after: str, apps: list[Applied]) -> Change:
        if not apps:  # cannot happen: every written piece names its edit
            raise AssertionError("change with no edit")
        rule = "+".join(dict.fromkeys(a.rule for a in apps))
        stage = "+".join(dict.fromkeys(a.stage for a in apps))
        kind = apps[-1].kind
        note = "; ".join(dict.fromkeys(a.note for a in apps if a.note))
        conf = min(a.confidence for a in apps)
        line, col = self.line_col(start)
        cid = stable_id(self.witness, start, end, rule)
        return Change(cid, start, end, before, after, stage, rule, kind, line, col, round(conf, 3), note)

    def change_keys(self) -> dict[str, list[str]]:
        """For each change id, the keys of the edits it is made of (for review rejections)."""
        if not self.keys:
            raise ValueError("a Document made with keys=False keeps no edit keys")
        result: dict[str, list[str]] = {}
        for start, end, _, _, apps in self._groups():
            rule = "+".join(dict.fromkeys(a.rule for a in apps))
            result[stable_id(self.witness, start, end, rule)] = [a.key for a in apps]
        return result


def spill(obj) -> IO[bytes] | None:
    """`obj` pickled into a new temporary file, to be read back with pickle.load; None if no file
    can be written (a full or read-only disk): the caller keeps `obj` in memory then."""
    f = None
    try:
        f = tempfile.TemporaryFile(prefix="edition-")
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        return f
    except OSError:
        if f is not None:
            f.close()
        return None


class ParkedText:
    """A text kept in a temporary file (UTF-8, written a slice or a chunk at a time) until read
    back; in memory if no file can be written. Given as chunks (an iterator of str), the text is
    never whole in memory until read."""

    _SLICE = 1 << 20

    def __init__(self, text: str | Iterable[str]):
        chunks = (text[i:i + self._SLICE] for i in range(0, len(text), self._SLICE)) if isinstance(text, str) \
            else iter(text)
        self._n = 0
        self._text: str | None = None
        self._file = None
        try:
            self._file = tempfile.TemporaryFile(prefix="edition-text-")
            for chunk in chunks:
                self._file.write(chunk.encode("utf-8", "surrogatepass"))
                self._n += len(chunk)
        except OSError:
            if self._file is not None:
                self._file.close()
            self._file = None
            if isinstance(text, str):
                self._text = text
            else:  # the chunks read so far are gone: the caller makes the text another way
                raise

    def read(self) -> str:
        """The text (once: the file is closed)."""
        if self._text is not None:
            text, self._text = self._text, None
            return text
        f, self._file = self._file, None
        with f:
            f.seek(0)
            text = f.read().decode("utf-8", "surrogatepass")
        assert len(text) == self._n
        return text


_BLOCK = 4096  # pieces joined into one chunk of the text at a time
_DRAIN = 1 << 16  # pieces let go at a time (Document._drained)


def _blocks(raw: str, raws: array, lens: array, texts: list[str | None]) -> Iterator[str]:
    """The text the pieces make, a block of pieces at a time (one join over every piece held a
    slice object per kept piece, ~70 bytes each beside its characters; a large witness has
    millions)."""
    pieces = zip(raws, lens, texts)
    for _ in range(0, len(lens), _BLOCK):
        yield "".join([raw[r:r + n] if t is None else t for r, n, t in islice(pieces, _BLOCK)])


def _joined(raw: str, raws: array, lens: array, texts: list[str | None]) -> str:
    """The text the pieces make, joined in memory (the blocks and the text: twice the text)."""
    return "".join(list(_blocks(raw, raws, lens, texts)))


def apply_changes(raw: str, changes: list[dict] | list[Change]) -> str:
    """Rebuild the clean text from the raw text and its change log."""
    out, pos = [], 0
    for c in changes:
        start, end, after = (c["start"], c["end"], c["after"]) if isinstance(c, dict) else (c.start, c.end, c.after)
        out.append(raw[pos:start])
        out.append(after)
        pos = end
    out.append(raw[pos:])
    return "".join(out)
