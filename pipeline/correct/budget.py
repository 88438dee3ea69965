"""Which queries the proofreader sees under the budget: those expected to flag the most errors.

The budget ([detect] max_queries per 100 words) counts every query once, but queries are not
worth the same: a damaged stretch's query ("re-read this line from the scan") flags two or
three misread words at once, a non-word's query one if the reading is misread, a real
word's query often none. Ranking them by their own scores (a posterior, a stretch's density,
a fixed score per rule) spends the budget on many queries that each flag less.

So a query's value is the number of misread words it is expected to flag: the rate of
misread words per word it covers, by rule and score band, times the words it covers. The
rates are data (pipeline/data/query_value.json), fitted by benchmarks/correction.py on the
queries of training documents, each matched with the gold (how many misread words it
touches), and judged on held-out documents; a band with few queries leans on its rule's
rate, a rule never seen on the rate of all queries (pseudo-counts `prior_words`).

Some queries flag what a word-level gold cannot count, so no rate is learned for them
(`own_score` in the file): a punctuation query flags a mark, not a word, and a split word's
join ("ex ercised") is judged wrong by a gold that keeps the printed line-break hyphen
(ICDAR's), though it is the edition's reading. Such a query is worth its own probability of
being right, at one place; learned from that gold it was worth 0.08-0.24 and the budget
dropped nearly all of them.

One query is one place the proofreader goes back to the scan. Doubts close together (at most
`gap` sound words between two, the whole span at most `most` words) are one query (`lines`): its
text is the span from the first doubt to the last, its suggestion that span with each doubt's
first reading (one click still writes them all), its reason names each doubt and its readings,
and it is worth the sum of its doubts' expected values. The place is bounded by its words, not by
the text's lines: a line break inside the span is no second place (the next printed line, or the
next paragraph, is where the eye goes on; a paragraph may as well run over a page). Parted at
every line break, a damaged newspaper column of short lines (headings, list items, names; the
pipeline's text has a line a paragraph) was several queries for one place: held out
(benchmarks/correction.py --folds 2), fixes and queries flagged 52.7/49.3 % of ICDAR's misread
words and 41.1/49.5 % of Overproof's, and across line breaks 53.1/50.2 and 44.5/50.5 %, for the
same words read per misread word touched (3.36/3.22 -> 3.37/3.22, 2.71/2.63 -> 2.71/2.68) and
the same share of queries on no error. benchmarks/query_choice.py compares such choices.

How far doubts are joined is the document's own: a span must hold a doubt in at least a share of
its words, and the share is lowered step by step (every word, one of 2, of 3, ... down to [detect]
merge_dense) only while the document's groups outnumber its budget (`joined`). A text with few
doubts keeps them apart, no sound word read for nothing; in one whose doubts outnumber the budget
(on the dev sets nearly every document: 3.7 doubts per 100 words in ICDAR, 6 in Overproof, for
one query) a damaged stretch of a few lines is one trip to the scan, and the budget's queries
flag more misread words for more words read per misread word they touch
(benchmarks/error_classes.py, benchmarks/correction.py).

Where even at that floor a document's groups outnumber its budget (a newspaper page damaged all
through), a group may run past the word bound inside one paragraph (a line of the pipeline's text;
`joined`'s `paragraph`, [detect] merge_paragraph), at the same density: a damaged paragraph is one
place to re-read, where 48 words at most made it two or three queries, each counted against the
budget. Never across a paragraph's end, and only in such documents: the others' groups are as before.
"""
from __future__ import annotations

import bisect
import json
from collections import defaultdict
from functools import lru_cache
from itertools import islice
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.correct.align import TOKEN
from pipeline.errors import EditionError
from pipeline.model import Query

VALUE_FILE = Path(__file__).resolve().parent.parent / "data" / "query_value.json"
BANDS = 10  # score bands of 0.1 (every query's score is in [0, 1])


class QueryValueFile(BaseModel):
    """pipeline/data/query_value.json: misread words per word of a query, by rule and score band."""

    note: str = ""
    default: float = Field(ge=0.0)                 # the rate of a rule never seen
    own_score: list[str] = []                       # rules worth their own score at one place (not learned)
    rates: dict[str, list[float]]                  # rule -> BANDS rates (band k: score in [k/10, (k+1)/10))


def band(score: float) -> int:
    return min(BANDS - 1, max(0, int(score * BANDS)))


def words(text: str) -> int:
    """The words a query covers, as the gold alignment counts them (at least one: a query on a
    mark alone is about one place)."""
    return max(1, len(TOKEN.findall(text)))


