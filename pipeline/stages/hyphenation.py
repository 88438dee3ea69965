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
"homogeneous". The evidence, in order: a suspended-hyphen pattern ("фаб- и"), the
witness's own spelling of the word elsewhere ("x-y" or "xy"), particles, then the joined
word's frequency against its parts (wordfreq, case-blind: "BREAK-⏎FAST"; for Russian also
the dictionary, pymorphy3): "be-⏎fore", "some-⏎times", "re-⏎ported" are words, joined. A
compound is made of words (no fragment like "-ing"); a compounding prefix ("non-", "self-")
keeps its hyphen unless the joined word is common; a name broken at a line end is joined when
its second part never stands alone in the witness. A hyphen is a dash only after a complete
word, beside a function word or before a capital ("tale- so"); a dash is respaced only where
the document has a dash convention of its own. What stays uncertain keeps its hyphen at a
line end and becomes a query; an uncertain mid-line hyphen is left as printed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse

from pipeline.correct import prereform
from pipeline.lexicon import shared
from pipeline.russian import KnownForms

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import stage

WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)?"
# what follows the break is looked at, not taken: the next word may itself end a line
# ("Shly-⏎apnikovTro-⏎tsky": both hyphens are decided)
_LINE_END = re.compile(rf"(?<![^\W\d_'’])({WORD})-\n(?=(\S+))")
# a number hyphenated at a line end keeps its hyphen: "тезисах 10-⏎ти" -> "10-ти", "1920-⏎21"
_NUMBER_LINE_END = re.compile(r"(?<!\w)(\d+)-\n(?=\w)")
# a capitalised word after a space (the engine jumps to the space), after a small letter or comma
# (after a run of spaces too: the spacing stage makes it one, and a second pass must judge alike)
_PROPER = re.compile(r" +([A-ZА-ЯЁ][a-zа-яё]+)")
_PROPER_BEFORE = re.compile(r"[a-zа-яё,]")
# "under- stand", "workers-  party" (the spaces are one after the spacing stage: decided here)
_SPACED = re.compile(rf"(?<![\w-])({WORD})-( +)(?=({WORD}))")  # the next word looked at: "not- contain- activity"
_SPACED_BEFORE = re.compile(rf"(?<![^\W\d_'’])({WORD}) +-({WORD})")

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


@lru_cache(maxsize=20_000)  # ~210 bytes an entry, hit 57 % of the time on scale books
def zipf(word: str, lang: str) -> float:
    return shared(lang).zipf(word)


def _dictionary_word(word: str) -> bool:
    """Is a Russian word form in the OpenCorpora dictionary (not merely guessed)? From the witness's
    memo (_Known) where an earlier run kept the answer."""
    return _Known.held.known(word)


class _Known(KnownForms, kind="hyphenation"):
    """pymorphy3's answers about the words a Russian witness's hyphens ask (a dozen or so), kept from
    one run to the next (`.edition-cache/hyphenation/<witness id>.marshal`): with them, and the grammar
    stage's memo, a run loads no pymorphy3 (0.045 s of CPU) to clean the Russian original."""


_FORM = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CHUNK = 1 << 20  # the text is counted a megabyte at a time: no list of every word (memory)


def vocabulary(text: str) -> Counter[str]:
    """The witness's own word forms (lower-cased), hyphenated compounds included."""
    counts: Counter[str] = Counter()
    start = 0
    while start < len(text):
        end = text.find(" ", start + _CHUNK)  # no form holds a space: a cut there splits none
        end = len(text) if end < 0 else end
        words = text[start:end].lower().split()  # a chunk lowered at a time: no lowered copy of the whole text
        counts.update(filter(str.isalpha, words))  # a word of letters only is one form (most are)
        counts.update(_FORM.findall(" ".join(filterfalse(str.isalpha, words))))
        start = end
    return counts


class _Counted:
    """A Counter built on the first look-up (most texts never need it)."""

    def __init__(self, build):
        self._build = build
        self._counts: Counter[str] | None = None

    def get(self, form: str, default: int = 0) -> int:
        if self._counts is None:
            self._counts, self._build = self._build(), None
        return self._counts.get(form, default)


_LETTERS_AHEAD = re.compile(r"[^\W\d_]*")


