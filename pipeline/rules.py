"""Correction rules as data (rules/*.toml): loading, validating, matching, testing.

A rule repairs one kind of damage a maintainer has seen, e.g. the Dreadnought
scanno "the apportion did not assert itself" (for "the opposition"):

    [[rule]]
    id = "dn.apportion"
    match = "apportion"                 # literal (whitespace inside matches any whitespace)
    replacement = "opposition"
    scope = ["kollontai-en-dreadnought"] # witness ids, or a language ("en", "ru"), or "*"
    kind = "scanno"                      # scanno | typo | name | spacing | punct | case
    not_after = '\\s+the\\s+funds'        # context: must (before/after) or must not surround
    note = "OCR misread of 'opposition'"
    must_change = ["During the summer, the apportion did not assert itself => During the summer, the opposition did not assert itself"]
    must_not_change = ["to apportion the funds"]

Matches are word-bounded by default. A regex that could run away (a quantifier
inside a quantified group, e.g. `(a+)+`) is refused when the file is loaded, and
every search runs under a timeout. Two rules claiming the same span is an error
naming both. The command `edition rules test|check|add` is pipeline.commands.rules.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re._constants import MAX_REPEAT, MIN_REPEAT, SUBPATTERN, BRANCH  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]
    from sre_constants import MAX_REPEAT, MIN_REPEAT, SUBPATTERN, BRANCH  # type: ignore[no-redef]

import regex
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.errors import EditionError
from pipeline.lexicon import shared
from pipeline.model import introduced_problem
from pipeline.tomlio import display_path, header_lines, load_toml, parse_toml, validate
from pipeline.witnesses import load_corpus

KINDS = ("scanno", "typo", "name", "spacing", "punct", "case")
REGEX_TIMEOUT = 0.5  # seconds for one rule over one text; a runaway rule is an error, not a hang
CONTEXT_WINDOW = 120  # characters looked at for before/not_before
# bounds a rule must keep (a rule repairs words and phrases; anything larger is a mistake that
# could exhaust memory: a 1 MB replacement, applied at every hit, once took 21 GB)
MAX_PATTERN = 1_000  # characters of match / context patterns
MAX_REPLACEMENT = 1_000  # characters of a replacement
MAX_RULE_FILE = 5_000_000  # bytes of one rules/*.toml


class RuleSpec(BaseModel):
    """One [[rule]] table as a maintainer writes it (validated; unknown fields refused)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=200)
    match: str = Field(min_length=1, max_length=MAX_PATTERN)
    replacement: str = Field(max_length=MAX_REPLACEMENT)
    regex: bool = False
    word: bool = True
    ignore_case: bool = False
    scope: list[str] = Field(min_length=1)
    kind: Literal["scanno", "typo", "name", "spacing", "punct", "case"]
    note: str = Field(min_length=1)
    before: str | None = Field(default=None, max_length=MAX_PATTERN)
    after: str | None = Field(default=None, max_length=MAX_PATTERN)
    not_before: str | None = Field(default=None, max_length=MAX_PATTERN)
    not_after: str | None = Field(default=None, max_length=MAX_PATTERN)
    real_word: bool | None = None
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    must_change: list[str] = Field(min_length=1)
    must_not_change: list[str] = []

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_list(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("match")
    @classmethod
    def _matchable(cls, v):
        # rules see decoded text: NFC, no soft hyphens, zero-width or odd spaces, no controls
        odd = [c for c in v if c != " " and unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") and c not in "\t\n"]
        if odd:
            raise ValueError(f"contains U+{ord(odd[0]):04X} ({unicodedata.name(odd[0], 'a control character')}), which "
                             "the decode stage removes or replaces before rules run: this rule could never match")
        if unicodedata.normalize("NFC", v) != v:
            raise ValueError("is not in Unicode NFC form; the decode stage normalises the text to NFC before rules "
                             "run, so this rule could never match: write the composed characters")
        return v

    @field_validator("replacement")
    @classmethod
    def _clean_replacement(cls, v):
        problem = introduced_problem("", v)
        if problem:
            raise ValueError(f"would write {problem} into the clean text")
        return v

    @field_validator("before", "after", "not_before", "not_after")
    @classmethod
    def _safe_context(cls, v):
        if v is not None:
            check_regex(v)
        return v

    @model_validator(mode="after")
    def _safe_match(self):
        try:
            pattern = compile_match(self)  # compiled once; check_regex then only looks for nesting
            check_regex(self.match if self.regex else literal_pattern(self.match), compiled=True)
        except ValueError as exc:
            raise ValueError(f"field 'match': {exc}") from None
        if self.regex:  # a group the replacement names must exist: try it on the examples
            for ex in self.must_change:
                m = pattern.search(split_example(ex)[0])
                if m is not None:
                    try:
                        m.expand(self.replacement)
                    except (regex.error, IndexError, ValueError) as exc:
                        raise ValueError(f"field 'replacement': {exc}") from None
        return self


def compile_match(spec: RuleSpec) -> regex.Pattern:
    """A rule's match as it runs (word-bounded unless word = false); a bad pattern is a ValueError."""
    body = spec.match if spec.regex else literal_pattern(spec.match)
    if spec.word:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    flags = regex.V0 | (regex.IGNORECASE if spec.ignore_case else 0)
    try:
        return regex.compile(body, flags)
    except (regex.error, ValueError) as exc:
        raise ValueError(f"bad regex: {exc}") from None


def check_regex(pattern: str, compiled: bool = False) -> None:
    """Refuse a regex that does not compile or that could backtrack catastrophically.

    >>> check_regex(r"rank\\s+and\\s+tile")
    >>> check_regex(r"(a+)+b")
    Traceback (most recent call last):
    ValueError: nested quantifier (a quantified group containing a quantifier): could run away
    """
    if not compiled:
        try:
            regex.compile(pattern)
        except (regex.error, ValueError) as exc:
            raise ValueError(f"bad regex: {exc}") from None
    try:
        tree = sre_parse.parse(pattern)
    except Exception:  # the `regex` module accepts syntax `re` does not; the timeout still bounds it
        return
    if _nested_repeat(tree, inside=False):
        raise ValueError("nested quantifier (a quantified group containing a quantifier): could run away")


def _nested_repeat(items, inside: bool) -> bool:
    for op, av in items:
        if op in (MAX_REPEAT, MIN_REPEAT):
            lo, hi, sub = av
            unbounded = hi is sre_parse.MAXREPEAT or hi > 1
            if inside and unbounded:
                return True
            if _nested_repeat(sub, inside or unbounded):
                return True
        elif op is SUBPATTERN:
            if _nested_repeat(av[-1], inside):
                return True
        elif op is BRANCH:
            if any(_nested_repeat(b, inside) for b in av[1]):
                return True
    return False


def literal_pattern(text: str) -> str:
    """A literal match as a regex: whitespace inside matches any whitespace run.

    "rank and tile" must also match "rank and\\ntile" (a line break the layout
    stage has not joined, or the raw text in `rules check`).
    """
    parts = [regex.escape(p) for p in text.split()]
    body = r"\s+".join(parts)
    # straight and typographic quotes are one character to a rule (the typography stage may curl them)
    body = body.replace("'", "['’‘]").replace('\\"', '["“”]').replace('"', '["“”]')
    return body


@dataclass
class Rule:
    """A validated rule with its compiled patterns and where it was written."""

    spec: RuleSpec
    path: Path
    line: int | None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def where(self) -> str:
        return f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)

    @cached_property
    def pattern(self) -> regex.Pattern:
        return compile_match(self.spec)

    @cached_property
    def contexts(self) -> tuple:
        s = self.spec
        comp = lambda p, end: regex.compile(f"(?:{p})\\Z" if end else f"(?:{p})") if p else None  # noqa: E731
        return comp(s.before, True), comp(s.after, False), comp(s.not_before, True), comp(s.not_after, False)

    def applies_to(self, witness_id: str, language: str) -> bool:
        """Is this witness in the rule's scope (its id, its language, or "*")?"""
        return any(s in ("*", witness_id, language) for s in self.spec.scope)

    def hits(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, replacement) for every match in `text` whose context fits."""
        before, after, not_before, not_after = self.contexts
        out = []
        try:
            for m in self.pattern.finditer(text, timeout=REGEX_TIMEOUT):
                s, e = m.span()
                if s == e:
                    continue
                left = text[max(0, s - CONTEXT_WINDOW):s]
                if before is not None and not before.search(left, timeout=REGEX_TIMEOUT):
                    continue
                if not_before is not None and not_before.search(left, timeout=REGEX_TIMEOUT):
                    continue
                if after is not None and not after.match(text, e, timeout=REGEX_TIMEOUT):
                    continue
                if not_after is not None and not_after.match(text, e, timeout=REGEX_TIMEOUT):
                    continue
                try:
                    repl = m.expand(self.spec.replacement) if self.spec.regex else self.spec.replacement
                except (regex.error, IndexError, ValueError) as exc:
                    raise EditionError(self.where, f"rule {self.id!r}: field 'replacement': {exc}") from None
                problem = introduced_problem(text[max(0, s - 2):e + 2], text[max(0, s - 2):s] + repl + text[e:e + 2])
                if problem:
                    raise EditionError(self.where, f"rule {self.id!r}: replacing {text[s:e]!r} here would write "
                                                   f"{problem} into the clean text; change its replacement or context")
                out.append((s, e, repl))
        except TimeoutError:
            raise EditionError(self.where, f"rule {self.id!r}: regex ran longer than {REGEX_TIMEOUT}s "
                                           f"(catastrophic backtracking?); simplify it") from None
        return out


def minimal_span(text: str, s: int, e: int, repl: str) -> tuple[int, int, str]:
    """Shrink a replacement to the words that differ, so the change log shows
    "tile" -> "file", not "rank and tile" -> "rank and file"."""
    before = text[s:e]
    if before == repl:
        return s, s, ""
    # tokens alternate word, space, word, ...: cut only after a whole word and its space
    b_tok = regex.split(r"(\s+)", before)
    a_tok = regex.split(r"(\s+)", repl)
    n = min(len(b_tok), len(a_tok))
    i = 0
    while i + 1 < n and b_tok[i] == a_tok[i] and b_tok[i + 1] == a_tok[i + 1]:
        i += 2
    j = 0
    while i + j + 2 < n and b_tok[-1 - j] == a_tok[-1 - j] and b_tok[-2 - j] == a_tok[-2 - j]:
        j += 2
    pre = sum(len(t) for t in b_tok[:i])
    post = sum(len(t) for t in b_tok[len(b_tok) - j:]) if j else 0
    a_pre = sum(len(t) for t in a_tok[:i])
    a_post = sum(len(t) for t in a_tok[len(a_tok) - j:]) if j else 0
    return s + pre, e - post, repl[a_pre:len(repl) - a_post]


# -- loading -------------------------------------------------------------------------

def load_rule_file(path: Path, text: str | None = None) -> list[Rule]:
    """Read and validate one rules/*.toml file (or `text`, as that file would hold it);
    the first problem is an EditionError."""
    if text is None:
        size = path.stat().st_size if path.exists() else 0
        if size > MAX_RULE_FILE:
            raise EditionError(display_path(path), f"rule file of {size:,} bytes is larger than the limit of "
                                                   f"{MAX_RULE_FILE:,}; split it")
    data, text = load_toml(path) if text is None else (parse_toml(text, path), text)
    unknown = set(data) - {"rule"}
    if unknown:
        raise EditionError(display_path(path), f"unknown top-level key {sorted(unknown)[0]!r} (expected [[rule]] tables)")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise EditionError(display_path(path), "'rule' must be an array of tables: write [[rule]]")
    rules = []
    headers = header_lines(text, "rule")
    for i, table in enumerate(tables):
        spec = validate(RuleSpec, table, path=path, text=text, array="rule", index=i)
        rules.append(Rule(spec, path, headers[i] if i < len(headers) else None))
    return rules


def rule_files(root: Path) -> list[Path]:
    """The rule files of a project: rules/*.toml except the name authority."""
    d = root / "rules"
    return sorted(p for p in d.glob("*.toml") if p.name != "names.toml") if d.is_dir() else []


def _kept_rule_file(path: Path) -> list[Rule]:
    """load_rule_file(path), kept in the user cache by the file's bytes and the code
    (pipeline.cache.kept_pickle), each rule's patterns compiled: reading and validating the corpus's
    144 rules (pydantic; every pattern compiled and checked) took 0.04 s of each run's start, before
    its worker is forked, and each process compiled the context patterns again; the kept rules are
    read in 0.002 s (the regex module pickles a compiled pattern's code, not its source). A file
    with a problem is refused as load_rule_file refuses it, and nothing is kept."""
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is None or len(data) > MAX_RULE_FILE:
        return load_rule_file(path)  # its own error
    from pipeline.cache import kept_pickle

    def make() -> list[Rule]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return load_rule_file(path)  # refused: not UTF-8
        rules = load_rule_file(path, text)
        for r in rules:
            r.pattern, r.contexts  # noqa: B018 (compiled now, kept compiled)
        return rules
    rules = kept_pickle("rules", (data,), make)
    for r in rules:  # kept by content: the same file elsewhere (a copied project) reads them too
        r.path = path
    return rules


def load_rules(root: Path, known_witnesses: set[str] | None = None) -> list[Rule]:
    """Every rule of the project; duplicate ids and unknown scopes are errors."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for path in rule_files(root):
        for r in _kept_rule_file(path):
            if r.id in seen:
                raise EditionError(r.where, f"rule id {r.id!r} is already used at {seen[r.id].where}")
            if known_witnesses is not None:
                for s in r.spec.scope:
                    if s not in known_witnesses and s not in ("*", "en", "ru"):
                        raise EditionError(r.where, f"rule {r.id!r}: field 'scope': unknown witness or language {s!r}")
            seen[r.id] = r
            rules.append(r)
    return rules


# -- applying ------------------------------------------------------------------------

@dataclass
class Hit:
    rule: Rule
    start: int
    end: int
    replacement: str


def find_hits(rules: list[Rule], text: str) -> list[Hit]:
    """All rules' hits on one text, sorted; two rules claiming overlapping spans is an error."""
    hits = [Hit(r, s, e, repl) for r in rules for s, e, repl in r.hits(text)]
    hits.sort(key=lambda h: (h.start, h.end))
    for a, b in zip(hits, hits[1:]):
        if b.start < a.end and a.rule is not b.rule:
            raise EditionError(a.rule.where, f"rules {a.rule.id!r} and {b.rule.id!r} ({b.rule.where}) both claim "
                                             f"{text[min(a.start, b.start):max(a.end, b.end)]!r}; narrow one of them")
    kept, last = [], -1
    for h in hits:  # a rule overlapping itself (e.g. a greedy regex): keep the first
        if h.start >= last:
            kept.append(h)
            last = h.end
    return kept


def apply_hits(text: str, hits: list[Hit]) -> str:
    out, pos = [], 0
    for h in hits:
        out.append(text[pos:h.start])
        out.append(h.replacement)
        pos = h.end
    out.append(text[pos:])
    return "".join(out)


# -- testing examples ----------------------------------------------------------------

def split_example(example: str) -> tuple[str, str | None]:
    """'text => expected' or just 'text'."""
    if " => " in example:
        a, b = example.split(" => ", 1)
        return a, b
    return example, None


def is_real_word(rule: Rule, lexicon=None) -> bool:
    """Is the damaged reading made of real words, so that it can stand correctly elsewhere?"""
    if rule.spec.real_word is not None:
        return rule.spec.real_word
    if rule.spec.regex:
        return True
    words = regex.findall(r"\w+", rule.spec.match)
    lang = "ru" if regex.search(r"\p{Cyrillic}", rule.spec.match) else "en"
    return bool(words) and all(shared(lang).zipf(w) >= 2.0 for w in words)


def _scopes_meet(a: Rule, b: Rule) -> bool:
    """Could two rules ever run on the same witness?"""
    sa, sb = set(a.spec.scope), set(b.spec.scope)
    langs = {"*", "en", "ru"}
    return bool(sa & sb) or bool((sa | sb) & langs)


def test_rule(rule: Rule, others: list[Rule] | None = None) -> list[str]:
    """Run a rule's examples; return the failures (empty when it passes)."""
    fails: list[str] = []
    s = rule.spec
    for ex in s.must_change:
        src, expected = split_example(ex)
        hits = find_hits([rule], src)
        got = apply_hits(src, hits)
        if not hits or got == src:
            fails.append(f"must change but does not: {src!r}")
        elif expected is not None and got != expected:
            fails.append(f"{src!r} became {got!r}, expected {expected!r}")
        if others:
            scoped = [o for o in others if o is not rule and _scopes_meet(o, rule)]
            try:
                find_hits([rule] + scoped, src)
            except EditionError as exc:
                fails.append(exc.problem)
    for ex in s.must_not_change:
        src, _ = split_example(ex)
        hits = find_hits([rule], src)
        if hits:
            fails.append(f"must not change but does: {src!r} -> {apply_hits(src, hits)!r}")
    if not s.must_not_change and is_real_word(rule):
        fails.append("real-word rule without a must_not_change example")
    return fails


def known_witnesses(root: Path) -> set[str] | None:
    """The witness ids of raw/witnesses.toml (None when there is no valid catalogue)."""
    try:
        return {w.id for w in load_corpus(root / "raw").witnesses}
    except EditionError:
        return None


def run_rule_tests(root: Path) -> dict[str, list[str]]:
    """Every rule's failures by rule id (`edition rules test` and the test suite)."""
    rules = load_rules(root, known_witnesses(root))
    return {r.id: test_rule(r, rules) for r in rules}
