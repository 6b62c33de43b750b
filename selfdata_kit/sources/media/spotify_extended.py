"""Spotify Extended Streaming History: `Streaming_History_Audio_<years>_<n>.json`, alone or in
the zip Spotify sends (Privacy settings -> Download your data -> Extended streaming history,
ready in up to 30 days; the zip is read member by member).

Each file is a JSON array of plays over the account's whole life:

    {"ts": "2024-01-31T20:15:02Z", "ms_played": 183000,
     "master_metadata_track_name": ..., "master_metadata_album_artist_name": ...,
     "episode_name": ..., "episode_show_name": ...,
     "reason_start": "trackdone", "reason_end": "fwdbtn", "skipped": true, ...}

`ts` is the END of the play, UTC, to the second; `started_at` is ts - ms_played. A track has
`master_metadata_*`, a podcast episode `episode_*` (kind 'podcast'). A play with neither (a
local file, a track since withdrawn, an audiobook chapter in newer files) was listened to
all the same: kind 'track' without title or artist, like a removed YouTube video.
Whether a play was skipped is not stored: the report counts a play
under 30 seconds as skipped (Spotify's own threshold for a stream), which also holds for the
account-data files that have no `skipped` field. IP addresses, user agents and the username
are never read into rows.
"""

from __future__ import annotations

from datetime import timedelta

from ..base import JSON_MAX, InputFile, ParseContext, Parsed, Source
from ..energy._json import looks_like_json
from .common import clean, parse_json_items, utc


def detect(inp: InputFile) -> bool:
    head = looks_like_json(inp)
    return '"ts"' in head and '"ms_played"' in head


def _play(item: object) -> dict | str:
    """One play as a row, or what was expected."""
    if not isinstance(item, dict):
        return "expected a play object"
    end = utc(str(item.get("ts") or ""))
    if end is None:
        return "expected ts, a time like 2024-01-31T20:15:02Z"
    ms = item.get("ms_played")
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        return "expected ms_played, a number of milliseconds"
    track = clean(item.get("master_metadata_track_name"))
    episode = clean(item.get("episode_name"))
    if track:
        kind, title, creator = "track", track, item.get("master_metadata_album_artist_name")
    elif episode:
        kind, title, creator = "podcast", episode, item.get("episode_show_name")
    else:
        kind, title, creator = "track", None, None
    return {"service": "spotify", "kind": kind, "started_at": end - timedelta(milliseconds=ms),
            "duration_s": round(ms / 1000), "title": title, "creator": clean(creator)}


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return parse_json_items(inp, "a Spotify Extended Streaming History array",
                            "a JSON array of plays (Spotify Extended Streaming History)",
                            "ms_played", _play)


SOURCE = Source(
    name="spotify-extended",
    title="Spotify Extended Streaming History (Streaming_History_Audio_*.json)",
    kind="media",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
