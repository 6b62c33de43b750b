"""Spotify, Netflix and YouTube histories: every variant's fixture and its expected rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdata_kit.errors import RejectedRowsError
from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile
from selfdata_kit.sources.media.common import split_series
from tests.conftest import conformance

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def utc(*args: int, us: int = 0) -> datetime:
    return datetime(*args, us, tzinfo=UTC)


def _media(store) -> list[tuple]:
    return store.run("SELECT service, kind, started_at, duration_s, title, creator FROM media"
                     " ORDER BY started_at, title")


def _import(store, name: str | Path):
    path = name if isinstance(name, Path) else FIXTURES / name
    report = import_file(store, InputFile.from_path(path), "p")
    assert report.status == "imported", report.error
    return report


def test_spotify_account_data_music_and_podcasts(store):
    report = _import(store, "StreamingHistory0.json")
    assert report.source.name == "spotify-account" and report.source.kind == "media"
    _import(store, "StreamingHistory_podcast_0.json")
    assert _media(store) == [
        ("spotify", "track", utc(2024, 3, 1, 21, 0), 240, "One More Time", "Daft Punk"),
        ("spotify", "track", utc(2024, 3, 1, 21, 4, 47, us=500000), 12, "Aerodynamic",
         "Daft Punk"),
        ("spotify", "track", utc(2024, 3, 2, 7, 30), 0, "Morning news", "Radio Show"),
        ("spotify", "podcast", utc(2024, 3, 3, 8, 17), 1680, "Voisins", "Les Pieds sur terre"),
    ]


def test_spotify_extended_history_keeps_plays_without_metadata(store):
    report = _import(store, "Streaming_History_Audio_2023-2024_0.json")
    assert report.source.name == "spotify-extended"
    assert report.counts.rows_read == 4 and report.counts.rows_inserted == 4
    rows = _media(store)
    assert rows[1] == ("spotify", "track", utc(2024, 3, 1, 21, 3, 59, us=655000), 12,
                       "Aerodynamic", "Daft Punk")
    assert rows[2] == ("spotify", "podcast", utc(2024, 3, 3, 8, 17, 30), 1680, "Voisins",
                       "Les Pieds sur terre")
    assert rows[3] == ("spotify", "track", utc(2024, 3, 4, 10, 0), 0, None, None)
    raw = store.path.read_bytes()
    assert b"192.0.2.1" not in raw and b"someone" not in raw  # IP and username never stored


def test_spotify_extended_zip_conformance(store):
    reports = import_paths(store, [conformance("media/spotify_extended_streaming_history.zip")],
                           "p")
    assert [r.status for r in reports] == ["imported"]
    assert store.run("SELECT count(*), sum(duration_s) FROM media") == [(5, 2670)]


def test_a_bad_play_names_its_line(store):
    report = import_file(store, InputFile.from_path(FIXTURES / "StreamingHistory_bad.json"), "p")
    assert report.status == "failed" and isinstance(report.error, RejectedRowsError)
    assert report.error.line == 12 and "endTime" in str(report.error)
    assert store.run("SELECT count(*) FROM media") == [(0,)]


def test_netflix_viewing_activity_leaves_trailers_and_hooks_out(store):
    report = _import(store, "ViewingActivity.csv")
    assert report.source.name == "netflix-activity"
    assert report.counts.rows_read == 4
    assert _media(store) == [
        ("netflix", "film", utc(2024, 2, 28, 21, 0), 6723,
         "Le Fabuleux Destin d'Amélie Poulain", None),
        ("netflix", "episode", utc(2024, 3, 1, 20, 15, 2), 2530,
         "Stranger Things: Season 1: Chapter One: The Vanishing of Will Byers (Episode 1)",
         "Stranger Things"),
    ]
    assert b"Camille" not in store.path.read_bytes()  # profile names are not stored


def test_netflix_title_list_conformance_month_first(store):
    _import(store, conformance("media/NetflixViewingHistory.csv"))
    rows = _media(store)
    assert len(rows) == 8  # identical rows are two viewings
    assert ("netflix", "episode", utc(2026, 5, 11, 22, 0), None, "Show A: Season 1: Episode 1",
            "Show A") in rows  # 5/12/26 is 12 May, 00:00 Paris time
    assert rows[0][2] == utc(2010, 6, 3, 22, 0)


def test_netflix_title_list_french_day_first(store):
    _import(store, "NetflixViewingHistory_fr.csv")
    assert _media(store) == [
        ("netflix", "episode", utc(2024, 1, 30, 23, 0), None, "Lupin : Partie 1 : Chapitre 1",
         "Lupin"),
        ("netflix", "episode", utc(2024, 1, 30, 23, 0), None, "Lupin : Partie 1 : Chapitre 2",
         "Lupin"),
        ("netflix", "film", utc(2024, 2, 1, 23, 0), None, "Intouchables", None),
    ]


def test_youtube_watch_history_keeps_removed_videos_and_leaves_ads_out(store):
    report = _import(store, "watch-history.json")
    assert report.source.name == "youtube-history"
    assert report.counts.rows_read == 6
    assert _media(store) == [
        ("youtube", "track", utc(2024, 3, 3, 18, 0), None, "Around the World", "Daft Punk"),
        ("youtube", "video", utc(2024, 3, 4, 12, 0, 0, us=500000), None, None, None),
        ("youtube", "video", utc(2024, 3, 5, 21, 30, 0, us=123000), None, "How DuckDB works",
         "Data Channel"),
    ]


def test_youtube_my_activity_in_french(store):
    _import(store, "MyActivity_fr.json")
    assert _media(store) == [
        ("youtube", "video", utc(2024, 1, 9, 19, 0), None, None, None),
        ("youtube", "video", utc(2024, 1, 10, 19, 0), None, "Recette de la ratatouille",
         "Cuisine Facile"),
    ]


def test_importing_twice_adds_nothing(store):
    _import(store, "ViewingActivity.csv")
    again = _import(store, "ViewingActivity.csv")
    assert again.counts.rows_inserted == 0 and again.counts.rows_duplicate == 2


@pytest.mark.parametrize("title, expected", [
    ("Lupin: Part 2: Chapter 6", ("episode", "Lupin")),
    ("Dark: Season 3: Deja-vu", ("episode", "Dark")),
    ("Chernobyl: Miniseries: 1:23:45", ("episode", "Chernobyl")),
    ("Star Wars: Episode IV", ("film", None)),  # a film's subtitle is not a season
    ("Amélie", ("film", None)),
])
def test_series_are_told_from_films_by_their_title(title, expected):
    assert split_series(title) == expected


def test_each_file_is_claimed_by_one_source():
    for path in FIXTURES.iterdir():
        assert detect_source(InputFile.from_path(path)).kind == "media", path.name
