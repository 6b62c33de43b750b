"""Cohort import benchmark: N synthetic persons x 1 year (default 1,000).

In one run, each step in its own process:
1. `selfdata import --cohort DIR --jobs J` (batched writes, the default) of the real-format
   export files (OFX, bank CSV, Android XML, WhatsApp, Enedis CSV, GRDF JSON, Takeout JSON,
   Spotify ...): wall time, CPU time, rows per second, peak memory of the whole process tree
   (the writer and its parsing workers, summed);
2. the previous path, `--batch 0` (each file in its own transaction), on the first
   `--old-persons` persons (default 100: at ~1 s per person or more it would take the better
   part of an hour on 1,000): the ratio is per person;
3. baseline: the very same canonical rows written as CSV (one file per table), loaded with
   DuckDB's own `read_csv` into a fresh database;
4. with `--aggregates`: `selfdata cohort --json` on the store;
5. with `--previous SRC`: the same import by another checkout of the code (e.g. the commit
   before a change, `git worktree add /tmp/prev <commit>`), on the same persons, in the same
   run: the ratio previous code / this code, and a check that both stores hold the same rows.

    python benchmarks/cohort.py                               # generates 1,000 persons
    python benchmarks/cohort.py --cohort /work/bench/c1000    # an existing cohort folder
    python benchmarks/cohort.py --persons 100 --old-persons 20   # a quick look
    python benchmarks/cohort.py --cohort /work/bench/c1000 --persons 50 --old-persons 0 \
        --previous /tmp/prev                                  # this code against older code
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.synth.cohort import generate  # noqa: E402

TABLES = ("transactions", "calls", "energy", "places", "media")


def previous_cli(src: Path) -> list[str]:
    """`selfdata` run from another checkout: first on sys.path (before the current folder)
    and on PYTHONPATH (set by `timed`), for the parsing workers too."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(src)!r}); "
            "from selfdata_kit.cli import main; "
            f"assert __import__('selfdata_kit').__file__.startswith({str(src)!r}); "
            "sys.exit(main())"]


def same_rows(a: Path, b: Path) -> bool:
    """Both stores hold the same rows in every benchmarked table (row by row, import ids and
    times left out: they differ from run to run by nature)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    for t in TABLES:
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a'"
            " AND table_name = ? AND column_name NOT IN ('import_id', 'imported_at')",
            [t]).fetchall()]
        select = ", ".join(cols)
        diff = con.execute(f"SELECT count(*) FROM ((SELECT {select} FROM a.{t} EXCEPT ALL"
                           f" SELECT {select} FROM b.{t}) UNION ALL (SELECT {select} FROM"
                           f" b.{t} EXCEPT ALL SELECT {select} FROM a.{t}))").fetchone()[0]
        if diff:
            print(f"  {t}: {diff} rows differ")
            return False
    return True


def timed(cmd: list[str], pythonpath: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the child and its workers) and the peak of the summed RSS
    of the child's process tree, in MB (sampled every 0.1 s)."""
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(pythonpath)) if pythonpath else None
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:  # never proc.poll(): it would reap the child before wait4 does
        try:
            parent = psutil.Process(proc.pid)
            while not done.is_set():
                rss = 0
                for p in [parent, *parent.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):  # a worker that just ended
                        rss += p.memory_info().rss
                peak[0] = max(peak[0], rss)
                time.sleep(0.1)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    # wait4's rusage counts the child and the workers it waited for
    cpu = usage.ru_utime + usage.ru_stime
    # Not its ru_maxrss as the peak when the sampler saw the tree: Linux keeps, through the
    # exec, the high-water mark of the memory the child was forked with (this process's
    # RSS), so after a large step every later child "peaked" at least at this process's size.
    rss = peak[0] / 2**20 if peak[0] else usage.ru_maxrss / 1024
    return time.perf_counter() - t0, cpu, rss


