"""Phone numbers are pseudonymised: normalised, keyed-hashed, never stored in clear."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from selfdata_kit.enrich.contacts import contact_key, contacts_frame, identity
from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import TESTS, conformance

CALLS = TESTS / "sources" / "calls" / "fixtures"
CTX = ParseContext("p", hmac_key=b"k" * 32)

# Everything personal in the fixtures: numbers (national significant digits and E.164) ...
NUMBERS = ["+33612345678", "612345678", "+33199001234", "199001234", "+33639984567",
           "639984567", "+33199005678", "199005678", "+33698765432", "698765432",
           "+15551234567", "5551234567"]
# ... names from the exports, message bodies, MMS text, voicemail transcript, senders.
NAMES = ["Marie Dupont", "Jean Martin", "Paul Bernard", "Luc Petit", "Alice Smith", "Dupont"]
CONTENT = ["quelle heure", "je t'appelle", "482913", "colis", "Brouillon", "Carnac", "IMG_0042",
           "/9j/4AAQ", "Vannes", "dix heures", "samedi", "dentiste", "Coucou", "AMAZON"]


@pytest.mark.parametrize("raw", [
    "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "0033612345678",
    "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33(0)612345678", "06.12.34.56.78",
    "06-12-34-56-78",
])
def test_french_forms_are_one_number(raw: str):
    assert identity(raw) == "+33612345678"
    assert contact_key(raw, CTX) == contact_key("+33612345678", CTX)


def test_region_reads_national_numbers():
    assert identity("020 7946 0958", "GB") == "+442079460958"
    assert identity("+33612345678", "GB") == "+33612345678"


@pytest.mark.parametrize("raw,kept", [
    ("36179", "36179"), ("3631", "3631"), ("112", "112"), ("AMAZON", "AMAZON"),
    ("amazon", "AMAZON"), ("Free Mobile", "FREEMOBILE"), ("SNCF", "SNCF"),
])
def test_short_codes_and_senders_are_their_own_identity(raw: str, kept: str):
    assert identity(raw) == kept


@pytest.mark.parametrize("raw", ["-1", "-2", "-3", "", "   ", "null", "Unknown", "private",
                                 "PRIVATE", "anonymous", "Anonymous", None])
def test_withheld_numbers_have_no_contact(raw: str | None):
    assert contact_key(raw, CTX) is None


def test_key_is_a_keyed_hash():
    contact_id, number_hmac = contact_key("06 12 34 56 78", CTX)
    assert re.fullmatch(r"[0-9a-f]{64}", number_hmac) and contact_id == number_hmac[:16]
    assert "612345678" not in number_hmac
    other_store = ParseContext("p", hmac_key=b"x" * 32)
    assert contact_key("06 12 34 56 78", other_store)[1] != number_hmac
    assert contact_key("36179", CTX) != contact_key("+3336179", CTX)
    with pytest.raises(ValueError, match="hmac_key"):
        contact_key("0612345678", ParseContext("p"))


def test_contacts_frame_labels_only_when_asked():
    pairs = [("06 12 34 56 78", "Marie Dupont"), ("+33612345678", "Marie"), ("-2", "Hidden"),
             ("AMAZON", "(Unknown)"), ("+33639984567", "+33639984567")]
    plain = contacts_frame(pairs, CTX)
    assert list(plain.columns) == ["contact_id", "number_hmac", "label"]
    assert len(plain) == 3 and plain["label"].isna().all()
    named = contacts_frame(pairs, ParseContext("p", keep_names=True, hmac_key=b"k" * 32))
    # the first name seen; "(Unknown)" and a number written as a name are not names
    assert [None if pd.isna(x) else x for x in named["label"]] == ["Marie Dupont", None, None]


def _import_everything(store, **options) -> None:
    for path in ["android_calls.xml", "android_sms.xml", "android_calls_later.xml", "voice"]:
        for report in import_paths(store, [CALLS / path], "p", **options):
            assert report.ok, report.error
    report = import_file(store, InputFile.from_path(
        conformance("calls/android_sms_backup_restore_calls.xml")), "p", **options)
    assert report.ok, report.error
    bad = import_file(store, InputFile.from_path(CALLS / "android_calls_bad.xml"), "p",
                      skip_bad_rows=True, **options)
    assert bad.counts.rows_rejected == 3  # their messages land in import_issues


def _text_cells(store) -> list[tuple[str, str, str, str]]:
    """(table, column, value, source) for every VARCHAR / BLOB cell of every table."""
    columns = store.run(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_catalog = current_database()"
        " AND (data_type = 'VARCHAR' OR data_type = 'BLOB') ORDER BY table_name, column_name")
    assert ("contacts", "label") in columns and ("imports", "path") in columns
    cells = []
    for table, column in columns:
        source = "source" if table == "imports" else "NULL"
        for value, src in store.run(f'SELECT CAST("{column}" AS VARCHAR), {source}'
                                    f' FROM "{table}" WHERE "{column}" IS NOT NULL'):
            cells.append((table, column, value, src))
    return cells


def test_no_clear_number_name_or_body_anywhere_in_the_store(store):
    _import_everything(store)
    cells = _text_cells(store)
    assert len(cells) > 100
    leaks = []
    for table, column, value, _source in cells:
        leaks += [(table, column, needle) for needle in NUMBERS + NAMES + CONTENT
                  if needle.lower() in value.lower()]
    assert leaks == []
    # Takeout names Voice pages after the number or the contact: the log keeps a hash
    voice_paths = [v for t, c, v, s in cells if (t, c, s) == ("imports", "path", "google-voice")]
    assert len(voice_paths) == 5
    assert all(re.fullmatch(r".*/Voice/Calls/[0-9a-f]{16}\.html", v) for v in voice_paths)


def test_keep_names_stores_names_as_labels_only(store):
    _import_everything(store, keep_names=True)
    labels = store.run("SELECT pseudonym, label FROM contacts ORDER BY contact_id")
    assert sorted(label for _, label in labels if label) == [
        "Alice Smith", "Jean Martin", "Luc Petit", "Marie Dupont", "Paul Bernard"]
    # names appear in contacts.label and nowhere else; numbers still nowhere
    for table, column, value, _ in _text_cells(store):
        if (table, column) == ("contacts", "label"):
            continue
        assert not any(n.lower() in value.lower() for n in NAMES), (table, column)
        if (table, column) != ("imports", "path"):
            assert not any(n in value for n in NUMBERS), (table, column)


def test_pseudonyms_stable_across_reimports_and_files(store):
    import_file(store, InputFile.from_path(CALLS / "android_calls.xml"), "p")
    first = store.run("SELECT contact_id, pseudonym FROM contacts ORDER BY pseudonym")
    assert [p for _, p in first] == ["Contact 1", "Contact 2", "Contact 3"]
    import_file(store, InputFile.from_path(CALLS / "android_calls.xml"), "p")
    import_file(store, InputFile.from_path(CALLS / "android_sms.xml"), "p")
    import_file(store, InputFile.from_path(CALLS / "android_calls_later.xml"), "p")
    after = store.run("SELECT contact_id, pseudonym FROM contacts ORDER BY pseudonym")
    assert [row for row in after if row in first] == first  # old contacts keep their names
    assert sorted(p for _, p in after) == sorted(f"Contact {n}" for n in range(1, 7))
    # another person's contacts are numbered from 1 again, with the same keyed hash
    import_file(store, InputFile.from_path(CALLS / "android_sms.xml"), "q")
    q = store.run("SELECT contact_id, pseudonym FROM contacts WHERE person_id = 'q'"
                  " ORDER BY pseudonym")
    assert [p for _, p in q] == ["Contact 1", "Contact 2", "Contact 3", "Contact 4"]
