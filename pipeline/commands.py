"""`edition run` and `edition clean`: read raw input, run the stages, write outputs."""
from __future__ import annotations

import argparse
import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.context import Resources
from pipeline.errors import EditionError
from pipeline.model import Witness
from pipeline.outputs import write_files
from pipeline.review import load_decisions
from pipeline.run import Cleaned, Decisions, changes_jsonl, clean_witness, queries_tsv
from pipeline.stages.decode import decode_bytes
from pipeline.tomlio import display_path
from pipeline.witnesses import Corpus, load_corpus

err = Console(stderr=True)


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True)


def read_witness(root: Path, corpus: Corpus, wid: str) -> tuple[str, str, Decisions]:
    """A witness's raw text (decoded), its encoding and the proofreader's decisions; bad input raises."""
    w = corpus.get(wid)
    raw_path = corpus.path(w)
    raw, encoding = decode_bytes(raw_path.read_bytes(), display_path(raw_path), w.encoding)
    if w.newline == "lf" and "\r" in raw:
        line = raw.count("\n", 0, raw.index("\r")) + 1
        raise EditionError(display_path(raw_path), 'CRLF or CR line ends, but raw/witnesses.toml says newline = "lf"',
                           line=line)
    return raw, encoding, load_decisions(root / "review" / f"{wid}.toml")


def clean_corpus(root: Path, corpus: Corpus, ids: list[str], res: Resources, quiet: bool = True,
                 jobs: int = 1) -> dict[str, Cleaned]:
    """Decode and clean the given witnesses; nothing is written.

    Every input is read (and refused if bad) before any cleaning starts. With jobs > 1
    the witnesses are cleaned in parallel processes: a stage is a pure function of one
    witness plus read-only shared data, so the results are the same.
    """
    inputs = {wid: read_witness(root, corpus, wid) for wid in ids}
    out: dict[str, Cleaned] = {}
    with _progress(quiet) as progress:
        task = progress.add_task("cleaning", total=len(ids))
        if jobs > 1 and len(ids) > 1:
            with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(res.root),)) as pool:
                futures = {wid: pool.submit(_clean_in_worker, raw, corpus.get(wid), decisions, enc)
                           for wid, (raw, enc, decisions) in inputs.items()}
                for wid in ids:
                    out[wid] = futures[wid].result()
                    progress.advance(task)
            return out
        for wid, (raw, encoding, decisions) in inputs.items():
            progress.update(task, description=f"cleaning {wid}")
            out[wid] = clean_witness(raw, corpus.get(wid), res, decisions, facts={"encoding": encoding})
            progress.advance(task)
    return out


_WORKER_RESOURCES: Resources | None = None


def _init_worker(root: str) -> None:
    global _WORKER_RESOURCES
    _WORKER_RESOURCES = Resources(Path(root))


def _clean_in_worker(raw: str, w: Witness, decisions: Decisions, encoding: str) -> Cleaned:
    assert _WORKER_RESOURCES is not None
    return clean_witness(raw, w, _WORKER_RESOURCES, decisions, facts={"encoding": encoding})


def witness_files(root: Path, cleaned: dict[str, Cleaned]) -> dict[Path, str]:
    files: dict[Path, str] = {}
    for wid, c in cleaned.items():
        files[root / "clean" / f"{wid}.txt"] = c.text
        files[root / "clean" / f"{wid}.changes.jsonl"] = changes_jsonl(c.changes)
        files[root / "reports" / f"{wid}.queries.tsv"] = queries_tsv(c.queries)
    return files


def witness_manifest(cleaned: dict[str, Cleaned]) -> str:
    """reports/witnesses.json: what was found out about each witness (detected encoding,
    measured layout) and how much was changed, for tools and for the record."""
    out = []
    for wid, c in cleaned.items():
        w = c.witness
        out.append({"id": wid, "file": w.file, "language": w.language, "work": w.work, "role": w.role,
                    "encoding": c.facts.get("encoding", w.encoding),
                    "raw_sha256": hashlib.sha256(c.doc.raw.encode("utf-8")).hexdigest(),
                    "raw_chars": len(c.doc.raw), "clean_chars": len(c.text),
                    "paragraphs": sum(1 for p in c.text.split("\n") if p.strip()),
                    "layout": c.facts.get("layout", {}), "changes": len(c.changes), "queries": len(c.queries)})
    return json.dumps({"witnesses": out}, ensure_ascii=False, indent=2) + "\n"


