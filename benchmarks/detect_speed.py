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
from pipeline.run import run_stages  # noqa: E402
from pipeline.sources import read_raw  # noqa: E402
from pipeline.stages import detect  # noqa: E402
from pipeline.witnesses import load_corpus  # noqa: E402


def main() -> int:
    corpus = load_corpus(ROOT / "raw")
    res = Resources(ROOT)
    texts = []
    for w in corpus.witnesses:  # the text as detect sees it
        texts.append((w, run_stages(read_raw(corpus, w.id), w, res, upto="detect").doc.text))
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