def subset(cohort: Path, n: int, into: Path) -> Path:
    """The first `n` person folders of `cohort`, as symlinks (the cohort is never written)."""
    into.mkdir()
    for folder in sorted(p for p in cohort.iterdir() if p.is_dir())[:n]:
        (into / folder.name).symlink_to(folder)
    return into


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--cohort", type=Path, help="an existing cohort folder (read only)")
    parser.add_argument("--old-persons", type=int, default=100,
                        help="persons imported by the previous path (0: skip it)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20, help="persons per write batch")
    parser.add_argument("--aggregates", action="store_true", help="also time `cohort --json`")
    parser.add_argument("--previous", type=Path,
                        help="a checkout of older code: import the same persons with it")
    args = parser.parse_args()
    selfdata = str(Path(sys.executable).parent / "selfdata")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.cohort:
            exports = subset(args.cohort, args.persons, root / "exports")
        else:
            t0 = time.perf_counter()
            exports = root / "exports"
            generate(args.persons, seed=1000, out=exports, year=2024, jobs=args.jobs,
                     segments=False)
            print(f"generated {args.persons} persons in {time.perf_counter() - t0:.0f} s")
        persons = len([p for p in exports.iterdir() if p.is_dir()])
        print(f"{persons} persons; {load()} at the start")

        store = root / "cohort.duckdb"
        if args.previous:  # both stores with the same pseudonymisation key: the same rows
            from selfdata_kit.store import Store

            Store(store).close()
            shutil.copy(store, root / "previous.duckdb")
        seconds, cpu, rss = timed([selfdata, "import", "--cohort", str(exports), "--store",
                                   str(store), "--jobs", str(args.jobs),
                                   "--batch", str(args.batch)])
        import duckdb

        con = duckdb.connect(str(store), read_only=True)
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        for table in TABLES:  # the baseline's input: the same rows, as plain CSV
            con.execute(f"COPY {table} TO '{root / table}.csv' (HEADER)").fetchall()
        con.close()
        total = sum(rows.values())
        print(f"selfdata import --cohort --jobs {args.jobs} --batch {args.batch}:"
              f" {seconds:7.1f} s  CPU {cpu:7.1f} s  {total / seconds:9,.0f} rows/s"
              f"  peak {rss:,.0f} MB  ({seconds / persons:.2f} s per person; {total:,} rows: "
              + ", ".join(f"{t} {n:,}" for t, n in rows.items()) + f"); {load()}")

        if args.old_persons:
            few = subset(exports, min(args.old_persons, persons), root / "few")
            n_old = len(list(few.iterdir()))
            new_s, new_cpu = seconds, cpu  # the same persons: the run above
            if n_old < persons:
                new_s, new_cpu, _ = timed([selfdata, "import", "--cohort", str(few), "--store",
                                           str(root / "few-new.duckdb"), "--jobs",
                                           str(args.jobs), "--batch", str(args.batch)])
            old_s, old_cpu, old_rss = timed([selfdata, "import", "--cohort", str(few),
                                             "--store", str(root / "few-old.duckdb"),
                                             "--jobs", str(args.jobs), "--batch", "0"])
            print(f"previous path (--batch 0), {n_old} persons: {old_s:7.1f} s  CPU"
                  f" {old_cpu:7.1f} s  peak {old_rss:,.0f} MB ({old_s / n_old:.2f} s per"
                  f" person); batched on the same {n_old}: {new_s:7.1f} s  CPU"
                  f" {new_cpu:7.1f} s; {load()}")
            print(f"ratio previous / batched, per person: wall"
                  f" {old_s / n_old / (seconds / persons):5.1f}x (same {n_old}:"
                  f" {old_s / new_s:4.1f}x), CPU {old_cpu / new_cpu:4.1f}x")

        if args.previous:
            prev = root / "previous.duckdb"
            prev_s, prev_cpu, prev_rss = timed(
                [*previous_cli(args.previous.resolve()), "import", "--cohort", str(exports),
                 "--store", str(prev), "--jobs", str(args.jobs), "--batch", str(args.batch)],
                pythonpath=args.previous.resolve())
            print(f"previous code ({args.previous}), the same {persons} persons: {prev_s:7.1f} s"
                  f"  CPU {prev_cpu:7.1f} s ({prev_cpu / persons:.2f} s per person)  peak"
                  f" {prev_rss:,.0f} MB; this code: CPU {cpu / persons:.2f} s per person; {load()}")
            print(f"ratio previous code / this code: CPU {prev_cpu / cpu:4.2f}x, wall"
                  f" {prev_s / seconds:4.2f}x; same rows in both stores:"
                  f" {same_rows(store, prev)}")

        script = "; ".join(
            ["import duckdb", f"c = duckdb.connect(r'{root / 'baseline.duckdb'}')"]
            + [f"c.execute(\"CREATE TABLE {t} AS SELECT * FROM read_csv('{root / t}.csv')\")"
               ".fetchall()" for t in TABLES])
        base_s, base_cpu, base_rss = timed([sys.executable, "-c", script])
        print(f"duckdb read_csv (same rows): {base_s:7.1f} s  CPU {base_cpu:7.1f} s"
              f"  {total / base_s:9,.0f} rows/s  peak {base_rss:,.0f} MB")
        print(f"ratio import / read_csv  : {seconds / base_s:7.1f}x (the import also parses"
              " the real formats, pseudonymises, deduplicates and logs)")

        if args.aggregates:
            agg_s, _, agg_rss = timed([selfdata, "cohort", "--store", str(store), "--json"])
            print(f"selfdata cohort --json   : {agg_s:7.1f} s  peak {agg_rss:,.0f} MB"
                  f"  ({agg_s / persons * 1000:.0f} ms per person)")
    print(f"this process peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
