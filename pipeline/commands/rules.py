"""`edition rules test|check|add`: test every rule's examples, show each rule's hits
across raw/, scaffold a new rule from a reading and its correction (pipeline.rules is the engine)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.authority import transliterate
from pipeline.context import Resources
from pipeline.errors import EditionError
from pipeline.model import slug
from pipeline.outputs import write_files
from pipeline.rules import KINDS, Rule, RuleSpec, find_hits, is_real_word, known_witnesses, load_rule_file, \
    load_rules, test_rule
from pipeline.run import run_stages
from pipeline.sources import read_raw
from pipeline.tomlio import display_path
from pipeline.witnesses import load_corpus


def _console():
    return Console()


def _plain(text: str):
    """A table cell shown as written (rich would read "[rank and tile→...]" as markup)."""
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


def _cmd_test(root: Path, args) -> int:
    if not (root / "rules").is_dir():
        raise EditionError(display_path(root / "rules"), "no rules folder here: not an edition project "
                           "(run in the project folder, or pass --root PROJECT)")
    rules = load_rules(root, known_witnesses(root))
    results = {r.id: test_rule(r, rules) for r in rules}
    failed = {k: v for k, v in results.items() if v}
    if args.json:
        print(json.dumps({"rules": len(results), "failed": failed}, ensure_ascii=False, indent=1))
    else:
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
    """Each witness's text as the stage `upto` sees it, with its Document (for raw line numbers)."""
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    out = {}
    for w in corpus.witnesses:
        doc = run_stages(read_raw(corpus, w.id), w, res, upto=upto).doc
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
    rules = load_rules(root, known_witnesses(root))
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


def scaffold(root: Path, match: str, replacement: str, kind: str, scope: str | None, rule_id: str | None,
             path: Path | None = None) -> tuple[str, list[dict]]:
    """The TOML text of a new rule, and its hits across the corpus (`path`: the file it goes to)."""
    if " ".join(match.split()) == " ".join(replacement.split()):
        raise EditionError(None, f"{match!r} -> {replacement!r} changes nothing: a rule must change the text")
    probe = RuleSpec(id="probe", match=match, replacement=replacement, scope=["*"], kind=kind
                     if kind in KINDS else "scanno", note="probe", must_change=[match])
    probe_rule = Rule(probe, path or root / "rules" / "local.toml", None)
    hits = rule_hits_in_corpus(root, [probe_rule])["probe"]
    if not hits:
        raise EditionError(None, f"{match!r} occurs nowhere in the texts the rules stage sees: a rule with no "
                           "hit would do nothing (check the spelling; `edition rules check` shows hits)")
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
    rid = rule_id or slug(f"{witnesses[0].split('-')[0] if len(witnesses) == 1 else 'all'} {transliterate(match)}", "rule")[:40]
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
    path = Path(args.file)
    path = path if path.is_absolute() else root / path
    text, hits = scaffold(root, args.match, args.replacement, args.kind, args.scope, args.id, path)
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Local correction rules (edition rules add)\n"
    new_rules = load_rule_file(path, existing + text)  # the file as it would be written, validated
    ids = {r.id for r in load_rules(root)}
    if new_rules[-1].id in ids:
        raise EditionError(display_path(path), f"rule id {new_rules[-1].id!r} already exists; pass --id")
    if args.json:
        print(json.dumps({"file": display_path(path), "toml": text, "hits": hits}, ensure_ascii=False, indent=1))
    else:
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
    write_files({path: existing + text})
    print(f"written to {display_path(path)}; add a must_not_change example and run `edition rules test`",
          file=sys.stderr)
    return 0
