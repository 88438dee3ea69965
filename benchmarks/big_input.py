"""Benchmark: one very large witness through `edition run` — time and peak memory.

    .venv/bin/python benchmarks/big_input.py              # 10 MB and 100 MB (minutes)
    .venv/bin/python benchmarks/big_input.py --mb 10      # one size
    .venv/bin/python benchmarks/big_input.py --mb 10 --lang ru
    .venv/bin/python benchmarks/big_input.py --mb 100 --varied   # nothing repeats
    .venv/bin/python benchmarks/big_input.py --mb 3 10 --varied --phases --writers   # memory by phase, CPU by writer

A project in a temporary folder holds one witness made of the real raw texts repeated
(English: the Dreadnought serial; Russian: Kollontai's pamphlet) to the size asked, with
their real damage (hard wraps, hyphens, page furniture). `edition run --quiet` runs in a
new process; the figures are its wall time, its CPU seconds (the machine may be shared) and
its peak resident memory (ru_maxrss of the child). Growth: time per MB at each size
(super-linear growth shows as a rising figure).

`--varied`: the witness never repeats itself. It is made of 1 MB books from
benchmarks/scale.py (the corpus's clean paragraphs shuffled, typeset with hyphens and
running heads, and damaged afresh by the learned OCR error model), so the distinct
garbles keep growing with the size, as in a real archive, and no per-word result
computed once is met again for free. Measured (English, a shared 2-core machine): peak
RSS 462 / 739 / 1,295 MB at 3 / 10 / 30 MB (main before detect's windows: 527 / 998 / 2,018),
CPU 87 / 230 / 562 s; the slope 10 -> 30 MB is 28 MB per MB (was 51).
Detect's token columns, bigrams and bounded queries (branch memory4) cut detect's own peak,
measured in one process (the witness made in it, then `edition run`): 10 MB 520 -> 454 MB
(the whole run 539 -> 494 MB); the process's peak is then the run's last steps (the detect
edits applied, the change log, the run cache's pickle). In a fresh process as here: 3 MB
323 -> 325 MB, 10 MB 523 -> 546 MB, 30 MB 988 -> 868 MB (CPU 556 -> 655 s, the second under
heavier load; one run each; heap layout varies from run to run): the slope 10 -> 30 MB is
23 -> 16 MB per MB.
memory5 (the Document's text joined a block of pieces at a time; long texts and arrays of the
run cache stored beside its pickle; notes compressed and short texts coded in model.TextColumn;
detect's notes made when applied; hyphenation's and spacing's whole-text copies gone; the heap
trimmed after each stage), the run in one process with its RSS sampled per phase (the
instrument of --phases): 3 MB 350 -> 339 MB, 10 MB 554 -> 496 MB, 30 MB 895 MB (main: 868 in a
fresh process, not measured here); slope 10 -> 30 MB 20 MB per MB. By phase at 30 MB: the
stages before detect 514 MB (hyphenation, spacing; 572 before), detect 789, its edits applied
861, the change log made beside the Document 895, the outputs 827. At 100 MB (main's code, then
with hyphenation and spacing mended): reading 525 MB, layout 1,012, notes 1,308 -> 1,278,
hyphenation 1,803 -> 1,591, spacing 1,647 -> 1,574, entering detect 1,171; then (without the
heap trim) detect 1,795, its edits applied 2,024, the next text 2,175, the change log 2,271:
peak 2,325 MB (main 2,452), still over 2 GB. What is left: the layout stage's line objects (~8 MB per MB), a new text
per stage with edits (its chunks and itself: twice the text), detect's +300 MB, and the change
log made while the Document still holds the same edits.
memory6: the write phase was quadratic: the changes page paired every removed line with every
long insertion (report.data.moved_pairs; 0.83 / 5.7 s at 3 / 10 MB, ~10 min at 100 MB), now
found by the lines' heads (0.23 / 0.75 s). `--writers` gives each writer's CPU (after the run,
the witness from its cache), at 1 / 3 / 10 MB: change log 0.5 / 1.5 / 5.2 s, changes page
1.2 / 3.5 / 10.7 s, index 0.4 / 1.3 / 5.0 s, the rest < 0.2 s (a lone witness: no collation).
A witness of 1M characters or more has its Document and queries parked in a temporary file
while each stage runs, its text while the change log is made, and the pieces let go as the
log takes them (pipeline.run.PARK_MIN). 100 MB (--phases, nice'd, 1,811 s CPU): layout 1,073 ->
1,039 MB, hyphenation 1,557 -> 993, detect 1,749 -> 1,732 and its edits applied 1,941 -> 1,949,
grammar 2,085 -> 2,086, change log 2,219 -> 1,863, cache 1,870 -> 1,797, reports 1,876 -> 1,803,
write (completed: 149 s CPU, 208 s wall) 1,871: peak 2,086 MB, still over 2 GB, now where the
text is joined after detect's edits and grammar runs. At 3 / 10 MB the run's own data is
small beside the loaded resources: 329 -> 327 MB, 496 (memory5) -> 485 MB.
hundred: the queries parked also while a stage's edits are applied; the next text made
through a file once the pieces are parked (joined in memory it was the text twice beside
the pieces and the queries: the grammar phase's 2,086); Document.apply keeps a stage's edits
as arrays and lets the Edit objects go before the new pieces are made, sorting only edits out
of order. 100 MB (without the last: queries parked, text through a file, sort when needed;
in one process as --phases, nice'd on a loaded machine, 1,933 s CPU to the write phase; the
instrument pickled detect's result after the stage, which left ~370 MB more resident for
every phase after it): layout 1,048 MB, hyphenation 974, spacing 862, entering detect 838
(memory6: 1,171), detect 1,630 (1,732); then, with the instrument's 370 MB: its edits applied
1,956, the text made 1,815, grammar 1,697, the pieces unparked and parked again for grammar's
and punctuation's queries 1,896 and 1,863, the change log 1,747 (1,863), cache 1,687,
reports 1,694. (Keeping the pieces' offsets in memory while parked, so that a stage that only
asks leaves the rest in its file, cut those two phases at 10 MB but raised the apply after
detect by 11-14 MB, twice: not kept.)
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.rules import load_rule_file  # noqa: E402
SOURCES = {"en": "kollontai-en-dreadnought.txt", "ru": "kollontai-ru.txt"}


def make_project(folder: Path, mb: float, lang: str, varied: bool = False) -> Path:
    for sub in ("config", "rules"):
        shutil.copytree(ROOT / sub, folder / sub)
    for f in (folder / "rules").glob("*.toml"):  # a rule scoped to a witness this project lacks is refused
        if f.name != "names.toml" and any(set(r.spec.scope) - {"*", "en", "ru"} for r in load_rule_file(f)):
            f.unlink()
    policy = folder / "config" / "policy.toml"
    lines, keep = [], True
    for line in policy.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.lstrip().startswith("["):
            keep = not line.strip().strip("[]").startswith("witness.")
        if keep:
            lines.append(line)
    policy.write_text("".join(lines), encoding="utf-8")
    (folder / "raw").mkdir()
    unit = (ROOT / "raw" / SOURCES[lang]).read_bytes()
    size = int(mb * 1_000_000)
    with open(folder / "raw" / "big.txt", "wb") as f:
        written = 0
        for chunk in _varied(lang) if varied else iter(lambda: unit, None):
            if written >= size:
                break
            f.write(chunk)
            written += len(chunk)
    (folder / "raw" / "witnesses.toml").write_text(
        f'[[witness]]\nid = "big"\nfile = "big.txt"\nlanguage = "{lang}"\nwork = "big"\nrole = "original"\n',
        encoding="utf-8")
    return folder


def _varied(lang: str):
    """1 MB books, each typeset and damaged anew (benchmarks/scale.py), without end."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import random

    import scale
    rng, paras, noise = random.Random(7), scale.paragraphs(lang), scale.Noise(lang)
    n = 0
    while True:
        n += 1
        yield scale.book(paras, noise, 1_000_000, rng, f"part {n}").encode("utf-8")


