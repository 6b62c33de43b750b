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
`--read-only` reads `--store` where it is, without a copy (not with --replicate);
`--topics fun_facts,calls` times those reports only.

Fun facts: their `figures()` now reads the set-based pass (a group of one), so their
per-person baseline is the per-person rules themselves, what `figures()` ran before: each
cursor's metric and evidence, each badge and its evidence, this month in numbers
(`per_person_fun_facts`). The old path also ran the metrics and evidence of every person
once more for the cohort yardstick; that pass is left out, so the ratio is a lower bound.
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


def per_person_fun_facts(con: duckdb.DuckDBPyConnection, scope) -> None:
    """The fun facts' per-person rules, as `fun_facts.figures()` ran them before the
    set-based pass (without the yardstick's second run over every person)."""
    import importlib

    from selfdata_kit.analysis import fun_facts as ff
    from selfdata_kit.analysis.fun_facts import evidence, metrics
    from selfdata_kit.analysis.fun_facts.month import month_in_numbers

    badges = importlib.import_module("selfdata_kit.analysis.fun_facts.badges")
    cfg = ff.load_config()
    for name, fn in metrics.METRICS.items():
        fn(con, scope, cfg)
        evidence.count(con, scope, cfg, cfg["cursors"][name])
    for name, fn in badges.BADGES.items():
        fn(con, scope, cfg)
        evidence.count(con, scope, cfg, cfg["badges"][name])
    month_in_numbers(con, scope, cfg=cfg)


# the per-person baseline of each topic (default: the report's `figures()`)
PER_PERSON = {"fun_facts": per_person_fun_facts}


def connect(store: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A fresh connection, and no figures cached in this process (the fun facts keep their
    store-wide pass per store file, across connections)."""
    from selfdata_kit.analysis import fun_facts

    fun_facts._cohort_cache.clear()
    return quiet(duckdb.connect(str(store), read_only=read_only))


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
    con = connect(store, False)
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
    parser.add_argument("--read-only", action="store_true",
                        help="read --store in place (no copy; not with --replicate)")
    parser.add_argument("--topics", help="comma-separated reports (default: all set-based)")
    args = parser.parse_args()
    topics = {t: COHORT_FIGURES[t] for t in (args.topics.split(",") if args.topics
                                             else sorted(COHORT_FIGURES))}
    ro = bool(args.read_only)
    if ro and (args.replicate or not args.store):
        parser.error("--read-only needs --store and no --replicate")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.store and ro:
            store = args.store
        elif args.store:
            store = root / "cohort.duckdb"
            shutil.copyfile(args.store, store)
            wal = Path(f"{args.store}.wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{store}.wal"))
        else:
            store = build(args.persons, root)
        if args.replicate:
            replicate(store, args.replicate)
        con = connect(store, ro)
        persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                   .fetchall()]
        n = len(persons)
        tx = con.execute("SELECT count(*) FROM transactions").fetchall()[0][0]
        con.close()
        print(f"{n:,} persons, {tx:,} bank transactions; topics with set-based figures: "
              f"{', '.join(sorted(COHORT_FIGURES))}; timed: {', '.join(topics)}")

        set_based: dict[str, float] = {}
        con = connect(store, ro)
        cpu: dict[str, float] = {}
        for topic, fn in topics.items():
            t0, c0 = time.perf_counter(), time.process_time()
            frame = fn(con, Group())
            set_based[topic] = time.perf_counter() - t0
            cpu[topic] = time.process_time() - c0
            print(f"  set-based {topic:10s}: {set_based[topic]:7.2f} s for {len(frame):,}"
                  f" persons, {frame.shape[1] - 1} figures each ({cpu[topic]:.1f} s CPU)")
        con.close()
        con = connect(store, ro)
        t0 = time.perf_counter()
        person_metrics(con, topics=list(topics))
        whole = time.perf_counter() - t0
        con.close()
        print(f"  person_metrics (set-based topics, joined): {whole:7.2f} s")

        sample = persons[:: max(1, n // args.sample)][: args.sample]
        con = connect(store, ro)
        per_person: dict[str, float] = dict.fromkeys(topics, 0.0)
        per_cpu: dict[str, float] = dict.fromkeys(topics, 0.0)
        for person in sample:
            scope = make_scope(con, person)
            for topic in topics:
                t0, c0 = time.perf_counter(), time.process_time()
                PER_PERSON.get(topic, FIGURES[topic])(con, scope)
                per_person[topic] += time.perf_counter() - t0
                per_cpu[topic] += time.process_time() - c0
        con.close()
        print(f"per-person figures() on {len(sample)} persons, extrapolated to {n:,}:")
        for topic in topics:
            each = per_person[topic] / len(sample)
            total = each * n
            total_cpu = per_cpu[topic] / len(sample) * n
            print(f"  per-person {topic:10s}: {each:6.3f} s/person -> ~{total:8.1f} s;"
                  f" set-based is {total / set_based[topic]:6.1f}x faster"
                  f" (CPU: ~{total_cpu:.0f} s vs {cpu[topic]:.1f} s,"
                  f" {total_cpu / cpu[topic]:.1f}x)")
        total = sum(per_person.values()) / len(sample) * n
        print(f"all set-based topics: {whole:.1f} s vs ~{total:.0f} s per person"
              f" (extrapolated): {total / whole:.1f}x")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {rss:,.0f} MB; load average at the end:"
              f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
