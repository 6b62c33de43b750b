"""Synthetic listening, viewing and chat exports: they import through the real pipeline, the
report's analyses find the truth the generator wrote, and nothing happens while asleep."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.analysis import calls as calls_analysis
from selfdata_kit.analysis import media
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.store import Store
from selfdata_kit.synth.phone import BODIES
from tests.conftest import SAMPLE_FOLDERS, _truth


def _import(store: Store, folder: Path) -> dict:
    reports = import_paths(store, [folder / "media", folder / "chats"], folder.name)
    assert [r.status for r in reports] == ["imported"] * len(reports)
    assert sum(r.counts.rows_rejected for r in reports) == 0
    return _truth(folder)


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS, ids=[p.name for p in SAMPLE_FOLDERS])
def test_the_report_finds_what_the_generator_wrote(store: Store, folder: Path) -> None:
    truth = _import(store, folder)
    m = truth["media"]
    person = folder.name
    count = lambda where: store.run(  # noqa: E731
        f"SELECT count(*) FROM media WHERE person_id = ? AND {where}", [person])[0][0]
    assert count("service = 'spotify'") == m["spotify_rows"]
    assert count("service = 'netflix'") == m["netflix_viewings"]  # trailers left out
    assert count("service = 'youtube'") == m["youtube_videos"]  # ads left out
    figures = media.figures(store.con, make_scope(store.con, person))
    assert figures["plays"] == m["spotify_plays_counted"]
    assert figures["top_artist"] == m["top_artist"]
    assert figures["top_series"] == m["top_series"]
    assert figures["binge_days"] == m["binge_days"]
    assert figures["skipped_share"] == pytest.approx(
        m["spotify_tracks_skipped"] / m["spotify_tracks"])
    assert figures["listening_hours"] == pytest.approx(m["listening_seconds"] / 3600)
    assert figures["watching_hours"] == pytest.approx(m["watching_seconds"] / 3600)


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS, ids=[p.name for p in SAMPLE_FOLDERS])
def test_nobody_listens_watches_or_chats_while_asleep(store: Store, folder: Path) -> None:
    truth = _import(store, folder)
    wake, bed = truth["media"]["awake_local_hours"]
    # local hours in [bed, wake + 24): hours after midnight count as 24 + h
    asleep = store.run("""
        WITH t AS (SELECT timezone('Europe/Paris', started_at) AS local_at FROM media
                   UNION ALL SELECT timezone('Europe/Paris', started_at) FROM calls
                   WHERE channel = 'chat'),
        h AS (SELECT hour(local_at) + minute(local_at) / 60.0 AS h FROM t)
        SELECT count(*) FROM h
        WHERE CASE WHEN h < ? THEN h + 24 ELSE h END >= ?""", [wake, bed])
    assert asleep == [(0,)]


@pytest.mark.parametrize("folder", SAMPLE_FOLDERS, ids=[p.name for p in SAMPLE_FOLDERS])
def test_chats_import_with_the_person_recognised(store: Store, folder: Path) -> None:
    truth = _import(store, folder)["chats"]
    person = folder.name
    rows = dict(store.run("SELECT direction, count(*) FROM calls WHERE person_id = ?"
                          " AND channel = 'chat' GROUP BY ALL", [person]))
    assert rows == {"out": truth["sent"], "in": truth["messages"] - truth["sent"]}
    figures = calls_analysis.chat_figures(store.con, make_scope(store.con, person))
    assert figures["chats_count"] == truth["messages"]
    assert figures["chats_sent_share"] == pytest.approx(truth["sent"] / truth["messages"])


def test_the_store_keeps_no_chat_text_and_no_names(store: Store) -> None:
    folder = SAMPLE_FOLDERS[0]
    truth = _import(store, folder)
    path = store.path
    store.close()
    raw = path.read_bytes()
    wal = Path(f"{path}.wal")
    raw += wal.read_bytes() if wal.exists() else b""
    names = [truth["chats"]["me"]] + [f.removeprefix("WhatsApp Chat with ").removesuffix(".txt")
                                      for f in truth["chats"]["chats"]]
    for secret in [*BODIES, *names, "Media omitted"]:
        assert secret.encode("utf-8") not in raw, secret
