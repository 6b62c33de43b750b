"""Benchmark: `selfdata import FILE --layout L.toml` vs DuckDB's own read_csv, same file.

The file and the baseline are those of ingest_bank.py (a French bank CSV: Windows-1252, ';',
decimal comma, dd/mm/yyyy); the project reads it through a layout file instead of its
French bank detection, so the time of reading with a layout (its strict per-distinct-value
date check included) is compared with DuckDB's typed read_csv in the same run.

Run: python benchmarks/ingest_layout.py [--rows N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bank import DUCKDB_SQL, run, write_file  # noqa: E402

LAYOUT = """encoding = "cp1252"
delimiter = ";"
decimal = ","
date_format = "%d/%m/%Y"
skip_lines = 1
[columns]
date = 1
label = 2
category = 3
amount = 4
currency = 5
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path, layout = work / "releve.csv", work / "bank.toml"
        t0 = time.perf_counter()
        write_file(csv_path, args.rows)
        layout.write_text(LAYOUT, encoding="utf-8")
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s")
        py = sys.executable
        base_t, base_m, base_out = run([py, "-c", DUCKDB_SQL, str(csv_path),
                                        str(work / "duckdb.duckdb")])
        ours_t, ours_m, ours_out = run([py, "-m", "selfdata_kit.cli", "import", str(csv_path),
                                        "--layout", str(layout), "--person", "bench",
                                        "--store", str(work / "store.duckdb")])
    print(f"duckdb read_csv          : {base_t:6.2f} s  peak {base_m:7.0f} MB  ({base_out} rows)")
    print(f"selfdata import --layout : {ours_t:6.2f} s  peak {ours_m:7.0f} MB")
    print(f"  {ours_out.splitlines()[-1]}")
    print(f"ratio time   {ours_t / base_t:.2f}x")
    print(f"ratio memory {ours_m / base_m:.2f}x")


if __name__ == "__main__":
    main()
