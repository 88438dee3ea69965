"""Stage *detect*: find damage no rule covers; fix what is certain, query the rest.

Every reading is judged by a noisy channel: P(printed | meant) from the learned OCR
error model (pipeline/correct/model.py, pipeline/data/ocr_model.json) times
P(meant | neighbours) (pipeline/correct/context.py: symspellpy's English bigrams, the
witness's own bigrams, wordfreq). The reading itself is one of the hypotheses, so a
correction is proposed only where the page is more likely to have had another word:

* non-words: "Commisnr", "carried awav", "Eccnomic" are not in the lexicon, the
  authority or the witness's frequent vocabulary; candidates come from the model's
  confusions, a SymSpell index and lost spaces (pipeline/correct/candidates.py);
* real-word scannos: "tbat", "aud", "rank and tile" are words, but the model and the
  context make another word likelier ("that", "and", "file");
* names: a capitalised word unknown to lexicon and authority that is close to a
  known name or variant ("Zinovief") or, through transliteration, to a name in the
  Cyrillic of the Russian original ("Rublikoff" ~ «Бубликовы»).

Every reading is weighed twice: after the first pass, the letter confusions that the
document's suspicious readings share (a scan's habit: "ll" printed "U" in "shaU", "weU",
"chappeU") adapt the channel to this document (pipeline/correct/document.py), and the
readings are weighed again; how many other readings confirm a correction's confusion is
one of the calibration's features.

The calibrated probability of the best candidate is the query's score. A correction is made
automatically (kind `auto`) only where its calibrated probability of being right
(pipeline/correct/calibrate.py: the posterior, the context, the channel cost, the
document's own use of reading and candidate) reaches [detect] auto_threshold, chosen
so that held-out dev documents keep at least 98 % precision (benchmarks/correction.py); below it, down
to [detect] query_threshold_realword for a real word, the reading becomes a ranked query. A real word's
misreading is there as likely as the document itself makes it: a clean print (few sure non-word misreadings
per word) needs more of the context to doubt a word it writes; a noisy page keeps the model's prior
(`_realword_prior`). A real word that
only a lost letter ("th": "the") turns into another word, or a capitalised one inside a sentence whose
variants the witness never writes capitalised ("at Poit Macquarie": "Port"), is weighed to be asked about
only (ASK): never fixed, no evidence of the document's misreadings. A word of a Latin phrase written whole
("et al.", "per se": pipeline/correct/latin.py) is the writer's: neither fixed nor asked about. Names (authority,
capitalised words the witness uses inside sentences elsewhere), numbers and identifiers are
never changed automatically. A capitalised reading inside a sentence is a name only where the
file's own evidence says so: a non-word seen there once ("Melbourno") is weighed like any other
(the calibration knows it is capitalised); a word ("Cieek" 4 times) is weighed only against the
words one confusion away that the witness itself writes capitalised ("Creek"). A scan's habit is no evidence of
a word: a word the witness repeats that the OCR model makes likelier a misreading of a word the witness prints at
least as often ("tho" for "the") counts for nothing in the context model, neither its count nor its pairs
(`_own_misreadings`; accents.misread's rule for "thé").
"""
from __future__ import annotations

import bisect
import heapq
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, compress, islice

import regex
from rapidfuzz import fuzz, process

from pipeline.authority import skeleton, transliterate
from pipeline.context import Context
from pipeline.correct import accents, budget, calibrate, capitals, garble, latin, period, prereform, spaces, stretches
from pipeline.correct.align import MAX_TOKEN, TOKEN  # a word as the dev sets' gold alignment cuts them
from pipeline.correct.candidates import candidates as find_candidates
from pipeline.correct.candidates import index_min_zipf, own_words, rarer_than, word_index
from pipeline.correct.candidates import lost_letter_choices, realword_choices, realword_variants
from pipeline.correct.context import ContextModel
from pipeline.correct.document import DocumentEvidence, confusions, habit_words
from pipeline.correct.model import OcrModel
from pipeline.correct.model import shared as ocr_model
from pipeline.correct.spelling import is_old, old_forms
from pipeline.heap import no_cyclic_gc
from pipeline.lexicon import Lexicon, fold, recase
from pipeline.model import Edit, Query, StageResult
from pipeline.russian import KnownForms, dictionary_form, nominative
from pipeline.stages import decode, stage
from pipeline.stages.hyphenation import PREFIXES

# whether a word is an old spelling depends on the word alone: asked once per process
_is_old = lru_cache(maxsize=20_000)(is_old)  # ~190 bytes an entry

_TOKEN_SPLIT = regex.compile(f"({TOKEN.pattern})")
_WORD = re.compile(r"\S+")
NUMBER = regex.compile(r"\d+(?:st|nd|rd|th|s|b|a)?|[IVXLCDM]+|[ivxlcdm]+")
SENTENCE_END = regex.compile(r"(?:\A|[.!?:;\"“”«»(\[\]]\s*|\n\s*\n\s*)\Z")
LATIN_DIGITS = regex.compile(r"^[\p{L}]*\d[\p{L}\d]*$")
# benchmarks/correction.py sets a list here to receive (start, after, features) of each automatic
# correction (to fit pipeline/data/ocr_calibration.json); None in a run
TRACE: list | None = None
# a posterior this high at one place of a reading speaks for its other places (DocumentEvidence.agreement)
SURE = 0.9
# benchmarks set a list here to receive (start, reading, kind, best, posterior, calibrated, automatic, protected,
# threshold, the posterior's hypotheses) of every reading detect decides; None in a run
DECISIONS: list | None = None


@dataclass
class Settings:
    """[detect] of config/pipeline.toml with the witness's policy (detect sub-table) on top."""

    auto_threshold: float = 0.98  # calibrated probability at or above which a correction is automatic
    auto_threshold_realword: float = 0.98  # ... for a real word replaced by another
    realword_context: float = -math.inf  # ... whose neighbours favour it this much (log10) over the reading
    query_threshold_realword: float = 0.5  # a real word is queried at or above this posterior
    # ... the posterior with a real word's misreading as likely as the document makes it: its sure non-word
    # misreadings per word against this rate (0: the model's prior everywhere), counted with this many words at it
    realword_doubt_rate: float = 0.0
    realword_doubt_words: float = 1000.0
    auto: bool = True
    calibrated: bool = True        # the thresholds apply to the calibrated probability (correct/calibrate.py)
    # a rule's threshold from the calibration file where it names one (chosen there from held-out evidence),
    # over auto_threshold / auto_threshold_realword
    rule_thresholds: bool = True
    auto_min_posterior: float = 0.5  # below this raw posterior never automatic (correction.py fits the calibration from it)
    known_zipf: float = 1.0        # a reading at least this frequent in the language is a word
    suggest_zipf: float = 2.0      # a suggestion must be at least this frequent (or frequent in the witness)
    witness_known: int = 3         # a reading used this often in the witness is its own vocabulary
    own_words_most: int = 1000     # of those the lexicon lacks, the commonest compared with a reading (linear time)
    nonword_zipf: float = 1.5      # how likely an unknown reading is a real (rare) word, as a Zipf value
    realword_min_zipf: float = 3.0  # a real-word correction goes to a word at least this frequent
    realword_prune: float = 1.0    # judge a real word only if a variant is this likely (log10) against it
    max_cost: float = 4.0          # the costliest OCR channel (-log10 P) a candidate may have
    auto_min_length: int = 2       # shorter readings are only queried
    max_queries: float = 1.0       # queries per 100 words at most (those expected to flag most errors)
    document_evidence: bool = True  # weigh again with the document's own misreadings (correct/document.py)
    # a letter confusion at least this many distinct sure non-word fixes of the document share is its habit: the
    # words it makes of the document's other readings are weighed too, real words among them (0: none; English)
    habit_readings: int = 0
    lone_digit_support: int = 3    # a lone digit is fixed into a word ("1 have") when this many other places confirm it
    lone_digit_margin: float = -1.0  # ... and its own neighbours favour the word over a number by this much (log10)
    lone_digit_right: float = 0.0  # ... and the next word is at least as likely after the word as anywhere (log10)
    # a lone mark ("and | have") is fixed into its letter only where its own neighbours clearly favour the word
    # (log10, against the mark as a speck): the context model's unlisted pairs give a stray mark up to ~0.8
    # ("the | seaport"), "I" read as a mark 1.5-3 ("that | should", "whenever | find")
    lone_mark_margin: float = 1.0
    # a space too many or lost (correct/spaces.py): automatic from this posterior (benchmarks/correction.py
    # picks it on training documents; above 1: never), queried from the other
    auto_threshold_space: float = 1.01
    query_threshold_space: float = 0.99
    # a damaged stretch (correct/stretches.py): this many non-words at least, at most `stretch_gap` words
    # between two, and at least this share of the stretch's tokens: one query for the whole stretch
    # (gap 2 and half the tokens, from gap 1 and 0.6: a proofreader re-reads the longer stretch at once, and
    # the budget's queries flagged 1-3 points more of the held-out documents' misread words, benchmarks/correction.py)
    stretch_min_suspects: int = 3
    stretch_gap: int = 2
    stretch_min_density: float = 0.5
    # garbled places no other doubt names (correct/garble.py: lone letters, forms that are no words, odd marks)
    # are queried, each rule worth what pipeline/data/query_value.json learned
    garble: bool = True
    # doubts close together are one query (correct/budget.py `lines`): at most `merge_gap` words between
    # two (below 0: each doubt its own query), the span at most `merge_words` words and a doubt in at
    # least `merge_dense` of them (a damaged stretch is re-read at once, sound words far between are not)
    merge_gap: int = -1
    merge_words: int = 8
    merge_dense: float = 0.0
    # ... and where the document's groups still outnumber its budget at `merge_dense`, a group may run past
    # `merge_words` inside one paragraph (a line of the text) at that density: a damaged paragraph is one place
    merge_paragraph: bool = False
    # the decisions read a weighed neighbour as its likeliest other reading where the second weighing gives
    # it at least this posterior ("hive besn": "besn" read "been" for "hive"; above 1: as printed)
    mend_posterior: float = 1.01
    # a capital misread inside a sentence ("found In crystalline", correct/capitals.py): where the OCR model has
    # learned the small letter's misreading as its capital at most this costly (-log10 P; "i": "I" 2.4, "j": "J" 2.2,
    # the next "w": "W" 3.4); above 0: queried, and fixed where the document's evidence is enough ([detect] auto)
    case_max_cost: float = 3.0
    # a repeated word the OCR model makes likelier a misreading of a word the witness prints as often is no
    # evidence for itself in the context model (_own_misreadings)
    own_misreadings: bool = True
    # Russian: a reading no word is one edit from, made of two words at least this frequent, the first of at
    # least `glued_left` letters, is asked about as two words glued (a compound's first part is a short stem
    # that is often a word too: «трудреспублика», «уездкомы»)
    glued_zipf: float = 3.0
    glued_left: int = 5
    # Russian: a print with this many words in «ё» per thousand (and 5 at least) spells with it: its «её» is
    # never asked to become «ее»
    yo_per_thousand: float = 1.0
    # a print's automatic fixes (of these rules) are made only where they are so many that, at this rate of false
    # fixes per word (what detect fixes in proofread text: a print's own rare words), at least `clean_print_precision`
    # of them are expected right; else each is a query (0: no such gate)
    clean_print_false_rate: float = 0.0
    # ... at this rate per word the lexicon lacks that no likelier word is near, where that is fewer (0: not so)
    clean_print_unknown_rate: float = 0.0
    clean_print_precision: float = 0.98
    clean_print_rules: tuple = ("detect.nonword", "detect.realword", "detect.split", "detect.glued", "detect.case",
                                "detect.digit", "detect.mark")
    clean_print_languages: tuple = ("en",)  # ... in the languages whose proofread text measured those rates
    # a reading the print repeats more often than misreadings of the correction could make it (Poisson tail below
    # this: _prints_own) is the print's own word: its fixes are queries (0: never so judged)
    own_word_alpha: float = 0.0

    @classmethod
    def of(cls, ctx: Context) -> "Settings":
        s = cls()
        for layer in (ctx.resources.config.get("detect", {}), ctx.policy.get("detect", {})):
            for k, v in layer.items():
                if hasattr(s, k):
                    setattr(s, k, type(getattr(s, k))(v))
        return s


class _Token:
    """One token, read like the regex match it was (group, start, end), made when asked for."""

    __slots__ = ("_text", "_start", "_end")

    def __init__(self, text: str, start: int, end: int):
        self._text, self._start, self._end = text, start, end

    def group(self) -> str:
        return self._text[self._start:self._end]

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


class _Tokens:
    """The witness's tokens, compactly: their offsets in an array, the number of their printed
    form (one string per distinct form) and whether each is linked to the next (nothing but
    spaces between). A token's end and lower-case form are its form's (`ends`, `lows`: read
    through the form, stored once per distinct form). A list of match objects and a lower-case
    string per token took about 300 bytes a token: 5 GB for a 100 MB file; this takes 9
    (offset 4, form 4, link 1), the text being split into tokens a piece at a time (_pieces)."""

    def __init__(self, text: str):
        self.text = text
        code = "i" if len(text) < 2**31 else "q"  # 4-byte offsets where they fit (20 million tokens in 100 MB)
        self.starts, self.ids = array(code), array("I")
        self.linked = bytearray()
        ids: dict[str, int] = {}  # each distinct printed form once: a form is judged once, whatever its count
        last_end = -1
        for base, piece in _pieces(text):
            parts = _TOKEN_SPLIT.split(piece)  # gap, token, gap, token, ..., gap: one regex pass
            offsets = list(accumulate(map(len, parts), initial=base))
            words, starts, ends = parts[1::2], offsets[1:-1:2], offsets[2::2]
            gaps = parts[2:-1:2]  # between one token and the next
            if max(map(len, words), default=0) > MAX_TOKEN:
                kept = [k for k, w in enumerate(words) if len(w) <= MAX_TOKEN]
                words, starts, ends = [words[k] for k in kept], [starts[k] for k in kept], [ends[k] for k in kept]
                gaps = [text[b:a] for b, a in zip(ends, islice(starts, 1, None))]
            if last_end >= 0 and starts:  # the last token of the piece before and the first of this one
                self.linked.append(not text[last_end:starts[0]].strip())
            if ends:
                last_end = ends[-1]
            self.linked += bytearray([not g.strip() for g in gaps])
            self.starts.extend(starts)
            self.ids.extend([ids.setdefault(w, len(ids)) for w in words])
        self.forms: list[str] = list(ids)
        del ids
        self.form_len = bytes(map(len, self.forms))  # a token is at most MAX_TOKEN long
        low_ids: dict[str, int] = {}  # each distinct lower-case form once
        self.form_low = array("I", (low_ids.setdefault(low, len(low_ids)) for low in map(fold, self.forms)))
        self.low_forms: list[str] = list(low_ids)
        self.low_id = low_ids  # lower-case form -> its number
        self.ends = _Ends(self)
        self.lows = _Lows(self)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> _Token:
        return _Token(self.text, self.starts[i], self.end(i))

    def end(self, i: int) -> int:
        return self.starts[i] + self.form_len[self.ids[i]]

    def low(self, i: int) -> str:
        return self.low_forms[self.form_low[self.ids[i]]]

    def low_numbers(self):
        """The number of each token's lower-case form, in order."""
        return map(self.form_low.__getitem__, self.ids)


