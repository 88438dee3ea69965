"""Stage *punctuation*: quotes, misread commas and doubled words, in context (any language).

Three detectors, all query-only (a proofreader decides; nothing here is certain enough
to change the text by itself):

* quote balance: in each paragraph the witness's quote pairs (pipeline/data/punctuation.toml
  [quotes]: "…", “…”, '…', «…», „…“) must open and close in turn. An opening mark never
  closed, or a closing mark never opened, is queried at the mark. A quotation running
  over several paragraphs (each opens, only the last closes) is the printers' convention,
  not damage; an apostrophe ("don't", "'90s", "workers' control", "'tis") is no quote.
* a misread comma: '?' or ':' after a word and before a lower-case word that goes on with
  the clause ("the roundabout path of adaptation? formerly condemned" -> ', formerly').
* a doubled word or pair of words: "the the", «в партию в партию».
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, compress, count, islice
from operator import eq
from pathlib import Path

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.context import Context
from pipeline.model import Query, StageResult
from pipeline.stages import Settings, settings, stage
from pipeline.tomlio import load_model

DATA = Path(__file__).resolve().parent.parent / "data" / "punctuation.toml"


class CommaData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marks: dict[str, list[str]]
    colon_continuations: dict[str, list[str]] = {}


class PunctuationData(BaseModel):
    """pipeline/data/punctuation.toml."""

    model_config = ConfigDict(extra="forbid")
    elisions: list[str]
    doubled: dict[str, list[str]]
    quotes: dict[str, list[tuple[str, str]]]
    comma: CommaData

    @field_validator("quotes")
    @classmethod
    def _one_char_marks(cls, v):
        for lang, pairs in v.items():
            for a, b in pairs:
                if len(a) != 1 or len(b) != 1:
                    raise ValueError(f"quotes.{lang}: a quote mark is one character, not {a!r}/{b!r}")
        return v


@lru_cache(maxsize=4)
def load_data(path: Path = DATA) -> PunctuationData:
    return load_model(PunctuationData, path, "punctuation data")


PARAGRAPH = regex.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")
WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
LETTER_RUNS = re.compile(r"([^\W\d_]+)")  # runs of letters (the re module is the faster here)
EDGE = set("0123456789'’-")
COMMA = regex.compile(r"(?<=\p{Ll}{2})([?:]) (\p{Ll}+)")


class PunctuationSettings(Settings):
    """[punctuation] of config/pipeline.toml, then [default.punctuation] ... of config/policy.toml."""

    quotes: bool = True    # quote pairs balanced per paragraph
    commas: bool = True    # '?' or ':' read for ','
    doubled: bool = True   # a word or pair of words printed twice


@stage("punctuation", requires=("paragraphs",), settings=PunctuationSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Queries about quotes, misread commas and doubled words."""
    data = load_data()
    st = settings("punctuation", ctx)
    queries = ((_quotes(text, ctx.language, data) if st.quotes else [])
               + (_commas(text, ctx.language, data) if st.commas else [])
               + (_doubled(text, ctx.language, data) if st.doubled else []))
    queries.sort(key=lambda q: (q.start, q.end))
    return StageResult([], queries)


# -- quotes ---------------------------------------------------------------------------

