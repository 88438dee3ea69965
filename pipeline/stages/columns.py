"""Stage *columns*: a page set in two columns, read across by the text layer, read column by column.

`pdftotext -layout` and many OCR engines write a two-column page line by line across both columns
("I quickly followed suit, and          The bar-room was now full of the"): read so, every line
joins the halves of two sentences. The file's own layout says whether it is so: a gutter, two or
more character columns blank on nearly every line, with text on both sides of it on many lines,
the right column's lines starting at one column, and prose on both sides (long runs of letters:
a table's columns of figures or short cells are not prose). Each run of lines that keeps to the
gutter is rewritten as its left column, then its right one (one edit, rule `columns.two`); a line
crossing the gutter (a running head, a title across the page) ends a run and stays where it is.
A file that shows no such gutter is left as it is.

Line numbers in a margin ("   10" after every fifth line of a poem or a statute) are no part of the text:
taken out where their values grow as the lines between them do (`line_numbers`, rule `columns.line-number`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.stages import settings, stage


@dataclass
class ColumnsSettings:
    min_lines: int = 8  # a page of two columns has at least this many lines of text
    gutter: int = 2  # blank character columns between the two columns, at least
    crossing: float = 0.25  # the share of lines that may cross the gutter (heads, titles, page numbers), at most
    both: float = 0.4  # the share of lines with text on both sides of the gutter, at least
    aligned: float = 0.5  # the share of the right column's lines that start at its first column, at least
    prose: int = 15  # the mean length of a column's pieces of lines, at least (a table's cells are shorter)
    numbered: int = 4  # line numbers in a margin: at least this many, counting the lines in steps of 2 or more


_LETTER = re.compile(r"[^\W\d_]")
_MARKS = re.compile(r"[^ ]+")
# a page's lines are shorter: a file with more lines longer (a paragraph a line) is no page of columns
MAX_WIDTH = 250


@stage("columns", requires=("unicode",), assigns=("columns",), kinds=("layout", "furniture"),
       labels={"columns.two": "two columns read apart", "columns.line-number": "line number"},
       settings=ColumnsSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Two columns read across, read column by column; line numbers in a margin taken out."""
    st = settings("columns", ctx)
    if "  " not in text:
        return StageResult()
    lines = text.split("\n")
    offsets, pos = [], 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    right = gutter(lines, st)
    if right is None:
        return StageResult(_line_number_edits(lines, offsets, st))
    edits = []
    for a, b in _runs(lines, right, st):
        start, end = offsets[a], offsets[b - 1] + len(lines[b - 1])
        new = _apart(lines[a:b], right)
        if new != text[start:end]:
            edits.append(Edit(start, end, new, "columns.two", "layout", 0.9,
                              f"two columns read across: lines {a + 1}-{b}, the right column from character {right + 1}"))
    return StageResult(edits)


def gutter(lines: list[str], st: ColumnsSettings) -> int | None:
    """The first character column of the right column, if the lines are set in two columns."""
    body = [ln.rstrip() for ln in lines if ln.strip()]
    n = len(body)
    if n < st.min_lines:
        return None
    long = sum(len(ln) > MAX_WIDTH for ln in body)
    if long > st.crossing * n:
        return None
    width = min(MAX_WIDTH, max(len(ln) for ln in body))
    # lines with no mark at each character column: n less the lines marked there, from the runs of
    # marks of each line (a difference array: a few steps a word, not one a character)
    step = [0] * (width + 1)
    for ln in body:
        if len(ln) > MAX_WIDTH:  # a line across the page: marked everywhere
            step[0] += 1
            continue
        for m in _MARKS.finditer(ln):
            step[m.start()] += 1
            step[m.end()] -= 1
    blank, marked = [], 0
    for x in range(width):
        marked += step[x]
        blank.append(n - marked)
    best, best_both = None, 0
    need = n * (1.0 - st.crossing)
    for p in range(st.gutter + st.prose, width - st.prose):
        if not all(blank[x] >= need for x in range(p - st.gutter, p)) or blank[p] >= need:
            continue
        both = sum(1 for ln in body if len(ln) > p and ln[:p - st.gutter].strip() and ln[p:].strip())
        if both > best_both:
            best, best_both = p, both
    if best is None or best_both < st.both * n:
        return None
    p = best
    rights = [ln for ln in body if len(ln) > p and ln[p:].strip() and not ln[p - st.gutter:p].strip()]
    if sum(1 for ln in rights if ln[p] != " ") < st.aligned * len(rights):
        return None
    lefts = [ln[:p].strip() for ln in body if ln[:p - st.gutter].strip() and not ln[p - st.gutter:p].strip()]
    if not (_prose(lefts, st) and _prose([ln[p:].strip() for ln in rights], st)):
        return None
    return p


