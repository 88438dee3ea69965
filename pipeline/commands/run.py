"""`edition run` and `edition clean`: read raw input, run the stages, write outputs."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.collate import collate_corpus
from pipeline.collate.segment import sentences
from pipeline.config import check_project, stages_of
from pipeline.context import Resources
from pipeline.errors import EditionError, one_line
from pipeline.model import Witness, slug
from pipeline.outputs import refuse_inputs, write_files
from pipeline.report import build_reports
from pipeline.report.files import changes_jsonl, queries_tsv, read_manifest, witness_files, witness_manifest
from pipeline.review import review_words
from pipeline.rules import test_rule
from pipeline.run import Cleaned, clean_corpus, clean_witness
from pipeline.sources import read_text_file
from pipeline.witnesses import Corpus, load_corpus

err = Console(stderr=True)


def progress_bar(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True)


def clean_with_progress(root: Path, corpus: Corpus, ids: list[str], res: Resources, quiet: bool = True,
                        jobs: int = 1) -> dict[str, Cleaned]:
    """pipeline.run.clean_corpus with a progress bar on a terminal."""
    with progress_bar(quiet) as progress:
        task = progress.add_task("cleaning", total=len(ids))
        return clean_corpus(root, corpus, ids, res, jobs=jobs,
                            on_start=lambda wid: progress.update(task, description=f"cleaning {wid}"),
                            on_done=lambda wid: progress.advance(task))


def build_edition(root: Path, only: list[str] | None = None, collate: bool = True, quiet: bool = True,
                  jobs: int = 1) -> tuple[dict[str, Cleaned], dict[Path, str]]:
    """Everything `edition run` does: clean, write clean/ and reports/ (all or nothing),
    collate; returns the cleaned witnesses and the files written."""
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    check_project(res, corpus)  # configuration, policy and rule scopes, before any work
    ids = only or [w.id for w in corpus.witnesses]
    for wid in ids:
        corpus.get(wid)  # unknown ids fail before any work
    warn_unknown_reviews(root, corpus)
    cleaned = clean_with_progress(root, corpus, ids, res, quiet, jobs=jobs)
    files = witness_files(root, cleaned)
    earlier = read_manifest(root / "reports" / "witnesses.json") if only else {}
    files[root / "reports" / "witnesses.json"] = witness_manifest([w.id for w in corpus.witnesses], cleaned, earlier)
    if collate:
        files.update(collate_corpus(root, corpus, res, {wid: c.text for wid, c in cleaned.items()}))
    files.update(build_reports(root, corpus, cleaned, files, split=sentences))
    refuse_inputs(files, [corpus.path(w) for w in corpus.witnesses], [root / "raw"])
    write_files(files)
    return cleaned, files


def warn_unknown_reviews(root: Path, corpus: Corpus) -> None:
    """A review file for no witness is never read: say so (a renamed witness, a typo)."""
    known = {w.id for w in corpus.witnesses}
    for p in sorted((root / "review").glob("*.toml")) if (root / "review").is_dir() else []:
        if p.stem not in known:
            print(f"edition: warning: review/{one_line(p.name)}: no witness {p.stem!r} in raw/witnesses.toml; "
                  "its decisions are not used", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    warn_failing_rules(Resources(args.root.resolve()))
    cleaned, _ = build_edition(args.root.resolve(), args.only, not args.no_collate, args.quiet, _jobs(args))
    for wid, c in cleaned.items():
        report_decisions(wid, c)
        words = review_words(args.root.resolve() / "review" / f"{wid}.toml")
        if words:  # an export saved by hand: its words belong in the word list, not here
            print(f"review/{wid}.toml: lists words for the word list ({', '.join(words[:5])}"
                  f"{', ...' if len(words) > 5 else ''}) that this run does not read: "
                  f"`edition review import review/{wid}.toml` moves them to rules/words/", file=sys.stderr)
    if not args.quiet:
        for wid, c in cleaned.items():
            err.print(f"{wid}: {len(c.changes)} changes, {len(c.queries)} queries"
                      + (f", {len(c.stale)} stale decisions" if c.stale else ""))
    return 0


def warn_failing_rules(res: Resources) -> None:
    """A rule whose own examples fail is applied anyway, but never silently."""
    for r in res.rules:
        fails = test_rule(r)  # its own examples (`edition rules test` also checks how rules meet)
        if fails:
            print(f"edition: WARNING: {r.where}: rule {r.id!r} fails its own examples "
                  f"({len(fails)}: {fails[0]}); it is applied anyway: fix it, then `edition rules test`",
                  file=sys.stderr)


def report_decisions(wid: str, c: Cleaned, most: int = 10) -> None:
    """Say how many review decisions took effect, and which did not: stale ids, refused rejections."""
    if c.review:
        n = len(c.review)
        print(f"review/{wid}.toml: {c.applied} of {n} decision{'s' if n != 1 else ''} applied"
              + (f", {len(c.stale)} stale" if c.stale else "")
              + (f", {len(c.refused)} refused" if c.refused else ""), file=sys.stderr)
    for sid in c.stale[:most]:
        print(f"review/{wid}.toml: stale decision {sid!r}: no such change or query in this run", file=sys.stderr)
    if len(c.stale) > most:
        print(f"review/{wid}.toml: ... and {len(c.stale) - most} more stale decisions (see reports/index.html)",
              file=sys.stderr)
    for cid in c.refused[:most]:
        print(f"review/{wid}.toml: rejection of {cid!r} not applied: undoing a line join or hyphen decision "
              "alone would leave a line break inside a paragraph; answer its query or write a rule", file=sys.stderr)
    if len(c.refused) > most:
        print(f"review/{wid}.toml: ... and {len(c.refused) - most} more rejections not applied (same reason)",
              file=sys.stderr)


def cmd_clean(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    res = Resources(root)
    paths = [Path(t) for t in args.targets]
    default_out = False
    if args.out is None and not _all_witness_ids(root, args.targets):
        for t, p in zip(args.targets, paths):
            if not p.is_file() and (p.suffix or "/" in t or "\\" in t or not (root / "raw" / "witnesses.toml").exists()):
                raise EditionError(t, "file not found (give witness ids of raw/witnesses.toml, or text files)")
        if all(p.is_file() for p in paths):
            args.out = paths[0].resolve().parent / "clean"  # plain files: never beside (or over) the input
            default_out = True
    if args.out is None:  # witness ids: what depends on them (reports, index, collation) is rewritten
        cleaned, _ = build_edition(root, list(dict.fromkeys(args.targets)), collate=True, quiet=args.quiet)
        for wid, c in cleaned.items():
            report_decisions(wid, c)
        return 0
    if not args.lang:
        raise EditionError(None, "--lang en|ru is required to clean plain-text files")
    if args.out.exists() and not args.out.is_dir():
        raise EditionError(args.out, "--out names a file; it must be a folder (made if missing)")
    check_project(res, None)
    if default_out and not args.quiet:
        err.print(f"no --out given: writing into {args.out}")
    files: dict[Path, str] = {}
    names: set[str] = set()
    for p in paths:
        if p.is_dir():
            raise EditionError(p, "is a folder, not a text file")
        if not p.is_file():
            raise EditionError(p, "file not found")
        name = p.stem
        if name in names:
            raise EditionError(p, f"two input files named {name!r}; outputs would collide")
        names.add(name)
        raw, encoding = read_text_file(p, args.encoding)
        if not args.quiet and (encoding not in ("utf-8", args.encoding) or "\r" in raw):
            crlf = ", CR/CRLF line ends normalised" if "\r" in raw else ""
            err.print(f"{p}: decoded as {encoding}{crlf} (recorded in the change log)")
        w = Witness(id=slug(name), file=str(p), language=args.lang, work=slug(name), role="original", origin="file",
                    encoding=encoding)
        c = clean_witness(raw, w, res, facts={"encoding": encoding})
        files[args.out / f"{name}.txt"] = c.text
        files[args.out / f"{name}.changes.jsonl"] = changes_jsonl(c.changes)
        files[args.out / f"{name}.queries.tsv"] = queries_tsv(c.queries)
        # what the stages measured of the file (layout, page furniture, conventions): the record
        # of how it was read
        files[args.out / f"{name}.layout.json"] = json.dumps(c.facts.get("layout", {}), ensure_ascii=False,
                                                                 indent=1, sort_keys=True) + "\n"
    refuse_inputs(files, paths, [root / "raw"])
    write_files(files)
    if not args.quiet:
        err.print(f"cleaned {len(paths)} file(s) into {args.out}")
    return 0


def _all_witness_ids(root: Path, targets: list[str]) -> bool:
    """Are these targets witness ids of the project's catalogue (raw/witnesses.toml)?"""
    if not (root / "raw" / "witnesses.toml").exists():
        return False
    ids = {w.id for w in load_corpus(root / "raw").witnesses}
    return all(t in ids for t in targets)