class _Column:
    """A per-token value derived from the token's form, read as a sequence without a list."""

    __slots__ = ("_t",)

    def __init__(self, tokens: _Tokens):
        self._t = tokens

    def __len__(self) -> int:
        return len(self._t.starts)


class _Ends(_Column):
    """The tokens' end offsets, read as a sequence (each its start plus its form's length)."""

    __slots__ = ()

    def __getitem__(self, i: int) -> int:
        t = self._t
        return t.starts[i] + t.form_len[t.ids[i]]

    def __iter__(self):
        t = self._t
        return map(int.__add__, t.starts, map(t.form_len.__getitem__, t.ids))


class _Lows(_Column):
    """The tokens' lower-case forms, read as a sequence (one string per distinct form)."""

    __slots__ = ()

    def __getitem__(self, i: int) -> str:
        t = self._t
        return t.low_forms[t.form_low[t.ids[i]]]

    def __iter__(self):
        return map(self._t.low_forms.__getitem__, self._t.low_numbers())


class _Bigrams:
    """How often each pair of lower-case forms stands linked in the witness ("rank and"), read
    like a Counter keyed (left, right): the pairs' numbers sorted in one array, their counts in
    another (12 bytes a distinct pair; a Counter of string pairs took about 100)."""

    def __init__(self, tokens: _Tokens, without=()):
        """`without`: forms whose pairs count for nothing (as if the witness had none of them)."""
        low_id = tokens.low_id
        self._low_id = {k: v for k, v in low_id.items() if k not in without} if without else low_id
        n = self._n = len(tokens.low_forms)
        lows = array("I", tokens.low_numbers())
        counts = Counter(compress(map(int.__add__, map(n.__mul__, lows), islice(lows, 1, None)), tokens.linked))
        del lows
        self._keys = array("q", sorted(counts))
        self._counts = array("I", map(counts.__getitem__, self._keys))

    def get(self, pair: tuple[str | None, str | None], default: int = 0) -> int:
        low_id = self._low_id
        a = low_id.get(pair[0])
        if a is None:
            return default
        b = low_id.get(pair[1])
        if b is None:
            return default
        key = a * self._n + b
        keys = self._keys
        k = bisect.bisect_left(keys, key)
        return self._counts[k] if k < len(keys) and keys[k] == key else default

    def __getitem__(self, pair: tuple[str | None, str | None]) -> int:
        return self.get(pair, 0)

    def __len__(self) -> int:
        return len(self._keys)


class _Witness:
    """What detection knows of one witness: its tokens, vocabulary, bigrams and models."""

    def __init__(self, text: str, ctx: Context, st: Settings):
        self.text = text
        self.lex: Lexicon = ctx.resources.lexicon(ctx.language)
        self.model: OcrModel = ocr_model()
        self.tokens = t = _Tokens(text)
        self.lows = t.lows
        # each lower-case form's count, in the order of its first place (as Counter(lows) had it)
        self.vocab: Counter[str] = Counter()
        for form, n in sorted(Counter(t.ids).items()):
            self.vocab[t.low_forms[t.form_low[form]]] += n
        self.linked = t.linked
        # an accented misreading the witness repeats ("thé" for "the", 14 times a page) is no evidence for
        # itself in the context model: neither its count nor its pairs (pipeline/correct/accents.py)
        foreign = accents.misread(self.vocab, self.lex)
        if st.own_misreadings and ctx.language == "en":
            foreign = list(dict.fromkeys([*foreign, *_own_misreadings(self.vocab, self.lex, self.model, st)]))
        self.hear(foreign)
        # a capitalised form the witness uses inside sentences is a name here ("Bacon", "Fryer")
        # (only the places of a capitalised form are looked at: a place's text is its form)
        upper = bytes(f[:1].isupper() for f in t.forms)
        self.capitalised = Counter(t.forms[k] for k, a in compress(zip(t.ids, t.starts), map(upper.__getitem__, t.ids))
                                   if not _initial(text, a))
        # old spellings that are this witness's orthography ("keepe", "hee", "iourney"; Russian before 1918:
        # "революціонной", "рабочихъ")
        self.old = old_forms(self.vocab, self.lex) if ctx.language == "en" else \
            _prereform_forms(text, self.vocab, self.lex, st) if ctx.language == "ru" else frozenset()
        # a Russian print that spells with «ё» (one word in a thousand or more, five at least): there «её» and
        # «ее», «всё» and «все» are its spelling, not misreadings of each other; a print without it («ее»
        # throughout) may still show a stray «ё» that OCR made
        yo = sum(n for w, n in self.vocab.items() if "ё" in w) if ctx.language == "ru" else 0
        self.prints_yo = yo >= max(YO_WORDS, st.yo_per_thousand * sum(self.vocab.values()) / 1000)
        self.cands: dict[str, dict[str, float]] = {}
        self.own: dict[str, list[str]] | None = None
        self.realword: dict[str, tuple | list[tuple[str, float]]] = {}
        self.digit_words: dict[str, list[str]] = {}
        self.one_letter: Counter | None = None  # the witness's one-letter forms counted (_digit_words), once
        self.st = st
        self._damage: float | None = None
        self._nonwords: int | None = None
        self.suspect: Callable[[str, str], bool] | None = None  # _suspect's test, made once
        self.unknown: set[str] | None = None  # _unknown's forms, found once
        # a non-word's sure likeliest correction (the second weighing's, at a place of it): what a garbled
        # neighbour most likely says, for the calibration's context (_repaired_context)
        self.repaired: dict[str, str] = {}
        # the decisions' pass reads each weighed neighbour as its likeliest reading at its place (token index ->
        # that word; filled by the second weighing, read by `sides`): in a damaged stretch the printed
        # neighbours say nothing ("hive besn": "hive been"), their likeliest readings do
        self.mended: dict[int, str] = {}
        # how much likelier than the OCR model's prior this document makes a real word's misreading (at most 1;
        # `_realword_prior`, from the sure non-word misreadings pass 2 counts)
        self.doubt = 1.0

    def hear(self, foreign) -> None:
        """The context model with the forms `foreign` no evidence for themselves (neither their count nor their
        pairs)."""
        self.foreign = foreign
        self.bigrams = _Bigrams(self.tokens, foreign)
        heard = self.vocab
        if foreign:
            heard = dict(self.vocab)
            for low in foreign:
                del heard[low]
        self.context = ContextModel(self.lex, heard, self.bigrams)

    def release(self) -> None:
        """Break the witness's reference cycles (its suspect test, _suspect, holds it; its tokens' columns hold
        their tokens), so that reference counting frees it, with its context model's memos (tens of thousands
        of tuples), as `_run` returns: the cycle collector, paused while detecting (no_cyclic_gc), would
        otherwise walk all of it at its next pass (~50 ms after a 100 kB book, in every document)."""
        self.suspect = None
        self.tokens.ends = self.tokens.lows = None

    def knows(self, low: str) -> bool:
        """A sound word: known to the lexicon ([detect] known_zipf) or the witness's own (used
        [detect] witness_known times)."""
        return self.lex.at_least(low, self.st.known_zipf) or self.vocab.get(low, 0) >= self.st.witness_known

    def nonwords(self) -> int:
        """How many of the witness's words are no words (letters only, not `knows`). Counted once."""
        if self._nonwords is None:
            # the forms `knows` denies are the lexicon's unknown ones (_unknown: found once, for _damaged and
            # _garbled too) the witness uses under witness_known times: no second pass over the vocabulary asking
            # the lexicon (it was 1 % of detect on ICDAR)
            vocab, used = self.vocab, self.st.witness_known
            self._nonwords = sum(vocab[low] for low in _unknown(self, self.st)
                                 if vocab[low] < used and len(low) > 1 and low.isalpha())
        return self._nonwords

    def damage(self) -> float:
        """The share of the witness's words that are no words (`nonwords`): how damaged the print is."""
        if self._damage is None:
            self._damage = self.nonwords() / max(1, sum(self.vocab.values()))
        return self._damage

    def neighbours(self, i: int) -> tuple[str | None, str | None]:
        t = self.tokens
        prev = t.low(i - 1) if i > 0 and self.linked[i - 1] else None
        nxt = t.low(i + 1) if i + 1 < len(t.starts) and self.linked[i] else None
        return prev, nxt

    def sides(self, i: int, near: tuple[str | None, str | None] | None = None) -> tuple[str | None, str | None]:
        """The neighbours the posterior reads: as printed (`near`, if already looked up: `neighbours(i)`), each
        read as its likeliest reading where one is known (`mended`)."""
        prev, nxt = self.neighbours(i) if near is None else near
        mended = self.mended
        if mended:
            if prev is not None:
                prev = mended.get(i - 1, prev)
            if nxt is not None:
                nxt = mended.get(i + 1, nxt)
        return prev, nxt

    def candidates(self, base: str) -> dict[str, float]:
        c = self.cands.get(base)
        if c is None:
            if self.own is None:
                self.own = own_words(self.vocab, self.lex, self.st.suggest_zipf, self.st.witness_known,
                                     self.st.own_words_most)
            c = self.cands[base] = find_candidates(base, self.lex, self.model, self.vocab, self.st.suggest_zipf,
                                                   self.st.witness_known, self.st.max_cost, self.own)
        return c

    def realword_variants(self, low: str) -> tuple[tuple[str, float], ...] | list[tuple[str, float]]:
        """Words one learned confusion away that are, before context, not far less likely
        than the reading itself ("tbat": "that"; "the": nothing)."""
        v = self.realword.get(low)
        if v is None:
            # likely before context, or a word the witness itself uses often ("tile": "file")
            # (without a bigram list, as for Russian, only the witness's own words count)
            st = self.st
            found, likely = realword_choices(low, self.lex, self.model, st.realword_min_zipf, st.max_cost,
                                             st.realword_prune if self.lex.language == "en" else None)
            if likely is not None:
                vocab, known = self.vocab, st.witness_known
                found = [f for f, sure in zip(found, likely) if sure or vocab.get(f[0], 0) >= known]
            if self.prints_yo:
                found = _not_yo_spellings(low, found)
            v = self.realword[low] = found
        return v

    def lost_variants(self, low: str) -> list[tuple[str, float]]:
        """Words one lost letter away that are, before context, not far less likely than the reading
        ("th": "the"), or that the witness itself uses often (`realword_variants`' rule)."""
        st = self.st
        found, likely = lost_letter_choices(low, self.lex, self.model, st.realword_min_zipf, st.max_cost,
                                            st.realword_prune if self.lex.language == "en" else None)
        if likely is None:
            return list(found)
        vocab, known = self.vocab, st.witness_known
        return [f for f, sure in zip(found, likely) if sure or vocab.get(f[0], 0) >= known]

    def posterior(self, i: int, reading: str, keep_p: float | None, cands: dict[str, float], shortcut: bool = True,
                  sides: tuple[str | None, str | None] | None = None):
        """([(hypothesis, probability)] best first, the reading itself being the hypothesis "";
        {hypothesis: association}): how much more the neighbours say for each hypothesis than
        its mere frequency does (log10; 0 where there are no neighbours).
        A real word (keep_p None) that no candidate outscores here is KEPT: nothing more is
        asked of it (most real words weighed: "the" where "she" is a word of the witness);
        `shortcut` False computes its posterior in full (the tests compare the two). `sides`: `sides(i)`, if
        the caller has them."""
        prev, nxt = self.sides(i) if sides is None else sides
        ctx = self.context
        # a real word: KEPT unless a candidate outscores the reading (most real words), told from the halves of
        # the scores the witness remembers (None: a candidate of two words, the test made in full below)
        sound = math.log10(1.0 - self.model.word_error_rate)  # the prior that a word is read right
        outscored = ctx.outscored(prev, reading, nxt, cands, sound) if shortcut and keep_p is None else True
        if outscored is False:
            return KEPT
        # a non-word's own chance is a rare word's, its neighbours telling nothing either way
        if keep_p is None and reading not in cands:  # the reading's own fit, asked with its candidates'
            # (a real word's halves were just asked by `outscored`: remembered)
            fits = ctx.remembered_fits(prev, chain((reading,), cands), nxt, reading)
            keep_ctx = fits.pop(reading)
        else:
            fits = ctx.fits(prev, cands, nxt, reading)
            keep_ctx = ctx.score(prev, reading, nxt, reading) if keep_p is None else math.log10(keep_p)
        keep = sound + keep_ctx
        if outscored is None:
            for w, cost in cands.items():
                if -cost + fits[w] > keep:
                    break
            else:
                return KEPT
        scores = [("", keep)]
        scores += [(w, -cost + fits[w]) for w, cost in cands.items()]
        top = max(s for _, s in scores)
        association = ctx.association
        assoc = {"": association(keep_ctx, reading) if keep_p is None else 0.0}
        for w, fit in fits.items():
            assoc[w] = association(fit, w)
        odds = [10 ** (s - top) for _, s in scores]
        total = sum(odds)
        out = [(w, o / total) for (w, _), o in zip(scores, odds)]
        out.sort(key=lambda x: (-x[1], x[0]))
        return out, assoc


# garbled forms whose sure correction a witness remembers for its neighbours' context (~150 bytes each)
REPAIRED_MOST = 100_000


# the posterior of a real word that no candidate outscores in its place: the reading stays
# (its probability is not computed: no decision reads it)
KEPT = ([("", 1.0)], {"": 0.0})


_SPACE = re.compile(r"\s")
PIECE = 1 << 16  # characters of text tokenised at once (its tokens' strings are transient)


def _pieces(text: str):
    """(offset, piece) of the text cut at a space after every PIECE characters: no token
    crosses a space, so the pieces' tokens are the text's."""
    pos = 0
    while pos < len(text):
        space = _SPACE.search(text, pos + PIECE)
        end = space.start() if space else len(text)
        yield pos, text[pos:end]
        pos = end


def _initial(text: str, start: int) -> bool:
    return start == 0 or bool(SENTENCE_END.search(text[max(0, start - 4):start]))


