"""Capitals misread inside a sentence: "found In crystalline earths", "had drifted Into bad company".

Some prints' OCR reads a small letter as its capital ("i" as "I"): a word then stands capitalised
between two lower-case words where the sentence wants it small. Such a capital is told from a name, a
title's capital and a sentence start whose full stop was lost from the file's own evidence and the
OCR error model:

* the letter: the model has learned the case misreading of this letter as at least as likely as
  `max_cost` (-log10 P) allows ("i" read "I", "j" read "J"; a case misreading the model has not
  learned is no evidence);
* the document's habit: among its very common words (Zipf `habit_zipf`) standing between two
  lower-case words, those beginning with this letter are printed capitalised at least `habit_places`
  times and at least `habit_share` of the time (a clean print writes "in", "is", "it" small there; a
  print with the habit has "In" a dozen times);
* the place: linked to a lower-case word on both sides (nothing but spaces between: no stranded full
  stop, comma or quotation mark before it), not at a sentence start, on a line that is not a heading
  (fewer than half its words capitalised), the small word known to the lexicon, the capitalised form
  not in the name authority.

There the capital is doubted: a query with its evidence. It is corrected automatically only where the
document says more: the word is at least `auto_min_length` letters long (the two-letter "In", "It",
"If" begin a sentence whose full stop was lost as often as they are misread), the document writes
the word small elsewhere, and never writes the capitalised form at a sentence start (a name, a
title's word or a sentence-opening word is written so there too: "India", "Irish", "Never give up"),
and the habit is established: the lower bound of its share (Wilson, 95 %) is at least `habit_share`
(two chance capitals in a few places are no habit: planted noise in Moby-Dick lowered "Justice" and "Job").
On the dev sets that band was right 4 times of 4 on the monographs and 7 of 7 on the newspaper pages
(benchmarks/correction.py --folds 2, detect.case; nothing is fitted, every document is held out), too few to
show 98 % by themselves; with a habit of one in twenty (not ten) a monograph's "Instructions" was lowered
too, a passage its transcription lacks. The wider band a query covers was right about three times in four
on the newspaper pages and one time in three on the monographs (their verse capitalises each line, and a
lost line break leaves the capital inside a sentence).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress

from pipeline.correct.rates import share_at_least

_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Capital:
    start: int          # offset of the word in the text
    word: str           # as printed ("Into")
    small: str          # the word with its first letter small ("into")
    auto: bool          # the document's evidence is enough for an automatic fix
    long: bool          # at least `auto_min_length` letters (a short one may begin a sentence whose stop was lost)
    habit: tuple[int, int]  # the letter's common words printed capitalised / small between small words
    small_uses: int     # the document's other uses of the small word
    why: str


def find(text: str, starts, ids, forms: list[str], linked, zipf: Callable[[str], float],
         is_name: Callable[[str], bool], case_cost: Callable[[str], float | None],
         initial: Callable[[int], bool], max_cost: float = 3.0, known_zipf: float = 3.0,
         habit_zipf: float = 5.0, habit_places: int = 2, habit_share: float = 0.1,
         auto_min_length: int = 3) -> list[Capital]:
    """The capitals misread inside a sentence of one text (tokens: `starts`, the form number of each
    `ids`, the forms `forms`, whether each is `linked` to the next). `case_cost(letter)`: the model's
    learned cost of a small letter read as its capital (None: not learned); `initial(start)`: whether a
    word at `start` begins a sentence."""
    letters = {}
    for f in forms:  # the letters whose case misreading the model has learned as likely enough
        c = f[:1]
        if c.isalpha() and c.lower() not in letters:
            cost = case_cost(c.lower())
            letters[c.lower()] = cost is not None and cost <= max_cost
    letters = {c for c, ok in letters.items() if ok}
    if not letters:
        return []
    # the forms of interest: small or capitalised words beginning with such a letter
    title = bytearray(len(forms))   # 1: a capitalised word ("Into") whose small form is a known word
    common = bytearray(len(forms))  # 1: a very common word, small or capitalised ("in", "In")
    small = bytearray(len(forms))   # 1: a small word (a neighbour that keeps a sentence going)
    for k, f in enumerate(forms):
        if f.islower():
            small[k] = 1
        if f[:1].lower() not in letters or not f.isalpha() or not (f.islower() or (f[0].isupper() and f[1:].islower())):
            continue
        z = zipf(f.lower())
        common[k] = z >= habit_zipf and len(f) >= 2
        title[k] = f[0].isupper() and len(f) >= 2 and z >= known_zipf
    if not any(title):
        return []
    n = len(ids)

    def between_small(i: int) -> bool:
        return (0 < i < n - 1 and linked[i - 1] and linked[i] and small[ids[i - 1]] and small[ids[i + 1]])

    habit: Counter = Counter()  # (letter, capitalised) -> places between small words
    for i in compress(range(n), map(common.__getitem__, ids)):
        if between_small(i):
            f = forms[ids[i]]
            habit[(f[0].lower(), f[0].isupper())] += 1
    at_start: Counter = Counter()  # capitalised forms at sentence starts
    places = []
    for i in compress(range(n), map(title.__getitem__, ids)):
        if initial(starts[i]):
            at_start[ids[i]] += 1
            continue
        f = forms[ids[i]]
        cap, low = habit[(f[0].lower(), True)], habit[(f[0].lower(), False)]
        if cap >= habit_places and cap >= habit_share * (cap + low) and between_small(i) \
                and not is_name(f) and not _heading(text, starts[i]):
            places.append(i)
    if not places:
        return []
    # the document's uses of the small words of those places
    number = {f: k for k, f in enumerate(forms)}
    wanted = bytearray(len(forms))
    for i in places:
        f = forms[ids[i]]
        k = number.get(f[0].lower() + f[1:])
        if k is not None:
            wanted[k] = 1
    uses = Counter(compress(ids, map(wanted.__getitem__, ids)))
    out = []
    for i in places:
        f = forms[ids[i]]
        letter = f[0].lower()
        cap, low = habit[(letter, True)], habit[(letter, False)]
        lower = letter + f[1:]
        small_uses = uses.get(number.get(lower, -1), 0)
        long = len(f) >= auto_min_length
        # automatic only where the habit is established, not two chance capitals among a few places: the
        # lower bound of its share (Wilson, 95 %) at least habit_share ("Justice", "Job" in a print whose
        # two "Just" made a habit of 2 in 17 were lowered)
        auto = long and small_uses > 0 and not at_start[ids[i]] and share_at_least(cap, cap + low) >= habit_share
        why = (f"a capital inside a sentence: this print reads '{letter}' as '{f[0]}' in its common words "
               f"{cap} times of {cap + low} between small words; {lower!r} is written small "
               f"{small_uses} times elsewhere" + ("" if at_start[ids[i]] else f", {f!r} never begins a sentence"))
        out.append(Capital(starts[i], f, lower, auto, long, (cap, low), small_uses, why))
    return out


def _heading(text: str, start: int) -> bool:
    """Whether the line of a word is a heading: at least half its words capitalised."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", start)
    words = _LETTERS.findall(text, a, len(text) if b < 0 else b)
    return sum(w[0].isupper() for w in words) * 2 >= len(words)

