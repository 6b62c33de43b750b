"""The store: schema by migrations, idempotent atomic imports, pseudonyms, forget, file mode."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.errors import StoreError
from selfdata_kit.store import TABLES, Store, open_store
from selfdata_kit.store.tables import migrations
from tests.conftest import table_rows


def _import(store: Store, tables: dict, person: str = "alice", path: str = "f.csv"):
    return store.import_parsed(
        person_id=person, source="test", path=path, sha256="0" * 64, size_bytes=1,
        tables=tables, rows_read=sum(len(f) for f in tables.values()), issues=[],
        started_at=datetime.now(UTC),
    )


def _tx(rows: list[tuple[str, str, str]], account: str = "FR76") -> pd.DataFrame:
    return pd.DataFrame(
        [{"account_id": account, "booked_on": d, "amount": Decimal(a), "label": lbl,
          "currency": "EUR"} for d, a, lbl in rows]
    )


COFFEES = [("2024-01-02", "-2.50", "CAFE DU COIN"), ("2024-01-02", "-2.50", "CAFE DU COIN"),
           ("2024-01-03", "1200.00", "SALAIRE")]


def test_new_store_has_every_canonical_table_and_owner_only_mode(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        names = {r[0] for r in store.run("SELECT table_name FROM information_schema.tables")}
        versions = store.run("SELECT version, name FROM schema_migrations")
    assert set(TABLES) | {"persons", "imports", "import_issues"} <= names
    assert versions[:3] == [(1, "001_init.sql"), (2, "002_import_kind.sql"),
                            (3, "003_media.sql")]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_write_ahead_log_is_owner_only_too(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        _import(store, {"transactions": _tx(COFFEES)})
        wal = tmp_path / "s.duckdb.wal"
        assert wal.exists()
        assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600


def test_reopening_applies_no_migration_twice_and_keeps_the_key(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        key = store.hmac_key
    with open_store(path) as store:
        assert store.run("SELECT count(*) FROM schema_migrations")[0][0] == len(migrations())
        assert store.hmac_key == key and len(key) == 32


def test_read_only_store_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_identical_rows_in_one_file_stay_separate_and_reimport_adds_nothing(store: Store) -> None:
    first = _import(store, {"transactions": _tx(COFFEES)})
    again = _import(store, {"transactions": _tx(COFFEES)})
    assert (first.rows_inserted, first.rows_duplicate) == (3, 0)
    assert (again.rows_inserted, again.rows_duplicate) == (0, 3)
    coffees = store.run("SELECT count(*) FROM transactions WHERE label = 'CAFE DU COIN'")
    assert coffees[0][0] == 2
    assert store.run("SELECT sum(amount) FROM transactions")[0][0] == Decimal("1195.00")


def test_overlapping_export_adds_only_the_new_rows(store: Store) -> None:
    _import(store, {"transactions": _tx(COFFEES)})
    later = COFFEES[1:] + [("2024-01-04", "-40.00", "ESSENCE")]
    # the later export starts in the middle of Jan 2: it holds one of the two coffees.
    counts = _import(store, {"transactions": _tx(later)})
    assert (counts.rows_inserted, counts.rows_duplicate) == (1, 2)
    assert store.run("SELECT count(*) FROM transactions")[0][0] == 4


def test_source_ids_dedupe_and_differ_from_content(store: Store) -> None:
    tx = _tx(COFFEES).assign(uid=["ofx:A:1", "ofx:A:2", "ofx:A:3"])
    assert _import(store, {"transactions": tx}).rows_inserted == 3
    edited = tx.assign(label="RELABELLED BY THE BANK")
    assert _import(store, {"transactions": edited}).rows_duplicate == 3


def test_money_stays_exact(store: Store) -> None:
    tx = _tx([("2024-01-01", "0.10", "a"), ("2024-01-01", "0.20", "b"),
              ("2024-01-01", "99999999999.99", "c")])
    _import(store, {"transactions": tx})
    assert store.run("SELECT sum(amount) FROM transactions")[0][0] == Decimal("100000000000.29")


def test_failed_import_leaves_every_table_unchanged(store: Store) -> None:
    _import(store, {"transactions": _tx(COFFEES)})
    before = table_rows(store)
    bad_calls = pd.DataFrame({"started_at": ["2024-01-01T10:00:00+01:00"],
                              "direction": ["sideways"], "channel": ["voice"]})
    with pytest.raises(StoreError, match="calls: a row breaks a rule"):
        _import(store, {"transactions": _tx([("2024-02-01", "-1.00", "new")]),
                        "calls": bad_calls}, person="bob")
    assert table_rows(store) == before


def test_a_value_that_does_not_fit_the_schema_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="transactions"):
        _import(store, {"transactions": _tx([("not a date", "1.00", "x")])})
    assert store.counts()["imports"] == 0


def test_accounts_named_by_transactions_exist(store: Store) -> None:
    _import(store, {"transactions": _tx(COFFEES, account="FR76-1")})
    _import(store, {"transactions": pd.DataFrame({"booked_on": [date(2024, 1, 1)],
                                                  "amount": ["5.00"]})})
    assert store.run("SELECT account_id, currency FROM accounts ORDER BY 1") == [
        ("FR76-1", "EUR"), ("default", None)]


def test_contacts_get_stable_pseudonyms_in_order_of_appearance(store: Store) -> None:
    contacts = pd.DataFrame({"contact_id": ["k2", "k1", "k2"], "number_hmac": ["h2", "h1", "h2"]})
    _import(store, {"contacts": contacts})
    _import(store, {"contacts": pd.DataFrame({"contact_id": ["k3", "k1"],
                                              "number_hmac": ["h3", "h1"]})})
    _import(store, {"contacts": pd.DataFrame({"contact_id": ["k9"], "number_hmac": ["h9"]})},
            person="bob")
    rows = store.run("SELECT person_id, contact_id, pseudonym FROM contacts ORDER BY 1, 3")
    assert rows == [("alice", "k2", "Contact 1"), ("alice", "k1", "Contact 2"),
                    ("alice", "k3", "Contact 3"), ("bob", "k9", "Contact 1")]


def test_timestamps_keep_the_instant_across_offsets(store: Store) -> None:
    calls = pd.DataFrame({
        "started_at": ["2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00"],
        "direction": ["in", "out"], "channel": ["voice", "voice"]})
    _import(store, {"calls": calls})
    rows = store.run("SELECT strftime(started_at, '%H:%M') FROM calls ORDER BY started_at")
    assert rows == [("00:30",), ("01:30",)]


def test_forget_removes_the_person_everywhere_and_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    marker = "ZQXJ-UNIQUE-LABEL-FOR-FORGET"
    with open_store(path) as store:
        _import(store, {"transactions": _tx([("2024-01-01", "-9.99", marker)] * 500)},
                person="alice")
        _import(store, {"transactions": _tx(COFFEES)}, person="bob")
        store.run("CHECKPOINT")
        assert marker.encode() in path.read_bytes()
        removed = store.forget("alice")
        assert removed["transactions"] == 500 and removed["persons"] == 1
        assert removed["imports"] == 1
        assert store.run("SELECT DISTINCT person_id FROM transactions") == [("bob",)]
        assert store.run("SELECT person_id FROM persons") == [("bob",)]
    assert marker.encode() not in path.read_bytes()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open_store(path) as store:
        assert store.counts()["transactions"] == 3