def run(mb: float, lang: str, varied: bool = False, phases: bool = False, writers: bool = False,
        keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="edition-big-") as tmp:
        folder = keep / f"{lang}-{'varied-' if varied else ''}{mb:g}mb" if keep else Path(tmp)
        if keep and (folder / "raw" / "big.txt").exists():  # made by an earlier run (100 MB varied: ~20 min)
            root = folder
        else:
            if keep:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
            root = make_project(folder, mb, lang, varied)
        size = (root / "raw" / "big.txt").stat().st_size
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "pipeline", "--root", str(root), "run", "--quiet", "--force"]
        if phases:  # the same run, in a child that samples its own memory (see _phases)
            cmd = [sys.executable, __file__, "--phases-of", str(root)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None if phases else subprocess.PIPE, text=True,
                              cwd=ROOT)  # (--phases: the child's phases go straight to stderr)
        elapsed = time.perf_counter() - t
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = usage.ru_maxrss  # KB; the largest child so far
        cpu = usage.ru_utime + usage.ru_stime - cpu0  # the machine may be shared: CPU beside wall
        out = {"lang": lang, "varied": varied, "mb": size / 1e6, "seconds": round(elapsed, 1), "cpu_seconds": round(cpu, 1),
               "peak_rss_mb": round(peak / 1024),
               "exit": proc.returncode, "s_per_mb": round(elapsed / (size / 1e6), 2)}
        if peak <= before:
            out["peak_rss_mb"] = f"<= {round(before / 1024)} (an earlier run was larger)"
        if proc.returncode and proc.stderr:
            out["stderr"] = proc.stderr.strip()[-300:]
        if writers and not proc.returncode:  # the write phase again, writer by writer (the witness from the run cache)
            subprocess.run([sys.executable, __file__, "--writers-of", str(root)], cwd=ROOT)
        return out


