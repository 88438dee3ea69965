"""Score a cleaned text against a typeset case's truth (pipeline.synth.typeset).

Paragraph-boundary F1, furniture words left, line-end hyphens rebuilt exactly and
WER, all from one word alignment of the output to the truth (rapidfuzz opcodes on
word lists). Footnote bodies ("[^n]: …") are scored apart: they are not running text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from pipeline.synth.typeset import Case


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    furniture_left: int
    hyphens: int
    hyphens_exact: int
    errors: int
    words: int

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0

    @property
    def wer(self) -> float:
        return self.errors / max(1, self.words)

    def __add__(self, o: "Score") -> "Score":
        return Score(*(a + b for a, b in zip(self.astuple(), o.astuple())))

    def astuple(self) -> tuple:
        return (self.tp, self.fp, self.fn, self.furniture_left, self.hyphens, self.hyphens_exact, self.errors, self.words)


def _words(paras: list[str]) -> tuple[list[str], set[int]]:
    """The words of the paragraphs and the indexes where a paragraph starts."""
    words: list[str] = []
    starts: set[int] = set()
    for p in paras:
        starts.add(len(words))
        words += p.split()
    return words, starts


def score(case: Case, cleaned: str) -> Score:
    paras = [p for p in cleaned.split("\n") if p.strip() and not re.match(r"\[\^\w+\]: ", p)]
    out, out_starts = _words(paras)
    gold, gold_starts = _words(case.paragraphs)
    # map each output word to the gold word it aligns with (equal or replaced)
    to_gold: dict[int, int] = {}
    inserted: list[str] = []
    errors = 0
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(gold, out):
        if tag in ("equal", "replace"):
            for k in range(min(i2 - i1, j2 - j1)):
                to_gold[j1 + k] = i1 + k
        if tag == "insert":
            inserted += out[j1:j2]
        if tag != "equal":
            errors += max(i2 - i1, j2 - j1)
    found = {to_gold[j] for j in out_starts if j in to_gold}
    tp = len(found & gold_starts)
    fp = len(out_starts) - tp
    fn = len(gold_starts - found)
    fwords = {w for f in case.furniture for w in f.split()}
    furniture_left = sum(1 for w in inserted if w in fwords)
    # a hyphenated word is rebuilt exactly when it stands in the output as one token, whole
    out_text, gold_text = " ".join(out), " ".join(gold)
    out_runs, gold_runs = Counter(_RUN.findall(out_text)), Counter(_RUN.findall(gold_text))
    hyph_exact = 0
    for w, n in Counter(case.hyphens).items():
        have, gold_n = _count(w, out_text, out_runs), _count(w, gold_text, gold_runs)
        hyph_exact += max(0, n - max(0, gold_n - have))
    return Score(tp, fp, fn, furniture_left, len(case.hyphens), hyph_exact, errors, len(gold))


_RUN = re.compile(r"[\w-]+")  # a maximal run of word characters and hyphens


def _count(word: str, text: str, runs: Counter) -> int:
    """How often `word` stands in `text` with no word character or hyphen either side: for a word
    made of those characters only, the maximal runs equal to it (counted once per text, where a
    search per word was quadratic: most of the layout tests' CPU); else the search."""
    if _RUN.fullmatch(word):
        return runs[word]
    return len(re.findall(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text))
