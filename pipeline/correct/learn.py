"""Learn the OCR error model from aligned OCR / ground-truth pairs.

    .venv/bin/python -m pipeline.correct.learn                   # all dev documents -> pipeline/data/ocr_model.json
    .venv/bin/python -m pipeline.correct.learn --fold 0 --out /tmp/m0.json   # documents of fold 0 only

For every aligned misread (see align.py) the letters are aligned again (rapidfuzz
opcodes, gold -> OCR) and each run of adjacent differences becomes one confusion
of up to three letters a side: "m" printed "rn", "h" printed "li", "th" printed
"tb", "e" printed "c", a lost space (" " printed ""). P(printed | meant) is the count
of the confusion over the count of the meant letters in the gold. The dev sets have no Russian: the
Cyrillic confusions are counted on Tesseract's reading of scanned Russian pages against their text
(pipeline/data/ocr_scans.json, `ScanCounts`, made by benchmarks/scanned_bench.py --learn; Cyrillic letters
for Cyrillic letters only, so that no Latin confusion's rate moves), merged into the counts. Hand-set priors
(pipeline/data/ocr_priors.json: Cyrillic confusions) enter as pseudo-counts, so the data overrule them
where there is data. A class prior (the same
file's "classes": accents put on letters) is a floor instead: a habit of one print that the others
never show is no rarer in an unseen print for being absent from the learned ones (`class_pairs`).

Documents are split into folds by their source's sorted position (k-fold, default 2; the pages
of one book are one source, `source_of`) so the benchmark can learn on one fold and report on the
other (held-out figures) without a book's habits learned from its own other pages.
"""
from __future__ import annotations

import argparse
import datetime
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from rapidfuzz.distance import Levenshtein

from pipeline.correct.accents import accent, plain
from pipeline.correct.align import align, tokens

ROOT = Path(__file__).resolve().parent.parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
DEV_SETS = ("icdar2017_en", "overproof_smh_dev")
DATA = Path(__file__).resolve().parent.parent / "data"
MAX_SEG = 3
MIN_COUNT = 3  # a confusion seen fewer times is no entry of the model (its count goes to the unseen edits')
PRIOR_WEIGHT = 20.0  # pseudo-count of a hand-set prior
SCANS = DATA / "ocr_scans.json"  # the Cyrillic confusions of scanned pages (ScanCounts)


class ClassPrior(BaseModel):
    """A kind of confusion whose every pair is at least this likely (ocr_priors.json "classes")."""
    name: str = Field(alias="class", pattern="^accent$")
    p: float = Field(gt=0, lt=0.01)
    about: str = ""


class ScanConfusion(BaseModel):
    meant: str = Field(min_length=1, max_length=MAX_SEG)
    printed: str = Field(min_length=1, max_length=MAX_SEG)
    count: int = Field(ge=MIN_COUNT)  # (rarer ones would count among the dev sets' unseen edits)


class ScanCounts(BaseModel):
    """pipeline/data/ocr_scans.json: the Cyrillic confusions of real OCR of scanned pages (Tesseract on pages
    drawn from a clean Russian text and degraded: benchmarks/scanned_bench.py --learn), with the counts of
    the letter groups they and the priors mean; merged into the dev sets' counts (which have no Cyrillic)."""
    provenance: dict
    confusions: list[ScanConfusion]
    grams: dict[str, int]

    @field_validator("grams")
    @classmethod
    def _cyrillic_grams(cls, v):
        for g in v:
            if not cyrillic_pair(g, g):
                raise ValueError(f"{g!r}: not a group of Cyrillic letters (its count would change a Latin one's)")
        return v

    @field_validator("confusions")
    @classmethod
    def _cyrillic(cls, v):
        for c in v:
            if not cyrillic_pair(c.meant, c.printed):
                raise ValueError(f"{c.meant!r} printed {c.printed!r}: not Cyrillic letters for Cyrillic letters")
        return v


def cyrillic_pair(meant: str, printed: str) -> bool:
    """A confusion of Cyrillic letters for Cyrillic letters, neither side empty: one the scans may teach
    without touching a Latin text's (a lost letter, a digit or a mark would share the Latin groups)."""
    return bool(meant) and bool(printed) and all("\u0400" <= c <= "\u04ff" and c.isalpha() for c in meant + printed)


