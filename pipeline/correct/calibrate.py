"""How often an automatic correction is right: the noisy channel's posterior, calibrated.

The posterior of detect's noisy channel is overconfident (its top band is right 93-96 %
of the time on the dev sets, not 99.8 %). A logistic model over what detect knows of a
correction — the posterior, how much the neighbours favour the candidate, the channel
cost, how often the document itself uses the reading and the candidate, the length, the
candidate's frequency, how far ahead of the next likeliest word it is, and the shape of the
misreading (only accents differ: "détail" for "detail", a scan's habit more than a spelling),
and what the document says of itself (how damaged it is, whether the neighbours are sound words,
what the neighbours say when a garbled one is read as its sure correction, how many of its other
garbles have the same likeliest correction), how far the correction is ahead of the reading as
printed — gives the probability that
the correction is right; a non-word's correction and a real word's are calibrated apart.

Its weights are data (pipeline/data/ocr_calibration.json), fitted by
benchmarks/correction.py on the dev sets' documents (`fit`, from each correction the
pipeline would make at a low threshold and whether the gold agrees); that benchmark fits
them on some documents and measures them on the others (k-fold by document).
"""
from __future__ import annotations

import json
import math
import unicodedata
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from pipeline.errors import EditionError

CALIBRATION_FILE = Path(__file__).resolve().parent.parent / "data" / "ocr_calibration.json"

FEATURES = ("bias", "logit_posterior", "context", "cost", "reading_in_document", "candidate_in_document",
            "length", "candidate_zipf", "realword", "confusion_in_document", "reading_agreement", "runner_up",
            "diacritic", "capital", "damage", "sides", "sources", "reading_zipf", "choices", "repaired_context",
            "over_reading", "joined", "period_trigrams", "period_bigrams")


class CalibrationFile(BaseModel):
    """pipeline/data/ocr_calibration.json: one weight per feature (log-odds), for a non-word's
    correction (`weights`) and for a real word's (`realword_weights`; empty: the same)."""

    note: str = ""
    features: list[str]
    weights: list[float]
    realword_weights: list[float] = []
    # a feature's knots: its weight bends at each (a term min(value, knot) of its own after the features'
    # weights, in FEATURES order, then knot order), so that a feature's evidence may level off or steepen
    knots: dict[str, list[float]] = {}
    # the calibrated probability from which each rule's correction is automatic ("detect.nonword",
    # "detect.realword"), chosen by benchmarks/correction.py from held-out evidence (`pick_band`); a rule
    # not named: [detect] auto_threshold of config/pipeline.toml
    thresholds: dict[str, float] = {}
    thresholds_note: str = ""


def features(posterior: float, context: float, cost: float, reading_count: int, candidate_count: int,
             length: int, candidate_zipf: float, realword: bool, document: float = 0.0,
             agreement: float = 0.0, runner_up: float = 0.0, reading: str = "", candidate: str = "",
             capital: bool = False, damage: float = 0.0, sides: int = 0, sources: int = 0,
             reading_zipf: float = 0.0, choices: int = 1, repaired_context: float | None = None,
             keep: float = 0.0, joined: bool = False, period: tuple[float, float] = (0.0, 0.0)) -> list[float]:
    """The features of one correction, in the order of FEATURES (bounded, so no one dominates).
    `runner_up`: the posterior of the next likeliest other word (a close second makes the choice unsure);
    `reading` and `candidate`: the word as printed and the correction, for the shape of the misreading;
    `capital`: a capitalised reading inside a sentence (a name, unless the witness says otherwise);
    `damage`: the share of the document's words that are no words (a damaged print misreads more of its
    words, real ones too); `sides`: how many of the reading's neighbours are sound words (the context's
    evidence is only as good as they are); `sources`: how many other distinct readings of the document
    the candidate is the likeliest correction of (the channel's many-to-one evidence: "acie", "aore",
    "acro" all "acre"); `reading_zipf`: the reading's own frequency; `choices`: how many candidates;
    `repaired_context`: `context` with each garbled neighbour read as its own sure correction (in a
    damaged stretch the printed neighbours say nothing: "hive besn" is "hive been"; None: as `context`);
    `keep`: the posterior of the reading as printed (how far the correction is ahead of leaving it);
    `joined`: the reading's run of characters between spaces holds letters besides it ("litera-ture",
    "mounta.in", "C!nld.of": read alone, a part of a longer word or of a garble is a word or near one
    that the whole is not; on the dev sets a real word's correction there is right 1 time in 3);
    `period`: for a real word's correction, how far a corpus of period English puts the candidate ahead of the
    reading in its place, in three-word windows and in two-word ones (pipeline/correct/period.py `lead`; 0 for
    a non-word's, stages/detect.py `_period_lead`; the modern bigram list of the context has no trigrams and
    no period): of the calibration run's real-word corrections with a triple of the corpus, on ICDAR 97 % are
    right against 81 % of those without, on Overproof 97 % against 76 %."""
    p = min(max(posterior, 1e-6), 1 - 1e-6)
    return [1.0, math.log(p / (1 - p)), max(-5.0, min(5.0, context)), cost, math.log1p(reading_count),
            math.log1p(candidate_count), min(length, 15) / 5.0, candidate_zipf, float(realword), document,
            agreement, min(5.0, math.log10(p / max(runner_up, 1e-5))), float(diacritic_only(reading, candidate)),
            float(capital), math.log10(max(damage, 0.003)), float(sides), math.log1p(sources),
            max(0.0, reading_zipf), math.log1p(choices),
            max(-5.0, min(5.0, context if repaired_context is None else repaired_context)),
            max(-5.0, min(5.0, math.log10(p / max(keep, 1e-5)))), float(joined), period[0], period[1]]


