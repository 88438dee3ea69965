"""The `edition` command: parse, call, print. The work is done elsewhere.

Every bad input ends as one line on stderr naming the file (and line) and the
problem, with exit code 2; nothing is half-written (pipeline.outputs).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from pipeline.errors import EditionError, one_line
from pipeline.outputs import Interrupted, recover


class Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (exit 2), like every other error."""

    def error(self, message: str):
        self.exit(2, f"edition: error: {one_line(message)} (see `{self.prog} --help`)\n")



class _RuleKinds:
    """pipeline.rules.KINDS, imported only when `--kind` is checked or shown (the rule engine
    imports pydantic and regex: a fifth of a second a run with nothing to do need not pay)."""

    def __contains__(self, kind) -> bool:
        from pipeline.rules import KINDS
        return kind in KINDS

    def __iter__(self):
        from pipeline.rules import KINDS
        return iter(KINDS)


RULE_KINDS = _RuleKinds()

# command name -> "module:function"; each function takes the parsed args and returns an exit code
COMMANDS = {
    "run": "pipeline.commands.run:cmd_run",
    "clean": "pipeline.commands.run:cmd_clean",
    "stages": "pipeline.commands.run:cmd_stages",
    "prepare": "pipeline.commands.run:cmd_prepare",
    "collate": "pipeline.commands.collate:cmd_collate",
    "compare": "pipeline.commands.collate:cmd_compare",
    "report": "pipeline.commands.report:cmd_report",
    "rules": "pipeline.commands.rules:cmd_rules",
    "serve": "pipeline.commands.serve:cmd_serve",
    "review": "pipeline.commands.review:cmd_review",
}


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="edition", description="Clean, correct, collate and report a scholarly edition "
                                "of scanned texts. `edition run` does everything on raw/.")
    p.add_argument("--root", type=Path, default=Path("."), help="project folder (holds raw/, rules/, config/)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="clean every witness, collate every work, write clean/ and reports/")
    r.add_argument("--only", nargs="*", metavar="ID", help="only these witnesses (collation still uses all)")
    r.add_argument("--no-collate", action="store_true", help="skip collation")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--jobs", "-j", type=int, default=0,
                   help="clean witnesses in N processes (-1: one per core; default 0: this process, and on a "
                   "first run with two or more witnesses to clean up to one more process per core)")
    _scale_options(r)

    c = sub.add_parser("clean", help="clean witnesses by id, or any plain-text files with --out")
    c.add_argument("targets", nargs="+", metavar="ID_OR_PATH", help="witness ids from raw/witnesses.toml, or text files")
    c.add_argument("--lang", choices=["en", "ru", "auto"],
                   help="language of plain-text files (required for files); auto: each file's own, from its "
                   "letters (Cyrillic or Latin), so one call cleans a mixed library")
    c.add_argument("--out", type=Path, help="output folder for plain-text files: NAME.txt, NAME.changes.jsonl, "
                   "NAME.queries.tsv (default: a folder clean/ beside the first file)")
    c.add_argument("--encoding", default="auto", help="encoding of plain-text files (default: detect)")
    c.add_argument("--quiet", action="store_true")
    c.add_argument("--jobs", "-j", type=int, default=1, help="clean in N processes (-1: one per core)")
    _scale_options(c)

    st = sub.add_parser("stages", help="the configured stages: what each requires, assigns and leaves, its settings")
    st.add_argument("--json", action="store_true")

    pr = sub.add_parser("prepare", help="build the word tables the stages read (once per machine; make install "
                        "does it), so that no run pays for them")
    pr.add_argument("--lang", nargs="*", choices=["en", "ru"], help="only these languages (default: both)")

    co = sub.add_parser("collate", help="align each work's witnesses to its pivot; write reports/collation/")
    co.add_argument("works", nargs="*", metavar="WORK", help="work ids (default: every work with 2+ witnesses)")
    co.add_argument("--quiet", action="store_true")

    cm = sub.add_parser("compare", help="collate plain-text witnesses of one language word by word")
    cm.add_argument("files", nargs="+", type=Path, metavar="FILE")
    cm.add_argument("--out", type=Path, required=True, help="output folder")
    cm.add_argument("--name", default=None, help="name of the comparison (default: from the file names)")
    cm.add_argument("--lang", choices=["en", "ru"], default="en")

    rp = sub.add_parser("report", help="summary and top queries of a witness, from the last run's outputs")
    rp.add_argument("witness", nargs="?", help="witness id (default: all)")
    rp.add_argument("--json", action="store_true", help="machine-readable output")
    rp.add_argument("--top", type=int, default=20, help="how many queries to show")

    ru = sub.add_parser("rules", help="test, check and add correction rules (rules/*.toml)")
    rsub = ru.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rt = rsub.add_parser("test", help="run every rule's examples")
    rt.add_argument("--json", action="store_true")
    rc = rsub.add_parser("check", help="show each rule's hits across raw/")
    rc.add_argument("--json", action="store_true")
    rc.add_argument("--rule", help="only this rule id")
    ra = rsub.add_parser("add", help="scaffold a rule from a word and its correction, showing its hits first")
    ra.add_argument("match", help="the damaged reading, e.g. 'rank and tile'")
    ra.add_argument("replacement", help="the correction, e.g. 'rank and file'")
    ra.add_argument("--file", default="rules/local.toml", help="rule file to append to")
    ra.add_argument("--kind", default="scanno", choices=RULE_KINDS, metavar="KIND",
                    help="what the rule repairs (default: scanno; an unknown kind is answered with the list)")
    ra.add_argument("--scope", default=None, help="witness id or language (default: where it occurs)")
    ra.add_argument("--id", default=None, help="rule id (default: derived from the words)")
    ra.add_argument("--yes", action="store_true", help="write without asking")
    ra.add_argument("--json", action="store_true")

    sv = sub.add_parser("serve", help="serve reports/ on 127.0.0.1 and save decisions straight into review/<id>.toml")
    sv.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0: any free port)")

    rv = sub.add_parser("review", help="review files: import an exported review/<id>.toml")
    rvsub = rv.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    ri = rvsub.add_parser("import", help="merge exported decisions (a downloaded <id>.toml) into review/<id>.toml")
    ri.add_argument("files", nargs="+", metavar="FILE")
    ri.add_argument("--witness", help="witness id (default: the file's `witness` key, else its name)")
    return p


