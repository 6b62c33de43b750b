"""Benchmark: generate a cohort of synthetic personas (default 1,000 x one year, 2 processes).

Baseline, in the same run: writing the same files (same count, same sizes) from pre-built bytes.
That is the floor any generator of these exports pays for the disk, so the ratio says how much
the simulation and formatting cost on top of the I/O.

    python benchmarks/synth_cohort.py [--persons 1000] [--jobs 2] [--year 2024] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an install
from selfdata_kit.synth import generate  # noqa: E402


def _files(root: Path) -> list[tuple[Path, int]]:
    return [(p, p.stat().st_size) for p in sorted(root.rglob("*")) if p.is_file()]


def baseline_write(files: list[tuple[Path, int]], src: Path, dst: Path) -> float:
    """Writes files of the same sizes and layout from one pre-built buffer."""
    biggest = max(size for _, size in files)
    payload = (b"2024-01-01T00:30:00+01:00;123\n" * (biggest // 30 + 1))[:biggest]
    start = time.perf_counter()
    for path, size in files:
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload[:size])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1000, help="personas to generate")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--year", type=int, default=2024, help="year to simulate")
    ap.add_argument("--keep", type=Path, help="keep the generated cohort in this folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    out = args.keep or work / "cohort"
    try:
        start = time.perf_counter()
        generate(args.persons, 42, out, year=args.year, jobs=args.jobs)
        elapsed = time.perf_counter() - start
        files = _files(out)
        total = sum(size for _, size in files)
        base = baseline_write(files, out, work / "baseline")
        kib = 1  # ru_maxrss is in KiB on Linux
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib
        print(f"personas            {args.persons} x {args.year}, jobs {args.jobs},"
              f" {os.cpu_count()} cpu(s)")
        print(f"written             {len(files)} files, {total / 2**20:.0f} MiB")
        print(f"generate            {elapsed:.1f} s ({elapsed / args.persons * 1000:.0f} ms"
              " per persona)")
        print(f"baseline (write)    {base:.1f} s  same files from pre-built bytes")
        print(f"ratio               {elapsed / base:.1f} x the pure write")
        print(f"peak memory         {own / 1024:.0f} MiB main process, {child / 1024:.0f} MiB"
              " largest worker")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
