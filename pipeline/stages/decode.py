"""Stage *decode*: clean Unicode.

The raw file was already decoded to text by pipeline.sources.decode_bytes (that
text is what every change-log offset refers to). This stage repairs the text itself: mojibake
(ftfy: "Ð¿Ñ€Ð¾Ñ„ÑÐ¾ÑŽÐ·" -> "профсоюз"), Unicode NFC, CRLF and lone CR line ends, odd spaces (no-break, thin, zero-width) and stray
control characters (a form feed, a page's end, becomes a line end); a print's ligatures ("ﬁ" -> "fi")
and long s ("ſ" -> "s") become letters (pipeline/data/characters.toml: a rule per table,
decode.ligature and decode.long-s). A soft hyphen ending a line is kept: *layout* reads it, as "‐"
and "¬" there, as a hyphen.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.sources import decode_bytes  # noqa: F401  (its home is pipeline.sources; scripts written before the move import it here)
from pipeline.stages import stage
from pipeline.tomlio import load_model

DATA = Path(__file__).resolve().parent.parent / "data" / "characters.toml"


class LineEndHyphen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marks: list[str]

    @field_validator("marks")
    @classmethod
    def _marks(cls, v):
        for c in v:
            if len(c) != 1 or c.isalnum() or c.isspace() or c == "-":
                raise ValueError(f"{c!r} is not one mark other than '-' (a letter, digit or space breaks no word)")
        return v


class CharacterData(BaseModel):
    """pipeline/data/characters.toml: per table (its name is the rule: decode.<table>), the
    characters a print sets as one glyph and the letters the edition writes for them."""

    model_config = ConfigDict(extra="forbid")
    ligature: dict[str, str]
    long_s: dict[str, str] = Field({}, alias="long-s")
    line_end_hyphen: LineEndHyphen = Field(default_factory=lambda: LineEndHyphen(marks=[]), alias="line-end-hyphen")
    lookalike: dict[str, str] = {}
    mark_letter: dict[str, str] = Field({}, alias="mark-letter")

    @field_validator("mark_letter")
    @classmethod
    def _mark_for_letter(cls, v):
        for mark, letter in v.items():
            if not (len(mark) == 1 and not mark.isalnum() and not mark.isspace() and len(letter) == 1
                    and letter.isalpha()):
                raise ValueError(f"{mark!r} = {letter!r}: a mark (no letter, digit or space) and one letter")
        return v

    @field_validator("lookalike")
    @classmethod
    def _latin_cyrillic(cls, v):
        for a, b in v.items():
            if not (len(a) == len(b) == 1 and unicodedata.name(a, "").startswith("LATIN")
                    and unicodedata.name(b, "").startswith("CYRILLIC") and a.isupper() == b.isupper()):
                raise ValueError(f"{a!r} = {b!r}: a Latin letter and a Cyrillic one of the same case")
        return v

    @field_validator("ligature", "long_s")
    @classmethod
    def _letters(cls, v):
        for c, letters in v.items():
            if len(c) != 1:
                raise ValueError(f"{c!r} is not one character")
            if unicodedata.normalize("NFKC", c) != letters or not letters.isalpha():
                raise ValueError(f"{c!r} stands for {unicodedata.normalize('NFKC', c)!r}, not {letters!r}")
        return v


@lru_cache(maxsize=4)
def load_characters(path: Path = DATA) -> CharacterData:
    return load_model(CharacterData, path, "character data")


_CHARS = load_characters()
HYPHEN_MARKS = frozenset(_CHARS.line_end_hyphen.marks)  # read by the stage layout
MARK_LETTER = dict(_CHARS.mark_letter)  # read by the stage detect
# a soft hyphen ending a line after a letter (spaces aside) is where the print broke a word: kept for the stage
# layout, which reads it as a hyphen; anywhere else it is invisible, and removed
_SOFT_HYPHEN_AT_END = (re.compile("(?<=[^\\W\\d_])\u00ad(?=[ \t]*(?:[\r\n\u2028\u2029\x0c]|\\Z))")
                       if "\u00ad" in HYPHEN_MARKS else re.compile("(?!)"))
# character -> (letters, rule) of every table
LETTERS = {c: (letters, f"decode.{table}") for table, t in (("ligature", _CHARS.ligature), ("long-s", _CHARS.long_s))
           for c, letters in t.items()}


def _ftfy_badness():
    """ftfy.badness (is_bad, BADNESS_RE) loaded on its own. `import ftfy.badness` first runs ftfy's
    package, which loads all of ftfy (character tables, codecs, wcwidth): 0.04 s of every run's
    start, before its worker is forked, while a text without mojibake needs the badness pattern
    alone (the corpus: no line repaired). The module is registered under its own name, so ftfy,
    imported when a line needs its repair (_ftfy), uses this one; anything unexpected (ftfy laid
    out otherwise): the usual import."""
    found = sys.modules.get("ftfy.badness")
    if found is not None:
        return found
    import importlib.util
    from pathlib import Path
    try:
        package = importlib.util.find_spec("ftfy")  # finds the package without running it
        path = Path(package.submodule_search_locations[0]) / "badness.py"
        spec = importlib.util.spec_from_file_location("ftfy.badness", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["ftfy.badness"] = module
        spec.loader.exec_module(module)
        module.BADNESS_RE, module.is_bad  # noqa: B018 (what this stage reads of it)
        return module
    except Exception:  # noqa: BLE001
        sys.modules.pop("ftfy.badness", None)
        import ftfy.badness
        return ftfy.badness


_badness = _ftfy_badness()
BADNESS_RE, is_bad = _badness.BADNESS_RE, _badness.is_bad

# no-break, en/em/thin/hair spaces and friends -> a plain space; zero-width ones -> nothing
_ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# zero-width and soft hyphen, and bidirectional controls (U+202E would reverse what follows)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF, the last two of every plane) and lone surrogates:
# not text; XML (the TEI) may not hold them
_BMP_NONCHARS = "\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
_ASTRAL_NONCHARS = "".join(f"{chr(p * 0x10000 + 0xfffe)}{chr(p * 0x10000 + 0xffff)}" for p in range(1, 17))
_NONCHAR = re.compile("[" + _BMP_NONCHARS + _ASTRAL_NONCHARS + "]")
_LINE_SEP = re.compile("[\u2028\u2029]")
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")
_GLYPH = re.compile("[" + re.escape("".join(sorted(LETTERS))) + "]")  # a ligature or long s: its letters
# a form feed ends a page (pdftotext writes one after every page): a line end, as a page break
# reads where a form feed stood after a line end ("17⏎\fof the chimney": a blank line)
_FORM_FEED = re.compile("\x0c")
_ANY = re.compile("|".join(f"(?P<{n}>{r.pattern})" for n, r in
                          (("feed", _FORM_FEED), ("space", _ODD_SPACE), ("zero", _ZERO_WIDTH), ("control", _CONTROL),
                           ("nonchar", _NONCHAR), ("sep", _LINE_SEP), ("glyph", _GLYPH))))
_FTFY = dict(unescape_html=False, uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False,
             normalization="NFC", fix_line_breaks=False, remove_control_chars=False, remove_terminal_escapes=False)


@stage("decode", assigns=("unicode",), kinds=("encoding", "spacing"))
def run(text: str, ctx: Context) -> StageResult:
    """Repair encoding damage and normalise characters; every fix is one edit.

    Each line is taken to its fixed point (mojibake repaired on the line as it came, C1 bytes
    included; then odd characters normalised; then NFC), so cleaning the result again changes
    nothing. A line that needs only character fixes gets one edit per character."""
    edits: list[Edit] = []
    for m in re.finditer(r"\r\n?", text):  # line ends: CRLF and lone CR
        edits.append(Edit(m.start(), m.end(), "\n", "decode.newline", "encoding", 1.0, "CR/CRLF line end"))
    if text.isascii() and not _CONTROL.search(text):
        return StageResult(edits)
    # lines end at CR, LF or CRLF only (not str.splitlines: U+0085 is a byte of Latin-1 mojibake, "Ð\x85")
    for m in _LINE.finditer(text):
        body, pos = m.group(1), m.start()
        if not body or (body.isascii() and not _CONTROL.search(body)):
            continue
        fixed = body if _clean(body) else _fix_line(body)
        looks = _lookalikes(fixed) if _TO_CYRILLIC else []
        if looks and fixed == body:  # only letters in the other script: an edit each
            edits.extend(Edit(pos + k, pos + k + 1, c, "decode.lookalike", "encoding", 0.99, why) for k, c, why in looks)
            continue
        if looks:  # repaired too: one edit to the line as it ends
            fixed = _with(fixed, looks)
            edits.extend(_word_edits(body, fixed, pos))
        elif fixed != body:
            simple = _char_edits(body, pos)
            if _apply(body, simple, pos) == fixed:
                edits.extend(simple)
            else:
                edits.extend(_word_edits(body, fixed, pos))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))


_TO_CYRILLIC = dict(_CHARS.lookalike)
_TO_LATIN = {b: a for a, b in _TO_CYRILLIC.items()}
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")


def _script(c: str) -> str:
    return "cyr" if "\u0400" <= c <= "\u04ff" else "lat" if c.isascii() else ""


def scripts_of(word: str) -> set[str]:
    """The scripts of a word's letters: "cyr", "lat" ("" for a letter of neither)."""
    return {_script(c) for c in word}


