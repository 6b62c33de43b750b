"""`selfdata check`: a healthy store, one with a damaged data block (bytes flipped in a real
block of a real store file), rows whose import or person is gone, a schema from a newer
version, a file that is not a store; `--repair` writes a new store from the readable rows,
never touches the original, and importing the exports again fills in what was lost."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from selfdata_kit.cli import main
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_FOLDERS, copy_store, table_rows

HEADERS = 3 * 4096  # DuckDB's file header and its two database headers
BLOCK = 262_144     # DuckDB's default block size


def damage_block_of(store: Path, table: str, column: str = "uid") -> None:
    """Overwrite bytes inside a data block of `table` (past the block's checksum)."""
    con = duckdb.connect(str(store), read_only=True)
    block, offset = con.execute(
        f"SELECT block_id, block_offset FROM pragma_storage_info('{table}')"
        f" WHERE column_name = '{column}' AND block_id >= 0 ORDER BY block_id LIMIT 1"
    ).fetchall()[0]
    con.close()
    with open(store, "r+b") as f:
        f.seek(HEADERS + block * BLOCK + 8 + offset + 64)
        f.write(b"\x5a" * 256)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(store: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["check", "--store", str(store), *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out + err


def test_a_healthy_store(sample_store: Path, capsys) -> None:
    code, out = _check(sample_store, capsys)
    assert code == 0, out
    assert "verdict   healthy" in out and "(as shipped)" in out and "problems  none" in out
    code, out = _check(sample_store, capsys, "--json")
    report = json.loads(out)
    assert report["verdict"] == "healthy" and report["problems"] == []
    with open_store(sample_store, read_only=True) as store:
        persons = store.persons().set_index("person_id")
    for person, row in persons.iterrows():
        counts = report["rows_per_person"].get(person, {})
        for table in ("transactions", "calls", "energy", "places", "imports"):
            assert counts.get(table, 0) == row[table], (person, table)


@pytest.fixture
def damaged(sample_store: Path, tmp_path: Path) -> Path:
    store = copy_store(sample_store, tmp_path / "s.duckdb")
    damage_block_of(store, "calls")
    return store


def test_a_damaged_block_is_found_and_named(damaged: Path, capsys) -> None:
    before = _digest(damaged)
    code, out = _check(damaged, capsys)
    assert code == 1
    assert "calls" in out and "DAMAGED" in out and "row(s) unreadable" in out
    assert "repairable from its own data, without the unreadable rows" in out
    assert "--repair" in out and "close the other program" not in out
    report = json.loads(_check(damaged, capsys, "--json")[1])
    assert report["verdict"] == "repairable-with-loss" and report["lost_by_repair"] == ["calls"]
    assert [t for t, c in report["tables"].items() if c["damaged"]] == ["calls"]
    assert _digest(damaged) == before  # checking never writes


@pytest.mark.slow  # imports three calls and chats exports again
def test_repair_writes_a_new_store_and_reimporting_fills_it(damaged: Path, sample_store: Path,
                                                            tmp_path: Path, capsys) -> None:
    before = _digest(damaged)
    code, out = _check(damaged, capsys, "--repair")
    repaired = tmp_path / "s.repaired.duckdb"
    assert code == 0 and f"repaired: wrote {repaired} (healthy)" in out, out
    assert _digest(damaged) == before
    with open_store(repaired, read_only=True) as new, \
            open_store(sample_store, read_only=True) as whole:
        kept, original = table_rows(new), table_rows(whole)
        assert new.hmac_key == whole.hmac_key  # the pseudonyms stay the same
    assert kept["calls"] == []  # the sample store's calls fit in one row group
    for table in original:
        if table not in ("calls", "schema_migrations"):
            assert kept[table] == original[table], table
    for folder in SAMPLE_FOLDERS:  # the exports again: the lost calls come back, once
        # `calls` holds phone calls, texts and chat messages (WhatsApp exports)
        assert main(["import", str(folder / "calls"), str(folder / "chats"),
                     "--person", folder.name, "--store", str(repaired)]) == 0
    capsys.readouterr()
    with open_store(repaired, read_only=True) as new, \
            open_store(sample_store, read_only=True) as whole:
        assert new.counts() | {"imports": 0} == whole.counts() | {"imports": 0}
        same = "SELECT person_id, uid, contact_id, started_at FROM calls ORDER BY ALL"
        assert new.run(same) == whole.run(same)
    code, out = _check(damaged, capsys, "--repair")
    assert code == 1 and "a file is already there" in out


def test_rows_whose_import_or_person_is_gone(sample_store: Path, tmp_path: Path,
                                             capsys) -> None:
    store = copy_store(sample_store, tmp_path / "s.duckdb")
    with open_store(store) as s:
        s.run("DELETE FROM imports WHERE import_id = (SELECT min(import_id) FROM imports"
              " WHERE source = 'ofx')")
        s.run(f"DELETE FROM persons WHERE person_id = '{SAMPLE_FOLDERS[2].name}'")
    code, out = _check(store, capsys)
    assert code == 1 and "refer to an import missing from the import log" in out
    assert "refer to a person missing from `persons`" in out
    assert "repairable from its own data, nothing lost" in out
    code, out = _check(store, capsys, "--repair", "--out", str(tmp_path / "fixed.duckdb"))
    assert code == 0
    with open_store(tmp_path / "fixed.duckdb", read_only=True) as fixed:
        assert SAMPLE_FOLDERS[2].name in fixed.person_ids()


def test_a_schema_from_a_newer_version(sample_store: Path, tmp_path: Path, capsys) -> None:
    store = copy_store(sample_store, tmp_path / "s.duckdb")
    with open_store(store) as s:
        s.run("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')")
    code, out = _check(store, capsys)
    assert code == 1 and "schema versions [999] come from a newer selfdata_kit" in out
    assert "cannot be repaired from its own data" in out


@pytest.mark.parametrize("content", [b"not a store\n" * 1000, b""])
def test_a_file_that_is_not_a_store(content: bytes, tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.duckdb"
    store.write_bytes(content)
    code, out = _check(store, capsys)
    assert code == 1 and "cannot be opened as a store" in out
    assert "restore the store from a backup" in out
    code, out = _check(store, capsys, "--repair")
    assert code == 1 and "cannot be repaired from its own data" in out
    assert not (tmp_path / "s.repaired.duckdb").exists()


def test_no_store_there(tmp_path: Path, capsys) -> None:
    code, out = _check(tmp_path / "none.duckdb", capsys)
    assert code == 1 and "no store file here" in out
    assert not (tmp_path / "none.duckdb").exists()


def test_an_older_store_is_healthy(tmp_path: Path, capsys) -> None:
    """A store made by an older version (its first migration only) is not a problem: the
    next writing command migrates it."""
    from selfdata_kit.store.tables import migrations

    version, name, sql = migrations()[0]
    store = tmp_path / "old.duckdb"
    con = duckdb.connect(str(store))
    con.execute(sql)
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR"
                " NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.execute("INSERT INTO store_meta VALUES ('hmac_key', '\\x01'::BLOB)")
    con.close()
    code, out = _check(store, capsys)
    assert code == 0 and "verdict   healthy" in out, out
    assert f"versions {version}  (this version ships" in out