# tokens judged in one window (about 1 MB of text): a weighing is remembered for its window only
WINDOW = 200_000


@stage("detect", kinds=("auto",), settings=Settings)
def run(text: str, ctx: Context) -> StageResult:
    """Queries and the certain automatic corrections for one witness.

    Three passes over the readings the noisy channel weighs, each a window of tokens at a time,
    so that memory holds a window's weighings and the witness's compact counts, not a weighing
    per place (a 30 MB witness that never repeats itself had 2 GB): (1) judge and weigh every
    reading, and learn the document's misreadings from the likeliest corrections; (2) weigh again
    with the channel adapted to them, and count at how many places each reading's correction
    is sure; (3) decide each place with that whole-witness evidence (weighed a third time, where
    there is something to decide, each neighbour the second weighing reads as another word with a
    posterior of at least [detect] mend_posterior read as that word: a damaged stretch read jointly,
    one step). A weighing depends on the reading and its neighbours only: a
    reading met again between the same words in a window shares the first one's."""
    with no_cyclic_gc(), KnownForms.of(ctx) as forms:  # the dictionary's answers (_judge's rare forms), kept
        result = _run(text, ctx)
        forms.save()
    return result


def _run(text: str, ctx: Context) -> StageResult:
    st = Settings.of(ctx)
    wt = _Witness(text, ctx, st)
    names = _name_index(ctx)
    edits: list[Edit] = []
    words = sum(1 for _ in _WORD.finditer(text))  # len(text.split()), without a list of every word
    # the budget is per 100 words of the document; a snippet under 100 words keeps up to 3
    limit = max(round(st.max_queries * words / 100), 3 if words < 100 else 1)
    value = budget.shared()
    # the last steps' hypotheses first: the queries they may take away are known while detecting
    fixes, asks, found = (*_space_hypotheses(wt, st), _damaged(wt, st, ctx)) if ctx.language == "en" else ([], [], [])
    queries = _Bounded(limit + 1, value, _at_risk(fixes, asks, found)) if BOUNDED else []
    memo: dict[tuple, tuple | None] = {}  # (form, initial) -> verdict, for the whole witness
    evidence = DocumentEvidence(wt.text, wt.vocab, wt.model)
    weighed = array("i")  # the token indexes of the readings the noisy channel weighs, in order
    # ... and of each: whether it stands at a sentence start (1; with its form, its memo key) and
    # whether the first weighing kept it (2: a real word no candidate outscores there)
    flags = bytearray()
    forms, ids, starts = wt.tokens.forms, wt.tokens.ids, wt.tokens.starts
    weighings: dict[tuple, tuple | None] = {}
    window = 0
    for i in _worth_judging(wt, memo, names, ctx, st):
        if i // WINDOW != window:
            window = i // WINDOW
            weighings.clear()
        w = forms[ids[i]]
        initial = w[:1].isupper() and _initial(text, starts[i])  # a sentence start matters only to a capital
        key = (w, initial)
        if key not in memo:
            memo[key] = _judge(w, initial, wt, names, ctx, st)
        verdict = memo[key]
        if verdict is None:
            continue
        kind = verdict[0]
        if kind in ("nonword", "name"):
            joined = _split_word(i, wt.tokens, text, wt.lex, st)
            if joined is not None:
                queries.append(joined)
                continue
        if kind in ("nonword", "realword"):
            if latin.in_phrase(i, wt.tokens.low, wt.linked, len(starts)):
                continue  # the writer's Latin ("et al."), written whole: protected
            sides = wt.neighbours(i)  # (the first weighing reads the neighbours as printed: nothing is mended yet)
            near = (key, *sides)
            post = weighings.get(near, weighings)
            if post is weighings:
                post = weighings[near] = _weigh(i, verdict, wt, st, sides)
                if st.document_evidence and verdict[4] != ASK:
                    _learn(evidence, verdict, post)
            weighed.append(i)
            flags.append(initial | (post is not None and post[0] is KEPT[0]) << 1)
            continue
        m = wt.tokens[i]
        _, suggestions, score, reason = verdict
        queries.append(Query(m.start(), m.end(), w, suggestions, round(score, 3), reason, rule=_rule(kind)))
    if st.habit_readings and st.document_evidence and ctx.language == "en":
        habits = evidence.habits(st.habit_readings)
        if habits and st.own_misreadings and _habit_misreadings(wt, st, habits):
            weighings.clear()  # weighed in another context
        weighed, flags = _habit_readings(wt, st, ctx, memo, evidence, habits, weighed, flags, weighings)
    # (2) every reading weighed again with the channel adapted to the document's misreadings
    acts = bytearray(len(weighed))  # 1: a place where a decision is to be made
    again: dict[tuple, tuple | None] = {}  # the weighings with adapted candidates, for passes (2) and (3)
    mended: dict[int, str] = {}
    misreads = 0  # the places of sure non-word misreadings: how often this document misreads a word
    likely = 0  # ... and of non-words another word is likelier than not (_clean_print: the rest may be the print's)
    for n, i, verdict, post in _final_weighings(weighed, flags, memo, wt, st, evidence, *_kept(weighings, again)):
        if post is None:
            acts[n] = 1
            continue
        best, p = post[0][0]
        if verdict[4] == ASK:  # a doubt only: no evidence of the document's misreadings, nor a mended neighbour
            acts[n] = best != ""
            continue
        likely += verdict[0] == "nonword" and best != "" and p >= 0.5
        if best and p >= st.mend_posterior and " " not in best and len(mended) < REPAIRED_MOST:
            mended[i] = best
        evidence.place(verdict[1], best or None, p >= SURE)
        if p >= SURE and best and verdict[0] == "nonword":  # a sure misreading
            misreads += 1
            if " " not in best and len(wt.repaired) < REPAIRED_MOST:
                wt.repaired.setdefault(wt.lows[i], best)  # a garbled neighbour's sure reading, for the context
        acts[n] = best != "" or verdict[0] == "nonword"  # else a real word kept: nothing to decide
    # (3) the decisions, with what the whole witness says of each reading, and each neighbour read as its
    # likeliest reading: a real word kept beside one is weighed again
    wt.mended = mended
    wt.doubt = _realword_prior(misreads, words, st)
    if mended:
        for n, i in enumerate(weighed):
            if not acts[n] and (i - 1 in mended or i + 1 in mended):
                acts[n] = 1
    for _n, i, verdict, post in _final_weighings(weighed, flags, memo, wt, st, evidence, *_kept(weighings, again),
                                                 acts):
        _decide(i, wt.tokens[i], verdict, post, wt, st, ctx, evidence, edits, queries)
    # what only the weighings read goes before the last steps (spaces, stretches) add their own
    del weighed, flags, acts, weighings, again, memo, evidence
    wt.realword.clear()
    if ctx.language == "en":
        cased = _capitals(wt, st, ctx, edits, queries)
        queries.extend(q for q in _punctuation(text) if q.start not in cased)
        _lone_digits(wt, st, edits, queries)
    _lone_marks(wt, st, edits, queries)
    _lookalike_words(text, edits)
    queries = list(queries)
    _spaces(edits, queries, fixes, asks)
    _stretches(wt, queries, found)
    if ctx.language == "en" and st.garble:
        _garbled(wt, st, ctx, edits, queries)
    if ctx.language in st.clean_print_languages:
        edits = _clean_print(edits, queries, words, wt.nonwords() - likely, text, st)
    # the queries expected to flag the most misread words (correct/budget.py), doubts close together one
    if st.merge_gap >= 0:
        queries = value.keep(queries, limit, text, st.merge_gap, st.merge_words, _whole(text),
                             st.merge_dense, paragraph=st.merge_paragraph, edits=edits)
    else:
        queries = value.keep([q for q in queries if type(q) is not _Stub], limit)
    for q in queries:
        if type(q.reason) is _Why or type(q.reason) is _Garbled:
            q.reason = str(q.reason)
    wt.release()
    return StageResult(edits, queries)


def _clean_print(edits: list, queries: list, words: int, unknown: int, text: str, st: Settings) -> list:
    """The automatic fixes, or none where the print is too clean for them: then each fix of [detect]
    clean_print_rules is a query with the fix as its suggestion. Proofread text gets fixes too: of its words the
    lexicon lacks, no likelier word near (`unknown`: rare words, names, dialect, old forms), about [detect]
    clean_print_unknown_rate are "fixed" ("rayther", "slipt", "mattrass"), and at most about
    clean_print_false_rate of all its words. Where the fixes are so few that those would be more than
    1 - clean_print_precision of them, they are as likely the print's words as its misreadings (the
    calibration's precision was measured on the dev sets' OCR, where misreadings are many). A noisy page's
    garbles no word is near count as its own words here: the rate per word bounds them. Counted over the whole
    witness: its own evidence."""
    rate = st.clean_print_false_rate
    if rate <= 0 or not edits:
        return edits
    rules = set(st.clean_print_rules)
    fixes = [e for e in edits if e.rule in rules]
    false = rate * words
    if st.clean_print_unknown_rate > 0:
        false = min(false, st.clean_print_unknown_rate * max(0.0, unknown))
    if not fixes or len(fixes) * (1.0 - st.clean_print_precision) >= false:
        return edits
    why = (f"not changed: {len(fixes)} fixes in {words} words are too few to trust, where a print this clean "
           f"gets about {false:.1f} false ones from its own rare words")
    for e in fixes:
        queries.append(Query(e.start, e.end, text[e.start:e.end], [e.after], e.confidence, f"{e.note}; {why}",
                             rule=e.rule))
    return [e for e in edits if e.rule not in rules]


# detect keeps only the queries the budget may keep (_Bounded); False: every query (the tests compare)
BOUNDED = True
# a weighing made in one pass is taken up by the next; False: each pass weighs anew (the tests compare)
REWEIGH_ONCE = True


# the learned confusions of a printed group a non-word's habit words may take one of (its cheapest)
HABIT_LEARNED = 6


def _habit_misreadings(wt: _Witness, st: Settings, habits: dict[str, tuple[str, ...]]) -> bool:
    """`_own_misreadings` where the document's habits (DocumentEvidence.habits) make the other word: a repeated
    word the OCR model makes likelier a misreading of another by a confusion the document's sure non-word fixes
    share is no evidence for itself, however rarely the witness prints that word ("tho" 20 times beside 3 "the"
    in a page that prints "wero", "aro", "hore": its "tho" is the scan's habit, not the writer's). The context
    model is made again without them; whether there were any."""
    foreign = set(wt.foreign)
    more = _repeated_misreadings(wt.vocab, wt.lex, wt.model, st,
                                 lambda low, n, w: low not in foreign
                                 and all(m in habits.get(p, ()) for m, p in confusions(low, w)))
    if more:
        wt.hear([*wt.foreign, *more])
    return bool(more)


def _habit_readings(wt: _Witness, st: Settings, ctx: Context, memo: dict, evidence: DocumentEvidence,
                    habits: dict[str, tuple[str, ...]], weighed: array, flags: bytearray,
                    first: dict) -> tuple[array, bytearray]:
    """The readings weighed with the words the document's habits make of them (DocumentEvidence.habits: a
    confusion its sure non-word fixes share, "o" printed for "e" in "tho", "wero", "aro"): a real word no learned
    confusion made another word of ("thoro": "there"; "fcr": "for" where the print shows "c" for "o"), or a
    reading whose candidates lacked them. Priced by the model's channel, which the second weighing adapts to the
    document like any other candidate's, and kept where that costs at most [detect] max_cost and, for a real word,
    where the word is not far less likely than the reading before context ([detect] realword_prune). The
    weighed token indexes and flags, with the new readings' places."""
    if not habits:
        return weighed, flags
    lex, t = wt.lex, wt.tokens
    index = word_index(lex)
    words = index.words
    learned = {p: tuple(m for m, k in v[:HABIT_LEARNED] if m.isalpha() and k <= st.max_cost)
               for p, v in wt.model.small_for.items() if p.isalpha()}
    auth = ctx.resources.authority
    longest = {True: max(map(len, habits), default=0),
               False: max(max(map(len, habits), default=0), max(map(len, learned), default=0))}
    printed_habit = re.compile("|".join(map(re.escape, sorted(habits, key=len, reverse=True)))).search
    more: dict[str, dict[str, float]] = {}  # form -> its habit words not yet weighed, with their adapted costs
    for w in t.forms:
        if _skip(w):
            continue
        suffix = w[-2:] if w.endswith(("'s", "’s")) else ""
        base = w[:-2] if suffix else w
        if not base.isalpha() or _camel(base) or auth.known(base) or auth.known(w):
            continue
        low = base.lower()
        if low in wt.old or (wt.old and _is_old(base, lex)):
            continue  # an old spelling of a witness spelt the old way ("hee"), as _judge leaves it
        real = wt.knows(low)
        if real and not printed_habit(low):
            continue  # no habit's printed letters in it: a real word no habit makes another of (most of them)
        # a non-word, whose every reading is some misreading: one learned confusion besides the habits
        found = habit_words(low, habits, words, learned=None if real else learned, prefixes=index.prefixes,
                            longest=longest[real])
        if not found:
            continue
        floor = st.realword_min_zipf if real else st.suggest_zipf
        found = {v: wt.model.channel(low, v) for v in found if lex.zipf(v) >= floor}
        if not found:
            continue
        z = lex.zipf(low)
        adapted = evidence.adapt(base, found)
        keep = {v: c for v, c in adapted.items() if c <= st.max_cost
                and (not real or st.realword_prune is None or lex.zipf(v) - c - z >= -st.realword_prune)}
        if keep:
            more[w] = {v: found[v] for v in keep}
    if not more:
        return weighed, flags
    forms, ids, starts = t.forms, t.ids, t.starts
    changed: set[tuple] = set()
    new: dict[tuple, tuple | None] = {}  # key -> its verdict with the habit words (None: left as it was)
    extra = array("i")
    mark = bytearray(len(ids))
    for i in weighed:
        mark[i] = 1
    wanted = bytes(forms[k] in more for k in range(len(forms)))
    for i in compress(range(len(ids)), map(wanted.__getitem__, ids)):
        w = forms[ids[i]]
        initial = w[:1].isupper() and _initial(wt.text, starts[i])
        key = (w, initial)
        if key not in new:
            new[key] = None
            verdict = memo.get(key)
            add = more[w]
            if verdict is None:
                base = w[:-2] if w.endswith(("'s", "’s")) else w
                # a real word none of whose learned confusions made a word: weighed with the habit's words, never
                # a capital inside a sentence (a name, as far as the document says)
                if wt.knows(base.lower()) and len(base) >= 2 and not (base[:1].isupper() and not initial):
                    new[key] = ("realword", base, w[len(base):], dict(add), False, wt.lex.zipf(base))
            elif len(verdict) == 6 and verdict[0] in ("nonword", "realword") and verdict[4] != ASK:
                kind, base, suffix, cands, protected, z = verdict
                plus = {v: c for v, c in add.items() if v not in cands}
                if plus:
                    if kind == "nonword" and not cands:  # (_judge protects a non-word with no candidate)
                        capital = base[:1].isupper() and not initial
                        protected = True if capital and wt.capitalised.get(base, 0) >= 2 else CAPITAL if capital \
                            else False
                    new[key] = (kind, base, suffix, {**cands, **plus}, protected, z)
            if new[key] is not None:
                memo[key] = new[key]
                changed.add(key)
        if new[key] is not None and not mark[i]:
            if latin.in_phrase(i, wt.tokens.low, wt.linked, len(starts)):
                continue
            extra.append(i)
    if not changed:
        return weighed, flags
    for k in [k for k in first if k[0] in changed]:
        del first[k]  # weighed with the candidates before the habit words
    merged, merged_flags = array("i"), bytearray()
    a = b = 0
    while a < len(weighed) or b < len(extra):
        if b >= len(extra) or (a < len(weighed) and weighed[a] < extra[b]):
            i, f = weighed[a], flags[a]
            initial = bool(f & 1)
            a += 1
        else:
            i = extra[b]
            b += 1
            w = forms[ids[i]]
            initial = w[:1].isupper() and _initial(wt.text, starts[i])
        if (forms[ids[i]], initial) in changed:
            f = initial  # weighed again: not kept unweighed
        merged.append(i)
        merged_flags.append(f)
    return merged, merged_flags


