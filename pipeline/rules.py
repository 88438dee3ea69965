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
naming both. `cmd_rules` is `edition rules test|check|add`.
"""
from __future__ import annotations

import argparse
import json
import sys
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
from pipeline.tomlio import display_path, line_of, load_toml, validate

KINDS = ("scanno", "typo", "name", "spacing", "punct", "case")
REGEX_TIMEOUT = 0.5  # seconds for one rule over one text; a runaway rule is an error, not a hang
CONTEXT_WINDOW = 120  # characters looked at for before/not_before


class RuleSpec(BaseModel):
    """One [[rule]] table as a maintainer writes it (validated; unknown fields refused)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    match: str = Field(min_length=1)
    replacement: str
    regex: bool = False
    word: bool = True
    ignore_case: bool = False
    scope: list[str] = Field(min_length=1)
    kind: Literal["scanno", "typo", "name", "spacing", "punct", "case"]
    note: str = Field(min_length=1)
    before: str | None = None
    after: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    real_word: bool | None = None
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    must_change: list[str] = Field(min_length=1)
    must_not_change: list[str] = []

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_list(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("before", "after", "not_before", "not_after")
    @classmethod
    def _safe_context(cls, v):
        if v is not None:
            check_regex(v)
        return v

    @model_validator(mode="after")
    def _safe_match(self):
        try:
            check_regex(self.match if self.regex else literal_pattern(self.match))
        except ValueError as exc:
            raise ValueError(f"field 'match': {exc}") from None
        return self


def check_regex(pattern: str) -> None:
    """Refuse a regex that does not compile or that could backtrack catastrophically.

    >>> check_regex(r"rank\\s+and\\s+tile")
    >>> check_regex(r"(a+)+b")
    Traceback (most recent call last):
    ValueError: nested quantifier (a quantified group containing a quantifier): could run away
    """
    try:
        regex.compile(pattern)
    except regex.error as exc:
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
        body = self.spec.match if self.spec.regex else literal_pattern(self.spec.match)
        if self.spec.word:
            body = rf"(?<!\w)(?:{body})(?!\w)"
        flags = regex.V0 | (regex.IGNORECASE if self.spec.ignore_case else 0)
        return regex.compile(body, flags)

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
                repl = m.expand(self.spec.replacement) if self.spec.regex else self.spec.replacement
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

def load_rule_file(path: Path) -> list[Rule]:
    """Read and validate one rules/*.toml file; the first problem is an EditionError."""
    data, text = load_toml(path)
    unknown = set(data) - {"rule"}
    if unknown:
        raise EditionError(display_path(path), f"unknown top-level key {sorted(unknown)[0]!r} (expected [[rule]] tables)")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise EditionError(display_path(path), "'rule' must be an array of tables: write [[rule]]")
    rules = []
    for i, table in enumerate(tables):
        try:
            spec = validate(RuleSpec, table, path=path, text=text, array="rule", index=i)
        except EditionError:
            raise
        rules.append(Rule(spec, path, line_of(text, "rule", i)))
    return rules


def rule_files(root: Path) -> list[Path]:
    """The rule files of a project: rules/*.toml except the name authority."""
    d = root / "rules"
    return sorted(p for p in d.glob("*.toml") if p.name != "names.toml") if d.is_dir() else []


def load_rules(root: Path, known_witnesses: set[str] | None = None) -> list[Rule]:
    """Every rule of the project; duplicate ids and unknown scopes are errors."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for path in rule_files(root):
        for r in load_rule_file(path):
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
    from pipeline.lexicon import shared
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


# -- the commands --------------------------------------------------------------------

def _console():
    from rich.console import Console
    return Console()


def _plain(text: str):
    """A table cell shown as written (rich would read "[rank and tile→...]" as markup)."""
    from rich.text import Text
    return Text(text)


def cmd_rules(args: argparse.Namespace) -> int:
    """`edition rules test|check|add`."""
    root = args.root.resolve()
    action = args.rules_command
    if action == "test":
        return _cmd_test(root, args)
    if action == "check":
        return _cmd_check(root, args)
    if action == "add":
        return _cmd_add(root, args)
    raise EditionError(None, f"unknown rules action {action!r}")


def _known_witnesses(root: Path) -> set[str] | None:
    try:
        from pipeline.witnesses import load_corpus
        return {w.id for w in load_corpus(root / "raw").witnesses}
    except EditionError:
        return None


def run_rule_tests(root: Path) -> dict[str, list[str]]:
    """Every rule's failures by rule id (also used by the test suite)."""
    rules = load_rules(root, _known_witnesses(root))
    return {r.id: test_rule(r, rules) for r in rules}


def _cmd_test(root: Path, args) -> int:
    rules = load_rules(root, _known_witnesses(root))
    results = {r.id: test_rule(r, rules) for r in rules}
    failed = {k: v for k, v in results.items() if v}
    if args.json:
        print(json.dumps({"rules": len(results), "failed": failed}, ensure_ascii=False, indent=1))
    else:
        from rich.table import Table
        con = _console()
        if failed:
            t = Table(title=f"{len(failed)} of {len(results)} rules FAIL their examples")
            t.add_column("rule", style="bold red")
            t.add_column("where")
            t.add_column("failure")
            by_id = {r.id: r for r in rules}
            for rid, fs in failed.items():
                for f in fs:
                    t.add_row(rid, by_id[rid].where, _plain(f))
            con.print(t)
        n_ex = sum(len(r.spec.must_change) + len(r.spec.must_not_change) for r in rules)
        con.print(f"{len(results) - len(failed)}/{len(results)} rules pass ({n_ex} examples)")
    return 1 if failed else 0


def corpus_texts(root: Path, upto: str = "rules") -> dict[str, tuple]:
    """Each witness's text as the rules stage sees it, with its Document (for raw line numbers)."""
    from pipeline.context import Context, Resources
    from pipeline.run import stage_function
    from pipeline.stages.decode import decode_bytes
    from pipeline.text import Document
    from pipeline.witnesses import load_corpus
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    out = {}
    for w in corpus.witnesses:
        p = corpus.path(w)
        raw, _ = decode_bytes(p.read_bytes(), display_path(p), w.encoding)
        doc = Document(raw, w.id)
        ctx = Context(w, res, res.policy(w))
        for name in res.config.get("stages", []):
            if name == upto:
                break
            doc.apply(name, stage_function(name)(doc.text, ctx).edits)
        out[w.id] = (w, doc)
    return out


def rule_hits_in_corpus(root: Path, rules: list[Rule]) -> dict[str, list[dict]]:
    """rule id -> hits across the corpus: witness, raw line, the reading and its context."""
    texts = corpus_texts(root)
    out: dict[str, list[dict]] = {r.id: [] for r in rules}
    for wid, (w, doc) in texts.items():
        text = doc.text
        scoped = [r for r in rules if r.applies_to(w.id, w.language)]
        for h in find_hits(scoped, text):
            line, col = doc.line_col(doc.raw_offset(h.start))
            a, b = max(0, h.start - 40), min(len(text), h.end + 40)
            out[h.rule.id].append({"witness": wid, "line": line, "col": col, "before": text[h.start:h.end],
                                   "after": h.replacement, "left": text[a:h.start], "right": text[h.end:b],
                                   "context": (text[a:h.start] + "[" + text[h.start:h.end] + "→" + h.replacement + "]"
                                               + text[h.end:b]).replace("\n", " ")})
    return out


MANY = 25  # a rule with more hits than this deserves a second look


def _cmd_check(root: Path, args) -> int:
    rules = load_rules(root, _known_witnesses(root))
    if args.rule:
        rules = [r for r in rules if r.id == args.rule]
        if not rules:
            raise EditionError(None, f"no rule with id {args.rule!r}")
    hits = rule_hits_in_corpus(root, rules)
    flags = {r.id: ("no hit" if not hits[r.id] else f"{len(hits[r.id])} hits: suspiciously many"
                    if len(hits[r.id]) > MANY else "") for r in rules}
    if args.json:
        print(json.dumps({r.id: {"where": r.where, "hits": hits[r.id], "flag": flags[r.id]} for r in rules},
                         ensure_ascii=False, indent=1))
        return 0
    from rich.table import Table
    t = Table(title="rule hits across raw/ (line numbers of raw files)", show_lines=False)
    for c in ("rule", "witness:line", "in context", "flag"):
        t.add_column(c, overflow="fold")
    for r in rules:
        hs = hits[r.id]
        if not hs:
            t.add_row(r.id, "-", "", f"[yellow]{flags[r.id]}[/]")
        for i, h in enumerate(hs[:MANY]):
            t.add_row(r.id if i == 0 else "", f"{h['witness']}:{h['line']}", _plain(h["context"]),
                      f"[yellow]{flags[r.id]}[/]" if i == 0 and flags[r.id] else "")
    _console().print(t)
    n_flag = sum(1 for f in flags.values() if f)
    _console().print(f"{len(rules)} rules, {sum(len(h) for h in hits.values())} hits, {n_flag} flagged")
    return 0


def _slug(text: str) -> str:
    return regex.sub(r"[^a-z0-9а-яё]+", "-", text.lower()).strip("-")[:40] or "rule"


def scaffold(root: Path, match: str, replacement: str, kind: str, scope: str | None, rule_id: str | None) -> tuple[str, list[dict]]:
    """The TOML text of a new rule, and its hits across the corpus."""
    probe = RuleSpec(id="probe", match=match, replacement=replacement, scope=["*"], kind=kind
                     if kind in KINDS else "scanno", note="probe", must_change=[match])
    probe_rule = Rule(probe, root / "rules" / "local.toml", None)
    hits = rule_hits_in_corpus(root, [probe_rule])["probe"]
    witnesses = sorted({h["witness"] for h in hits})
    if scope is None:
        scope_list = witnesses if 0 < len(witnesses) <= 2 else ["*"]
    else:
        scope_list = [scope]
    example, fixed = match, replacement
    if hits:
        h = hits[0]
        left = " ".join(h["left"].split()[-4:])
        right = " ".join(h["right"].split()[:4])
        sep_l = " " if h["left"][-1:].isspace() else ""
        sep_r = " " if h["right"][:1].isspace() else ""
        example = f"{left}{sep_l}{h['before']}{sep_r}{right}".strip()
        example = " ".join(example.split())
        fixed = example.replace(" ".join(h["before"].split()), replacement, 1)
    rid = rule_id or _slug(f"{witnesses[0].split('-')[0] if len(witnesses) == 1 else 'all'}.{match}")
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731  (a JSON string is a valid TOML basic string)
    lines = ["", "[[rule]]", f"id = {q(rid)}", f"match = {q(match)}", f"replacement = {q(replacement)}",
             f"scope = {q(scope_list)}".replace('", "', '", "'), f"kind = {q(kind)}",
             f"note = {q(f'{match!r} is damage for {replacement!r} (scaffolded by edition rules add; say why)')}",
             f"must_change = [{q(example + ' => ' + fixed)}]"]
    if is_real_word(probe_rule):
        lines.append('must_not_change = []  # TODO: real words: add a sentence where the reading is correct')
    else:
        lines.append("must_not_change = []")
    return "\n".join(lines) + "\n", hits


def _cmd_add(root: Path, args) -> int:
    text, hits = scaffold(root, args.match, args.replacement, args.kind, args.scope, args.id)
    path = Path(args.file)
    path = path if path.is_absolute() else root / path
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Local correction rules (edition rules add)\n"
    # validate the file as it would be written
    tmp = path.with_name(path.name + ".check.tmp")
    tmp.write_text(existing + text, encoding="utf-8")
    try:
        new_rules = load_rule_file(tmp)
        ids = {r.id for r in load_rules(root)}
        if new_rules[-1].id in ids:
            raise EditionError(display_path(path), f"rule id {new_rules[-1].id!r} already exists; pass --id")
    finally:
        tmp.unlink(missing_ok=True)
    if args.json:
        print(json.dumps({"file": display_path(path), "toml": text, "hits": hits}, ensure_ascii=False, indent=1))
    else:
        from rich.table import Table
        con = _console()
        t = Table(title=f"{len(hits)} hits of {args.match!r}")
        t.add_column("witness:line")
        t.add_column("in context", overflow="fold")
        for h in hits:
            t.add_row(f"{h['witness']}:{h['line']}", _plain(h["context"]))
        con.print(t)
        con.print(text, markup=False, highlight=False)
    if not args.yes:
        if not sys.stdin.isatty():
            print("not written (pass --yes to write without asking)", file=sys.stderr)
            return 1
        if input(f"append to {display_path(path)}? [y/N] ").strip().lower() not in ("y", "yes"):
            print("not written", file=sys.stderr)
            return 1
    from pipeline.outputs import write_files
    write_files({path: existing + text})
    print(f"written to {display_path(path)}; add a must_not_change example and run `edition rules test`",
          file=sys.stderr)
    return 0