def _plain(w: str) -> str:
    """The word without the accents of its Latin letters ("détail" -> "detail"; "й", a letter of its
    own, stays)."""
    out = []
    for c in unicodedata.normalize("NFD", w):
        if unicodedata.combining(c) and out and "a" <= out[-1].lower() <= "z":
            continue
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


def diacritic_only(reading: str, candidate: str) -> bool:
    """The correction only takes accents off Latin letters ("thé" -> "the", "atmosphère" -> "atmosphere")."""
    r, c = reading.lower(), candidate.lower()
    return r != c and _plain(r) == c


class Calibration:
    """The two kinds of correction are calibrated apart: a real word replaced and a non-word fixed
    weigh the same evidence differently (a real word's own frequency speaks against the fix, a
    non-word's for a rare word); one weight vector with the kind as a feature could only shift them."""

    def __init__(self, weights: list[float], realword_weights: list[float] | None = None,
                 thresholds: dict[str, float] | None = None, knots: dict[str, list[float]] | None = None):
        self.weights = weights
        self.realword_weights = realword_weights or weights
        self.thresholds = thresholds or {}
        self.knots = knots or {}
        self.bends = bends(self.knots)

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> "Calibration":
        try:
            data = CalibrationFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise EditionError(str(path), f"not a calibration file: {str(e).splitlines()[0]}") from None
        if tuple(data.features) != FEATURES:
            raise EditionError(str(path), f"features {data.features} are not {list(FEATURES)}")
        unknown = set(data.knots) - set(FEATURES)
        if unknown:
            raise EditionError(str(path), f"knots of features {sorted(unknown)} not in {list(FEATURES)}")
        n = len(FEATURES) + sum(len(k) for k in data.knots.values())
        if len(data.weights) != n or len(data.realword_weights) not in (0, n):
            raise EditionError(str(path), f"not one weight per feature and knot ({n})")
        bad = {k: v for k, v in data.thresholds.items() if not 0.5 <= v <= 1.01}
        if bad:
            raise EditionError(str(path), f"thresholds {bad} outside [0.5, 1.01]")
        return cls(data.weights, data.realword_weights, data.thresholds, data.knots)

    def probability(self, x: list[float]) -> float:
        z = sum(w * v for w, v in zip(self.realword_weights if x[REALWORD] else self.weights, expand(x, self.bends)))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def bends(knots: dict[str, list[float]]) -> list[tuple[int, float]]:
    """(feature index, knot) of each bend, in the order of the weights (FEATURES order, then knot order)."""
    return [(j, k) for j, f in enumerate(FEATURES) for k in knots.get(f, ())]


