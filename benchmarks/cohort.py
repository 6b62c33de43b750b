"""Cohort benchmark: N synthetic persons x 1 year (default 1,000).

In one run:
1. `selfdata import --cohort DIR --jobs J` of the generated export files (real formats: OFX,
   bank CSV, Android XML, Enedis CSV, GRDF JSON, Takeout JSON): wall time, rows per second;
2. baseline: the very same canonical rows written as CSV (one file per table), loaded with
   DuckDB's own `read_csv` into a fresh database: wall time, rows per second;
3. `selfdata cohort --json` (every person's key figures, then k-suppressed aggregates);
peak memory (max RSS) of each step's process.

    python benchmarks/cohort.py                  # 1,000 persons (~20 min on 2 cores)
    python benchmarks/cohort.py --persons 100    # a quick look
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.synth.cohort import generate  # noqa: E402

TABLES = ("transactions", "calls", "energy", "places")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - t0, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate(args.persons, seed=1000, out=root / "exports", year=2024, jobs=args.jobs,
                 segments=False)
        print(f"generated {args.persons} persons in {time.perf_counter() - t0:.0f} s")

        store = root / "cohort.duckdb"
        seconds, rss = timed([str(bin_dir / "selfdata"), "import", "--cohort",
                              str(root / "exports"), "--store", str(store),
                              "--jobs", str(args.jobs)])
        import duckdb

        con = duckdb.connect(str(store), read_only=True)
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        for table in TABLES:  # the baseline's input: the same rows, as plain CSV
            con.execute(f"COPY {table} TO '{root / table}.csv' (HEADER)").fetchall()
        con.close()
        total = sum(rows.values())
        print(f"selfdata import --cohort : {seconds:7.1f} s  {total / seconds:9,.0f} rows/s"
              f"  peak {rss:,.0f} MB  ({total:,} rows: "
              + ", ".join(f"{t} {n:,}" for t, n in rows.items()) + ")")

        script = "; ".join(
            ["import duckdb", f"c = duckdb.connect(r'{root / 'baseline.duckdb'}')"]
            + [f"c.execute(\"CREATE TABLE {t} AS SELECT * FROM read_csv('{root / t}.csv')\")"
               ".fetchall()" for t in TABLES])
        base_s, base_rss = timed([sys.executable, "-c", script])
        print(f"duckdb read_csv (same rows): {base_s:7.1f} s  {total / base_s:9,.0f} rows/s"
              f"  peak {base_rss:,.0f} MB")
        print(f"ratio import / read_csv  : {seconds / base_s:7.1f}x (the import also parses"
              " six real formats, pseudonymises, deduplicates and logs)")

        agg_s, agg_rss = timed([str(bin_dir / "selfdata"), "cohort", "--store", str(store),
                                "--json"])
        print(f"selfdata cohort --json   : {agg_s:7.1f} s  peak {agg_rss:,.0f} MB"
              f"  ({agg_s / args.persons * 1000:.0f} ms per person)")
    print(f"this process peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
