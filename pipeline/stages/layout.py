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
* a line ending in a hyphen is left as "-⏎" for the *hyphenation* stage (a soft hyphen, "‐" or "¬"
  ending a line after a letter is written "-" first: layout.hyphen-mark);
* footnote bodies stranded at the foot of a page ("1 Пример – голосование
  платформ: …") are moved after the last paragraph as "[^1]: …";
* page furniture is removed (edits of kind "furniture"): running heads, also alternating
  odd/even ones, and page numbers ("12", "- 12 -", "Page 12", "xii") found by their
  recurrence across pages (fuzzily: OCR varies a head), web furniture by the witness's
  patterns ("Top of the page"); the paragraph and a word hyphenated across the page are
  rejoined; a number that may be a page number but continues no sequence is a query;
* a table's rows (columns set apart by spaces, their edges in line) stay lines of their own;
* a drop capital alone on its line, or apart by a space at a paragraph's start, is joined to the
  rest of its word ("C" / "ALL me", "C ALL me" -> "CALL me");
* a line broken at a dash the text sets closed is joined without a space ("ago—⏎never" -> "ago—never");
* an indented line starts a paragraph in a print that indents; a blank line is a paragraph
  break in a print that sets one between paragraphs (a page break falls anywhere);
* lines that are not physical lines (ICDAR's ~50-word lines) are joined, not made paragraphs;
* where text was lost at a page break (Lenin: "But it’s no use Trotsky’s
  pinning it on" followed by a new paragraph) a query is raised, nothing invented.

How a witness is laid out (line mode, double spacing, paragraph and page-break gaps,
indentation, width, pages) is measured from the text itself and left in ctx.facts["layout"]
(reports/witnesses.json, `<name>.layout.json`); config/policy.toml can fix any of it.
"""
from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Literal

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import Settings, stage
from pipeline.stages.decode import HYPHEN_MARKS
from pipeline.stages.notes import NOTE_SYMBOLS, SUPERSCRIPT, SYMBOL, after_word, plain_number

# a sentence (or clause that ends a paragraph) is over: . ? ! … : ; with closing quotes/brackets
_END = re.compile(r"""[.?!…:;]['"”»’)\]]*\s*$|[.?!…]\s*['"”»’)]\s*$""")
_STRONG_END = re.compile(r"""[.?!…]['"”»’)\]]*\s*$""")
_HYPHEN_END = re.compile(r"(?<=[^\W_])-$")  # after a letter or a digit ("тезисах 10-⏎ти")
_LIST_ITEM = re.compile(r"^(\(?\d{1,2}\)|\(\w\)|\d{1,2}\.\s|[a-zа-я]\)\s)")
_NUMBERED_HEADING = re.compile(r"^\d{1,2}\.\s*[A-ZА-ЯЁ]")
_FOOTNOTE_BODY = re.compile(rf"^(\d{{1,2}}(?=\s+\S)|{SUPERSCRIPT}{{1,2}}(?=\s*\S)|{SYMBOL}(?=\s+[^\s{re.escape(NOTE_SYMBOLS)}]))")  # not "* * *"
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
    page: bool = False  # page furniture (a running head, a page number) stood just before it: a new page

    @property
    def indent(self) -> int:
        return self.start - self.lead


@dataclass(slots=True)
class Profile:
    """How a witness is laid out, measured (or set in config/policy.toml)."""

    mode: str        # "wrapped" (hard line breaks inside paragraphs), "lines" (a line is a paragraph)
    #                  or "chunks" (lines are not physical lines: cut anywhere, as in ICDAR's 50-word lines)
    base_gap: int    # blank lines between two lines of one page (0, or 1 when double-spaced)
    page_gap: int    # blank lines at a page break
    width: float     # typical length of a full line
    fit: float = 0.0  # a line this long plus the next word would still have fitted: the line ended on purpose
    indent: int = 0  # a line indented this much more than the text starts a paragraph (0: not an indenting print)
    indent_base: int = 0  # the usual indentation of a line
    para_gap: int = 0  # blank lines that separate paragraphs when larger than base_gap (0: none measured)


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


def measure(lines: list[Line], policy: dict, set_apart: bool = False) -> Profile:
    """Measure the layout: mode, normal gap, paragraph and page-break gaps, width, indentation.
    A text whose lines are `set_apart` (see there) is one paragraph per line."""
    inner = [ln for ln in lines[1:] if not ln.page]  # a gap at a page boundary says nothing of the page
    gaps = Counter(ln.gap for ln in inner) or Counter({0: 1})
    base = gaps.most_common(1)[0][0]
    if base and gaps[0] >= 0.15 * sum(gaps.values()):
        base = 0  # lines often follow each other without a gap: not double spacing, but short paragraphs
    base = policy.get("base_gap", base)
    para_gap = policy.get("para_gap", _para_gap(lines, base))
    larger = [g for g, _ in gaps.most_common() if g > max(base, para_gap)]
    page = policy.get("page_gap", larger[0] if larger else max(base, para_gap) + 2)
    lengths = sorted(len(ln.text) for ln in lines)
    width = float(statistics.quantiles(lengths, n=10)[6]) if len(lengths) >= 10 else float(max(lengths or [80]))
    mode = policy.get("mode", "auto")
    if mode == "auto":
        mode = "wrapped"
        if set_apart or (base >= 1 and width > 150):
            # lines that are not physical lines, each set apart by a blank line: a paragraph each
            # (as the edition's own clean text sets them: cleaning it again must keep them)
            mode = "lines"
        elif width > 200:
            # lines that are not physical lines: one paragraph each ("lines"), or cut anywhere
            # ("chunks"): then most of them end in mid-sentence
            ends = sum(1 for ln in lines if _END.search(ln.text[-8:]))
            mode = "lines" if ends >= 0.5 * len(lines) else "chunks"
    indent_base, indent = _indent(lines) if mode == "wrapped" else (0, 0)
    indent = policy.get("indent", indent)
    return Profile(mode, base, page, width, policy.get("fit", _fit(lines, width)),
                   indent=indent, indent_base=indent_base, para_gap=para_gap)


def _set_apart(text: str, lines: list[Line]) -> bool:
    """Is the text set as the edition writes paragraphs: one line each, set apart by one blank
    line, nothing indented, no line ending in a hyphen, one final newline? Then each line is a
    paragraph (cleaning the clean text must change nothing), unless the lines are of one width,
    as a hard-wrapped double-spaced page's are (most within 15 % of the common length), and run on
    into each other (a tenth of them or more followed by a line in lower case)."""
    if len(lines) < 2 or lines[0].lead != 0 or text[lines[-1].end:] != "\n":
        return False
    for a, b in zip(lines, lines[1:]):
        if text[a.end:b.lead] != "\n\n" or b.start != b.lead or (_HYPHEN_END.search(a.text[-3:]) and b.text[:1].isalpha()):
            return False
    if len(lines) < 8:
        return True  # too few lines to measure a wrap width: taken as set
    # a hard-wrapped page's lines run on into the next in mid-sentence, the next in lower case: lines of
    # a script with case that almost never do are paragraphs, even of one width (a table's rows)
    sample = text[:20000]
    if (sum(c.islower() for c in sample) >= 0.5 * sum(c.isalpha() for c in sample)
            and sum(1 for ln in lines[1:] if ln.text[:1].islower()) < 0.1 * (len(lines) - 1)):
        return True
    lengths = sorted(len(ln.text) for ln in lines[:-1])
    width = lengths[int(0.7 * (len(lengths) - 1))]
    even = sum(1 for n in lengths if 0.85 * width <= n <= 1.15 * width)
    return even < 0.5 * len(lengths)


def _para_gap(lines: list[Line], base: int) -> int:
    """The blank lines a print sets between paragraphs, if it does: the smallest gap above the
    normal one that mostly follows the end of a paragraph (a sentence end or a short line);
    a page break falls anywhere, mostly after a full line."""
    seen: dict[int, list[int]] = {}
    full = statistics.median([len(ln.text) for ln in lines]) if lines else 0
    for a, b in zip(lines, lines[1:]):
        if b.gap > base and not b.page:
            n = seen.setdefault(b.gap, [0, 0])
            n[0] += 1
            n[1] += bool(_END.search(a.text[-8:])) or len(a.text) < 0.8 * full
    for g in sorted(seen):
        n, ends = seen[g]
        if n >= 3 and ends >= 0.6 * n:
            return g
        if n >= 3:
            break  # the first frequent larger gap falls anywhere: a page break, no paragraph gap
    return 0


def _indent(lines: list[Line]) -> tuple[int, int]:
    """How far a paragraph's first line is indented, if the print indents: the indentation
    (above the usual one) that mostly follows a sentence end, seen at least 3 times."""
    # the text's own margin: the smallest indentation a fifth of the lines share (in a list of
    # one-line paragraphs most lines are first lines, indented)
    counts = Counter(ln.indent for ln in lines)
    base = min((k for k, n in counts.items() if n >= 0.2 * len(lines)), default=counts.most_common(1)[0][0])
    seen: dict[int, list[int]] = {}
    full = statistics.median([len(ln.text) for ln in lines])
    for a, b in zip(lines, lines[1:]):
        k = b.indent - base
        if 1 <= k <= 12 and len(b.text) > 10:
            n = seen.setdefault(k, [0, 0])
            n[0] += 1
            n[1] += bool(_END.search(a.text[-8:])) or a.indent > base or len(a.text) < 0.8 * full
    best = max(seen.items(), key=lambda kv: kv[1][0], default=None)
    if best and best[1][0] >= 3 and best[1][0] >= 0.01 * len(lines) and best[1][1] >= 0.6 * best[1][0]:
        return base, best[0]
    return base, 0


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
    # a low percentile, but never far below the typical line: a few short lines followed by
    # lower case (a word pushed down, lost text, verse) must not lower it
    return max(float(sums[len(sums) // 50]), round(0.9 * width, 1))


class LayoutSettings(Settings):
    """[default.layout] and its layers in config/policy.toml."""

    mode: Literal["auto", "wrapped", "lines", "chunks"] = "auto"  # measured, or set
    furniture: list[str] = []  # full-line regexes removed as page or web furniture
    find_furniture: bool = True  # running heads and page numbers found by their recurrence
    indent: int | None = None  # a paragraph's first-line indent (measured if unset; 0: none)
    para_gap: int | None = None  # blank lines between paragraphs (measured if unset; 0: none)
    base_gap: int | None = None  # blank lines between two lines of one page (measured if unset)
    page_gap: int | None = None  # blank lines at a page break (measured if unset)
    fit: float | None = None  # line length below which a line ended on purpose (measured if unset)


@stage("layout", assigns=("paragraphs", "line-end-hyphens"), leaves=("layout",),
       kinds=("layout", "spacing", "footnote", "furniture"),
       labels={"layout.page-break": "page break", "layout.footnote-move": "footnote moved",
               "layout.heading": "heading", "layout.lost-text": "text lost", "layout.table": "table row",
               "layout.drop-capital": "drop capital", "layout.hyphen-mark": "line-end hyphen",
               "layout.dash-line-end": "lines joined"},
       settings=LayoutSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Join lines into paragraphs, move footnotes, remove furniture; query lost text."""
    policy = ctx.policy.get("layout", {})
    lines = scan_lines(text)
    if not lines:
        return StageResult()
    marked = _hyphen_marks(lines)
    lines, furniture, furniture_queries = _drop_furniture(lines, policy)
    lines, furniture = _note_rules(lines, furniture)
    if not lines:
        return StageResult()
    profile = measure(lines, policy, _set_apart(text, lines))
    ctx.facts["layout"] = {"mode": profile.mode, "base_gap": profile.base_gap, "para_gap": profile.para_gap,
                           "page_gap": profile.page_gap, "width": round(profile.width, 1), "fit": profile.fit,
                           "indent": profile.indent, "furniture_lines": len(furniture),
                           "pages_by_furniture": 1 + sum(ln.page for ln in lines)}
    body, notes = _split_footnotes(lines, profile) if profile.mode == "wrapped" else (lines, [])
    removed = Removed(furniture, notes)
    zipf = ctx.resources.lexicon(ctx.language).zipf  # the witness's language: "lf we" read for "If we"
    edits: list[Edit] = []
    queries: list[Query] = list(furniture_queries)
    if body[0].start > 0:
        edits.append(removed.edit(0, body[0].start, "", "layout.leading-space", "spacing",
                                  "blank lines or spaces before the text"))
    for ln in body:
        if ln.start in marked:
            edits.append(Edit(ln.end - 1, ln.end, "-", "layout.hyphen-mark", "layout", 1.0,
                              f"{marked[ln.start]} ending a line after a letter: a hyphen, for the stage hyphenation"))
    prev_para_end = True
    starts = [body[0]]  # the lines that start a paragraph
    table = table_rows(body, profile) if profile.mode == "wrapped" else set()
    closed_dashes: str | None = None  # the dashes the text sets closed, read at the first line a dash breaks
    for a, b in zip(body, body[1:]):
        if a.start in table or b.start in table:
            decision, rule, note, query = "break", "layout.table", "a table's row stands as a line of its own", None
        elif _drop_capital(a, b, profile, zipf):
            decision, rule, note, query = ("glue", "layout.drop-capital",
                                           "a drop capital joined to the rest of its word", None)
        else:
            decision, rule, note, query = _boundary(a, b, profile, prev_para_end, zipf)
        if decision == "join" and (a.text[-1:] in _DASHES or b.text[:1] in _DASHES):
            if closed_dashes is None:
                closed_dashes = _closed_dashes(text)
            if closed_dashes and _dash_break(a, b, closed_dashes):
                decision, rule, note = "glue", "layout.dash-line-end", "a line broken at a closed dash: joined without a space"
        if decision == "join" and query is None:
            query = _paragraph_doubt(a, b, profile)
        sep = {"join": " ", "hyphen": "\n", "break": "\n\n", "glue": ""}[decision]
        if text[a.end:b.start] != sep:
            edits.append(removed.edit(a.end, b.start, sep, rule, "layout", note))
        if query:
            queries.append(query)
        prev_para_end = decision == "break"
        if prev_para_end:
            starts.append(b)
    for ln in starts:  # "C ALL me Ishmael": a drop capital read apart from its word, on the line
        m = _INLINE_DROP_CAPITAL.match(ln.text)
        after = ln.text[m.end():].split(None, 1) if m else []
        # the word after it in lower case or capitalised ("me", "Queequeg's"): a line of capitals
        # ("M R PERCIVAL ANDREWS, DENTAL SURGEON", an advertisement's head) is left as printed
        if (m and m.group(1).isupper() and m.group(3).isupper() and after and any(c.islower() for c in after[0])
                and _joins_word(m.group(1), m.group(3), zipf)):
            edits.append(Edit(ln.start + 1, ln.start + m.end(2), "", "layout.drop-capital", "layout", 1.0,
                              f"a drop capital read apart from its word: {m.group(1)} {m.group(3)} -> {m.group(1)}{m.group(3)}"))
    # the end: footnote bodies written after the last paragraph, one final newline
    last = body[-1]
    appended = "".join(f"\n\n{note}" for note in _notes_text(notes)) + "\n"
    if text[last.end:] != appended:
        edits.append(removed.edit(last.end, len(text), appended, "layout.end", "spacing", "end of text: one newline"))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)), queries)


_RULE_MARKS = "_-—–="
_RULE = re.compile(r"[_\-—–=]{5,}")  # a line drawn with a mark: "__________", "——————"


def _note_rules(lines: list[Line], furniture: list[Line]) -> tuple[list[Line], list[Line]]:
    """The rule a print draws above its page-foot notes, as OCR reads it ("__________" just above
    "¹ With reference …"): furniture, and the note below it set off as by a separator line."""
    rules = [i for i, ln in enumerate(lines[:-1]) if ln.text[:1] in _RULE_MARKS and _RULE.fullmatch(ln.text)
             and _FOOTNOTE_BODY.match(lines[i + 1].text)
             and not _cells(lines[i + 1])]  # a table's numbered row is no note
    if not rules:
        return lines, furniture
    for i in rules:
        nxt = lines[i + 1]
        nxt.gap, nxt.ws_sep = lines[i].gap + nxt.gap + 1, True
    gone = set(rules)
    return [ln for i, ln in enumerate(lines) if i not in gone], sorted(furniture + [lines[i] for i in rules],
                                                                       key=lambda ln: ln.start)


def _hyphen_marks(lines: list[Line]) -> dict[int, str]:
    """Lines that end in a word broken by another mark than "-" (a soft hyphen, "‐", "¬":
    pipeline/data/characters.toml [line-end-hyphen]): the mark is read as "-" from here on (the
    line's text changed), by line start, with the mark's name."""
    out = {}
    for ln in lines:
        t = ln.text
        if len(t) > 1 and t[-1] in HYPHEN_MARKS and t[-2].isalpha():
            out[ln.start] = f"U+{ord(t[-1]):04X} {unicodedata.name(t[-1], '')}"
            ln.text = t[:-1] + "-"
    return out


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


def _boundary(a: Line, b: Line, p: Profile, prev_para_end: bool,
              zipf: Callable[[str], float]) -> tuple[str, str, str, Query | None]:
    """Join, keep a hyphen, or break between lines a and b? With the rule and any query."""
    a_ends = bool(_END.search(a.text[-8:]))  # the tail is enough, and fast
    b_lower = b.text[:1].islower() and not _scanno_capital(b.text, zipf)
    if p.mode == "lines":
        # a line is a paragraph, unless it stops in mid-sentence and the next goes on in lower case
        # (and no blank line stands between: a blank line is the text's own paragraph break)
        if not a_ends and b_lower and len(a.text) > 0.5 * p.width and not b.gap:
            return "join", "layout.line-join", "line ends in mid-sentence, the next goes on in lower case", None
        return "break", "layout.paragraph", "one paragraph per line", None
    if p.mode == "chunks":
        if _HYPHEN_END.search(a.text[-3:]) and b.text[:1].isalpha():
            return "hyphen", "layout.hyphen-line-end", "line-end hyphen; resolved by the hyphenation stage", None
        if a_ends and len(a.text) < 0.5 * p.width and not b_lower:
            return "break", "layout.paragraph", "a short line ends a sentence in a text of long lines", None
        return "join", "layout.line-join", "lines are not physical lines here (cut anywhere): joined", None
    if b.page:
        return _page_boundary(a, b, p, a_ends, b_lower)
    page_break = b.gap > p.base_gap
    short = len(a.text) + 1 + len(b.text.split(" ", 1)[0]) < p.fit
    very_short = len(a.text) < p.width * 0.75
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
    if _starts_paragraph(b, p):
        if a_ends or not b_lower:
            q = None
            if not a_ends and not short:
                q = Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.6,
                          "text lost? an indented line starts a paragraph, the line before ends in mid-sentence",
                          rule="layout.lost-text")
            return "break", "layout.paragraph", "indented line starts a paragraph", q
    elif p.indent and not page_break and not b_lower and not short:
        # an indenting print: a full line followed by one not indented is inside a paragraph
        return "join", "layout.line-join", "line joined (no indentation: the paragraph goes on)", None
    if p.para_gap and b.gap == p.para_gap and b.gap > p.base_gap:
        if a_ends:
            return "break", "layout.paragraph", f"paragraph gap ({b.gap} blank lines)", None
        if not b_lower:
            q = None if short else Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.6,
                                         "text lost? a paragraph gap after a line that ends in mid-sentence",
                                         rule="layout.lost-text")
            return "break", "layout.paragraph", f"paragraph gap ({b.gap} blank lines)", q
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


_COLUMN_GAP = re.compile(r" {2,}")
_WORD_GAP = re.compile(r" +")


_FIGURE = re.compile(r"[^\w\s]*\d[\d.,:/%-]*[^\w\s]*")  # "400,000", "12.5%", "(1775)"


def _cells(ln: Line) -> list[tuple[int, int, str]]:
    """A line's cells as (first column, column after the last, text), where two spaces or more part
    it, and its word gaps are uneven. A line whose word gaps are all about as wide (within a space of
    each other) has none: a justified line, its spare width spread over its gaps ("taking  my  first
    daylight  stroll"), is prose, whatever its gaps."""
    if "  " not in ln.text:
        return []
    gaps = [len(m.group()) for m in _WORD_GAP.finditer(ln.text)]
    if not gaps or max(gaps) < 2 or (len(gaps) >= 2 and max(gaps) - min(gaps) <= 1):
        return []
    out, pos = [], 0
    for m in _COLUMN_GAP.finditer(ln.text):
        out.append((ln.indent + pos, ln.indent + m.start(), ln.text[pos:m.start()]))
        pos = m.end()
    out.append((ln.indent + pos, ln.indent + len(ln.text), ln.text[pos:]))
    return out


def table_rows(lines: list[Line], p: Profile) -> set[int]:
    """The rows of tables (columns of figures set apart by spaces), as their lines' starts: three
    lines or more, one after the other, each parted by two spaces or more (its word gaps uneven: a
    justified line is not), with a column of cells at one position in every line, flush left or
    flush right, holding a figure in two lines of three at least ("400,000", a header above them);
    a rule drawn across it ("-------" under the header) is passed over, and is one of its rows.
    Prose, however spaced, keeps no column of figures in line."""
    rows: set[int] = set()
    open_runs: dict[tuple[str, int], list[tuple[int, str]]] = {}  # column edge -> its cells, line by line

    def close(edge):
        run = open_runs.pop(edge)
        figures = sum(1 for _, cell in run if _FIGURE.fullmatch(cell))
        if len(run) >= 3 and figures >= 2 / 3 * len(run):
            idx = [i for i, _ in run]
            if not _text_columns([lines[i] for i in idx]):
                rows.update(lines[i].start for i in idx)

    drawn = []  # rules drawn across a table ("----------" under its header): passed over, then its rows
    for i, ln in enumerate(lines):
        if ln.gap > p.base_gap or ln.page:
            for edge in list(open_runs):
                close(edge)
        if ln.text[:1] in _RULE_MARKS and _RULE.fullmatch(ln.text):
            drawn.append(i)
            continue
        edges = {}
        for a, b, cell in _cells(ln):
            edges[("L", a)] = cell
            edges[("R", b)] = cell
        for edge in [e for e in open_runs if e not in edges]:
            close(edge)
        for edge, cell in edges.items():
            open_runs.setdefault(edge, []).append((i, cell))
    for edge in list(open_runs):
        close(edge)
    for i in drawn:  # a rule touching a row is the table's
        if ((i and lines[i - 1].start in rows and lines[i].gap <= p.base_gap)
                or (i + 1 < len(lines) and lines[i + 1].start in rows and lines[i + 1].gap <= p.base_gap)):
            rows.add(lines[i].start)
    return rows


def _text_columns(run: list[Line]) -> bool:
    """Two columns of running text merged line by line (a two-column page read across), not a table:
    rows of two cells, the shorter of them holding three words or more in most rows (a table's
    row has a short cell: a figure, a unit, a name)."""
    cells = [_COLUMN_GAP.split(ln.text) for ln in run]
    prose = sum(1 for c in cells if len(c) == 2 and min(len(x.split()) for x in c) >= 3)
    return prose > 0.5 * len(run)


def _starts_paragraph(b: Line, p: Profile) -> bool:
    """An indenting print: b is indented by the paragraph indent (give or take a space, where the
    indent is wider than that: a print that indents by one space has no space to give)."""
    return bool(p.indent) and abs(b.indent - p.indent_base - p.indent) <= min(1, p.indent - 1)


def _page_boundary(a: Line, b: Line, p: Profile, a_ends: bool, b_lower: bool) -> tuple[str, str, str, Query | None]:
    """Between the last line of a page and the first of the next (page furniture removed)."""
    if _HYPHEN_END.search(a.text[-3:]) and b.text[:1].isalpha():
        return "hyphen", "layout.hyphen-line-end", "line-end hyphen at a page break; resolved by the hyphenation stage", None
    if not a_ends:
        if b_lower or not _starts_paragraph(b, p):
            return "join", "layout.page-break", "page break in mid-sentence: paragraph rejoined", None
        q = Query(a.end, b.start, f"{a.text[-40:]} ⏎ {b.text[:40]}", [], 0.6,
                  "text lost at a page break? the page ends in mid-sentence and the next starts a paragraph",
                  rule="layout.lost-text")
        return "break", "layout.lost-text", "page ends in mid-sentence, a paragraph starts (see query)", q
    if _starts_paragraph(b, p) or (p.para_gap and b.gap >= p.para_gap and not b_lower):
        return "break", "layout.paragraph", "a paragraph starts at the top of the page", None
    short = len(a.text) + 1 + len(b.text.split(" ", 1)[0]) < p.fit
    if short and not b_lower:
        return "break", "layout.paragraph", "paragraph ends at a short line before a page break", None
    return "join", "layout.page-break", "page break inside a paragraph: rejoined", None


_DASHES = "—–"
_DASH = re.compile("[—–]")


def _closed_dashes(text: str) -> str:
    """The dashes (— –) the text sets closed, with no space either side ("ago—never"): each seen
    so inside a line three times at least, and twice as often as spaced ("ago — never")."""
    closed: Counter[str] = Counter()
    spaced: Counter[str] = Counter()
    for m in _DASH.finditer(text):
        i, d = m.start(), m.group()
        if 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            closed[d] += 1
        elif 1 < i < len(text) - 2 and text[i - 1] == text[i + 1] == " " and text[i - 2].isalnum() and text[i + 2].isalnum():
            spaced[d] += 1
    return "".join(d for d, n in closed.items() if n >= 3 and n >= 2 * spaced[d])


def _dash_break(a: Line, b: Line, closed: str) -> bool:
    """A line broken at a dash the text sets closed: after it ("ago—⏎never", "pan;—⏎that's") or
    before it ("ago⏎—never"), glued to what stands before it and a word after it."""
    return ((len(a.text) > 1 and a.text[-1] in closed and not a.text[-2].isspace() and b.text[:1].isalnum())
            or (len(b.text) > 1 and b.text[0] in closed and b.text[1].isalnum() and a.text[-1:].isalnum()))


_FIRST_WORD = re.compile(r"[^\W\d_]+")


def _drop_capital(a: Line, b: Line, p: Profile, zipf: Callable[[str], float]) -> bool:
    """A drop capital: a capital letter alone on its line, the rest of its word in capitals opening
    the next ("C" / "ALL me Ishmael", "I" / "N this same"), as a chapter's first word is set. The
    word the two make must be likelier than the rarer of the two read apart ("I" / "WAS": no "iwas")."""
    if len(a.text) != 1 or not a.text.isupper() or b.gap > max(1, p.base_gap):
        return False
    m = _FIRST_WORD.match(b.text)
    if not m or not m.group().isupper():
        return False
    return _joins_word(a.text, m.group(), zipf)


def _joins_word(letter: str, rest: str, zipf: Callable[[str], float]) -> bool:
    """Do a capital and the capitals after it make a word likelier than the rarer of the two apart
    ("C" "ALL": "call"; "I" "STUFFED", "A" "DAY": no)?"""
    return zipf((letter + rest).lower()) > min(zipf(letter.lower()), zipf(rest.lower()))


# a paragraph's first line opening with a capital, a space (or a few) and the rest of the word in capitals,
# the line going on in lower case (a heading in capitals is no drop capital): "C ALL me Ishmael"
_INLINE_DROP_CAPITAL = re.compile(r"([^\W\d_])( {1,8})([^\W\d_]+)\b")


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


def _scanno_capital(t: str, zipf: Callable[[str], float]) -> bool:
    """A line starting "lf we begin" starts with a capital the OCR read as l ("If")."""
    word = re.match(r"[^\W\d_]+", t)
    if not word or not word.group().startswith("l"):
        return False
    w = word.group()
    return w in {"lf", "lt", "ln", "ls"} or (len(w) > 2 and zipf("I" + w[1:]) > zipf(w) + 1)


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


def _marked(lines: list[Line], mark: str) -> bool:
    """Whether a note's mark ("3", "³", "†") stands after a word or its punctuation in these lines."""
    after = after_word(re.escape(mark))
    return any(after.search(ln.text) for ln in lines)


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
    pages_known = any(ln.page for ln in lines)  # page ends found by their furniture: a larger gap is no page end
    # the text's last lines, after its last gap, opening with a note's mark: the notes of its last page
    # (a page with no furniture: its one gap may be measured as a page's)
    last = max((i for i, ln in enumerate(lines) if ln.gap > p.base_gap), default=0)
    m = _FOOTNOTE_BODY.match(lines[last].text) if 0 < last and len(lines) - last <= 12 else None
    foot = last if m and _marked(lines[:last], m.group(1)) else None
    cut = False  # the block in hand cuts a sentence of the text in two (_cuts_sentence) ...
    follows = False  # ... or is numbered as the note after the last one
    last_label = None  # the number of the last note found
    for i, ln in enumerate(lines):
        if block is not None:
            if ln.gap <= p.base_gap and not ln.page:
                block.append(ln)
                continue
            page_end = (ln.page if pages_known else ln.gap >= p.page_gap) or cut or follows
            if page_end and len(block) <= 12:
                notes.append(block)
                last_label = _block_label(block, last_label)
            else:  # a note stands at the foot of a page, and is short: a numbered paragraph is text
                body += block
            block = None
        # set off from the text: by a separator line of spaces, or by a gap larger than a paragraph's
        separated = ln.gap > p.base_gap and not ln.page and (
            ln.ws_sep or (ln.gap > p.para_gap and (ln.gap < p.page_gap or pages_known)) or i == foot)
        m = _FOOTNOTE_BODY.match(ln.text)
        cut = m is not None and bool(body) and _cuts_sentence(lines, i, body[-1], p)  # (numbered lines only)
        # set off as a page's foot is (more than a paragraph), numbered as the next note: the notes run on
        # through the text ("1 ..." moved, "2 Then certain of the scribes ..." where a page breaks between sentences)
        follows = bool(m) and last_label is not None and ln.gap > p.para_gap and not ln.page \
            and _next_label(last_label, m.group(1))
        if (separated or cut or follows) and body and m:
            block = [ln]
            continue
        if separated and notes and ln.ws_sep and ln.text[:1].islower():
            block = [ln]  # continuation of the last footnote
            continue
        body.append(ln)
    if block is not None:
        notes.append(block)
    return body, notes


_SENTENCE_END = re.compile(r"[.?!…:;][\"'”’»)\]]*\s*$")


def _cuts_sentence(lines: list[Line], i: int, before: Line, p: Profile) -> bool:
    """Lines i.. are a numbered block ("2 Speaker, people ask me ...") set off by a gap, between a line of the
    text that ends in mid-sentence ("... So he") and, after the next gap, one going on in small letters
    ("speeds up to ..."): the sentence runs round the block, so it is no paragraph of the text but what a
    page's foot put there (a note), whatever the gaps measure (a print with no running heads nor page
    numbers has page breaks as wide as the gap above its notes)."""
    ln = lines[i]
    if ln.gap <= p.base_gap or ln.page or _SENTENCE_END.search(before.text) or not _FOOTNOTE_BODY.match(ln.text):
        return False
    j = i + 1
    while j < len(lines) and j - i <= 12 and lines[j].gap <= p.base_gap and not lines[j].page:
        j += 1
    return j < len(lines) and j - i <= 12 and lines[j].gap > p.base_gap and lines[j].text[:1].islower()


def _block_label(block: list[Line], label: str | None) -> str | None:
    """The number of the last note a block of notes holds ("1 ..." and, a line after, "2 ..."), as
    _notes_text reads them; `label`, the last note's before it, for a block that goes on with it."""
    for k, ln in enumerate(block):
        m = _FOOTNOTE_BODY.match(ln.text)
        if m and (k == 0 or (label is not None and _next_label(label, m.group(1)))):
            label = plain_number(m.group(1))
    return label


def _note_number(block: list[Line]) -> str | None:
    m = _FOOTNOTE_BODY.match(block[0].text)
    return m.group(1) if m else None


def _notes_text(notes: list[list[Line]]) -> list[str]:
    """Footnote bodies as paragraphs "[^1]: Пример – голосование платформ: …"; a
    continuation block is joined to the footnote before it. Inside a block, a line opening
    with the next note's number ("² I remember …" after note 1) starts that note: notes
    set one after the other at a page's foot, no gap between them. A superscript number
    ("¹ With reference …") is written in digits."""
    out: list[str] = []
    for block in notes:
        num = _note_number(block)
        if num is not None:
            text = ""
        else:
            text = out.pop().split("]: ", 1)[1] if out else ""
            num = _last_num(notes, block)
        label = plain_number(num)
        for k, ln in enumerate(block):
            part = ln.text
            m = _FOOTNOTE_BODY.match(part)
            if m and (k == 0 and text == "" or _next_label(label, m.group(1))):
                if text:
                    out.append(f"[^{label}]: {text}")
                label, text = plain_number(m.group(1)), ""
                part = part[m.end():].strip()
            text = part if not text else text + ("\n" if _HYPHEN_END.search(text) else " ") + part
        out.append(f"[^{label}]: {text}")
    return out


def _next_label(label: str, number: str) -> bool:
    """Is `number` (as printed) the note after note `label`?"""
    return label.isdigit() and plain_number(number) == str(int(label) + 1)


def _last_num(notes: list[list[Line]], block: list[Line]) -> str:
    i = notes.index(block)
    for prev in reversed(notes[:i]):
        n = _note_number(prev)
        if n is not None:
            return n
    return "0"


_NUM = r"(?:\d{1,4}|[ivxlcdm]{1,9}|[IVXLCDM]{1,9})"
# a page number alone: "12", "- 12 -", "— xii —", "Page 12", "Стр. 12", "[12]"
# "Page" as OCR may read it, a letter misread ("Fage 76", "Paqe 12")
_PAGE_WORD = r"(?:[^\W\d_]age|p[^\W\d_]ge|pa[^\W\d_]e|pag[^\W\d_])"
_PAGE_NUMBER = re.compile(rf"[-–—\[(\s]*(?:(?:{_PAGE_WORD}|p\.|стр\.|страница|с\.)\s*)?({_NUM})[-–—\])\s]*", re.I)
# a page number at either end of a running head: "18   THE BOOK OF THE DEBATE", "CHAPTER I   Page 19"
_HEAD_NUMBER = re.compile(rf"^(?:(?P<a>(?:{_PAGE_WORD}\s*|p\.\s*|стр\.\s*)?{_NUM})\s+)?(?P<core>.*?)"
                          rf"(?:\s+(?P<b>(?:{_PAGE_WORD}\s*|p\.\s*|стр\.\s*)?{_NUM}))?$", re.I)


def _drop_furniture(lines: list[Line], policy: dict) -> tuple[list[Line], list[Line], list[Query]]:
    """Separate page furniture from the text: lines matching the witness's furniture patterns
    (web boilerplate), and running heads and page numbers found by their recurrence.

    The line after removed furniture starts a new page (`Line.page`)."""
    patterns = [re.compile(p) for p in policy.get("furniture", [])]
    gone = {i for i, ln in enumerate(lines) if any(p.fullmatch(ln.text) for p in patterns)}
    queries: list[Query] = []
    if policy.get("find_furniture", True):
        found, queries = find_furniture(lines)
        gone |= found
    kept = []
    after_furniture = False
    for i, ln in enumerate(lines):
        if i in gone:
            after_furniture = bool(kept)
            continue
        if after_furniture:
            ln.page = True
            after_furniture = False
        kept.append(ln)
    return kept, [lines[i] for i in sorted(gone)], queries


def _roman_value(s: str) -> int | None:
    vals = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    s = s.lower()
    if not s or any(ch not in vals for ch in s):
        return None
    total = 0
    for ch, nxt in zip(s, s[1:] + " "):
        v = vals[ch]
        total += -v if nxt != " " and vals[nxt] > v else v
    return total


def _paced(members: list[int], nums: list[int | None]) -> bool:
    """Whether a recurring line's page numbers, where they were read, turn the pages evenly: the longest
    rising run of them ("64 68 72 76 86 36 98": a misread "96" left out) holds three at least and most of
    them, and the lines per page between each two of it are within [0.6, 1.6] of their median, three
    times in four."""
    read = _rising([(i, v) for i, v in zip(members, nums) if v is not None])
    if len(read) < 3 or 2 * len(read) < sum(v is not None for v in nums):
        return False
    per_page = [(b - a) / (vb - va) for (a, va), (b, vb) in zip(read, read[1:])]
    mid = statistics.median(per_page)
    return mid > 0 and sum(0.6 * mid <= n <= 1.6 * mid for n in per_page) >= 0.75 * len(per_page)


def _rising(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (line, number) pairs whose numbers rise, in order (patience sorting)."""
    tails: list[int] = []  # per run length, the position in `pairs` of the smallest last number
    values: list[int] = []  # ... and that number
    back: list[int] = []
    for k, (_, v) in enumerate(pairs):
        j = bisect.bisect_left(values, v)
        back.append(tails[j - 1] if j else -1)
        if j == len(tails):
            tails.append(k)
            values.append(v)
        else:
            tails[j], values[j] = k, v
    out, k = [], tails[-1] if tails else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def _page_value(text: str) -> int | None:
    m = _PAGE_NUMBER.fullmatch(text)
    if not m:
        return None
    n = m.group(1)
    return int(n) if n.isdigit() else _roman_value(n)


def _head_key(text: str) -> tuple[str, int | None]:
    """A running head without its page number, letters only, lower case ("the book of the debate"),
    and the page number it holds, if any."""
    m = _HEAD_NUMBER.match(text)
    num = m.group("a") or m.group("b")
    value = _page_value(num) if num else None
    return " ".join(re.sub(r"[^\w ]|\d|_", " ", m.group("core").lower()).split()), value


HEAD_WINDOW = 600  # lines (ten pages and more): a running head not seen for this long is no longer matched


def _live_clusters(clusters: list[tuple[str, list[int]]], by_length: dict, since: int) -> dict:
    """The clusters by head length, without those last seen before line `since`."""
    live: dict[int, tuple[list[int], list[str]]] = {}
    for n, (ids, heads) in by_length.items():
        keep = [(c, h) for c, h in zip(ids, heads) if clusters[c][1][-1] >= since]
        if keep:
            live[n] = ([c for c, _ in keep], [h for _, h in keep])
    return live


ONE_BYTE = True  # head keys compared as one-byte strings where they can be (off: as printed; a test compares)


def _one_byte(key: str, table: dict[int, str], seen: set[str]) -> bool:
    """Extend `table`, a one-to-one map of the head keys' characters onto one-byte ones in the
    order they are first seen (str.translate), by the characters of `key`; False if that would
    make more than 256. fuzz.ratio compares equal characters only, so its scores are the same,
    and rapidfuzz compares one-byte strings four times faster (Cyrillic heads: most of the
    layout stage). Built as the lines come: keys kept for every line to map them first held
    ~340 MB on a 100 MB witness."""
    fresh = set(key) - seen
    if not fresh:
        return True
    if len(seen) + len(fresh) > 256:
        return False
    for c in sorted(fresh):
        table[ord(c)] = chr(len(seen))
        seen.add(c)
    return True


def find_furniture(lines: list[Line]) -> tuple[set[int], list[Query]]:
    """Running heads and page numbers, by their recurrence across pages.

    A page number is a line holding only a number ("12", "- 12 -", "Page 12", "xii") that
    continues a rising sequence of such lines; a running head is a short line that recurs
    (fuzzily, so OCR variants of one head match: "THE BOOK OF THE DEBATE" ~ "THE BOOK OF TIIE
    DEBATE") at least three times, pages apart, with or without a page number at an end.
    A number alone that continues no sequence is a query, not removed.
    """
    from rapidfuzz import fuzz, process

    found: set[int] = set()
    queries: list[Query] = []
    # page numbers: a rising sequence, one step (or two, where a page was blank or a plate) at a time
    # a page number stands apart: a blank line before or after it (a year ending a paragraph does not)
    numbers = [(i, v) for i, ln in enumerate(lines) if len(ln.text) <= 16 and (v := _page_value(ln.text)) is not None
               and (ln.gap or i == 0 or i + 1 == len(lines) or lines[i + 1].gap)]
    chains: list[list[tuple[int, int]]] = []
    for i, v in numbers:
        for chain in chains:
            i0, v0 = chain[-1]
            if 1 <= v - v0 <= 3 and i - i0 >= 3:
                chain.append((i, v))
                break
        else:
            chains.append([(i, v)])
    ranges = []
    page_lines: list[float] = []  # the lines a page takes, by the page numbers found
    for chain in chains:
        # pages are about equally long (the last one may be short, a page with a plate long)
        per_page = [(b[0] - a[0]) / (b[1] - a[1]) for a, b in zip(chain, chain[1:])]
        mid = statistics.median(per_page) if per_page else 0
        regular = sum(0.6 * mid <= n <= 1.6 * mid for n in per_page[:-1])
        regular += bool(per_page) and per_page[-1] <= 1.6 * mid  # the last page may be short
        if len(chain) >= 3 and regular >= max(2, 0.75 * len(per_page)):
            found.update(i for i, _ in chain)
            ranges.append((chain[0][1] - 2, chain[-1][1] + 2))
            page_lines.append(mid)
    for i, v in numbers:
        # a number alone in the range of the page numbers, off their rhythm: a page number the OCR
        # displaced, or text? Asked, not removed
        if i not in found and any(lo <= v <= hi for lo, hi in ranges):
            ln = lines[i]
            queries.append(Query(ln.start, ln.end, ln.text, [""], 0.5,
                                 "page number? a number alone on a line, in the range of the page numbers",
                                 rule="layout.furniture-doubt"))
    # running heads: short lines recurring pages apart (fuzzy: OCR varies them). A line joins the
    # first cluster whose head (within 4 characters of its length) it matches; the clusters are
    # looked up by length, and one not seen for HEAD_WINDOW lines is no longer looked at (a head
    # recurs page after page): the work stays linear in the lines
    clusters: list[tuple[str, list[int]]] = []
    by_length: dict[int, tuple[list[int], list[str]]] = {}  # head length -> live clusters, in order
    values: dict[int, int | None] = {}
    table: dict[int, str] | None = {} if ONE_BYTE else None
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        if i % 512 == 0 and i:
            by_length = _live_clusters(clusters, by_length, i - HEAD_WINDOW)
        if i in found or len(ln.text) > 90:
            continue
        # a line ending as a sentence does may join a head ("70 THE BOOK OF THE DEBATE.", a speck read as a
        # full stop), never begin one: a refrain ("And the evening and the morning were the first day.") is text
        strong = _STRONG_END.search(ln.text[-3:]) is not None
        key, value = _head_key(ln.text)
        if len(key) < 3 or len(key.split()) > 10:
            continue
        if strong and not any(n in by_length for n in range(len(key) - 4, len(key) + 5)):
            continue  # no head of about its length to join
        if table is not None and not _one_byte(key, table, seen):  # a 257th character: as printed from here on
            back = {ord(b): chr(c) for c, b in table.items()}
            by_length = {n: (ids, [h.translate(back) for h in heads]) for n, (ids, heads) in by_length.items()}
            table = None
        if table is not None:
            key = key.translate(table)
        # the live heads within 4 characters of its length, matched in one call (the first
        # cluster, by number, whose head it matches)
        near_ids: list[int] = []
        near_heads: list[str] = []
        for n in range(len(key) - 4, len(key) + 5):
            got = by_length.get(n)
            if got is not None:
                near_ids += got[0]
                near_heads += got[1]
        matches = process.extract(key, near_heads, scorer=fuzz.ratio, score_cutoff=85, limit=None) if near_heads else ()
        first = min((near_ids[k] for _, _, k in matches), default=None)
        if first is None and strong:
            continue
        values[i] = value
        if first is None:
            clusters.append((key, [i]))
            ids, heads = by_length.setdefault(len(key), ([], []))
            ids.append(len(clusters) - 1)
            heads.append(key)
        else:
            clusters[first][1].append(i)
    numbered = found.copy()
    heads: list[tuple[list[int], float, float | None]] = []  # (members, their median span, lines per page)
    for key, members in clusters:
        # a line in small letters right under one ending in a broken word ("-- Norman Augus-" / "tine") is the
        # word's end, however often the text signs so (not a head opening with its page number, "xxii  THE BOOK")
        members = [i for i in members if not (i and lines[i].gap == 0 and lines[i].text[:1].islower()
                                              and values.get(i) is None and _HYPHEN_END.search(lines[i - 1].text))]
        # three times pages apart; or twice, each beside a page number
        nums = [values.get(i) for i in members]
        own = None not in nums and all(1 <= b - a <= 3 for a, b in zip(nums, nums[1:]))  # its own page numbers
        beside = all(i - 1 in numbered or i + 1 in numbered or i == 0 for i in members) or own  # (line 0 tops a page)
        if len(members) < 3 and not (len(members) == 2 and beside):
            continue
        # ... or numbered often enough to turn the pages evenly where its numbers were read ("64 THE BOOK",
        # "6h THE BOOK", "68 THE BOOK": a head the OCR damaged past matching leaves twice the span)
        paced = not own and _paced(members, nums)
        spans = [b - a for a, b in zip(members, members[1:])]
        mid = statistics.median(spans)
        if mid < 8:
            continue  # a line repeated close together is text (a refrain, a list), not a page's head
        # a page's head comes back page after page: at regular intervals (a table of contents
        # or a list of letters "Letter from A to B" recurs at random ones)
        if not beside and not paced and sum(0.6 * mid <= n <= 1.6 * mid for n in spans) < 0.75 * len(spans):
            continue
        # and it stands apart from the text, a blank line below or above it
        edge = sum(1 for i in members if lines[i].gap or i == 0 or i + 1 == len(lines) or lines[i + 1].gap
                   or i - 1 in numbered or i + 1 in numbered)
        if edge < 0.75 * len(members):
            continue
        # a head numbered page after page: the lines a page takes, by its own numbers
        per_page = statistics.median((b - a) / (nb - na) for a, b, na, nb in
                                     zip(members, members[1:], nums, nums[1:])) if own else None
        if per_page is not None and len(members) >= 3:
            page_lines.append(per_page)
        heads.append((members, mid, per_page))
    usual = statistics.median(page_lines) if page_lines else None
    for members, mid, per_page in heads:
        # a line recurring more often than the pages turn (by their numbers) is the text's own (a title its
        # items repeat), whatever its rhythm
        if page_lines and mid < 0.6 * min(page_lines):
            continue
        # ... and one whose numbers turn the pages far slower or faster than the page numbers do, a note the
        # text repeats ("1 These floated aside ..." and "4 These floated aside ...", 500 lines apart)
        if usual is not None and per_page is not None and not 0.6 * usual <= per_page <= 1.6 * usual:
            continue
        found.update(members)
        if len(members) >= 3:
            found.update(_lost_heads(lines, members, found))
    return found, queries


def _lost_heads(lines: list[Line], members: list[int], found: set[int]) -> list[int]:
    """The lines of a running head the OCR damaged past matching ("74 PELE BOOK OF FEE DEB."): where two of
    its heads stand two of its spans apart or more (its span: the median of those no longer than one and a
    half times the shortest), the line nearest each missed turn (two lines either way) that is most like the
    head (fuzz.ratio 65 at least: a line of text is far less like it)."""
    from rapidfuzz import fuzz

    spans = [b - a for a, b in zip(members, members[1:])]
    mid = statistics.median(n for n in spans if n <= 1.5 * min(spans))
    key = _head_key(lines[members[0]].text)[0]
    out = []
    for a, b in zip(members, members[1:]):
        turns = round((b - a) / mid)
        for j in range(1, turns):
            at = a + round(j * (b - a) / turns)
            near = [(fuzz.ratio(_head_key(lines[x].text)[0], key), -abs(x - at), x) for x in range(at - 2, at + 3)
                    if a < x < b and x not in found and len(lines[x].text) <= 90]
            best = max(near, default=None)
            if best is not None and best[0] >= 65:
                out.append(best[2])
    return out
