"""A big streamed file is written beside the store (`store.beside`): into a copy, in parts,
swapped in. The end-to-end behaviour (same store as the whole file, a late error or a kill
leaves the store byte for byte) is in tests/ingest/test_streamed.py; here its parts."""

from __future__ import annotations

import pandas as pd

from selfdata_kit.store import beside, open_store
from selfdata_kit.store.tables import TABLES, migration_connection, migrations, table_specs
from selfdata_kit.store.writer import stage_sql


def test_a_copy_left_by_a_killed_import_is_removed_at_opening(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    copy = beside.copy_path(path)
    copy.write_bytes(b"half a store")
    (tmp_path / "s.duckdb.import.wal").write_bytes(b"its log")
    with open_store(path, read_only=True):  # a reader leaves it: it may not hold the lock
        assert len(beside.leftovers(path)) == 2
    with open_store(path):
        assert beside.leftovers(path) == []


def _staged(counts: pd.DataFrame | None, rows: pd.DataFrame) -> pd.DataFrame:
    con = migration_connection()
    for _, _, sql in migrations():
        con.execute(sql)
    spec = table_specs(con)["places"]
    _incoming = rows.assign(_ord=range(len(rows)))  # noqa: F841 (read by DuckDB)
    name = None
    if counts is not None:
        _counts = counts  # noqa: F841
        con.execute("CREATE TEMP TABLE c AS SELECT * FROM _counts")
        name = "c"
    return con.execute(stage_sql(spec, set(rows.columns) | {"_ord"}, counts=name)).df()


def test_occurrence_numbers_go_on_from_the_counts_of_earlier_pieces():
    assert TABLES["places"].is_fact
    point = {"start_at": pd.Timestamp("2020-01-01", tz="UTC"), "lat": 48.0, "lon": 2.0,
             "kind": "point"}
    other = {**point, "lat": 49.0}
    rows = pd.DataFrame([point, other, point])
    first = _staged(None, rows)
    h = first.loc[first["lat"] == 48.0, "uid"].iloc[0].split(":")[0]
    assert sorted(first["uid"]) == sorted([f"{h}:1", f"{h}:2",
                                           first.loc[first["lat"] == 49.0, "uid"].iloc[0]])
    # the same rows after a piece that held the first point twice (and other hashes)
    counts = pd.DataFrame({"_h": [h, "0" * 32, h], "n": [1, 5, 1]})
    later = _staged(counts, rows)
    assert sorted(later.loc[later["lat"] == 48.0, "uid"]) == [f"{h}:3", f"{h}:4"]
    assert later.loc[later["lat"] == 49.0, "uid"].iloc[0].endswith(":1")
    assert set(later["_h"].str.len()) == {32}  # kept, to add this piece's counts
