"""The `media` and `chats` parts of `truth.json`, computed from the values as WRITTEN (whole
seconds as the importer rounds them, local days in Europe/Paris), with the report's rules
(`data/media_thresholds.toml`, `data/calls_thresholds.toml`): a play under 30 s is skipped and
does not count for its artist; a binge is 3 or more episodes of one series on one local day;
rankings break ties by name, ascending."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .media import SKIP_SECONDS, Media
from .write_media import local

BINGE_EPISODES = 3


def _top(counts: Counter[str]) -> str | None:
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def media_truth(m: Media, files: dict[str, object]) -> dict:
    s = m.spotify
    secs = np.round(s.ms / 1000).astype(np.int64)
    tracks = ~s.podcast
    artists = Counter(a for a, t, n in zip(s.artist, tracks.tolist(), secs.tolist(), strict=True)
                      if t and n >= SKIP_SECONDS)
    shows = Counter(a for a, pod in zip(s.artist, s.podcast.tolist(), strict=True) if pod)
    out: dict[str, object] = {
        "me": m.me,
        "awake_local_hours": [m.awake.wake, m.awake.bed],
        "files": files,
        "spotify_rows": len(secs),
        "spotify_plays_counted": int((secs >= SKIP_SECONDS).sum()),
        "spotify_tracks": int(tracks.sum()),
        "spotify_tracks_skipped": int((tracks & (secs < SKIP_SECONDS)).sum()),
        "listening_seconds": int(secs.sum()),
        "top_artist": _top(artists),
        "youtube_videos": len(m.youtube.title),
        "netflix_viewings": 0,
        "watching_seconds": 0,
        "binge_days": 0,
    }
    series = Counter(shows)
    if m.netflix is not None:
        v = m.netflix
        days = local(v.start_s).date
        episodes = Counter((d, c) for d, c in zip(days, v.creator, strict=True) if c)
        series.update(c for c in v.creator if c)
        out.update(netflix_viewings=len(v.title), watching_seconds=int(v.seconds.sum()),
                   binge_days=sum(1 for n in episodes.values() if n >= BINGE_EPISODES))
    out["top_series"] = _top(series)
    return out


def chats_truth(m: Media, files: list[str]) -> dict:
    per_chat = {name: {"messages": len(c.sender), "sent": int((c.sender < 0).sum()),
                       "members": len(c.members)}
                for name, c in zip(files, m.chats, strict=True)}
    return {"me": m.me, "chats": per_chat,
            "messages": sum(c["messages"] for c in per_chat.values()),
            "sent": sum(c["sent"] for c in per_chat.values())}
