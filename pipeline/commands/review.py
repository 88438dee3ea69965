"""Saving a proofreader's decisions where they belong: review/<id>.toml (and words in
rules/words/<lang>.txt), from `edition serve` or `edition review import FILE`.

Both go through `save_review`: the decisions are validated exactly as the run reads
a review file (the text to be written is parsed back), checked against the last
run (a decision about an id that is no change or query of it is refused, unless the
file already holds it), and written atomically.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import EditionError
from pipeline.model import Change
from pipeline.outputs import write_files
from pipeline.report.files import read_changes, read_queries
from pipeline.review import HYPHEN_RULES, Decision, dump_review, parse_review, read_review, review_words
from pipeline.tomlio import load_toml, parse_toml
from pipeline.witnesses import load_corpus
from pipeline.wordlist import add_word


def review_path(root: Path, wid: str) -> Path:
    return root / "review" / f"{wid}.toml"


def file_sha(path: Path) -> str:
    """The version of a review file a page was made from ("" for no file)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@dataclass
class Saved:
    file: str
    total: int
    new: int
    changed: int
    removed: int
    sha: str
    words: list[str]


def last_run_ids(root: Path, wid: str) -> tuple[dict[str, Change], set[str]]:
    """The changes (by id) and query ids of the last run of a witness."""
    log = root / "clean" / f"{wid}.changes.jsonl"
    tsv = root / "reports" / f"{wid}.queries.tsv"
    if not log.exists():
        raise EditionError(f"clean/{wid}.changes.jsonl", "not found; run `edition run` first")
    changes = {c.id: c for c in read_changes(log.read_text(encoding="utf-8"))}
    queries = {q.id for q in read_queries(tsv)} if tsv.exists() else set()
    return changes, queries


def save_review(root: Path, wid: str, decisions: list[Decision], base: str | None = None,
                words: list[str] | tuple = (), shown: str = "") -> Saved:
    """Replace review/<wid>.toml by these decisions (the page's or an import's whole set).

    `base`: the file version the decisions were made on (file_sha); if the file changed
    since, nothing is written (a conflict). Words go to rules/words/<language>.txt."""
    corpus = load_corpus(root / "raw")
    w = corpus.get(wid)
    path = review_path(root, wid)
    where = f"review/{wid}.toml"
    if base is not None and base != file_sha(path):
        raise EditionError(where, "changed since this page was made (saved elsewhere or edited by hand); "
                           "reload the page: your decisions are kept in the browser")
    old = {d.id: d for d in read_review(path, witness=wid)}
    changes, queries = last_run_ids(root, wid)
    seen: set[str] = set()
    for d in decisions:
        if d.id in seen:
            raise EditionError(shown or where, f"two decisions for {d.id!r}: keep one")
        seen.add(d.id)
        known = d.id in changes or d.id in queries
        if not known and not (d.id in old and old[d.id].action == d.action):
            raise EditionError(shown or where, f"decision {d.action} {d.id!r} is stale: no change or query of "
                               f"the last run has that id (run `edition run` and reload the page)")
        if d.action in ("reject", "paragraph", "hyphen") and d.id in queries:
            raise EditionError(shown or where, f"{d.id!r} is a query: answer it with resolve or accept, not {d.action}")
        if d.action == "resolve" and d.id in changes:
            raise EditionError(shown or where, f"{d.id!r} is a change: accept or reject it, not resolve")
        if d.action == "paragraph" and d.id in changes:
            c = changes[d.id]
            if "\n" not in c.before or c.after.strip() or any(r.startswith("hyphen.") for r in c.rule.split("+")):
                raise EditionError(shown or where, f"change {d.id!r} ({c.rule}) is no line join between words: "
                                   "'paragraph break here' answers a line join")
        if d.action == "hyphen" and d.id in changes and not set(changes[d.id].rule.split("+")) & set(HYPHEN_RULES):
            raise EditionError(shown or where, f"change {d.id!r} ({changes[d.id].rule}) is no line-end hyphen decision "
                               f"({' or '.join(HYPHEN_RULES)})")
    text = dump_review(wid, decisions)
    parse_review(parse_toml(text, path), text, path, wid)  # what the run will read, validated before writing
    files: dict[Path, str] = {path: text}
    added = add_words(root, w.language, words, files)
    write_files(files)
    ids = {d.id: d for d in decisions}
    new_n = sum(1 for i in ids if i not in old)
    changed = sum(1 for i, d in ids.items() if i in old and (old[i].action, old[i].reading, old[i].note)
                  != (d.action, d.reading, d.note))
    return Saved(where, len(decisions), new_n, changed, sum(1 for i in old if i not in ids), file_sha(path), added)


def add_words(root: Path, name: str, words, files: dict[Path, str]) -> list[str]:
    """Add words to rules/words/<name>.txt in `files` (to be written); the words that were new."""
    added: list[str] = []
    for word in words:
        wpath, wtext, new = add_word(root, name, word, files.get(root / "rules" / "words" / f"{name}.txt"))
        if new:
            files[wpath] = wtext
            added.append(word)
    return added


def import_review(root: Path, path: Path, witness: str | None = None) -> Saved:
    """An exported review file merged into review/<id>.toml: its decisions replace the file's
    for the same ids; the file's others stay."""
    if not path.is_file():
        raise EditionError(path, "file not found")
    data, text = load_toml(path)
    wid = witness or data.get("witness") or path.stem
    incoming = parse_review(data, text, path, wid)
    words = review_words(path)
    old = read_review(review_path(root, wid), witness=wid)
    merged = {d.id: d for d in old}
    merged.update({d.id: d for d in incoming})
    return save_review(root, wid, list(merged.values()), words=words, shown=str(path))


def cmd_review(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if args.review_command == "import":
        for f in args.files:
            s = import_review(root, Path(f), args.witness)
            print(f"{s.file}: {s.total} decisions ({s.new} new, {s.changed} changed); run `edition run` to apply them"
                  + (f"; words added to rules/words/: {', '.join(s.words)}" if s.words else ""), file=sys.stderr)
        return 0
    raise EditionError(None, f"unknown review action {args.review_command!r}")
