"""Energy, calls and media figures of a cohort: every person at once (`cohort_figures`, SQL
GROUP BY person_id) vs the per-person path (each report's `figures()` person by person, what
`selfdata cohort --json` did before), in the same run, as a ratio; and, for energy, the
one-pass code vs the code before it (`_energy_figures_before.py`), each in its own process
so that each peak memory is its own.

    python benchmarks/cohort_figures_energy_calls.py STORE [--sample 20] [--topics energy]

STORE is a cohort store (e.g. 1,000 persons from `selfdata synth` + `selfdata import --cohort`),
opened read-only. The per-person path is timed on `--sample` persons (the first ones by id)
and scaled to the whole cohort (it is linear: one person's queries do not depend on the
others'); `--sample 0` skips it. The set-based path runs over every person. CPU seconds are
the process's (every DuckDB thread included): on a shared machine they say more than the
wall time, which the other jobs stretch."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from selfdata_kit.analysis.figures import COHORT_FIGURES, FIGURES
from selfdata_kit.analysis.scope import Group, make_scope

TOPICS = ("energy", "calls", "media")
HERE = Path(__file__).resolve().parent


def _child(version: str, store: str, out: str) -> None:
    """One energy run in this fresh process: prints wall, CPU and peak memory as JSON."""
    if version == "before":
        sys.path.insert(0, str(HERE))
        from _energy_figures_before import energy_cohort_figures
    else:
        energy_cohort_figures = COHORT_FIGURES["energy"]
    con = duckdb.connect(store, read_only=True)
    t0, c0 = time.perf_counter(), time.process_time()
    frame = energy_cohort_figures(con, Group())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    frame.to_pickle(out)
    print(json.dumps({"wall": wall, "cpu": cpu, "rows": len(frame),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _energy_versions(store: str) -> None:
    """The energy figures by the code before and by the one-pass code, and whether every
    figure is the same."""
    print(f"energy, one pass vs before (each in its own process), load {_load()}")
    print(f"{'version':8} {'wall':>8} {'CPU':>8} {'peak MB':>8}")
    runs, frames = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for version in ("before", "now"):
            out = str(Path(tmp) / f"{version}.pkl")
            done = subprocess.run([sys.executable, __file__, store, "--child", version, out],
                                  check=True, capture_output=True, text=True)
            runs[version] = json.loads(done.stdout.strip().splitlines()[-1])
            frames[version] = pd.read_pickle(out).set_index("person_id")
            r = runs[version]
            print(f"{version:8} {r['wall']:7.1f}s {r['cpu']:7.1f}s {r['peak_mb']:8.0f}")
    before, now = runs["before"], runs["now"]
    print(f"ratio    {before['wall'] / now['wall']:7.1f}x {before['cpu'] / now['cpu']:7.1f}x "
          f"{before['peak_mb'] / now['peak_mb']:7.1f}x   (load after: {_load()})")
    a, b = frames["before"], frames["now"]
    assert list(a.columns) == list(b.columns) and list(a.index) == list(b.index)
    differ = ~((a == b) | (a.isna() & b.isna()))
    print(f"figures: {a.size} compared, {int(differ.to_numpy().sum())} differ", end="")
    if differ.to_numpy().any():
        worst = (a - b).abs().where(differ).max()
        print(": " + ", ".join(f"{c} ({int(differ[c].sum())} persons, max {worst[c]:.4g})"
                               for c in a.columns if differ[c].any()))
    else:
        print()


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--sample", type=int, default=20, help="persons timed one by one")
    parser.add_argument("--topics", default=",".join(TOPICS))
    parser.add_argument("--child", nargs=2, metavar=("VERSION", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.store, args.child[1])
        return
    topics = args.topics.split(",")
    if "energy" in topics:
        _energy_versions(args.store)
    con = duckdb.connect(args.store, read_only=True)
    persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    sample = persons[:args.sample]
    print(f"\n{len(persons)} persons; per-person path timed on {len(sample)} and scaled"
          f" (load {_load()})")
    print(f"{'topic':8} {'set-based':>10} {'CPU':>8} {'per person (scaled)':>20} {'ratio':>8}")
    total_set = total_per = 0.0
    for topic in topics:
        t0, c0 = time.perf_counter(), time.process_time()
        frame = COHORT_FIGURES[topic](con, Group())
        set_based, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert len(frame) == len(persons)
        t0 = time.perf_counter()
        for person in sample:
            FIGURES[topic](con, make_scope(con, person))
        per_person = (time.perf_counter() - t0) / max(len(sample), 1) * len(persons)
        total_set, total_per = total_set + set_based, total_per + per_person
        ratio = f"{per_person / set_based:7.1f}x" if sample else "       -"
        print(f"{topic:8} {set_based:9.1f}s {cpu:7.1f}s {per_person:19.1f}s {ratio}")
    if sample:
        print(f"{'all':8} {total_set:9.1f}s {'':8} {total_per:19.1f}s "
              f"{total_per / total_set:7.1f}x")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
          f" (load {_load()})")


if __name__ == "__main__":
    main()