def _kept(*weighings: dict) -> tuple[dict, ...]:
    """The weighings a pass may take up from the passes before it (fresh ones: REWEIGH_ONCE False)."""
    return weighings if REWEIGH_ONCE else tuple({} for _ in weighings)


class _Stub:
    """A query the budget will not keep alone, without its text (the witness's): the last steps
    (spaces, stretches) still see that a query covers this text, and the budget may join it with
    doubts close to it ([detect] merge_gap), or keep it whole again when doubts better than it
    are joined (`_whole`)."""

    __slots__ = ("start", "end", "rule", "score", "suggestions", "reason")

    def __init__(self, start: int, end: int, rule: str = "", score: float = 0.0, suggestions=(), reason=""):
        self.start, self.end, self.rule, self.score, self.suggestions = start, end, rule, score, suggestions
        self.reason = reason


def _whole(text: str) -> Callable:
    """The query a stub stands for, on `text` (a query: itself)."""
    def whole(q):
        return q if type(q) is not _Stub else Query(q.start, q.end, text[q.start:q.end], list(q.suggestions), q.score,
                                                    q.reason, q.rule)
    return whole


class _Bounded:
    """The queries of one witness while detecting, a list that keeps whole only those the
    budget may keep: of the queries no later step takes away (`at_risk` false), the `size` best
    by the budget's ranking (ties: the earlier); the others become _Stubs. A stub has `size`
    better queries that all stay, so it is never among the budget's `size - 1`: the budget keeps
    from this list what it keeps from the whole one (tests/test_properties.py). A 30 MB witness
    has about 150,000 queries at some 500 bytes each, and keeps a third of them. When doubts close
    together are one query ([detect] merge_gap), better doubts joined may leave room for a stub:
    it keeps all but its text (the witness's), so the budget joins it or makes it whole again."""

    def __init__(self, size: int, value: budget.QueryValue, at_risk: Callable[[Query], bool] | None):
        self.size, self.value, self.at_risk = size, value, at_risk
        self.items: list = []  # every query in order, as it is or as its stub
        self.heap: list[tuple] = []  # (the budget's rank negated, -place) of the kept ones at no risk: worst first

    def append(self, q: Query) -> None:
        n = len(self.items)
        self.items.append(q)
        if self.at_risk is not None and self.at_risk(q):
            return
        r = self.value.rank(q)
        entry = (-r[0], -r[1], -r[2], -r[3], -n)
        if len(self.heap) < self.size:
            heapq.heappush(self.heap, entry)
            return
        k = -heapq.heappushpop(self.heap, entry)[4]
        gone = self.items[k]
        self.items[k] = _Stub(gone.start, gone.end, gone.rule, gone.score, gone.suggestions, gone.reason)

    def extend(self, queries) -> None:
        for q in queries:
            self.append(q)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _at_risk(fixes: list, asks: list, found: list) -> Callable[[Query], bool] | None:
    """Whether a later step may take a query away: a space fix on its text (_spaces), a weighed
    space on the words of a split word's query (ditto), a damaged stretch it starts in (_stretches).
    (A query near a span is counted at risk too: it is then only kept whole.)"""
    spans = sorted([(s.start, s.end) for s, _ in fixes] + [(s.start, s.end) for s in found])
    split = {(s.start, s.end) for s, _ in asks}
    if not spans and not split:
        return None
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))  # the furthest end of the spans so far

    def at_risk(q: Query) -> bool:
        k = bisect.bisect_right(starts, q.end)
        return (k > 0 and reach[k - 1] > q.start) or (q.rule == "detect.split" and (q.start, q.end) in split)
    return at_risk


def _final_weighings(weighed, flags, memo: dict, wt: _Witness, st: Settings, evidence: DocumentEvidence,
                     first: dict, again: dict, only: bytearray | None = None):
    """(n, token index, verdict, weighing with the channel adapted to the document) of each weighed
    reading (`only`: of those flagged). A real word the first weighing kept, whose candidates the
    document does not change, is kept again unweighed. A weighing depends on the reading, its
    neighbours and its candidates only (the adapted ones do not change after the first pass), so
    one is made once: `first` holds the first pass's (candidates unchanged), `again` those with
    adapted candidates, both for the window at hand only (emptied when it changes)."""
    forms, ids = wt.tokens.forms, wt.tokens.ids
    mended = wt.mended  # (set before a pass: not changed while it runs)
    window = 0
    # each verdict adapted once in a window (the document's misreadings do not change after the first pass,
    # and evidence.adapt remembers its answers for the window: the same answer)
    adapted_of: dict[tuple, tuple] = {}
    if len(wt.tokens) > WINDOW:  # the last window's weighings: of no use from the first one on
        first.clear()
        again.clear()
    for n, i in enumerate(weighed):
        if only is not None and not only[n]:
            continue
        if i // WINDOW != window:
            window = i // WINDOW
            first.clear()
            again.clear()
            evidence.forget_adapted()
            adapted_of.clear()
        key = (forms[ids[i]], bool(flags[n] & 1))
        verdict = memo[key]
        adapted = adapted_of.get(key)
        if adapted is None:
            adapted = adapted_of[key] = _adapted(verdict, evidence)
        near = wt.neighbours(i)
        sides = wt.sides(i, near) if mended else near
        if flags[n] & 2 and adapted is verdict and sides == near:
            yield n, i, verdict, (*KEPT, verdict[3])
            continue
        done = first if adapted is verdict else again
        near = (key, *sides)
        post = done.get(near, done)
        if post is done:
            post = done[near] = _weigh(i, adapted, wt, st, sides)
        yield n, i, verdict, post


def _worth_judging(wt: _Witness, memo: dict, names, ctx: Context, st: Settings) -> array:
    """The tokens whose form may be more than a word to leave, in order. A form in lower case
    is judged once here for all its places (most are plain words: "the", "which"); a capitalised
    one is judged at each place, since a sentence start matters to it, unless it is a word left alone
    at both ("The", "London": the same process memo as the lower-case forms'). (4 bytes a token.)"""
    plain = bytearray(len(wt.tokens.forms))  # 1: a form left alone wherever it stands
    held = _plain_held(wt, ctx, st)
    everywhere, judged = held[1], held[4]  # judged: the frequent forms to judge in each witness
    zipf, frequent = wt.lex.zipf, st.known_zipf
    vocab, known = wt.vocab, st.witness_known
    for k, w in enumerate(wt.tokens.forms):
        if _skip(w):
            plain[k] = 1
            continue
        # whether _judge leaves the form alone in every witness (or every one that uses none of e often), asked
        # before it is judged here: most forms new to the memo are words ("the", "which"), whose judgement in this
        # witness is None then. A capitalised form so is None both at a sentence start and inside one (a frequent
        # word whose confusions and lost letters make no word the witness may read, capital or not): "The", "It",
        # "London" were judged again at their places in every witness
        e = everywhere.get(w)
        if e is None and w not in judged:
            e = _plain_everywhere(w, wt, ctx, st)
            if e:
                if len(everywhere) >= PLAIN_MAX:
                    everywhere.clear()
                everywhere[w] = e
            elif zipf(w) >= frequent:  # a frequent word some confusion makes another of ("to": "so"), asked once
                if len(judged) >= PLAIN_MAX:
                    judged.clear()
                judged.add(w)
            # (the other forms _plain_everywhere says False of are not kept: most are a noisy text's rare garbles,
            # told at once by the lexicon)
        if e is True or (e and not any(vocab.get(v, 0) >= known for v in e)):
            plain[k] = 1
        elif not w[:1].isupper():  # (a capitalised one is judged at each place)
            verdict = memo[(w, False)] = _judge(w, False, wt, names, ctx, st)
            plain[k] = verdict is None
    _keep_plain(wt, ctx, st)
    worth = plain.translate(bytes([1, 0]) + bytes(254))  # 1: a form to judge at its places
    return array("i", compress(range(len(wt.tokens.ids)), map(worth.__getitem__, wt.tokens.ids)))


# the forms judged in this process, per authority, lexicon, model and settings: True for one
# _judge leaves alone in every witness (most words of every text: "the", "which"); a tuple of words
# for one it leaves alone in every witness that uses none of them `witness_known` times (the others
# are judged in each witness). Emptied when this full (about 100 bytes a form). Kept from one run
# to the next in the project (`_plain_memo`): a new process judged every common word of its first
# witness again (the Russian original's ~0.15 s, Lenin's and the Dreadnought's ~0.05-0.1 s each).
PLAIN_MAX = 100_000
# key -> [the objects, the forms, their memo (or None), the forms' count when kept, the frequent forms it says
# False of (a set: in this process only)]
_PLAIN: dict[tuple, list] = {}


def _plain_held(wt: _Witness, ctx: Context, st: Settings) -> list:
    auth = ctx.resources.authority
    key = (id(auth), id(wt.lex), id(wt.model), st.known_zipf, st.realword_min_zipf, st.max_cost, st.realword_prune)
    held = _PLAIN.get(key)
    if held is None:
        if len(_PLAIN) >= 8:
            _PLAIN.clear()
        memo = _plain_memo(ctx, st, wt.lex.language)
        forms = _valid_plain(memo.data) if memo is not None else {}
        # the objects themselves are held with their forms: an id is not reused while they live
        held = _PLAIN[key] = [(auth, wt.lex, wt.model), forms, memo, len(forms), set()]
    return held


def _plain_memo(ctx: Context, st: Settings, language: str):
    """The project's memo of the plain forms (pipeline.cache.WordMemo: `.edition-cache/detect/plain-<language>.marshal`,
    read by `--force` runs too), for the same code, word lists and libraries (the memo's key), and the same
    model, name authority and settings (its salt); None for a plain file (`edition clean FILE`)."""
    if ctx.witness.origin == "file":
        return None
    from pathlib import Path
    from pipeline.cache import WordMemo, file_digest
    from pipeline.correct import model as ocr
    res = ctx.resources
    salt = (language, file_digest(Path(ocr.MODEL_FILE)), file_digest(res.data_root / "rules" / "names.toml"),
            repr((st.known_zipf, st.realword_min_zipf, st.max_cost, st.realword_prune)))
    return WordMemo(Path(res.root), "detect", f"plain-{language}", salt)


def _valid_plain(data: dict) -> dict[str, bool | tuple[str, ...]]:
    """The memo's forms, if each is a form and True or a tuple of words ({} otherwise: made again)."""
    if len(data) > PLAIN_MAX or not all(type(k) is str and (v is True or (type(v) is tuple and all(
            type(x) is str for x in v))) for k, v in data.items()):
        return {}
    return dict(data)


def _keep_plain(wt: _Witness, ctx: Context, st: Settings) -> None:
    """Write the plain forms to the project's memo if this witness added some (another process may
    write its own meanwhile: whichever comes last is read next; every one gives the same verdicts)."""
    held = _plain_held(wt, ctx, st)
    forms, memo = held[1], held[2]
    if memo is not None and len(forms) != held[3]:
        memo.save(forms)
        held[3] = len(forms)


def _plain_everywhere(w: str, wt: _Witness, ctx: Context, st: Settings) -> bool | tuple[str, ...]:
    """Whether _judge leaves this form alone whatever the witness (its vocabulary, old spellings, names) and,
    for a capitalised one, wherever it stands (at a sentence start or not): True for a form of the authority,
    or a frequent word (not camel-cased) that is a single letter or that no learned confusion or lost letter
    turns into a frequent word; for a frequent word whose confusions are all unlikely before context, those
    words (a witness that uses one of them often weighs it: `realword_variants`); False for the others."""
    suffix = w[-2:] if w.endswith(("'s", "’s")) else ""
    base = w[:-2] if suffix else w
    auth = ctx.resources.authority
    if auth.known(base) or auth.known(w):
        return True
    if wt.lex.zipf(base) < st.known_zipf or _camel(base):
        return False
    if len(base) < 2:
        return True
    prune = st.realword_prune if wt.lex.language == "en" else None
    found = ()
    # the learned confusions' words, and where a witness has none of them, one lost letter's (_judge)
    for choices in (realword_choices, lost_letter_choices):
        more, likely = choices(base.lower(), wt.lex, wt.model, st.realword_min_zipf, st.max_cost, prune)
        if more and (likely is None or any(likely)):
            return False
        found += more
    if not found:
        return True
    return tuple(v for v, _ in found)


def _weigh(i: int, verdict, wt: _Witness, st: Settings, sides: tuple[str | None, str | None] | None = None):
    """The noisy channel's (posterior, association) of a reading's candidates in its place (None: none).
    `sides`: the neighbours the posterior reads (`_Witness.sides`), if the caller has them."""
    kind, base, _suffix, cands, _protected, _z = verdict
    if not cands:
        return None
    keep_p = None if kind == "realword" else 10 ** (st.nonword_zipf - 9.0)
    return (*wt.posterior(i, base.lower(), keep_p, cands, sides=sides), cands)


@lru_cache(maxsize=None)
def _rule(kind: str) -> str:
    """"detect.<kind>", one string for every edit and query of a kind (a witness has millions)."""
    return f"detect.{kind}"


