"""Benchmark: `selfdata import` of a 1,000,000-row French bank CSV vs DuckDB's own read_csv.

Both run as subprocesses in one run, on the same generated file, each writing into a fresh
DuckDB file: the project through its real CLI
(`python -m selfdata_kit.cli import FILE --person bench --store TMP/store.duckdb`), the
baseline as `CREATE TABLE ... AS SELECT * FROM read_csv(...)` with typed columns (date,
decimal) so that it converts values too. A third subprocess times the parser alone
(`fr_csv.parse`, no store) to show where the time goes.

The file is what a French bank sends: Windows-1252, ';', decimal comma, dd/mm/yyyy, a header.
DuckDB's `encoding='latin-1'` rejects cp1252-only bytes such as the euro sign (0x80), and
its decimal reader does not accept thousands separators: so the data rows use accents that
latin-1 and cp1252 share (é è à ç ô) and no €, and amounts have no thousands separator.
Peak memory is each child's own maxrss (os.wait4), not the parent's.

Run: python benchmarks/ingest_bank.py [--rows N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Date de l'opération;Libellé;Catégorie;Montant de l'opération;Devise"
SHOPS = ("CARREFOUR MARKET", "BOULANGERIE DU MARCHÉ", "PHARMACIE CENTRALE", "CAFÉ DE LA GARE",
         "LIBRAIRIE À LA PAGE", "GARAGE FRANÇOIS", "CRÈMERIE DU CÔTEAU", "SNCF", "FNAC")
CATEGORIES = ("Alimentation", "Santé", "Loisirs", "Transports", "Logement", "Divers")

DUCKDB_SQL = """
import sys, duckdb
con = duckdb.connect(sys.argv[2])
con.execute(\"\"\"CREATE TABLE t AS SELECT * FROM read_csv(?, delim=';', header=true,
    encoding='latin-1', decimal_separator=',', dateformat='%d/%m/%Y',
    columns={'d': 'DATE', 'label': 'VARCHAR', 'category': 'VARCHAR',
             'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR'})\"\"\", [sys.argv[1]]).fetchall()
print(con.execute('SELECT count(*) FROM t').fetchone()[0])
"""

PARSE_ONLY = """
import sys, time
t0 = time.perf_counter()
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.bank import fr_csv
t1 = time.perf_counter()
parsed = fr_csv.parse(InputFile.from_path(sys.argv[1]), ParseContext('bench'))
t2 = time.perf_counter()
print(f"{len(parsed.tables['transactions'])} rows; imports {t1 - t0:.2f} s, parse {t2 - t1:.2f} s")
"""


def write_file(path: Path, rows: int, seed: int = 42) -> None:
    rnd = random.Random(seed)
    start = date(2015, 1, 1)
    with open(path, "w", encoding="cp1252", newline="") as f:
        f.write(HEADER + "\r\n")
        for _ in range(rows):
            day = start + timedelta(days=rnd.randrange(3650))
            cents = rnd.randrange(-250_000, 300_000) if rnd.random() < 0.1 \
                else -rnd.randrange(1, 20_000)
            sign = "-" if cents < 0 else ""
            amount = f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"
            shop = rnd.choice(SHOPS)
            label = f"CB {shop} {day:%d/%m} CARTE X{rnd.randrange(10000):04d}"
            f.write(f"{day:%d/%m/%Y};{label};{rnd.choice(CATEGORIES)};{amount};EUR\r\n")


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB) of the child, and its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            cwd=ROOT)
    out = proc.stdout.read().decode()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{out}")
    return wall, usage.ru_maxrss / 1024, out.strip()  # Linux: ru_maxrss is in KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / "releve.csv"
        t0 = time.perf_counter()
        write_file(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows, {size:.1f} MB, in {time.perf_counter() - t0:.1f} s")

        py = sys.executable
        base_t, base_m, base_out = run([py, "-c", DUCKDB_SQL, str(csv_path),
                                        str(work / "duckdb.duckdb")])
        ours_t, ours_m, ours_out = run([py, "-m", "selfdata_kit.cli", "import", str(csv_path),
                                        "--person", "bench", "--store",
                                        str(work / "store.duckdb")])
        parse_t, parse_m, parse_out = run([py, "-c", PARSE_ONLY, str(csv_path)])

    print(f"duckdb read_csv      : {base_t:6.2f} s  peak {base_m:7.0f} MB  ({base_out} rows)")
    print(f"selfdata import (CLI): {ours_t:6.2f} s  peak {ours_m:7.0f} MB")
    print(f"  {ours_out.splitlines()[-1]}")
    print(f"parser alone         : {parse_t:6.2f} s  peak {parse_m:7.0f} MB  ({parse_out})")
    print(f"ratio time   {ours_t / base_t:.2f}x  (goal <= 2)")
    print(f"ratio memory {ours_m / base_m:.2f}x  (goal <= 2)")


if __name__ == "__main__":
    main()
