#!/usr/bin/env python3
"""The stages *grammar* and *punctuation* on the English dev sets: harm, query budget, precision, speed.

For ../shared/benchmarks/icdar2017_en and overproof_smh_dev (scored with --dehyphenate):

* CER/WER of the pipeline's output with and without the two stages (measure.py): they
  must not raise either (they are query-only, so the texts should be identical);
* their queries per 100 words, by rule;
* precision: the share of their queries that point at a real error, i.e. whose span
  holds a character the OCR has wrong against the gold (or a lost one at its edge). The
  OCR and gold files have the same lines, so each line pair is aligned by Levenshtein;
* speed of the two stages alone on the English OCR (MB/s on one core).

    .venv/bin/python benchmarks/grammar_bench.py            # both sets
    .venv/bin/python benchmarks/grammar_bench.py --limit 40 # the first 40 files of each (quick)
    .venv/bin/python benchmarks/grammar_bench.py --show 30  # also print 30 queries per set
    .venv/bin/python benchmarks/grammar_bench.py --russian  # the stage's speed on the Russian witness, cold
"""
from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import regex
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timers import timed  # noqa: E402

from pipeline.context import Context, Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.sources import decode_bytes  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
SETS = {"icdar2017_en": [], "overproof_smh_dev": ["--dehyphenate"]}
MINE = ("grammar", "punctuation")


def resources(with_mine: bool) -> Resources:
    res = Resources(ROOT)
    cfg = copy.deepcopy(res.config)
    if not with_mine:
        cfg["stages"] = [s for s in cfg["stages"] if s not in MINE]
    res.__dict__["config"] = cfg
    return res


def wrong_chars(ocr: str, gold: str) -> set[int]:
    """Offsets in `ocr` of characters the gold has otherwise (line by line)."""
    bad: set[int] = set()
    o_lines, g_lines = ocr.split("\n"), gold.split("\n")
    if len(o_lines) != len(g_lines):  # fall back to the whole text
        o_lines, g_lines = [ocr], [gold]
    pos = 0
    for o, g in zip(o_lines, g_lines):
        for op in Levenshtein.opcodes(o, g):
            if op.tag == "equal":
                continue
            if op.src_start == op.src_end:  # an insertion: the characters around it
                bad.update((pos + op.src_start - 1, pos + op.src_start))
            else:
                bad.update(range(pos + op.src_start, pos + op.src_end))
        pos += len(o) + 1
    return bad


def measure(gold: Path, cand: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, str(SHARED / "measure.py"), "--gold", str(gold), "--cand", str(cand), "--json", *extra]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return data["results"][0]["summary"]


def run_set(name: str, limit: int | None, show: int) -> dict:
    dataset = SHARED / name
    files = sorted((dataset / "ocr").glob("*.txt"))[:limit]
    res_with, res_without = resources(True), resources(False)
    words = 0
    by_rule: Counter = Counter()
    real: Counter = Counter()
    shown = []
    identical = True
    with tempfile.TemporaryDirectory() as tmp:
        out_with, out_without, gold = Path(tmp) / "with", Path(tmp) / "without", Path(tmp) / "gold"
        for d in (out_with, out_without, gold):
            d.mkdir()
        for p in files:
            raw, enc = decode_bytes(p.read_bytes(), str(p))
            w = Witness(id="dev", file=p.name, language="en", work="dev", role="original", encoding=enc, origin="file")
            a = clean_witness(raw, w, res_with, facts={"encoding": enc})
            b = clean_witness(raw, w, res_without, facts={"encoding": enc})
            (out_with / p.name).write_text(a.text, encoding="utf-8")
            (out_without / p.name).write_text(b.text, encoding="utf-8")
            identical &= a.text == b.text
            words += len(raw.split())
            gold_text = (dataset / "gold" / p.name).read_text(encoding="utf-8")
            (gold / p.name).write_text(gold_text, encoding="utf-8")  # the files scored (--limit)
            bad = wrong_chars(raw, gold_text)
            for q in a.queries:
                if not q.rule.startswith(tuple(m + "." for m in MINE)):
                    continue
                by_rule[q.rule] += 1
                hit = any(k in bad for k in range(q.raw_start, max(q.raw_end, q.raw_start + 1)))
                real[q.rule] += hit
                if len(shown) < show:
                    shown.append(f"  {'REAL ' if hit else 'false'} {q.rule:28} {q.text!r:24} -> {q.suggestions[:2]}  "
                                 f"| {q.context[:90]!r}")
        extra = SETS[name]
        s_with = measure(gold, out_with, extra)
        s_without = measure(gold, out_without, extra)
    n = sum(by_rule.values())
    return {"set": name, "files": len(files), "words": words, "identical_text": identical,
            "cer_without": s_without["cer"], "wer_without": s_without["wer"],
            "cer_with": s_with["cer"], "wer_with": s_with["wer"],
            "queries": n, "per_100_words": round(100 * n / max(words, 1), 3),
            "real": sum(real.values()), "precision": round(sum(real.values()) / n, 3) if n else None,
            "by_rule": {r: [c, real[r]] for r, c in sorted(by_rule.items())}, "shown": shown}


MARK_BEFORE_LOWER = regex.compile(r"(?<=\p{Ll}{2})([?:;]) (\p{Ll}+)")