def merge_scans(stats: dict, path: Path = SCANS) -> dict | None:
    """Add the scans' Cyrillic counts (`ScanCounts`) to `stats` (learn.count's); their provenance, or None
    where there is no such file."""
    if not path.exists():
        return None
    from pydantic import ValidationError

    from pipeline.errors import EditionError
    try:
        scans = ScanCounts.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise EditionError(str(path), f"invalid scan confusion counts: {where}: {err['msg']}") from None
    for c in scans.confusions:
        stats["conf"][(c.meant, c.printed)] += c.count
    for g, n in scans.grams.items():
        stats["grams"][g] += n
    return scans.provenance


def class_pairs(name: str) -> list[tuple[str, str]]:
    """(meant, printed) of a class prior. "accent": every Latin letter of U+00C0-U+017F (Latin-1 and
    Extended-A) that is an ASCII letter with marks put on it ("e" printed "é", "E" "É"; an `accent` confusion,
    as the document's evidence counts them: not "ø", "æ", "ß", which have no plain letter in them)."""
    assert name == "accent"
    letters = (chr(cp) for cp in range(0xC0, 0x180))
    return [(plain(ch), ch) for ch in letters if ch.isalpha() and len(plain(ch)) == 1 and accent((plain(ch), ch))]


# a page of a book: "eng_monograph_81_p005.txt" is a page of "eng_monograph_81"
PAGE = re.compile(r"_p\d+$")


def source_of(name: str) -> str:
    """The source a document belongs to: the pages of one book are one ("eng_monograph_81_p005.txt" ->
    "eng_monograph_81")."""
    return PAGE.sub("", name.rsplit(".", 1)[0])


def source_numbers(names) -> dict[str, int]:
    """Each document's source's number among the sorted sources: documents are dealt into folds by it,
    so a book's pages are all in one fold. Dealt page by page, a held-out page had its own book's habits
    learned from its neighbours, and the held-out figures flattered every text no page of which was seen
    (one book is a third of ICDAR's files)."""
    sources = sorted({source_of(n) for n in names})
    number = {src: k for k, src in enumerate(sources)}
    return {n: number[source_of(n)] for n in names}


def documents(sets=DEV_SETS, fold: int | None = None, folds: int = 2, root: Path = BENCHMARKS):
    """(set, name, ocr text, gold text) of the dev documents, optionally of one fold (by source)."""
    for s in sets:
        names = sorted(p.name for p in (root / s / "ocr").glob("*.txt"))
        number = source_numbers(names)
        for name in names:
            if fold is not None and number[name] % folds != fold:
                continue
            # the gold folded as the scorer folds it (ligatures, long s): not OCR errors to learn
            gold = unicodedata.normalize("NFKC", (root / s / "gold" / name).read_text(encoding="utf-8"))
            yield s, name, (root / s / "ocr" / name).read_text(encoding="utf-8"), gold


def segments(gold: str, ocr: str) -> list[tuple[str, str]]:
    """Runs of adjacent letter differences, (meant, printed): ("modern", "rnodern") -> [("m", "rn")]."""
    out, cur_g, cur_o = [], "", ""
    for op in Levenshtein.opcodes(gold, ocr):
        if op.tag == "equal":
            if cur_g or cur_o:
                out.append((cur_g, cur_o))
            cur_g = cur_o = ""
            continue
        cur_g += gold[op.src_start:op.src_end]
        cur_o += ocr[op.dest_start:op.dest_end]
    if cur_g or cur_o:
        out.append((cur_g, cur_o))
    return out


def count(docs) -> dict:
    """Confusion counts, gold letter-group counts and word statistics over documents."""
    conf: Counter = Counter()
    grams: Counter = Counter()
    words = wrong = garbled = 0
    for _set, _name, ocr_text, gold_text in docs:
        o_toks = [m.group() for m in tokens(ocr_text)]
        g_toks = [m.group() for m in tokens(gold_text)]
        for u in align(o_toks, g_toks):
            g = " ".join(g_toks[u.g0:u.g1])
            for w in g_toks[u.g0:u.g1]:
                for n in range(1, MAX_SEG + 1):
                    for i in range(len(w) - n + 1):
                        grams[w[i:i + n]] += 1
                grams[""] += len(w) + 1  # insertion slots
                grams[" "] += 1          # the space after it
            words += u.g1 - u.g0
            if u.equal:
                continue
            wrong += max(1, u.g1 - u.g0)
            o = " ".join(o_toks[u.o0:u.o1])
            if not g or not o or u.o1 - u.o0 > 3 or u.g1 - u.g0 > 3 or len(g) > 40:
                garbled += 1
                continue
            for mg, po in segments(g, o):
                if len(mg) <= MAX_SEG and len(po) <= MAX_SEG and (" " not in mg + po or (mg + po).strip() == ""):
                    conf[(mg, po)] += 1
                else:
                    garbled += 1
    return {"conf": conf, "grams": grams, "words": words, "wrong": wrong, "garbled": garbled}


