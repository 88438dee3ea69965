"""Stage *hyphenation*: decide every hyphen that a line end (or an earlier reflow) left.

A hyphen before a line break ("class-⏎consistent", left as "-⏎" by *layout*)
is one of:

* part of a compound: keep it, join without a space ("class-consistent",
  "во-первых", "All-Russian", "Froebel-pestalozzi's");
* a soft break: remove it and join the word ("under-⏎stand" -> "understand");
* a suspended hyphen: keep hyphen and space ("фаб-⏎и завкомами" -> "фаб- и завкомами");
* a dash: "themselves- acting" -> "themselves - acting".

Remnants of earlier reflows in mid-line get the same decision: "under- stand"
-> "understand", "self- activity" -> "self-activity", "homo-geneous" ->
"homogeneous". The evidence, in order: a suspended-hyphen pattern, a dash
after a pronoun, the witness's own spelling of the word elsewhere, known
compounding prefixes and particles, and word frequencies (wordfreq). What
stays uncertain keeps its hyphen (a compound never loses one) and becomes a query.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from pipeline.lexicon import shared

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import stage

WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)?"
_LINE_END = re.compile(rf"(?<![^\W\d_'’])({WORD})-\n(\S+)")
# a number hyphenated at a line end keeps its hyphen: "тезисах 10-⏎ти" -> "10-ти", "1920-⏎21"
_NUMBER_LINE_END = re.compile(r"(?<!\w)(\d+)-\n(?=\w)")
_SPACED = re.compile(rf"(?<![\w-])({WORD})- ({WORD})")
_SPACED_BEFORE = re.compile(rf"(?<![^\W\d_'’])({WORD}) -({WORD})")
_INNER = re.compile(r"(?<![\w-])([^\W\d_]+)-([^\W\d_]+)(?![\w-])")

# a hyphen after these is a compounding hyphen in the texts of this period
PREFIXES = {
    "en": {"self", "non", "co", "re", "pre", "post", "anti", "semi", "quasi", "ex", "half", "by", "ever",
           "well", "ill", "all", "over", "counter", "ultra", "inter", "extra", "pseudo", "neo", "sub", "vice"},
    "ru": {"во", "по", "кое", "из", "в", "на", "с", "вице", "экс", "полу", "обер", "унтер", "лейб", "штаб"},
}
PARTICLES = {"ru": {"то", "либо", "нибудь", "ка", "таки", "де"}, "en": set()}
CONJUNCTIONS = {"en": {"and", "or", "nor", "to"}, "ru": {"и", "или", "либо", "да"}}
# a hyphen glued to one of these is a dash: "themselves- acting"
FUNCTION_WORDS = {
    "en": {"i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "themselves",
           "himself", "herself", "itself", "ourselves", "yourselves", "this", "that", "these", "those",
           "is", "are", "was", "were", "be", "been", "the", "a", "an", "of", "in", "on", "at", "by", "with",
           "and", "or", "but", "so", "as", "if", "then", "than", "not", "no", "yes", "etc"},
    "ru": {"я", "мы", "ты", "вы", "он", "она", "оно", "они", "это", "что", "как", "так", "и", "а", "но",
           "не", "ни", "же", "ли", "бы", "себя", "сами", "сам"},
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """How to read one hyphen, with the evidence."""

    reading: str       # compound | soft | suspended | dash
    confidence: float
    evidence: str


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str) -> float:
    return shared(lang).zipf(word)


_FORM = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def vocabulary(text: str) -> Counter[str]:
    """The witness's own word forms (lower-cased), hyphenated compounds included."""
    return Counter(m.group() for m in _FORM.finditer(text.lower()))  # no list of every word: memory


def near(pattern: re.Pattern, text: str, anchor: str, radius: int = 80):
    """pattern.finditer(text), searched only in windows around the (rare) literal `anchor`.

    Hyphens are rare; scanning the whole text with a Unicode-class regex is not.
    """
    i = text.find(anchor)
    while i >= 0:
        lo, hi = max(0, i - radius), i + radius
        j = text.find(anchor, i + 1)
        while 0 <= j < hi + radius:  # merge overlapping windows
            hi = j + radius
            j = text.find(anchor, j + 1)
        # the window is searched with the whole string around it visible to look-arounds
        for m in pattern.finditer(text, lo, min(len(text), hi + radius)):
            if m.start() >= lo and (m.start() < hi or j < 0):
                yield m
        i = j