def _jobs(args: argparse.Namespace) -> int:
    jobs = getattr(args, "jobs", 1) or 1
    return (os.cpu_count() or 1) if jobs < 0 else jobs


def cmd_stages(args: argparse.Namespace) -> int:
    """The configured stages in order, as they declare themselves."""
    stages = stages_of(Resources(args.root.resolve()))
    rows = [{"name": s.name, "requires": list(s.requires), "assigns": list(s.assigns), "leaves": list(s.leaves),
             "kinds": list(s.kinds), "labels": s.labels, "doc": s.doc,
             "settings": {k: {"type": _type_name(f.annotation), "default": f.default}
                          for k, f in s.settings.model_fields.items()}} for s in stages]
    if args.json:
        print(json.dumps({"stages": rows}, ensure_ascii=False, indent=1))
        return 0
    con = Console()
    for i, r in enumerate(rows, 1):
        con.print(f"[bold]{i}. {r['name']}[/bold]  [dim]{r['doc']}[/dim]", highlight=False)
        for key in ("requires", "assigns", "leaves", "kinds"):
            if r[key]:
                con.print(f"   {key}: {', '.join(r[key])}", highlight=False)
        if r["labels"]:
            con.print("   labels: " + ", ".join(f"{k} = {v!r}" for k, v in r["labels"].items()), highlight=False)
        for k, f in r["settings"].items():
            con.print(f"   setting {k}: {f['type']} = {f['default']!r}", highlight=False)
    return 0


def _type_name(annotation) -> str:
    return annotation.__name__ if isinstance(annotation, type) else str(annotation).replace("typing.", "")
