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
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.model import Change, Edit, stable_id


@dataclass(slots=True)
class Applied:
    """An edit as applied: which stage and rule made it, and a key stable across runs."""

    stage: str
    rule: str
    kind: str
    confidence: float
    note: str
    key: str  # rule@raw_lo:raw_hi>after, used by review decisions to skip it


@dataclass(slots=True)
class Piece:
    """A stretch of the current text: kept raw text (raw_start >= 0, text read from raw
    on demand, so splitting a long kept piece copies nothing) or written text (raw_start -1)."""

    raw_start: int
    length: int
    text: str | None = None  # written pieces only
    refs: tuple[int, ...] = ()  # indices into Document.applied (written pieces)


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
        self.pieces: list[Piece] = [Piece(0, len(raw))] if raw else []
        self.applied: list[Applied] = []
        self._text: str | None = raw
        self._starts: list[int] | None = None
        self._raw_lines: list[int] | None = None

    # -- reading ---------------------------------------------------------
    @property
    def text(self) -> str:
        if self._text is None:
            raw = self.raw
            self._text = "".join(raw[p.raw_start:p.raw_start + p.length] if p.text is None else p.text
                                 for p in self.pieces)
        return self._text

    def _piece_starts(self) -> list[int]:
        if self._starts is None:
            pos, starts = 0, []
            for p in self.pieces:
                starts.append(pos)
                pos += p.length
            self._starts = starts
        return self._starts

    def raw_offset(self, pos: int, *, end: bool = False) -> int:
        """The raw offset of current offset `pos`.

        Inside written (inserted) text there is no exact raw offset; we answer
        with the raw span that text replaced: its start (or its end, if end=True).
        """
        if not self.pieces:
            return 0
        starts = self._piece_starts()
        i = bisect.bisect_right(starts, pos) - 1
        j = i
        pieces = self.pieces
        while j >= 0 and starts[j] + pieces[j].length >= pos:
            p = pieces[j]
            if p.raw_start >= 0:
                return p.raw_start + (pos - starts[j])
            j -= 1
        if end:
            for k in range(i + 1, len(pieces)):
                if pieces[k].raw_start >= 0:
                    return pieces[k].raw_start
            return len(self.raw)
        for k in range(min(i, len(pieces)) - 1, -1, -1):
            if pieces[k].raw_start >= 0:
                return pieces[k].raw_start + pieces[k].length
        return 0

    def current_offset(self, raw_pos: int) -> int | None:
        """The current offset of raw offset `raw_pos`, or None if that raw text was changed."""
        starts = self._piece_starts()
        for i, p in enumerate(self.pieces):
            if p.raw_start >= 0 and p.raw_start <= raw_pos <= p.raw_start + p.length:
                return starts[i] + raw_pos - p.raw_start
        return None

    def line_col(self, raw_pos: int) -> tuple[int, int]:
        """1-based line and column of a raw offset, for humans."""
        if self._raw_lines is None:
            lines = [0]
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

    def apply(self, stage: str, edits: list[Edit], skip: frozenset[str] = frozenset()) -> list[Edit]:
        """Splice a stage's edits (sorted, non-overlapping, on the current text) into the pieces.

        Edits whose key is in `skip` (rejected by a proofreader) are left out.
        Returns the edits actually applied.
        """
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        prev_end = -1
        text = self.text
        for e in edits:
            if e.start < prev_end or e.end < e.start or e.end > len(text):
                raise OverlapError(f"stage {stage}: edit {e.rule} {e.start}..{e.end} overlaps or is out of range")
            prev_end = e.end if e.end > e.start else e.start
        done: list[Edit] = []
        applied_refs: list[int] = []
        for e in edits:
            if text[e.start:e.end] == e.after:
                continue
            key = self.key(e) if skip or self.keys else ""
            if skip and key in skip:
                continue
            done.append(e)
            self.applied.append(Applied(stage, e.rule, e.kind, e.confidence, e.note, key if self.keys else ""))
            applied_refs.append(len(self.applied) - 1)
        if done:
            self._splice(done, applied_refs)
        return done

    def _splice(self, edits: list[Edit], refs: list[int]) -> None:
        """Replace the spans of `edits` by written pieces; offsets are in the old text.

        Kept and written pieces are split alike at edit boundaries; a written
        piece records the edits it absorbed (`refs`), so a change made of two
        stages' work names both.
        """
        pieces = list(self.pieces)
        out: list[Piece] = []
        n, i, pos = len(pieces), 0, 0
        for e, ref in zip(edits, refs):
            s, t = e.start, e.end
            while i < n and pos + pieces[i].length <= s:  # wholly before the edit
                out.append(pieces[i])
                pos += pieces[i].length
                i += 1
            if i < n and pos < s:  # s falls inside pieces[i]: split it
                head, tail = _split(pieces[i], s - pos)
                out.append(head)
                pieces[i] = tail
                pos = s
            merged: list[int] = []
            while i < n and pos < t:  # consume [s, t)
                p = pieces[i]
                merged.extend(p.refs)
                stop = pos + p.length
                if stop > t:
                    _, pieces[i] = _split(p, t - pos)
                    pos = t
                    break
                pos = stop
                i += 1
            out.append(Piece(-1, len(e.after), e.after, tuple(dict.fromkeys(merged)) + (ref,)))
        out.extend(pieces[i:])
        self.pieces = [p for p in out if p.length or p.raw_start < 0]
        self._text = None
        self._starts = None

    # -- the change log -----------------------------------------------------
    def _groups(self):
        """Each stretch between two kept pieces that differs from raw:
        (raw start, raw end, before, after, the applied edits that made it)."""
        raw = self.raw
        prev_end = 0
        buf: list[str] = []
        refs: list[int] = []
        for p in self.pieces + [Piece(len(raw), 0)]:  # a sentinel kept piece at the end
            if p.raw_start < 0:
                buf.append(p.text)
                refs.extend(p.refs)
                continue
            if p.raw_start != prev_end or refs:
                before, after = raw[prev_end:p.raw_start], "".join(buf)
                if before != after:
                    yield prev_end, p.raw_start, before, after, [self.applied[r] for r in dict.fromkeys(refs)]
            prev_end = p.raw_start + p.length
            buf, refs = [], []

    def changes(self) -> list[Change]:
        """The raw-level change log: sorted, non-overlapping, exact."""
        return list(self.iter_changes())

    def iter_changes(self) -> Iterator[Change]:
        """changes(), one at a time (a large log is stored compactly as it comes: model.ChangeLog)."""
        return (self._change(*group) for group in self._groups())

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


def _split(p: Piece, cut: int) -> tuple[Piece, Piece]:
    """Split a piece at `cut`; a kept tail keeps its raw offset, a written one its refs."""
    if p.raw_start >= 0:
        return Piece(p.raw_start, cut), Piece(p.raw_start + cut, p.length - cut)
    return Piece(-1, cut, p.text[:cut], p.refs), Piece(-1, p.length - cut, p.text[cut:], p.refs)


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
