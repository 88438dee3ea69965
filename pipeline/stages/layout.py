"""Stage *layout*: from physical lines to paragraphs.

Scans and PDF exports keep the page, not the text: one physical line per line,
double spacing ("line⏎⏎line"), page breaks as runs of blank lines in the middle
of a sentence, footnotes at the foot of the page, web furniture. This stage
rebuilds the paragraphs:

* lines of one paragraph are joined with one space
  ("the quicker and more complete ⏎ will be" -> "... complete will be");
* a page break in mid-sentence is joined the same way
  ("a new: homo-geneous, ⏎⏎⏎⏎ unified, perfectly-arranged" -> one paragraph);
* a paragraph ends at a short line that ends a sentence, and headings
  ("1. Growth of the Workers Opposition", «Корень разногласий») stand alone;
* a line ending in a hyphen is left as "-⏎" for the *hyphenation* stage;
* footnote bodies stranded at the foot of a page ("1 Пример – голосование
  платформ: …") are moved after the last paragraph as "[^1]: …";
* page and web furniture ("Top of the page", "Last updated on …") is removed;
* where text was lost at a page break (Lenin: "But it’s no use Trotsky’s
  pinning it on" followed by a new paragraph) a query is raised, nothing invented.

How a witness is laid out (double spacing, page-break gap, one paragraph per
line) is measured from the text itself; config/policy.toml can fix any of it.
"""
from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import Settings, stage

# a sentence (or clause that ends a paragraph) is over: . ? ! … : ; with closing quotes/brackets
_END = re.compile(r"""[.?!…:;]['"”»’)\]]*\s*$|[.?!…]\s*['"”»’)]\s*$""")
_STRONG_END = re.compile(r"""[.?!…]['"”»’)\]]*\s*$""")
_HYPHEN_END = re.compile(r"(?<=[^\W_])-$")  # after a letter or a digit ("тезисах 10-⏎ти")
_LIST_ITEM = re.compile(r"^(\(?\d{1,2}\)|\(\w\)|\d{1,2}\.\s|[a-zа-я]\)\s)")
_NUMBERED_HEADING = re.compile(r"^\d{1,2}\.\s*[A-ZА-ЯЁ]")
_FOOTNOTE_BODY = re.compile(r"^(\d{1,2})\s+\S")
_ENDNOTE = re.compile(r"^\[(\d{1,3}[a-z]?)\]\s*\S")


@dataclass(slots=True)
class Line:
    """A non-blank physical line: its content span (whitespace stripped) and the gap before it."""

    lead: int        # offset of the line's first character (incl. leading whitespace)
    start: int       # offset of the first non-space character
    end: int         # offset after the last non-space character
    text: str        # content, stripped
    gap: int         # blank (or whitespace-only) lines before this one
    ws_sep: bool     # one of those blank lines held spaces (a PDF's footnote separator)


@dataclass(slots=True)
class Profile:
    """How a witness is laid out, measured (or set in config/policy.toml)."""

    mode: str        # "wrapped" (hard line breaks inside paragraphs) or "lines" (a line is a paragraph)
    base_gap: int    # blank lines between two lines of one page (0, or 1 when double-spaced)
    page_gap: int    # blank lines at a page break
    width: float     # typical length of a full line
    fit: float = 0.0  # a line this long plus the next word would still have fitted: the line ended on purpose


def scan_lines(text: str) -> list[Line]:
    """The non-blank lines of the text, with the blank-line gap before each."""
    lines: list[Line] = []
    pos, gap, ws = 0, 0, False
    for raw_line in text.split("\n"):
        stripped = raw_line.strip()
        if not stripped:
            gap += 1
            ws = ws or bool(raw_line)
        else:
            lead = len(raw_line) - len(raw_line.lstrip())
            lines.append(Line(pos, pos + lead, pos + len(raw_line.rstrip()), stripped, gap, ws))
            gap, ws = 0, False
        pos += len(raw_line) + 1
    return lines


