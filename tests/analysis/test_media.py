"""The music and screens analyses on small exports whose answers are known, and the chat
sections of the calls report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.analysis import calls, media
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports.notebook import Report, topic
from tests.conftest import ROOT

MEDIA = ROOT / "tests" / "sources" / "media" / "fixtures"
CHATS = ROOT / "tests" / "sources" / "chat" / "fixtures"


def _store_with(store, *paths: Path, **options):
    reports = import_paths(store, list(paths), "p", **options)
    assert all(r.ok for r in reports), [r.error for r in reports]
    return make_scope(store.con, "p")


def test_hours_leave_out_the_title_list_but_weekdays_keep_it(store):
    scope = _store_with(store, MEDIA / "NetflixViewingHistory_fr.csv",
                        MEDIA / "ViewingActivity.csv")
    grid = media.hour_weekday(store.con, scope)
    assert len(grid) == 168 and set(grid["activity"]) == {"watching"}
    assert grid["count"].sum() == 2  # the two timed viewings only
    days = media.weekdays(store.con, scope)
    assert days["count"].sum() == 5


def test_skips_binges_and_rankings(store, tmp_path):
    # 3 episodes of one series on one day (a binge) and a film; 2 plays, one skipped
    csv = tmp_path / "ViewingActivity.csv"
    rows = ["Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,"
            "Device Type,Bookmark,Latest Bookmark,Country"]
    for i, hour in enumerate((19, 20, 21), 1):
        rows.append(f"X,2024-05-04 {hour}:00:00,00:40:00,,Dark: Season 1: Episode {i},,TV,"
                    "00:40:00,00:40:00,FR")
    rows.append("X,2024-05-05 19:00:00,01:30:00,,Amélie,,TV,01:30:00,01:30:00,FR")
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    scope = _store_with(store, csv, MEDIA / "StreamingHistory0.json")
    binges = media.binge_sessions(store.con, scope)
    assert binges[["series", "episodes", "total"]].values.tolist() == [["Dark", 3, 1]]
    assert binges["day"].iloc[0] == pd.Timestamp("2024-05-04")
    skipped = media.skipped_tracks(store.con, scope)
    assert skipped[["started", "skipped"]].values.tolist() == [[3, 2]]  # 12 s and 0 s
    assert media.top_artists(store.con, scope)[["artist", "plays"]].values.tolist() == [
        ["Daft Punk", 1]]
    f = media.figures(store.con, scope)
    assert f["top_series"] == "Dark" and f["binge_days"] == 1
    assert f["watching_hours"] == pytest.approx(3.5)
    assert f["late_share"] == pytest.approx(1 / 7)  # the 21:00 UTC episode is 23:00 in Paris


def test_a_person_without_media_gets_zeros_and_a_kind_report(store):
    store.ensure_person("nobody")
    scope = make_scope(store.con, "nobody")
    assert media.figures(store.con, scope)["plays"] == 0
    report = Report(store.con, scope, "en", False, topic("media"))
    assert not report.has_data


def test_chat_sections_and_who_writes_first(store):
    scope = _store_with(store, CHATS / "WhatsApp Chat with Alice Martin.txt", me="Camille Durand")
    by_contact = calls.chats_by_contact(store.con, scope)
    assert by_contact[["pseudonym", "received", "sent", "messages"]].values.tolist() == [
        ["Contact 1", 3, 2, 5]]
    # conversations: 20:41 (Alice), 22:58 is 2 h later (same), 2 January (Alice again)
    first = calls.who_writes_first(store.con, scope)
    assert first[["conversations", "you_first", "them_first"]].values.tolist() == [[2, 0, 2]]
    # chats stay out of the phone sections
    assert calls.overview(store.con, scope).empty
    assert calls.figures(store.con, scope)["chats_count"] == 5


def test_chat_sections_show_nothing_without_chats(store):
    from selfdata_kit.reports import calls as calls_report

    scope = _store_with(store, ROOT / "tests" / "sources" / "calls" / "fixtures"
                        / "android_calls.xml")
    assert calls.chats_by_contact(store.con, scope).empty
    assert all(calls_report.TOPIC.sections[s].optional
               for s in ("chats_by_contact", "chats_hour_weekday", "who_writes_first"))
    assert "chats_per_week" not in dict(calls_report.key_figures(store.con, scope, "en"))


