"""A second witness made from a first, with known variants: for tests and benchmarks.

`make_witness` copies paragraphs and changes some tokens, far enough apart that each
change is one variant: British -> American spellings (orthographic), altered
punctuation, capitalisation (case), substituted words (substantive), OCR
confusions (m -> rn, h -> li: ocr) and swapped word pairs (transposition). It
returns the new paragraphs and the list of changes with their kind, so a test can
check that collation finds and classifies each one.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from pipeline.collate.segment import tokenize

AMERICAN = {"labour": "labor", "centre": "center", "centres": "centers", "organised": "organized",
            "organise": "organize", "organisation": "organization", "organisations": "organizations",
            "recognised": "recognized", "realise": "realize", "realising": "realizing", "favour": "favor",
            "criticise": "criticize", "utilise": "utilize", "emphasised": "emphasized", "programme": "program",
            "defence": "defense", "travelled": "traveled", "colour": "color", "behaviour": "behavior",
            "honour": "honor", "endeavour": "endeavor", "labourers": "laborers", "favoured": "favored",
            "organising": "organizing", "realised": "realized", "recognise": "recognize"}
SUBSTITUTES = {"great": "huge", "important": "weighty", "difficult": "hard", "question": "matter",
               "workers": "labourers", "masses": "crowds", "leaders": "chiefs", "struggle": "fight",
               "power": "strength", "simple": "plain", "whole": "entire", "clear": "plain",
               "industry": "manufacture", "problems": "tasks", "country": "land", "methods": "ways"}
PUNCT_SWAP = {",": ";", ";": ",", ":": ";"}
WEIGHT = {"orthographic": 20, "substantive": 20, "punctuation": 3, "ocr": 1, "case": 0.3}  # rare kinds first
OCR = [("m", "rn"), ("h", "li"), ("d", "cl"), ("e", "c")]


@dataclass
class Change:
    """One planted variant: paragraph, base token offsets, old and new text, expected kind."""

    para: int
    start: int
    end: int
    before: str
    after: str
    kind: str


def _candidates(tok: str, kinds: list[str]) -> list[tuple[str, str]]:
    """Changes that could be planted on a token: (kind, new text)."""
    out = []
    low = tok.lower()
    if "orthographic" in kinds and low in AMERICAN and tok.islower():
        out.append(("orthographic", AMERICAN[low]))
    if "substantive" in kinds and low in SUBSTITUTES and tok.islower():
        out.append(("substantive", SUBSTITUTES[low]))
    if "punctuation" in kinds and tok in PUNCT_SWAP:
        out.append(("punctuation", PUNCT_SWAP[tok]))
    if "case" in kinds and tok.isalpha() and tok.islower() and len(tok) > 3 and tok not in AMERICAN:
        out.append(("case", tok.capitalize()))
    if "ocr" in kinds and tok.isalpha() and tok.islower() and len(tok) >= 5:
        for a, b in OCR:
            if a in tok[1:-1]:
                k = tok.index(a, 1)
                out.append(("ocr", tok[:k] + b + tok[k + 1:]))
                break
    return out


def make_witness(paragraphs: list[str], seed: int = 1, rate: float = 0.04, gap: int = 4,
                 kinds: list[str] | None = None) -> tuple[list[str], list[Change]]:
    """Copy `paragraphs` with planted variants about every 1/rate tokens, at least `gap` tokens apart."""
    kinds = kinds or ["orthographic", "substantive", "punctuation", "case", "ocr", "transposition"]
    rng = random.Random(seed)
    out_paras, changes = [], []
    for n, para in enumerate(paragraphs):
        toks = tokenize(para, n)
        pieces, pos, last = [], 0, -gap - 1
        k = 0
        while k < len(toks):
            t = toks[k]
            if k - last > gap and rng.random() < rate * 3:
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                if "transposition" in kinds and nxt is not None and t.is_word and nxt.is_word and \
                        t.text.islower() and nxt.text.islower() and t.text != nxt.text and \
                        len(t.text) > 3 and len(nxt.text) > 3 and k + 2 - last > gap and rng.random() < 0.15 and \
                        para[t.end:nxt.start] == " ":
                    pieces.append(para[pos:t.start] + f"{nxt.text} {t.text}")
                    changes.append(Change(n, t.start, nxt.end, para[t.start:nxt.end], f"{nxt.text} {t.text}",
                                          "transposition"))
                    pos, last, k = nxt.end, k + 1, k + 2
                    continue
                options = _candidates(t.text, kinds)
                if options:
                    kind, new = rng.choices(options, weights=[WEIGHT[o[0]] for o in options])[0]
                    pieces.append(para[pos:t.start] + new)
                    changes.append(Change(n, t.start, t.end, t.text, new, kind))
                    pos, last = t.end, k
            k += 1
        pieces.append(para[pos:])
        out_paras.append(re.sub(r" +", " ", "".join(pieces)))
    return out_paras, changes


# ---------------------------------------------------------------- another edition, in excerpts

LOWER = {"Party": "party", "Soviet": "soviet", "Soviets": "soviets", "Trade Unions": "trade unions",
         "Trade Union": "trade union", "Communist Party": "Communist party"}
ORDINALS = {"First": "1st", "Second": "2nd", "Third": "3rd", "Eighth": "8th", "Ninth": "9th", "Tenth": "10th",
            "first": "1st", "second": "2nd", "third": "3rd", "eighth": "8th", "ninth": "9th", "tenth": "10th"}
ORDINAL_CONTEXT = re.compile(r"\b(\w+)(?= (?:Congress|Soviet Congress|Party Congress|Conference))")
# rewordings an editor makes: a split infinitive (a transposition), a phrase reworded (substantive)
REWORD = [(re.compile(r"\b(clearly|fully|really|openly|quickly) to (\w+)"), r"to \1 \2", "transposition"),
          (re.compile(r"\ba whole series of\b"), "a whole range of", "substantive"),
          (re.compile(r"\bin spite of\b"), "despite", "substantive"),
          (re.compile(r"\bamongst\b"), "among", "orthographic")]


@dataclass
class Edition:
    """A witness made as another edition of some passages of a text, and what was done to it."""

    paragraphs: list[str]
    source: list[int | None]  # per paragraph: the paragraph of the original it came from (None: its own title)
    stretches: list[list[int]]  # the original's paragraphs of each stretch, in the witness's order
    changes: list[tuple[int, str, str, str]]  # (original paragraph, original words, new words, kind)
    dropped: list[tuple[int, str]]  # (original paragraph, sentence left out)


def _differing(old: str, new: str, kind: str) -> list[tuple[str, str]]:
    """The words that differ, as collation reports them: common words at either end left out;
    a change of case or spelling word by word."""
    a, b = old.split(), new.split()
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    if kind in ("case", "orthographic") and len(a) == len(b):
        return [(x, y) for x, y in zip(a, b) if x != y]
    return [(" ".join(a), " ".join(b))]


def _edit_paragraph(text: str, n: int, rng: random.Random, changes: list) -> str:
    """American spelling, lower-case 'party', figures for ordinals before 'Congress', rewordings."""
    def sub(rx: re.Pattern, fn, kind: str, text: str) -> str:
        def one(m: re.Match) -> str:
            new = fn(m)
            if new != m.group(0):
                changes.extend((n, a, b, kind) for a, b in _differing(m.group(0), new, kind))
            return new
        return rx.sub(one, text)

    words = "|".join(sorted(AMERICAN, key=len, reverse=True))
    text = sub(re.compile(rf"\b({words})\b"), lambda m: AMERICAN[m.group(0)], "orthographic", text)
    lower = "|".join(sorted((re.escape(k) for k in LOWER), key=len, reverse=True))
    text = sub(re.compile(rf"(?<=[a-z,;] )({lower})\b"), lambda m: LOWER[m.group(0)], "case", text)
    text = sub(ORDINAL_CONTEXT, lambda m: ORDINALS.get(m.group(1), m.group(1)), "substantive", text)
    for rx, rep, kind in REWORD:
        text = sub(rx, lambda m, rx=rx, rep=rep: m.expand(rep), kind, text)
    # one substituted word in some paragraphs, as an editor's small rewording
    toks = [t for t in tokenize(text) if t.is_word and t.text in SUBSTITUTES]
    if toks and rng.random() < 0.5:
        t = rng.choice(toks)
        changes.append((n, t.text, SUBSTITUTES[t.text], "substantive"))
        text = text[:t.start] + SUBSTITUTES[t.text] + text[t.end:]
    return text


def make_edition(paragraphs: list[str], seed: int = 1, stretches: int = 3, length: tuple[int, int] = (2, 4),
                 shuffle: bool = False) -> Edition:
    """Cut `stretches` separate passages out of `paragraphs` (running text, well apart), make
    each another edition (see _edit_paragraph), drop one sentence in one of them, give each
    its own title, and put them in the original order or shuffled."""
    from pipeline.collate.segment import is_heading, is_note_body, sentences

    rng = random.Random(seed)
    body = [k for k, p in enumerate(paragraphs) if not is_heading(p) and not is_note_body(p) and len(p) > 200]
    picked: list[list[int]] = []
    tries = 0
    while len(picked) < stretches and tries < 1000:
        tries += 1
        start = rng.choice(body)
        run = [k for k in range(start, start + rng.randint(*length)) if k in body]
        if run != list(range(start, start + len(run))) or not run:
            continue
        if any(abs(run[0] - s[0]) < 12 for s in picked):  # well apart: each stretch lands on its own
            continue
        picked.append(run)
    picked.sort()
    order = list(picked)
    if shuffle:
        while order == picked and len(picked) > 1:
            rng.shuffle(order)
    out, source, changes, dropped = [], [], [], []
    drop_in = rng.choice([k for run in picked for k in run if len(sentences(paragraphs[k])) >= 3])
    for n, run in enumerate(order):
        first_words = [w for w in re.findall(r"[A-Za-z]{6,}", paragraphs[run[0]])][:2]
        out.append(f"{n + 1}. On the {' and the '.join(w.lower() for w in first_words) or 'question'}")
        source.append(None)
        for k in run:
            text = paragraphs[k]
            if k == drop_in:
                spans = sentences(text)
                s, e = spans[rng.randrange(1, len(spans))]
                dropped.append((k, text[s:e]))
                text = (text[:s] + text[e:]).replace("  ", " ").strip()
            out.append(_edit_paragraph(text, k, rng, changes))
            source.append(k)
    return Edition(out, source, order, changes, dropped)


def plant_moves(paragraphs: list[str], avoid: set[int], seed: int = 1, every: int = 60
                ) -> tuple[list[str], list[str], set[int]]:
    """Move about one paragraph in `every` far away, and one sentence in `every` into a paragraph
    further on (paragraphs in `avoid` are left in place). Returns the new paragraphs, the
    moved texts, and the (original) numbers of the paragraphs touched."""
    from pipeline.collate.segment import sentences

    rng = random.Random(seed)
    paras = list(paragraphs)
    moved: list[str] = []
    original_avoid = set(avoid)
    free = [k for k in range(len(paras)) if k not in avoid and len(paras[k].split()) >= 12]
    for k in free[::every]:  # a sentence moved into the next free paragraph
        spans = sentences(paras[k])
        later = [x for x in free if x > k + 2]
        if len(spans) < 3 or not later:
            continue
        s, e = spans[1]
        sentence = paras[k][s:e]
        if len(sentence.split()) < 6:
            continue
        paras[k] = (paras[k][:s] + paras[k][e:]).replace("  ", " ").strip()
        target = later[0]
        paras[target] = paras[target] + " " + sentence
        moved.append(sentence)
        avoid = avoid | {k, target}
    picked = [k for k in free[every // 2::every] if k not in avoid]
    for k in sorted(picked, reverse=True):  # whole paragraphs, each to a random place
        text = paras.pop(k)
        paras.insert(rng.randrange(len(paras)), text)
        moved.append(text)
    return paras, moved, (avoid - original_avoid) | set(picked)


def drop_sentences(paragraphs: list[str], seed: int = 1, count: int = 20) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The paragraphs with `count` whole sentences left out (one per paragraph, in paragraphs of
    running text with two sentences or more, any position): a translation with known omissions.
    Returns the new paragraphs and the dropped sentences (paragraph, sentence number, text)."""
    from pipeline.collate.segment import is_heading, is_note_body, sentence_spans

    rng = random.Random(seed)
    body = [k for k, p in enumerate(paragraphs)
            if not is_heading(p) and not is_note_body(p) and len(sentence_spans(p)) >= 2]
    out, dropped = list(paragraphs), []
    for k in sorted(rng.sample(body, min(count, len(body)))):
        spans = sentence_spans(out[k])
        n = rng.randrange(len(spans))
        s, e = spans[n]
        dropped.append((k, n, out[k][s:e]))
        out[k] = (out[k][:s] + out[k][e:]).replace("  ", " ").strip()
    return out, dropped