def has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def respelt(word: str, to: str) -> list[tuple[int, str]] | None:
    """(position, look-alike) of each of the word's letters not in the script `to` ("cyr" or "lat"), written
    in it (pipeline/data/characters.toml [lookalike]); None where one has no look-alike there. Read by
    decode (a word's own majority) and detect (a lone letter or an even word, by its neighbours)."""
    table = _TO_CYRILLIC if to == "cyr" else _TO_LATIN
    out = []
    for k, c in enumerate(word):
        if _script(c) != to:
            if c not in table:
                return None
            out.append((k, table[c]))
    return out


def _lookalikes(line: str) -> list[tuple[int, str, str]]:
    """(position, letter, why) of the letters of a line's words read in the other script ("oппозиции",
    "Tpоцкий"): a word with more letters of one script than of the other is written in that one where each
    of the others has its look-alike there (pipeline/data/characters.toml [lookalike]). The word alone
    decides, never its neighbours (which later stages change: cleaning again must change nothing): a word
    as much of one script as of the other ("oт"), or a lone letter ("c" between Russian words), is left to
    detection."""
    if line.isascii() or not _CYRILLIC.search(line) or not _LATIN.search(line):
        return []
    out = []
    for m in _WORD.finditer(line):
        w = m.group()
        lat = sum(c.isascii() for c in w)
        cyr = len(w) - lat
        if not lat or not cyr or lat == cyr or any(not _script(c) for c in w):
            continue
        to = "cyr" if cyr > lat else "lat"
        for k, c in respelt(w, to) or ():
            out.append((m.start() + k, c, f"{'Latin' if to == 'cyr' else 'Cyrillic'} {w[k]!r} in "
                                          f"{'a Cyrillic' if to == 'cyr' else 'a Latin'} word {w!r}: its look-alike {c!r}"))
    return out


