"""Cohort key figures: set-based (every person at once, `analysis.figures.COHORT_FIGURES`)
against the per-person path (each person's `figures()`, what `selfdata cohort` did before),
in one run, as a ratio.

The per-person path is measured on a sample of persons (default 20, spread over the store)
and extrapolated linearly to all persons: it costs seconds per person, so 1,000 persons
would take most of an hour. Both paths start from a fresh connection (no cached temp table).

    python benchmarks/cohort_figures.py --store /path/to/c1000.duckdb   # a copy is used
    python benchmarks/cohort_figures.py --persons 100                  # generate + import
    python benchmarks/cohort_figures.py --store small.duckdb --replicate 1000

`--replicate N` copies the store's persons under new ids (`<id>~2`, ...) until there are N:
importing 1,000 generated persons takes long on a loaded machine, and aggregates only need
N persons' rows (the copies are exact, so the per-person timing is unchanged).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from selfdata_kit.analysis.cohort import person_metrics  # noqa: E402
from selfdata_kit.analysis.figures import COHORT_FIGURES, FIGURES  # noqa: E402
from selfdata_kit.analysis.scope import Group, make_scope  # noqa: E402


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("SET enable_progress_bar = false")
    return con


def build(persons: int, root: Path) -> Path:
    from selfdata_kit.synth.cohort import generate

    generate(persons, seed=1000, out=root / "exports", year=2024, jobs=2, segments=False)
    store = root / "cohort.duckdb"
    subprocess.run([str(Path(sys.executable).parent / "selfdata"), "import", "--cohort",
                    str(root / "exports"), "--store", str(store), "--jobs", "2"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return store


def replicate(store: Path, target: int) -> None:
    """Copy every person's rows under new ids until the store holds `target` persons."""
    con = quiet(duckdb.connect(str(store)))
    tables = [t for (t,) in con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name ="
        " 'person_id' AND table_schema = 'main' AND table_name NOT IN ('imports', 'persons')")
        .fetchall()]
    originals = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                 .fetchall()]
    copy = 2
    while len(originals) * (copy - 1) < target:
        keep = originals[: target - len(originals) * (copy - 1)]
        con.execute("CREATE OR REPLACE TEMP TABLE _keep AS SELECT unnest(?) AS person_id",
                    [keep])
        for table in ["persons", *tables]:
            con.execute(f"INSERT INTO {table} SELECT * REPLACE (person_id || '~{copy}' AS"
                        f" person_id) FROM {table} WHERE person_id IN (SELECT person_id"
                        " FROM _keep)")
        copy += 1
    con.execute("CHECKPOINT")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="an existing cohort store (copied first)")
    parser.add_argument("--persons", type=int, default=1000,
                        help="without --store: generate and import this many (default 1,000)")
    parser.add_argument("--replicate", type=int, metavar="N",
                        help="copy the store's persons under new ids until there are N")
    parser.add_argument("--sample", type=int, default=20,
                        help="persons timed on the per-person path (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.store:
            store = root / "cohort.duckdb"
            shutil.copyfile(args.store, store)
            wal = Path(f"{args.store}.wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{store}.wal"))
        else:
            store = build(args.persons, root)
        if args.replicate:
            replicate(store, args.replicate)
        con = quiet(duckdb.connect(str(store)))
        persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                   .fetchall()]
        n = len(persons)
        tx = con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]
        con.close()
        print(f"{n:,} persons, {tx:,} bank transactions; topics with set-based figures: "
              f"{', '.join(sorted(COHORT_FIGURES))}")

        set_based: dict[str, float] = {}
        con = quiet(duckdb.connect(str(store)))
        for topic, fn in sorted(COHORT_FIGURES.items()):
            t0 = time.perf_counter()
            frame = fn(con, Group())
            set_based[topic] = time.perf_counter() - t0
            print(f"  set-based {topic:10s}: {set_based[topic]:7.2f} s for {len(frame):,}"
                  f" persons, {frame.shape[1] - 1} figures each")
        con.close()
        con = quiet(duckdb.connect(str(store)))
        t0 = time.perf_counter()
        person_metrics(con, topics=sorted(COHORT_FIGURES))
        whole = time.perf_counter() - t0
        con.close()
        print(f"  person_metrics (set-based topics, joined): {whole:7.2f} s")

        sample = persons[:: max(1, n // args.sample)][: args.sample]
        con = quiet(duckdb.connect(str(store)))
        per_person: dict[str, float] = dict.fromkeys(COHORT_FIGURES, 0.0)
        for person in sample:
            scope = make_scope(con, person)
            for topic in COHORT_FIGURES:
                t0 = time.perf_counter()
                FIGURES[topic](con, scope)
                per_person[topic] += time.perf_counter() - t0
        con.close()
        print(f"per-person figures() on {len(sample)} persons, extrapolated to {n:,}:")
        for topic in sorted(COHORT_FIGURES):
            each = per_person[topic] / len(sample)
            total = each * n
            print(f"  per-person {topic:10s}: {each:6.3f} s/person -> ~{total:8.1f} s;"
                  f" set-based is {total / set_based[topic]:6.1f}x faster")
        total = sum(per_person.values()) / len(sample) * n
        print(f"all set-based topics: {whole:.1f} s vs ~{total:.0f} s per person"
              f" (extrapolated): {total / whole:.1f}x")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {rss:,.0f} MB; load average at the end:"
              f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
