"""YouTube watch history from Google Takeout, in JSON: `Takeout/YouTube and YouTube Music/
history/watch-history.json`, and the same entries in Google My Activity
(`Takeout/My Activity/YouTube/MyActivity.json`). Pick JSON for "history" in Takeout's
"Multiple formats" (Takeout's default is HTML, which is not read).

A JSON array of activity entries:

    {"header": "YouTube", "title": "Watched Some video", "titleUrl": "https://www.youtube.com/
     watch?v=...", "subtitles": [{"name": "Channel", "url": "..."}],
     "time": "2024-01-31T20:15:02.123Z", "products": ["YouTube"], ...}

Kept, one row each: a watched video (kind 'video', creator the channel; "YouTube Music" entries
are kind 'track', the artist's "X - Topic" channel read as "X"), and a video watched but since
removed ("Watched a video that has been removed"): a row without title or channel, it was
watched all the same. Left out: ads (`details` "From Google Ads"), searches, visits and
anything else My Activity records, and entries for other Google products. The export has no
duration: `duration_s` is None. Titles are read in English and French ("Watched ",
"Vous avez regardé "); in another language the title is kept as written.
"""

from __future__ import annotations

from ..base import JSON_MAX, InputFile, ParseContext, Parsed, Source
from ..energy._json import looks_like_json
from .common import clean, parse_json_items, utc

WATCHED = ("Watched ", "Vous avez regardé ")
REMOVED = ("Watched a video that has been removed", "Vous avez regardé une vidéo qui a été "
           "supprimée")
ADS = ("From Google Ads", "Depuis Google Ads", "Provenant de Google Ads")


def detect(inp: InputFile) -> bool:
    head = looks_like_json(inp)
    return '"header"' in head and '"titleUrl"' in head and "YouTube" in head


def _entry(item: object) -> dict | str | None:
    if not isinstance(item, dict):
        return "expected an activity object"
    header = str(item.get("header") or "")
    if not header.startswith("YouTube"):
        return None  # another product in My Activity
    details = item.get("details") or []
    if any(isinstance(d, dict) and d.get("name") in ADS for d in details):
        return None
    title = str(item.get("title") or "")
    url = str(item.get("titleUrl") or "")
    removed = title.startswith(REMOVED)
    if "/watch?" not in url and not removed:
        return None  # a search, a visited channel, a survey ...
    start = utc(str(item.get("time") or ""))
    if start is None:
        return "expected time, like 2024-01-31T20:15:02.123Z"
    music = header == "YouTube Music"
    channel = None
    if not removed:
        for prefix in WATCHED:
            if title.startswith(prefix):
                title = title[len(prefix):]
                break
        subs = item.get("subtitles") or []
        if subs and isinstance(subs[0], dict):
            channel = clean(subs[0].get("name"))
        if channel and music and channel.endswith(" - Topic"):
            channel = channel[: -len(" - Topic")]
    return {"service": "youtube", "kind": "track" if music else "video", "started_at": start,
            "duration_s": None, "title": None if removed else clean(title), "creator": channel}


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return parse_json_items(inp, "a Google Takeout YouTube history array",
                            "a JSON array of activity entries (Takeout YouTube history)",
                            "header", _entry)


SOURCE = Source(
    name="youtube-history",
    title="YouTube watch history or My Activity JSON (Google Takeout)",
    kind="media",
    detect=detect,
    parse=parse,
    extensions=(".json",),
    max_bytes=JSON_MAX,
)