def _without_line_end_words(text: str) -> str:
    """The text with each word broken at a line end ("class-⏎consistent") replaced by a space:
    line-end forms are not evidence for themselves. (Found from the rare "-⏎", not by a pattern
    opening with a letter class, which is tried at every position of every word.)"""
    out: list[str] = []
    done = 0  # end of the last word removed
    i = text.find("-\n")
    while i >= 0:
        start = max(done, _run_start(text, i))
        out.append(text[done:start])
        out.append(" ")
        done = _LETTERS_AHEAD.match(text, i + 2).end()
        i = text.find("-\n", max(done, i + 1))
    out.append(text[done:])
    return "".join(out)


def _run_start(text: str, i: int) -> int:
    """Where the run of letters ending at offset i starts (looked at backwards, a window at a time)."""
    width = 64
    while True:
        lo = max(0, i - width)
        run = _LETTERS_AHEAD.match(text[lo:i][::-1]).end()
        if run < i - lo or lo == 0:
            return i - run
        width *= 4


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


# a line-end hyphen between two words at least this frequent (the right one of five letters or more) whose
# joining is no word is a compound's
RARE_PART = 2.0
# a prefix and a word joined make a word from this zipf on (below, the prefix keeps its hyphen)
PREFIXED_WORD = 3.2


