#!/usr/bin/env python3
"""Does each stage make real OCR better? CER/WER on both dev sets, with per-stage ablation.

Dev sets (../shared/benchmarks/): `icdar2017_en` (19th-century English books, lines of ~50
words that are not physical lines) and `overproof_smh_dev` (Sydney Morning Herald articles,
physical lines with line-end hyphens; its gold keeps the print's hyphens, so it is scored
with `measure.py --dehyphenate`). Each OCR file is cleaned as `edition clean FILE --lang en`
cleans it (the [files] policy), in memory, and scored with the benchmark's own measure.py.

Variants:
    ocr          the OCR as given (measure.py's baseline)
    decode       the decode stage only
    full         every stage of config/pipeline.toml
    no-STAGE     every stage but STAGE
    only-STAGE   decode and STAGE alone
    no-auto      every stage, but detection makes no automatic correction (queries only)

Bar (the issue's): no stage may make any dev set worse. Verdict per stage: removing it must
not lower CER or WER (it helps or is neutral in the pipeline), and alone it must not raise
them against decode only.

    .venv/bin/python benchmarks/ocr_dev.py                       # both sets, every variant
    .venv/bin/python benchmarks/ocr_dev.py --files 20            # the first 20 files of each set
    .venv/bin/python benchmarks/ocr_dev.py --sets overproof_smh_dev --variants full no-hyphenation
"""
from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config import stages_of  # noqa: E402
from pipeline.context import Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.sources import decode_bytes  # noqa: E402
from pipeline.stages import get  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
SETS = {"icdar2017_en": [], "overproof_smh_dev": ["--dehyphenate"]}


def stages() -> list[str]:
    return list(Resources(ROOT).config["stages"])


def all_variants() -> list[str]:
    names = [s for s in stages() if s != "decode"]
    return ["decode", "full"] + [f"no-{s}" for s in names] + [f"only-{s}" for s in names]


def resources(variant: str) -> Resources:
    """Resources whose stage list is changed for one variant (nothing written to disk)."""
    res = Resources(ROOT)
    cfg = copy.deepcopy(res.config)
    all_stages = list(cfg["stages"])
    if variant == "full":
        chosen = all_stages
    elif variant == "decode":
        chosen = ["decode"]
    elif variant == "no-auto":
        chosen = all_stages
        # no confidence reaches them: no automatic fix of any kind (the witness's policy sets `auto`;
        # auto_threshold alone left the real-word fixes on)
        cfg.setdefault("detect", {}).update(auto_threshold=2.0, auto_threshold_realword=2.0, auto_threshold_space=2.0)
    elif variant.startswith("no-") and variant[3:] in all_stages:
        chosen = [s for s in all_stages if s != variant[3:]]
    elif variant.startswith("only-") and variant[5:] in all_stages:
        chosen = [s for s in all_stages if s in ("decode", variant[5:])]
    else:
        raise SystemExit(f"unknown variant {variant!r} (stages: {', '.join(all_stages)})")
    cfg["stages"] = chosen
    res.__dict__["config"] = cfg
    # an ablation removes on purpose what a later stage requires ("notes" needs layout's
    # paragraphs): the configuration is validated whole, the chosen stages then run as they are
    stages_of(Resources(ROOT))
    res.__dict__["_stages"] = [get(n) for n in chosen]
    return res


def clean_files(files: list[Path], variant: str, out: Path) -> tuple[float, int]:
    res = resources(variant)
    t = time.time()
    n = 0
    for p in files:
        raw, enc = decode_bytes(p.read_bytes(), str(p))
        w = Witness(id="dev", file=p.name, language="en", work="dev", role="original", encoding=enc, origin="file")
        c = clean_witness(raw, w, res, facts={"encoding": enc})
        (out / p.name).write_text(c.text, encoding="utf-8")
        n += len(c.changes)
    return time.time() - t, n


def measure(gold: Path, cand: Path, extra: list[str]) -> dict:
    cmd = [sys.executable, str(SHARED / "measure.py"), "--gold", str(gold), "--cand", str(cand), "--json", *extra]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return data["results"][0]["summary"]


