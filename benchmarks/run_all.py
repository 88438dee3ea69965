"""Run every benchmark in this folder, one after another (`make bench`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["clean_speed.py", "ocr_dev.py", "layout_bench.py", "collate_bench.py"]

if __name__ == "__main__":
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("*.py") if p.name not in ORDER and p.name != "run_all.py")
    failed = 0
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    sys.exit(1 if failed else 0)
