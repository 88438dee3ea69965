"""Reading sources: raw files to text, and a catalogued witness with its review file.

`decode_bytes` turns a raw file into text (this decoded text is what every change-log
offset refers to): UTF-8 with or without BOM, UTF-16 (with BOM), and the legacy codecs
cp1251, KOI8-R and cp1252, detected by which gives the most plausible letters.
`read_witness` reads one witness of raw/witnesses.toml (pipeline.witnesses) that way.
Bad input is an EditionError naming the file (and line).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pipeline.errors import EditionError
from pipeline.review import Decision, read_review
from pipeline.tomlio import display_path
from pipeline.witnesses import Corpus

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
