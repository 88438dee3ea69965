"""Stage *detect*: find damage no rule covers, and list it as queries for a proofreader.

Three detectors, each a small function of one reading and the witness:

* non-words: "Commisnr", "carried awav", "Eccnomic" are not in the language's
  lexicon (wordfreq), not in the name authority and not frequent in the witness
  itself; suggestions are ranked by an OCR-weighted edit cost and frequency
  ("awav" -> "away": v for y). Glued words are split ("Wecould" -> "We could").
* real-word scannos: a word rare in the witness that is one cheap OCR confusion
  away from a word the witness uses often in the same company ("rank and tile"
  where the witness says "rank and file" twenty times).
* names: a capitalised word unknown to lexicon and authority that is close to a
  known name or variant ("Zinovief") or, through transliteration, to a name in the
  Cyrillic of the Russian original ("Rublikoff" ~ «Бубликовы»).

A non-word whose best suggestion is certain enough (config/pipeline.toml
[detect] auto_threshold; the default is conservative) is corrected, as an edit
of kind `auto` that states its evidence; everything else is only a query.
"""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from pipeline.authority import skeleton, transliterate
from pipeline.context import Context
from pipeline.lexicon import Candidate, Lexicon
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import stage

TOKEN = regex.compile(r"[\p{L}\d]+(?:['’]\p{L}+)*")
# longer than any word: not looked up (a lexicon lookup is super-linear in a token's length;
# a 4,000-letter run once took 307 s)
MAX_TOKEN = 64
NUMBER = regex.compile(r"\d+(?:st|nd|rd|th|s|b|a)?|[IVXLCDM]+|[ivxlcdm]+")
SENTENCE_END = regex.compile(r"(?:\A|[.!?:;\"“”«»(\[\]]\s*|\n\s*\n\s*)\Z")
LATIN_DIGITS = regex.compile(r"^[\p{L}]*\d[\p{L}\d]*$")


@dataclass
class Settings:
    """[detect] of config/pipeline.toml with the witness's policy (detect sub-table) on top."""

    auto_threshold: float = 0.98
    auto: bool = True
    known_zipf: float = 1.0        # a reading at least this frequent in the language is a word
    suggest_zipf: float = 2.5      # a suggestion must be at least this frequent (or frequent in the witness)
    witness_known: int = 3         # a reading used this often in the witness is its own vocabulary
    auto_min_zipf: float = 3.5     # an automatic correction goes to a common word only
    auto_max_cost: float = 0.4     # ... reached by one cheap OCR confusion
    auto_margin: float = 1.5       # ... clearly better than the next suggestion
    auto_min_length: int = 4
    max_queries: int = 2000

    @classmethod
    def of(cls, ctx: Context) -> "Settings":
        s = cls()
        for layer in (ctx.resources.config.get("detect", {}), ctx.policy.get("detect", {})):
            for k, v in layer.items():
                if hasattr(s, k):
                    setattr(s, k, type(getattr(s, k))(v))
        return s


