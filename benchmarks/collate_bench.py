"""Benchmark of same-language collation (and of the cross-language alignment).

    .venv/bin/python benchmarks/collate_bench.py [--sizes 2000 20000 100000] [--no-collatex] [--excerpts 8]
    .venv/bin/python benchmarks/collate_bench.py --corpus   # the collation of `edition run`: parts, digest

For each size, a base witness is built from sentences of the clean English texts
(clean/*.txt, in a seeded random order) and a second witness from it with planted
variants (pipeline.collate.synthetic). We time `compare_witnesses` (alignment,
readings, classification), measure its peak Python memory (tracemalloc, in a
separate run), and check that every planted variant is found with its kind.

CollateX (pip `collatex`) collates the 2,000-word pair on the same tokens (its
`n` is our normalised key, so both align on the same thing); we report our time
as a ratio of its time, and compare the variants: the tokens each tool puts in a
variant, and how many planted changes each finds.

The cross-language alignment of the Kollontai work (Russian pivot, two English
translations) is timed too. Results go to benchmarks/out/collate_bench.json.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.collate.compare import compare_witnesses, token_key  # noqa: E402
from pipeline.collate.model import WitnessText  # noqa: E402
from pipeline.collate.segment import paragraphs, sentences, tokenize_paragraphs  # noqa: E402
from pipeline.collate.synthetic import make_witness, plant_moves  # noqa: E402

ENGLISH = ["kollontai-en-dreadnought", "kollontai-en-iww", "lenin-trade-unions", "allen-documents"]


def sentence_pool() -> list[str]:
    """Sentences of the clean English witnesses (raw lines if clean/ is missing)."""
    pool = []
    for wid in ENGLISH:
        path = ROOT / "clean" / f"{wid}.txt"
        if not path.exists():
            path = ROOT / "raw" / f"{wid}.txt"
        for p in paragraphs(path.read_text(encoding="utf-8")):
            if not p.startswith("[^"):
                pool.extend(p[s:e] for s, e in sentences(p))
    return [s for s in pool if len(s.split()) >= 4]


def base_witness(words: int, seed: int = 0) -> list[str]:
    """Paragraphs of about 120 words, `words` words in all, from shuffled sentences."""
    rng = random.Random(seed)
    pool = sentence_pool()
    paras, current, n, count = [], [], 0, 0
    while count < words:
        s = rng.choice(pool)
        current.append(s)
        k = len(s.split())
        n += k
        count += k
        if n >= 120:
            paras.append(" ".join(current))
            current, n = [], 0
    if current:
        paras.append(" ".join(current))
    return paras


def pair(words: int, seed: int = 0, moves: bool = False):
    """Base and variant witnesses, and the planted changes (and, with `moves`, the moved texts)."""
    a = base_witness(words, seed)
    b, changes = make_witness(a, seed=seed + 1, rate=0.02)
    moved: list[str] = []
    if moves:  # variants planted in a moved paragraph are not expected (the paragraph is one move)
        b, moved, touched = plant_moves(b, set(), seed=seed + 2)
        changes = [c for c in changes if c.para not in touched]
    out = WitnessText("a", "en", "", a), WitnessText("b", "en", "", b), changes
    return (*out, moved) if moves else out


def moves_found(rows) -> int:
    """Moves the collation linked (each counted once, at its first place)."""
    return sum(1 for k, r in enumerate(rows) for v in r.variants if v.move and v.move["from_row"] == k)


def planted_found(rows, changes) -> int:
    """How many planted changes a variant of the right kind covers."""
    spans = {}
    for r in rows:
        for v in r.variants:
            for p, s, e in v.readings[0].spans.get("a", []):
                spans.setdefault(p, []).append((s, e, v.kind))
    return sum(any(s < c.end and e > c.start and k == c.kind for s, e, k in spans.get(c.para, []))
               for c in changes)


def time_ours(a, b, repeat: int = 3) -> tuple[float, list, float]:
    """Best wall time of compare_witnesses over `repeat` runs, its rows, and the best CPU time
    (less sensitive to other jobs on a shared machine)."""
    best, best_cpu, rows = float("inf"), float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        rows = compare_witnesses([a, b])
        best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, time.process_time() - c)
    return best, rows, best_cpu


def peak_memory(a, b) -> float:
    """Peak Python memory (MB) of one collation, measured with tracemalloc."""
    tracemalloc.start()
    compare_witnesses([a, b])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def variant_tokens_ours(rows, w: WitnessText) -> set[int]:
    """Indices of w's tokens that lie in a variant reading."""
    toks = tokenize_paragraphs(w.paragraphs)
    inside: dict[int, list[tuple[int, int]]] = {}
    for r in rows:
        for v in r.variants:
            for rd in v.readings:
                for p, s, e in rd.spans.get(w.id, []):
                    if s < e:
                        inside.setdefault(p, []).append((s, e))
    return {k for k, t in enumerate(toks) if any(s <= t.start and t.end <= e for s, e in inside.get(t.para, []))}


