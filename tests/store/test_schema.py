"""The schema has one description, the migrations: the writer reads columns back from the
migrated store, and a store made before a migration is brought up to date with its data."""

from __future__ import annotations

from pathlib import Path

import duckdb

from selfdata_kit.store import TABLES, WRITE_ORDER, open_store
from selfdata_kit.store.tables import WRITER_COLUMNS, migrations


def test_the_writer_columns_are_the_migrated_tables(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        specs = store.table_specs
        for name in TABLES:
            declared = [c for (c,) in store.run(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?"
                " ORDER BY column_index", [name])]
            assert list(specs[name].columns) == [c for c in declared if c not in WRITER_COLUMNS]
            assert set(specs[name].key) <= set(declared)
    assert set(WRITE_ORDER) == set(TABLES)


def test_migrations_are_numbered_without_gaps() -> None:
    assert [v for v, _, _ in migrations()] == list(range(1, len(migrations()) + 1))


def test_an_older_store_learns_the_kind_of_its_imports(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a store as version 1 made it
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                " name VARCHAR NOT NULL, applied_at TIMESTAMPTZ DEFAULT current_timestamp)")
    version, name, sql = migrations()[0]
    con.execute(sql)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    for i, source in enumerate(["ofx", "android-backup", "grdf", "google-timeline",
                                "a-plugin-format"], 1):
        con.execute("INSERT INTO imports VALUES (?, 'p', ?, 'f', 'h', 1, now(), now(), 'ok',"
                    " 1, 1, 0, 0)", [i, source])
    con.close()
    with open_store(path) as store:
        kinds = store.run("SELECT source, kind FROM imports ORDER BY import_id")
    assert kinds == [("ofx", "bank"), ("android-backup", "calls"), ("grdf", "energy"),
                     ("google-timeline", "places"), ("a-plugin-format", None)]


def test_a_store_before_media_keeps_its_calls_and_accepts_chats(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a store as version 2 made it, with a call
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                " name VARCHAR NOT NULL, applied_at TIMESTAMPTZ DEFAULT current_timestamp)")
    for version, name, sql in migrations()[:2]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [version, name])
    con.execute("INSERT INTO calls VALUES ('p', '2024-01-02 10:00:00+00', 60, 'in', 'voice',"
                " 'c1', 'u1', 1)")
    con.close()
    with open_store(path) as store:
        assert store.run("SELECT uid, duration_s, channel FROM calls") == [("u1", 60, "voice")]
        store.run("INSERT INTO calls VALUES ('p', '2024-01-02 11:00:00+00', 0, 'unknown',"
                  " 'chat', 'c2', 'u2', 2)")
        store.run("INSERT INTO media VALUES ('p', 'spotify', 'track', '2024-01-02 12:00:00+00',"
                  " 200, 'Song', 'Artist', 'u3', 3)")
        assert store.run("SELECT count(*) FROM calls")[0][0] == 2
        try:
            store.run("INSERT INTO media VALUES ('p', 's', 'song', now(), 1, 't', 'c', 'u4', 3)")
        except duckdb.ConstraintException:
            pass
        else:
            raise AssertionError("media.kind accepted a value outside its list")
