"""`edition serve`: the reports on http://127.0.0.1:PORT/, and the decisions saved in place.

Loopback only (the address is fixed: 127.0.0.1), offline, the standard library's
http.server. GET serves the files of reports/, clean/ and review/ of the project and
nothing else. Two POST endpoints, JSON in and out, write through the same validation
as a review file (pipeline.commands.review.save_review) and atomically:

    POST /api/review/<witness>   {"base": sha, "decisions": [...], "words": [...]}
         -> review/<witness>.toml replaced; a stale decision or a file changed since
            `base` (a conflict) is refused (409) with the one-line reason
    POST /api/words/<witness>    {"word": "syezdov"}  -> rules/words/<language>.txt

A request from another origin is refused (a page elsewhere cannot post to it).
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from pipeline.errors import EditionError
from pipeline.outputs import write_files
from pipeline.review import Decision
from pipeline.witnesses import load_corpus
from pipeline.commands.review import add_words, save_review

HOST = "127.0.0.1"
SERVED = ("reports", "clean", "review")
MAX_BODY = 32 * 1024 * 1024


class Handler(SimpleHTTPRequestHandler):
    root: Path = Path(".")
    lock = threading.Lock()

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=str(self.root), **kw)

    def log_message(self, fmt, *args):  # quiet: one line per write, not per file
        pass

    # -- files -------------------------------------------------------------------
    def _local(self) -> Path | None:
        """The file a GET asks for, if it is inside reports/, clean/ or review/ of the project."""
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in SERVED or any(p in (".", "..") or "\\" in p or "\0" in p for p in parts):
            return None
        target = self.root.joinpath(*parts).resolve()
        try:
            target.relative_to((self.root / parts[0]).resolve())
        except ValueError:
            return None  # a symlink out of the project
        return target

    def do_GET(self):
        if urlsplit(self.path).path in ("/", ""):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/reports/index.html")
            self.end_headers()
            return
        target = self._local()
        if target is None or not target.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "not a file of reports/, clean/ or review/")
            return
        super().do_GET()

    def do_HEAD(self):
        if self._local() is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_HEAD()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def guess_type(self, path):
        t = super().guess_type(path)
        return t + "; charset=utf-8" if t.startswith("text/") or t == "application/json" else t

    # -- decisions -----------------------------------------------------------------
    def do_POST(self):
        try:
            origin = self.headers.get("Origin")
            if origin is not None and origin != f"http://{self.headers.get('Host', '')}":
                raise PermissionError("a request from another origin")
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                raise ValueError("request too large")
            body = json.loads(self.rfile.read(n).decode("utf-8") or "{}")
            parts = [p for p in urlsplit(self.path).path.split("/") if p]
            if len(parts) != 3 or parts[0] != "api" or parts[1] not in ("review", "words"):
                self._json(HTTPStatus.NOT_FOUND, {"error": "no such endpoint"})
                return
            with self.lock:
                out = self._review(parts[2], body) if parts[1] == "review" else self._word(parts[2], body)
            self._json(HTTPStatus.OK, out)
        except EditionError as exc:
            self._json(HTTPStatus.CONFLICT, {"error": str(exc)})
        except (ValidationError, ValueError, KeyError, TypeError) as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"bad request: {str(exc).splitlines()[0]}"})
        except PermissionError as exc:
            self._json(HTTPStatus.FORBIDDEN, {"error": str(exc)})

    def _review(self, wid: str, body: dict) -> dict:
        decisions = [Decision(**d) for d in body.get("decisions", [])]
        s = save_review(self.root, wid, decisions, base=body.get("base", ""), words=body.get("words", []))
        print(f"edition serve: {s.file}: {s.total} decisions saved ({s.new} new, {s.changed} changed, "
              f"{s.removed} removed)" + (f"; words added: {', '.join(s.words)}" if s.words else ""), file=sys.stderr)
        return {"ok": True, "file": s.file, "total": s.total, "new": s.new, "changed": s.changed,
                "removed": s.removed, "base": s.sha, "words": s.words}

    def _word(self, wid: str, body: dict) -> dict:
        w = load_corpus(self.root / "raw").get(wid)
        files: dict[Path, str] = {}
        added = add_words(self.root, w.language, [str(body["word"])], files)
        write_files(files)
        if added:
            print(f"edition serve: rules/words/{w.language}.txt: added {added[0]!r}", file=sys.stderr)
        return {"ok": True, "file": f"rules/words/{w.language}.txt", "added": added}

    def _json(self, status: HTTPStatus, data: dict) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def make_server(root: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for one project on 127.0.0.1 (port 0: any free port); not started."""
    if not (root / "reports" / "index.html").exists():
        raise EditionError("reports/index.html", "not found; run `edition run` first")
    handler = type("ProjectHandler", (Handler,), {"root": root.resolve()})
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        raise EditionError(None, f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; "
                           "pass another --port (0: any free one)") from None


def cmd_serve(args: argparse.Namespace) -> int:
    server = make_server(args.root.resolve(), args.port)
    host, port = server.server_address[:2]
    print(f"edition serve: http://{host}:{port}/ (this machine only; Ctrl-C stops). "
          "Decisions are saved in review/<id>.toml; run `edition run` to apply them.", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