def _with(line: str, changes: list[tuple[int, str, str]]) -> str:
    """The line with the changes made."""
    at = {k: c for k, c, _ in changes}
    return "".join(at.get(k, c) for k, c in enumerate(line))


def _clean(body: str) -> bool:
    """Is a line its own fixed point already (no mojibake, odd character or unnormalised form)?
    Most are: this answers without running the repairs."""
    if _ODD_CHAR.search(body) or (_ASTRAL.search(body) and _ASTRAL_NONCHAR.search(body)):
        return False
    return unicodedata.is_normalized("NFC", body) and not _bad(body)


# every character _ANY replaces, in one class (one class is read far faster than five
# alternatives), those above the BMP apart (32 scattered code points make a class slow)
_ODD_CHAR = re.compile("[" + "".join(r.pattern[1:-1] for r in (_ODD_SPACE, _ZERO_WIDTH, _CONTROL, _LINE_SEP, _GLYPH))
                       + _BMP_NONCHARS + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_NONCHAR = re.compile("[" + _ASTRAL_NONCHARS + "]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_BAD_REACH = 7  # ftfy's badness pattern matches at most 7 characters, each match holding a non-ASCII one


def _bad(s: str) -> bool:
    """ftfy's is_bad(s), read only around the non-ASCII characters: every sequence its pattern
    matches is at most 7 characters long and holds one (ftfy.badness.BADNESS_RE)."""
    lo = hi = -1
    for m in _NON_ASCII.finditer(s):
        a, b = max(0, m.start() - _BAD_REACH), m.end() + _BAD_REACH
        if a > hi:
            if hi > lo and BADNESS_RE.search(s, lo, hi):
                return True
            lo = a
        hi = b
    return hi > lo and bool(BADNESS_RE.search(s, lo, hi))


def _normalise_chars(s: str) -> str:
    return _ANY.sub(lambda m: " " if m.lastgroup == "space" else "\n" if m.lastgroup in ("sep", "feed")
                    else LETTERS[m.group()][0] if m.lastgroup == "glyph"
                    else m.group() if _SOFT_HYPHEN_AT_END.match(s, m.start()) else "", s)


def _fix_line(body: str) -> str:
    """The line's fixed point under mojibake repair, character normalisation and NFC."""
    out = body
    for _ in range(4):
        # a line separator (U+2028, U+2029) becomes a line end: each of its parts is repaired as the
        # line it will be, so cleaning the result again repairs nothing more ("Ð¿\u2028×«")
        nxt = "\n".join(_repair(part) for part in _PARTS.split(out))
        nxt = unicodedata.normalize("NFC", _normalise_chars(nxt))
        if nxt == out:
            break
        out = nxt
    return out


_PARTS = re.compile("[\n\u2028\u2029]")


def _repair(line: str) -> str:
    """ftfy's repair of one line's mojibake, if it has any."""
    if line.isascii() or not is_bad(line):
        return line
    fixed = _ftfy(line)
    if is_bad(fixed):  # ftfy gives up on a line over one bad stretch: try each space-separated part
        fixed = " ".join(_ftfy(part) if not part.isascii() and is_bad(part) else part for part in fixed.split(" "))
    return fixed


def _ftfy(s: str) -> str:
    """ftfy's repair, unless it invents characters no text holds (private use, unassigned):
    then the reading is left for a proofreader."""
    import ftfy  # the whole of ftfy, only for a line that needs its repair (_ftfy_badness)
    if getattr(ftfy, "badness", None) is None:  # its submodule, loaded before it: as an import would bind it
        ftfy.badness = _badness
    fixed = ftfy.fix_text(s, **_FTFY)
    if fixed.count(" ") < s.count(" "):
        # ftfy read a plain space as a lost no-break space ("â€ " -> "†"); the space may be one the
        # layout stage wrote joining two lines ("â€⏎“" -> "â€ “"), and a line end is never read
        # so: each space-separated part is repaired alone, so the clean text, cleaned again, stays
        fixed = " ".join(_ftfy(part) for part in s.split(" "))
    if fixed != s and any(unicodedata.category(c) in ("Co", "Cn") for c in set(fixed) - set(s)):
        return s
    return fixed


def _char_edits(body: str, offset: int) -> list[Edit]:
    edits = []
    for m in _ANY.finditer(body):
        c, kind = m.group(), m.lastgroup
        name = f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()
        if kind == "space":
            edits.append(Edit(offset + m.start(), offset + m.end(), " ", "decode.odd-space", "spacing", 1.0, name))
        elif kind == "zero":
            if _SOFT_HYPHEN_AT_END.match(body, m.start()):
                continue
            edits.append(Edit(offset + m.start(), offset + m.end(), "", "decode.zero-width", "spacing", 1.0, name))
        elif kind == "sep":
            edits.append(Edit(offset + m.start(), offset + m.end(), "\n", "decode.newline", "encoding", 1.0, name))
        elif kind == "feed":
            edits.append(Edit(offset + m.start(), offset + m.end(), "\n", "decode.newline", "encoding", 1.0,
                              "form feed (a page's end) as a line end"))
        elif kind == "glyph":
            letters, rule = LETTERS[c]
            edits.append(Edit(offset + m.start(), offset + m.end(), letters, rule, "encoding", 1.0,
                              f"{name} written as its letters {letters!r}"))
        else:
            what = "control character" if kind == "control" else "noncharacter"
            edits.append(Edit(offset + m.start(), offset + m.end(), "", f"decode.{kind}", "encoding", 1.0,
                              f"{what} U+{ord(c):04X}"))
    return edits


def _apply(body: str, edits: list[Edit], offset: int) -> str:
    out, pos = [], 0
    for e in edits:
        out.append(body[pos:e.start - offset])
        out.append(e.after)
        pos = e.end - offset
    out.append(body[pos:])
    return "".join(out)


def _word_edits(before: str, after: str, offset: int) -> list[Edit]:
    """Edits for a repaired line, as small as the difference allows (common prefix/suffix trimmed)."""
    i = 0
    while i < min(len(before), len(after)) and before[i] == after[i]:
        i += 1
    j = 0
    while j < min(len(before), len(after)) - i and before[-1 - j] == after[-1 - j]:
        j += 1
    b, a = before[i:len(before) - j], after[i:len(after) - j]
    rule = "decode.nfc" if unicodedata.normalize("NFC", before) == after else "decode.mojibake"
    return [Edit(offset + i, offset + len(before) - j, a, rule, "encoding", 1.0, f"{b!r} -> {a!r}")]