def _adapted(verdict, evidence: DocumentEvidence):
    """The verdict with its candidates' channel costs adapted to the document's own misreadings."""
    kind, base, suffix, cands, protected, z = verdict
    adapted = evidence.adapt(base, cands)
    return verdict if adapted is cands else (kind, base, suffix, adapted, protected, z)


def _likeliest(verdict, weighed) -> tuple[str, float] | None:
    """The likeliest correction of a weighed reading and its posterior (None: the reading is likelier)."""
    post = weighed[0]
    best, p = post[0]
    if best == "":
        if verdict[0] != "nonword" or len(post) < 2:
            return None
        best, p = post[1]
    return best, p


def _learn(evidence: DocumentEvidence, verdict, weighed) -> None:
    """A weighed reading's likeliest single-word correction, for the document's misreadings."""
    if weighed is None:
        return
    best = _likeliest(verdict, weighed)
    if best is not None and " " not in best[0] and best[1] >= 0.5:
        evidence.add(verdict[1], recase(verdict[1], best[0]))
        if verdict[0] == "nonword" and best[1] >= SURE:
            evidence.add_sure(verdict[1], recase(verdict[1], best[0]))


def _decide(i: int, m, verdict, weighed, wt: _Witness, st: Settings, ctx: Context, evidence: DocumentEvidence,
            edits: list, queries: list) -> None:
    """Noisy-channel posterior of the reading's candidates in this place: fix, query or let be."""
    kind, base, suffix, cands, protected, z = verdict
    w = wt.tokens.forms[wt.tokens.ids[i]]  # m.group(), one string for all its places
    if weighed is None:
        queries.append(Query(m.start(), m.end(), w, [], 0.35, f"not in the {wt.lex.language} lexicon, the "
                             f"authority or the witness; no close word", rule="detect.nonword"))
        return
    post, assoc, cands = weighed
    best, p = post[0]
    if best == "":
        if kind != "nonword" or protected == ASK:  # (ASK: a dictionary's rare form, asked only where outranked)
            return
        best, p = post[1]  # a non-word likelier kept than changed: still the proofreader's to see
    # a capitalised word read for one the witness writes capitalised keeps its capital ("Hay": "Bay"), and so
    # does one at a sentence start ("Hie goods": "The", though a misread capital "H" is made small elsewhere);
    # not one read for a word the witness writes small inside its sentences ("Lhe": "the", its "The" there
    # a lost full stop's)
    if base[:1].isupper() and _initial(wt.text, m.start()):
        case = lambda h: _capital_form(base, h)  # noqa: E731
    elif protected == CAPITAL and kind == "realword":
        case = lambda h: _recased(base, h, wt, ctx) if _written_small(h, wt) else _capital_form(base, h)  # noqa: E731
    else:
        case = lambda h: _recased(base, h, wt, ctx)  # noqa: E731
    shown = [case(h) + suffix for h, _ in islice((x for x in post if x[0]), 3)]
    keep = dict(post).get("", 0.0)
    why = _Why(("rare" if kind == "nonword" and protected == ASK else kind, z, shown[0], p, keep))
    # automatic only where the evidence is of the right kind: no lost space (the print may have
    # had it: "asmuch"); a real word replaced in English only (its calibrated probability weighs how
    # much the neighbours, not mere frequency, speak for the other word: "foes" stays, "fees" is only
    # commoner), and only where they favour it by [detect] realword_context, if that is set
    x = calibrate.features(p, assoc[best] - assoc[""], cands.get(best, 0.0), wt.vocab.get(base.lower(), 0),
                           wt.vocab.get(best, 0), len(base), wt.lex.zipf(best), kind == "realword",
                           evidence.feature(base, recase(base, best)) if " " not in best else 0.0,
                           evidence.agreement(base, best, post[0] == (best, p) and p >= SURE),
                           next((q for h, q in post if h and h != best), 0.0), base, best, protected == CAPITAL,
                           wt.damage(), _sound_sides(i, wt),
                           evidence.sources(base, best) if " " not in best else 0, z, len(cands),
                           _repaired_context(i, base, best, kind, wt), keep,
                           _joined(wt.text, m.start(), m.start() + len(base)), _period_lead(i, base, best, kind, wt))
    score = calibrate.shared().probability(x) if st.calibrated else p
    bar = st.auto_threshold if kind == "nonword" else max(st.auto_threshold, st.auto_threshold_realword)
    if st.calibrated and st.rule_thresholds:
        bar = calibrate.shared().thresholds.get(_rule(kind), bar)
    # a name (True) is never changed automatically; a capitalised reading inside a sentence (CAPITAL)
    # may be: its candidates are the words the witness writes capitalised (_judge), or it is a
    # non-word the witness uses nowhere else
    auto = (st.auto and score >= bar and p >= st.auto_min_posterior and protected not in (True, ASK)
            and len(base) >= st.auto_min_length
            and " " not in best and not any(c.isdigit() for c in base + best)
            and (kind == "nonword" or (ctx.language == "en" and assoc[best] - assoc[""] >= st.realword_context))
            and not _piece_of_word(wt, m.start(), m.start() + len(base), best))
    own = _prints_own(base, best, cands.get(best, 0.0), wt, st) if auto else None
    if own is not None:  # the print's own word: never changed silently, asked with the fix first
        queries.append(Query(m.start(), m.end(), w, shown,
                             round(score, 3), f"{why}; not changed: {own}", rule=_rule(kind)))
        return
    if DECISIONS is not None:
        DECISIONS.append((m.start(), base, kind, best, p, score, auto, protected, bar, post))
    if auto:
        after = case(best)
        if TRACE is not None:
            TRACE.append((m.start(), after, x))
        edits.append(Edit(m.start(), m.start() + len(base), after, _rule(kind), "auto", round(score, 3), why))
    elif kind == "nonword" or _doubted(p, keep, wt.doubt) >= st.query_threshold_realword \
            or (p >= 0.5 and _witness_says(i, best, wt)):
        # its score: the calibrated probability, which tells a misreading from a sound word better than the
        # raw posterior (pipeline/correct/budget.py ranks the queries by it)
        foreign = _foreign_beside(i, wt) if kind == "nonword" else None
        if foreign is not None:  # no word of this language suggested
            why = (f"not in the {wt.lex.language} lexicon, the authority or the witness; beside {foreign!r}, "
                   f"a word of another language, as it most likely is too")
            shown = []
        queries.append(Query(m.start(), m.end(), w, shown, round(score, 3), why, rule=_rule(kind)))


def _period_lead(i: int, base: str, best: str, kind: str, wt: _Witness) -> tuple[float, float]:
    """How far the period corpus puts the correction `best` ahead of reading `base` (token i) between the
    printed neighbours it is linked to, two a side (pipeline/correct/period.py `lead`): a real word's
    one-word correction in English only. (Two words weighed against each other in their company is what the
    corpus tells apart; a non-word has no n-gram of it, and how common its correction is there the modern
    bigram list already says: on the calibration run's corrections the lead added nothing to tell right non-word
    fixes from wrong ones, and held out, fitted on them, it let ICDAR's second fold's non-word fixes fall to 97 %.)"""
    if kind != "realword" or wt.lex.language != "en" or " " in best:
        return 0.0, 0.0
    t, linked = wt.tokens, wt.linked
    p1, n1 = wt.neighbours(i)
    p2 = t.low(i - 2) if p1 is not None and i > 1 and linked[i - 2] else None
    n2 = t.low(i + 2) if n1 is not None and i + 2 < len(t.starts) and linked[i + 1] else None
    return period.lead(period.ngrams(), p2, p1, fold(base), fold(best), n1, n2)


FOREIGN_MIN = 5  # the letters of a word that `_foreign_beside` takes for another language's
# a print this sound (its share of non-words, _Witness.damage: one word in 200) is a proofread transcription
# more than an OCR (the corpus's transcriptions: 0-0.3 %; the dev sets' OCR: 0.7-31 %): a word in it with no
# word near is another language's far more often than a garble
SOUND_PRINT = 0.005


def _foreign_beside(i: int, wt: _Witness) -> str | None:
    """In a sound print (SOUND_PRINT), a neighbour of non-word i, in its phrase, that is a word of another
    language: at least FOREIGN_MIN small letters, no word the lexicon or the witness knows, and no word of
    the language near it (no candidate, not even two confusions away). The non-word beside it is most likely
    of that language too (a romanised Russian title: "konferentsi i plenumov TsK"), and what the OCR model
    makes of it in this language ("Ask", "Task") no reading of it. (In a damaged print such a neighbour is
    a garble far more often: "an onornioua cxtont".)"""
    if wt.damage() > SOUND_PRINT:
        return None
    for low in wt.neighbours(i):
        if low is not None and len(low) >= FOREIGN_MIN and low.isalpha() and low.islower() \
                and not wt.knows(low) and not wt.candidates(low):
            return low
    return None


class _Why(tuple):
    """The reason of a noisy-channel query or the note of its correction, written out (str) only
    for the queries the budget keeps and the corrections applied (model.Edit): a long witness has
    several times more queries than it keeps, and the text is most of a query's memory."""

    __slots__ = ()

    def __str__(self) -> str:
        kind, z, shown, p, keep = self
        how = ("a rare form (in the dictionary, not the word list)" if kind == "rare" else "a non-word"
               if kind == "nonword" else f"a word (zipf {z:.1f}) unlikely here")
        return (f"{how}; {shown!r} is likelier from the OCR error model and the context "
                f"(P {p:.3f}, reading as printed {keep:.3f})")


def _space_hypotheses(wt: _Witness, st: Settings) -> tuple[list, list]:
    """(automatic fixes, queries) of pipeline/correct/spaces.py: a word split in two ("re ceived")
    or two run together ("ofthe"); each as (Space, reason)."""
    found = spaces.Spaces(wt.text, wt.tokens.starts, wt.tokens.ends, wt.lows, wt.linked, wt.vocab, wt.context,
                          wt.lex, wt.model, st.known_zipf, st.witness_known,
                          lambda w: w in wt.old or _is_old(w, wt.lex), wt.candidates,
                          PREFIXES.get(wt.lex.language, frozenset())).find()
    return spaces.decide(found, st.auto_threshold_space, st.query_threshold_space, st.auto)


def _spaces(edits: list, queries: list, fixes: list, asks: list) -> None:
    """The space hypotheses (_space_hypotheses) among the other corrections and queries.
    An automatic fix supersedes the queries on its text; a query is added where no other is (but
    replaces the plain one of _split_word)."""
    taken = sorted((e.start, e.end) for e in edits)
    for s, why in fixes:
        k = bisect.bisect_left(taken, (s.end,))
        if k and taken[k - 1][1] > s.start:
            continue  # another correction is made here
        edits.append(Edit(s.start, s.end, s.meant, _rule(s.kind), "auto", round(s.posterior, 4), why))
        queries[:] = [q for q in queries if q.end <= s.start or q.start >= s.end]
    # a weighed space takes the place of _split_word's plain query on the same words
    weighed = {(s.start, s.end) for s, _ in asks}
    queries[:] = [q for q in queries if q.rule != "detect.split" or (q.start, q.end) not in weighed]
    asked = sorted([(q.start, q.end) for q in queries] + taken)
    for s, why in asks:
        k = bisect.bisect_left(asked, (s.end,))
        if k and asked[k - 1][1] > s.start:
            continue
        score = spaces.JOIN_QUERY if s.kind == "split" else s.posterior
        queries.append(Query(s.start, s.end, s.reading, [s.meant], round(score, 3), why, rule=_rule(s.kind)))


def _damaged(wt: _Witness, st: Settings, ctx: Context) -> list:
    """The garbled stretches of the witness ("NoiniiUMLLiti BmsiiAKB VALVBOF"): pipeline/correct/stretches.py."""
    suspect = _suspect(wt, st, ctx)
    vocab = wt.vocab
    # a lower-case form the lexicon or the witness knows is a word: only the others are asked about
    # (a capital inside such a word, "aU", is then not seen: detect weighs it on its own)
    maybe = {low for low in _unknown(wt, st) if vocab[low] < st.witness_known}
    return stretches.find(wt.text, wt.tokens.starts, wt.tokens.ends, wt.lows, suspect, st.stretch_gap,
                          st.stretch_min_suspects, st.stretch_min_density, maybe)


def _own_misreadings(vocab: Counter, lex: Lexicon, model: OcrModel, st: Settings) -> list[str]:
    """The witness's repeated words whose own count is no evidence of themselves: a form the OCR model makes
    likelier, before context, a misreading of another word than a word of its own (one learned confusion:
    `realword_variants`' margin above 0: "tho" for "the", "aud" for "and") where the witness itself prints
    that word at least as often. Its repetition is the scan's habit, not the writer's: counted, it vouched
    for itself in the context model (its count and its pairs: "tho" 205 times in the Overproof dev pages, "aud"
    86 in ICDAR's), so the channel kept it where the neighbours did not speak loudly against it. It is then weighed as any listed word is (accents.misread's rule, for a misread letter rather than a mark)."""
    return _repeated_misreadings(vocab, lex, model, st, lambda low, n, w: vocab.get(w, 0) >= n)


def _repeated_misreadings(vocab, lex: Lexicon, model: OcrModel, st: Settings,
                          misread: Callable[[str, int, str], bool]) -> list[str]:
    """The witness's repeated words (printed n >= 2 times) the OCR model makes likelier, before context, a
    misreading of another word w (one learned confusion, `realword_variants`' margin above 0) where
    `misread(word, n, w)` says so too (_own_misreadings, _habit_misreadings)."""
    out = []
    for low, n in vocab.items():
        if n < 2 or not low.isalpha() or not lex.at_least(low, st.known_zipf):
            continue
        for w, _cost, margin in realword_variants(low, lex, model, st.realword_min_zipf, st.max_cost):
            if margin > 0 and misread(low, n, w):
                out.append(low)
                break
    return out


def _unknown(wt: _Witness, st: Settings) -> set[str]:
    """The lower-case forms of the witness the lexicon does not know as words ([detect] known_zipf; with a
    mark or digit in them), found once (_damaged and _garbled ask)."""
    if wt.unknown is None:
        lex, known = wt.lex, st.known_zipf
        wt.unknown = {low for low in wt.vocab if not low.isalpha() or not lex.at_least(low, known)}
    return wt.unknown