class Token:
    """One token of a text, read like a regex match (group, start, end)."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int):
        self._text, self._start, self._end = text, start, end

    def group(self) -> str:
        return self._text[self._start:self._end]

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


class Tokens:
    """The tokens of a text as two int arrays (a list of match objects takes ~100 bytes a token:
    gigabytes on a 100 MB witness); tokens longer than MAX_TOKEN are left out."""

    def __init__(self, text: str):
        self.text = text
        self.starts, self.ends = array("q"), array("q")
        for m in TOKEN.finditer(text):
            s, e = m.span()
            if e - s <= MAX_TOKEN:
                self.starts.append(s)
                self.ends.append(e)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> Token:
        return Token(self.text, self.starts[i], self.ends[i])

    def __iter__(self):
        for s, e in zip(self.starts, self.ends):
            yield Token(self.text, s, e)


@stage("detect", kinds=("auto",), settings=Settings)
def run(text: str, ctx: Context) -> StageResult:
    """Queries (and the few certain automatic corrections) for one witness."""
    st = Settings.of(ctx)
    lex = ctx.resources.lexicon(ctx.language)
    tokens = Tokens(text)
    vocab = Counter(m.group().lower() for m in tokens)
    bigrams = Counter((tokens[i - 1].group().lower(), tokens[i].group().lower()) for i in range(1, len(tokens))
                      if not text[tokens[i - 1].end():tokens[i].start()].strip())
    names = _name_index(ctx)
    confusable = _confusion_index(vocab, lex, st)
    edits: list[Edit] = []
    queries: list[Query] = []
    memo: dict[str, tuple] = {}
    skipped: dict[str, bool] = {}
    for i, m in enumerate(tokens):
        w = m.group()
        sk = skipped.get(w)
        if sk is None:
            sk = skipped[w] = _skip(w)
        if sk:
            continue
        initial = m.start() == 0 or bool(SENTENCE_END.search(text[max(0, m.start() - 4):m.start()]))
        key = (w, initial)
        if key not in memo:
            memo[key] = _judge(w, initial, lex, vocab, names, ctx, st)
        verdict = memo[key]
        if verdict is not None and verdict[0] in ("nonword", "name"):
            joined = _split_word(i, tokens, text, lex, st)
            if joined is not None:
                queries.append(joined)
                continue
        if verdict is not None:
            kind, suggestions, score, reason, auto = verdict
            if auto and st.auto and score >= st.auto_threshold:
                edits.append(Edit(m.start(), m.end(), suggestions[0], "detect.nonword", "auto", round(score, 3), reason))
            else:
                queries.append(Query(m.start(), m.end(), w, suggestions, round(score, 3), reason, rule=f"detect.{kind}"))
            continue
        rw = _real_word(i, tokens, text, vocab, bigrams, confusable)
        if rw is not None:
            queries.append(rw)
    if ctx.language == "en":
        queries.extend(_punctuation(text))
    if len(queries) > st.max_queries:
        queries = sorted(queries, key=lambda q: -q.score)[:st.max_queries]
        queries.sort(key=lambda q: q.start)
    return StageResult(edits, queries)


def _split_word(i: int, tokens, text: str, lex: Lexicon, st: Settings) -> Query | None:
    """A non-word that is half of a word split by a stray space: "trans mission", "Commu nist"."""
    m = tokens[i]
    for a, b in ((tokens[i - 1] if i > 0 else None, m), (m, tokens[i + 1] if i + 1 < len(tokens) else None)):
        if a is None or b is None or text[a.end():b.start()] != " ":
            continue
        joined = a.group() + b.group()
        if lex.zipf(joined) >= 3.0 and not _skip(joined):
            return Query(a.start(), b.end(), text[a.start():b.end()], [joined], 0.7,
                         f"a word split in two: {joined!r} is a word (zipf {lex.zipf(joined):.1f}), "
                         f"{m.group()!r} is not", rule="detect.split")
    return None


_CAP_MID = regex.compile(r"(?<=\b\p{Ll}{2,} )(In|It|Where|The|And|Of|If|This|That|When|Which|As|At|To|For|We|But|Is)"
                         r"(?= \p{Ll})")
_DOT_LOWER = regex.compile(r"(?<=\b(\p{Ll}{3,})[.?]) (\p{Ll}{2,})")
_ABBREVIATIONS = {"etc", "viz", "cf", "pp", "vol", "ibid", "op", "cit", "esp", "approx", "nos"}


def _punctuation(text: str) -> list[Query]:
    """Sentence punctuation lost or misread: a capitalised function word inside a sentence
    ("only When they have grown", "in the theses It is not") and a full stop before a
    lower-case word ("in this sphere. the deeper")."""
    out = []
    for m in _CAP_MID.finditer(text):
        w = m.group()
        out.append(Query(m.start(), m.end(), w, [w.lower(), ". " + w], 0.5,
                         "capital letter inside a sentence: a lost full stop before it, or a misread lower-case letter",
                         rule="detect.punct"))
    for m in _DOT_LOWER.finditer(text):
        if m.group(1) in _ABBREVIATIONS:
            continue
        dot = m.start() - 1
        mark = text[dot]
        out.append(Query(dot, m.end(), text[dot:m.end()], [", " + m.group(2), f"{mark} " + m.group(2).capitalize()], 0.5,
                         f"'{mark}' before a lower-case word: a comma misread, or a lost capital", rule="detect.punct"))
    return out


def _skip(w: str) -> bool:
    """Readings that are not words to judge: numbers, roman numerals, single letters, acronyms."""
    if len(w) < 2 or NUMBER.fullmatch(w):
        return True
    letters = [c for c in w if c.isalpha()]
    if not letters:
        return True
    if all(c.isupper() for c in letters) and len(w) <= 6 and not any(c.isdigit() for c in w):
        return True  # VSNKh-like acronyms (checked against the authority elsewhere)
    return False


def _judge(w: str, initial: bool, lex: Lexicon, vocab: Counter, names, ctx: Context, st: Settings):
    """Is this reading a non-word or an unknown name? (kind, suggestions, score, reason, auto) or None."""
    suffix = w[-2:] if w.endswith(("'s", "’s")) else ""
    base = w[:-2] if suffix else w
    auth = ctx.resources.authority
    if auth.known(base) or auth.known(w):
        return None
    z = lex.zipf(base)
    own = vocab.get(w.lower(), 0)
    if z >= st.known_zipf or own >= st.witness_known:
        return None
    quote = _glued_quote(base, lex)
    if quote:
        return ("glued", quote, 0.6, "a quotation mark glued between two words: a space lost", False)
    if not any(c.isdigit() for c in base) and lex.derived(base):
        return None  # an inflection or derivation of a known word ("профессионалистов", "polemicise")
    if _camel(base) and not any(c.isdigit() for c in base):
        split = _split_camel(base, lex)
        if split:
            return ("glued", [split], 0.9, f"two words glued together: {split!r}", False)
        if not lex.candidates(base, min_zipf=st.suggest_zipf, extra=vocab):
            return None  # an acronym or a name in camel case ("VTsSPS", "McDonald")
    capital = base[:1].isupper() and not initial
    if capital:
        near = _near_name(base, names)
        if near is not None:
            canon, how = near
            return ("name", [canon], 0.6, f"capitalised word not in the authority, close to {how}", False)
    cands = lex.candidates(base, min_zipf=st.suggest_zipf, extra=vocab)
    split = _split_glued(base, lex) if lex.language == "en" else None
    if split:
        cands = sorted(cands + [Candidate(split, 0.6, min(lex.zipf(p) for p in split.split()))],
                       key=lambda c: -c.score)
    if not cands:
        if capital:
            return ("name", [], 0.2, f"capitalised word unknown to the {lex.language} lexicon and the authority "
                                     f"(a name to add to rules/names.toml?)", False)
        if lex.language == "ru" or len(base) >= 10:
            # a long or Russian word with no word one edit away is a rare valid form far more
            # often than damage («мелкособственническими», "trustification"): not worth a query
            return None
        return ("nonword", [], 0.35, f"not in the {lex.language} lexicon, the authority or the witness; no close word", False)
    best = cands[0]
    margin = best.score - cands[1].score if len(cands) > 1 else 9.0
    suggestion = best.word
    conf = _confidence(base, z, own, best, margin, capital, st)
    auto = (conf >= st.auto_threshold)
    how = ("two words with the space lost" if " " in best.word
           else "one OCR confusion away" if best.cost < 1 else "one edit away")
    why = (f"not in the {lex.language} lexicon (zipf {z:.1f}), the authority or the witness; "
           f"{best.word!r}: {how} (cost {best.cost:.2f}, zipf {best.zipf:.1f})")
    if capital and conf < 0.6:
        return ("name", [c.word + suffix for c in cands[:3]], min(conf, 0.45), why + "; capitalised: perhaps a name", False)
    suggestions = [x + suffix for x in [suggestion] + [c.word for c in cands[1:3]]]
    return ("nonword", suggestions, conf, why, auto)


def _confidence(base: str, z: float, own: int, best: Candidate, margin: float, capital: bool, st: Settings) -> float:
    """How sure the best suggestion is the reading the page had (0..1).

    Certain only when everything agrees: the reading is absent from the lexicon,
    the suggestion is a common word one cheap OCR confusion away and far ahead of
    the next one ("Eccnomic" -> "Economic"). A rare reading or a close second
    ("tbe": "the" or "tho"?) keeps it a query.
    """
    conf = 0.55
    conf += 0.15 * max(0.0, min(1.0, (1.0 - best.cost) / 0.6))
    conf += 0.1 * max(0.0, min(1.0, margin / 3.0))
    conf += 0.1 * max(0.0, min(1.0, (best.zipf - 2.5) / 3.0))
    if z == 0.0 and own <= 2:
        conf += 0.05
    certain = (z == 0.0 and own <= 2 and best.cost <= st.auto_max_cost and margin >= st.auto_margin
               and best.zipf >= st.auto_min_zipf and len(base) >= st.auto_min_length
               and (not capital or best.zipf >= 4.5) and " " not in best.word)
    return 0.99 if certain else min(conf, 0.95)


def _camel(w: str) -> bool:
    return any(a.islower() and b.isupper() for a, b in zip(w, w[1:]))


def _split_camel(w: str, lex: Lexicon) -> str | None:
    """"inApril" -> "in April" when both halves are words."""
    for i in range(1, len(w)):
        if w[i - 1].islower() and w[i].isupper():
            a, b = w[:i], w[i:]
            if len(b) >= 3 and b[1:].islower() and lex.zipf(a) >= 3.0 and lex.zipf(b) >= 3.0:
                return f"{a} {b}"
    return None


def _glued_quote(w: str, lex: Lexicon) -> list[str] | None:
    """"the'insane" -> "the 'insane" (opening quote) or "the' insane" (closing)."""
    for q in ("'", "’"):
        if q in w:
            a, _, b = w.partition(q)
            if len(a) >= 2 and len(b) >= 2 and lex.zipf(a) >= 3.0 and lex.zipf(b) >= 3.0:
                return [f"{a} {q}{b}", f"{a}{q} {b}"]
    return None


def _split_glued(w: str, lex: Lexicon) -> str | None:
    """"Wecould" -> "We could": a reading that is two common words without the space."""
    best, best_z = None, 0.0
    for i in range(2, len(w) - 1):
        a, b = w[:i], w[i:]
        za, zb = lex.zipf(a), lex.zipf(b)
        if za >= 4.0 and zb >= 4.0 and len(b) >= 2 and min(za, zb) > best_z:
            best, best_z = f"{a} {b}", min(za, zb)
    return best


def _confusion_index(vocab: Counter, lex: Lexicon, st: Settings) -> dict[str, list[tuple[str, float]]]:
    """damaged form -> [(word, cost)] for the witness's frequent words: every reading one
    cheap OCR confusion away from a word the witness uses often ("tile" -> "file")."""
    index: dict[str, list[tuple[str, float]]] = {}
    for word, n in vocab.items():
        if n < st.witness_known or len(word) < 3:
            continue
        for read, meant, cost in lex.confusions:
            if cost > 0.5 or not meant:
                continue
            start = word.find(meant)
            while start >= 0:
                damaged = word[:start] + read + word[start + len(meant):]
                index.setdefault(damaged, []).append((word, cost))
                start = word.find(meant, start + 1)
    return index


def _real_word(i: int, tokens, text: str, vocab: Counter, bigrams: Counter, index) -> Query | None:
    """A word rare in the witness, one OCR confusion from a word the witness often uses in
    this company: "rank and tile" (the witness says "and file" 20 times, "and tile" never)."""
    m = tokens[i]
    low = m.group().lower()
    options = index.get(low)
    if not options or vocab[low] > 2 or len(low) < 3:
        return None
    w = m.group()
    prev = tokens[i - 1].group().lower() if i > 0 and not text[tokens[i - 1].end():m.start()].strip() else None
    nxt = tokens[i + 1].group().lower() if i + 1 < len(tokens) and not text[m.end():tokens[i + 1].start()].strip() else None
    if prev is None and nxt is None:
        return None
    own = bigrams[(prev, low)] + bigrams[(low, nxt)] - (prev is not None) - (nxt is not None)
    if own > 0:
        return None
    best = None
    for cand, cost in options:
        if cand == low:
            continue
        ev_prev = bigrams[(prev, cand)] if prev is not None else None
        ev_next = bigrams[(cand, nxt)] if nxt is not None else None
        sides = [e for e in (ev_prev, ev_next) if e is not None]
        ev = sum(sides)
        # the witness must use the suggestion in this company on every side we can see
        # ("rank and [file]" 20x), not merely after one neighbour ("an [and]")
        ok = (len(sides) == 2 and min(sides) >= 1 and ev >= 3) or (len(sides) == 1 and ev >= 3)
        if ok and (best is None or ev > best[1]):
            best = (cand, ev, cost)
    if best is None:
        return None
    cand, ev, cost = best
    shown = cand[:1].upper() + cand[1:] if w[:1].isupper() else cand
    score = min(0.85, 0.45 + 0.04 * ev)
    ctx_words = " ".join(x for x in (prev, cand, nxt) if x)
    return Query(m.start(), m.end(), w, [shown], round(score, 3),
                 f"real word rare here ({vocab[low]}x); {shown!r} is one OCR confusion away and the witness "
                 f"has '{ctx_words}' {ev}x in this company", rule="detect.realword")


# -- names -----------------------------------------------------------------------------

def _name_index(ctx: Context) -> list[tuple[str, str, str]]:
    """(skeleton, canonical, how) for every authority form and every Cyrillic name of the
    work's Russian original (transliterated), to find names the authority lacks.
    Built once per language and work (shared data: the same for every witness of the work)."""
    cache = ctx.resources.__dict__.setdefault("_detect_name_index", {})
    key = (ctx.language, ctx.witness.work)
    if key not in cache:
        cache[key] = _build_name_index(ctx)
    return cache[key]


def _build_name_index(ctx: Context) -> list[tuple[str, str, str]]:
    out = []
    auth = ctx.resources.authority
    for e in auth.entries:
        for form in [e.canonical, *e.variants, *e.forms]:
            out.append((skeleton(form), e.canonical, f"{form!r} of the authority ({e.canonical})"))
        if e.cyrillic:
            out.append((skeleton(transliterate(e.cyrillic)), e.canonical, f"{e.cyrillic} ({e.canonical})"))
    if ctx.language != "ru":
        for cyr in ctx.resources.original_names(ctx.witness.work):
            stem = _cyrillic_stem(cyr)
            known = auth.cyrillic.get(cyr) or auth.cyrillic.get(stem)
            canon = known.canonical if known else transliterate(stem)
            out.append((skeleton(transliterate(stem)), canon, f"«{cyr}» of the Russian original"))
    return out


_RU_ENDINGS = ("ыми", "ами", "ого", "ому", "ыми", "ой", "ым", "ом", "ов", "ах", "ам", "ы", "а", "у", "е", "и")


def _cyrillic_stem(word: str) -> str:
    """Nominative-ish form of a declined Russian surname: «Бубликовы» -> «Бубликов»."""
    for end in _RU_ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 4:
            stem = word[: -len(end)]
            return stem
    return word


def _near_name(w: str, index) -> tuple[str, str] | None:
    """The closest known name to a capitalised reading, if close enough."""
    sk = skeleton(w)
    if len(sk) < 4:
        return None
    best = None
    for s, canon, how in index:
        if abs(len(s) - len(sk)) > 3:
            continue
        r = fuzz.ratio(sk, s)
        if r >= 80 and (best is None or r > best[0]):
            best = (r, canon, how)
    return (best[1], best[2]) if best else None