def collatex_variants(a: WitnessText, b: WitnessText) -> tuple[float, set[int], set[int]]:
    """CollateX on the same tokens: its time, and the indices of tokens in variant columns."""
    if "Levenshtein" not in sys.modules:  # collatex imports it for near matching, which we do not use
        try:
            import Levenshtein  # noqa: F401
        except ImportError:
            from rapidfuzz.distance import Indel
            sys.modules["Levenshtein"] = types.SimpleNamespace(ratio=lambda x, y: Indel.normalized_similarity(x, y))
    from collatex import Collation, collate

    def witness(w):
        return {"id": w.id, "tokens": [{"t": t.text, "n": token_key(t.text), "i": k}
                                       for k, t in enumerate(tokenize_paragraphs(w.paragraphs))]}
    col = Collation()
    col.add_witness(witness(a))
    col.add_witness(witness(b))
    t = time.perf_counter()
    table = collate(col, output="table", segmentation=False)
    elapsed = time.perf_counter() - t
    ra, rb = table.rows[0].cells, table.rows[1].cells
    va, vb = set(), set()
    for ca, cb in zip(ra, rb):
        ta = ca[0].token_data if ca else None
        tb = cb[0].token_data if cb else None
        if ta is None or tb is None or ta["t"] != tb["t"]:
            if ta is not None:
                va.add(ta["i"])
            if tb is not None:
                vb.add(tb["i"])
    return elapsed, va, vb


def cross_language() -> tuple[float, float] | None:
    """Wall and CPU time of collating the Kollontai work (cross-language alignment included)."""
    from pipeline.collate import collate_work, witness_texts
    from pipeline.context import Resources
    from pipeline.witnesses import load_corpus
    if not (ROOT / "clean" / "kollontai-ru.txt").exists():
        return None
    corpus = load_corpus(ROOT / "raw")
    work = corpus.work("kollontai-workers-opposition")
    wits = witness_texts(ROOT, corpus.members(work.id), {})
    authority = Resources(ROOT).authority
    t, c = time.perf_counter(), time.process_time()
    collate_work(work.id, work.title, work.pivot, wits, authority)
    return time.perf_counter() - t, time.process_time() - c


def excerpt_sweep(seeds: int) -> dict:
    """Excerpt editions of the Dreadnought (pipeline.collate.synthetic.make_edition, seeds 1..N,
    even seeds shuffled) collated with the Kollontai witnesses: the share of their paragraphs
    aligned beside the paragraph they came from (tests/test_collate_excerpts.py checks four)."""
    from pipeline.collate import collate_work, witness_texts
    from pipeline.collate.synthetic import make_edition
    from pipeline.context import Resources
    from pipeline.witnesses import load_corpus
    corpus = load_corpus(ROOT / "raw")
    work = corpus.work("kollontai-workers-opposition")
    wits = witness_texts(ROOT, corpus.members(work.id), {})
    authority = Resources(ROOT).authority
    dn = next(w for w in wits if w.id == "kollontai-en-dreadnought")
    out = {}
    for seed in range(1, seeds + 1):
        ed = make_edition(dn.paragraphs, seed=seed, shuffle=seed % 2 == 0)
        wit = WitnessText("kollontai-en-excerpts", "en", "excerpts", ed.paragraphs, "translation")
        col = collate_work(work.id, work.title, work.pivot, wits + [wit], authority)
        where = {wid: {q: k for k, r in enumerate(col.rows) for q in r.cells.get(wid, [])} for wid in (wit.id, dn.id)}
        body = [(q, src) for q, src in enumerate(ed.source) if src is not None]
        landed = sum(1 for q, src in body if where[wit.id][q] == where[dn.id][src])
        out[seed] = {"paragraphs": len(body), "beside_their_source": landed}
        print(f"excerpt edition seed {seed}: {landed}/{len(body)} paragraphs beside their source")
    return out