def _suspect(wt: _Witness, st: Settings, ctx: Context) -> Callable[[str, str], bool]:
    """Whether a token (printed, lower-case) is no word: correct/stretches.py's suspect, remembered per
    printed form (kept on the witness: _damaged and _garbled ask it)."""
    if wt.suspect is not None:
        return wt.suspect
    auth, lex, vocab, memo = ctx.resources.authority, wt.lex, wt.vocab, {}
    listed = ctx.resources.words(ctx.witness)  # the project's word lists (rules/words/): words, not damage

    def suspect(printed: str, low: str) -> bool:
        v = memo.get(printed)
        if v is None:
            if len(low) < 2:
                v = False  # a lone letter: an initial, a list mark or a word ("a", "I")
            elif any(c.isdigit() for c in low):
                v = any(c.isalpha() for c in low) and not NUMBER.fullmatch(printed)
            elif _camel(printed):
                v = True
            else:
                v = (lex.zipf(low) < st.known_zipf and vocab.get(low, 0) < st.witness_known and printed not in listed
                     and not auth.known(printed) and low not in wt.old and not lex.derived(printed)
                     # a long word no edit brings near a word is a rare valid form, as in _judge
                     and (len(low) < 10 or bool(wt.candidates(printed))))
            memo[printed] = v
        return v
    wt.suspect = suspect
    return suspect


def _stretches(wt: _Witness, queries: list, found: list) -> None:
    """A garbled stretch (_damaged) is one query; it takes the place of the queries about its
    words (their suggestions are named in its reason)."""
    if not found:
        return
    queries.sort(key=lambda q: (q.start, q.end))
    starts = [q.start for q in queries]
    gone: set[int] = set()  # indexes of the queries a stretch takes the place of
    added = []
    for s in found:
        a, b = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
        if (a and queries[a - 1].end > s.start) or any(queries[k].end > s.end for k in range(a, b)):
            continue  # a query reaching out of the stretch: leave both as they are
        inner = queries[a:b]
        told = "; ".join(f"{q.text!r}: {q.suggestions[0]!r}" for q in inner if q.suggestions)
        why = (f"a damaged stretch: {len(s.suspects)} of its {s.tokens} words are no words "
               f"({', '.join(repr(x) for x in s.suspects[:6])}{', ...' if len(s.suspects) > 6 else ''}); "
               f"re-read it from the scan" + (f" (suggested: {told})" if told else ""))
        gone.update(range(a, b))
        added.append(Query(s.start, s.end, wt.text[s.start:s.end], [], round(s.density, 3), why,
                           rule="detect.stretch"))
    queries[:] = [q for k, q in enumerate(queries) if k not in gone] + added


def _acronym(w: str) -> bool:
    """A short form that starts with a capital and is at least half capitals: an acronym ("VTsSPS", "TsK")."""
    return len(w) <= 6 and w[:1].isupper() and 2 * sum(c.isupper() for c in w) >= len(w)


def _garbled(wt: _Witness, st: Settings, ctx: Context, edits: list, queries: list) -> None:
    """The garbled places no query or fix of detect covers (correct/garble.py), each a query."""
    starts, ends, n = wt.tokens.starts, wt.tokens.ends, len(wt.tokens)
    covered = bytearray(n)  # 1: a doubt or fix of detect on the token; 2: only a name's or a capital's doubt
    for x in chain(queries, edits):
        k = bisect.bisect_right(starts, x.start) - 1
        if k < 0 or ends[k] <= x.start:
            k += 1
        weak = 2 if getattr(x, "rule", "") in ("detect.name", "detect.punct", "detect.case") else 1
        while k < n and starts[k] < max(x.end, x.start + 1):
            covered[k] = weak if covered[k] in (0, 2) else 1
            k += 1
    named = bytearray(c == 2 for c in covered)
    suspect, forms, ids = _suspect(wt, st, ctx), wt.tokens.forms, wt.tokens.ids
    low_of = [wt.tokens.low_forms[k] for k in wt.tokens.form_low]  # each form's lower-case form
    unknown = _unknown(wt, st)
    odd_of: dict[int, bool] = {}

    def odd_form(k: int) -> bool:
        f = ids[k]
        v = odd_of.get(f)
        if v is None:
            printed = forms[f]
            # (an acronym is no garble: "VKP", as _skip has it, or a capital and half its letters capitals, "VTsSPS")
            v = odd_of[f] = not _skip(printed) and not _acronym(printed) and suspect(printed, low_of[f])
        return v
    # the tokens worth asking about: a small letter alone, a form the lexicon does not know, a capital inside one
    one = garble.one_letter_words(ctx.language) or frozenset()
    # the figures the OCR model has learned as a one-letter word's misreading ("1": "I"), where the text has them
    figures = frozenset(f for f in forms if len(f) == 1 and f in _NUMERALS
                        and any(w.lower() in one for w in _digit_words(f, wt)))
    ask = bytes(f.islower() and f not in one or f in figures if len(f) == 1 else low in unknown or _camel(f)
                for f, low in zip(forms, low_of))
    maybe = compress(range(n), map(ask.__getitem__, ids))
    # rare words: the lexicon knows them under the frequency a real-word correction must reach, the witness
    # does not use them often; doubted where damage is beside them
    lex, vocab, known, common = wt.lex, wt.vocab, st.witness_known, st.realword_min_zipf
    rare_of: dict[int, bool] = {}

    def rare(k: int) -> bool:
        f = ids[k]
        v = rare_of.get(f)
        if v is None:
            w, low = forms[f], low_of[f]
            v = rare_of[f] = (len(w) > 1 and w.isalpha() and low not in unknown and not _camel(w)
                              and vocab[low] < known and not lex.at_least(low, common))
        return v
    # a doubt the budget may join with others is kept without its text (a _Stub: `keep` makes the kept ones
    # whole), its reason written out only if kept (_Garbled): a long witness has many more than it keeps
    stub = st.merge_gap >= 0
    for a, b, rule, score, what in garble.doubts(wt.text, starts, ends, ctx.language, odd_form, covered, maybe,
                                                 rare, named if any(named) else None, figures):
        if rule == garble.LETTER and _foreign_beside(bisect.bisect_right(starts, a) - 1, wt) is not None:
            continue  # a letter beside another language's word in a sound print is that language's ("K.P.S.S. v rezolutsiakh")
        offered: tuple = ()
        if rule == garble.FIGURE:  # the letter offered before a small letter ("1 look": "I"; "1 Who" is as often "!")
            k = bisect.bisect_right(starts, a)
            offered = tuple(_digit_words(what, wt)) if k < n and wt.text[starts[k]].islower() else ()
        why = _Garbled((rule, what if rule == garble.MARKS else
                        "".join(_digit_words(what, wt)) if rule == garble.FIGURE else "", score))
        queries.append(_Stub(a, b, rule, score, offered, why) if stub
                       else Query(a, b, wt.text[a:b], list(offered), score, why, rule=rule))


class _Garbled(tuple):
    """The reason of a garble doubt (correct/garble.py), written out (str) only for the queries kept."""

    __slots__ = ()

    def __str__(self) -> str:
        rule, marks, score = self
        why = ("a lone letter: no word, a word's piece or a misread mark" if rule == garble.LETTER
               else "no word, and no word near it in the lexicon" if rule == garble.FORM
               else "a rare word beside damaged ones" if rule == garble.RARE
               else f"a lone figure between words: a misread {marks!r} or a mark" if rule == garble.FIGURE
               else f"odd marks {marks.strip()!r} between two words")
        return why + f"; re-read it from the scan (damage around it: {score})"


# the confidence of a lone-digit fix; measured on the dev sets (benchmarks/correction.py, by rule): 0.997
# (624 of 626 right by the gold alignment; nothing is fitted, so every document is held out). Without
# the right neighbour's word (lone_digit_right) it was 894 of 914, 0.978: most of the wrong ones were
# a misread "!" ("alas 1 may now", "God 1 it shall") made into "I" before a word that does not follow "I"
DIGIT_CONFIDENCE = 0.99
# the numeral a lone digit reads as, to weigh "1 have" as "one have" against "I have"
_NUMERALS = {"0": "nought", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
             "6": "six", "7": "seven", "8": "eight", "9": "nine"}


def _capitals(wt: _Witness, st: Settings, ctx: Context, edits: list, queries) -> set[int]:
    """Capitals misread inside a sentence (correct/capitals.py): fixed where the document's evidence is
    enough and no other correction is made on the word, queried otherwise. The places it speaks of."""
    if st.case_max_cost <= 0:
        return set()
    t, model, auth = wt.tokens, wt.model, ctx.resources.authority
    found = capitals.find(wt.text, t.starts, t.ids, t.forms, wt.linked, wt.lex.zipf,
                          lambda w: auth.known(w), lambda c: model.cost.get((c, c.upper())),
                          lambda a: _initial(wt.text, a), st.case_max_cost, st.realword_min_zipf)
    if not found:
        return set()
    taken = {e.start for e in edits}
    places = set()
    for c in found:
        if c.start in taken:
            continue
        places.add(c.start)
        end = c.start + len(c.word)
        if c.auto and st.auto:
            edits.append(Edit(c.start, end, c.small, "detect.case", "auto", 0.98, c.why))
        else:
            # a word too short to be fixed ("In", "It") begins a sentence whose full stop was lost as often
            shown = [c.small] if c.long else [c.small, ". " + c.word]
            queries.append(Query(c.start, end, c.word, shown, 0.5, c.why, rule="detect.case"))
    return places


def _lone_digits(wt: _Witness, st: Settings, edits: list, queries: list) -> None:
    """A lone digit read for a one-letter word: "that 1 have", "1 am" for "I" (a scan's habit).

    The hypotheses are the numeral and each one-letter word of the language the OCR model
    confuses with the digit, in the witness's own casing of it ("I"); the margin is how much
    more the neighbours say for the word than for the numeral (log10). The document confirms
    the habit when at least `lone_digit_support` other places of the same digit clearly read as
    the same word (margin >= 1): then every place whose neighbours do not speak for a number
    (margin >= -1) and whose next word is no less likely after the word than anywhere is fixed; without
    that confirmation, or without the next word's, a place whose neighbours favour the word at all
    (margin >= 0: the word likelier than the number, as a real word is asked from posterior 0.5) is a query."""
    ctx = wt.context
    found = []  # (token index, digit, word, margin, right)
    for i in _places_of(wt, lambda f: f in _NUMERALS):  # a token that is one digit
        m, d = wt.tokens[i], wt.text[wt.tokens.starts[i]]
        prev, nxt = wt.neighbours(i)
        # before a capital the digit is as often a misread "!" ("his blessing 1 How far"); before
        # a single letter it numbers a list ("1 v."); glued to a mark it is no word of its own
        if nxt is None or len(nxt) < 2 or not wt.tokens[i + 1].group().islower() \
                or (prev is not None and not prev.isalpha()) or (m.start() and not wt.text[m.start() - 1].isspace()):
            continue
        number = ctx.score(prev, _NUMERALS[d], nxt) - math.log10(ctx.p_uni(_NUMERALS[d]))
        for w in _digit_words(d, wt):
            # (right: how much more likely the next word is after the word than anywhere, log10)
            right = math.log10(ctx.p_next(w.lower(), nxt)) - math.log10(ctx.p_uni(nxt))
            found.append((i, d, w, ctx.score(prev, w.lower(), nxt) - math.log10(ctx.p_uni(w.lower())) - number, right))
    clear = Counter((d, w) for _, d, w, margin, _ in found if margin >= 1.0)
    done = set()
    for i, d, w, margin, right in sorted(found, key=lambda f: -f[3]):
        if i in done:
            continue
        m = wt.tokens[i]
        support = clear[(d, w)] - (margin >= 1.0)
        why = (f"a digit read for the word {w!r}: its neighbours favour {w!r} over a number by {margin:.1f} (log10); "
               f"{support} other places of this document clearly read so")
        verdict = _lone_verdict(margin, right, support, st.lone_digit_margin, st)
        if verdict == "fix":
            done.add(i)
            edits.append(Edit(m.start(), m.end(), w, "detect.digit", "auto", DIGIT_CONFIDENCE, why))
        elif verdict == "ask":
            done.add(i)
            queries.append(Query(m.start(), m.end(), d, [w], round(min(0.9, 0.5 + margin / 10), 3), why,
                                 rule="detect.digit"))


def _lone_verdict(margin: float, right: float, support: int, bar: float, st: Settings) -> str | None:
    """What becomes of a lone digit or mark weighed as a one-letter word (`_lone_digits`, `_lone_marks`): "fix"
    where at least `lone_digit_support` other places of it clearly read so, its own neighbours favour the word
    by `bar` and the next word is at least as likely after it as anywhere (lone_digit_right); "ask" where its
    neighbours favour the word at all; else None."""
    if st.auto and DIGIT_CONFIDENCE >= st.auto_threshold and support >= st.lone_digit_support and margin >= bar \
            and right >= st.lone_digit_right:
        return "fix"
    return "ask" if margin >= 0.0 else None


def _lone_marks(wt: _Witness, st: Settings, edits: list, queries: list) -> None:
    """A lone mark read for a one-letter word: Tesseract's "and | have", "[ say", "} thought" for "I"
    (pipeline/data/characters.toml [mark-letter]: the marks, and the letter each is read for where that letter
    is a word of the text's language, zipf 5 at least). Weighed as `_lone_digits` weighs a digit, but against
    the mark as a stray speck: how much the neighbours say for the word (log10 of P(word | before) P(after |
    word) over P(word) P(after): "whenever | find" +3.0, "the | seaport" +0.8). Fixed where at least
    `lone_digit_support` other places of the same mark clearly read so (1 at least), the place's own neighbours
    clearly favour the word too (lone_mark_margin) and the next word is at least as likely after it as anywhere
    (lone_digit_right); asked where the neighbours favour the word at all; else left (a table's rule; and where
    three such marks stand within a printed line's length, a table's row, none is read)."""
    marks = {m: w for m, w in decode.MARK_LETTER.items() if m in wt.text and wt.lex.zipf(w.lower()) >= 5.0}
    if not marks:
        return
    ctx, t, text = wt.context, wt.tokens, wt.text
    lone = re.compile(rf"(?<!\S)[{re.escape(''.join(marks))}](?=[ \t]+[^\W\d_])")
    apart = re.compile(rf"(?<!\S)[{re.escape(''.join(marks))}](?!\S)")
    found = []  # (offset, mark, word, margin, right)
    for x in lone.finditer(text):
        if len(apart.findall(text, max(0, x.start() - 40), x.end() + 40)) >= 3:
            continue  # a table's row ("chicken | egg | glass of milk"): its marks are rules
        k = bisect.bisect_left(t.starts, x.end())  # the word after the mark
        if k >= len(t.starts) or text[x.end():t.starts[k]].strip():
            continue
        nxt = t[k].group()
        if len(nxt) < 2 or not nxt.islower():
            continue
        prev = None  # the word before, where only spaces part it from the mark (after a full stop: none)
        if k and not text[t[k - 1].end():x.start()].strip():
            prev = t.low(k - 1)
            if not prev.isalpha():
                continue
        w = marks[x.group()]
        low = w.lower()
        right = math.log10(ctx.p_next(low, nxt)) - math.log10(ctx.p_uni(nxt))
        left = math.log10(ctx.p_next(prev, low)) - math.log10(ctx.p_uni(low)) if prev else 0.0
        found.append((x.start(), x.group(), w, left + right, right))
    clear = Counter(mark for _, mark, _, margin, _ in found if margin >= 1.0)
    taken = {e.start for e in edits}
    for at, mark, w, margin, right in found:
        if at in taken:
            continue
        support = clear[mark] - (margin >= 1.0)
        why = (f"a mark read for the word {w!r}: its neighbours favour {w!r} there by {margin:.1f} (log10); "
               f"{support} other places of this document clearly read so")
        verdict = _lone_verdict(margin, right, support, st.lone_mark_margin, st)
        if verdict == "fix":
            edits.append(Edit(at, at + 1, w, "detect.mark", "auto", DIGIT_CONFIDENCE, why))
        elif verdict == "ask":
            queries.append(Query(at, at + 1, mark, [w], round(min(0.9, 0.5 + margin / 10), 3), why, rule="detect.mark"))


