"""Stage *decode*: clean Unicode.

The raw file was already decoded to text by pipeline.sources.decode_bytes (that
text is what every change-log offset refers to). This stage repairs the text itself: mojibake
(ftfy: "Ð¿Ñ€Ð¾Ñ„ÑÐ¾ÑŽÐ·" -> "профсоюз"), Unicode NFC, CRLF and lone CR line ends, odd spaces (no-break, thin, zero-width) and stray
control characters.
"""
from __future__ import annotations

import re
import unicodedata

import ftfy
from ftfy.badness import is_bad

from pipeline.context import Context
from pipeline.model import Edit, StageResult
from pipeline.sources import decode_bytes  # noqa: F401  (its home is pipeline.sources; scripts written before the move import it here)
from pipeline.stages import stage

# no-break, en/em/thin/hair spaces and friends -> a plain space; zero-width ones -> nothing
_ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# zero-width and soft hyphen, and bidirectional controls (U+202E would reverse what follows)
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@stage("decode", assigns=("unicode",), kinds=("encoding", "spacing"))
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