def omissions(seeds=(1, 2, 3, 4, 5)) -> dict | None:
    """Precision and recall of omitted sentences: the Dreadnought with 20 sentences dropped per seed."""
    from pipeline.collate import collate_work, witness_texts
    from pipeline.collate.synthetic import measure_omissions
    from pipeline.context import Resources
    from pipeline.witnesses import load_corpus
    if not (ROOT / "clean" / "kollontai-ru.txt").exists():
        return None
    corpus = load_corpus(ROOT / "raw")
    work = corpus.work("kollontai-workers-opposition")
    wits = {w.id: w for w in witness_texts(ROOT, corpus.members(work.id), {})}
    authority = Resources(ROOT).authority
    return measure_omissions(wits[work.pivot], wits["kollontai-en-dreadnought"],
                             lambda ws: collate_work(work.id, work.title, work.pivot, ws, authority), seeds)


def corpus_collation(repeat: int = 1) -> dict:
    """The collation step of `edition run` on the corpus's clean texts (clean/*.txt), in this
    process, cold for the collation (the pymorphy3 analyser and the authority loaded first,
    as a run has them): CPU seconds of its parts, and a digest of the report files it makes
    (a pure speed-up leaves it as it was). With `repeat`, the fastest of that many runs (on a
    shared machine the slowest say more about the neighbours than about the code)."""
    import hashlib
    import pipeline.collate as co
    import pipeline.collate.pivot as pv
    import pipeline.collate.writers as wr
    from pipeline.commands.run import few_collections
    from pipeline.context import Resources
    from pipeline.russian import morph
    from pipeline.witnesses import load_corpus
    parts: dict[str, list] = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                acc = parts.setdefault(name, [0.0, 0])
                acc[0] += time.process_time() - c
                acc[1] += 1
        return wrapper
    for mod, names in ((co, ["units", "align_translations", "direct_beads", "report_files"]),
                       (pv, ["units", "align_units", "regroup", "add_lexicon", "confirmed_by_sentences"]),
                       (wr, ["html", "tei", "coverage"])):
        for n in names:
            if hasattr(mod, n):
                setattr(mod, n, timed(f"{mod.__name__.removeprefix('pipeline.')}.{n}", getattr(mod, n)))
    corpus = load_corpus(ROOT / "raw")
    res = Resources(ROOT)
    morph()
    res.authority
    texts = {w.id: (ROOT / "clean" / f"{w.id}.txt").read_text("utf-8") for w in corpus.witnesses}
    best = None
    for _ in range(repeat):
        parts.clear()
        with few_collections():  # the collector's thresholds of `edition run` (the defaults' collections add noise)
            c, t = time.process_time(), time.perf_counter()
            files = co.collate_corpus(ROOT, corpus, res, texts)
            cpu, wall = time.process_time() - c, time.perf_counter() - t
        if best is None or cpu < best[0]:
            best = (cpu, wall, {k: list(v) for k, v in parts.items()})
    cpu, wall, parts = best
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + files[path].encode() + b"\0")
    return {"cpu": cpu, "wall": wall, "digest": h.hexdigest()[:16], "files": len(files), "parts": parts}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    ap.add_argument("--no-collatex", action="store_true")
    ap.add_argument("--excerpts", type=int, default=0, metavar="N",
                    help="also collate excerpt editions of seeds 1..N with the Kollontai witnesses")
    ap.add_argument("--corpus", action="store_true",
                    help="only the collation step of `edition run` on clean/*.txt: its parts' CPU, a digest of its files")
    ap.add_argument("--repeat", type=int, default=1, help="with --corpus: the fastest of N runs")
    args = ap.parse_args()
    if args.corpus:
        r = corpus_collation(args.repeat)
        print(f"collation of the corpus: {r['cpu']:.3f} s CPU ({r['wall']:.3f} s wall), {r['files']} files, "
              f"digest {r['digest']}")
        for name, (cpu, n) in sorted(r["parts"].items(), key=lambda kv: -kv[1][0]):
            print(f"  {name:<32} {cpu:7.3f} s CPU  ({n} calls)")
        return 0
    results: dict = {"sizes": {}}
    if args.excerpts:
        results["excerpts"] = excerpt_sweep(args.excerpts)
    for words in args.sizes:
        a, b, changes, moved = pair(words, moves=True)
        seconds, rows, cpu = time_ours(a, b, repeat=3 if words <= 20000 else 2)
        found = planted_found(rows, changes)
        mem = peak_memory(a, b)
        linked = moves_found(rows)
        results["sizes"][words] = {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_mb": round(mem, 1),
                                   "planted": len(changes), "found": found, "moves_planted": len(moved),
                                   "moves_found": linked}
        print(f"{words:>7} words x 2: {seconds:6.3f} s ({cpu:.3f} s CPU), peak {mem:6.1f} MB (tracemalloc), "
              f"planted variants found {found}/{len(changes)}, moves linked {linked}/{len(moved)}")
    if len(args.sizes) >= 2:
        s = sorted(results["sizes"])
        lo, hi = results["sizes"][s[-2]], results["sizes"][s[-1]]
        growth, growth_cpu = hi["seconds"] / lo["seconds"], hi["cpu_seconds"] / lo["cpu_seconds"]
        print(f"growth {s[-2]} -> {s[-1]} words (x{s[-1] / s[-2]:.0f}): time x{growth:.1f}, CPU x{growth_cpu:.1f}")
        results["growth"], results["growth_cpu"] = round(growth, 2), round(growth_cpu, 2)
    if not args.no_collatex:
        a, b, changes = pair(2000)
        ours, rows, _ = time_ours(a, b)
        cx_time, cx_a, cx_b = collatex_variants(a, b)
        our_a, our_b = variant_tokens_ours(rows, a), variant_tokens_ours(rows, b)
        toks_a = tokenize_paragraphs(a.paragraphs)
        planted = [{k for k, t in enumerate(toks_a) if t.para == c.para and t.start < c.end and t.end > c.start}
                   for c in changes]
        cx_found = sum(bool(p & cx_a) for p in planted)
        inside = set().union(*planted) if planted else set()
        same = our_a == cx_a and our_b == cx_b
        jac = len((our_a | our_b) & (cx_a | cx_b)) / max(1, len(our_a | our_b | cx_a | cx_b))
        results["collatex"] = {"words": 2000, "collatex_seconds": round(cx_time, 2), "ours_seconds": round(ours, 4),
                               "ratio": round(ours / cx_time, 5), "same_variant_tokens": same,
                               "token_agreement": round(jac, 4), "planted": len(changes),
                               "found_ours": planted_found(rows, changes), "found_collatex": cx_found,
                               "only_ours_a": len(our_a - cx_a), "only_collatex_a": len(cx_a - our_a),
                               "outside_planted_ours": len(our_a - inside), "outside_planted_collatex": len(cx_a - inside),
                               "differing_tokens": [toks_a[k].text for k in sorted(our_a ^ cx_a)][:20]}
        print(f"CollateX 2000 words x 2: {cx_time:.1f} s; ours {ours:.4f} s = {ours / cx_time:.5f} of CollateX "
              f"(x{cx_time / ours:.0f} faster)")
        cx = results["collatex"]
        print(f"  variant tokens identical: {same} (agreement {jac:.3f}); planted found: ours "
              f"{cx['found_ours']}/{len(changes)}, CollateX {cx_found}/{len(changes)}; tokens marked outside "
              f"planted changes: ours {cx['outside_planted_ours']}, CollateX {cx['outside_planted_collatex']}; "
              f"differing tokens: {cx['differing_tokens']}")
    xl = cross_language()
    if xl is not None:
        results["cross_language_seconds"] = round(xl[0], 3)
        results["cross_language_cpu_seconds"] = round(xl[1], 3)
        print(f"cross-language alignment of kollontai-workers-opposition: {xl[0]:.2f} s ({xl[1]:.2f} s CPU)")
    om = omissions()
    if om is not None:
        results["omitted_sentences"] = om
        print(f"omitted sentences (Dreadnought, 20 dropped x 5 seeds): precision {om['precision']:.2f}, "
              f"recall {om['recall']:.2f} ({om['true']} of {om['reported']} reported, {om['expected']} expected)")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "collate_bench.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
