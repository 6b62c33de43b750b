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


def _staged(rows: pd.DataFrame, part: tuple[int, int] | None) -> pd.DataFrame:
    con = migration_connection()
    for _, _, sql in migrations():
        con.execute(sql)
    spec = table_specs(con)["places"]
    _incoming = rows.assign(_ord=range(len(rows)))  # noqa: F841 (read by DuckDB)
    return con.execute(stage_sql(spec, set(rows.columns) | {"_ord"}, part=part)).df()


def test_the_parts_of_a_file_give_the_uids_of_the_whole_file():
    """Identical rows fall in the same part, where they are numbered: the parts' uids
    together are those of the whole file, and each row is in one part only."""
    assert TABLES["places"].is_fact
    rows = pd.DataFrame([{"start_at": pd.Timestamp("2020-01-01", tz="UTC")
                          + pd.Timedelta(minutes=i % 40), "lat": 48.0 + i % 40, "lon": 2.0,
                          "kind": "point"} for i in range(100)])  # 40 points, 2 or 3 times
    whole = _staged(rows, None)
    assert whole["uid"].str.endswith(":3").sum() == 20
    parts = [_staged(rows, (k, 7)) for k in range(7)]
    assert all(len(p) for p in parts)
    assert sorted(u for p in parts for u in p["uid"]) == sorted(whole["uid"])


def test_no_room_for_the_copy_is_said_and_leaves_the_store(tmp_path, monkeypatch):
    import errno
    import shutil

    import pytest

    from selfdata_kit.errors import StoreError

    path = tmp_path / "s.duckdb"
    store = open_store(path)

    def full(src, dst, *args, **kwargs):
        with open(dst, "wb") as f:
            f.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(StoreError) as e:
        beside.import_beside(store, person_id="alice", source="x", path="f", sha256="",
                             size_bytes=0, pieces=[], started_at=None)
    assert "No space left" in e.value.message and "unchanged" in e.value.hint
    assert beside.leftovers(path) == []  # the partial copy removed
    assert store.run("SELECT count(*) FROM imports") == [(0,)]
    store.close()
