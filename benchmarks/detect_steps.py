#!/usr/bin/env python3
"""Where detect's time goes, and how many tokens reach each of its costly steps (one process).

The texts as detect sees them (every stage before it run once, not timed), then detect over all of
them with its steps counted (by wrapping them, in a second run: the counts are exact) after its time is sampled in a first
run (ITIMER_PROF every half millisecond: each sample counts every function on the stack once, so
the shares are inclusive and not inflated by the number of calls, as cProfile's are):

* tokens; tokens whose form may be more than a word to leave (_worth_judging);
* _judge's verdicts by kind; candidate generation: calls, distinct readings generated
  (candidates._lexical), the two-confusion search (_far) and how often it finds a word;
* weighings (_weigh: one per distinct reading and neighbours per window and pass) and how many a
  real word's `outscored` keeps; the halves of the context scores computed (ContextModel._left,
  _right: each a bigram lookup or two);
* decisions (_decide) by kind and outcome; edits and queries out (by rule).

    .venv/bin/python benchmarks/detect_steps.py              # ICDAR 2017 English dev set (1.1 MB)
    .venv/bin/python benchmarks/detect_steps.py --books 8    # 8 English scale books (benchmarks/scale.py)
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.context import Context, Resources  # noqa: E402
from pipeline.correct import candidates as cand  # noqa: E402
from pipeline.correct import context as cmodel  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import stage_function  # noqa: E402
from pipeline.sources import decode_bytes  # noqa: E402
from pipeline.stages import detect as D  # noqa: E402
from pipeline.text import Document  # noqa: E402


def texts(res: Resources, books: int) -> list[tuple[str, str]]:
    """(name, text before detect) of the ICDAR dev set's files, or of `books` English scale books."""
    if books:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import scale
        folder = Path(tempfile.mkdtemp(prefix="detect-steps-"))
        paths = scale.make_library(folder, books * 5 // 4 + 1, 100_000)["en"][:books]
    else:
        paths = sorted((ROOT.parent / "shared" / "benchmarks" / "icdar2017_en" / "ocr").glob("*.txt"))
    names = res.config.get("stages", [])
    out = []
    for p in paths:
        w = Witness(id="steps", file=p.name, language="en", work="steps", role="original", origin="file")
        ctx = Context(w, res, res.policy(w))
        raw, _ = decode_bytes(p.read_bytes(), str(p))
        doc = Document(raw, w.id)
        for name in names[:names.index("detect")]:
            doc.apply(name, stage_function(name)(doc.text, ctx).edits)
        out.append((p.name, doc.text))
    return out


def detect_all(res: Resources, pre: list[tuple[str, str]]) -> None:
    for name, text in pre:
        w = Witness(id="steps", file=name, language="en", work="steps", role="original", origin="file")
        D.run(text, Context(w, res, res.policy(w)))


def counted(res: Resources, pre: list[tuple[str, str]]) -> Counter:
    """The steps' counts over one detect run of every text (the functions wrapped, then put back)."""
    c: Counter = Counter()
    saved = []

    def wrap(owner, name, after):
        f = getattr(owner, name)
        saved.append((owner, name, f))

        def g(*a, **k):
            r = f(*a, **k)
            after(r, *a)
            return r
        setattr(owner, name, g)

    def judged(v, *_):
        c["judge"] += 1
        c["judge: " + ("a word to leave (None)" if v is None else v[0] + (" (ASK)" if len(v) > 4 and v[4] == D.ASK else ""))] += 1

    def weighed(r, *_):
        c["weighings"] += 1
        c["weighings: " + ("no candidates" if r is None else "KEPT by outscored" if r[0] is D.KEPT[0] else
                           "full posterior")] += 1

    def worth(r, wt, *_):
        c["tokens"] += len(wt.tokens)
        c["tokens worth judging"] += len(r)

    def far(r, *_):
        c["candidates: two-confusion search (_far)"] += 1
        c["candidates: _far found a word"] += bool(r)

    def halves(name):
        return lambda r, *_: c.update([f"context halves computed ({name})"])

    def ran(r, *_):
        c["out: edits"] += len(r.edits)
        c["out: queries"] += len(r.queries)
        for q in r.queries:
            c[f"out: queries {q.rule}"] += 1

    wrap(D, "_judge", judged)
    wrap(D, "_weigh", weighed)
    wrap(D, "_worth_judging", worth)
    wrap(D, "find_candidates", lambda r, *_: c.update(["candidates: calls"]))
    wrap(cand, "_far", far)
    wrap(cmodel.ContextModel, "_left", halves("left"))
    wrap(cmodel.ContextModel, "_right", halves("right"))
    wrap(D, "_run", ran)
    lexical = cand._lexical
    misses = lexical.cache_info().misses
    decide = D._decide

    def decided(i, m, verdict, post, wt, st, ctx, evidence, edits, queries):
        ne, nq = len(edits), len(queries)
        decide(i, m, verdict, post, wt, st, ctx, evidence, edits, queries)
        c["decisions"] += 1
        c[f"decisions: {verdict[0]} -> " + ("edit" if len(edits) > ne else "query" if len(queries) > nq
                                             else "nothing")] += 1
    D._decide = decided
    try:
        detect_all(res, pre)
    finally:
        D._decide = decide
        for owner, name, f in reversed(saved):
            setattr(owner, name, f)
    c["candidates: readings generated (_lexical misses)"] = lexical.cache_info().misses - misses
    return c


def sampled(res: Resources, pre: list[tuple[str, str]], every: float = 0.0005) -> tuple[float, int, Counter]:
    """(CPU seconds, samples, samples per function on the stack) of one detect run of every text."""
    seen: Counter = Counter()
    n = [0]

    def handler(_sig, frame):
        n[0] += 1
        on = set()
        while frame is not None:
            code = frame.f_code
            on.add(f"{Path(code.co_filename).name}:{code.co_name}")
            frame = frame.f_back
        seen.update(on)
    old = signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, every, every)
    t = time.process_time()
    try:
        detect_all(res, pre)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, old)
    return time.process_time() - t, n[0], seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--books", type=int, default=0, help="English scale books instead of the ICDAR dev set")
    ap.add_argument("--top", type=int, default=40, help="functions shown (default 40)")
    args = ap.parse_args()
    res = Resources(ROOT)
    pre = texts(res, args.books)
    size = sum(len(t.encode()) for _, t in pre)
    print(f"{len(pre)} texts, {size / 1e6:.2f} MB before detect")
    detect_all(res, [("warm-up", pre[0][1][:2000])])  # the lexicons, tables and models loaded first
    cpu, n, seen = sampled(res, pre)
    print(f"detect: {cpu:.2f} s CPU = {size / 1e6 / max(cpu, 1e-9):.3f} MB/s, {n} samples; the share of the samples "
          f"with each function on the stack:")
    for k, v in seen.most_common(args.top):
        print(f"  {100 * v / max(1, n):5.1f} %  {k}")
    cand._lexical.cache_clear()  # candidate generation and the judging of plain words counted as in a fresh process
    D._PLAIN.clear()
    c = counted(res, pre)
    print("steps (a second run, counted):")
    for k in sorted(c):
        print(f"  {c[k]:>9}  {k}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
