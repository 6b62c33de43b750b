"""Spotify "Account data" listening history: `StreamingHistory*.json` (Privacy settings ->
Download your data -> Account data, ready in about five days).

Files: `StreamingHistory0.json`, `StreamingHistory1.json` ... (one year, music and podcasts
mixed), or since 2023 `StreamingHistory_music_0.json` and `StreamingHistory_podcast_0.json`.
Each is a JSON array of plays:

    {"endTime": "2024-01-31 20:15", "artistName": "...", "trackName": "...", "msPlayed": 183000}
    {"endTime": "...", "podcastName": "...", "episodeName": "...", "msPlayed": ...}

`endTime` is the END of the play, UTC, to the minute; `started_at` is endTime - msPlayed
(so it too is only good to about a minute). A podcast play ('podcastName') is kind 'podcast';
the older mixed files name a show as `artistName` and cannot be told apart: kind 'track'.
There is no play id: the store's content hash merges overlapping downloads.
"""

from __future__ import annotations

from datetime import timedelta

from ..base import JSON_MAX, InputFile, ParseContext, Parsed, Source
from ..energy._json import looks_like_json
from .common import clean, parse_json_items, utc


def detect(inp: InputFile) -> bool:
    head = looks_like_json(inp)
    return '"endTime"' in head and '"msPlayed"' in head


def _play(item: object) -> dict | str:
    """One play as a row, or what was expected."""
    if not isinstance(item, dict):
        return "expected a play object"
    end = utc(str(item.get("endTime") or ""), "%Y-%m-%d %H:%M")
    if end is None:
        return "expected an endTime like 2024-01-31 20:15"
    ms = item.get("msPlayed")
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        return "expected msPlayed, a number of milliseconds"
    if "podcastName" in item or "episodeName" in item:
        kind, title, creator = "podcast", item.get("episodeName"), item.get("podcastName")
    else:
        kind, title, creator = "track", item.get("trackName"), item.get("artistName")
    return {"service": "spotify", "kind": kind, "started_at": end - timedelta(milliseconds=ms),
            "duration_s": round(ms / 1000), "title": clean(title), "creator": clean(creator)}


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return parse_json_items(inp, "a Spotify StreamingHistory array",
                            "a JSON array of plays (Spotify StreamingHistory)", "msPlayed", _play)


SOURCE = Source(
    name="spotify-account",
    title="Spotify account data listening history (StreamingHistory*.json)",
    kind="media",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
