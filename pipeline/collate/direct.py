"""Same-language witnesses aligned directly: which paragraphs of one share text with
which paragraphs of another, whatever their order.

Two editions of one translation agree nearly word for word where both have a
passage. A witness made of excerpts (or of passages in its own order) is placed by
the word sequences it shares with a witness already aligned to the pivot: shingles
of four spelling-neutral words (`labour`/`labor`, `Party`/`party` are one key), as
in text-reuse detection. A paragraph that shares enough of its shingles with
paragraphs of the other witness is linked to them; the rest (its own titles, its
own passages) goes through the pivot.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from pipeline.collate.classify import ortho_key
from pipeline.collate.model import WitnessText
from pipeline.collate.segment import words as word_texts

SHINGLE = 4
MIN_SHARED = 3  # shingles in common, at least ...
MIN_SHARE = 0.2  # ... and this share of the paragraph's shingles


@lru_cache(maxsize=4096)
def shingles(paragraph: str) -> set[tuple[str, ...]]:
    """The paragraph's runs of SHINGLE consecutive words, spelling- and case-neutral. Cached:
    one set per paragraph, read only."""
    words = [ortho_key(w) for w in word_texts(paragraph)]
    return {tuple(words[k:k + SHINGLE]) for k in range(len(words) - SHINGLE + 1)}


def paragraph_links(base: WitnessText, other: WitnessText) -> dict[int, list[int]]:
    """other paragraph -> the base paragraphs it shares text with (in base order)."""
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for p, text in enumerate(base.paragraphs):
        for sh in shingles(text):
            where[sh].append(p)
    sizes = [0] * len(base.paragraphs)
    for sh, ps in where.items():
        for p in ps:
            sizes[p] += 1
    out: dict[int, list[int]] = {}
    for q, text in enumerate(other.paragraphs):
        own = shingles(text)
        if not own:
            continue
        shared = Counter(p for sh in own for p in where.get(sh, ()) if len(where[sh]) <= 3)
        # a base paragraph is linked if it holds enough of the shingles, measured against the smaller of the two
        linked = [p for p, n in shared.items()
                  if n >= MIN_SHARED and n >= MIN_SHARE * min(len(own), sizes[p] or 1)]
        if linked:
            out[q] = sorted(linked)
    return out


def through_base(links: dict[int, list[int]], base_beads: list, own_beads: list, n_other: int) -> list[tuple[list[int], list[int], bool]]:
    """(pivot paragraphs, other paragraphs, direct?) steps of a witness: a paragraph linked to
    the base goes where its base paragraphs are aligned; the others keep their own
    alignment through the pivot. Consecutive paragraphs going to one place form one step."""
    pivot_of_base = {q: b.pivot for b in base_beads for q in b.other}
    own = {q: b.pivot for b in own_beads for q in b.other}
    out: list[tuple[list[int], list[int], bool]] = []
    for q in range(n_other):
        ps = sorted({p for x in links.get(q, ()) for p in pivot_of_base.get(x, ())})
        direct = bool(ps)
        target = list(range(ps[0], ps[-1] + 1)) if ps else own.get(q, [])
        if out and out[-1][1][-1] == q - 1 and out[-1][2] == direct and out[-1][0] == target:
            out[-1][1].append(q)
        else:
            out.append((target, [q], direct))
    return out


SENTENCE_OVERLAP = 0.5  # share of words two sentences of one language have in common to be one sentence


def compose_steps(base_steps: list, base: WitnessText, other: WitnessText, base_paras: set[int],
                  other_paras: list[int]) -> list:
    """The sentence steps of `other` against the pivot, through `base`: each pivot–base step
    whose base sentences lie in `base_paras` is carried over to the sentences of `other`
    that read the same words. A base sentence no sentence of `other` reads leaves its pivot
    sentences without counterpart (an omission of `other`); a sentence of `other` that reads
    no base sentence is an addition."""
    from pipeline.collate.segment import sentence_spans

    def words(text: str) -> set[str]:
        return {ortho_key(w) for w in word_texts(text)}

    mine = []  # (id, words)
    for q in other_paras:
        text = other.paragraphs[q]
        for k, (s, e) in enumerate(sentence_spans(text)):
            mine.append((f"{q}.{k}", words(text[s:e])))
    used: set[str] = set()
    out = []
    split = []
    for left, right, *rest in base_steps:  # an n-n step is read as n 1-1 steps, so an omission stays one sentence
        if len(left) == len(right) > 1:
            split.extend([[a], [b]] for a, b in zip(left, right))
        else:
            split.append([left, right, *rest])
    for left, right, *_ in split:
        inside = [x for x in right if int(x.split(".")[0]) in base_paras]
        if not inside:
            continue
        got: list[str] = []
        for sid in inside:
            p, k = map(int, sid.split("."))
            s, e = sentence_spans(base.paragraphs[p])[k]
            ws = words(base.paragraphs[p][s:e])
            best, arg = SENTENCE_OVERLAP, None
            for oid, ows in mine:
                if ws and ows:
                    score = len(ws & ows) / max(len(ws), len(ows))
                    if score >= best:
                        best, arg = score, oid
            if arg is not None and arg not in got:
                got.append(arg)
        used.update(got)
        out.append([list(left), sorted(got, key=lambda x: tuple(map(int, x.split("."))))])
    for oid, _ in mine:
        if oid not in used:
            out.append([[], [oid]])
    return out
