#!/usr/bin/env python3
"""How fast detection is: on the corpus, and on OCR-noisy English (one process).

1. The corpus: every stage before *detect* once per witness (not timed), then the
   detect stage over all witnesses twice: cold (a fresh Resources: lexicons, the
   SymSpell index, the bigrams, the authority are loaded) and warm.
2. ICDAR 2017 English (../shared/benchmarks/icdar2017_en/ocr, 1.1 MB of real OCR):
   the whole pipeline, stage by stage, in this one process; MB/s for the whole and
   for detect alone (the issue's bar: the whole pipeline at 1 MB/s per core).

3. `--hash`: clean a fixed subset (30 ICDAR + 20 Overproof files) and print one hash per
   file of its clean text, change log and queries, and one for all: a speed-up must leave
   every hash as it was (`--all`: every ICDAR and Overproof dev file, 251).

    .venv/bin/python benchmarks/detect_speed.py
    .venv/bin/python benchmarks/detect_speed.py --hash
    .venv/bin/python benchmarks/detect_speed.py --hash --all   (every dev file: 251)
    .venv/bin/python benchmarks/detect_speed.py --icdar    (2. only)
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
    if "--hash" in sys.argv[1:]:
        return hashes()
    if "--icdar" in sys.argv[1:]:
        icdar()
        return 0
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
    icdar()
    return 0


def icdar() -> None:
    from pipeline.model import Witness
    from pipeline.run import stage_function
    from pipeline.sources import decode_bytes
    from pipeline.text import Document
    folder = ROOT.parent / "shared" / "benchmarks" / "icdar2017_en" / "ocr"
    if not folder.is_dir():
        print(f"{folder}: not found, ICDAR speed not measured")
        return
    res = Resources(ROOT)
    names = res.config.get("stages", [])
    secs = dict.fromkeys(names, 0.0)
    cpus = dict.fromkeys(names, 0.0)
    size = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for p in sorted(folder.glob("*.txt")):
        data = p.read_bytes()
        size += len(data)
        w = Witness(id="icdar", file=p.name, language="en", work="icdar", role="original", origin="file")
        ctx = Context(w, res, res.policy(w))
        t, c = time.perf_counter(), time.process_time()
        raw, _ = decode_bytes(data, str(p))
        doc = Document(raw, w.id)
        doc.apply(names[0], stage_function(names[0])(doc.text, ctx).edits)  # the decode stage itself
        secs[names[0]] += time.perf_counter() - t
        cpus[names[0]] += time.process_time() - c
        for name in names[1:]:
            t, c = time.perf_counter(), time.process_time()
            doc.apply(name, stage_function(name)(doc.text, ctx).edits)
            secs[name] += time.perf_counter() - t
            cpus[name] += time.process_time() - c
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"ICDAR {size / 1e6:.2f} MB, one process, loading included: whole pipeline {total:.1f} s "
          f"= {size / 1e6 / total:.2f} MB/s ({cpu:.1f} s CPU = {size / 1e6 / cpu:.3f} MB/s); detect {secs.get('detect', 0):.1f} s "
          f"= {size / 1e6 / max(secs.get('detect', 0), 1e-9):.2f} MB/s")
    print("  by stage (s wall): " + ", ".join(f"{k} {v:.2f}" for k, v in secs.items()))
    print("  by stage (s CPU):  " + ", ".join(f"{k} {v:.2f}" for k, v in cpus.items()))
    import resource  # ru_maxrss: KB on Linux
    print(f"  peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def hashes() -> int:
    import hashlib
    import json
    from dataclasses import asdict, is_dataclass

    from pipeline.model import Witness
    from pipeline.run import clean_witness
    from pipeline.sources import decode_bytes
    bench = ROOT.parent / "shared" / "benchmarks"
    every_file = "--all" in sys.argv[1:]  # every dev file (251) instead of the fixed 50
    files = (sorted((bench / "icdar2017_en" / "ocr").glob("*.txt"))[:None if every_file else 30]
             + sorted((bench / "overproof_smh_dev" / "ocr").glob("*.txt"))[:None if every_file else 20])
    res = Resources(ROOT)
    every = hashlib.sha256()
    t0, c0 = time.perf_counter(), time.process_time()
    for p in files:
        raw, _ = decode_bytes(p.read_bytes(), str(p))
        w = Witness(id="bench", file=p.name, language="en", work="bench", role="original", origin="file")
        c = clean_witness(raw, w, res)
        plain = lambda x: asdict(x) if is_dataclass(x) else x.model_dump() if hasattr(x, "model_dump") else vars(x)
        blob = json.dumps([c.text, [plain(x) for x in c.changes], [plain(q) for q in c.queries]],
                          ensure_ascii=False, sort_keys=True, default=str)
        h = hashlib.sha256(blob.encode()).hexdigest()[:16]
        every.update(h.encode())
        print(f"{h}  {p.parent.parent.name}/{p.name}")
    print(f"{every.hexdigest()[:16]}  ALL ({len(files)} files, {time.perf_counter() - t0:.1f} s wall, "
          f"{time.process_time() - c0:.1f} s CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