def _rss_sampler(every: float) -> tuple[list[int], Callable[[], int]]:
    """This process's resident memory in MB (`rss()`), and a list a daemon thread appends it
    to every `every` seconds (the caller reads and clears it)."""
    import threading

    page = resource.getpagesize()
    samples: list[int] = []

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * page >> 20

    def sample() -> None:
        while True:
            samples.append(rss())
            time.sleep(every)

    threading.Thread(target=sample, daemon=True).start()
    return samples, rss


def _phases(root: str) -> None:
    """`edition run --quiet` on `root` in this process, with its resident memory sampled every
    50 ms; on stderr, as the run goes, the largest RSS seen in each phase (between two marks:
    a stage's edits applied, the change log made, the cache entry written, the outputs made
    and written). RSS never shrinks much (freed memory stays in the heap): a phase's figure
    is the heap's high-water mark so far, and a rise marks the phase that set it."""
    import pipeline.cache as cache
    import pipeline.model as model
    import pipeline.outputs as outputs
    import pipeline.report as report
    import pipeline.report.files as files
    import pipeline.run as pipeline_run
    import pipeline.text as text
    from pipeline.cli import main as cli

    start = time.perf_counter()

    def mark(label: str) -> None:
        high = max(samples, default=rss())
        samples.clear()
        print(f"{time.perf_counter() - start:8.1f} s  {time.process_time():7.0f} s CPU  phase peak {high:6d} MB"
              f"  -> {label}", file=sys.stderr, flush=True)

    def marked(owner, name: str, label) -> None:
        real = getattr(owner, name)

        def call(*args, **kwargs):
            mark(f"{label(*args)} starts")
            try:
                return real(*args, **kwargs)
            finally:
                mark(f"{label(*args)} done")
        setattr(owner, name, call)

    marked(pipeline_run, "run_stages", lambda *a: "stages")
    marked(text.Document, "apply", lambda doc, stage, edits, *a: f"apply {stage} ({len(edits)} edits)")
    marked(model.ChangeLog, "__init__", lambda *a: "change log")
    marked(cache.RunCache, "put", lambda rc, kind, *a: f"cache {kind}")
    marked(files, "witness_files", lambda *a: "witness files")
    marked(report, "build_reports", lambda *a: "reports")
    marked(outputs, "write_files", lambda *a: "write")
    samples, rss = _rss_sampler(0.05)
    code = cli(["--root", root, "run", "--quiet", "--force"])
    mark("end")
    sys.exit(code)


