"""Energy, calls and media figures of a cohort: every person at once (`cohort_figures`, SQL
GROUP BY person_id) vs the per-person path (each report's `figures()` person by person, what
`selfdata cohort --json` did before), in the same run, as a ratio.

    python benchmarks/cohort_figures_energy_calls.py STORE [--sample 20]

STORE is a cohort store (e.g. 1,000 persons from `selfdata synth` + `selfdata import --cohort`),
opened read-only. The per-person path is timed on `--sample` persons (the first ones by id)
and scaled to the whole cohort (it is linear: one person's queries do not depend on the
others'); the set-based path runs over every person."""

from __future__ import annotations

import argparse
import resource
import time

import duckdb

from selfdata_kit.analysis.figures import COHORT_FIGURES, FIGURES
from selfdata_kit.analysis.scope import Group, make_scope

TOPICS = ("energy", "calls", "media")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--sample", type=int, default=20, help="persons timed one by one")
    args = parser.parse_args()
    con = duckdb.connect(args.store, read_only=True)
    persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    sample = persons[:args.sample]
    print(f"{len(persons)} persons; per-person path timed on {len(sample)} and scaled")
    print(f"{'topic':8} {'set-based':>10} {'per person (scaled)':>20} {'ratio':>8}")
    total_set = total_per = 0.0
    for topic in TOPICS:
        t0 = time.perf_counter()
        frame = COHORT_FIGURES[topic](con, Group())
        set_based = time.perf_counter() - t0
        assert len(frame) == len(persons)
        t0 = time.perf_counter()
        for person in sample:
            FIGURES[topic](con, make_scope(con, person))
        per_person = (time.perf_counter() - t0) / len(sample) * len(persons)
        total_set, total_per = total_set + set_based, total_per + per_person
        print(f"{topic:8} {set_based:9.1f}s {per_person:19.1f}s {per_person / set_based:7.1f}x")
    print(f"{'all':8} {total_set:9.1f}s {total_per:19.1f}s {total_per / total_set:7.1f}x")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