def expand(x: list[float], bent: list[tuple[int, float]]) -> list[float]:
    """The features with a term min(value, knot) for each bend."""
    return x + [min(x[j], k) for j, k in bent] if bent else x


# features weighed without bends: the period corpus's leads are 0 for many corrections (no triple of it in their
# place for 74 % of the calibration run's real-word corrections, no pair for 30 %; a non-word's is always 0): their
# quartiles would bend them at 0 and at the few others
LINEAR = ("period_trigrams", "period_bigrams")


def choose_knots(xs: list[list[float]], per_feature: int = 3) -> dict[str, list[float]]:
    """The knots of every feature of more than a few values (not the bias, the kind or a yes/no): its
    quantiles over the corrections fitted (3: the quartiles), each once, and none at its least or
    greatest value (no bend there: min(value, knot) would be a constant or the value itself)."""
    knots = {}
    for j, f in enumerate(FEATURES):
        col = sorted(x[j] for x in xs)
        if f in ("bias", "realword") + LINEAR or len(set(col)) <= 3:
            continue
        ks = sorted({round(col[len(col) * q // (per_feature + 1)], 4) for q in range(1, per_feature + 1)}
                    - {round(col[0], 4), round(col[-1], 4)})
        if ks:
            knots[f] = ks
    return knots


@lru_cache(maxsize=1)
def shared() -> Calibration:
    return Calibration.load(CALIBRATION_FILE)


REALWORD = FEATURES.index("realword")

# the bands of calibrated probability a rule's automatic threshold may step down through, from the bar
STEPS = (0.98, 0.95, 0.9, 0.8, 0.5)


def pick_band(scored_by_set: list[list[tuple[float, bool]]], target: float = 0.98,
              steps: tuple[float, ...] = STEPS) -> float:
    """The lowest step from which a rule's corrections are automatic: from steps[0] down, one band
    [lo, hi) at a time, while on every set the band's corrections (scored by a calibration fitted on
    other documents) are right at least `target` of the time counting one wrong more than seen (a
    band of few corrections says little: 49 right of 49 pass at 0.98, 20 of 20 do not); a set with no
    correction in the band holds it back."""
    best = steps[0]
    for hi, lo in zip(steps, steps[1:]):
        for pts in scored_by_set:
            band = [ok for p, ok in pts if lo <= p < hi]
            if sum(band) / (len(band) + 1) < target:
                return best
        best = lo
    return best


def fit_kinds(xs: list[list[float]], ys: list[bool], l2: float = 1.0,
              knots: dict[str, list[float]] | None = None) -> tuple[list[float], list[float]]:
    """(non-word weights, real-word weights): `fit` on each kind's corrections (with a weight for each
    of the `knots`' bends)."""
    bent = bends(knots or {})
    kinds = [[(expand(x, bent), y) for x, y in zip(xs, ys) if bool(x[REALWORD]) == k] for k in (False, True)]
    return tuple(fit([x for x, _ in pts], [y for _, y in pts], l2, width=len(FEATURES) + len(bent)) for pts in kinds)


def fit(xs: list[list[float]], ys: list[bool], l2: float = 1.0, rounds: int = 30, width: int | None = None) -> list[float]:
    """Logistic regression by Newton's method with an L2 penalty (the bias unpenalised); `width`: the
    length of a row (FEATURES' by default)."""
    k = width or len(FEATURES)
    w = [0.0] * k
    for _ in range(rounds):
        grad = [l2 * w[j] if j else 0.0 for j in range(k)]
        hess = [[(l2 if i == j and i else 0.0) for j in range(k)] for i in range(k)]
        for x, y in zip(xs, ys):
            z = sum(a * b for a, b in zip(w, x))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
            g, h = p - float(y), p * (1 - p)
            for i in range(k):
                grad[i] += g * x[i]
                hx = h * x[i]
                row = hess[i]
                for j in range(k):
                    row[j] += hx * x[j]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """a x = b by Gaussian elimination with partial pivoting (a small, positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        if abs(m[c][c]) < 1e-12:
            m[c][c] = 1e-12
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for j in range(c, n + 1):
                m[r][j] -= f * m[c][j]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][j] * x[j] for j in range(r + 1, n))) / m[r][r]
    return x