def _writers(root: str) -> None:
    """The write phase of `edition run` on `root`, one output at a time: the witness cleaned
    (or read from the project's cache, kept there for this: a second call times the writers
    alone, even after a change of the code), then each
    writer's CPU seconds and the rise of this process's resident memory while it runs, on
    stderr. Each output is written to /dev/null (encoded, as write_files encodes it)."""
    import os
    from functools import partial

    from pipeline.cache import RunCache
    from pipeline.commands.run import clean_cached
    from pipeline.context import Resources
    from pipeline.outputs import _write_content
    from pipeline.report import witness_state
    from pipeline.report.data import elsewhere, moved_pairs, queries_near
    from pipeline.report.files import witness_files, witness_manifest
    from pipeline.report.html import render_index, write_changes_page
    from pipeline.run import _give_back
    from pipeline.witnesses import load_corpus

    samples, rss = _rss_sampler(0.02)
    path = Path(root)
    corpus = load_corpus(path / "raw")
    res = Resources(path)
    cpu = time.process_time()
    cache = RunCache(path)  # the cleaned witness kept under a key of its own: a change of the code keeps it
    cleaned = cache.get("bench", "writers")
    if cleaned is None:
        cleaned = clean_cached(path, corpus, [w.id for w in corpus.witnesses], res, cache, False, True, 1, None)
        cache.put("bench", "writers", cleaned)
    print(f"{'cleaned (or from the cache)':28s} {time.process_time() - cpu:8.2f} s CPU  RSS {rss():6d} MB",
          file=sys.stderr, flush=True)
    c = next(iter(cleaned.values()))

    def timed(label: str, fn) -> object:
        _give_back(1 << 30)
        base = rss()
        samples.clear()
        t = time.process_time()
        out = fn()
        spent = time.process_time() - t
        high = max(samples + [rss()])
        print(f"{label:28s} {spent:8.2f} s CPU  +{high - base:5d} MB (RSS {high} MB)", file=sys.stderr, flush=True)
        return out

    def sink(content) -> None:
        with open(os.devnull, "wb") as f:
            _write_content(f, content)

    files = timed("witness files (made)", lambda: witness_files(path, cleaned))
    for p, content in list(files.items()):
        timed(p.name, partial(sink, content))
    timed("witnesses.json", lambda: witness_manifest([w.id for w in corpus.witnesses], cleaned))
    st = timed("report state", lambda: witness_state(c))
    timed("  elsewhere", lambda: elsewhere({c.witness.id: st}))
    timed("  moved_pairs", lambda: moved_pairs(st.changes))
    timed("  queries_near", lambda: queries_near(st.changes, st.queries))
    timed(f"{c.witness.id}.changes.html", partial(sink, partial(write_changes_page, st=st)))
    timed("index.html", lambda: render_index(corpus, {c.witness.id: st}, set()))
    print(f"changes {len(c.changes):,}  queries {len(c.queries):,}  clean chars {len(c.text):,}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs="*", default=[10, 100])
    ap.add_argument("--lang", choices=["en", "ru"], default="en")
    ap.add_argument("--varied", action="store_true", help="a witness that never repeats itself (see above)")
    ap.add_argument("--phases", action="store_true", help="print the peak resident memory of each phase of the run "
                    "(stages, the change log, the cache, the outputs) as it goes")
    ap.add_argument("--writers", action="store_true", help="then the write phase again, one output at a time "
                    "(CPU and memory of each writer; the witness from the run's cache)")
    ap.add_argument("--keep", type=Path, help="make each project in a folder of this one and keep it; an input "
                    "made there before is used again (the 100 MB varied witness takes ~20 minutes to make)")
    ap.add_argument("--phases-of", help=argparse.SUPPRESS)  # the child of --phases
    ap.add_argument("--writers-of", help="time the writers of the project in this folder (see --writers)")
    args = ap.parse_args()
    if args.phases_of:
        _phases(args.phases_of)
    if args.writers_of:
        _writers(args.writers_of)
        return
    for mb in sorted(args.mb):  # smallest first: ru_maxrss of children only grows
        print(run(mb, args.lang, args.varied, args.phases, args.writers, args.keep), flush=True)


if __name__ == "__main__":
    main()