def judge(left: str, right: str, lang: str, vocab: Counter[str], spaced: bool = False) -> Verdict:
    """Decide a hyphen between `left` and `right` (a line end, or "left- right").

    >>> judge("class", "consistent", "en", Counter()).reading
    'compound'
    >>> judge("under", "stand", "en", Counter()).reading
    'soft'
    >>> judge("фаб", "и", "ru", Counter()).reading
    'suspended'
    """
    lo_l, lo_r = left.lower(), right.lower()
    joined, hyphened = lo_l + lo_r, f"{lo_l}-{lo_r}"
    if lo_r in CONJUNCTIONS.get(lang, ()) and zipf(lo_l, lang) < 3.0:
        return Verdict("suspended", 0.95, f"'{left}-' is a word part before the conjunction '{right}'")
    if lo_l in FUNCTION_WORDS.get(lang, ()) and lo_l not in PREFIXES.get(lang, ()):
        return Verdict("dash", 0.9, f"'{left}' is a function word: a hyphen after it is a dash")
    in_hyph, in_join = vocab.get(hyphened, 0), vocab.get(joined, 0)
    if in_hyph and not in_join:
        return Verdict("compound", 0.99, f"the witness writes '{left}-{right}' elsewhere ({in_hyph}x)")
    if in_join and not in_hyph:
        return Verdict("soft", 0.97, f"the witness writes '{joined}' elsewhere ({in_join}x)")
    if zipf(lo_r, lang) < 1.0 and vocab.get(lo_r, 0) <= 1 and (zipf(joined, lang) >= 2.5 or vocab.get(joined, 0)):
        # "во-⏎зможны", "co-⏎ntain" (the right part counted once: this very line end): kept, the
        # hyphen would be taken for a reflow remnant on the next run (not idempotent)
        return Verdict("soft", 0.9, f"'{right}' is no word, '{joined}' is")
    if lo_r in PARTICLES.get(lang, ()) or lo_l in PREFIXES.get(lang, ()):
        return Verdict("compound", 0.97, f"'{left}-' / '-{right}' compounds with a hyphen")
    if right[:1].isupper():
        return Verdict("compound", 0.95, f"'{right}' is capitalised: a compound of names")
    if left[:1].isupper() and zipf(joined, lang) < 1.0:
        return Verdict("compound", 0.75, f"'{left}' is a name and '{joined}' no word: hyphen kept "
                                         f"(is '{right}' a name in lower case?)")
    zj, zl, zr = zipf(joined, lang), zipf(lo_l, lang), zipf(lo_r, lang)
    if zj >= 3.0 and zj > min(zl, zr):
        return Verdict("soft", min(0.99, 0.8 + (zj - 3.0) / 10), f"'{joined}' is a word (zipf {zj:.1f})")
    if zj >= 2.0 and (zl < 1.5 or zr < 1.5):
        return Verdict("soft", 0.85, f"'{joined}' is a word (zipf {zj:.1f}) and a part alone is not")
    if zj < 1.5 and zl >= 1.5 and zr >= 1.5:
        return Verdict("compound", 0.95, f"both parts are words, '{joined}' is not")
    return Verdict("compound", 0.6, f"uncertain: '{joined}' zipf {zj:.1f}, parts {zl:.1f}/{zr:.1f}; hyphen kept")


