"""`edition report [ID]`: the state of a witness (or of every witness) in the terminal.

Read from what the last `edition run` wrote (the change log, the queries, reports/witnesses.json)
and the review files as they are now: nothing is cleaned again. A witness never cleaned
is an error that says to run `edition run` first.
"""
from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipeline.errors import EditionError
from pipeline.report import load_state
from pipeline.report.data import WitnessState
from pipeline.witnesses import load_corpus


def summary(st: WitnessState, top: int) -> dict:
    """One witness's summary as plain data (the --json output)."""
    queries = sorted(st.queries, key=lambda q: (-q.score, q.line, q.col, q.id))[:max(top, 0)]
    return {
        "witness": st.witness.id,
        "language": st.witness.language,
        "changes": len(st.changes),
        "by_stage": dict(st.by("stage")),
        "by_kind": dict(st.by("kind")),
        "by_rule": dict(st.by("rule")),
        "open_queries": len(st.queries),
        "progress": st.progress,
        "stale": list(st.stale),
        "top_queries": [{"id": q.id, "line": q.line, "col": q.col, "text": q.text, "suggestions": list(q.suggestions),
                         "score": round(q.score, 3), "reason": q.reason, "rule": q.rule} for q in queries],
    }


def _top(items: dict[str, int], n: int = 3) -> str:
    parts = [f"{k} {v:,}" for k, v in list(items.items())[:n]]
    if len(items) > n:
        parts.append(f"[dim]+{len(items) - n} more[/dim]")
    return "\n".join(parts)


def _progress(p: dict) -> str:
    return f"{p['percent']}%\n{p['done']:,}/{p['total']:,}"


def print_overview(con: Console, sums: list[dict]) -> None:
    """One row per witness; ids are never broken, and a narrow terminal (80 columns) drops the
    stages column (`edition report ID` has them) instead of folding words."""
    any_stale = any(s["stale"] for s in sums)
    wide = con.width >= 110
    t = Table(title="The edition", title_justify="left", header_style="bold", show_edge=False)
    t.add_column("witness", no_wrap=True, min_width=max(len(s["witness"]) for s in sums) if sums else 12)
    t.add_column("changes", justify="right", no_wrap=True)
    if wide:
        t.add_column("stages", no_wrap=True, overflow="ellipsis")
    t.add_column("kinds", no_wrap=True, overflow="ellipsis")
    t.add_column("queries", justify="right", no_wrap=True)
    t.add_column("reviewed", justify="right", no_wrap=True)
    if any_stale:
        t.add_column("stale", justify="right", no_wrap=True)
    for s in sums:
        row = [s["witness"], f"{s['changes']:,}"] + ([_top(s["by_stage"])] if wide else []) + \
              [_top(s["by_kind"]), f"{s['open_queries']:,}", _progress(s["progress"])]
        if any_stale:
            row.append(Text(str(len(s["stale"])), style="bold yellow") if s["stale"] else "0")
        t.add_row(*row)
    con.print(t)
    con.print("[dim]edition report ID shows a witness's stages, rules and queries; reports/index.html has everything.[/dim]")


def print_witness(con: Console, s: dict, top: int) -> None:
    p = s["progress"]
    parts = [f"{p['accepted']:,} changes accepted", f"{p['rejected']:,} rejected"]
    if p.get("review_edits"):
        parts.append(f"{p['review_edits']:,} review edits")
    parts.append(f"{p['queries_done']:,} queries answered")
    con.print(f"[bold]{s['witness']}[/bold] ({s['language']}): {s['changes']:,} changes, "
              f"{s['open_queries']:,} open queries", highlight=False)
    con.print(f"reviewed {p['done']:,} of {p['total']:,} ({p['percent']}%) = " + " + ".join(parts), highlight=False)
    tables = []
    for title, key in (("stage", "by_stage"), ("kind", "by_kind"), ("rule", "by_rule")):
        t = Table(header_style="bold", show_edge=False)
        t.add_column(title)
        t.add_column("changes", justify="right")
        items = list(s[key].items())
        for k, v in items[:12]:
            t.add_row(k, f"{v:,}")
        if len(items) > 12:
            t.add_row(f"[dim]… {len(items) - 12} more[/dim]", f"{sum(v for _, v in items[12:]):,}")
        tables.append(t)
    grid = Table.grid(padding=(0, 4))
    for _ in tables:
        grid.add_column()
    grid.add_row(*tables)
    con.print(grid)
    if s["stale"]:
        con.print(f"[bold yellow]{len(s['stale'])} stale decision(s)[/bold yellow] in review/{s['witness']}.toml "
                  f"(no such change or query): {escape(', '.join(s['stale']))}")
    qs = s["top_queries"]
    if not qs:
        con.print("[green]No open queries.[/green]")
        return
    t = Table(title=f"Top {len(qs)} of {s['open_queries']} open queries (highest score first)", title_justify="left",
              header_style="bold")
    t.add_column("score", justify="right")
    t.add_column("where / id", no_wrap=True)
    t.add_column("text", ratio=1, overflow="fold")
    t.add_column("suggestions", ratio=1, overflow="fold")
    t.add_column("reason", ratio=3)
    for q in qs:
        where = Text(f"{q['line']}:{q['col']}\n")
        where.append(q["id"], style="dim")
        t.add_row(f"{q['score']:.2f}", where, Text(q["text"], style="bold"),
                  Text(", ".join(q["suggestions"])), Text(q["reason"]))
    con.print(t)
    con.print(f"[dim]Decide them in reports/{s['witness']}.changes.html (Queries) or in review/{s['witness']}.toml.[/dim]")


def cmd_report(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    corpus = load_corpus(root / "raw")
    ids = [corpus.get(args.witness).id] if args.witness else [w.id for w in corpus.witnesses]
    sums = []
    for wid in ids:
        st = load_state(root, corpus, wid, raw=False)
        if st is None:
            raise EditionError(f"clean/{wid}.changes.jsonl", "not found; run `edition run` first")
        sums.append(summary(st, args.top))
    if args.json:
        out = sums[0] if args.witness else {"witnesses": sums}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    con = Console()
    if args.witness:
        print_witness(con, sums[0], args.top)
    else:
        print_overview(con, sums)
    return 0