def cmd_run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    ids = args.only or [w.id for w in corpus.witnesses]
    for wid in ids:
        corpus.get(wid)  # unknown ids fail before any work
    cleaned = clean_corpus(root, corpus, ids, res, args.quiet, jobs=_jobs(args))
    files = witness_files(root, cleaned)
    if not args.only:
        files[root / "reports" / "witnesses.json"] = witness_manifest(cleaned)
    if not args.no_collate:
        from pipeline.collate import collate_corpus
        files.update(collate_corpus(root, corpus, res, {wid: c.text for wid, c in cleaned.items()}))
    from pipeline.report import build_reports
    files.update(build_reports(root, corpus, cleaned, files))
    write_files(files)
    for wid, c in cleaned.items():
        report_decisions(wid, c)
    if not args.quiet:
        for wid, c in cleaned.items():
            err.print(f"{wid}: {len(c.changes)} changes, {len(c.queries)} queries"
                      + (f", {len(c.stale)} stale decisions" if c.stale else ""))
    return 0


def report_decisions(wid: str, c: Cleaned, most: int = 10) -> None:
    """Say which review decisions did not take effect: stale ids, refused rejections."""
    for sid in c.stale[:most]:
        print(f"review/{wid}.toml: stale decision {sid!r}: no such change or query in this run", file=sys.stderr)
    if len(c.stale) > most:
        print(f"review/{wid}.toml: ... and {len(c.stale) - most} more stale decisions (see reports/index.html)",
              file=sys.stderr)
    for cid in c.refused:
        print(f"review/{wid}.toml: rejection of {cid!r} not applied: undoing a line join or hyphen decision "
              "alone would leave a line break inside a paragraph; answer its query or write a rule", file=sys.stderr)


def cmd_clean(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    res = Resources(root)
    paths = [Path(t) for t in args.targets]
    if args.out is None:  # witness ids
        corpus = load_corpus(root / "raw")
        for wid in args.targets:
            corpus.get(wid)
        cleaned = clean_corpus(root, corpus, list(args.targets), res, args.quiet)
        write_files(witness_files(root, cleaned))
        return 0
    if not args.lang:
        raise EditionError(None, "--lang en|ru is required to clean plain-text files")
    files: dict[Path, str] = {}
    names: set[str] = set()
    for p in paths:
        if not p.is_file():
            raise EditionError(p, "file not found")
        name = p.stem
        if name in names:
            raise EditionError(p, f"two input files named {name!r}; outputs would collide")
        names.add(name)
        raw, encoding = decode_bytes(p.read_bytes(), str(p), args.encoding)
        if not args.quiet and (encoding not in ("utf-8", args.encoding) or "\r" in raw):
            crlf = ", CR/CRLF line ends normalised" if "\r" in raw else ""
            err.print(f"{p}: decoded as {encoding}{crlf} (recorded in the change log)")
        w = Witness(id=_slug(name), file=str(p), language=args.lang, work=_slug(name), role="original", origin="file",
                    encoding=encoding)
        c = clean_witness(raw, w, res, facts={"encoding": encoding})
        files[args.out / f"{name}.txt"] = c.text
        files[args.out / f"{name}.changes.jsonl"] = changes_jsonl(c.changes)
        files[args.out / f"{name}.queries.tsv"] = queries_tsv(c.queries)
    write_files(files)
    if not args.quiet:
        err.print(f"cleaned {len(paths)} file(s) into {args.out}")
    return 0


def _jobs(args: argparse.Namespace) -> int:
    jobs = getattr(args, "jobs", 1) or 1
    return (os.cpu_count() or 1) if jobs < 0 else jobs


def _slug(name: str) -> str:
    import re
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s or "text"
