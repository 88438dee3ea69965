"""Reading sources: raw files to text, and a catalogued witness with its review file.

`decode_bytes` turns a raw file into text (this decoded text is what every change-log
offset refers to): UTF-8 with or without BOM, UTF-16 (with BOM), and the legacy codecs
cp1251, KOI8-R, cp866 (DOS) and cp1252, detected by which gives the most plausible letters.
`read_witness` reads one witness of raw/witnesses.toml (pipeline.witnesses) that way.
Bad input is an EditionError naming the file (and line).
"""
from __future__ import annotations

import re
from pathlib import Path

import regex

from pipeline.errors import EditionError
from pipeline.review import Decision, read_review
from pipeline.tomlio import display_path
from pipeline.witnesses import Corpus

LEGACY = ("cp1251", "koi8_r", "cp866", "cp1252")
_CYR = re.compile(r"[а-яё]", re.I)
_SYMBOL = regex.compile(r"\p{S}")
_SPACE = re.compile(r"\s")
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
    # symbols among the visible characters: a wrong codec's box drawing and signs (KOI8-R's small letters
    # read as cp866 are box drawing, leaving only its capitals as letters, and those look like prose)
    visible = len(text) - len(_SPACE.findall(text))
    symbols = len(_SYMBOL.findall(text)) / visible if visible else 0.0
    cyr = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    if len(cyr) > len(letters) / 2:
        common = sum(c.lower() in _COMMON_RU for c in cyr) / len(cyr)
        return lower * 0.5 + common * 0.5 + 0.1 - _mixed_script_share(text) - symbols
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    return lower * 0.5 + ascii_share * 0.5 - _mixed_script_share(text) - symbols


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
            line, col = _line_col(data, exc.start, codec)
            if codec.startswith("utf_8") and _damaged_utf8(data):
                raise _damaged(shown, data, exc.start) from None
            try:
                guess = _guess(data, shown)
            except EditionError:
                guess = None
            hint = f"; it looks like {guess[1]}" if guess else ""
            raise EditionError(shown, f"not valid {declared} (byte 0x{data[exc.start]:02x}){hint}; "
                                      f"declare its encoding in raw/witnesses.toml or set encoding = \"auto\"",
                               line=line, col=col) from None
        _refuse_binary(text, shown)
        if not text.strip():
            raise EditionError(shown, "empty file (only whitespace)")
        return text, declared
    guess = _guess(data, shown)
    if guess is None:
        raise EditionError(shown, "binary file or unknown encoding (not UTF-8, UTF-16, cp1251, KOI8-R, cp866 or cp1252)")
    text, codec = guess
    _refuse_binary(text, shown)
    if not text.strip():
        raise EditionError(shown, "empty file (only whitespace)")
    return text, codec


# control characters (Unicode category Cc) but tab, line feed, form feed and carriage return
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _refuse_binary(text: str, shown: str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        raise EditionError(shown, f"binary file (NUL character at offset {nul})")
    controls = len(_CONTROL_CHARS.findall(text, 0, 20000))
    if controls > max(8, len(text[:20000]) // 200):
        raise EditionError(shown, f"binary file ({controls} control characters in the first 20000)")


def _line_col(data: bytes, offset: int, codec: str = "utf_8") -> tuple[int, int]:
    """1-based line and column (in characters) of byte *offset*, the bytes before it being valid."""
    try:
        before = data[:offset].decode(codec, errors="replace")
    except LookupError:
        before = data[:offset].decode("latin-1")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _damaged_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes, not a legacy encoding: most non-ASCII units are valid
    UTF-8 sequences. (A cp1251, KOI8-R or cp1252 text almost never forms one by chance:
    its letters are lead bytes followed by letters or ASCII, not by continuation bytes.)"""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    good = sum(1 for c in text if c > "\x7f") - bad
    return good > 0 and good >= bad


def _damaged(shown: str, data: bytes, first: int) -> EditionError:
    bad = sum(1 for c in data.decode("utf-8", errors="surrogateescape") if "\udc80" <= c <= "\udcff")
    line, col = _line_col(data, first)
    return EditionError(shown, f"damaged UTF-8: byte 0x{data[first]:02x} is not valid UTF-8 ({bad} bad byte(s) in "
                               "the file); fix the byte(s), or declare the file's encoding in raw/witnesses.toml",
                        line=line, col=col)


_OUR_SCRIPTS = re.compile(r"[\x09\x0a\x0d\x20-\x7e\u00a0-\u052f\u2000-\u206f\u20ac\u2116]")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: the byte order whose text is (almost all) Latin, Cyrillic and punctuation."""
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - len(data) % 2].decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        share = len(_OUR_SCRIPTS.findall(sample)) / max(1, len(sample))
        if share > 0.9 and (best is None or share > best[0]):
            best = (share, text, codec)
    return (best[1], best[2]) if best else None


def _guess(data: bytes, shown: str = "") -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:  # a BOM says UTF-8: a bad byte is damage
            raise _damaged(shown, data, exc.start) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:4096]:
        return _utf16_without_bom(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _damaged_utf8(data):
            raise _damaged(shown, data, exc.start) from None
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


def read_text_file(path: Path, declared: str = "auto") -> tuple[str, str]:
    """A plain file's text and encoding (`edition clean FILE`)."""
    return decode_bytes(Path(path).read_bytes(), str(path), declared)


def read_witness(root: Path, corpus: Corpus, wid: str) -> tuple[str, str, list[Decision]]:
    """A witness's raw text (decoded), its encoding and its review file's decisions; bad input raises."""
    w = corpus.get(wid)
    raw_path = corpus.path(w)
    raw, encoding = decode_bytes(raw_path.read_bytes(), display_path(raw_path), w.encoding)
    if w.newline == "lf" and "\r" in raw:
        line = raw.count("\n", 0, raw.index("\r")) + 1
        raise EditionError(display_path(raw_path), 'CRLF or CR line ends, but raw/witnesses.toml says newline = "lf"',
                           line=line)
    return raw, encoding, read_review(root / "review" / f"{wid}.toml", witness=wid)


def read_raw(corpus: Corpus, wid: str) -> str:
    """A witness's raw text, decoded (no review file)."""
    w = corpus.get(wid)
    path = corpus.path(w)
    return decode_bytes(path.read_bytes(), display_path(path), w.encoding)[0]
