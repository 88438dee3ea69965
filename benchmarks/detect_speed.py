#!/usr/bin/env python3
"""How long detection takes on the whole corpus (the issue's bar: under 3 s).

Runs every stage before *detect* once per witness (not timed), then times the
detect stage over all witnesses twice: cold (a fresh Resources: the en and ru
lexicons, the authority and the Russian original's names are loaded) and warm.

    .venv/bin/python benchmarks/detect_speed.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Context, Resources  # noqa: E402
from pipeline.run import stage_function  # noqa: E402
from pipeline.stages import detect  # noqa: E402
from pipeline.stages.decode import decode_bytes  # noqa: E402
from pipeline.text import Document  # noqa: E402
from pipeline.witnesses import load_corpus  # noqa: E402


def main() -> int:
    corpus = load_corpus(ROOT / "raw")
    res = Resources(ROOT)
    stages = [s for s in res.config.get("stages", []) if s != "detect"]
    texts = []
    for w in corpus.witnesses:
        raw, _ = decode_bytes(corpus.path(w).read_bytes(), str(corpus.path(w)), w.encoding)
        doc = Document(raw, w.id)
        ctx = Context(w, res, res.policy(w))
        for name in stages:
            doc.apply(name, stage_function(name)(doc.text, ctx).edits)
        texts.append((w, doc.text))
    words = sum(len(t.split()) for _, t in texts)
    fresh = Resources(ROOT)
    for label in ("cold (loading included)", "warm"):
        t = time.time()
        n = 0
        for w, text in texts:
            n += len(detect.run(text, Context(w, fresh, fresh.policy(w))).queries)
        print(f"detect, {label:<24} {time.time() - t:6.2f} s  ({len(texts)} witnesses, {words} words, {n} queries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