def run_set(name: str, variants: list[str], limit: int | None, tmp: Path) -> list[dict]:
    ds = SHARED / name
    files = sorted((ds / "ocr").glob("*.txt"))[:limit] if limit else sorted((ds / "ocr").glob("*.txt"))
    gold = tmp / name / "gold"
    ocr = tmp / name / "ocr"
    gold.mkdir(parents=True)
    ocr.mkdir()
    for p in files:  # the subset scored: links to gold and OCR
        (gold / p.name).symlink_to(ds / "gold" / p.name)
        (ocr / p.name).symlink_to(p)
    base = measure(gold, ocr, SETS[name])
    rows = [{"set": name, "variant": "ocr", "cer": base["cer"], "wer": base["wer"], "seconds": 0.0, "changes": 0}]
    for v in variants:
        if v == "ocr":  # the OCR as given: measured above, always
            continue
        out = tmp / name / v
        out.mkdir()
        secs, n = clean_files(files, v, out)
        s = measure(gold, out, SETS[name])
        rows.append({"set": name, "variant": v, "cer": s["cer"], "wer": s["wer"], "seconds": round(secs, 1), "changes": n})
        print(f"  {name} {v}: CER {100 * s['cer']:.3f} WER {100 * s['wer']:.3f} ({secs:.0f}s)", file=sys.stderr, flush=True)
    return rows


def verdicts(rows: list[dict]) -> dict[str, str]:
    """Per stage: harmless (never worse) on every set, removed and alone."""
    out: dict[str, str] = {}
    by = {(r["set"], r["variant"]): r for r in rows}
    sets = sorted({r["set"] for r in rows})
    for s in [s for s in stages() if s != "decode"]:
        notes = []
        ok = True
        for ds in sets:
            full, without = by.get((ds, "full")), by.get((ds, f"no-{s}"))
            dec, alone = by.get((ds, "decode")), by.get((ds, f"only-{s}"))
            if full and without:
                dc, dw = full["cer"] - without["cer"], full["wer"] - without["wer"]
                ok &= dc <= 1e-9 and dw <= 1e-9
                notes.append(f"{ds} in pipeline CER {100 * dc:+.3f} WER {100 * dw:+.3f}")
            if dec and alone:
                dc, dw = alone["cer"] - dec["cer"], alone["wer"] - dec["wer"]
                ok &= dc <= 1e-9 and dw <= 1e-9
                notes.append(f"alone CER {100 * dc:+.3f} WER {100 * dw:+.3f}")
        if notes:
            out[s] = ("ok (never worse)" if ok else "HARM: makes a dev set worse") + "; " + "; ".join(notes)
    for ds in sets:
        full, ocr = by.get((ds, "full")), by.get((ds, "ocr"))
        if full and ocr:
            dc, dw = full["cer"] - ocr["cer"], full["wer"] - ocr["wer"]
            out[f"pipeline on {ds}"] = (("ok" if dc <= 1e-9 and dw <= 1e-9 else "HARM") +
                                        f"; CER {100 * dc:+.3f} WER {100 * dw:+.3f} against the OCR")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--variants", nargs="*", default=None, help="default: decode, full, no-STAGE and only-STAGE for each")
    ap.add_argument("--files", type=int, default=None, help="only the first N files of each set")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    variants = args.variants or all_variants()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            if not (SHARED / name / "ocr").is_dir():
                print(f"{SHARED / name}: dev set not found", file=sys.stderr)
                return 2
            rows += run_set(name, variants, args.files, Path(tmp))
    v = verdicts(rows)
    if args.json:
        print(json.dumps({"rows": rows, "verdicts": v}, indent=1))
        return 0
    print(f"{'set':<18} {'variant':<14} {'CER%':>7} {'WER%':>7} {'changes':>8} {'seconds':>8}")
    for r in rows:
        print(f"{r['set']:<18} {r['variant']:<14} {100 * r['cer']:>7.3f} {100 * r['wer']:>7.3f} {r['changes']:>8} {r['seconds']:>8}")
    for k, text in v.items():
        print(f"{k}: {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
