"""Google Voice call and text pages from Google Takeout."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.enrich.contacts import contact_key
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.calls import google_voice
from selfdata_kit.sources.calls.google_voice import iso_duration_seconds

FIXTURES = Path(__file__).resolve().parent / "fixtures"

VOICE = FIXTURES / "voice"
CTX = ParseContext("p", hmac_key=b"k" * 32)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _ids(calls: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(x) else x for x in calls["contact_id"]]


def _page(body: str, title: str = "") -> bytes:
    return ('<?xml version="1.0" ?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
            ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html'
            ' xmlns="http://www.w3.org/1999/xhtml"><head><title>' + title + '</title></head>\n'
            '<body>' + body + '</body></html>').encode()


def _msg(when: str, number: str, me: bool = False) -> str:
    fn = '<abbr class="fn" title="">Me</abbr>' if me else '<span class="fn">Someone</span>'
    return (f'<div class="message"><abbr class="dt" title="{when}">x</abbr>:\n<cite class="sender'
            f' vcard"><a class="tel" href="tel:{number}">{fn}</a></cite>:\n<q>hi</q>\n</div>')


def test_folder_is_one_call_log(store):
    reports = import_paths(store, [VOICE], "p")
    assert sorted((r.status, r.source.name if r.source else None) for r in reports) == [
        ("imported", "google-voice")] * 5 + [("skipped", None)]  # the voicemail's .mp3
    rows = store.run(
        "SELECT c.started_at, c.duration_s, c.direction, c.channel, k.pseudonym"
        " FROM calls c JOIN contacts k USING (person_id, contact_id) ORDER BY started_at")
    # files are imported in name order: +331..., +336123..., +336399...: pseudonyms follow
    assert rows == [
        (utc(2021, 1, 3, 10), 83, "in", "voice", "Contact 2"),  # PT1M23S
        (utc(2021, 1, 4, 8, 30), 3724, "out", "voice", "Contact 1"),  # PT1H2M3.6S
        (utc(2021, 1, 5, 18, 15), 0, "missed", "voice", "Contact 3"),  # no duration element
        (utc(2021, 1, 6, 7, 45), 28, "voicemail", "voice", "Contact 2"),
        (utc(2021, 1, 7, 12, 0, 0, 412000), None, "in", "sms", "Contact 3"),
        (utc(2021, 1, 7, 12, 2, 15, 908000), None, "out", "sms", "Contact 3"),  # from "Me"
        (utc(2021, 1, 7, 12, 3, 1, 377000), None, "in", "sms", "Contact 3"),
    ]
    assert store.run("SELECT count(*) FROM contacts") == [(3,)]
    marie = contact_key("+33612345678", ParseContext("p", hmac_key=store.hmac_key))
    assert store.run("SELECT contact_id, number_hmac FROM contacts WHERE pseudonym = 'Contact 2'"
                     ) == [marie]


def test_reimport_adds_nothing(store):
    import_paths(store, [VOICE], "p")
    again = import_paths(store, [VOICE], "p")
    assert sum(r.counts.rows_inserted for r in again if r.counts) == 0
    assert sum(r.counts.rows_duplicate for r in again if r.counts) == 7
    assert store.run("SELECT count(*) FROM calls") == [(7,)]


@pytest.mark.parametrize("text,seconds", [
    ("PT1M23S", 83), ("PT1H2M3.6S", 3724), ("PT0S", 0), ("PT4S", 4), ("PT1,5M", 90),
    ("P1DT2S", 86402), ("PT2H", 7200), ("pt28s", 28),
])
def test_iso_duration(text: str, seconds: int):
    assert iso_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "1M23S", "PTxS", "PT1M23", "00:01:23"])
def test_iso_duration_rejects(text: str):
    assert iso_duration_seconds(text) is None


def test_withheld_number_has_no_contact():
    body = ('<div class="haudio"><div class="contributor vcard">Placed call to\n<a class="tel"'
            ' href="tel:"><span class="fn"></span></a></div><abbr class="published"'
            ' title="2013-07-29T13:56:11.000-07:00">x</abbr><br /><abbr class="duration"'
            ' title="PT2S">(00:00:02)</abbr></div>')
    inp = InputFile.from_bytes(" - Placed - 2013-07-29T20_56_11Z.html", _page(body))
    assert google_voice.detect(inp)
    parsed = google_voice.parse(inp, CTX)
    row = parsed.tables["calls"].iloc[0]
    assert (row["direction"], row["duration_s"], row["started_at"]) == (
        "out", 2, utc(2013, 7, 29, 20, 56, 11))
    assert pd.isna(row["contact_id"]) and len(parsed.tables["contacts"]) == 0


def test_direction_from_title_when_the_file_was_renamed():
    body = ('<div class="haudio"><div class="contributor vcard">Missed call from\n<a class="tel"'
            ' href="tel:+33639984567"><span class="fn"></span></a></div><abbr class="published"'
            ' title="2021-01-05T19:15:00.000+01:00">x</abbr></div>')
    inp = InputFile.from_bytes("call.html", _page(body, "Missed call from\n"))
    assert google_voice.detect(inp)
    calls = google_voice.parse(inp, CTX).tables["calls"]
    assert list(calls["direction"]) == ["missed"]
    assert _ids(calls) == [contact_key("+33639984567", CTX)[0]]


def test_group_conversation_out_messages_have_no_single_contact():
    body = ('<div class="hChatLog hfeed"><div class="participants">Group conversation with:\n'
            '<cite class="sender vcard"><a class="tel" href="tel:+33639984567"><span class="fn">'
            'P</span></a></cite>, <cite class="sender vcard"><a class="tel"'
            ' href="tel:+33199001234"><span class="fn">J</span></a></cite></div>'
            + _msg("2021-12-20T14:35:28.355-08:00", "+33639984567")
            + _msg("2021-12-20T14:36:00.000-08:00", "+33698765432", me=True) + '</div>')
    inp = InputFile.from_bytes("Group Conversation - 2021-12-20T22_35_28Z.html", _page(body))
    assert google_voice.detect(inp)
    calls = google_voice.parse(inp, CTX).tables["calls"]
    assert list(calls["direction"]) == ["in", "out"]
    assert _ids(calls) == [contact_key("+33639984567", CTX)[0], None]


def test_texts_only_from_me_take_the_number_in_the_file_name():
    body = ('<div class="hChatLog hfeed">' + _msg("2021-01-21T17:33:43.242-08:00",
                                                   "+33698765432", me=True) + '</div>')
    inp = InputFile.from_bytes("+33639984567 - Text - 2021-01-22T01_33_43Z.html", _page(body))
    calls = google_voice.parse(inp, CTX).tables["calls"]
    assert list(calls["direction"]) == ["out"]
    assert _ids(calls) == [contact_key("+33639984567", CTX)[0]]


def test_bad_time_is_a_row_error_with_its_line():
    body = ('<div class="haudio">\n<div class="contributor vcard"><a class="tel"'
            ' href="tel:+33639984567"></a></div>\n<abbr class="published"'
            ' title="Jan 5, 2021">x</abbr></div>')
    inp = InputFile.from_bytes("+33639984567 - Received - 2021-01-05T18_15_00Z.html", _page(body))
    parsed = google_voice.parse(inp, CTX)
    assert len(parsed.tables["calls"]) == 0
    assert [(e.line, e.message) for e in parsed.errors] == [
        (5, "expected an ISO time with offset in abbr.published title")]


@pytest.mark.parametrize("name,data,claimed", [
    ("+33612345678 - Received - 2021-01-03T10_00_00Z.html", b"<html></html>", True),
    ("Alan A Milne - Text - 2023-09-29T23_40_59Z.html", b"<html></html>", True),
    ("page.html", b'<html><body><abbr class="published" title="x">', True),
    ("archive_browser.html", b"<html><body>Takeout</body></html>", False),
    ("+33612345678 - Received - 2021-01-03T10_00_00Z.mp3", b"ID3\x03", False),
    ("calls.xml", b'<?xml version="1.0"?><calls count="0"/>', False),
])
def test_detect(name: str, data: bytes, claimed: bool):
    assert google_voice.detect(InputFile.from_bytes(name, data)) is claimed
