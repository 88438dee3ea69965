#!/usr/bin/env python3
"""Does `edition clean --lang en` make real OCR better? CER/WER before and after.

Runs every stage on ../shared/benchmarks/icdar2017_en/ocr/*.txt (171 files, ~200,000
words of 19th-century English with old spellings that must survive), writes the
cleaned texts to a temporary folder, and scores them against gold/ with the
benchmark's own measure.py. Variants isolate what each correction step does:

    full        every stage as configured (config/pipeline.toml)
    no-auto     the same without detection's automatic corrections (kind `auto`)
    no-rules    the same without the rules stage
    decode      only the decode stage (what the text is before any correction)

A correction step is kept only if it lowers both CER and WER (the issue's bar);
the table says so for each step.

    .venv/bin/python benchmarks/icdar.py                 # all variants
    .venv/bin/python benchmarks/icdar.py --variants full no-auto --json
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

from pipeline.context import Resources  # noqa: E402
from pipeline.model import Witness  # noqa: E402
from pipeline.run import clean_witness  # noqa: E402
from pipeline.sources import decode_bytes  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
DATASET = SHARED / "icdar2017_en"


def resources(variant: str) -> Resources:
    """Resources whose configuration is changed for one variant (nothing written to disk)."""
    res = Resources(ROOT)
    cfg = copy.deepcopy(res.config)
    stages = list(cfg.get("stages", []))
    if variant == "no-auto":
        cfg.setdefault("detect", {})["auto_threshold"] = 2.0  # nothing reaches it
    elif variant == "no-rules":
        stages = [s for s in stages if s != "rules"]
    elif variant == "decode":
        stages = ["decode"]
    elif variant != "full":
        raise SystemExit(f"unknown variant {variant!r}")
    cfg["stages"] = stages
    res.__dict__["config"] = cfg
    return res


def clean_dataset(variant: str, out: Path) -> tuple[float, int, dict[str, int]]:
    """Clean every OCR file into `out`; (seconds, changes, changes by kind)."""
    res = resources(variant)
    t = time.time()
    n = 0
    kinds: dict[str, int] = {}
    for p in sorted((DATASET / "ocr").glob("*.txt")):
        raw, enc = decode_bytes(p.read_bytes(), str(p))
        w = Witness(id="icdar", file=p.name, language="en", work="icdar", role="original", encoding=enc, origin="file")
        c = clean_witness(raw, w, res, facts={"encoding": enc})
        (out / p.name).write_text(c.text, encoding="utf-8")
        n += len(c.changes)
        for ch in c.changes:
            kinds[ch.kind] = kinds.get(ch.kind, 0) + 1
    return time.time() - t, n, kinds


def measure(cand: Path | None) -> dict:
    cmd = [sys.executable, str(SHARED / "measure.py"), str(DATASET), "--json"]
    if cand is not None:
        cmd += ["--cand", str(cand)]
    data = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return data["results"][0]["summary"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", nargs="*", default=["full", "no-auto", "no-rules", "decode"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not DATASET.is_dir():
        print(f"{DATASET}: benchmark not found", file=sys.stderr)
        return 2
    base = measure(None)
    rows = [{"variant": "ocr (baseline)", "cer": base["cer"], "wer": base["wer"], "seconds": 0.0, "changes": 0}]
    with tempfile.TemporaryDirectory() as tmp:
        for v in args.variants:
            out = Path(tmp) / v
            out.mkdir()
            secs, n, kinds = clean_dataset(v, out)
            s = measure(out)
            rows.append({"variant": v, "cer": s["cer"], "wer": s["wer"], "seconds": round(secs, 1), "changes": n,
                         "kinds": kinds})
    by = {r["variant"]: r for r in rows}
    verdicts = {}
    if "full" in by and "no-auto" in by:
        verdicts["detect auto corrections"] = _verdict(by["no-auto"], by["full"])
    if "full" in by and "no-rules" in by:
        verdicts["rules stage"] = _verdict(by["no-rules"], by["full"])
    if "full" in by:
        verdicts["whole pipeline vs OCR"] = _verdict(rows[0], by["full"])
    if args.json:
        print(json.dumps({"rows": rows, "verdicts": verdicts}, indent=1))
        return 0
    print(f"{'variant':<16} {'CER%':>7} {'WER%':>7} {'changes':>8} {'seconds':>8}")
    for r in rows:
        print(f"{r['variant']:<16} {100 * r['cer']:>7.3f} {100 * r['wer']:>7.3f} {r['changes']:>8} {r['seconds']:>8}")
    for k, v in verdicts.items():
        print(f"{k}: {v}")
    return 0


def _verdict(before: dict, after: dict) -> str:
    dc, dw = after["cer"] - before["cer"], after["wer"] - before["wer"]
    keep = "keep (lowers both)" if dc < 0 and dw < 0 else ("no effect" if dc == 0 and dw == 0 else "HARM or mixed: drop it")
    return f"CER {100 * dc:+.3f} pts, WER {100 * dw:+.3f} pts -> {keep}"


if __name__ == "__main__":
    raise SystemExit(main())