_WORD_OR_MARK = re.compile(r"[^\W\d_]+|[^\w\s]")
_LATIN_RUN = re.compile(r"[A-Za-z]+")
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff]+")


def _lookalike_words(text: str, edits: list) -> None:
    """What decode leaves of letters read in the other script, where the words either side decide (their
    reading is final here, after the layout): a lone letter between two words of the other script ("c"
    between Russian words: "с"; not an enumerator or an initial, "c)", "A."), and a word as much of one
    script as of the other ("oт" among Russian words: "от"), written in their script where each letter
    has its look-alike (pipeline/data/characters.toml [lookalike])."""
    if text.isascii() or not decode.has_cyrillic(text):
        return
    taken = {e.start for e in edits}
    # a lone letter of the text's lesser script (a Cyrillic letter is 2 bytes in UTF-8), or a word of both
    cyrillic = len(text.encode("utf-8")) - len(text) > len(text) // 4
    seen = -1
    for r in (_LATIN_RUN if cyrillic else _CYRILLIC_RUN).finditer(text):  # few: the lesser script's letters
        if r.start() < seen:
            continue
        # the tokens around it (a few either side: its neighbours past the marks)
        a, b = max(0, r.start() - 80), min(len(text), r.end() + 80)
        tokens = list(_WORD_OR_MARK.finditer(text, a, b))
        n = next((k for k, t in enumerate(tokens) if t.start() <= r.start() < t.end()), None)
        if n is not None:
            seen = tokens[n].end()
        if n is None or n == 0 or n == len(tokens) - 1:
            continue
        m = tokens[n]
        w = m.group()
        if not w[0].isalpha() or m.start() in taken:
            continue
        have = decode.scripts_of(w)
        if not (len(w) == 1 and len(have) == 1) and not (have == {"cyr", "lat"} and 2 * sum(c.isascii() for c in w) == len(w)):
            continue
        if len(w) == 1:
            before, after = tokens[n - 1].group(), tokens[n + 1].group()
            if not (before[0].isalpha() and after[0].isalpha()):
                continue  # "c)", "A.", "(a": a mark beside a lone letter
        else:  # the words either side, past the marks ("oт, как")
            before = next((t.group() for t in reversed(tokens[max(0, n - 3):n]) if t.group()[0].isalpha()), ".")
            after = next((t.group() for t in tokens[n + 1:n + 4] if t.group()[0].isalpha()), ".")
            if not (before[0].isalpha() and after[0].isalpha()):
                continue
        near = decode.scripts_of(before)
        if len(near) != 1 or near != decode.scripts_of(after) or (len(w) == 1 and near == have):
            continue
        for k, c in decode.respelt(w, "cyr" if near == {"cyr"} else "lat") or ():
            a = m.start() + k
            edits.append(Edit(a, a + 1, c, "detect.lookalike", "auto", 0.99,
                              f"{w!r} between {before!r} and {after!r}: {w[k]!r} is the look-alike of {c!r}"))


def _places_of(wt: _Witness, which):
    """The indexes of the tokens whose printed form `which` accepts, in order (each form asked once)."""
    mask = bytes(bool(which(f)) for f in wt.tokens.forms)
    return compress(range(len(wt.tokens.ids)), map(mask.__getitem__, wt.tokens.ids))


def _digit_words(d: str, wt: _Witness) -> list[str]:
    """The one-letter word of the language a digit is likeliest misread for ("1": "I"), in the
    witness's casing (the form it prints most often)."""
    cache = wt.digit_words
    if d not in cache:
        out = []
        if wt.one_letter is None:  # counted once for every digit
            forms, ids = wt.tokens.forms, wt.tokens.ids
            wt.one_letter = Counter(forms[ids[i]] for i in _places_of(wt, lambda f: len(f) == 1))
        printed = wt.one_letter
        for letter in "abcdefghijklmnopqrstuvwxyz":
            if wt.lex.zipf(letter) < 5.0:
                continue
            # a confusion the model has learned from real OCR, in the casing the witness prints
            # most (else the likelier confusion)
            forms = sorted((f for f in (letter.upper(), letter) if (f, d) in wt.model.cost),
                           key=lambda f: (-printed[f], wt.model.cost[(f, d)]))
            if forms:
                out.append(forms[0])
        # the digit's likeliest letter only ("1": "I", not "E", "F", "T")
        cache[d] = sorted(out, key=lambda f: wt.model.cost[(f, d)])[:1]
    return cache[d]


def _sound_sides(i: int, wt: _Witness) -> int:
    """How many of a reading's linked neighbours are sound words (_Witness.knows)."""
    return sum(1 for w in wt.neighbours(i) if w is not None and wt.knows(w))


def _joined(text: str, start: int, end: int, reach: int = 40) -> bool:
    """Letters besides text[start:end] between the spaces around it (at most `reach` characters each side):
    "litera-ture", "mounta.in", "Couit's"."""
    a = start
    while a > 0 and start - a < reach and not text[a - 1].isspace():
        a -= 1
    b = end
    while b < len(text) and b - end < reach and not text[b].isspace():
        b += 1
    return any(c.isalpha() for c in text[a:start]) or any(c.isalpha() for c in text[end:b])


def _piece_of_word(wt: _Witness, start: int, end: int, best: str) -> bool:
    """text[start:end] is a piece of a word a print broke at a line end, whose hyphen stayed in mid-line
    ("remem-ber", "con-sider", "propor-tfoii"), and `best` would not make the whole a word. A piece is no word
    on its own, so the channel and the neighbours weigh it as one and find a likelier word ("ber": "her", "con":
    "can", "propor": "proper"); on the dev sets these were most of the wrong automatic fixes. Such a piece is
    asked about, never fixed, where the whole is a word as printed ("remember") or the letters hyphened to it
    are no word either ("tfoii"). A fix that makes the whole a word ("our-aelves": "ourselves") and a compound's
    own word ("self-govemment") are weighed as any other, and so is a piece beside one the document surely reads
    as a word (`_Witness.repaired`: "boardlng-houso", "boarding" and "house", a compound both of whose words
    are misread). A compound the witness prints letter for letter at least `witness_known` times is its own
    ("the Town-Ho", a ship's name: its "Ho" was read "He" before "had")."""
    text = wt.text
    left = right = ""
    a, b = start, end
    if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
        a = start - 1
        while a > 0 and text[a - 1].isalpha():
            a -= 1
        left = text[a:start - 1]
    if end + 1 < len(text) and text[end] == "-" and text[end + 1].isalpha():
        b = end + 1
        while b < len(text) and text[b].isalpha():
            b += 1
        right = text[end + 1:b]
    if not (left or right):
        return False
    if text.count(text[a:b]) >= wt.st.witness_known:
        return True  # a compound the witness prints so again and again is its own ("Town-Ho", a ship, 12 times)
    if wt.knows((left + best + right).lower()):
        return False
    if wt.knows((left + text[start:end] + right).lower()):
        return True
    # a piece hyphened to it that is no word is read as its sure correction where the document has one
    # ("boardlng-houso": "boarding", a compound of two misread words)
    return not all(wt.knows(wt.repaired.get(p.lower(), p.lower())) for p in (left, right) if p)


def _repaired_context(i: int, base: str, best: str, kind: str, wt: _Witness) -> float | None:
    """How much more the neighbours say for the correction than for the reading (log10, as the
    posterior's association), a garbled neighbour read as its sure correction ("hive besn": "hive
    been"); None where no neighbour has one (then it is the plain context)."""
    prev, nxt = wt.neighbours(i)
    rp, rn = wt.repaired.get(prev, prev), wt.repaired.get(nxt, nxt)
    if rp == prev and rn == nxt:
        return None
    low, ctx = base.lower(), wt.context
    fits = ctx.fits(rp, (best, low) if kind == "realword" else (best,), rn, low)
    return ctx.association(fits[best], best) - (ctx.association(fits[low], low) if kind == "realword" else 0.0)


def _realword_prior(misreads: int, words: int, st: Settings) -> float:
    """How likely the document makes a real word's misreading against the OCR model's prior (at most 1): its rate
    of sure non-word misreadings per word, with [detect] realword_doubt_words words at realword_doubt_rate
    (a short page says little of its print), against that rate. A clean print, which misreads a word once
    in thousands, needs more of the context to doubt a word it writes; a noisy page keeps the model's prior."""
    ref = st.realword_doubt_rate
    if ref <= 0:
        return 1.0
    rate = (misreads + st.realword_doubt_words * ref) / (words + st.realword_doubt_words)
    return min(1.0, rate / ref)


def _prints_own(base: str, best: str, cost: float, wt: _Witness, st: Settings) -> str | None:
    """Why `base` is the print's own word, not a misreading of `best` (None: it may be one). If every one of
    the k places the print has it were a misreading of `best`, their count would be drawn from the n + k
    places meant for `best` at the channel's rate 10^-cost (adapted to the document's own misreadings);
    where k is beyond that count's Poisson tail at [detect] own_word_alpha, the print writes the word ("ere"
    66 times in Moby-Dick, where misreadings of its "are" would make it less than once). A reading seen
    once says nothing: any misreading is rare. Judged only in a print cleaner than the dev sets' median
    (`doubt` below 1): a noisy page has habits beyond any rate ("tho" 24 times beside 12 "the")."""
    alpha = st.own_word_alpha
    if alpha <= 0 or wt.doubt >= 1.0:
        return None
    k = wt.vocab.get(base.lower(), 0)
    if k < 2:
        return None
    n = wt.vocab.get(best.lower(), 0) if best.lower() != base.lower() else 0
    lam = (n + k) * 10 ** -cost
    if lam >= k:
        return None
    # P(K >= k) <= P(K = k) (k + 1) / (k + 1 - lam): the terms after the k-th fall at least that fast
    log_tail = -lam + k * math.log(lam) - math.lgamma(k + 1) + math.log((k + 1) / (k + 1 - lam)) if lam > 0 \
        else -math.inf
    if log_tail >= math.log(alpha):
        return None
    return (f"the print has {base.lower()!r} {k} times, where misreadings of {best!r} ({n} times) would make it "
            f"about {lam:.2g} times: its own word")


def _doubted(p: float, keep: float, doubt: float) -> float:
    """The posterior p of a correction with the prior of every misreading scaled by `doubt` (the reading
    as printed keeping `keep`)."""
    if doubt >= 1.0:
        return p
    return doubt * p / (doubt * (1.0 - keep) + keep)


def _witness_says(i: int, word: str, wt: _Witness) -> bool:
    """The witness itself often has the other word in this company ("rank and file" 20x), and the reading as
    printed nowhere else (a witness that writes "or the" elsewhere too says nothing of "for the")."""
    prev, nxt = wt.neighbours(i)
    other = wt.bigrams.get((prev, word), 0) + wt.bigrams.get((word, nxt), 0)
    if other < 3:
        return False
    low = wt.lows[i]
    own = wt.bigrams.get((prev, low), 0) + wt.bigrams.get((low, nxt), 0) - (prev is not None) - (nxt is not None)
    return own <= 0


def _prereform_forms(text: str, vocab: dict[str, int], lex: Lexicon, st: Settings) -> frozenset[str]:
    """A Russian witness's words in the spelling before 1918 whose modern form is a word (correct/prereform.py),
    if its text shows that spelling; none otherwise."""
    if not prereform.spells_old(text):
        return frozenset()
    out = set()
    for w in vocab:
        m = prereform.modern(w)
        if m != w and (lex.at_least(m, st.known_zipf) or lex.derived(m)):
            out.add(w)
    return frozenset(out)


