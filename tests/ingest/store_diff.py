"""Compare two stores row for row (tests of the batched cohort import)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from selfdata_kit.store import PERSON_TABLES

# columns that differ between two runs by nature: when things happened
_CLOCK = {"imports": "EXCLUDE (started_at, finished_at)", "persons": "EXCLUDE (created_at)"}


def store_differences(a: Path, b: Path) -> dict[str, tuple[int, int, int, int]]:
    """Tables whose rows differ: table -> (rows in a, rows in b, only in a, only in b);
    empty when both stores hold the same rows (import ids, counts and the log included)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    out = {}
    for t in (*PERSON_TABLES, "imports", "import_issues"):
        cols = _CLOCK.get(t, "")
        n_a, n_b, only_a, only_b = con.execute(f"""
            SELECT (SELECT count(*) FROM a.{t}), (SELECT count(*) FROM b.{t}),
                   (SELECT count(*) FROM (SELECT * {cols} FROM a.{t}
                                          EXCEPT ALL SELECT * {cols} FROM b.{t})),
                   (SELECT count(*) FROM (SELECT * {cols} FROM b.{t}
                                          EXCEPT ALL SELECT * {cols} FROM a.{t}))""").fetchone()
        if n_a != n_b or only_a or only_b:
            out[t] = (n_a, n_b, only_a, only_b)
    con.close()
    return out