def _prose(pieces: list[str], st: ColumnsSettings) -> bool:
    """Long pieces, mostly letters: running text, not a table's cells."""
    if not pieces:
        return False
    chars = "".join(pieces).replace(" ", "")
    letters = len(_LETTER.findall(chars))
    return sum(map(len, pieces)) / len(pieces) >= st.prose and letters >= 0.7 * max(1, len(chars))


def _crosses(ln: str, right: int, st: ColumnsSettings) -> bool:
    return bool(ln[right - st.gutter:right].strip())


def _runs(lines: list[str], right: int, st: ColumnsSettings):
    """(first, end) line ranges that keep to the gutter, with text on both sides somewhere."""
    a = None
    for i, ln in enumerate(lines + ["\0" * (right + 1)]):  # a sentinel that crosses
        if _crosses(ln, right, st):
            if a is not None:
                yield from _trimmed(lines, a, i, right, st)
            a = None
        elif a is None:
            a = i


def _trimmed(lines, a: int, b: int, right: int, st: ColumnsSettings):
    """The run without its blank lines at either end, if its right column holds text."""
    while a < b and not lines[a].strip():
        a += 1
    while b > a and not lines[b - 1].strip():
        b -= 1
    if b - a >= 2 and any(len(ln) > right and ln[right:].strip() for ln in lines[a:b]):
        yield a, b


def _apart(run: list[str], right: int) -> str:
    """The run's left column, then its right one."""
    left = [ln[:right].rstrip() for ln in run]
    rest = [ln[right:].rstrip() if len(ln) > right else "" for ln in run]
    while left and not left[-1]:
        left.pop()
    while rest and not rest[0]:
        rest.pop(0)
    return "\n".join(left + rest)


# a number set off in a margin: after the line's text (two spaces or more before it), or before it
_RIGHT_NUMBER = re.compile(r"(?<=\S)( {2,}\d{1,4}) *$")
_LEFT_NUMBER = re.compile(r"^ *(\d{1,4})(?= {2,}\S)")


def line_numbers(lines: list[str], st: ColumnsSettings) -> list[tuple[int, int, int]]:
    """(line, start, end) of the line numbers a margin carries ("   10" after every fifth line of a poem or
    a statute), found by their own evidence: numbers on one side of the text whose values grow as the
    lines between them do (the lines of text, or all lines), in steps of 2 or more (a numbered list, a
    table's numbered rows step by 1 and stay), on `numbered` lines at least; a page may start again."""
    text_index, k = [], 0
    for ln in lines:
        text_index.append(k)
        k += bool(ln.strip())
    out = []
    for pattern in (_RIGHT_NUMBER, _LEFT_NUMBER):
        found = [(i, m) for i, ln in enumerate(lines) if (m := pattern.search(ln))]
        if len(found) < st.numbered:
            continue
        fits = set()
        for (i, m), (j, n) in zip(found, found[1:]):
            step = int(n.group(1)) - int(m.group(1))
            if step >= 2 and step in (j - i, text_index[j] - text_index[i]):
                fits.update((i, j))
        if len(fits) >= st.numbered and len(fits) >= 0.8 * len(found):
            out += [(i, m.start(1), m.end(1)) for i, m in found if i in fits]
    return sorted(out)


def _line_number_edits(lines: list[str], offsets: list[int], st: ColumnsSettings) -> list[Edit]:
    """A right margin's number goes with the spaces before it; a left one's digits become spaces (the
    line's indent, which the layout reads, stays as the unnumbered lines have it)."""
    edits = []
    for i, a, b in line_numbers(lines, st):
        number = lines[i][a:b].strip()
        gone = "" if b == len(lines[i].rstrip()) else " " * (b - a)
        edits.append(Edit(offsets[i] + a, offsets[i] + b, gone, "columns.line-number", "furniture", 0.95,
                          f"line number {number} in the margin"))
    return edits