class QueryValue:
    def __init__(self, data: QueryValueFile):
        self.data = data

    @classmethod
    def load(cls, path: Path) -> "QueryValue":
        try:
            data = QueryValueFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise EditionError(str(path), f"not a query-value file: {str(e).splitlines()[0]}") from None
        for rule, rates in data.rates.items():
            if len(rates) != BANDS or min(rates) < 0:
                raise EditionError(str(path), f"rule {rule!r}: {BANDS} rates >= 0 expected, got {rates}")
        return cls(data)

    def expected(self, rule: str, score: float, text: str) -> float:
        """The misread words a query is expected to flag."""
        if rule in self.data.own_score:
            return score
        rates = self.data.rates.get(rule)
        rate = rates[band(score)] if rates else self.data.default
        return rate * words(text)

    def rank(self, q) -> tuple[float, float, int, int]:
        """A query's place in the budget's order (the first are kept): the more misread words it is
        expected to flag, then the higher score, then the earlier place."""
        return (-self.expected(q.rule, q.score, q.text), -q.score, q.start, q.end)

    def keep(self, queries: list, limit: int, text: str | None = None, gap: int = -1, most: int = 0,
             whole=None, dense: float = 0.0, breaks: bool = False, paragraph: bool = False, edits=()) -> list:
        """The `limit` queries expected to flag the most misread words (`rank`), in text order. With
        the `text` and `gap` >= 0, the doubts close together are one query first (`lines`; `breaks`:
        never across a line break); `whole` gives the query a lone doubt stands for (detect keeps a
        doubt the budget will not keep alone without its text); `edits`: the automatic fixes made on
        `text`, which a joined query's suggestion writes (`together`)."""
        if text is None or gap < 0:
            if len(queries) <= limit:
                return queries
            return sorted(sorted(queries, key=self.rank)[:limit], key=lambda q: q.start)
        worth = []
        for group in joined(queries, limit, text, gap, most, dense, breaks, paragraph):
            value = sum(self.expected(p.rule, p.score, text[p.start:p.end]) for p in group)
            worth.append(((-value, -max(p.score for p in group), group[0].start, max(p.end for p in group)), group))
        worth.sort(key=lambda w: w[0])
        fixes = sorted((e.start, e.end, e.after) for e in edits)
        kept = (together(g, text, fixes) if len(g) > 1 else g[0] if whole is None else whole(g[0]) for _, g in worth[:limit])
        return sorted(kept, key=lambda q: q.start)


def joined(queries: list, limit: int, text: str, gap: int, most: int, dense: float,
           breaks: bool = False, paragraph: bool = False) -> list[list]:
    """The groups of doubts the budget chooses from, joined as much as the document's doubts need:
    the spans where a doubt is in every word, then in one of 2, 3, ... words (`lines`), until the
    groups are no more than the budget (`limit`) or a doubt is in `dense` of the words. A document
    with few doubts keeps them apart (no sound word read for nothing); one whose doubts outnumber its
    budget has its damaged stretches re-read at once. `dense` 0: one grouping, by `gap` and `most`."""
    if dense <= 0:
        return lines(queries, text, gap, most, breaks=breaks)
    k = 1
    counted: dict = {}  # each grouping counts the same spans' words again: counted once
    while True:
        groups = lines(queries, text, gap, most, max(dense, 1 / k), counted, breaks)
        if len(groups) <= limit:
            return groups
        if 1 / k <= dense:
            # still more groups than the budget at the floor: a damaged paragraph is one place
            return lines(queries, text, gap, most, dense, counted, breaks, True) if paragraph else groups
        k += 1


def lines(queries: list, text: str, gap: int, most: int, dense: float = 0.0, counted: dict | None = None,
          breaks: bool = False, paragraph: bool = False) -> list[list]:
    """The queries in groups of doubts close together, in text order: a doubt joins the group before
    it when at most `gap` words lie between them and the group's span then holds at most `most`
    words (and doubts), and doubts in at least `dense` of its words (a line break is no bound, unless
    `breaks`: how the budget grouped before, benchmarks/query_choice.py compares). `counted`: the
    words of spans counted before, {(start, end, bound): words} (`_count`), to use and add to."""
    out: list[list] = []
    group: list = []
    end = held = 0  # held: the words of the group's doubts
    counted = {} if counted is None else counted

    def count(a: int, b: int, bound: int | None = None) -> int:
        key = (a, b, bound)
        n = counted.get(key)
        if n is None:
            n = counted[key] = _count(text[a:b], bound)
        return n
    for q in sorted(queries, key=lambda q: (q.start, q.end)):
        n = count(q.start, q.end) if q.start >= end else 0
        # (the words between and in the span counted only as far as the bounds need: a gap between two
        # doubts far apart is most of the text, and `joined` groups it again for each density)
        if group and len(group) < most and count(end, q.start, gap) <= gap:
            words = count(group[0].start, max(end, q.end), most)
            # inside one line of the text (a paragraph): looked up only where a bound asks
            inside = not (paragraph or breaks) or text.find("\n", group[0].start, max(end, q.end)) < 0
            fits = words <= most
            if not fits and paragraph and inside:
                words, fits = count(group[0].start, max(end, q.end)), True  # (inside one paragraph: no bound)
            if fits and held + n >= dense * words and not (breaks and not inside):
                group.append(q)
                end, held = max(end, q.end), held + n
                continue
        if group:
            out.append(group)
        group, end, held = [q], q.end, count(q.start, q.end)
    if group:
        out.append(group)
    return out


