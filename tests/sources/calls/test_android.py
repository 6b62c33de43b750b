"""Android "SMS Backup & Restore" calls and SMS/MMS backups."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdata_kit.enrich.contacts import contact_key
from selfdata_kit.errors import FormatError, RejectedRowsError, UnsafeInputError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.calls import android_backup
from tests.conftest import conformance, table_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"

CALLS = FIXTURES / "android_calls.xml"
LATER = FIXTURES / "android_calls_later.xml"
SMS = FIXTURES / "android_sms.xml"
BAD = FIXTURES / "android_calls_bad.xml"


def _import(store, path: Path | InputFile, **options):
    inp = path if isinstance(path, InputFile) else InputFile.from_path(path)
    return import_file(store, inp, "p", **options)


def _calls(store) -> list[tuple]:
    return store.run(
        "SELECT c.started_at, c.duration_s, c.direction, c.channel, k.pseudonym"
        " FROM calls c LEFT JOIN contacts k USING (person_id, contact_id)"
        " ORDER BY c.started_at")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_conformance_one_incoming_call(store):
    report = _import(store, conformance("calls/android_sms_backup_restore_calls.xml"))
    assert report.status == "imported", report.error
    assert report.source.name == "android-backup"
    assert _calls(store) == [(utc(2021, 1, 3), 125, "in", "voice", "Contact 1")]


def test_calls_every_type_code_and_withheld_number(store):
    report = _import(store, CALLS)
    assert report.counts.rows_read == 8 and report.counts.rows_inserted == 8
    assert _calls(store) == [
        (utc(2021, 1, 3, 0, 0, 0), 125, "in", "voice", "Contact 1"),  # type 1
        (utc(2021, 1, 4, 9, 15, 30), 42, "out", "voice", "Contact 1"),  # type 2
        (utc(2021, 1, 5, 18, 2, 10), 0, "missed", "voice", "Contact 2"),  # type 3
        (utc(2021, 1, 6, 7, 40, 0), 31, "voicemail", "voice", "Contact 2"),  # type 4
        (utc(2021, 1, 8, 12, 30, 45), 0, "rejected", "voice", "Contact 3"),  # type 5
        (utc(2021, 1, 9, 20, 5, 0), 0, "blocked", "voice", "Contact 3"),  # type 6
        (utc(2021, 1, 10, 22, 47, 13), 0, "missed", "voice", None),  # number "-2", withheld
        (utc(2021, 1, 12, 16, 20, 0), 300, "in", "voice", "Contact 1"),  # 0033 form
    ]
    assert store.run("SELECT sum(duration_s), count(DISTINCT contact_id) FROM calls") == [
        (498, 3)]
    # "06 12 34 56 78", "+33 6 12 34 56 78" and "0033612345678" are one person
    ctx = ParseContext("p", hmac_key=store.hmac_key)
    marie = contact_key("+33612345678", ctx)
    assert store.run("SELECT contact_id, number_hmac FROM contacts WHERE pseudonym = 'Contact 1'"
                     ) == [marie]


def test_reimport_adds_nothing(store):
    _import(store, CALLS)
    before = table_rows(store)
    again = _import(store, CALLS)
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 8)
    after = table_rows(store)
    assert {t: r for t, r in after.items() if t != "imports"} == {
        t: r for t, r in before.items() if t != "imports"}


def test_overlapping_backup_adds_each_call_once(store):
    _import(store, CALLS)
    later = _import(store, LATER)
    # half the first backup again (one number written differently) + two new calls
    assert (later.counts.rows_read, later.counts.rows_inserted, later.counts.rows_duplicate) == (
        6, 2, 4)
    rows = _calls(store)
    assert len(rows) == 10
    assert rows[-2:] == [
        (utc(2021, 1, 15, 8), 64, "out", "voice", "Contact 4"),  # a new person
        (utc(2021, 1, 16, 19, 30), 17, "in", "voice", "Contact 1"),  # the same person as before
    ]
    assert store.run("SELECT count(*) FROM contacts") == [(4,)]


def test_sms_received_sent_draft_and_mms(store):
    _import(store, CALLS)
    report = _import(store, SMS)
    assert (report.counts.rows_read, report.counts.rows_inserted) == (6, 5)  # the draft skipped
    sms = store.run(
        "SELECT c.started_at, c.duration_s, c.direction, k.pseudonym FROM calls c"
        " JOIN contacts k USING (person_id, contact_id) WHERE channel = 'sms'"
        " ORDER BY started_at")
    assert sms == [
        (utc(2021, 1, 4, 17, 2, 11), None, "in", "Contact 1"),  # same person as the calls
        (utc(2021, 1, 4, 17, 5, 40), None, "out", "Contact 1"),
        (utc(2021, 1, 5, 6, 58, 2), None, "in", "Contact 4"),  # short code 36179
        (utc(2021, 1, 7, 10, 11, 12), None, "in", "Contact 5"),  # sender AMAZON
        (utc(2021, 1, 9, 14, 33, 20), None, "in", "Contact 3"),  # MMS from addr type 137
    ]
    assert not store.run("SELECT 1 FROM calls WHERE started_at = ?", [utc(2021, 1, 7, 10, 20)])


def test_sent_mms_goes_to_its_recipient(store):
    xml = (b'<?xml version="1.0" encoding="UTF-8"?>\n<smses count="1">\n'
           b'<mms date="1610202800000" msg_box="2" address="+33639984567~+33199001234"'
           b' contact_name="Paul Bernard, Jean Martin"><parts><part seq="0" ct="text/plain"'
           b' text="hello" /></parts><addrs>'
           b'<addr address="insert-address-token" type="137" charset="106" />'
           b'<addr address="+33199001234" type="151" charset="106" />'
           b'<addr address="+33639984567" type="151" charset="106" /></addrs></mms>\n</smses>\n')
    parsed = android_backup.parse(InputFile.from_bytes("sms-mms.xml", xml),
                                  ParseContext("p", hmac_key=b"k" * 32))
    calls = parsed.tables["calls"]
    assert list(calls["direction"]) == ["out"]
    assert list(calls["contact_id"]) == [
        contact_key("+33199001234", ParseContext("p", hmac_key=b"k" * 32))[0]]


def test_bad_rows_name_their_line(store):
    report = _import(store, BAD)
    assert isinstance(report.error, RejectedRowsError)
    assert report.error.line == 4
    assert "expected a date in epoch milliseconds in attribute date" in report.error.message
    assert store.run("SELECT count(*) FROM calls") == [(0,)]
    report = _import(store, BAD, skip_bad_rows=True)
    assert report.counts.rows_inserted == 1
    issues = store.run("SELECT line, message FROM import_issues ORDER BY line")
    assert issues == [
        (4, "expected a date in epoch milliseconds in attribute date"),
        (5, "expected a call type 1-7 in attribute type"),
        (6, "expected a duration in seconds in attribute duration"),
    ]


def test_entities_are_refused(store):
    xml = (b'<?xml version="1.0"?>\n<!DOCTYPE calls [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
           b'<calls count="1"><call number="&b;" duration="1" date="1609632000000" type="1"/>'
           b'</calls>\n')
    inp = InputFile.from_bytes("calls-evil.xml", xml)
    assert detect_source(inp).name == "android-backup"
    report = import_file(store, inp, "p")
    assert isinstance(report.error, UnsafeInputError)
    assert store.run("SELECT count(*) FROM calls") == [(0,)]


def test_truncated_backup_is_a_format_error(store):
    data = CALLS.read_bytes()
    inp = InputFile.from_bytes("calls-cut.xml", data[: data.index(b"<call ", 1200) + 40])
    with pytest.raises(FormatError) as err:
        android_backup.parse(inp, ParseContext("p", hmac_key=b"k" * 32))
    assert "not well-formed" in err.value.message and err.value.line is not None


def test_huge_mms_part_is_streamed():
    # MMS videos are base64 attributes over libxml2's default 10 MB limit
    part = b"A" * (11 << 20)
    xml = (b'<?xml version="1.0"?>\n<smses count="2"><mms date="1610202800000" msg_box="1"'
           b' address="+33639984567"><parts><part ct="video/mp4" data="' + part + b'"/></parts>'
           b'</mms><sms address="36179" date="1609829882000" type="1" body="x"/></smses>')
    parsed = android_backup.parse(InputFile.from_bytes("sms-big.xml", xml),
                                  ParseContext("p", hmac_key=b"k" * 32))
    assert len(parsed.tables["calls"]) == 2 and not parsed.errors


@pytest.mark.parametrize("head,claimed", [
    (b'<?xml version="1.0"?>\n<calls count="0" />', True),
    (b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
     b"<!--File Created By SMS Backup & Restore v10.18.002-->\n"
     b'<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n<smses count="0"></smses>', True),
    (b'<?xml version="1.0"?>\n<OFX><calls/></OFX>', False),
    (b'<?xml version="1.0"?>\n<callsign>x</callsign>', False),
    (b"<html><body>calls</body></html>", False),
])
def test_detect(head: bytes, claimed: bool):
    assert android_backup.detect(InputFile.from_bytes("backup.xml", head)) is claimed


def test_empty_backup_has_no_rows(store):
    report = _import(store, InputFile.from_bytes("calls-empty.xml",
                                                 b'<?xml version="1.0"?>\n<calls count="0"/>'))
    assert report.status == "imported" and report.counts.rows_inserted == 0