def judge(left: str, right: str, lang: str, vocab, spaced: bool = False, proper=None) -> Verdict:
    """Decide a hyphen between `left` and `right` (a line end, or "left- right").

    >>> judge("class", "consistent", "en", Counter()).reading
    'compound'
    >>> judge("under", "stand", "en", Counter()).reading
    'soft'
    >>> judge("фаб", "и", "ru", Counter()).reading
    'suspended'
    """
    lo_l, lo_r = left.lower(), right.lower()  # case-blind: "BREAK-⏎FAST" is "breakfast"
    joined, hyphened = lo_l + lo_r, f"{lo_l}-{lo_r}"
    if lo_r in CONJUNCTIONS.get(lang, ()) and (spaced or zipf(lo_l, lang) < 3.0):
        return Verdict("suspended", 0.95, f"'{left}-' is a word part before the conjunction '{right}'")
    # the witness's own spellings first: it writes "x-y" or "xy" elsewhere
    in_hyph, in_join = vocab.get(hyphened, 0), vocab.get(joined, 0)
    if in_hyph and not in_join:
        return Verdict("compound", 0.99, f"the witness writes '{left}-{right}' elsewhere ({in_hyph}x)")
    if in_join and not in_hyph:
        return Verdict("soft", 0.97, f"the witness writes '{joined}' elsewhere ({in_join}x)")
    zj, zl, zr = zipf(joined, lang), zipf(lo_l, lang), zipf(lo_r, lang)
    if lo_r in PARTICLES.get(lang, ()) and zj < max(3.0, zl):
        return Verdict("compound", 0.97, f"'-{right}' is a particle written with a hyphen")
    if spaced and (lo_l in FUNCTION_WORDS.get(lang, ()) or lo_r in FUNCTION_WORDS.get(lang, ())):
        # "tale- so", "of- the", "late- They": a hyphen left in mid-line beside a function word
        # is a dash or damage, never a word to rebuild
        if zl < 3.0 and lo_l not in FUNCTION_WORDS.get(lang, ()):
            return Verdict("keep", 0.9, f"'{left}- {right}': no word before the hyphen; left as printed")
        return Verdict("dash", 0.9, f"'{left}- {right}': beside a function word or a capital: a dash")
    if spaced and right[:1].isupper() and not (left[:1].islower() and (proper or {}).get(lo_r, 0) >= 2):
        # "occupied- Verbum", "Mrs- Hart": a capital after a mid-line hyphen starts a sentence or
        # a name after a dash; a compound only with a word the witness capitalises inside its
        # sentences ("class- Communist")
        if zl >= 3.0 or lo_l in FUNCTION_WORDS.get(lang, ()):
            return Verdict("dash", 0.9, f"'{left}- {right}': a complete word, then a capital: a dash")
        return Verdict("keep", 0.9, f"'{left}- {right}': left as printed")
    if right[:1].isupper() and not right.isupper() and zj < 3.0:
        return Verdict("compound", 0.95, f"'{right}' is capitalised: a compound of names")
    if lang == "ru" and zj < 3.0 and _dictionary_word(joined):
        # wordfreq is thin on inflected forms ("страною", "централистские"); the dictionary knows them
        return Verdict("soft", 0.9, f"'{joined}' is a dictionary word (pymorphy3)")
    prefix = lo_l in PREFIXES.get(lang, ())
    # a dash only after a complete word, before a word, where the two make no word:
    # "themselves- acting", and in mid-line "tale- so", "late- They"
    complete = zl >= 3.0 or lo_l in FUNCTION_WORDS.get(lang, ())
    if complete and zj < 1.5 and not prefix and (spaced or zr >= 3.0) and (
            lo_l in FUNCTION_WORDS.get(lang, ())
            or (spaced and (lo_r in FUNCTION_WORDS.get(lang, ()) or right[:1].isupper()))):
        return Verdict("dash", 0.9, f"'{left}' is a complete word and '{joined}' none: a dash")
    # the joined word against its parts (wordfreq); after a compounding prefix a little commoner: "re-⏎pressed",
    # "over-⏎turned", "ex-⏎changing" (zipf 3.2-3.4) are words, "re-⏎organisation" (2.9), "pre-⏎eminent" (2.8) the
    # period's hyphened compounds
    if zj >= (PREFIXED_WORD if prefix else 3.0):
        return Verdict("soft", min(0.99, 0.8 + (zj - 3.0) / 10), f"'{joined}' is a word (zipf {zj:.1f})")
    if prefix and zr >= 3.0 and len(lo_r) >= 3:
        return Verdict("compound", 0.9 if zj < 2.0 else 0.75,
                       f"'{left}-' compounds with a hyphen; '{joined}' is rare (zipf {zj:.1f})")
    if zj >= 2.0 and min(zl, zr) < 3.0:
        return Verdict("soft", 0.85, f"'{joined}' is a word (zipf {zj:.1f}) and a part alone is rare")
    if left[:1].isupper() and not spaced and zj < 1.0 and zr >= 3.0 and vocab.get(lo_r, 0) == 0:
        # "Thorns-⏎hope", "Turn-⏎worth": a name broken at the line end; its second part, an
        # ordinary word, never stands alone in the witness
        return Verdict("soft", 0.7, f"'{left}{right}' is a name broken at the line end? ('{right}' "
                                    f"does not stand alone in the witness)")
    if left[:1].isupper() and zj < 1.0 and zr >= 1.5:
        return Verdict("compound", 0.75, f"'{left}' is a name and '{joined}' no word: hyphen kept "
                                         f"(is '{right}' a name in lower case?)")
    # both parts words: frequent, and the right one no fragment ("walt-⏎ing": "ing" is frequent
    # in wordfreq, but no word of its own in the witness)
    known_l = zl >= 3.0 or (lang == "ru" and _dictionary_word(lo_l))
    known_r = zr >= (1.5 if spaced else 3.0) or (lang == "ru" and _dictionary_word(lo_r))
    words = known_l and known_r and len(lo_l) >= 3 and (len(lo_r) >= 4 or vocab.get(lo_r, 0) > 0)
    # ... or, at a line end, two rarer words, the right one too long for a word's ending and the left no short
    # syllable or prefix ("death-⏎devouring", "forlorn-⏎looking", "empty-⏎handedness": a print's own compounds;
    # "brig-⏎ness", "-ment", "-ally" are endings, "com-⏎passe", "re-⏎monetization" a syllable and a prefix)
    words = words or (not spaced and min(zl, zr) >= RARE_PART and len(lo_l) >= 4 and len(lo_r) >= 5)
    if zj < 1.0 and words:
        return Verdict("compound", 0.95, f"both parts are words, '{joined}' is none")
    if zj >= 1.0 or (not spaced and not words):
        # a compound is made of words: a part that is none makes this a word broken at the line end
        return Verdict("soft", 0.75, f"'{joined}' (zipf {zj:.1f}): a part is no word of its own "
                                     f"({zl:.1f}/{zr:.1f})")
    if spaced and zl >= 2.0 and len(lo_l) >= 4 and zj < 1.0:
        return Verdict("compound", 0.6, f"uncertain: '{left}' is a word, '{joined}' none; hyphen kept")
    if spaced:
        return Verdict("keep", 0.9, f"uncertain: '{joined}' zipf {zj:.1f}, parts {zl:.1f}/{zr:.1f}; left as printed")
    return Verdict("compound", 0.6, f"uncertain: '{joined}' zipf {zj:.1f}, parts {zl:.1f}/{zr:.1f}; hyphen kept")


