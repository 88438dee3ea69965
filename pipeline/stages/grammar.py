"""Stage *grammar*: Russian words in the wrong form, found by morphology (pymorphy3).

The OCR of a Russian text leaves real words in a form the sentence cannot have, which a
lexicon never sees: «войти в своей классовый орган», «оторванная от коллектив»,
«по существо», «работников и советских органах». Four checks in short windows, each a
query with the agreeing form as suggestion (pymorphy3's inflect):

* agreement: adjectives before a noun agree with it in case, number and (singular)
  gender; the odd one out is queried with the form that agrees («своей» -> «свой»).
* government: the first declinable word after a preposition is in a case it governs
  (pipeline/data/ru_grammar.toml) -> «от коллектив» -> «от коллектива».
* the locative: a word that can only be prepositional needs «в», «на», «о», «при»
  before its phrase; a conjunction «и» one stroke from «в» is suggested as the preposition.
* a rare form one edit from a much more common form of another word, used nowhere else
  in the witness («сумет» beside «сумеет», «сумел»).

Nothing is changed automatically: pre-1918 spellings, names and a writer's syntax are
beyond what a window of three words can be certain of. Parses are cached per word.
"""
from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import regex
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.context import Context
from pipeline.correct import prereform
from pipeline.lexicon import plainly_unlisted, shared as shared_lexicon, top_words, wordfreq_zipf
from pipeline.model import Query, StageResult
from pipeline.russian import morph  # one analyser per process, shared with hyphenation
from pipeline.cache import HeldMemo
from pipeline.store import write_atomic
from pipeline.stages import Settings, settings, stage
from pipeline.tomlio import load_model

DATA = Path(__file__).resolve().parent.parent / "data" / "ru_grammar.toml"
CASES = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
# pymorphy3's second genitive and locative (чаю, в лесу) count as the plain cases
CASE_OF = {"gen2": "gent", "loc2": "loct", "acc2": "accs", "gen1": "gent", "loc1": "loct", "voct": "nomn"}


class Preposition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    words: list[str]
    cases: list[str]
    accs_words: list[str] = []
    accs_numerals: bool = False
    plural_nomn: bool = False
    vocative: bool = False
    not_after: list[str] = []
    right: list[str] = []
    wrong: list[str] = []

    @field_validator("cases")
    @classmethod
    def _known_cases(cls, v):
        bad = [c for c in v if c not in CASES]
        if bad:
            raise ValueError(f"unknown case {bad[0]!r} (one of {sorted(CASES)})")
        return v


class Agreement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skip: list[str] = []
    quantity: list[str] = []
    governs: list[str] = []
    idioms: list[str] = []
    not_noun: list[str] = []
    alone: list[str] = []
    right: list[str] = []
    wrong: list[str] = []