def _count(text: str, most: int | None = None) -> int:
    """The words of the text; with `most`, counted up to one more than it at most (the others are
    not sought: only whether there are more matters)."""
    if most is None or len(text) < 64 * (most + 1):  # short: a list of the words at once
        return len(TOKEN.findall(text))
    return sum(1 for _ in islice(TOKEN.finditer(text), most + 1))


def together(group: list, text: str, fixes: list[tuple[int, int, str]] | tuple = ()) -> Query:
    """One query for doubts close together (`lines`): the span from the first to the last, the span
    with each doubt's first reading as its suggestion, each doubt and its readings in the reason.
    `fixes`: the automatic fixes made on `text` ((start, end, written), sorted); one between the doubts
    is written in the suggestion too, which would otherwise print the misreading again over the fix
    ("commis sioners", joined automatically, inside a span of doubts around it)."""
    start, end = group[0].start, max(q.end for q in group)

    def fixed(a: int, b: int) -> str:  # text[a:b] with the fixes inside it written
        k = bisect.bisect_left(fixes, (a,))
        if k == len(fixes) or fixes[k][0] >= b:
            return text[a:b]
        out = []
        while k < len(fixes) and fixes[k][0] < b:
            s, e, written = fixes[k]
            if e <= b:
                out.append(text[a:s] + written)
                a = e
            k += 1
        return "".join(out) + text[a:b]
    meant, told, at = [], [], start  # told: [printed doubts, what is said of them] (the same said once)
    for q in group:
        printed = text[q.start:q.end]
        said = (" or ".join(repr(s) for s in q.suggestions[:3]) if q.suggestions
                else "a damaged stretch" if q.rule == "detect.stretch" else str(q.reason).split("; ")[0])
        if told and told[-1][1] == said:
            told[-1][0].append(printed)
        else:
            told.append([[printed], said])
        if q.start >= at:  # a doubt inside one before it keeps that one's reading
            meant.append(fixed(at, q.start) + (q.suggestions[0] if q.suggestions else printed))
            at = q.end
    meant.append(fixed(at, end))
    suggestion = "".join(meant)
    return Query(start, end, text[start:end], [suggestion] if suggestion != text[start:end] else [],
                 max(q.score for q in group),
                 f"{len(group)} doubts close together, re-read from the scan at once: "
                 + "; ".join(f"{', '.join(repr(p) for p in printed)}: {said}" for printed, said in told),
                 rule="detect.line")


@lru_cache(maxsize=1)
def shared() -> QueryValue:
    return QueryValue.load(VALUE_FILE)


def fit(samples: list[tuple[str, float, int, int]], prior_words: float = 20.0, note: str = "",
        own_score: list[str] | None = None) -> QueryValueFile:
    """The rates from (rule, score, words covered, misread words flagged) of training queries:
    a band's rate shrunk towards its rule's, a rule's towards the rate of all queries. Rules
    worth their own score (`own_score`, default: the shipped file's) get no rate."""
    own = shared().data.own_score if own_score is None else own_score
    samples = [s for s in samples if s[0] not in own]
    flagged: dict = defaultdict(float)
    covered: dict = defaultdict(float)
    for rule, score, n, errors in samples:
        for key in ((rule, band(score)), rule, None):
            flagged[key] += errors
            covered[key] += n
    default = flagged[None] / covered[None] if covered[None] else 0.0
    rates = {}
    for rule in sorted({r for r, _, _, _ in samples}):
        rule_rate = (flagged[rule] + prior_words * default) / (covered[rule] + prior_words)
        rates[rule] = [round((flagged[(rule, k)] + prior_words * rule_rate) / (covered[(rule, k)] + prior_words), 4)
                       for k in range(BANDS)]
    return QueryValueFile(note=note, default=round(default, 4), own_score=list(own), rates=rates)