def _judge(w: str, initial: bool, wt: _Witness, names, ctx: Context, st: Settings):
    """What this reading is: None (a word to leave), ("nonword"|"realword", base, suffix, candidates,
    protected, zipf) for the noisy channel, or (kind, suggestions, score, reason) for a plain query."""
    lex = wt.lex
    suffix = w[-2:] if w.endswith(("'s", "’s")) else ""
    base = w[:-2] if suffix else w
    auth = ctx.resources.authority
    if auth.known(base) or auth.known(w):
        return None
    if base.lower() in wt.old:
        return None
    z = lex.zipf(base)
    own = wt.vocab.get(fold(w), 0)
    capital = base[:1].isupper() and not initial
    name_like = capital and wt.capitalised.get(base, 0) >= 2
    # a form only the witness's repetition makes a word, whose likeliest misread word the witness prints at least
    # as often, is the scan's habit, not the writer's ("будег" 4 times beside "будет" 40: "т" read "г"): weighed
    # as a non-word where a real word is never fixed (not English, whose real words' fixes weigh the same evidence)
    own_word = own >= st.witness_known and not (z < st.known_zipf and ctx.language != "en"
                                                and _habit_of(base, own, wt))
    # a capital inside a lower-case word is a misread more often than a word ("shaU", "foUowed")
    if (z >= st.known_zipf or own_word) and not _camel(base):
        if len(base) < 2:
            return None
        if wt.old and _is_old(base, lex):
            return None  # "hee" in a witness spelt the old way
        if capital:
            # a capitalised word inside a sentence is a name, unless the witness itself writes a
            # word one confusion away capitalised inside sentences ("Cieek" 4 times, "Creek" 3)
            variants = dict(wt.realword_variants(base.lower()))
            cands = _capital_variants(base, variants, wt)
            if cands:
                return ("realword", base, suffix, cands, CAPITAL, z)
            # else, unless the file itself writes it capitalised inside sentences elsewhere (a name), weighed
            # as a word ("Ho said": "He"; "THB": "THE"): a query where the context makes a word one confusion
            # away likelier, never a fix (the file has no capital of it)
            if name_like:
                return None  # the file's own name ("Iu." of Russian initials, 7 times)
            cands = {v: c for v, c in variants.items() if " " not in v} or dict(wt.lost_variants(base.lower()))
            return ("realword", base, suffix, cands, ASK, z) if cands else None
        cands = dict(wt.realword_variants(base.lower()))
        if not cands:
            # no learned confusion makes another word of it, but a lost letter may ("th": "the", "ton":
            # "tons"): a query where the context makes that word likelier, never a fix
            cands = dict(wt.lost_variants(base.lower()))
            return ("realword", base, suffix, cands, ASK, z) if cands else None
        return ("realword", base, suffix, cands, name_like, z)
    quote = _glued_quote(base, lex)
    if quote:
        return ("glued", quote, 0.6, "a quotation mark glued between two words: a space lost")
    if not any(c.isdigit() for c in base) and lex.derived(base):
        return None  # an inflection or derivation of a known word ("профессионалистов", "polemicise")
    if lex.language == "ru" and base.isalpha() and dictionary_form(base.lower()):
        # a rare form of the dictionary («побудителей», «мешанного»): weighed as a word the lexicon lacks, but
        # asked about only where a near word is likelier than it (ASK: «смешанного» beside the witness's own
        # «смешанного состава»), never fixed
        cands = wt.candidates(base)
        cands = dict(_not_yo_spellings(base.lower(), cands.items())) if wt.prints_yo else cands
        return ("nonword", base, suffix, cands, ASK, z) if cands else None
    if _camel(base) and not any(c.isdigit() for c in base):
        split = _split_camel(base, lex)
        if split:
            return ("glued", [split], 0.9, f"two words glued together: {split!r}")
        if not wt.candidates(base):
            return None  # an acronym or a name in camel case ("VTsSPS", "McDonald")
    if capital:
        near = _near_name(base, names)
        if near is not None:
            canon, how = near
            return ("name", [canon], 0.6, f"capitalised word not in the authority, close to {how}")
    cands = wt.candidates(base)
    if not cands:
        if capital:
            return ("name", [], 0.2, f"capitalised word unknown to the {lex.language} lexicon and the authority "
                                     f"(a name to add to rules/names.toml?)")
        if lex.language == "ru":
            split = _split_glued(base, lex, st.glued_zipf, st.glued_left)  # English: the space hypotheses
            if split:
                return ("glued", [split], 0.6, f"two words glued together (a space lost): {split!r}")
        if lex.language == "ru" or len(base) >= 10:
            # a long or Russian word with no word one edit away is a rare valid form far more
            # often than damage («мелкособственническими», "trustification"): not worth a query
            return None
        return ("nonword", base, suffix, {}, True, z)
    # a capitalised non-word is a name where the witness uses it capitalised elsewhere (name_like), unless its
    # likeliest correction is a word the witness writes capitalised at least as often: then its repetition is
    # the scan's habit ("Sydnoy" twice beside "Sydney" 15 times), weighed as any capitalised reading is
    if name_like and not _misread_name(base, cands, wt):
        return ("nonword", base, suffix, cands, True, z)
    return ("nonword", base, suffix, cands, CAPITAL if capital else False, z)


def _likeliest_word(cands: dict[str, float], wt: _Witness) -> str | None:
    """A reading's likeliest candidate of one word: the cheapest by channel cost, then the one the witness
    prints most."""
    best = min(((cost, -wt.vocab.get(c, 0), c) for c, cost in cands.items() if " " not in c), default=None)
    return None if best is None else best[2]


def _misread_name(base: str, cands: dict[str, float], wt: _Witness) -> bool:
    """Whether a capitalised non-word the witness repeats inside its sentences misreads a word it writes so:
    its likeliest candidate, capitalised, is written capitalised inside sentences at least as often as the
    reading."""
    best = _likeliest_word(cands, wt)
    return best is not None and wt.capitalised.get(_capital_form(base, best), 0) >= wt.capitalised.get(base, 0)


def _habit_of(base: str, own: int, wt: _Witness) -> bool:
    """Whether a form the lexicon lacks, which the witness prints `own` times, is its misreading of a word: its
    likeliest candidate is one word of the lexicon that the witness prints at least as often (not another
    misreading the witness repeats: "вгсний" beside "вгений")."""
    best = _likeliest_word(wt.candidates(base), wt)
    return (best is not None and wt.vocab.get(best, 0) >= own
            and wt.lex.at_least(best.lower(), wt.st.known_zipf))


# the protection of a capitalised reading inside a sentence: a name unless the witness's own use
# says otherwise (`_capital_variants`); a verdict's `protected` is True, False or this
CAPITAL = "capital"
# ... of a real word weighed only to be asked about, never fixed, nor taken for evidence of the document's
# misreadings (DocumentEvidence): a capital inside a sentence that the file writes no variant of, a lost letter
ASK = "ask"


def _capital_form(base: str, word: str) -> str:
    """A word written as a capitalised reading is ("Cieek": "Creek", "BAV": "BAY")."""
    return word.upper() if len(base) > 1 and base.isupper() else word[:1].upper() + word[1:]


def _recased(base: str, word: str, wt: _Witness, ctx: Context) -> str:
    """A correction inside a sentence written as its reading is (lexicon.recase), but small where the
    reading's capital is itself the misreading: the word begins with small letters the OCR model learned
    that capital is printed for ("Btop": "stop", "B" for "s"; "Uttle": "little", "U" for "li"), and
    neither the witness (capitalised inside its sentences) nor the authority writes the word capitalised
    ("Bngland": "England", the witness's own capital)."""
    out = recase(base, word)
    if not out[:1].isupper() or base.isupper() or base[:1].lower() == word[:1].lower():
        return out
    if not any(word.startswith(m) for m in wt.model.capital_for_small().get(base[0], ())):
        return out
    if wt.capitalised.get(out, 0) or ctx.resources.authority.known(out):
        return out
    return out[:1].lower() + out[1:]


def _written_small(word: str, wt: _Witness) -> bool:
    """Whether the witness writes a word small inside its sentences: it is capitalised there in fewer than
    half of all its places ("the" 700 times, "The" inside a sentence 5, after a lost full stop; not "Creek",
    capitalised wherever it is not a sentence's first word). A word the witness never writes is not."""
    low = word.lower()
    n = wt.vocab.get(low, 0)
    return n > 0 and 2 * wt.capitalised.get(low[:1].upper() + low[1:], 0) < n


def _capital_variants(base: str, cands: dict[str, float], wt: _Witness) -> dict[str, float]:
    """The candidates of a capitalised reading inside a sentence that the witness itself writes
    capitalised inside sentences: the file's evidence that the reading may be a misread of a word
    of its own ("Cieek" for "Creek", "Bav" for "Bay") rather than a name (the context and the
    calibration weigh which)."""
    return {v: c for v, c in cands.items() if " " not in v and wt.capitalised.get(_capital_form(base, v), 0)}


@lru_cache(maxsize=4)
def _rare_join(lex: Lexicon):
    """candidates.rarer_than(lex, 3.0) where the word index holds every word of zipf 3 (its floor
    lower), else a test that is never sure."""
    return rarer_than(lex, 3.0) if index_min_zipf(lex) < 3.0 else (lambda low: False)


def _split_word(i: int, tokens, text: str, lex: Lexicon, st: Settings) -> Query | None:
    """A non-word that is half of a word split by a stray space: "trans mission", "Commu nist"."""
    m = tokens[i]
    for a, b in ((tokens[i - 1] if i > 0 else None, m), (m, tokens[i + 1] if i + 1 < len(tokens) else None)):
        if a is None or b is None or text[a.end():b.start()] != " ":
            continue
        joined = a.group() + b.group()
        if _rare_join(lex)(fold(joined)):
            continue  # certainly rarer than zipf 3 (the word index says so without a lookup)
        if lex.zipf(joined) >= 3.0 and not _skip(joined):
            return Query(a.start(), b.end(), text[a.start():b.end()], [joined], 0.7,
                         f"a word split in two: {joined!r} is a word (zipf {lex.zipf(joined):.1f}), "
                         f"{m.group()!r} is not", rule="detect.split")
    return None


_CAP_MID = regex.compile(r"(?<=\b\p{Ll}{2,} )(In|It|Where|The|And|Of|If|This|That|When|Which|As|At|To|For|We|But|Is)"
                         r"(?= \p{Ll})")
# '.' only: '?' (and ':') before a lower-case word are the punctuation stage's, in every language
_DOT_LOWER = regex.compile(r"(?<=\b(\p{Ll}{3,})[.]) (\p{Ll}{2,})")


def _punctuation(text: str) -> list[Query]:
    """Sentence punctuation lost or misread: a capitalised function word inside a sentence
    ("only When they have grown", "in the theses It is not") and a full stop before a
    lower-case word ("in this sphere. the deeper")."""
    out = []
    abbreviations = garble.abbreviations("en")  # (English text only: _CAP_MID and the caller)
    for m in _CAP_MID.finditer(text):
        w = m.group()
        out.append(Query(m.start(), m.end(), w, [w.lower(), ". " + w], 0.5,
                         "capital letter inside a sentence: a lost full stop before it, or a misread lower-case letter",
                         rule="detect.punct"))
    for m in _DOT_LOWER.finditer(text):
        if m.group(1) in abbreviations:
            continue
        dot = m.start() - 1
        mark = text[dot]
        out.append(Query(dot, m.end(), text[dot:m.end()], [", " + m.group(2), f"{mark} " + m.group(2).capitalize()], 0.5,
                         f"'{mark}' before a lower-case word: a comma misread, or a lost capital", rule="detect.punct"))
    return out


@lru_cache(maxsize=20_000)  # these two: ~70 bytes an entry, a miss costs little more than a hit
def _skip(w: str) -> bool:
    """Readings that are not words to judge: numbers, roman numerals, single letters, acronyms."""
    if len(w) < 2 or NUMBER.fullmatch(w):
        return True
    if w.isalpha():  # most readings: the letters are the word (a letter is no digit)
        return len(w) <= 6 and all(c.isupper() for c in w)
    letters = [c for c in w if c.isalpha()]
    if not letters:
        return True
    if all(c.isupper() for c in letters) and len(w) <= 6 and not any(c.isdigit() for c in w):
        return True  # VSNKh-like acronyms (checked against the authority elsewhere)
    return False


@lru_cache(maxsize=20_000)
def _camel(w: str) -> bool:
    rest = w[1:]
    if rest.islower() or w.isupper():  # no capital after the first letter, or no small letter: most words
        return False
    return any(a.islower() and b.isupper() for a, b in zip(w, rest))


def _split_camel(w: str, lex: Lexicon) -> str | None:
    """"inApril" -> "in April" when both halves are words."""
    for i in range(1, len(w)):
        if w[i - 1].islower() and w[i].isupper():
            a, b = w[:i], w[i:]
            if len(b) >= 3 and b[1:].islower() and lex.zipf(a) >= 3.0 and lex.zipf(b) >= 3.0:
                return f"{a} {b}"
    return None


YO_WORDS = 5  # a Russian witness with this many words in «ё» at least (and [detect] yo_per_thousand) spells with it


def _not_yo_spellings(low: str, found):
    """The (word, cost) pairs but those that differ from the reading only in «ё» and «е» («её» and «ее», «всё»
    and «все»): the same word in the print's spelling, not a misreading of the other."""
    plain = low.replace("ё", "е")
    return [f for f in found if f[0].lower().replace("ё", "е") != plain]


def _split_glued(w: str, lex: Lexicon, common: float, left: int, right: int = 3) -> str | None:
    """«смыслфилософии» -> «смысл философии»: a Russian reading no word is one edit from, made of two common
    words (zipf `common`), the split whose rarer part is commonest; None if there is none. The first word
    has `left` letters or more: a compound's first part is a short stem that is often a word too
    («трудреспублика», «уездкомы», «семимиллионный», «совреспублики»)."""
    best, best_z = None, 0.0
    for i in range(left, len(w) - right + 1):
        a, b = w[:i], w[i:]
        z = min(lex.zipf(a), lex.zipf(b)) - common
        if z >= 0.0 and (best is None or z > best_z):
            best, best_z = f"{a} {b}", z
    return best


def _glued_quote(w: str, lex: Lexicon) -> list[str] | None:
    """"the'insane" -> "the 'insane" (opening quote) or "the' insane" (closing)."""
    for q in ("'", "’"):
        if q in w:
            a, _, b = w.partition(q)
            if len(a) >= 2 and len(b) >= 2 and lex.zipf(a) >= 3.0 and lex.zipf(b) >= 3.0:
                return [f"{a} {q}{b}", f"{a}{q} {b}"]
    return None


# -- names -----------------------------------------------------------------------------

def _name_index(ctx: Context) -> list[tuple[str, str, str]]:
    """(skeleton, canonical, how) for every authority form and every Cyrillic name of the
    work's Russian original (transliterated), to find names the authority lacks.
    Built once per run, work and language."""
    cache = ctx.resources.__dict__.setdefault("_detect_name_index", {})
    key = (ctx.witness.work, ctx.language)
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
            stem = nominative(cyr)  # «Бубликовы» -> «Бубликов»
            known = auth.cyrillic.get(cyr) or auth.cyrillic.get(stem)
            canon = known.canonical if known else transliterate(stem)
            out.append((skeleton(transliterate(stem)), canon, f"«{cyr}» of the Russian original"))
    return out


def _near_name(w: str, index) -> tuple[str, str] | None:
    """The closest known name to a capitalised reading, if close enough (the first of equals)."""
    sk = skeleton(w)
    if len(sk) < 4:
        return None
    best = None
    # rapidfuzz scores every name at once; a name of quite another length is not this one
    for s, r, k in process.extract(sk, _skeletons(index), scorer=fuzz.ratio, processor=None,
                                   score_cutoff=80, limit=None):
        if abs(len(s) - len(sk)) <= 3 and (best is None or r > best[0] or (r == best[0] and k < best[1])):
            best = (r, k)
    return (index[best[1]][1], index[best[1]][2]) if best else None


# the skeletons of a name index (_name_index), listed once per index: {id: (index, skeletons)}
_SKELETONS: dict[int, tuple[list, list[str]]] = {}


def _skeletons(index: list[tuple[str, str, str]]) -> list[str]:
    """The skeletons of the index's names, in its order (the index itself is held with them: an id
    is not reused while it lives)."""
    held = _SKELETONS.get(id(index))
    if held is None or held[0] is not index:
        if len(_SKELETONS) >= 8:
            _SKELETONS.clear()
        held = _SKELETONS[id(index)] = (index, [s for s, _, _ in index])
    return held[1]
