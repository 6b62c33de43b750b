"""Listening, viewing and chat exports as the services write them (see `sources/media/`,
`sources/chat/` for the formats):

    media/Spotify Account Data/StreamingHistory_music_0.json (and _podcast_0 when any)
    media/netflix/CONTENT_INTERACTION/ViewingActivity.csv    (Netflix subscribers only)
    media/Takeout/YouTube and YouTube Music/history/watch-history.json
    chats/WhatsApp Chat with <name>.txt                        (Android, en-GB locale)

Each writer returns what it wrote, for `truth`. Deterministic: the same persona gives the
same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .clock import TZ
from .media import Chat, Media, Plays, Viewings
from .persona import Persona
from .phone import BODIES

TRAILER_EVERY = 7  # a trailer autoplays before every 7th viewing (left out at import)
AD_EVERY = 10  # one ad in the YouTube history per 10 videos (left out at import)


def _utc(seconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(np.asarray(seconds, dtype=np.int64) * 10**9, tz="UTC")


def write_spotify(m: Media, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    plays: Plays = m.spotify
    ends = _utc(plays.end_s)
    for kind, keep in (("music", ~plays.podcast), ("podcast", plays.podcast)):
        idx = np.flatnonzero(keep)
        if kind == "podcast" and len(idx) == 0:
            continue
        names = ("artistName", "trackName") if kind == "music" else ("podcastName",
                                                                      "episodeName")
        items = []
        for i in idx.tolist():
            # Spotify's pretty printer writes a space before each colon
            items.append("  {\n"
                         f'    "endTime" : "{ends[i]:%Y-%m-%d %H:%M}",\n'
                         f'    "{names[0]}" : {json.dumps(plays.artist[i], ensure_ascii=False)},\n'
                         f'    "{names[1]}" : {json.dumps(plays.title[i], ensure_ascii=False)},\n'
                         f'    "msPlayed" : {int(plays.ms[i])}\n  }}')
        path = folder / f"StreamingHistory_{kind}_0.json"
        path.write_bytes(("[\n" + ",\n".join(items) + "\n]").encode("utf-8"))
        written.append(path.name)
    return written


def write_netflix(m: Media, folder: Path) -> int:
    """Newest first, as Netflix sorts it; returns the number of trailer rows written."""
    v: Viewings = m.netflix
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["Profile Name", "Start Time", "Duration", "Attributes", "Title",
                "Supplemental Video Type", "Device Type", "Bookmark", "Latest Bookmark",
                "Country"])
    starts = _utc(v.start_s)
    trailers = 0
    for i in range(len(v.title) - 1, -1, -1):
        length = int(v.seconds[i])
        dur = f"{length // 3600:02d}:{length % 3600 // 60:02d}:{length % 60:02d}"
        w.writerow([m.me, f"{starts[i]:%Y-%m-%d %H:%M:%S}", dur, "", v.title[i], "",
                    "Samsung 2020 TV", dur, dur, "FR (France)"])
        if i % TRAILER_EVERY == 0:
            teaser = pd.Timestamp(starts[i]) - pd.Timedelta(seconds=45)
            w.writerow([m.me, f"{teaser:%Y-%m-%d %H:%M:%S}", "00:00:31",
                        "Autoplayed: user action: None; ", f"{v.creator[i] or v.title[i]}"
                        " (Bande-annonce)", "TRAILER", "Samsung 2020 TV", "00:00:31",
                        "Not latest view", "FR (France)"])
            trailers += 1
    path = folder / "ViewingActivity.csv"
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
    return trailers


def _video_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:11]


def write_youtube(m: Media, folder: Path) -> int:
    """Newest first, as Takeout sorts it; returns the number of ads written."""
    v: Viewings = m.youtube
    folder.mkdir(parents=True, exist_ok=True)
    times = _utc(v.start_s)
    entries, ads = [], 0
    for i in range(len(v.title) - 1, -1, -1):
        at = f"{times[i]:%Y-%m-%dT%H:%M:%S}.{(i * 37) % 1000:03d}Z"
        entry = {"header": "YouTube", "title": f"Watched {v.title[i]}",
                 "titleUrl": f"https://www.youtube.com/watch?v={_video_id(v.title[i])}",
                 "subtitles": [{"name": v.creator[i],
                                "url": f"https://www.youtube.com/channel/UC{_video_id(v.creator[i])}"}],
                 "time": at, "products": ["YouTube"],
                 "activityControls": ["YouTube watch history"]}
        entries.append(entry)
        if i % AD_EVERY == 0:
            entries.append({"header": "YouTube", "title": "Watched Offre spéciale box fibre",
                            "titleUrl": "https://www.youtube.com/watch?v=adadadadada",
                            "subtitles": [{"name": "Annonceur",
                                           "url": "https://www.youtube.com/channel/UCad"}],
                            "details": [{"name": "From Google Ads"}],
                            "time": f"{times[i] - pd.Timedelta(seconds=20):%Y-%m-%dT%H:%M:%S}"
                                    ".000Z",
                            "products": ["YouTube"],
                            "activityControls": ["YouTube watch history"]})
            ads += 1
    path = folder / "watch-history.json"
    path.write_bytes(json.dumps(entries, indent=2, ensure_ascii=False).encode("utf-8"))
    return ads


def write_chats(p: Persona, m: Media, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    base = pd.Timestamp(p.year, 1, 1)
    names = []
    for chat in m.chats:
        lines = [f"{base:%d/%m/%Y}, 00:00 - Messages and calls are end-to-end encrypted. No one"
                 " outside of this chat, not even WhatsApp, can read or listen to them. Tap to"
                 " learn more."]
        lines += _chat_lines(chat, m.me, base)
        path = folder / f"WhatsApp Chat with {chat.name}.txt"
        path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
        names.append(path.name)
    return names


def _chat_lines(chat: Chat, me: str, base: pd.Timestamp) -> list[str]:
    lines = []
    for k, (minute, who) in enumerate(zip(chat.local_min.tolist(), chat.sender.tolist(),
                                          strict=True)):
        at = base + pd.Timedelta(minutes=minute)
        sender = me if who < 0 else chat.members[who]
        body = "<Media omitted>" if k % 20 == 7 else BODIES[(minute + k) % len(BODIES)]
        if k % 25 == 3:  # a message over two lines
            body = f"{body}\n{BODIES[k % len(BODIES)]}"
        lines.append(f"{at:%d/%m/%Y, %H:%M} - {sender}: {body}")
    return lines


def write_media_exports(p: Persona, root: Path) -> dict:
    """Every media and chat export of the persona under `root`; their truth."""
    from .media import simulate_media
    from .truth_media import chats_truth, media_truth

    m = simulate_media(p)
    spotify = root / "media" / "Spotify Account Data"
    files: dict[str, object] = {"spotify": [f"media/Spotify Account Data/{n}"
                                            for n in write_spotify(m, spotify)]}
    yt = root / "media" / "Takeout" / "YouTube and YouTube Music" / "history"
    files["youtube_ads_left_out"] = write_youtube(m, yt)
    files["youtube"] = (yt / "watch-history.json").relative_to(root).as_posix()
    if m.netflix is not None:
        nf = root / "media" / "netflix" / "CONTENT_INTERACTION"
        files["netflix_trailers_left_out"] = write_netflix(m, nf)
        files["netflix"] = (nf / "ViewingActivity.csv").relative_to(root).as_posix()
    chats = write_chats(p, m, root / "chats")
    return {"media": media_truth(m, files), "chats": chats_truth(m, chats)}


def local(seconds: np.ndarray) -> pd.DatetimeIndex:
    return _utc(seconds).tz_convert(TZ)