def build(stats: dict, priors: list[dict], provenance: dict, min_count: int = MIN_COUNT,
          classes: list[ClassPrior] = ()) -> dict:
    """The model file's content: confusions with probabilities and the figures they rest on; each pair of
    a class prior at least its class's p."""
    conf, grams = stats["conf"], stats["grams"]
    floor = {pair: c.p for c in classes for pair in class_pairs(c.name)}
    table: dict[tuple[str, str], dict] = {}
    for (mg, po), n in conf.items():
        if n >= min_count:
            table[(mg, po)] = {"meant": mg, "printed": po, "count": n, "prior": None}
    for p in priors:
        key = (p["meant"], p["printed"])
        table.setdefault(key, {"meant": key[0], "printed": key[1], "count": conf.get(key, 0), "prior": None})
        table[key]["prior"] = p["p"]
    rows = []
    for pair in floor:  # (a pair seen fewer than min_count times: its class's p alone)
        table.setdefault(pair, {"meant": pair[0], "printed": pair[1], "count": 0, "prior": None})
    for (mg, po), e in table.items():
        denom = grams.get(mg, 0)
        prior = e["prior"]
        if prior is not None:
            p = (e["count"] + PRIOR_WEIGHT * prior) / (denom + PRIOR_WEIGHT)
        elif denom:
            p = e["count"] / denom
        elif (mg, po) not in floor:
            continue
        else:
            p = 0.0
        source = "learned" if prior is None else ("prior+learned" if e["count"] else "prior")
        if p < floor.get((mg, po), 0.0):
            p, source = floor[(mg, po)], "class"
        rows.append({"meant": mg, "printed": po, "p": float(f"{p:.4g}"), "count": e["count"], "of": denom,
                     "source": source})
    rows.sort(key=lambda r: (-r["p"], r["meant"], r["printed"]))
    singles = sum(n for k, n in conf.items() if n < min_count)
    chars = max(1, grams.get("", 1))
    return {
        "provenance": provenance,
        "words": stats["words"],
        "word_error_rate": round(stats["wrong"] / max(1, stats["words"]), 4),
        # an edit the table lacks: the rare confusions (seen once) spread over all letters
        "unseen_edit_p": float(f"{max(singles, 1) / chars / 30:.3g}"),
        "confusions": rows,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(DEV_SETS))
    ap.add_argument("--fold", type=int, default=None, help="learn on this fold only (default: every document)")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=DATA / "ocr_model.json")
    args = ap.parse_args(argv)
    hand = json.loads((DATA / "ocr_priors.json").read_text(encoding="utf-8"))
    priors = hand["priors"]
    classes = [ClassPrior.model_validate(c) for c in hand.get("classes", [])]
    docs = list(documents(args.sets, args.fold, args.folds))
    stats = count(docs)
    scans = merge_scans(stats)
    prov = {
        "learned_by": "pipeline/correct/learn.py",
        "sources": {s: sorted(n for ss, n, _, _ in docs if ss == s) for s in args.sets},
        "fold": None if args.fold is None else f"{args.fold} of {args.folds}",
        "priors": "pipeline/data/ocr_priors.json",
        "scans": None if scans is None else {"file": "pipeline/data/ocr_scans.json", **scans},
        "date": datetime.date.today().isoformat(),
        "note": "P(printed | meant) = count / occurrences of the meant letters in the aligned gold words",
    }
    model = build(stats, priors, prov, classes=classes)
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(model['confusions'])} confusions from {len(docs)} documents, "
          f"{stats['words']} words, word error rate {model['word_error_rate']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
