"""A file that mixes UTF-8 and Windows-1252, and the identity of its rows across a corrected
re-export.

Before: a mostly-UTF-8 bank CSV with one Windows-1252 byte was decoded entirely as
Windows-1252 (every accent became mojibake, no warning), and re-importing the corrected file
added the same rows a second time. Now encodings are decided per line with a warning naming
the lines, and a transaction's content hash folds its label (case, spaces, accents and their
mojibake), so the corrected file adds nothing; stores made before are re-hashed by migration
004 so that they too get each row once.
"""

from __future__ import annotations

import duckdb
import pytest

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources.base import InputFile
from selfdata_kit.sources.text import decode
from selfdata_kit.store import open_store
from tests.conftest import TESTS

HEADER = "Date;Libellé;Montant;Devise"
ROWS = [
    "02/01/2024;CB CAFÉ DE LA GARE;-3,50;EUR",
    "02/01/2024;CB CAFÉ DE LA GARE;-3,50;EUR",  # two identical coffees stay two rows
    "03/01/2024;PRLV ÉLECTRICITÉ DE FRANCE;-61,20;EUR",
    "04/01/2024;VIR SALAIRE SOCIÉTÉ GÉNÉRALE;2150,00;EUR",
    "05/01/2024;CB CRÈMERIE DU CÔTEAU;-12,00;EUR",
    "06/01/2024;CB Boulangerie à la page;-4,10;EUR",
]
BAD = 5  # 0-based row pasted in Windows-1252 (line 6 of the file, after the header)


def corrected() -> bytes:
    return ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")


def mixed() -> bytes:
    lines = [HEADER.encode("utf-8")] + [
        r.encode("cp1252") if i == BAD else r.encode("utf-8") for i, r in enumerate(ROWS)]
    return b"\n".join(lines) + b"\n"


def mojibake() -> bytes:
    """What the old decoding stored: the whole file read as Windows-1252."""
    return ("\n".join([HEADER, *ROWS]).encode("utf-8").decode("cp1252") + "\n").encode()


def labels(store) -> list[str]:
    return [r[0] for r in store.run("SELECT label FROM transactions ORDER BY booked_on, label")]


def test_each_line_is_decoded_in_its_own_encoding():
    warnings: list[str] = []
    text, encoding = decode(mixed(), "mixed.csv", warnings)
    assert encoding == "mixed"
    assert text == corrected().decode("utf-8")
    assert warnings == ["mixed encodings: line 7 is not UTF-8 like the rest of the file:"
                        " read as Windows-1252 (check their accents)"]


def test_a_windows_1252_file_is_not_mixed():
    warnings: list[str] = []
    data = "\n".join([HEADER, *ROWS]).encode("cp1252")
    text, encoding = decode(data, "cp.csv", warnings)
    assert (text, encoding, warnings) == ("\n".join([HEADER, *ROWS]), "cp1252", [])


def test_a_mixed_file_imports_without_mojibake_and_warns(tmp_path, store):
    path = tmp_path / "mixed.csv"
    path.write_bytes(mixed())
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.status == "imported", report.error
    assert any("line 7" in w and "Windows-1252" in w for w in report.warnings)
    assert "CB CAFÉ DE LA GARE" in labels(store)
    assert not any("Ã" in label for label in labels(store))


def test_the_corrected_re_export_adds_nothing(tmp_path, store):
    first, second = tmp_path / "mixed.csv", tmp_path / "corrected.csv"
    first.write_bytes(mixed())
    second.write_bytes(corrected().replace(b"CB Boulangerie", b"CB  BOULANGERIE"))
    assert import_file(store, InputFile.from_path(first), "me").counts.rows_inserted == 6
    again = import_file(store, InputFile.from_path(second), "me")
    assert again.status == "imported", again.error
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 6)


def test_a_mojibake_import_then_the_corrected_file_adds_nothing(tmp_path, store):
    garbled, fixed = tmp_path / "garbled.csv", tmp_path / "fixed.csv"
    garbled.write_bytes(mojibake())
    fixed.write_bytes(corrected())
    assert import_file(store, InputFile.from_path(garbled), "me").counts.rows_inserted == 6
    assert any("Ã‰" in label for label in labels(store))
    again = import_file(store, InputFile.from_path(fixed), "me")
    assert again.counts.rows_inserted == 0


# --- stores made before the folded hash -------------------------------------------------

# the content hash of transactions before migration 004 (git history of store/writer.py)
OLD_HASH = """md5(concat_ws(chr(31), {}))""".format(", ".join(
    f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in (
        "account_id", "booked_on", "value_on", "amount", "currency", "label", "counterparty",
        "bank_category")))


def _make_old(path) -> None:
    """Turn a store into one made before migration 004: old content hashes, 004 not done."""
    with open_store(path) as store:
        store.run(f"""
            CREATE TEMP TABLE _old AS SELECT person_id, uid,
                {OLD_HASH} || ':' || row_number() OVER (PARTITION BY person_id, {OLD_HASH})
                    AS old_uid
            FROM transactions WHERE regexp_full_match(uid, '[0-9a-f]{{32}}:[0-9]+')""")
        store.run("UPDATE transactions SET uid = 'x' || _old.old_uid FROM _old"
                  " WHERE transactions.uid = _old.uid")
        store.run("UPDATE transactions SET uid = substr(uid, 2) WHERE uid LIKE 'x%'")
        store.run("DELETE FROM schema_migrations WHERE version >= 4")


@pytest.mark.parametrize("first, then", [
    (mojibake, corrected),  # the bug's store, then the corrected file
    (corrected, corrected),  # any old store, then the same file again
    (mixed, corrected),
])
def test_an_old_store_then_a_re_import_gives_each_row_once(tmp_path, first, then):
    path = tmp_path / "store.duckdb"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(first())
    b.write_bytes(then())
    ofx = TESTS / "sources/bank/fixtures/ofx1_two_accounts.ofx"
    with open_store(path) as store:
        assert import_file(store, InputFile.from_path(a), "me").counts.rows_inserted == 6
        import_file(store, InputFile.from_path(ofx), "me")  # source ids: left alone
    _make_old(path)
    with open_store(path) as store:
        old_uids = store.run("SELECT uid FROM transactions WHERE uid LIKE 'ofx:%' ORDER BY 1")
        assert store.run("SELECT max(version) FROM schema_migrations") >= [(4,)]
        before = store.run("SELECT count(*) FROM transactions")[0][0]
        report = import_file(store, InputFile.from_path(b), "me")
        assert report.status == "imported", report.error
        assert report.counts.rows_inserted == 0
        assert store.run("SELECT count(*) FROM transactions")[0][0] == before
        assert store.run("SELECT count(*) FROM transactions WHERE label LIKE '%GARE'") == [(2,)]
        assert store.run(
            "SELECT uid FROM transactions WHERE uid LIKE 'ofx:%' ORDER BY 1") == old_uids


def test_without_the_migration_an_old_store_would_duplicate(tmp_path):
    """The check above can fail: an old store whose hashes are not migrated takes the same
    file's rows again."""
    path = tmp_path / "store.duckdb"
    a = tmp_path / "a.csv"
    a.write_bytes(corrected())
    with open_store(path) as store:
        import_file(store, InputFile.from_path(a), "me")
    _make_old(path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations (version, name)"
                " VALUES (4, 'skipped'), (5, 'skipped')")
    con.close()
    with open_store(path) as store:
        report = import_file(store, InputFile.from_path(a), "me")
        assert report.counts.rows_inserted == 6
