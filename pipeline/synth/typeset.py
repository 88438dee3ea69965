"""Re-typeset clean paragraphs as a scan's text file would hold them, keeping the truth.

A layout benchmark needs pages we did not write by hand: this module takes clean
paragraphs and sets them again at a chosen line width, with a paragraph style
(indent, blank line, double spacing, short last line, flush), pages with running
heads (also alternating odd/even) and page numbers in many positions, words
hyphenated at line ends by pyphen (and compounds broken at their own hyphen),
words split across a page break, and page-foot notes. Everything is drawn from one
seeded random generator, so a case is reproducible from (paragraphs, seed, style).

The truth kept beside the text: the paragraphs, the words the line ends split
(with the form they must be rebuilt to), and the furniture lines put in.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

STYLES = ("indent", "blank", "double", "short-last", "flush")
NUMBER_STYLES = ("plain", "dashed", "page", "roman", "none")


@dataclass
class Layout:
    """How one case is set (drawn by `draw_layout`, or given)."""

    style: str = "indent"
    width: int = 62
    page_lines: int = 36
    page_gap: int = 2            # blank lines between pages
    head: str = "alternating"    # none | same | alternating
    number_at: str = "head"      # head | foot
    number_style: str = "plain"
    hyphenate: float = 0.9       # share of line ends where a word that does not fit is hyphenated
    notes: bool = False          # page-foot notes


@dataclass
class Case:
    """A typeset text and its truth."""

    text: str
    paragraphs: list[str]
    hyphens: list[str] = field(default_factory=list)     # the words split at a line end, as they must be rebuilt
    furniture: list[str] = field(default_factory=list)   # furniture lines set into the text
    notes: list[str] = field(default_factory=list)       # page-foot note bodies (their paragraphs are extra truth)
    layout: Layout = field(default_factory=Layout)


@lru_cache(maxsize=4)
def _dic(lang: str):
    import pyphen
    return pyphen.Pyphen(lang={"en": "en_US", "ru": "ru_RU"}[lang])


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
                 (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out, n = out + s, n - v
    return out


def draw_layout(rng: random.Random, style: str | None = None) -> Layout:
    """A random but plausible page layout."""
    return Layout(
        style=style or rng.choice(STYLES),
        width=rng.randint(45, 80),
        page_lines=rng.randint(24, 44),
        page_gap=rng.choice([0, 1, 2, 3, 4]),
        head=rng.choice(["none", "same", "alternating", "alternating"]),
        number_at=rng.choice(["head", "foot"]),
        number_style=rng.choice(NUMBER_STYLES),
        hyphenate=rng.choice([0.0, 0.5, 0.9, 1.0]),
        notes=rng.random() < 0.4,
    )


_WORD = re.compile(r"^([\"'“‘«(]*)([^\W\d_]+(?:-[^\W\d_]+)*)([^\w]*)$")


def _split(word: str, room: int, lang: str, rng: random.Random) -> tuple[str, str] | None:
    """Split `word` so that its first part plus a hyphen fits in `room` characters."""
    m = _WORD.match(word)
    if not m or room < 3:
        return None
    lead, core, tail = m.groups()
    if "-" in core:  # a compound breaks at its own hyphen
        parts = core.split("-")
        for i in range(len(parts) - 1, 0, -1):
            first = lead + "-".join(parts[:i]) + "-"
            if len(first) <= room:
                return first, "-".join(parts[i:]) + tail
        return None
    if len(core) < 5:
        return None
    for a, b in sorted(_dic(lang).iterate(core), key=lambda ab: -len(ab[0])):
        if len(a) >= 2 and len(b) >= 2 and len(lead) + len(a) + 1 <= room:
            return lead + a + "-", b + tail
    return None


def _wrap(words: list[str], width: int, lang: str, lay: Layout, rng: random.Random,
          first_indent: int) -> tuple[list[str], list[str]]:
    """Greedy line breaking with hyphenation; returns the lines and the words split."""
    lines: list[str] = []
    split: list[str] = []
    cur = " " * first_indent
    queue = list(words)
    while queue:
        w = queue.pop(0)
        sep = "" if cur.strip() == "" else " "
        if len(cur) + len(sep) + len(w) <= width:
            cur += sep + w
            continue
        piece = _split(w, width - len(cur) - len(sep), lang, rng) if rng.random() < lay.hyphenate else None
        if piece and cur.strip():
            cur += sep + piece[0]
            split.append(_WORD.match(w).group(2))
            queue.insert(0, piece[1])
        elif not cur.strip():
            cur += w  # a word longer than the line
            continue
        else:
            queue.insert(0, w)
        lines.append(cur)
        cur = ""
    if cur.strip():
        lines.append(cur)
    return lines, split


def _number(n: int, style: str) -> str:
    return {"plain": str(n), "dashed": f"- {n} -", "page": f"Page {n}", "roman": _roman(n), "none": ""}[style]


def typeset(paragraphs: list[str], lang: str, seed: int, layout: Layout | None = None,
            title: str = "THE BOOK OF THE DEBATE", chapter: str = "Chapter the First") -> Case:
    """Set `paragraphs` as the pages of a text file, and keep the truth."""
    rng = random.Random(seed)
    lay = layout or draw_layout(rng)
    body: list[tuple[str, bool]] = []  # (line, ends a paragraph)
    hyphens: list[str] = []
    indent = rng.choice([2, 3, 4, 5]) if lay.style == "indent" else 0
    width = lay.width
    for para in paragraphs:
        words = para.split()
        state = rng.getstate()
        lines, split = _wrap(words, width, lang, lay, rng, indent)
        if lay.style == "short-last" and len(lines[-1]) > 0.8 * width:
            # the typesetter tightens the paragraph (a narrower measure, by a few characters at
            # most) until its last line is short; failing that it stays as it is
            for w in range(width - 1, int(0.92 * width), -1):
                rng.setstate(state)
                tight, tsplit = _wrap(words, w, lang, lay, rng, indent)
                if len(tight[-1]) <= 0.8 * width:
                    lines, split = tight, tsplit
                    break
        hyphens += split
        body += [(ln, i == len(lines) - 1) for i, ln in enumerate(lines)]
    # pages
    pages: list[list[str]] = []
    para_gap = {"blank": 1, "double": 1}.get(lay.style, 0)
    line_gap = 1 if lay.style == "double" else 0
    out_lines: list[str] = []
    furniture: list[str] = []
    notes: list[str] = []
    first_page = rng.randint(1, 250)
    i = 0
    page_no = first_page
    while i < len(body):
        page = body[i:i + lay.page_lines]
        i += len(page)
        lines_here: list[str] = []
        num = _number(page_no, lay.number_style)
        head = ""
        if lay.head == "same":
            head = title
        elif lay.head == "alternating":
            head = title if page_no % 2 == 0 else chapter
        top, foot = [], []
        if lay.number_at == "head" and num:
            if head:
                pad = max(4, width - len(head) - len(num)) // 2
                top.append(f"{num}{' ' * pad}{head}" if page_no % 2 == 0 else f"{head}{' ' * pad}{num}")
            else:
                top.append(num.center(width).rstrip())
        elif head:
            top.append(head.center(width).rstrip())
        if lay.number_at == "foot" and num:
            foot.append(num.center(width).rstrip())
        furniture += [t.strip() for t in top + foot]
        for t in top:
            lines_here += [t, ""]
        for j, (ln, ends) in enumerate(page):
            lines_here.append(ln)
            if j < len(page) - 1:
                lines_here += [""] * (line_gap + (para_gap if ends else 0))
        if lay.notes and rng.random() < 0.3 and page:
            k = len(notes) + 1
            words = page[-1][0].split()
            # a note's text: a sentence of the book itself (notes do not repeat like running heads)
            sentences = [x for x in re.split(r"(?<=[.?!])\s+", rng.choice(paragraphs)) if 3 <= len(x.split()) <= 30]
            note = rng.choice(sentences) if sentences else f"See page {page_no}."
            if words and lay.style != "double":
                note_lines, _ = _wrap(note.split(), width, lang, Layout(hyphenate=0.0), rng, 0)
                lines_here += ["", " " * rng.randint(0, 20)] + [f"{k} {note_lines[0]}"] + note_lines[1:]
                notes.append(note)
        for f in foot:
            lines_here += ["", f]
        pages.append(lines_here)
        page_no += 1
    for n, page in enumerate(pages):
        if n:
            out_lines += [""] * lay.page_gap
            if lay.page_gap == 0 and para_gap:
                out_lines.append("")
        out_lines += page
    text = "\n".join(ln.rstrip() for ln in out_lines) + "\n"
    return Case(text, [" ".join(p.split()) for p in paragraphs], hyphens, furniture, notes, lay)


def blocks_of(text: str) -> list[str]:
    """The paragraphs of a clean text nobody here wrote: blank-line separated, else one a line; spaces collapsed."""
    blocks = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    return [b for b in (" ".join(b.split()) for b in blocks) if b]


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs of a clean text (one per line), without footnote bodies and markers."""
    out = []
    for p in text.split("\n"):
        p = re.sub(r"\[\^\w+\]", "", p).strip()
        if p and not p.startswith("[^") and len(p.split()) >= 1:
            out.append(" ".join(p.split()))
    return out