def measure(lines: list[Line], policy: dict) -> Profile:
    """Measure the layout: mode, normal gap, page-break gap and line width."""
    gaps = Counter(ln.gap for ln in lines[1:]) or Counter({0: 1})
    base = policy.get("base_gap", gaps.most_common(1)[0][0])
    larger = [g for g, _ in gaps.most_common() if g > base]
    page = policy.get("page_gap", larger[0] if larger else base + 2)
    lengths = sorted(len(ln.text) for ln in lines)
    width = float(statistics.quantiles(lengths, n=10)[6]) if len(lengths) >= 10 else float(max(lengths or [80]))
    mode = policy.get("mode", "auto")
    if mode == "auto":
        mode = "lines" if width > 200 or (base >= 1 and width > 150) else "wrapped"
    return Profile(mode, base, page, width, policy.get("fit", _fit(lines, width)))


def _fit(lines: list[Line], width: float) -> float:
    """The wrap width, measured: how long a line plus the next word gets inside a paragraph.

    Where the next line starts in lower case, the paragraph goes on, so the
    line was full: its length plus one space plus the next word is over the wrap
    width. A low percentile of those sums is the width below which a line ended
    on purpose (Lenin's text was wrapped at 80 characters: no such sum is under 81).
    """
    sums = sorted(len(a.text) + 1 + len(b.text.split(" ", 1)[0])
                  for a, b in zip(lines, lines[1:]) if b.text[:1].islower() and b.gap <= 1)
    if len(sums) < 20:
        return width * 0.97
    return float(sums[len(sums) // 50])


class LayoutSettings(Settings):
    """[default.layout] and its layers in config/policy.toml."""

    mode: Literal["auto", "wrapped", "lines"] = "auto"  # measured, or set
    furniture: list[str] = []  # full-line regexes removed as page or web furniture
    base_gap: int | None = None  # blank lines between two lines of one page (measured if unset)
    page_gap: int | None = None  # blank lines at a page break (measured if unset)
    fit: float | None = None  # line length below which a line ended on purpose (measured if unset)


@stage("layout", assigns=("paragraphs", "line-end-hyphens"), leaves=("layout",),
       kinds=("layout", "spacing", "footnote", "furniture"),
       labels={"layout.page-break": "page break", "layout.footnote-move": "footnote moved",
               "layout.heading": "heading", "layout.lost-text": "text lost"},
       settings=LayoutSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Join lines into paragraphs, move footnotes, remove furniture; query lost text."""
    policy = ctx.policy.get("layout", {})
    lines = scan_lines(text)
    if not lines:
        return StageResult()
    lines, furniture = _drop_furniture(lines, policy)
    if not lines:
        return StageResult()
    profile = measure(lines, policy)
    ctx.facts["layout"] = {"mode": profile.mode, "base_gap": profile.base_gap,
                           "page_gap": profile.page_gap, "width": round(profile.width, 1), "fit": profile.fit}
    body, notes = _split_footnotes(lines, profile) if profile.mode == "wrapped" else (lines, [])
    removed = Removed(furniture, notes)
    edits: list[Edit] = []
    queries: list[Query] = []
    if body[0].start > 0:
        edits.append(removed.edit(0, body[0].start, "", "layout.leading-space", "spacing",
                                  "blank lines or spaces before the text"))
    prev_para_end = True
    for a, b in zip(body, body[1:]):
        decision, rule, note, query = _boundary(a, b, profile, prev_para_end)
        if decision == "join" and query is None:
            query = _paragraph_doubt(a, b, profile)
        sep = {"join": " ", "hyphen": "\n", "break": "\n\n"}[decision]
        if text[a.end:b.start] != sep:
            edits.append(removed.edit(a.end, b.start, sep, rule, "layout", note))
        if query:
            queries.append(query)
        prev_para_end = decision == "break"
    # the end: footnote bodies written after the last paragraph, one final newline
    last = body[-1]
    appended = "".join(f"\n\n{note}" for note in _notes_text(notes)) + "\n"
    if text[last.end:] != appended:
        edits.append(removed.edit(last.end, len(text), appended, "layout.end", "spacing", "end of text: one newline"))
    return StageResult(edits, queries)


@dataclass
class Removed:
    """Lines taken out of the running text (furniture, footnote bodies): an edit whose
    span covers them says so in its rule and note."""

    furniture: list[Line]
    notes: list[list[Line]]

    def __post_init__(self) -> None:
        self._furniture_starts = [ln.start for ln in self.furniture]
        self._note_starts = [bl[0].start for bl in self.notes]

    def edit(self, start: int, end: int, after: str, rule: str, kind: str, note: str) -> Edit:
        i, j = bisect.bisect_left(self._furniture_starts, start), bisect.bisect_left(self._furniture_starts, end)
        gone = [ln for ln in self.furniture[i:j] if ln.end <= end]
        i, j = bisect.bisect_left(self._note_starts, start), bisect.bisect_left(self._note_starts, end)
        moved = [bl for bl in self.notes[i:j] if bl[-1].end <= end]
        if gone:
            rule += "+layout.furniture"
            kind = "furniture"
            note += "; furniture removed: " + ", ".join(repr(ln.text[:50]) for ln in gone)
        if moved:
            rule += "+layout.footnote-move"
            kind = "footnote"
            nums = ", ".join(_note_number(bl) or "(continued)" for bl in moved)
            note += f"; footnote {nums} moved after the last paragraph"
        return Edit(start, end, after, rule, kind, 1.0, note)


def _boundary(a: Line, b: Line, p: Profile, prev_para_end: bool) -> tuple[str, str, str, Query | None]:
    """Join, keep a hyphen, or break between lines a and b? With the rule and any query."""
    if p.mode == "lines":
        return "break", "layout.paragraph", "one paragraph per line", None
    page_break = b.gap > p.base_gap
    short = len(a.text) + 1 + len(b.text.split(" ", 1)[0]) < p.fit
    very_short = len(a.text) < p.width * 0.75
    a_ends = bool(_END.search(a.text[-8:]))  # the tail is enough, and fast
    b_lower = b.text[:1].islower() and not _scanno_capital(b.text)
    b_upper = b.text[:1].isupper() or b.text[:1] in "«“\"'(" or b.text[:1].isdigit()
    where = "page break" if page_break else "line end"
    if _HYPHEN_END.search(a.text[-3:]) and b.text[:1].isalpha():
        return "hyphen", "layout.hyphen-line-end", f"line-end hyphen at a {where}; resolved by the hyphenation stage", None
    heading = _is_heading(a, p, prev_para_end) and not b_lower  # a heading is not followed by lower case
    # a long numbered heading: "2. New relations in production and the materialist conception of history"
    heading = heading or (prev_para_end and short and b_upper and not a_ends and bool(_NUMBERED_HEADING.match(a.text)))
    if heading:
        return "break", "layout.heading", "heading stands alone", None
    if page_break and b.gap > p.page_gap and not b_lower:
        return "break", "layout.section-break", f"section break ({b.gap} blank lines)", None
    if _NUMBERED_HEADING.match(b.text) and len(b.text) < p.width * 0.75 and (a_ends or very_short):
        return "break", "layout.heading", "numbered heading starts here", None
    if _ENDNOTE.match(b.text) and a_ends:
        return "break", "layout.paragraph", "an endnote starts a paragraph", None
    if _LIST_ITEM.match(b.text) and a_ends:
        return "break", "layout.paragraph", "list item starts a paragraph", None
    if page_break:
        if not a_ends and b_lower:
            return "join", "layout.page-break", "page break in mid-sentence: paragraph rejoined", None
        if not a_ends and b_upper and p.base_gap >= 1 and b.gap == p.base_gap + 1 and not b.ws_sep:
            q = Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.9,
                      "text lost at a page break? the line before ends in mid-sentence and a new paragraph follows",
                      rule="layout.lost-text")
            return "break", "layout.lost-text", "paragraph ends in mid-sentence: text lost here (see query)", q
        if a_ends and b_lower:
            q = Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.7,
                      "text lost at a page break? a sentence ends and the next line starts in lower case",
                      rule="layout.lost-text")
            return "join", "layout.page-break", "page break: lines joined (see query)", q
        if a_ends and short:
            return "break", "layout.paragraph", f"paragraph ends at a short line before a {where}", None
        return "join", "layout.page-break", "page break inside a paragraph: rejoined", None
    if a_ends and short and b_lower and _STRONG_END.search(a.text[-8:]):
        q = Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.6,
                  "text lost? a short line ends a sentence and the next starts in lower case", rule="layout.lost-text")
        return "break", "layout.paragraph", "short line ends a sentence (see query: next line starts in lower case)", q
    if a_ends and short and not b_lower:
        return "break", "layout.paragraph", "paragraph ends at a short line", None
    if short and b_upper and len(a.text) < p.width * 0.75:
        # inside a paragraph every line is full; a short one ends a title, a date line, a signature
        return "break", "layout.paragraph", "short line without final punctuation, next line capitalised", None
    return "join", "layout.line-join", "double-spaced line joined" if p.base_gap else "line joined", None


def _paragraph_doubt(a: Line, b: Line, p: Profile) -> Query | None:
    """A sentence ends on a nearly full line and the next starts a sentence: a paragraph
    may end here, but the layout cannot tell (no indentation survived). Ask."""
    if not (_STRONG_END.search(a.text[-8:]) and b.text[:1].isupper()):
        return None
    if len(a.text) + 1 + len(b.text.split(" ", 1)[0]) >= p.fit + 6:
        return None
    return Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", ["¶"], 0.3,
                 "paragraph break? a sentence ends on a nearly full line; the lines were joined",
                 rule="layout.paragraph-doubt")


def _scanno_capital(t: str) -> bool:
    """A line starting "lf we begin" starts with a capital the OCR read as l ("If")."""
    word = re.match(r"[^\W\d_]+", t)
    if not word or not word.group().startswith("l"):
        return False
    w = word.group()
    return w in {"lf", "lt", "ln", "ls"} or (len(w) > 2 and zipf("I" + w[1:]) > zipf(w) + 1)


def zipf(word: str) -> float:
    from pipeline.lexicon import shared
    return shared("en").zipf(word)


def _is_heading(a: Line, p: Profile, prev_para_end: bool) -> bool:
    """A short line after a paragraph end, capitalised or numbered, not ending a clause."""
    t = a.text
    if not prev_para_end or len(t) > p.width * 0.75 or len(t.split()) > 12:
        return False
    if not (t[:1].isupper() or t[:1].isdigit()):
        return False
    if re.search(r"[,;:]$|[^.]\.$", t[-3:]) and not _NUMBERED_HEADING.match(t):
        return False
    return True


def _split_footnotes(lines: list[Line], p: Profile) -> tuple[list[Line], list[list[Line]]]:
    """Separate footnote blocks at the foot of a page from the body lines.

    A block starts after a gap larger than the normal one (the PDF's separator
    line, often a line of spaces) with a line "N text", and runs to the next
    larger gap. A footnote that runs over to the next page continues there
    after a separator line, in lower case ("использовать его знания, …"):
    that block is a continuation (its first line has no number).
    """
    body: list[Line] = []
    notes: list[list[Line]] = []
    block: list[Line] | None = None
    for ln in lines:
        if block is not None:
            if ln.gap <= p.base_gap:
                block.append(ln)
                continue
            notes.append(block)
            block = None
        separated = ln.gap > p.base_gap and (ln.ws_sep or ln.gap < p.page_gap)
        if separated and body and _FOOTNOTE_BODY.match(ln.text):
            block = [ln]
            continue
        if separated and notes and ln.ws_sep and ln.text[:1].islower():
            block = [ln]  # continuation of the last footnote
            continue
        body.append(ln)
    if block is not None:
        notes.append(block)
    return body, notes


def _note_number(block: list[Line]) -> str | None:
    m = _FOOTNOTE_BODY.match(block[0].text)
    return m.group(1) if m else None


def _notes_text(notes: list[list[Line]]) -> list[str]:
    """Footnote bodies as paragraphs "[^1]: Пример – голосование платформ: …"; a
    continuation block is joined to the footnote before it."""
    out: list[str] = []
    for block in notes:
        num = _note_number(block)
        parts = [ln.text for ln in block]
        if num is not None:
            parts[0] = parts[0][len(num):].strip()
            text = ""
        else:
            text = out.pop().split("]: ", 1)[1] if out else ""
            num = _last_num(notes, block)
        for part in parts:
            text = part if not text else text + ("\n" if _HYPHEN_END.search(text) else " ") + part
        out.append(f"[^{num}]: {text}")
    return out


def _last_num(notes: list[list[Line]], block: list[Line]) -> str:
    i = notes.index(block)
    for prev in reversed(notes[:i]):
        n = _note_number(prev)
        if n is not None:
            return n
    return "0"


def _drop_furniture(lines: list[Line], policy: dict) -> tuple[list[Line], list[Line]]:
    """Separate lines matching the witness's furniture patterns (web boilerplate, running heads)."""
    patterns = [re.compile(p) for p in policy.get("furniture", [])]
    kept = [ln for ln in lines if not any(p.fullmatch(ln.text) for p in patterns)]
    gone = [ln for ln in lines if any(p.fullmatch(ln.text) for p in patterns)]
    return kept, gone