def _quotes(text: str, language: str, data: PunctuationData) -> list[Query]:
    pairs = data.quotes.get(language, [])
    # the pairs the witness uses: both marks seen (a Russian text may set „…“ or “…”)
    present = [(a, b) for a, b in pairs if a in text and b in text]
    if not present:
        return []
    elisions = {e.lower() for e in data.elisions}
    out: list[Query] = []
    paragraphs = [(m.start(), m.group()) for m in PARAGRAPH.finditer(text)]
    for a, b in present:
        marks = regex.compile("[" + regex.escape(a + b) + "]")
        # per paragraph: opening marks left unclosed, closing marks never opened
        open_left: list[list[int]] = []
        stray: list[list[int]] = []
        for start, para in paragraphs:
            stack: list[int] = []
            extra: list[int] = []
            for m in marks.finditer(para):
                role = _role(para, m.start(), a, b, elisions, bool(stack))
                if role == "open" and stack and a == b:
                    # one mark cannot nest in itself: either the open quotation's mark is stray
                    # (Class 'instinct ... of 'free' labour), when a later mark closes this one,
                    # or this is a closing mark misplaced ('schools for Communism 'and no more)
                    if _later_close(para, m.start(), a):
                        out.append(_quote_query(text, stack.pop(), "opening", a, b))
                        stack.append(start + m.start())
                    else:
                        out.append(_quote_query(text, start + m.start(), "misplaced", a, b))
                        stack.pop()
                elif role == "open":
                    stack.append(start + m.start())
                elif role == "close":
                    if stack:
                        stack.pop()
                    else:
                        extra.append(start + m.start())
            open_left.append(stack)
            stray.append(extra)
        carried = False  # the previous paragraph's quotation runs on into this one
        for k in range(len(paragraphs)):
            nxt = paragraphs[k + 1][1].lstrip() if k + 1 < len(paragraphs) else ""
            extra = stray[k][1:] if carried else stray[k]
            # a quotation over several paragraphs: each opens again (the printers' way) or
            # the next closes what this one opened; only one such quotation at a time
            runs_on = len(open_left[k]) == 1 and (nxt.startswith(a) or bool(k + 1 < len(stray) and stray[k + 1]))
            if open_left[k] and not runs_on:
                out.extend(_quote_query(text, pos, "opening", a, b) for pos in open_left[k])
            out.extend(_quote_query(text, pos, "closing", a, b) for pos in extra)
            carried = runs_on and not nxt.startswith(a)
    return out


def _role(para: str, i: int, a: str, b: str, elisions: set[str], inside: bool) -> str:
    """'open', 'close' or 'none' (an apostrophe) for the quote mark at para[i]."""
    c = para[i]
    before = para[i - 1] if i > 0 else " "
    after = para[i + 1] if i + 1 < len(para) else " "
    if a != b:
        if c == b == "’" and before.isalpha() and after.isalpha():
            return "none"  # don’t
        if c == b and b == "’" and before.isalpha() and (not inside or _later_close(para, i, b)):
            return "none"  # workers’ control: an apostrophe, unless it is the last mark that can close
        return "open" if c == a else "close"
    # one mark for both: decide by the neighbours
    if before.isalnum() and after.isalnum():
        return "none"  # don't, l'homme
    if a == "'":
        if after.isdigit() and not before.isalnum():
            return "none"  # '90s
        if after.isalpha() and not before.isalnum():
            word = WORD.match(para, i + 1)
            if word and word.group().lower() in elisions:
                return "none"  # 'tis, 'em
        if before.lower() in "sz" and not inside:
            return "none"  # workers' control: a plural possessive, outside a quotation
    if not before.strip() and not after.strip():
        return "close" if inside else "none"  # 'the revolution. ' The task': a stray space before it
    if not before.strip() or before in "([{—–-/" or i == 0:
        return "open" if (after.strip() and after not in ".,;:!?)") else "none"
    if not after.strip() or after in ".,;:!?)]}—–-/" or i + 1 == len(para):
        return "close"
    return "open" if not inside else "close"


def _later_close(para: str, i: int, mark: str) -> bool:
    """Is there a later `mark` in the paragraph that can close a quotation (not between letters)?"""
    j = para.find(mark, i + 1)
    while j >= 0:
        if not (para[j + 1:j + 2].isalpha() and para[j - 1].isalpha()):
            return True
        j = para.find(mark, j + 1)
    return False


def _quote_query(text: str, pos: int, role: str, a: str, b: str) -> Query:
    mark = text[pos]
    if role == "misplaced":
        why = f"a quote {mark} where one is already open: a closing mark set as an opening one (a space misplaced)?"
    elif role == "opening":
        why = f"an opening quote {mark} that no {b} closes in this paragraph: a closing mark lost, or a stray mark"
    else:
        why = f"a closing quote {mark} that no {a} opens in this paragraph: an opening mark lost, or a stray mark"
    return Query(pos, pos + 1, mark, [], 0.4, why, rule=f"punctuation.quote-{role}")


# -- a comma misread as '?' or ':' --------------------------------------------------------