@stage("hyphenation", requires=("line-end-hyphens",), assigns=("hyphens-decided",), leaves=("layout",),
       kinds=("hyphen", "punct"))
def run(text: str, ctx: Context) -> StageResult:
    """Resolve line-end hyphens and mid-line reflow remnants."""
    with _Known.of(ctx) as known:
        result = _run(text, ctx)
        known.save()
    return result


def _judge_modern(left: str, right: str, lang: str, vocab, spaced: bool = False, proper=None) -> Verdict:
    """`judge` of the two parts in their modern spelling (a print before 1918)."""
    return judge(prereform.modern(left), prereform.modern(right), lang, vocab, spaced, proper)


def _modern_counts(vocab: Counter[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for w, n in vocab.items():
        out[prereform.modern(w)] += n
    return out


def _run(text: str, ctx: Context) -> StageResult:
    lang = ctx.language
    dash = dash_form(text, ctx.policy.get("typography", {}).get("dash_text", " - "))
    ctx.facts.setdefault("layout", {}).setdefault("conventions", {})["dash"] = dash
    vocab = _Counted(lambda: vocabulary(_without_line_end_words(text)))  # line-end forms are no evidence for themselves
    # a Russian print before 1918 ("во-⏎первыхъ"): its words are judged in their modern form (correct/prereform.py)
    if lang == "ru" and prereform.spells_old(text):
        vocab = _Counted(lambda: _modern_counts(vocabulary(_without_line_end_words(text))))
        judged = _judge_modern
    else:
        judged = judge
    # words the witness capitalises inside a sentence (names, "Communist"), lower-cased
    proper = _Counted(lambda: Counter(m.group(1).lower() for m in _PROPER.finditer(text)
                                      if _PROPER_BEFORE.match(text, m.start() - 1)))
    edits: list[Edit] = []
    queries: list[Query] = []
    taken = bytearray(len(text) + 1)  # characters some edit here already covers

    def add(e: Edit) -> None:
        edits.append(e)
        taken[e.start:e.end] = b"\x01" * (e.end - e.start)

    # the line-end joins, for the mid-line hyphens beside them to be judged on the words the next
    # pass reads ("Pe-⏎trogradnot- nothing" on "Petrogradnot"): hyphen -> (reading, the word
    # before it, the word after it, where the word before starts)
    joins: dict[int, tuple[str, str, str, int]] = {}
    for m in near(_LINE_END, text, "-\n"):
        left, right = m.group(1), re.match(rf"{WORD}", m.group(2))
        hyphen = m.end(1)
        if right is None:  # "union-⏎1921": keep the hyphen, join
            add(Edit(hyphen + 1, hyphen + 2, "", "hyphen.compound", "hyphen", 0.8, "line-end hyphen kept"))
            joins[hyphen] = ("compound", left, "", m.start())
            continue
        v = judged(left, right.group(), lang, vocab)
        add(_hyphen_edit(hyphen, v, dash, f"{left}-⏎{right.group()}", line_end=True))
        joins[hyphen] = (v.reading, left, right.group(), m.start())
        if v.confidence < 0.8:
            queries.append(_query(m.start(), m.end(2), f"{left}-⏎{right.group()}", v, left, right.group()))
    for m in near(_NUMBER_LINE_END, text, "-\n"):
        hyphen = m.end(1)
        add(Edit(hyphen + 1, hyphen + 2, "", "hyphen.compound", "hyphen", 0.95,
                 f"{m.group(1)}-⏎{text[m.end():m.end() + 6].split()[0]}: a number keeps its hyphen"))
        joins[hyphen] = ("compound", m.group(1), "", m.start())
    for i in _line_end_hyphens(text):  # what no rule above read ("not91-⏎Workers"): kept, joined
        if taken[i + 1]:
            continue
        if i and text[i - 1] == " ":  # "workers -⏎and": a dash, not a word's hyphen; the break is a space
            left = text[max(0, i - 12):i].split()
            add(Edit(i + 1, i + 2, " ", "hyphen.dash", "punct", 0.9,
                     f"{left[-1] if left else ''} -⏎{text[i + 2:i + 14].split(' ')[0]}: "
                     f"a hyphen after a space ends the line: a dash, the line joined with a space"))
        else:
            add(Edit(i + 1, i + 2, "", "hyphen.compound", "hyphen", 0.6,
                     f"{text[max(0, i - 12):i].split(' ')[-1]}-⏎{text[i + 2:i + 14].split(' ')[0]}: "
                     f"line-end hyphen kept (no word before it to judge)"))
            joins[i] = ("compound", "", "", i)

    def whole(start: int, left: str, end: int, right: str, alone: bool) -> tuple[str, str] | None:
        """The words around a mid-line hyphen as the next pass reads them (a soft join makes one
        word of two), or None where it reads none: with `alone` (the pattern wants no word
        character or hyphen before the left word), after a kept line-end hyphen ("co-⏎ntain-")."""
        j = joins.get(start - 2) if start >= 2 and text[start - 2:start] == "-\n" else None
        if j is not None:
            reading, before, _, at = j
            if reading == "soft" and not (alone and at and _WORD_OR_HYPHEN.match(text, at - 1)):
                left = before + left
            elif alone and reading in ("soft", "compound"):
                return None
        j = joins.get(end)
        if j is not None and j[0] == "soft":
            right += j[2]
        return left, right

    for m in near(_SPACED, text, "- "):
        if _overlaps(m.start(), m.end(3), taken):
            continue
        words = whole(m.start(), m.group(1), m.end(3), m.group(3), alone=True)
        if words is None:
            continue
        left, right = words
        v = judged(left, right, lang, vocab, spaced=True, proper=proper)
        hyphen = m.end(1)
        if v.reading == "keep" or (v.reading == "dash" and dash == "keep"):
            continue  # damage we cannot read, or a dash in a document with no dash convention: as printed
        add(_hyphen_edit(hyphen, v, dash, f"'{left}- {right}'", line_end=False, gap=len(m.group(2))))
        if v.confidence < 0.8:
            queries.append(_query(m.start(), m.end(3), text[m.start():m.end(3)], v, left, right))
    for m in near(_SPACED_BEFORE, text, " -"):
        if _overlaps(m.start(), m.end(), taken):
            continue
        words = whole(m.start(), m.group(1), m.end(2), m.group(2), alone=False)
        if words is None:
            continue
        # "incentive -rivalry": a dash set close to the following word (respaced only where
        # the document spaces its dashes one way: otherwise it is style, kept)
        if dash == "keep" or len(words[1]) < 2 or not (zipf(words[0].lower(), lang) >= 3.0
                                                       and zipf(words[1].lower(), lang) >= 3.0):
            continue
        add(Edit(m.end(1), m.start(2), dash, "hyphen.dash", "punct", 0.9,
                 f"'{m.group()}': a hyphen before a word after a space is a dash"))
    for start, hyphen, end in _inner_hyphens(text):
        if _overlaps(start, end, taken):
            continue
        words = whole(start, text[start:hyphen], end, text[hyphen + 1:end], alone=True)
        if words is None:
            continue
        left, right = words
        joined = (left + right).lower()
        right_is_word = zipf(right.lower(), lang) >= 1.0 or vocab.get(right.lower(), 0) > 0
        if not right_is_word and len(left) >= COMPOUND_PART and zipf(left.lower(), lang) >= 3.0:
            # two words: "under-pinnings", "pinnings" an inflection of "pinning" (Lexicon.derived), not the
            # fragment a reflow leaves ("pos-sesses", "in-clination": "pos", "in" are no such words, nor
            # "sesses" any word's form but a short abbreviation's)
            base = shared(lang).derived(right.lower())
            right_is_word = base is not None and len(base) >= COMPOUND_PART
        if right_is_word:
            continue
        joined_is_word = zipf(joined, lang) >= 2.5 or vocab.get(joined, 0) > 0
        if joined_is_word and vocab.get(f"{left}-{right}".lower(), 0) <= 1:
            add(Edit(hyphen, hyphen + 1, "", "hyphen.reflow-remnant", "hyphen", 0.9,
                     f"'{left}-{right}': '{right}' is no word, '{left}{right}' is: a hyphen left by an earlier reflow"))
    return StageResult(sorted(edits, key=lambda e: (e.start, e.end)), queries)


# found from the space or the dash (the engine jumps to them); what stands before is checked after
_SPACED_DASH = re.compile(r" +([-–—]{1,2}) +(?=\w)")
_SPACED_DASH_BEFORE = re.compile(r"[\w,;]")
_CLOSED_DASH = re.compile(r"(—|–|--)(?=[^\W\d_])")
_CLOSED_DASH_BEFORE = re.compile(r"[^\W\d_]")


def dash_form(text: str, policy: str) -> str:
    """How the document writes a dash: the policy's dash_text, or with dash_text =
    "document", its own commonest dash (" - ", " — ", "—", ...), seen at least three times
    and twice as often as the other form; "keep" where it shows no convention."""
    if policy != "document":
        return policy
    spaced = Counter(f" {m.group(1)} " for m in _SPACED_DASH.finditer(text)
                     if m.start() and _SPACED_DASH_BEFORE.match(text, m.start() - 1))
    closed = Counter(m.group(1) for m in _CLOSED_DASH.finditer(text)
                     if m.start() and _CLOSED_DASH_BEFORE.match(text, m.start() - 1))
    forms = (spaced + closed).most_common()
    if not forms or forms[0][1] < 3:
        return "keep"
    best, n = forms[0]
    other = sum(closed.values()) if best.startswith(" ") else sum(spaced.values())
    return best if n >= 2 * other else "keep"


# What each reading does to the hyphen and the character after it ("-⏎" at a line end,
# "- " in mid-line): (first offset, last offset, replacement) relative to the hyphen.
_SPANS = {"soft": (0, 2, ""), "compound": (1, 2, ""), "suspended": (1, 2, " "), "dash": (0, 2, None)}


def _hyphen_edit(hyphen: int, v: Verdict, dash: str, shown: str, line_end: bool, gap: int = 1) -> Edit:
    """The edit for a hyphen at offset `hyphen` followed by a line break or `gap` spaces.

    "class-⏎consistent" -> "class-consistent"; "under- stand" -> "understand";
    "фаб-⏎и" -> "фаб- и" (a suspended hyphen in mid-line is already right: no change).
    """
    start, end, after = _SPANS[v.reading]
    end += gap - 1
    if v.reading == "dash":
        rule, kind, after = "hyphen.dash", "punct", (" - " if dash == "keep" else dash)
    elif line_end:
        rule, kind = f"hyphen.{v.reading}", "hyphen"
    else:
        rule, kind = "hyphen.reflow-remnant", "hyphen"
    return Edit(hyphen + start, hyphen + end, after, rule, kind, v.confidence, f"{shown}: {v.evidence}")


# the letters of each part of a mid-line compound whose right part is an inflection the word list lacks
COMPOUND_PART = 5


def _query(start: int, end: int, shown: str, v: Verdict, left: str, right: str) -> Query:
    return Query(start, end, shown, [f"{left}-{right}", f"{left}{right}"], round(1 - v.confidence, 3),
                 f"hyphen: {v.evidence}", rule="hyphen.uncertain")


def _inner_hyphens(text: str):
    r"""(start, hyphen, end) of every word of two runs of letters joined by one hyphen, with
    no word character or hyphen on either side ("homo-geneous"; not "a-b-c", not "x2-y"), as
    (?<![\w-])([^\W\d_]+)-([^\W\d_]+)(?![\w-]) would match: found from each hyphen (that
    pattern, opening with a letter class, is tried at every position of the text)."""
    i = text.find("-")
    while i >= 0:
        start = _run_start(text, i)
        end = _LETTERS_AHEAD.match(text, i + 1).end()
        if start < i < end - 1 and not (start and _WORD_OR_HYPHEN.match(text, start - 1)) \
                and not _WORD_OR_HYPHEN.match(text, end):
            yield start, i, end
        i = text.find("-", i + 1)


_WORD_OR_HYPHEN = re.compile(r"[\w-]")


def _line_end_hyphens(text: str):
    """Offsets of every hyphen that ends a line inside a paragraph."""
    i = text.find("-\n")
    while i >= 0:
        if i + 2 < len(text) and not text[i + 2].isspace():
            yield i
        i = text.find("-\n", i + 1)


def _overlaps(s: int, e: int, taken: bytearray) -> bool:
    return 1 in taken[s:e]
