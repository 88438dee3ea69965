"""OCR damage drawn from the learned model of real OCR (pipeline/data/ocr_model.json).

Each damaged word gets one confusion drawn from the model (learned from the dev sets' OCR
against their gold) in proportion to its probability, or loses the space to its neighbour at
the model's rate. The damage is returned with the text, so a benchmark or a test knows the
truth of every damaged place. Used by the planted-noise test (tests/test_detect.py) and
benchmarks/planted_bench.py (the same noise on text nobody here wrote).
"""
from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable

import regex
from rapidfuzz.distance import Levenshtein

from pipeline.synth.unseen import NOTE

_WORD = regex.compile(r"\S+")
_DAMAGEABLE = regex.compile(r"\p{Ll}{4,}")  # any script's small letters: Russian text is damaged as English is
_GLUEABLE = regex.compile(r"\p{Ll}{2,}")


def corrupt(paragraph: str, rng: random.Random, model, rate: float = 0.04):
    """(the damaged paragraph, [(start, end, original)] of each damaged place in it). A lower-case
    word of four letters or more (of any script) is damaged with probability `rate`: one confusion of the model
    (its letters on both sides, p >= 0.001), or, at the model's share of lost spaces, glued to
    the next word. `model`: the OCR model (pipeline.correct.model.shared())."""
    confusions = [c for c in model.data.confusions if c.meant.isalpha() and c.meant.islower()
                  and c.printed.isalpha() and c.p >= 0.001]
    words = list(_WORD.finditer(paragraph))
    lead = paragraph[:words[0].start()] if words else paragraph  # a line's indent stays
    out, damage, pos = [lead], [], len(lead)
    skip_next = False
    glue = 10 ** -model.space_lost / (10 ** -model.space_lost + 0.05)  # share of damage that is a lost space
    for k, m in enumerate(words):
        w = m.group()
        sep = paragraph[m.end():words[k + 1].start()] if k + 1 < len(words) else ""
        if skip_next:
            skip_next = False
            continue
        if _DAMAGEABLE.fullmatch(w) and rng.random() < rate:
            if rng.random() >= glue:
                opts = [(i, c) for c in confusions for i in [w.find(c.meant)] if i >= 0]
                if opts:
                    i, c = rng.choices(opts, weights=[c.p for _, c in opts])[0]
                    bad = w[:i] + c.printed + w[i + len(c.meant):]
                    damage.append((pos, pos + len(bad), w))
                    out.append(bad + sep)
                    pos += len(bad + sep)
                    continue
            elif k + 1 < len(words) and _GLUEABLE.fullmatch(words[k + 1].group()) and sep == " ":
                nxt = words[k + 1]
                after = paragraph[nxt.end():words[k + 2].start()] if k + 2 < len(words) else ""
                bad = w + nxt.group()
                damage.append((pos, pos + len(bad), w + " " + nxt.group()))
                out.append(bad + after)
                pos += len(bad + after)
                skip_next = True
                continue
        out.append(w + sep)
        pos += len(w + sep)
    return "".join(out), damage


def plant(paragraphs: list[str], rng: random.Random, model, rate: float = 0.04) -> str:
    """The paragraphs damaged (`corrupt`), as a file: blank lines between them."""
    return "\n\n".join(corrupt(p, rng, model, rate)[0] for p in paragraphs) + "\n"


def _truth_view(truth: list[str], other: list[str]) -> tuple[list[str | None], dict[int, int]]:
    """For each truth token, the token of `other` aligned with it (equal or replaced 1:1), else None;
    and {index in other: index in truth} of those."""
    view: list[str | None] = [None] * len(truth)
    back: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(truth, other):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                view[i1 + k] = other[j1 + k]
                back[j1 + k] = i1 + k
    return view, back