class Locative(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prepositions: list[str]
    right: list[str] = []
    wrong: list[str] = []


class Grammar(BaseModel):
    """pipeline/data/ru_grammar.toml."""

    model_config = ConfigDict(extra="forbid")
    prepositions: list[Preposition]
    agreement: Agreement
    locative: Locative
    genitive_modifiers: list[str] = []

    def governing(self) -> dict[str, Preposition]:
        return {w: p for p in self.prepositions for w in p.words}


@lru_cache(maxsize=4)
def load_grammar(path: Path = DATA) -> Grammar:
    return load_model(Grammar, path, "grammar data")


class Reading(NamedTuple):
    """One pymorphy3 analysis of a word, reduced to what the checks read; the analysis itself
    (`parse`, for inflecting) is made again when a query asks for it: a few words a text. (A tuple:
    a text's 10,000 readings are made in 0.006 s, as a frozen dataclass in 0.015 s.)"""

    pos: str
    case: str | None
    number: str | None
    gender: str | None
    animacy: str | None
    tag: str  # pymorphy3's tag as text ("Apro", "Fixd" are read from it)
    normal_form: str
    word: str  # the word analysed, and which of pymorphy3's analyses of it this is
    index: int

    @property
    def parse(self):
        return parses(self.word)[self.index]


FUNCTION = {"ADVB", "PREP", "CONJ", "PRCL", "COMP", "INTJ", "PRED", "VERB", "INFN", "GRND", "ADJS", "PRTS"}
NOT_ADJECTIVE = frozenset({"NOUN", "NPRO", "PRTF"} | FUNCTION)


class Word:
    """A word's readings, and what the checks ask of every token, once per word: its parts of
    speech, and _is_adj's and _is_noun's answers."""

    __slots__ = ("readings", "known", "parts", "adjective", "noun")

    def __init__(self, readings: tuple[Reading, ...], known: bool):
        self.readings = readings
        self.known = known  # in pymorphy3's dictionary (not a guess from the ending)
        self.parts = parts = frozenset(r.pos for r in readings)
        # only an adjective: a word that can also be a noun («рабочих») heads its own phrase
        self.adjective = known and "ADJF" in parts and not parts & NOT_ADJECTIVE
        # only a noun: «и», «уже», «после» have noun readings (a letter, «уж», «посол») too
        self.noun = known and readings[0].pos == "NOUN" and not parts & FUNCTION

    def pos(self) -> frozenset[str]:
        return self.parts

    def cases(self, pos: tuple[str, ...] = ("NOUN", "ADJF", "PRTF", "NPRO", "NUMR")) -> set[str]:
        return {r.case for r in self.readings if r.pos in pos and r.case}


@lru_cache(maxsize=10_000)  # hit 97 % of the time on scale books (8.6k words in 20)
def analyse(word: str) -> Word:
    """The readings of one (lower-case) word, cached: a text repeats its words; from the
    witness's memo (_Memo) where an earlier run kept them."""
    memo = _Memo.held
    kept = memo.words.get(word)
    if kept is not None:  # (known, tag number, normal form, tag number, normal form, ...)
        tags = memo.tags
        return Word(tuple(Reading(*tags[kept[k]], kept[k + 1], word, k // 2) for k in range(1, len(kept), 2)), kept[0])
    m = morph()
    return Word(tuple(Reading(*_grammemes(p.tag), p.normal_form, word, k) for k, p in enumerate(parses(word))),
                m.word_is_known(word))


@lru_cache(maxsize=1_000)
def parses(word: str) -> tuple:
    """pymorphy3's analyses of a word (Reading.parse)."""
    return tuple(morph().parse(word))


_GRAMMEMES: dict = {}  # pymorphy3 tag -> (pos, case, number, gender, animacy, tag): the analyser shares its tags


def _grammemes(t) -> tuple:
    found = _GRAMMEMES.get(t)
    if found is None:
        case = CASE_OF.get(t.case, t.case) if t.case else None
        gender = None if "ms-f" in t or t.gender is None else str(t.gender)  # «сирота»: either gender
        found = _GRAMMEMES[t] = (str(t.POS), case and str(case), t.number and str(t.number), gender,
                                 t.animacy and str(t.animacy), str(t))
    return found


# a word, with an editor's expansion in brackets inside it («опп[озиции]», «Ком[мунистическом]»)
TOKEN = regex.compile(r"\p{Cyrillic}+(?:\[\p{Cyrillic}+\]\p{Cyrillic}*)*(?:-\p{Cyrillic}+)*|[\p{L}\d]+")
PREPOSITIONAL_ONLY = {"loct"}
# marks that do not end a phrase: quotes, brackets of an editor's expansion, a list's commas
TRANSPARENT = " \n«»„“”\"'[],"


class GrammarSettings(Settings):
    """[grammar] of config/pipeline.toml, then [default.grammar] ... of config/policy.toml."""

    agreement: bool = True   # agreement, government and the locative (pipeline/data/ru_grammar.toml)
    rare_forms: bool = True  # a rare form one edit from a common one («сумет»)
    fragments: bool = True   # a non-word that is the end of known words («озиции»)


@stage("grammar", requires=("paragraphs",), settings=GrammarSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Queries about Russian words in a form their neighbours exclude."""
    if ctx.language != "ru":
        return StageResult()
    st = settings("grammar", ctx)
    tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
    if prereform.spells_old(text):
        # a print before 1918: each word read in its modern form ("въ" is the preposition "в"); the text stays
        tokens = [(a, b, prereform.modern(t)) for a, b, t in tokens]
    with _Memo.of(ctx) as memo:
        queries = check(text, tokens, load_grammar()) if st.agreement else []
        if st.rare_forms:
            queries += _rare_forms(text, tokens, memo.rare)
        if st.fragments:
            queries += _fragments(text, tokens, memo.fragments)
        memo.keep(tokens)
    queries.sort(key=lambda q: (q.start, q.end, q.rule))
    return StageResult([], queries)


class _Memo(HeldMemo, kind="grammar"):
    """What pymorphy3 and the word list say of a witness's words (analyse, the forms a query
    inflects, the verdicts of _rare and _fragment), kept from one `edition run` to the next
    (pipeline.cache.WordMemo: `.edition-cache/grammar/<witness id>.marshal`, read by `--force` runs
    too): parsing the Russian original's 4,700 words took 0.1-0.15 s of every run, and with the forms
    kept a run loads no pymorphy3 for it. It holds the words of the witness's latest text alone
    (written again when they change). Plain files (`edition clean FILE`) keep none. Held while the
    stage runs (pipeline.cache.HeldMemo: `_Memo.held`, what analyse and _inflected read)."""

    def hold(self, data: dict) -> None:
        self.tags: list = list(data.get("tags", ()))  # (pos, case, number, gender, animacy, tag) of the readings below
        self.words: dict = dict(data.get("words", {}))  # word -> (known, then a tag's number and the normal form of each reading)
        self.forms: dict = dict(data.get("forms", {}))  # "word|reading|grammemes" -> its inflected form, or None
        self.rare: dict = dict(data.get("rare", {}))  # word -> _rare(word)
        self.fragments: dict = dict(data.get("fragments", {}))  # word -> _fragment(word)
        self.read = (set(self.words), set(self.forms), set(self.rare), set(self.fragments))

    @classmethod
    def of(cls, ctx: Context) -> _Memo:
        return cls(None if ctx.witness.origin == "file" else Path(ctx.resources.root), ctx.witness.id)

    def keep(self, tokens) -> None:
        """Store the analyses of this text's words and the forms and verdicts asked, if they are not what was read."""
        if self.memo.path is None:
            return
        words = {_plain(t).lower() for _, _, t in tokens if t[:1].isalpha() and not t.isascii()}
        used = {t.lower() for _, _, t in tokens}
        forms = {k: v for k, v in self.forms.items() if k.split("|", 1)[0] in words}
        rare = {w: v for w, v in self.rare.items() if w in used}
        fragments = {w: v for w, v in self.fragments.items() if w in used}
        if (words, set(forms), set(rare), set(fragments)) == self.read:
            return
        tags: dict[tuple, int] = {}
        kept = {}
        for w in sorted(words):
            a = analyse(w)
            kept[w] = (a.known, *(x for r in a.readings for x in (
                tags.setdefault((r.pos, r.case, r.number, r.gender, r.animacy, r.tag), len(tags)), r.normal_form)))
        self.memo.save({"tags": list(tags), "words": kept, "forms": forms, "rare": rare, "fragments": fragments})


def _inflected(r: Reading, grammemes: set) -> str | None:
    """pymorphy3's form of a reading with these grammemes (its inflect), None if it has none; kept in
    the witness's memo. With no grammemes: the form the reading itself is of (pymorphy3's word)."""
    key = f"{r.word}|{r.index}|{','.join(sorted(map(str, grammemes)))}"
    memo = _Memo.held
    forms = memo.forms
    if key in forms:
        return forms[key]
    f = r.parse.inflect(grammemes) if grammemes else r.parse
    form = f.word if f is not None else None
    if memo.keeping:
        forms[key] = form
    return form


def check(text: str, tokens: list[tuple[int, int, str]], g: Grammar) -> list[Query]:
    """The agreement, government and locative checks over a tokenised text."""
    gov = g.governing()
    skip_adj = set(g.agreement.skip)
    quantity = set(g.agreement.quantity)
    governs = set(g.agreement.governs)
    idioms = {x.lower() for x in g.agreement.idioms}
    not_noun = {x.lower() for x in g.agreement.not_noun}
    alone = {x.lower() for x in g.agreement.alone}
    loc_preps = set(g.locative.prepositions)
    modifiers = set(g.genitive_modifiers)
    words = [analyse(_plain(t[2]).lower()) if t[2][:1].isalpha() and not t[2].isascii() else None for t in tokens]
    # two words are read together where only spaces part them, within one paragraph (a blank line ends it)
    joined = [i + 1 < len(tokens) and not (gap := text[tokens[i][1]:tokens[i + 1][0]]).strip() and gap.count("\n") < 2
              for i in range(len(tokens))]
    out: list[Query] = []
    seen: set[tuple[int, int]] = set()

    def add(q: Query | None):
        if q is not None and (q.start, q.end) not in seen:
            seen.add((q.start, q.end))
            out.append(q)

    for i, (_, _, w) in enumerate(tokens):
        low = w.lower()
        if low in gov and joined[i]:
            add(_government(text, tokens, words, joined, i, gov[low], modifiers, quantity))
        wi = words[i]
        if wi is None or not joined[i]:
            continue
        # a run of adjectives then a noun: check each adjective against the noun
        if _is_adj(wi) and not _lemma(wi) & skip_adj:
            add(_agreement(text, tokens, words, joined, i, gov, quantity, governs, idioms, not_noun, alone))
    for i, wi in enumerate(words):
        if _is_noun(wi) and wi.cases() <= PREPOSITIONAL_ONLY:
            add(_locative(text, tokens, words, i, loc_preps))
    return out


def _is_adj(w: Word | None) -> bool:
    """Only an adjective (Word.adjective)."""
    return w is not None and w.adjective


def _is_noun(w: Word | None) -> bool:
    """Only a noun (Word.noun)."""
    return w is not None and w.noun


def _agree(a: Reading, n: Reading) -> bool:
    if a.case != n.case or a.number != n.number:
        return False
    if n.number == "sing" and a.gender and n.gender and a.gender != n.gender:
        return False
    if a.case == "accs":  # «советских органов» vs «советские органы»: the accusative follows animacy
        aa, na = a.animacy, n.animacy
        return not (aa and na) or aa == na
    return True


def _grammeme_set(r: Reading) -> set[str]:
    return set(r.tag.replace(" ", ",").split(","))


def _lemma(w: Word) -> set[str]:
    return {r.normal_form for r in w.readings}


def _agreement(text, tokens, words, joined, i, gov, quantity, governs, idioms, not_noun, alone) -> Query | None:
    """Adjectives tokens[i..] then a noun: the adjective that agrees with nothing is queried. Not where
    the words before the adjective make a set phrase with it (`idioms`: «один за другим», «что такое»),
    where the noun begins a phrase that is no noun (`not_noun`: «друг друга»), nor where the adjective is
    a plural that stands alone for people before a singular noun (`alone`: «всем» in «всем нужна работа»)."""
    if not _is_adj(words[i]) or (i > 0 and _is_adj(words[i - 1]) and joined[i - 1]):
        return None  # only from the first adjective of a run
    j = i
    while j < len(tokens) and words[j] is not None and _is_adj(words[j]) and joined[j]:
        j += 1
    if j >= len(tokens) or words[j] is None or j - i > 3:
        return None
    noun = words[j]
    if not _is_noun(noun) or len(tokens[j][2]) < 2:
        return None
    prev = tokens[i - 1][2].lower() if i > 0 and joined[i - 1] else ""
    if (i >= 2 and f"{tokens[i - 2][2]} {prev} {tokens[i][2]}".lower() in idioms) or (
            prev and f"{prev} {tokens[i][2]}".lower() in idioms):
        return None  # «один за другим пункты», «что такое свобода»
    after = [tokens[k][2].lower() for k in range(j, min(j + 3, len(tokens))) if k == j or joined[k - 1]]
    if " ".join(after[:2]) in not_noun or " ".join(after[:3]) in not_noun:
        return None  # «противоположных друг другу»
    if prev in quantity or prev.isdigit() or (words[i - 1] is not None and joined[i - 1] and "NUMR" in words[i - 1].pos()):
        return None  # «два больших дома»: a numeral breaks agreement
    nouns = [r for r in noun.readings if r.pos == "NOUN" and r.case]
    prep = gov.get(prev)
    if prep is not None:
        governed = [r for r in nouns if r.case in prep.cases]
        nouns = governed or nouns
    adjs = list(range(i, j))
    # the noun reading most adjectives agree with
    best, best_n = None, -1
    for n in nouns:
        k = sum(any(_agree(a, n) for a in words[x].readings if a.pos == "ADJF") for x in adjs)
        if k > best_n:
            best, best_n = n, k
    if best is None or best_n == len(adjs):
        return None
    if len(adjs) > 1 and best_n == 0:
        return None  # nothing agrees: a different construction, not one misread ending
    odd = [x for x in adjs if not any(_agree(a, best) for a in words[x].readings if a.pos == "ADJF")]
    x = odd[0]
    if best.number == "sing" and tokens[x][2].lower() in alone:
        return None  # «всем девицам» is agreement; «всем» before a singular stands for people
    pronoun = any("Apro" in _grammeme_set(r) for r in words[x].readings)
    if not pronoun and (best.case in ("datv", "ablt") or _lemma(words[x]) & governs):
        return None  # «чуждый рабочему», «богатого научными ценностями»: the adjective's complement
    s, e, w = tokens[x]
    suggestion = _inflect(words[x], best)
    noun_word = tokens[j][2]
    # each suggestion replaces the whole span: the adjective alone, or adjective and noun
    if len(adjs) == 1:
        s2, e2 = s, tokens[j][1]
        between = text[e:tokens[j][0]]
        suggestions = [f"{_recase(w, suggestion)}{between}{noun_word}"] if suggestion else []
        # one adjective and one noun: the noun's ending may be the misread one
        alt = _inflect_noun(noun, words[x], prep)
        if alt:
            suggestions.append(f"{w}{between}{_recase(noun_word, alt)}")
    else:
        s2, e2 = s, e
        suggestions = [_recase(w, suggestion)] if suggestion else []
    if not suggestions:
        return None
    return Query(s2, e2, text[s2:e2], suggestions, 0.5,
                 f"«{w}» does not agree with «{noun_word}» ({_describe(best)}) in case, number or gender",
                 rule="grammar.agreement")


def _inflect(adj: Word, noun: Reading) -> str | None:
    """The adjective's form agreeing with the noun reading (pymorphy3 inflect)."""
    for a in adj.readings:
        if a.pos != "ADJF":
            continue
        want = {noun.case, noun.number}
        if noun.number == "sing" and noun.gender in ("masc", "femn", "neut"):
            want.add(noun.gender)
        if noun.case == "accs":
            anim = noun.animacy
            if anim and (noun.number == "plur" or noun.gender == "masc"):
                want.add(anim)
        f = _inflected(a, want)
        if f is not None:
            return f
    return None


def _inflect_noun(noun: Word, adj: Word, prep) -> str | None:
    """The noun's form agreeing with the adjective (when the noun's ending is the misread one)."""
    n = next((r for r in noun.readings if r.pos == "NOUN"), None)
    if n is None:
        return None
    for a in adj.readings:
        if a.pos != "ADJF" or not a.case or (prep is not None and a.case not in prep.cases):
            continue
        if a.number == "sing" and a.gender and n.gender and a.gender != n.gender:
            continue
        f = _inflected(n, {a.case, a.number})
        if f is not None and f != _inflected(n, set()):
            return f
    return None


def _describe(r: Reading) -> str:
    return ", ".join(x for x in (r.case, r.number, r.gender if r.number == "sing" else None) if x)


def _government(text, tokens, words, joined, i, prep, modifiers, quantity) -> Query | None:
    """The first declinable word after a preposition must be in a case it governs."""
    k = i - 1
    while k >= 0 and k >= i - 3 and joined[k]:  # the three words before it, in its clause
        if tokens[k][2].lower() in prep.not_after:
            return None  # «что за человек», «что ты за человек»: no preposition
        k -= 1
    j = i + 1
    while j < len(tokens) and j <= i + 3:
        w = words[j]
        low = tokens[j][2].lower()
        if w is None or not w.known:
            return None
        if w.cases() & set(prep.cases) and low not in ("его", "ее", "её", "их"):
            return None
        if prep.accs_numerals and "NUMR" in w.pos() and "accs" in w.cases():
            return None  # «по восемь часов»: a number in the accusative
        if low in ("его", "ее", "её", "их") or low in quantity or w.pos() & {"ADVB", "PRCL", "COMP", "CONJ", "NUMR"}:
            if not joined[j]:
                return None
            j += 1
            continue
        break
    else:
        return None
    if j >= len(tokens) or not joined[j - 1]:
        return None
    w = words[j]
    low = tokens[j][2].lower()
    cases = w.cases()
    if not cases or "NUMR" in w.pos() or "Fixd" in w.readings[0].tag:
        return None
    if cases & set(prep.cases):
        return None
    if "accs" in cases and low in prep.accs_words:
        return None
    if prep.plural_nomn and any(r.case == "nomn" and r.number == "plur" for r in w.readings):
        return None
    if text[tokens[j][1]:tokens[j][1] + 1] == "." and len(tokens[j][2]) <= 4:
        return None  # an abbreviation («к раб. оппозиции»)
    if j + 1 < len(tokens) and tokens[j + 1][2].lower() in modifiers and joined[j]:
        return None  # «ко всякого рода свободам»: a genitive phrase before the governed noun
    if cases <= {"nomn"} and tokens[j][2][:1].isupper():
        return None  # a name or title in the nominative («в Правда» is the paper's name)
    if prep.vocative and "nomn" in cases and text[tokens[j][1]:tokens[j][1] + 1] in (",", "!"):
        return None  # «О люди!»: an address, no preposition
    if "gent" in prep.cases and low[-1:] in ("у", "ю") and any(
            r.case == "datv" and r.number == "sing" and r.gender == "masc" for r in w.readings):
        return None  # the second genitive in «-у» («без умолку», «с размаху»), read as a dative
    s, e = tokens[i][0], tokens[j][1]
    forms = []
    for r in w.readings:
        if r.pos not in ("NOUN", "ADJF", "PRTF", "NPRO"):
            continue
        for c in prep.cases:
            f = _inflected(r, {c})
            if f is not None and f not in forms and f != low:
                forms.append(f)
        if forms:
            break
    prep_word = tokens[i][2]
    return Query(s, e, text[s:e], [f"{prep_word} {_recase(tokens[j][2], f)}" for f in forms[:3]], 0.5,
                 f"«{prep_word}» governs the {'/'.join(prep.cases)} case; «{tokens[j][2]}» can only be "
                 f"{'/'.join(sorted(cases))}", rule="grammar.government")


def _locative(text, tokens, words, i, loc_preps) -> Query | None:
    """A word only prepositional («органах») needs «в», «на», «о», «при» before it in its clause.

    The clause is read back up to ten words, across commas (a list: «в демобилизации,
    борьбе с саботажем, проведении»), to a verb or a stronger mark."""
    conj = None
    j = i - 1
    while j >= 0 and i - j <= 10:
        if text[tokens[j][1]:tokens[j + 1][0]].strip(TRANSPARENT):
            break
        low = tokens[j][2].lower()
        if low in loc_preps:
            return None
        if low in ("и", "или") and conj is None and j == i - _phrase_start(words, i):
            conj = j
        w = words[j]
        if w is not None and w.known and w.readings[0].pos in ("VERB", "INFN", "GRND"):
            break
        if _is_noun(w) and w.cases() <= PREPOSITIONAL_ONLY:
            return None  # coordinated with an earlier one («в органах и центрах»): asked there
        j -= 1
    s, e = (tokens[conj][0] if conj is not None else tokens[i][0]), tokens[i][1]
    if conj is not None:
        rest = text[tokens[conj][1]:e]
        suggestions = [p + rest for p in loc_preps if len(p) == len(tokens[conj][2])][:2]
        how = f"«{tokens[conj][2]}» for a preposition?"
    else:
        suggestions = [p + " " + text[s:e] for p in ("в", "на")]
        how = "a preposition lost?"
    return Query(s, e, text[s:e], sorted(suggestions), 0.5,
                 f"«{tokens[i][2]}» can only be in the prepositional case, and no «в», «на», «о», «при» "
                 f"precedes it in its clause: {how}", rule="grammar.locative")


def _phrase_start(words, i) -> int:
    """How many words back the adjectives before words[i] reach, plus one (the word before them)."""
    k = 1
    while i - k >= 0 and _is_adj(words[i - k]) and "loct" in words[i - k].cases():
        k += 1
    return k


def _rare_forms(text, tokens, verdicts: dict | None = None) -> list[Query]:
    """A word the language barely uses, one edit from a common word, used once in the witness.
    `verdicts`: _rare's, by word, read and added to (the witness's memo)."""
    counts: dict[str, int] = {}
    for _, _, w in tokens:
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    out = []
    verdicts = {} if verdicts is None else verdicts
    for s, e, w in tokens:
        low = w.lower()
        if counts[low] > 1 or len(low) < 4 or not w.isalpha() or not w.islower() or w.isascii():
            continue
        if low not in verdicts:
            verdicts[low] = _rare(low)
        v = verdicts[low]
        if v is None:
            continue
        z, cands = v
        out.append(Query(s, e, text[s:e], cands, 0.45,
                         f"«{w}» is a rare form (zipf {z:.1f}) used once here; "
                         f"«{cands[0]}» is one edit away and far more common", rule="grammar.rare-form"))
    return out


def _rare(low: str) -> tuple | None:
    z = zipf(low)
    if z == 0.0 or z >= 1.5:
        return None  # unknown words are detect's; common ones are words
    w = analyse(low)
    if not w.known or any(zipf(r.normal_form) >= 1.5 for r in w.readings):
        return None  # a rare form of a common word («фирмою», «ставши») is the writer's
    near = {}
    unlisted = plainly_unlisted("ru")  # most edits are no word: one lookup, not zipf's memo and tokenizer
    for cand, cost in _edits(low):
        if unlisted(cand):
            continue  # wordfreq_zipf would say 0.0
        if cand != low and zipf(cand) >= z + 2.0 and analyse(cand).known:
            near[cand] = min(cost, near.get(cand, 99.0))
    if not near:
        return None
    ranked = sorted(near, key=lambda c: (near[c], -zipf(c), c))
    return z, ranked[:3]


RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _edits(word: str):
    """(candidate, cost): the shared OCR error model's confusions (pipeline/data/ocr_model.json,
    cheap), then every single deletion, insertion, substitution and transposition."""
    from pipeline.correct.model import shared
    model = shared()
    for i in range(len(word)):
        for b in range(1, 4):
            for meant, cost in model.meant_for.get(word[i:i + b], ()):
                yield word[:i] + meant + word[i + b:], cost
    plain = model.unseen
    for i in range(len(word) + 1):
        if i < len(word):
            yield word[:i] + word[i + 1:], plain
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:], plain
        for c in RU_LETTERS:
            yield word[:i] + c + word[i:], plain
            if i < len(word):
                yield word[:i] + c + word[i + 1:], plain


@lru_cache(maxsize=50_000)  # ~180 bytes an entry; hit 86 % of the time on scale books
def zipf(word: str) -> float:
    """How common a Russian word is (wordfreq's Zipf scale), cached."""
    return wordfreq_zipf(word, "ru")


TOP_WORDS = 100_000


@lru_cache(maxsize=1)
def _reversed_words() -> list[str]:
    """The 100,000 commonest Russian words (wordfreq), spelt backwards and sorted: the words
    that end in a given string are one bisection away. Depending on the word list alone, the
    list is kept beside its memory-mapped table (pipeline.store, named by the wordfreq
    version) once made: reading the words out of the table and sorting them took half a
    second of every run."""
    table = shared_lexicon("ru")._freq
    path = getattr(table, "path", None)
    kept = path.with_name(f"{path.stem}.reversed-{TOP_WORDS}.txt") if path is not None else None
    if kept is not None:
        try:
            words = kept.read_text("utf-8").split("\n")
            if len(words) > 1:
                return words
        except (OSError, UnicodeError):
            pass
    words = sorted(w[::-1] for w in top_words("ru", TOP_WORDS) if w.isalpha())
    if kept is not None and words:
        try:
            write_atomic(kept, "\n".join(words).encode("utf-8"))
        except OSError:
            pass
    return words


def _fragments(text, tokens, verdicts: dict | None = None) -> list[Query]:
    """A non-word that is the end of a common word whose beginning the print or a line break
    lost: «озиции» (позиции), «мунистическом» (коммунистическом). No paradigm has it; the
    nearest known forms are the words it ends. `verdicts`: _fragment's, by word, read and
    added to (the witness's memo)."""
    out = []
    verdicts = {} if verdicts is None else verdicts
    for s, e, w in tokens:
        low = w.lower()
        if len(low) < 5 or not w.isalpha() or not w.islower() or w.isascii():
            continue
        if low not in verdicts:
            verdicts[low] = _fragment(low)
        found = verdicts[low]
        if found is None:
            continue
        out.append(Query(s, e, text[s:e], list(found), 0.45,
                         f"«{w}» is in no paradigm (pymorphy3) and no word list; it is the end of "
                         f"{', '.join('«' + x + '»' for x in found[:3])}: its beginning lost?", rule="grammar.fragment"))
    return out


def _plain(word: str) -> str:
    """The word with an editor's expansion read in: «опп[озиции]» -> «оппозиции»."""
    return word.replace("[", "").replace("]", "") if "[" in word else word


def _recase(original: str, form: str) -> str:
    return form[:1].upper() + form[1:] if original[:1].isupper() else form


def _fragment(low: str) -> list[str] | None:
    """The (at most 3) common words a lower-case non-word is the end of, commonest first; None
    for a word (listed, or in a paradigm) and for a non-word that ends none."""
    if zipf(low) > 0 or analyse(low).known:
        return None
    rev = _reversed_words()
    key = low[::-1]
    i = bisect.bisect_left(rev, key)
    found = []
    while i < len(rev) and rev[i].startswith(key) and len(found) < 20:
        if len(rev[i]) <= len(low) + 4:
            found.append(rev[i][::-1])
        i += 1
    if not found:
        return None
    found.sort(key=lambda x: (-zipf(x), x))
    return found[:3]
