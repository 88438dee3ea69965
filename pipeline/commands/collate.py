"""`edition collate` and `edition compare`: parse, call, write, print."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipeline.collate import collate_work, compare_texts, witness_texts
from pipeline.collate.model import WitnessText
from pipeline.collate.segment import paragraphs
from pipeline.collate.writers import coverage, report_files
from pipeline.context import Resources
from pipeline.errors import EditionError
from pipeline.model import slug
from pipeline.outputs import write_files
from pipeline.witnesses import load_corpus


def cmd_collate(args: argparse.Namespace) -> int:
    """Collate the works named (default: every work with two or more witnesses) from clean/."""
    root = args.root.resolve()
    corpus = load_corpus(root / "raw")
    res = Resources(root)
    works = [corpus.work(w) for w in args.works] if args.works else \
        [w for w in corpus.works if len(corpus.members(w.id)) >= 2]
    files: dict[Path, str] = {}
    for work in works:
        members = corpus.members(work.id)
        if len(members) < 2:
            raise EditionError("raw/witnesses.toml", f"work {work.id!r} has fewer than two witnesses")
        missing = [w.id for w in members if not (root / "clean" / f"{w.id}.txt").exists()]
        if missing:
            raise EditionError(f"clean/{missing[0]}.txt", "not found; run `edition run` (or `edition clean "
                               f"{' '.join(missing)}`) first")
        wits, authority = witness_texts(root, members, {}), res.authority
        t = time.perf_counter()
        col = collate_work(work.id, work.title, work.pivot, wits, authority)
        elapsed = time.perf_counter() - t
        files.update(report_files(col, root / "reports" / "collation"))
        if not args.quiet:
            print(_summary(col, coverage(col), elapsed), file=sys.stderr)
    write_files(files)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Collate plain-text files of one language word by word; write the reports to --out."""
    if len(args.files) < 2:
        raise EditionError(args.files[0], "compare needs at least two files to collate")
    witnesses, seen = [], set()
    for p in args.files:
        if p.is_dir():
            raise EditionError(p, "is a folder; give text files")
        if not p.is_file():
            raise EditionError(p, "file not found")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise EditionError(p, f"not UTF-8 (byte {exc.start}); clean it first with `edition clean`") from None
        if not text.strip():
            raise EditionError(p, "empty file: nothing to collate")
        wid = slug(p.stem)
        while wid in seen:
            wid += "-2"
        seen.add(wid)
        witnesses.append(WitnessText(wid, args.lang, str(p), paragraphs(text)))
    name = args.name or "-vs-".join(w.id for w in witnesses)
    t = time.perf_counter()
    col = compare_texts(witnesses, slug(name))
    elapsed = time.perf_counter() - t
    write_files(report_files(col, args.out))
    print(_summary(col, coverage(col), elapsed) + f" -> {args.out}", file=sys.stderr)
    return 0


def _summary(col, cov: dict, elapsed: float) -> str:
    """A few lines per collation for the terminal: rows, variants, coverage, doubtful rows."""
    variants = ", ".join(f"{k} {n}" for k, n in cov["variants"].items()) or "none"
    lines = [f"{col.work}: {len(col.rows)} rows, variants: {variants} ({elapsed:.2f} s)"]
    lines += _moves_line(cov)
    if col.method == "pivot":
        for wid, c in cov["witnesses"].items():
            lines.append(f"  {wid}: covers {col.pivot} ¶ {c['covers_pivot_paragraphs'] or '-'} "
                         f"({c['covers_pivot_share']:.0%} of the pivot's words), {len(c['added_paragraphs'])} paragraph(s) added, "
                         f"{len(c.get('omitted_sentences', []))} pivot sentence(s) not rendered, "
                         f"{len(c.get('added_sentences', []))} sentence(s) of its own")
        lines.append(f"  covered by none: ¶ {cov['uncovered_pivot_paragraphs'] or '-'}")
    if cov["doubtful_rows"]:
        lines.append(f"  doubtful rows to check: {', '.join(map(str, cov['doubtful_rows']))}")
    return "\n".join(lines)


def _moves_line(cov: dict) -> list[str]:
    """The moves (words, sentences, paragraphs found at another place), if any."""
    return [f"  moves: {cov['moves']} passage(s) found at another place"] if cov.get("moves") else []
