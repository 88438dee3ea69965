"""Stage *decode*: from bytes to clean Unicode.

Two steps. `decode_bytes` turns the raw file into text (this decoded text is
what every change-log offset refers to): UTF-8 with or without BOM, UTF-16
(with BOM), and the legacy codecs cp1251, KOI8-R and cp1252, detected by
which gives the most plausible letters. The stage `run` then repairs the
text itself: mojibake (ftfy: "Ð¿Ñ€Ð¾Ñ„ÑÐ¾ÑŽÐ·" -> "профсоюз"), Unicode NFC,
CRLF and lone CR line ends, odd spaces (no-break, thin, zero-width) and stray
control characters.
"""
from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from pipeline.context import Context
from pipeline.errors import EditionError
from pipeline.model import Edit, StageResult

LEGACY = ("cp1251", "koi8_r", "cp1252")
_CYR = re.compile(r"[а-яё]", re.I)
# Letters typical of mis-decoded Russian in each codec (KOI8-R read as cp1251 gives
# lots of capitals in the middle of words, cp1251 read as cp1252 gives accented Latin).
_COMMON_RU = set("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё ")


def _plausibility(text: str) -> float:
    """How much a decoding looks like real prose: share of common letters, lower case mostly."""
    if not text:
        return 0.0
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.5
    lower = sum(c.islower() for c in letters) / len(letters)
    cyr = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    if len(cyr) > len(letters) / 2:
        common = sum(c.lower() in _COMMON_RU for c in cyr) / len(cyr)
        return lower * 0.5 + common * 0.5 + 0.1 - _mixed_script_share(text)
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    return lower * 0.5 + ascii_share * 0.5 - _mixed_script_share(text)


def _mixed_script_share(text: str) -> float:
    """Share of words mixing Latin and Cyrillic letters ("naпve" is cp1252 read as cp1251)."""
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return 0.0
    mixed = sum(1 for w in words if re.search("[a-zA-Z]", w) and re.search("[\u0400-\u04ff]", w))
    return mixed / len(words)


def decode_bytes(data: bytes, shown: str, declared: str = "auto") -> tuple[str, str]:
    """Decode a raw file; return (text, encoding). Bad input is an EditionError.

    >>> decode_bytes("опп".encode("cp1251"), "x.txt")
    ('опп', 'cp1251')
    >>> decode_bytes(b"\\xef\\xbb\\xbfabc", "x.txt")
    ('abc', 'utf-8-sig')
    """
    if not data:
        raise EditionError(shown, "empty file")
    if declared != "auto":
        codec = declared.lower().replace("-", "_")
        if codec in ("utf_8", "utf8") and data.startswith(b"\xef\xbb\xbf"):
            codec = "utf_8_sig"
        try:
            text = data.decode(codec)
        except LookupError:
            raise EditionError(shown, f"unknown encoding {declared!r} declared in raw/witnesses.toml") from None
        except UnicodeDecodeError as exc:
            guess = _guess(data)
            hint = f"; it looks like {guess[1]}" if guess else ""
            raise EditionError(shown, f"not valid {declared} (byte {exc.start}: {data[exc.start:exc.start + 1]!r}){hint}; "
                                      f"declare its encoding in raw/witnesses.toml or set encoding = \"auto\"") from None
        _refuse_binary(text, shown)
        if not text.strip():
            raise EditionError(shown, "empty file (only whitespace)")
        return text, declared
    guess = _guess(data)
    if guess is None:
        raise EditionError(shown, "binary file or unknown encoding (not UTF-8, UTF-16, cp1251, KOI8-R or cp1252)")
    text, codec = guess
    _refuse_binary(text, shown)
    if not text.strip():
        raise EditionError(shown, "empty file (only whitespace)")
    return text, codec


def _refuse_binary(text: str, shown: str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        raise EditionError(shown, f"binary file (NUL character at offset {nul})")
    controls = sum(1 for c in text[:20000] if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(text[:20000]) // 200):
        raise EditionError(shown, f"binary file ({controls} control characters in the first 20000)")


def _guess(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:4096]:
        # UTF-16 without BOM: every other byte zero in ASCII-heavy text
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        for codec, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros > len(data[:4096]) // 4:
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    for codec in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text[:50000])
        if best is None or score > best[0]:
            best = (score, text, codec)
    return (best[1], best[2]) if best else None


# -- the stage -----------------------------------------------------------------------

# no-break, en/em/thin/hair spaces and friends -> a plain space; zero-width ones -> nothing
_ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# zero-width and soft hyphen, and bidirectional controls (U+202E would reverse what follows)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def run(text: str, ctx: Context) -> StageResult:
    """Repair encoding damage and normalise characters; every fix is one edit."""
    edits: list[Edit] = []
    # line ends first: CRLF and lone CR
    for m in re.finditer(r"\r\n?", text):
        edits.append(Edit(m.start(), m.end(), "\n", "decode.newline", "encoding", 1.0, "CR/CRLF line end"))
    for m in _ODD_SPACE.finditer(text):
        edits.append(Edit(m.start(), m.end(), " ", "decode.odd-space", "spacing", 1.0,
                          f"U+{ord(m.group()):04X} {unicodedata.name(m.group(), '')}".strip()))
    for m in _ZERO_WIDTH.finditer(text):
        edits.append(Edit(m.start(), m.end(), "", "decode.zero-width", "spacing", 1.0,
                          f"U+{ord(m.group()):04X} {unicodedata.name(m.group(), 'invisible')}"))
    for m in _CONTROL.finditer(text):
        if m.group() not in "\r":
            edits.append(Edit(m.start(), m.end(), "", "decode.control", "encoding", 1.0,
                              f"control character U+{ord(m.group()):04X}"))
    taken = {i for e in edits for i in range(e.start, max(e.end, e.start + 1))}
    # mojibake and NFC, line by line so an edit stays small and readable
    if text.isascii() or unicodedata.is_normalized("NFC", text) and not is_bad(text):
        return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body and not body.isascii() and (is_bad(body) or not unicodedata.is_normalized("NFC", body)):
            fixed = ftfy.fix_text(body, unescape_html=False, uncurl_quotes=False, fix_latin_ligatures=False,
                                  fix_character_width=False, normalization="NFC", fix_line_breaks=False,
                                  remove_control_chars=False, remove_terminal_escapes=False)
            if fixed != body and not any(i in taken for i in range(pos, pos + len(body))):
                edits.extend(_word_edits(body, fixed, pos))
        pos += len(line)
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)))


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