def measure_omissions(pivot, translation, collate, seeds=(1, 2, 3), count: int = 20) -> dict:
    """Precision and recall of the omitted sentences reported for `translation` with `count`
    sentences dropped (drop_sentences), per seed. `collate(witnesses)` returns a Collation.

    Expected: the pivot sentences the dropped sentence alone rendered in the unmodified
    alignment (one translation sentence against one or more of the pivot); counted: the
    omissions reported beyond the unmodified text's own."""
    from pipeline.collate.model import WitnessText
    from pipeline.collate.segment import sentence_spans
    from pipeline.collate.writers import coverage

    def text(w, sid: str) -> str:
        p, k = map(int, sid.split("."))
        return w.paragraphs[p][slice(*sentence_spans(w.paragraphs[p])[k])]

    base = collate([pivot, translation])
    alone = {right[0]: [text(pivot, s) for s in left] for r in base.rows
             for left, right, *note in r.sentences.get(translation.id, []) if len(right) == 1 and left and not note}
    before = {o["text"] for o in coverage(base)["witnesses"][translation.id]["omitted_sentences"]}
    true = reported = expected = 0
    for seed in seeds:
        paras, dropped = drop_sentences(translation.paragraphs, seed=seed, count=count)
        w = WitnessText(translation.id, translation.language, translation.title, paras, translation.role)
        got = {o["text"] for o in coverage(collate([pivot, w]))["witnesses"][w.id]["omitted_sentences"]}
        exp = {t for p, k, _ in dropped for t in alone.get(f"{p}.{k}", [])}
        _, _, t, n = score_omissions(exp, before, got)
        true, reported, expected = true + t, reported + n, expected + len(exp)
    return {"precision": round(true / reported, 3) if reported else 1.0,
            "recall": round(true / expected, 3) if expected else 1.0,
            "true": true, "reported": reported, "expected": expected}


def score_omissions(expected: set[str], baseline: set[str], reported: set[str]) -> tuple[float, float, int, int]:
    """(precision, recall, true, reported) of the omissions reported beyond the baseline's."""
    new = reported - baseline
    true = len(new & expected)
    return (true / len(new) if new else 1.0), (true / len(expected) if expected else 1.0), true, len(new)