def mark_evidence(limit: int | None) -> dict:
    """How often is '?', ':' or ';' between two lower-case words wrong in the OCR (per the gold)?
    The evidence for which marks the stage queries (and whether any could be automatic)."""
    out: dict[str, list[int]] = {}
    for name in SETS:
        for p in sorted((SHARED / name / "ocr").glob("*.txt"))[:limit]:
            raw = decode_bytes(p.read_bytes(), str(p))[0]
            bad = wrong_chars(raw, (SHARED / name / "gold" / p.name).read_text(encoding="utf-8"))
            for m in MARK_BEFORE_LOWER.finditer(raw):
                row = out.setdefault(f"{name} {m.group(1)}", [0, 0])
                row[0] += 1
                row[1] += m.start() in bad
    return out


def speed(limit: int | None) -> dict:
    """The two stages alone on the decoded English OCR of ICDAR, joined into one text."""
    from importlib import import_module
    files = sorted((SHARED / "icdar2017_en" / "ocr").glob("*.txt"))[:limit]
    text = "\n\n".join(decode_bytes(p.read_bytes(), str(p))[0] for p in files)
    res = Resources(ROOT)
    w = Witness(id="dev", file="x.txt", language="en", work="dev", role="original", origin="file")
    ctx = Context(w, res, res.policy(w))
    out = {}
    for name in MINE:
        fn = import_module(f"pipeline.stages.{name}").run
        fn(text[:1000], ctx)  # load data once
        t = time.perf_counter()
        fn(text, ctx)
        secs = time.perf_counter() - t
        out[name] = round(len(text.encode("utf-8")) / 1e6 / secs, 2)
    out["mb"] = round(len(text.encode("utf-8")) / 1e6, 2)
    return out


def russian(repeat: int = 1) -> dict:
    """The stage *grammar* on the Russian witness as `edition run` gives it to the stage (the
    text after the stages before it), cold: the first call in this process pays for the
    analyser, the word list and what the checks cache. Each part timed in wall and CPU seconds;
    the queries' digest shows a speed-up left them as they were."""
    import hashlib
    from pipeline.commands.run import few_collections
    from pipeline.run import run_stages
    from pipeline.stages import grammar
    from pipeline.witnesses import load_corpus
    corpus = load_corpus(ROOT / "raw")
    w = corpus.get("kollontai-ru")
    res = Resources(ROOT)
    raw = decode_bytes(corpus.path(w).read_bytes(), w.file)[0]
    text = run_stages(raw, w, res, upto="grammar").doc.text
    ctx = Context(w, res, res.policy(w))
    times: dict[str, list[float]] = {}

    for part in ("check", "_rare_forms", "_fragments"):
        setattr(grammar, part, timed(times, part, getattr(grammar, part)))
    found = []
    for k in range(repeat):
        with few_collections():  # the collector's thresholds of `edition run` (the defaults' collections add noise)
            t, c = time.perf_counter(), time.process_time()
            found = grammar.run(text, ctx).queries
            times.setdefault("stage" if k == 0 else "stage again", [time.perf_counter() - t, time.process_time() - c])
    digest = hashlib.sha256(json.dumps([(q.start, q.end, q.rule, q.suggestions, q.reason) for q in found],
                                       ensure_ascii=False).encode()).hexdigest()[:16]
    return {"queries": len(found), "digest": digest, "times": times}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--marks", action="store_true", help="only the evidence on '?', ':', ';' before lower case")
    ap.add_argument("--russian", action="store_true",
                    help="only the stage's speed on the Russian witness, cold (its parts; a digest of its queries)")
    args = ap.parse_args()
    if args.russian:
        r = russian(2)
        print(f"grammar on kollontai-ru: {r['queries']} queries, digest {r['digest']}")
        for k, (wall, cpu) in r["times"].items():
            print(f"  {k:<14} wall {wall:6.3f} s  CPU {cpu:6.3f} s")
        return 0
    if args.marks:
        for k, (n, wrong) in sorted(mark_evidence(args.limit).items()):
            print(f"{k}: {n} between lower-case words, {wrong} wrong in the OCR ({100 * wrong / max(n, 1):.0f} %)")
        return 0
    rows = [run_set(s, args.limit, args.show) for s in args.sets]
    sp = speed(args.limit)
    if args.json:
        print(json.dumps({"rows": rows, "speed_mb_s": sp}, indent=1, ensure_ascii=False))
        return 0
    print(f"{'set':<20} {'words':>7} {'CER w/o':>8} {'CER with':>8} {'WER w/o':>8} {'WER with':>8} "
          f"{'queries':>7} {'/100w':>6} {'real':>5} {'prec':>5}")
    for r in rows:
        print(f"{r['set']:<20} {r['words']:>7} {100 * r['cer_without']:>8.3f} {100 * r['cer_with']:>8.3f} "
              f"{100 * r['wer_without']:>8.3f} {100 * r['wer_with']:>8.3f} {r['queries']:>7} {r['per_100_words']:>6} "
              f"{r['real']:>5} {r['precision'] if r['precision'] is not None else '-':>5}")
        for rule, (c, k) in r["by_rule"].items():
            print(f"    {rule:<30} {c:>5} queries, {k:>5} at a real error")
        print("    texts identical with and without the stages:", r["identical_text"])
        for line in r["shown"]:
            print(line)
    print("speed (MB/s, one core, stage alone on %.2f MB of ICDAR OCR):" % sp["mb"],
          ", ".join(f"{k} {v}" for k, v in sp.items() if k != "mb"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
