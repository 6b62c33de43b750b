"""Compatibility forms in a label (full-width letters, ligatures, odd spaces) do not change a
row's identity: the content hash folds them (NFKC, `store/fold.py`, writer.FOLD_SQL), and
stores made before are re-hashed by migration 005_nfkc_labels.sql.

Before: an export whose labels were written in full-width letters or with the "ﬁ" ligature
(some bank apps' PDF-to-CSV conversions, copy-pastes from a phone) and its corrected
re-export gave every such row twice."""

from __future__ import annotations

import duckdb
import pytest

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources.base import InputFile
from selfdata_kit.store import open_store
from selfdata_kit.store.fold import register
from selfdata_kit.store.writer import FOLD_SQL

HEADER = "Date;Libellé;Montant;Devise"
PLAIN = [
    "02/01/2024;CB CAFE DE LA GARE;-3,50;EUR",
    "02/01/2024;CB CAFE DE LA GARE;-3,50;EUR",  # two identical coffees stay two rows
    "03/01/2024;PRLV EDF financement;-61,20;EUR",
    "04/01/2024;VIR SALAIRE 2024;2150,00;EUR",
    "05/01/2024;CB BOULANGERIE;-4,10;EUR",
]
# the same statement as some exports write it: full-width letters and digits, a ligature,
# non-breaking and narrow spaces, a circled digit's cousin (superscript 2 outside Latin-1)
WIDE = [
    "02/01/2024;ＣＢ ＣＡＦＥ ＤＥ ＬＡ ＧＡＲＥ;-3,50;EUR",
    "02/01/2024;CB\u00a0CAFE\u202fDE LA GARE;-3,50;EUR",
    "03/01/2024;PRLV EDF ﬁnancement;-61,20;EUR",
    "04/01/2024;VIR SALAIRE ２０２４;2150,00;EUR",
    "05/01/2024;CB ＢＯＵＬＡＮＧＥＲＩＥ;-4,10;EUR",
]


def csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def fold(text: str) -> str:
    con = duckdb.connect()
    register(con)
    return con.execute(f"SELECT {FOLD_SQL.format(col='?')}", [text]).fetchall()[0][0]


def test_the_fold_reads_compatibility_forms_as_their_plain_letters():
    assert fold("ＣＢ ＣＡＦＥ") == fold("CB CAFE") == "cbcafe"
    assert fold("ﬁnancement ﬀ") == fold("financement ff")
    assert fold("SALAIRE ２０２４") == fold("salaire 2024")
    assert fold("CB\u00a0CAFE\u202fX") == fold("CB CAFE X")
    # what the fold did before stays: accents and their mojibake, case, spaces
    assert fold("Café") == fold("CAFÉ ") == fold("CafÃ©") == "caf"
    # a mojibake symbol that NFKC would spell out as letters ("™" -> "TM") stays out:
    # "Où" read as Windows-1252 is "OÃ¹", "Ù" is "Ã™"
    assert fold("OÙ") == fold("OÃ™") == fold("où") == fold("OÃ¹") == "o"
    # other scripts are kept
    assert fold("Ｍосква") == fold("Mосква") != fold("M")


def test_the_plain_re_export_of_a_full_width_statement_adds_nothing(tmp_path, store):
    wide, plain = tmp_path / "wide.csv", tmp_path / "plain.csv"
    wide.write_bytes(csv(WIDE))
    plain.write_bytes(csv(PLAIN))
    assert import_file(store, InputFile.from_path(wide), "me").counts.rows_inserted == 5
    again = import_file(store, InputFile.from_path(plain), "me")
    assert again.status == "imported", again.error
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 5)


# --- stores made before migration 005 --------------------------------------------------

# the fold of content hashes between migrations 004 and 005 (git history of store/writer.py)
OLD_FOLD = ("lower(regexp_replace(nfc_normalize(CAST({} AS VARCHAR)),"
            " '[^\\p{{L}}\\p{{N}}]|[\\x{{0080}}-\\x{{02FF}}]', '', 'g'))")
OLD_HASH = "md5(concat_ws(chr(31), {}))".format(", ".join(
    f"coalesce({OLD_FOLD.format(c) if c in ('label', 'counterparty', 'bank_category') else f'CAST({c} AS VARCHAR)'}, chr(0))"  # noqa: E501
    for c in ("account_id", "booked_on", "value_on", "amount", "currency", "label",
              "counterparty", "bank_category")))


def _make_old(path) -> None:
    """Turn a store into one the code before 005 made: its content hashes, 005 not done."""
    with open_store(path) as store:
        store.run(f"""
            CREATE TEMP TABLE _old AS SELECT person_id, uid,
                {OLD_HASH} || ':' || row_number() OVER (PARTITION BY person_id, {OLD_HASH})
                    AS old_uid
            FROM transactions WHERE regexp_full_match(uid, '[0-9a-f]{{32}}:[0-9]+')""")
        store.run("UPDATE transactions SET uid = 'x' || _old.old_uid FROM _old"
                  " WHERE transactions.uid = _old.uid")
        store.run("UPDATE transactions SET uid = substr(uid, 2) WHERE uid LIKE 'x%'")
        store.run("DELETE FROM schema_migrations WHERE version = 5")


def _old_store_with_the_wide_export(tmp_path):
    path, wide = tmp_path / "store.duckdb", tmp_path / "wide.csv"
    wide.write_bytes(csv(WIDE))
    with open_store(path) as store:
        assert import_file(store, InputFile.from_path(wide), "me").counts.rows_inserted == 5
        new_uids = store.run("SELECT uid FROM transactions ORDER BY uid")
    _make_old(path)
    with duckdb.connect(str(path)) as con:  # the old hashes differ from the new ones
        assert con.execute("SELECT uid FROM transactions ORDER BY uid").fetchall() != new_uids
    plain = tmp_path / "plain.csv"
    plain.write_bytes(csv(PLAIN))
    return path, plain


def test_an_old_store_migrated_then_the_plain_re_export_adds_nothing(tmp_path):
    path, plain = _old_store_with_the_wide_export(tmp_path)
    with open_store(path) as store:
        assert store.run("SELECT max(version) FROM schema_migrations") == [(5,)]
        report = import_file(store, InputFile.from_path(plain), "me")
        assert report.status == "imported", report.error
        assert (report.counts.rows_inserted, report.counts.rows_duplicate) == (0, 5)
        assert store.run("SELECT count(*) FROM transactions") == [(5,)]


def test_without_the_migration_the_old_store_would_duplicate(tmp_path):
    """The check above can fail: unmigrated hashes take the re-export's rows again."""
    path, plain = _old_store_with_the_wide_export(tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (5, 'skipped')")
    with open_store(path) as store:
        counts = import_file(store, InputFile.from_path(plain), "me").counts
        # every row with full-width letters or a ligature again; odd spaces were folded by 004
        assert (counts.rows_inserted, counts.rows_duplicate) == (4, 1)


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "s.duckdb") as s:
        yield s


def test_two_connections_to_one_file_in_one_process_both_fold(tmp_path):
    """A batch worker's kernel reopens the store its process already has open: the second
    registration finds the function in the shared catalog instead of failing."""
    import duckdb

    from selfdata_kit.store import fold

    path = str(tmp_path / "s.duckdb")
    first = duckdb.connect(path)
    fold.register(first)
    second = duckdb.connect(path)
    fold.register(second)
    first.close()
    assert second.execute("SELECT nfkc_normalize('ＣＡＲＴＥ ﬁ')").fetchone()[0] == "CARTE fi"
    second.close()