def _truth_offsets(truth: list[str], other: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """For each truth token, the character span in `other`'s text of the tokens aligned with it (any op)."""
    out: list[tuple[int, int] | None] = [None] * len(truth)
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(truth, other):
        if tag == "insert" or j1 == j2:
            continue
        s, e = spans[j1][0], spans[j2 - 1][1]
        for k in range(i1, i2):
            out[k] = (s, e) if tag != "equal" else spans[j1 + k - i1]
    return out


def tally(paragraphs: list[str], raw: str, c, key: Callable[[str], str] | None = None) -> dict:
    """What cleaning did to planted damage: `raw` (the paragraphs damaged, `plant`) against the truth
    (the paragraphs), and `c` (the cleaned witness, pipeline.run.Cleaned: its .text, .queries, .changes)
    against both.
    Per truth word: fixed (wrong in raw, right in the output), broken (right in raw, changed to a wrong
    word), miscorrected (wrong, changed, still wrong), flagged (wrong in raw and fixed, or covered by a
    query's raw span); the WER (token edit distance) before and after; each automatic detect rule's
    (right, wrong), and of the wrong how many stand where no truth word is aligned (`unplaced`); and the
    wrong changes, as "printed -> output (truth t)". `key`: what of a whitespace token is compared (default:
    all of it)."""
    truth = " ".join(paragraphs).split()
    dm = [(m.start(), m.end()) for m in _WORD.finditer(raw)]
    d_tokens = [raw[a:b] for a, b in dm]
    out = [p for p in c.text.split("\n") if p.strip() and not NOTE.fullmatch(p)]
    c_tokens = " ".join(out).split()
    if key is not None:  # tokens compared by their key (a real OCR's text: its words, not their marks)
        truth, d_tokens, c_tokens = ([key(t) for t in ts] for ts in (truth, d_tokens, c_tokens))
    (d_view, d_back), (c_view, _) = _truth_view(truth, d_tokens), _truth_view(truth, c_tokens)
    d_spans = _truth_offsets(truth, d_tokens, dm)
    asked = [(q.raw_start, q.raw_end) for q in c.queries if q.raw_start >= 0]

    def queried(span: tuple[int, int] | None) -> bool:  # a query's raw span overlaps the damaged place
        return span is not None and any(a < span[1] and span[0] < b for a, b in asked)

    n = {"words": len(truth), "damaged": 0, "fixed": 0, "broken": 0, "miscorrected": 0, "flagged": 0,
         "queries": len(c.queries), "wer_before": Levenshtein.distance(truth, d_tokens),
         "wer_after": Levenshtein.distance(truth, c_tokens), "wrong": [], "rules": {}, "unplaced": {}}
    # each automatic correction of detect by its rule: right where the truth word it stands on is right in the output
    starts = [a for a, _ in dm]
    for ch in c.changes:
        if not ch.rule.startswith("detect") or ch.kind != "auto":
            continue
        t = d_back.get(max(0, bisect_right(starts, ch.start) - 1))
        right, wrong = n["rules"].get(ch.rule, (0, 0))
        ok = t is not None and c_view[t] == truth[t]
        n["rules"][ch.rule] = (right + ok, wrong + (not ok))
        if t is None:  # counted wrong, though its truth word is not known (a real OCR's lines out of order)
            n["unplaced"][ch.rule] = n["unplaced"].get(ch.rule, 0) + 1
    for k, t in enumerate(truth):
        d, o = d_view[k], c_view[k]
        if d is None or o is None:  # a lost space or a word lost: counted in the WER only
            if d != t:
                n["damaged"] += 1
                if o == t or queried(d_spans[k]):
                    n["flagged"] += 1
            continue
        if d == t:
            if o != t:
                n["broken"] += 1
                n["wrong"].append(f"{d} -> {o} (truth {t})")
            continue
        n["damaged"] += 1
        if o == t:
            n["fixed"] += 1
            n["flagged"] += 1
        elif o != d:
            n["miscorrected"] += 1
            n["wrong"].append(f"{d} -> {o} (truth {t})")
        if o != t and queried(d_spans[k]):
            n["flagged"] += 1
    return n


def damage_lines(text: str, furniture: list[str], rng: random.Random, model, rate: float = 0.04,
                 head_rate: float = 0.3) -> str:
    """A typeset text (pipeline.synth.typeset) as OCR reads it: each line of the body damaged
    (`corrupt`, its indent kept), each furniture line (a running head, a page number) given one
    confusion of a capital for another (learned, p >= 0.005: "CHAPTEB") with probability
    `head_rate`: a head is then not the same on every page."""
    caps = [c for c in model.data.confusions if len(c.meant) == 1 and c.meant.isupper()
            and c.printed.isupper() and c.p >= 0.005]
    furn = {f.strip() for f in furniture}
    out = []
    for line in text.split("\n"):
        if line.strip() in furn:
            if caps and rng.random() < head_rate:
                c = rng.choice(caps)
                at = [i for i, ch in enumerate(line) if ch == c.meant]
                if at:
                    i = rng.choice(at)
                    line = line[:i] + c.printed + line[i + 1:]
            out.append(line)
        else:
            out.append(corrupt(line, rng, model, rate)[0] if line.strip() else line)
    return "\n".join(out)