def _scale_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="recompute everything (ignore the run cache .edition-cache/, but for its memo of word analyses)")
    p.add_argument("--scheduler", metavar="local:N|tcp://HOST:PORT",
                   help="clean on a Dask cluster: a local one of N worker processes, or an existing scheduler")


def main(argv: list[str] | None = None) -> int:
    code = _main(argv)
    if argv is None:  # the process's own command line (the `edition` script, `python -m pipeline`)
        # its outputs are written and closed: end without taking the heap apart object by object
        # (the word lists, the analysers, the cleaned texts: a third of a second of `edition run`)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe (`edition stages | head`), a closed stream
                pass
        os._exit(code)
    return code


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.root.is_dir():
            recover(args.root)  # finish (or undo) the write of a run that was killed
        target = COMMANDS[args.command]
        module, func = target.split(":")
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except EditionError as exc:  # one prefix: "edition: error: FILE:LINE: problem" (or no file)
        return _fail(exc.problem if exc.path is None and exc.line is None else str(exc))
    except Interrupted as exc:
        print("edition: interrupted; " + ("the new outputs were all written before it stopped" if exc.changed else
              "nothing was changed (the earlier outputs are as they were)"), file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("edition: interrupted; nothing was changed (the earlier outputs are as they were)", file=sys.stderr)
        return 130
    except OSError as exc:  # unreadable file, read-only folder, disk full, ...
        where = exc.filename if exc.filename is not None else "edition"
        return _fail(f"{where}: {exc.strerror or exc}")
    except MemoryError:
        return _fail("out of memory (is an input or a rule unusually large?)")
    except RecursionError:
        return _fail("input too deeply nested to process")
    except Exception as exc:  # a bug, not bad input: still one line; EDITION_DEBUG=1 shows the traceback
        if os.environ.get("EDITION_DEBUG"):
            raise
        return _fail(f"internal error ({type(exc).__name__}: {exc}); "
                     "please report it (EDITION_DEBUG=1 shows the traceback)")


def _fail(message: str) -> int:
    print(f"edition: error: {one_line(message)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
