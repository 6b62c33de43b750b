"""Benchmark: peak memory of importing an export followed by 2 GB of NUL bytes, against the
same export unpadded, in the same run.

A download that did not finish can leave a file pre-allocated to its full size: the real
export, then zeros. The padded files here are sparse (`truncate`), so they cost no disk.
Each import is its own subprocess (`python -m selfdata_kit.cli import ...` into a fresh
store) and reports its own peak RSS (resource.getrusage(RUSAGE_SELF), read in the child
just before it exits), with its wall time. The ratio padded / unpadded is what matters: 1.0
means the padding costs nothing.

Run: python benchmarks/hostile_padding.py [--pad-gb 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "sources" / "bank" / "fixtures"
SAMPLES = {"OFX": FIXTURES / "ofx1_two_accounts.ofx", "CSV": FIXTURES / "fr_bnp.csv"}

CHILD = """
import json, resource, sys, time
from selfdata_kit.cli import main
start = time.perf_counter()
code = main(["import", sys.argv[1], "--person", "bench", "--store", sys.argv[2]])
print(json.dumps({"code": code, "seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, store: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(store)],
                         capture_output=True, text=True, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["outcome"] = next((line.split()[0] for line in (out.stdout + out.stderr).splitlines()
                              if line.startswith(("imported", "FAILED"))), "?")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pad-gb", type=float, default=2.0)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="selfdata-padding-"))
    work.mkdir(parents=True, exist_ok=True)
    pad = int(args.pad_gb * (1 << 30))
    print(f"padding {pad / (1 << 30):.1f} GiB of NUL bytes (sparse files)")
    print(f"{'file':<5} {'variant':<9} {'outcome':<9} {'peak MB':>8} {'seconds':>8}")
    try:
        for label, sample in SAMPLES.items():
            plain = work / f"plain{sample.suffix}"
            padded = work / f"padded{sample.suffix}"
            shutil.copyfile(sample, plain)
            shutil.copyfile(sample, padded)
            subprocess.run(["truncate", "-s", f"+{pad}", str(padded)], check=True)
            results = {}
            for variant, path in (("unpadded", plain), ("padded", padded)):
                store = work / f"{label}-{variant}.duckdb"
                store.unlink(missing_ok=True)
                results[variant] = r = measure(path, store)
                print(f"{label:<5} {variant:<9} {r['outcome']:<9} {r['peak_mb']:>8.0f}"
                      f" {r['seconds']:>8.2f}")
            ratio = results["padded"]["peak_mb"] / results["unpadded"]["peak_mb"]
            print(f"{label:<5} ratio padded / unpadded peak memory: {ratio:.2f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
