"""Generated damaged texts, English and Russian, for the fuzz tests (tests/test_fuzz.py) and
benchmarks/fuzz.py: prose damaged the way scans and conversions damage it.

`damaged(seed)` gives (language, raw text); the same seed gives the same text.
"""
from __future__ import annotations

import random

EN = ("the working class opposition did not assert itself during the summer and nothing was heard of it "
      "in april but the party congress of nineteen twenty contain possible trade unions self activity "
      "Trotsky Lenin Kollontai Shlyapnikov Moscow Petrograd workers masses comrades bureaucracy").split()
RU = ("рабочая оппозиция не проявляла себя летом и ничего не было слышно о ней возможны профсоюзы "
      "партия съезд товарищи массы бюрократизм Троцкий Ленин Коллонтай Шляпников Москва самодеятельность "
      "во первых классовое государство хозяйство").split()
PUNCT = [".", ",", ";", ":", "?", "!", "…", "—", "–", "-"]
QUOTES = {"en": [("“", "”"), ('"', '"'), ("‘", "’"), ("'", "'")], "ru": [("«", "»"), ("„", "“"), ('"', '"')]}
# damage a character may get: (what it becomes given the character)
ODD = ["\u00a0", "\u2009", "\u200b", "\u00ad", "\ufeff", "\u202e", "\x07", "\x0b", "\x0c", "\x85", "\u2028",
       "\u2029", "\ufffe", "\uffff", "\t", "\x1b", "\u3000", "\u200f", "\x00"]
MARKUP = ["<script>alert(1)</script>", "&amp;", "&lt;b&gt;", "{{ x }}", "]]>", "<!--", "${x}", "%s", "\\n"]


def _word(rng: random.Random, lang: str) -> str:
    w = rng.choice(EN if lang == "en" else RU)
    r = rng.random()
    if r < 0.08:
        w = w.capitalize()
    elif r < 0.1:
        w = w.upper()
    return w


def _mojibake(rng: random.Random, s: str) -> str:
    """s encoded in UTF-8 and read as latin-1 or cp1252 (the classic conversion damage)."""
    codec = rng.choice(["latin-1", "cp1252"])
    return s.encode("utf-8").decode(codec, errors="replace" if codec == "cp1252" else "strict")


def damaged(seed: int, paragraphs: int = 5, words: int = 40) -> tuple[str, str]:
    """(language, raw text) of up to *paragraphs* paragraphs of up to *words* words, damaged."""
    rng = random.Random(seed)
    lang = rng.choice(["en", "ru"])
    paras = []
    for _ in range(rng.randint(1, paragraphs)):
        chosen = [_word(rng, lang) for _ in range(rng.randint(1, words))]
        out = []
        for i, w in enumerate(chosen):
            r = rng.random()
            if r < 0.08:
                w += rng.choice(PUNCT)
            elif r < 0.11:
                q = rng.choice(QUOTES[lang])
                w = q[0] + w + q[1] + (rng.choice(PUNCT) if rng.random() < 0.5 else "")
            elif r < 0.13:
                w += f"[{rng.randint(1, 9)}]" if rng.random() < 0.5 else str(rng.randint(1, 99))
            elif r < 0.15:
                w = rng.choice(MARKUP)
            out.append(w)
        text = ""
        for i, w in enumerate(out):
            text += w
            if i == len(out) - 1:
                break
            r = rng.random()
            if r < 0.12:  # a line break, maybe inside a word (hyphenated), maybe with trailing space
                if rng.random() < 0.4 and len(w) > 3:
                    cut = rng.randint(1, len(w) - 1)
                    text = text[:-len(w)] + w[:cut] + rng.choice(["-", "-", "¬", "- "]) + rng.choice(["\n", "\r\n", " \n"]) + w[cut:]
                    continue
                text += rng.choice(["\n", "\r\n", " \n", "\r", "\n  "])
            elif r < 0.16:
                text += rng.choice(["  ", " \t ", "\u00a0", " - ", "-\n", "—\n"])
            else:
                text += " "
        if rng.random() < 0.15:
            text = _mojibake(rng, text)
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 4)):
                k = rng.randint(0, len(text))
                text = text[:k] + rng.choice(ODD) + text[k:]
        if rng.random() < 0.1:
            text = text.replace("й", "и\u0306").replace("é", "e\u0301")  # decomposed (NFD)
        paras.append(text)
    sep = lambda: rng.choice(["\n\n", "\n\n\n\n", "\n \n", "\r\n\r\n", "\n\t\n", "\n\n" + str(rng.randint(1, 300)) + "\n\n"])  # noqa: E731
    raw = paras[0]
    for p in paras[1:]:
        raw += sep() + p
    raw = rng.choice(["", "", "\ufeff", "\n", " "]) + raw + rng.choice(["\n", "", "\n\n\n", "  \n", "\r\n"])
    if not raw.strip():
        raw = "x" + raw
    return lang, raw