def _commas(text: str, language: str, data: PunctuationData) -> list[Query]:
    marks = set(data.comma.marks.get(language, []))
    colon_ok = {w.lower() for w in data.comma.colon_continuations.get(language, [])}
    out = []
    for m in COMMA.finditer(text):
        mark, word = m.group(1), m.group(2)
        if mark not in marks:
            continue
        if mark == ":" and word not in colon_ok:
            continue
        # after '?' the capital may be what was lost ("Opposition? it is necessary" -> "? It")
        options = [", " + word] + ([f"? {word[:1].upper()}{word[1:]}"] if mark == "?" else [])
        out.append(Query(m.start(), m.end(), m.group(), options, 0.5,
                         f"{mark!r} inside a sentence, before the lower-case {word!r} that goes on with the clause: "
                         f"a comma misread (or, after '?', a capital lost)?", rule="punctuation.comma"))
    return out


# -- doubled words ----------------------------------------------------------------------

_CHUNK = 1 << 20  # the text is read a megabyte (up to a line end) at a time: its token lists stay small


def _doubled(text: str, language: str, data: PunctuationData) -> list[Query]:
    """A word, or a pair of words, printed twice with one space between (case aside). A
    doubling never spans a line end (one space between its words), so the text is read in
    pieces cut after one: a token list of the whole text took ~38 bytes a character."""
    allowed = {w.lower() for w in data.doubled.get(language, [])}
    out: list[Query] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + _CHUNK)
        end = len(text) if end < 0 else end + 1
        piece = text if (start, end) == (0, len(text)) else text[start:end]
        for q in _doubled_in(piece, allowed):
            q.start += start
            q.end += start
            out.append(q)
        start = end
    return out


def _doubled_in(text: str, allowed: set[str]) -> list[Query]:
    # the text cut into gap, token, gap, token, ..., gap (runs of letters): done by the regex
    # engine and C iterators, not a Python step per token
    parts = LETTER_RUNS.split(text)
    tokens, gaps = parts[1::2], parts[0::2]
    lower = list(map(str.lower, tokens))
    # only a token spelt like the next or the one after can start a doubling
    candidates = sorted(set(compress(count(), map(eq, lower, islice(lower, 1, None))))
                        | set(compress(count(), map(eq, lower, islice(lower, 2, None)))))
    if not candidates:
        return []
    offsets = [0, *accumulate(map(len, parts))]  # token k spans offsets[2k+1]:offsets[2k+2]

    def same(i: int, j: int) -> bool:  # tokens i and j spell the same word, case aside
        return len(tokens[i]) == len(tokens[j]) and lower[i] == lower[j]

    def spaced(i: int) -> bool:  # one space, and nothing else, after token i
        return gaps[i + 1] == " "

    out = []
    n_tok = len(tokens)
    i = 0  # tokens before i are done (a doubling found takes its tokens)
    for k in candidates:
        if k < i:
            continue
        i = k
        n = 0
        if not spaced(i):
            continue
        if i + 3 < n_tok and same(i, i + 2) and same(i + 1, i + 3) and spaced(i + 1) and spaced(i + 2):
            n = 2  # «в партию в партию»
        elif same(i, i + 1):
            n = 1  # "the the"
        start, end = offsets[2 * i + 1], offsets[2 * (i + 2 * n - 1) + 2] if n else 0
        if n and _word_edges(text, start, end):
            first, second = text[start:offsets[2 * (i + n - 1) + 2]], text[offsets[2 * (i + n) + 1]:end]
            if not (first.lower() in allowed
                    or first.isupper() and len(first) == 1
                    or first.istitle() and len(first) >= 4 and first == second):
                # (initials «F A A. Milson», a doubled name «Wagga Wagga» are not damage)
                out.append(Query(start, end, text[start:end], [first], 0.6,
                                 f"{first!r} printed twice in a row: a line or word repeated by the typesetter or the OCR?",
                                 rule="punctuation.doubled"))
                i += 2 * n
    return out


def _word_edges(text: str, start: int, end: int) -> bool:
    """No digit, apostrophe or hyphen glued to either end (a 'word' inside "l'l'" or "1-1")."""
    return (start == 0 or text[start - 1] not in EDGE) and (end == len(text) or text[end] not in EDGE)