@stage("hyphenation", requires=("line-end-hyphens",), assigns=("hyphens-decided",), kinds=("hyphen", "punct"))
def run(text: str, ctx: Context) -> StageResult:
    """Resolve line-end hyphens and mid-line reflow remnants."""
    lang = ctx.language
    dash = ctx.policy.get("typography", {}).get("dash_text", " - ")
    vocab = vocabulary(text.replace("-\n", "\x00"))  # line-end forms are not evidence for themselves
    edits: list[Edit] = []
    queries: list[Query] = []
    taken = bytearray(len(text) + 1)  # characters some edit here already covers

    def add(e: Edit) -> None:
        edits.append(e)
        taken[e.start:e.end] = b"\x01" * (e.end - e.start)

    for m in near(_LINE_END, text, "-\n"):
        left, right = m.group(1), re.match(rf"{WORD}", m.group(2))
        hyphen = m.end(1)
        if right is None:  # "union-⏎1921": keep the hyphen, join
            add(Edit(hyphen + 1, hyphen + 2, "", "hyphen.compound", "hyphen", 0.8, "line-end hyphen kept"))
            continue
        v = judge(left, right.group(), lang, vocab)
        add(_hyphen_edit(hyphen, v, dash, f"{left}-⏎{right.group()}", line_end=True))
        if v.confidence < 0.8:
            queries.append(_query(m.start(), m.end(), f"{left}-⏎{right.group()}", v, left, right.group()))
    for m in near(_NUMBER_LINE_END, text, "-\n"):
        hyphen = m.end(1)
        add(Edit(hyphen + 1, hyphen + 2, "", "hyphen.compound", "hyphen", 0.95,
                 f"{m.group(1)}-⏎{text[m.end():m.end() + 6].split()[0]}: a number keeps its hyphen"))
    for m in near(_SPACED, text, "- "):
        if _overlaps(m.start(), m.end(), taken):
            continue
        left, right = m.group(1), m.group(2)
        v = judge(left, right, lang, vocab, spaced=True)
        hyphen = m.end(1)
        add(_hyphen_edit(hyphen, v, dash, f"'{left}- {right}'", line_end=False))
        if v.confidence < 0.8:
            queries.append(_query(m.start(), m.end(), m.group(), v, left, right))
    for m in near(_SPACED_BEFORE, text, " -"):
        if _overlaps(m.start(), m.end(), taken):
            continue
        # "incentive -rivalry": a dash set close to the following word
        add(Edit(m.end(1), m.start(2), dash, "hyphen.dash", "punct", 0.9,
                 f"'{m.group()}': a hyphen before a word after a space is a dash"))
    for m in near(_INNER, text, "-"):
        if _overlaps(m.start(), m.end(), taken):
            continue
        left, right = m.group(1), m.group(2)
        joined = (left + right).lower()
        right_is_word = zipf(right.lower(), lang) >= 1.0 or vocab.get(right.lower(), 0) > 0
        joined_is_word = zipf(joined, lang) >= 2.5 or vocab.get(joined, 0) > 0
        if not right_is_word and joined_is_word and vocab.get(f"{left}-{right}".lower(), 0) <= 1:
            add(Edit(m.end(1), m.end(1) + 1, "", "hyphen.reflow-remnant", "hyphen", 0.9,
                     f"'{left}-{right}': '{right}' is no word, '{left}{right}' is: a hyphen left by an earlier reflow"))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)), queries)


# What each reading does to the hyphen and the character after it ("-⏎" at a line end,
# "- " in mid-line): (first offset, last offset, replacement) relative to the hyphen.
_SPANS = {"soft": (0, 2, ""), "compound": (1, 2, ""), "suspended": (1, 2, " "), "dash": (0, 2, None)}


def _hyphen_edit(hyphen: int, v: Verdict, dash: str, shown: str, line_end: bool) -> Edit:
    """The edit for a hyphen at offset `hyphen` followed by a line break or a space.

    "class-⏎consistent" -> "class-consistent"; "under- stand" -> "understand";
    "фаб-⏎и" -> "фаб- и" (a suspended hyphen in mid-line is already right: no change).
    """
    start, end, after = _SPANS[v.reading]
    if v.reading == "dash":
        rule, kind, after = "hyphen.dash", "punct", dash
    elif line_end:
        rule, kind = f"hyphen.{v.reading}", "hyphen"
    else:
        rule, kind = "hyphen.reflow-remnant", "hyphen"
    return Edit(hyphen + start, hyphen + end, after, rule, kind, v.confidence, f"{shown}: {v.evidence}")


def _query(start: int, end: int, shown: str, v: Verdict, left: str, right: str) -> Query:
    return Query(start, end, shown, [f"{left}-{right}", f"{left}{right}"], round(1 - v.confidence, 3),
                 f"hyphen: {v.evidence}", rule="hyphen.uncertain")


def _overlaps(s: int, e: int, taken: bytearray) -> bool:
    return 1 in taken[s:e]
