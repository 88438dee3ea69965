"""Damaged stretches: places where the OCR has garbled several words close together.

A garbled line ("NoiniiUMLLiti BmsiiAKB VALVBOF") is not a set of separate misreadings
that a candidate can repair one by one: most of its words have no close word at all, and
one query a word would spend the proofreader's budget on a single line. Such a stretch is
one query: re-read it from the scan.

A token is *suspect* when it is no word: not in the lexicon (at [detect] known_zipf), not
the witness's own vocabulary (used `witness_known` times), not in the project's word lists
(rules/words/) or the name authority, not an old spelling the witness keeps, not an
inflection of a known word, not a number; or when it mixes letters and digits ("th1*",
"Ru3h"). Only English is judged so (the dev sets that measure it are English). A stretch is a
run of tokens in which suspects follow each other with at most `gap` sound tokens between;
it is queried when it holds at least `min_suspects` suspects and they are at least
`min_density` of its tokens. Its evidence: the suspects, their count and the density.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stretch:
    start: int          # offsets in the text: first suspect's start, last suspect's end
    end: int
    suspects: tuple[str, ...]
    tokens: int         # tokens in the stretch (suspects included)

    @property
    def density(self) -> float:
        return len(self.suspects) / self.tokens


def find(text: str, starts, ends, lows: list[str], suspect: Callable[[str, str], bool], gap: int = 1,
         min_suspects: int = 3, min_density: float = 0.6, maybe: set[str] | None = None) -> list[Stretch]:
    """The damaged stretches of a text, in order (token offsets `starts`/`ends`, lower-case forms `lows`);
    `suspect(printed, low)` says whether one token is no word; it is asked only about the lower-case
    forms in `maybe` (if given: the others are words)."""
    out: list[Stretch] = []
    run: list[int] = []  # token indexes of the current run's suspects

    def close():
        if len(run) >= min_suspects:
            s = Stretch(starts[run[0]], ends[run[-1]], tuple(text[starts[k]:ends[k]] for k in run),
                        run[-1] - run[0] + 1)
            if s.density >= min_density:
                out.append(s)

    for k, low in enumerate(lows):
        if (maybe is None or low in maybe) and suspect(text[starts[k]:ends[k]], low):
            if run and k - run[-1] - 1 > gap:
                close()
                run = []
            run.append(k)
    close()
    return out
