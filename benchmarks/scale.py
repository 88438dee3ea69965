"""Benchmark: `edition clean` on a library of OCR-noisy books, and `edition run` start-up.

    .venv/bin/python benchmarks/scale.py                       # 50, 200, 1000 books; jobs 1/2; Dask local:1/local:2
    .venv/bin/python benchmarks/scale.py --books 20 50 --modes j1 j2   # a quick look
    .venv/bin/python benchmarks/scale.py --startup             # only `edition run` cold / nothing changed
    .venv/bin/python benchmarks/scale.py --books 40 --modes j2 --code . ../old --repeat 3   # two checkouts' code, alternated

Books: the corpus's clean English and Russian texts (clean/*.txt), shuffled by paragraph
and typeset as a scan's OCR would give them: lines of 60-70 characters, words broken
with a hyphen at line ends, a running head and a page number every 40 lines, and
OCR damage. The damage comes from the learned OCR error model
(pipeline/data/ocr_model.json: its word error rate, and each confusion "printed for
meant" drawn by its count) when the checkout has one; otherwise from a simple model:
one word in ten gets one confusion from a fixed table of classic OCR confusions
(rn for m, c for e, 1 for l, ...). Seeded: the same books every time.

Each measurement is one `edition clean BOOK... --lang auto --out DIR` (English and Russian
books together, each book's language told by its letters) in a new process; it reports wall seconds, CPU seconds of the whole process tree
(user + sys: getrusage of the waited children, or the sum of every process's last sample), MB/s (input bytes / wall), and the
peak memory of the process tree (the sum of the PSS of the process and its descendants,
sampled every SAMPLE * PSS_EVERY seconds with psutil: shared pages counted once; RSS where PSS is unavailable), and
apart the CPU seconds of the client (the command's own process) and of the busiest other processes
(the workers). The machine is shared: read the CPU column beside the wall one.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITION = [sys.executable, "-m", "pipeline"]
MODES = {"j1": [], "j2": ["--jobs", "2"], "dask1": ["--scheduler", "local:1"], "dask2": ["--scheduler", "local:2"]}

# the fallback noise model: (meant, printed) of classic OCR confusions
SIMPLE = {"en": [("m", "rn"), ("e", "c"), ("o", "c"), ("l", "1"), ("l", "I"), ("h", "b"), ("y", "v"), ("d", "cl"),
                 ("u", "ii"), ("w", "vv"), ("n", "ri"), ("t", "f"), ("s", "5"), ("a", "o"), ("i", "l")],
          "ru": [("и", "н"), ("н", "и"), ("п", "н"), ("е", "с"), ("о", "с"), ("ш", "щ"), ("ы", "ь"), ("б", "6"),
                 ("з", "3"), ("т", "г"), ("л", "п")]}


class Noise:
    """OCR damage for one language: a word error rate and weighted confusions."""

    def __init__(self, language: str):
        model = ROOT / "pipeline" / "data" / "ocr_model.json"
        self.source = "simple"
        self.rate = 0.1
        self.pairs = [(m, p, 1.0) for m, p in SIMPLE[language]]
        if language == "en" and model.exists():
            try:
                data = json.loads(model.read_text(encoding="utf-8"))
                pairs = [(c["meant"], c["printed"], float(c.get("count", 1))) for c in data["confusions"]
                         if c.get("meant") and c.get("meant") != c.get("printed")]
                if pairs:
                    self.pairs, self.rate = pairs, float(data.get("word_error_rate", 0.1))
                    self.source = "pipeline/data/ocr_model.json"
            except (ValueError, KeyError, TypeError):
                pass

    def damage(self, word: str, rng: random.Random) -> str:
        if rng.random() >= self.rate:
            return word
        options = [(m, p, w) for m, p, w in self.pairs if m in word]
        if not options:
            return word
        m, p, _ = rng.choices(options, weights=[w for *_, w in options])[0]
        i = word.find(m)
        return word[:i] + p + word[i + len(m):]


def paragraphs(language: str) -> list[str]:
    """Clean paragraphs of the corpus in one language (clean/*.txt of the repository)."""
    from pipeline.witnesses import load_corpus
    out = []
    for w in load_corpus(ROOT / "raw").witnesses:
        path = ROOT / "clean" / f"{w.id}.txt"
        if w.language == language and path.exists():
            out += [p for p in path.read_text(encoding="utf-8").split("\n")
                    if len(p) > 80 and "[^" not in p]
    return out


def book(paras: list[str], noise: Noise, size: int, rng: random.Random, title: str) -> str:
    """One OCR-noisy typeset book of about `size` characters."""
    lines: list[str] = []
    page = 1
    width = rng.randint(60, 70)
    total = 0
    while total < size:
        words = [noise.damage(w, rng) for w in rng.choice(paras).split()]
        line = ""
        for w in words:
            if len(line) + 1 + len(w) <= width or not line:
                line = f"{line} {w}".strip()
                continue
            room = width - len(line) - 2
            if room >= 3 and len(w) >= room + 3 and w[:room].isalpha():  # break the word with a hyphen
                lines.append(f"{line} {w[:room]}-")
                line = w[room:]
            else:
                lines.append(line)
                line = w
            if len(lines) % 40 == 0:
                page += 1
                lines += ["", f"{page}    {title.upper()}", ""]
        lines.append(line)
        lines.append("")
        total = sum(len(x) + 1 for x in lines)
    return "\n".join(lines) + "\n"


def make_library(folder: Path, n: int, size: int, seed: int = 12) -> dict[str, list[Path]]:
    """n books (a fifth of them Russian), written to folder/<lang>/book-NNNN.txt."""
    rng = random.Random(seed)
    by_lang: dict[str, list[Path]] = {"en": [], "ru": []}
    source = {lang: (paragraphs(lang), Noise(lang)) for lang in by_lang}
    for i in range(n):
        lang = "ru" if i % 5 == 4 else "en"
        paras, noise = source[lang]
        path = folder / lang / f"book-{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(book(paras, noise, size, rng, f"book {i}"), encoding="utf-8")
        by_lang[lang].append(path)
    return by_lang


def tree_rss(pid: int, cpu: dict[int, float] | None = None, memory: bool = True) -> int:
    """Memory of the process tree now (0 without `memory`); records each process's CPU seconds
    so far in `cpu`."""
    import psutil
    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.Error:
        return 0
    for q in procs:
        if cpu is not None:
            try:
                t = q.cpu_times()
                cpu[q.pid] = max(cpu.get(q.pid, 0.0), t.user + t.system)
            except psutil.Error:
                pass
    total = 0
    for q in procs if memory else ():  # PSS: a page shared by n processes (the memory-mapped word lists, forked
        try:         # copy-on-write memory) counts 1/n in each, so the sum is what the tree uses
            info = q.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return total


# seconds between two samples of the process tree. Reading a process's PSS walks its page tables:
# 10-25 ms of CPU for a Dask client and two workers, more as the workers grow; every 50 ms (as
# before) the sampler took 15-20 % of a core from the 2-core machine the workers ran on, more with
# more books (the workers' memory grows), and a local:2 run could not use both cores
SAMPLE = 0.5
# the memory (PSS) every PSS_EVERY samples, the CPU at every one: on 200 books at load 4.5 the sampler
# took 9.3 s of CPU (13 ms a sample) beside the client's 7.0; with local:2 it takes it from the two
# workers, with local:1 from the idle core, and so weighed against the speed-up it measures. A worker
# grows ~4 MB a book (recycled every 15): a peak read 1.5 s late is a few MB short at most
PSS_EVERY = 4


def measure(cmd: list[str], cwd: Path) -> dict:
    """Wall, CPU (whole tree) and peak RSS (whole tree) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    seen: dict[int, float] = {}
    sampler = [0.0]
    done = threading.Event()

    def watch():
        try:  # Linux: this thread only, so that the measured command is not slowed by its measurement
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass
        n = 0
        while not done.is_set():  # (not proc.poll(): it would reap the process before wait4 below)
            peak[0] = max(peak[0], tree_rss(proc.pid, seen, memory=n % PSS_EVERY == 0))
            n += 1
            done.wait(SAMPLE)
        sampler[0] = time.thread_time()

    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    th = threading.Thread(target=watch, daemon=True)
    reader.start()
    th.start()
    # wait4: the command's own resource use, its largest resident set among the processes it waited for
    # included (a run shorter than the sampling's PSS interval was sampled once, at its start: "3 MB")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    done.set()
    reader.join()
    th.join()
    err = "".join(errors)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak[0] = max(peak[0], usage.ru_maxrss * 1024)  # (RSS, not PSS: a lower bound of the tree's peak)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    for line in err.splitlines():  # a run that went on without a worker says so: shown beside its figures
        if "warning" in line:
            print(f"       {line}", flush=True)
    # workers forked by a forkserver are not waited for by this process: their CPU comes from
    # the sampling (each process's last sample, at most SAMPLE short)
    cpu = max((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sum(seen.values()))
    # the client (the command's own process: reading, writing, and a local Dask scheduler) and the
    # processes that did most of the rest (the workers), each apart
    others = sorted((c for pid, c in seen.items() if pid != proc.pid), reverse=True)
    return {"wall": wall, "cpu": cpu, "rss": peak[0], "client": seen.get(proc.pid, 0.0), "workers": others[:4],
            "sampler": sampler[0]}


def clean_library(lib: dict[str, list[Path]], out: Path, mode: str, code: Path = ROOT) -> dict:
    """`edition clean` of every book in one call (`--lang auto`: each book's language from its
    letters), so a Dask run starts one cluster and its workers load the resources once. `code`:
    the checkout whose pipeline (and config) cleans them (`python -m pipeline` run from there)."""
    paths = [p for ps in lib.values() for p in ps]
    return measure([*EDITION, "--root", str(code), "clean", *map(str, paths), "--lang", "auto", "--out",
                    str(out), "--quiet", *MODES[mode]], code)


def same_outputs(a: Path, b: Path) -> bool:
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return fa == fb and all((a / p).read_bytes() == (b / p).read_bytes() for p in fa)


def startup(repeat: int) -> None:
    """`edition run` on the corpus in a copy of the project: full (--force) and nothing changed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        for sub in ("raw", "config", "rules", "review"):
            if (ROOT / sub).exists():
                shutil.copytree(ROOT / sub, root / sub)
        cmd = [*EDITION, "--root", str(root), "run", "--quiet"]
        measure(cmd, ROOT)  # builds the word-list tables once if missing
        for label, extra in (("full run (--force), new process", ["--force"]), ("re-run, nothing changed", [])):
            ms = [measure(cmd + extra, ROOT) for _ in range(repeat)]
            print(f"{label}: wall median {statistics.median(m['wall'] for m in ms):.2f} s "
                  f"(min {min(m['wall'] for m in ms):.2f}), CPU median {statistics.median(m['cpu'] for m in ms):.2f} s, "
                  f"peak RSS {max(m['rss'] for m in ms) / 1e6:.0f} MB  [{repeat} runs]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--books", type=int, nargs="+", default=[50, 200, 1000])
    ap.add_argument("--size", type=int, default=100_000, help="characters per book (default 100,000)")
    ap.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    ap.add_argument("--startup", action="store_true", help="only the `edition run` start-up figures")
    ap.add_argument("--repeat", type=int, default=None,
                    help="measurements of each row, alternated (default 1; --startup: 5)")
    ap.add_argument("--code", type=Path, nargs="+", default=[ROOT],
                    help="checkouts whose code cleans the same books, measured in turn (old against new)")
    ap.add_argument("--keep", type=Path, help="keep the books and outputs in this folder")
    args = ap.parse_args()
    if args.startup:
        startup(args.repeat or 5)
        return
    codes = [c.resolve() for c in args.code]
    repeat = args.repeat or 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="edition-scale-"))
    print(f"noise: en {Noise('en').source}, ru {Noise('ru').source}; {args.size:,} characters per book; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    # on a shared machine the wall column depends on the others' load: MB per CPU second and the
    # load average (1 min, at the end of the row) say how much
    # with several checkouts or repeats: one row a measurement, then each row's best (least CPU)
    print(f"{'books':>6} {'MB':>6} {'mode':>6} {'code':>12} {'wall s':>8} {'CPU s':>8} {'MB/s':>6} {'MB/CPU-s':>8} "
          f"{'peak MB':>8} {'load':>5}")
    rows = {}
    try:
        for n in args.books:
            lib_dir = work / f"books-{n}"
            lib = make_library(lib_dir, n, args.size)
            mb = sum(p.stat().st_size for ps in lib.values() for p in ps) / 1e6
            runs: dict[tuple, list[dict]] = {}
            for _ in range(repeat):
                for mode in args.modes:
                    for k, code in enumerate(codes):
                        out = work / f"out-{n}" / (mode if k == 0 else f"{mode}-{k}")
                        shutil.rmtree(out, ignore_errors=True)
                        m = clean_library(lib, out, mode, code)
                        runs.setdefault((mode, k), []).append(m)
                        print(f"{n:>6} {mb:>6.1f} {mode:>6} {code.name[-12:]:>12} {m['wall']:>8.1f} {m['cpu']:>8.1f} "
                              f"{mb / m['wall']:>6.2f} {mb / m['cpu']:>8.3f} {m['rss'] / 1e6:>8.0f} "
                              f"{os.getloadavg()[0]:>5.1f}  sampler {m['sampler']:.1f}, client {m['client']:.1f}, others "
                              f"{' '.join(f'{c:.1f}' for c in m['workers'])}", flush=True)
            if repeat > 1 or len(codes) > 1:
                print("  best of each (least CPU; peak: the highest):")
                for (mode, k), ms in runs.items():
                    m = min(ms, key=lambda m: m["cpu"])
                    print(f"{n:>6} {mb:>6.1f} {mode:>6} {codes[k].name[-12:]:>12} {m['wall']:>8.1f} {m['cpu']:>8.1f} "
                          f"{mb / m['wall']:>6.2f} {mb / m['cpu']:>8.3f} {max(x['rss'] for x in ms) / 1e6:>8.0f}  "
                          f"CPU median {statistics.median(x['cpu'] for x in ms):.1f}")
            for mode, k in runs:
                rows.setdefault((n, mode), min(runs[(mode, k)], key=lambda m: m["cpu"]))
            base = args.modes[0]
            for mode, k in list(runs)[1:]:
                name = mode if k == 0 else f"{mode}-{k}"
                ok = same_outputs(work / f"out-{n}" / base, work / f"out-{n}" / name)
                print(f"       outputs of {mode} ({codes[k].name}) {'identical to' if ok else 'DIFFER from'} "
                      f"{base} ({codes[0].name})")
            if not args.keep:
                shutil.rmtree(lib_dir, ignore_errors=True)
                shutil.rmtree(work / f"out-{n}", ignore_errors=True)
        ns = sorted(args.books)
        for mode in args.modes:
            if len(ns) > 1 and (ns[0], mode) in rows and (ns[-1], mode) in rows:
                a, b = rows[(ns[0], mode)], rows[(ns[-1], mode)]
                print(f"{mode}: {ns[-1] / ns[0]:.0f}x the books cost {b['wall'] / a['wall']:.2f}x the wall time, "
                      f"{b['cpu'] / a['cpu']:.2f}x the CPU time")
        for n in ns:
            if (n, "dask1") in rows and (n, "dask2") in rows:
                print(f"Dask speed-up on {n} books, local:2 over local:1: "
                      f"{rows[(n, 'dask1')]['wall'] / rows[(n, 'dask2')]['wall']:.2f}x (wall)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
