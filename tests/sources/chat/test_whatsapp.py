"""WhatsApp "Export chat": Android and iOS lines, day/month order, clocks, directions, and
no sender name or message text in the store file."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources.base import InputFile
from tests.conftest import conformance

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ANDROID = FIXTURES / "WhatsApp Chat with Alice Martin.txt"
IOS = FIXTURES / "_chat.txt"
DOTS = FIXTURES / "WhatsApp Chat with +33 6 39 98 12 34.txt"
ZIP = FIXTURES / "WhatsApp Chat with Alice Martin.zip"
NAMES = ("Alice", "Martin", "Camille", "Durand", "Papa", "Maman", "Famille", "39 98")
TEXTS = ("coming tomorrow", "bring the cake", "candles", "Happy new year", "Dîner",
         "dessert", "pain", "Bonne nuit", "toi aussi", "Media omitted", "image omitted",
         "end-to-end")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _chats(store) -> list[tuple]:
    return store.run(
        "SELECT c.started_at, c.direction, k.pseudonym FROM calls c"
        " LEFT JOIN contacts k USING (person_id, contact_id)"
        " WHERE channel = 'chat' AND duration_s = 0 ORDER BY c.started_at")


def test_android_us_locale_twelve_hour_clock_with_me(store):
    report = import_file(store, InputFile.from_path(ANDROID), "p", me="camille durand")
    assert report.status == "imported", report.error
    assert report.source.name == "whatsapp" and report.counts.rows_read == 6
    # 9:41 PM Paris on 30 December is 20:41 UTC; 12:05 AM is five past midnight
    assert _chats(store) == [
        (utc(2023, 12, 30, 20, 41), "in", "Contact 1"),
        (utc(2023, 12, 30, 20, 43), "out", "Contact 1"),  # a 3-line message: one row
        (utc(2023, 12, 30, 22, 58), "in", "Contact 1"),  # <Media omitted> is a message
        (utc(2023, 12, 30, 23, 5), "out", "Contact 1"),
        (utc(2024, 1, 2, 7, 0), "in", "Contact 1"),
    ]


def test_ios_day_first_group_chat(store):
    report = import_file(store, InputFile.from_path(IOS), "p", me="Camille Durand")
    assert report.status == "imported", report.error
    assert _chats(store) == [
        (utc(2024, 1, 5, 17, 1, 10), "out", None),  # to a group: no single contact
        (utc(2024, 1, 5, 17, 2), "in", "Contact 1"),
        (utc(2024, 1, 5, 17, 2, 30), "in", "Contact 2"),  # "image omitted"
        (utc(2024, 1, 13, 8, 15), "in", "Contact 2"),
        (utc(2024, 1, 13, 8, 16), "out", None),  # a deleted message; the missed call is not
    ]


def test_dotted_dates_phone_number_sender_and_dst(store):
    report = import_file(store, InputFile.from_path(DOTS), "p", me="Camille Durand")
    assert report.status == "imported", report.error
    # 02:30 on 31 March 2024 does not exist in Paris (clocks jump to 03:00)
    assert _chats(store) == [(utc(2024, 3, 31, 1, 0), "out", "Contact 1"),
                             (utc(2024, 3, 31, 1, 5), "in", "Contact 1")]


def test_a_sender_saved_as_a_number_is_the_sms_contact(store):
    import_file(store, InputFile.from_path(DOTS), "p", me="Camille Durand")
    from selfdata_kit.enrich.contacts import contact_key
    from selfdata_kit.sources.base import ParseContext

    ctx = ParseContext("p", hmac_key=store.hmac_key)
    assert store.run("SELECT contact_id FROM contacts") == [(contact_key("0639981234", ctx)[0],)]


def test_conformance_three_messages_month_first(store):
    report = import_file(store, InputFile.from_path(
        conformance("chats/whatsapp_android_short.txt")), "p")
    assert report.status == "imported", report.error
    rows = _chats(store)
    assert [r[0] for r in rows] == [utc(2017, 6, 2, 22, 45), utc(2017, 8, 4, 23, 48),
                                    utc(2017, 9, 3, 23, 50)]
    assert {r[2] for r in rows} == {"Contact 1", "Contact 2", "Contact 3"}
    assert {r[1] for r in rows} == {"unknown"}  # one chat and no --me: nobody is "me" yet


def test_without_me_the_sender_in_every_chat_is_the_person(store, tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    for f in (ANDROID, IOS, DOTS):
        shutil.copy(f, folder / f.name)
    reports = import_paths(store, [folder], "p")
    assert [r.status for r in reports] == ["imported"] * 3
    directions = dict(store.run("SELECT direction, count(*) FROM calls GROUP BY ALL"))
    assert directions == {"out": 5, "in": 7}
    # Camille's messages to Alice have Alice as contact; those to the group have none
    assert store.run("SELECT count(*) FROM calls WHERE direction = 'out'"
                     " AND contact_id IS NULL") == [(2,)]
    # importing again with --me finds the same rows
    again = import_file(store, InputFile.from_path(ANDROID), "p", me="Camille Durand")
    assert again.counts.rows_inserted == 0


def test_the_zip_export_chat_writes(store):
    reports = import_paths(store, [ZIP], "p", me="Camille Durand")
    assert sorted(r.status for r in reports) == ["imported", "skipped"]  # the photo: skipped
    assert len(_chats(store)) == 5


def test_the_store_file_holds_no_sender_name_and_no_message_text(store, tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    for f in (ANDROID, IOS, DOTS, ZIP):
        shutil.copy(f, folder / f.name)
    reports = import_paths(store, [folder], "p")
    assert all(r.ok for r in reports)
    path = store.path
    store.close()
    raw = path.read_bytes() + (Path(f"{path}.wal").read_bytes()
                               if Path(f"{path}.wal").exists() else b"")
    for secret in (*NAMES, *TEXTS):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, secret


def test_keep_names_keeps_senders_names_only(store):
    import_file(store, InputFile.from_path(ANDROID), "p", me="Camille Durand", keep_names=True)
    assert store.run("SELECT label FROM contacts") == [("Alice Martin",)]


@pytest.mark.parametrize("text, expected", [
    # iOS, US locale: month first, 12-hour clock with seconds, a no-break space before PM
    ("[1/2/24, 9:41:05\u00a0PM] Bob: hi\n[1/13/24, 12:00:00\u202fAM] Ann: yo\n",
     [utc(2024, 1, 2, 20, 41, 5), utc(2024, 1, 12, 23, 0)]),
    # Spanish-style "p. m." and 2-digit years, day first (13/01 tells)
    ("2/1/24, 9:41 p.\u00a0m. - Bob: hola\n13/1/24, 8:05 a.\u00a0m. - Ann: buenas\n",
     [utc(2024, 1, 2, 20, 41), utc(2024, 1, 13, 7, 5)]),
    # year first (Swedish, Chinese locales), 24-hour clock
    ("2024-07-14 21:41 - Bob: hej\n2024-07-15 08:00 - Ann: god morgon\n",
     [utc(2024, 7, 14, 19, 41), utc(2024, 7, 15, 6, 0)]),
])
def test_other_locales(store, text, expected):
    report = import_file(store, InputFile.from_bytes("chat.txt", text.encode("utf-8")), "p")
    assert report.status == "imported", report.error
    assert [r[0] for r in _chats(store)] == expected


def test_a_file_with_no_message_line_is_not_claimed():
    from selfdata_kit.sources.chat import whatsapp

    assert not whatsapp.detect(InputFile.from_bytes("x.txt", b"hello\n12/31/23 nothing\n"))
