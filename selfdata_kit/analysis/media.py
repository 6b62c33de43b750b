"""Music and screens in numbers: what was listened to and watched, when, how (table `media`).

Every function takes the store connection and a `Scope` and returns a small DataFrame
computed in DuckDB, in the person's LOCAL time. "Listening" is kinds 'track' and 'podcast',
"watching" 'episode', 'film' and 'video'. Netflix's title list has a day but no time
(`duration_s` empty, 00:00): its rows count per day and weekday, never by hour. A play
shorter than `skip.seconds` is skipped and does not count as a play of its artist.
Thresholds live in `data/media_thresholds.toml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..shipped import settings
from .scope import (
    PERSON_TZ_CTE,
    Group,
    Scope,
    group_query,
    in_group,
    in_period,
    local_day,
    local_time,
    query,
)

LISTENING = ("track", "podcast")
WATCHING = ("episode", "film", "video")
_SCOPED = f"""
    SELECT service, kind,
           CASE WHEN kind IN {LISTENING} THEN 'listening' ELSE 'watching' END AS activity,
           duration_s, title, creator, {local_time('started_at')} AS local_at,
           {local_day('started_at')} AS day,
           NOT (service = 'netflix' AND duration_s IS NULL) AS timed
    FROM media WHERE person_id = $person AND {in_period(local_day('started_at'))}"""


def load_thresholds(path: str | Path | None = None) -> dict[str, Any]:
    """The thresholds: shipped `media_thresholds.toml`, under the keys of a user's file."""
    return settings("media_thresholds.toml", path)


def _q(con: duckdb.DuckDBPyConnection, body: str, scope: Scope, **extra: object) -> pd.DataFrame:
    cfg = load_thresholds()
    values = {"skip_s": cfg["skip"]["seconds"], "min_episodes": cfg["binge"]["min_episodes"],
              "late_start": cfg["late"]["start_hour"], "late_end": cfg["late"]["end_hour"],
              **extra}
    return query(con, f"WITH m AS ({_SCOPED}) {body}", scope, **values)


# a play that counts: long enough, or of unknown length (a video, a title-list viewing)
_COUNTS = "(duration_s IS NULL OR duration_s >= $skip_s)"
_LATE = ("timed AND CASE WHEN $late_start > $late_end"
         " THEN hour(local_at) >= $late_start OR hour(local_at) < $late_end"
         " ELSE hour(local_at) >= $late_start AND hour(local_at) < $late_end END")


def overview(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """One row: plays and viewings, hours of each (where the export gives durations), the
    services seen, and the first and last local day."""
    return _q(con, f"""
        SELECT count(*) FILTER (activity = 'listening' AND {_COUNTS}) AS plays,
               count(*) FILTER (activity = 'watching') AS viewings,
               coalesce(sum(duration_s) FILTER (activity = 'listening'), 0) / 3600.0
                   AS listening_hours,
               coalesce(sum(duration_s) FILTER (activity = 'watching'), 0) / 3600.0
                   AS watching_hours,
               string_agg(DISTINCT service, ', ' ORDER BY service) AS services,
               count(*) FILTER ({_LATE}) / greatest(count(*) FILTER (timed), 1) AS late_share,
               min(day) AS first_day, max(day) AS last_day
        FROM m HAVING count(*) > 0""", scope)


def hour_weekday(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Plays and viewings per activity, local hour (0-23) and ISO weekday (1 = Monday): all
    168 cells of each activity present. Rows without a time are left out."""
    return _q(con, """
        , counted AS (SELECT activity, isodow(local_at) AS weekday, hour(local_at) AS hour,
                             count(*) AS n FROM m WHERE timed GROUP BY ALL),
        grid AS (SELECT * FROM (SELECT DISTINCT activity FROM counted)
                 CROSS JOIN range(1, 8) d(weekday) CROSS JOIN range(0, 24) h(hour))
        SELECT activity, weekday, hour, coalesce(n, 0) AS count FROM grid
        LEFT JOIN counted USING (activity, weekday, hour) ORDER BY 1, 2, 3""", scope)


def weekdays(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Plays and viewings per activity and ISO weekday, every row with a day (the title list
    included)."""
    return _q(con, """
        SELECT activity, isodow(day) AS weekday, count(*) AS count FROM m
        GROUP BY ALL ORDER BY 1, 2""", scope)


def top_artists(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 10) -> pd.DataFrame:
    """The `n` artists with the most plays (skips left out), with listening minutes."""
    return _q(con, f"""
        SELECT row_number() OVER (ORDER BY count(*) DESC, creator) AS rank, creator AS artist,
               count(*) AS plays, coalesce(sum(duration_s), 0) / 60.0 AS minutes
        FROM m WHERE kind = 'track' AND creator IS NOT NULL AND {_COUNTS}
        GROUP BY creator ORDER BY rank LIMIT $n""", scope, n=n)


def top_series(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 10) -> pd.DataFrame:
    """The `n` series and podcasts with the most episodes played or watched."""
    return _q(con, """
        SELECT row_number() OVER (ORDER BY count(*) DESC, creator) AS rank, creator AS series,
               CASE WHEN kind = 'podcast' THEN 'podcast' ELSE 'series' END AS kind,
               count(*) AS episodes, coalesce(sum(duration_s), 0) / 3600.0 AS hours
        FROM m WHERE kind IN ('episode', 'podcast') AND creator IS NOT NULL
        GROUP BY creator, 3 ORDER BY rank LIMIT $n""", scope, n=n)


def binge_sessions(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 12
                   ) -> pd.DataFrame:
    """Days with at least `binge.min_episodes` episodes of one series: the `n` biggest, with
    the hours watched (where known) and how many such days there were in all (`total`)."""
    return _q(con, """
        , binges AS (SELECT day, creator AS series, count(*) AS episodes,
                            coalesce(sum(duration_s), 0) / 3600.0 AS hours
                     FROM m WHERE kind = 'episode' AND creator IS NOT NULL
                     GROUP BY day, creator HAVING count(*) >= $min_episodes)
        SELECT day, series, episodes, hours, count(*) OVER () AS total FROM binges
        ORDER BY episodes DESC, day LIMIT $n""", scope, n=n)


def skipped_tracks(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Per local month: tracks started, how many were skipped (played under `skip.seconds`)
    and the share. Tracks without a duration (YouTube Music) are left out."""
    return _q(con, """
        SELECT CAST(date_trunc('month', day) AS DATE) AS month, count(*) AS started,
               count(*) FILTER (duration_s < $skip_s) AS skipped,
               count(*) FILTER (duration_s < $skip_s) / count(*) AS skipped_share
        FROM m WHERE kind = 'track' AND duration_s IS NOT NULL GROUP BY 1 ORDER BY 1""", scope)


# Every person of a group with their plays and viewings on their own local clock: the
# set-based twin of `_SCOPED`.
_GROUP_SCOPED = f"""
    {PERSON_TZ_CTE},
    m AS (
        SELECT person_id, service, kind,
               CASE WHEN kind IN {LISTENING} THEN 'listening' ELSE 'watching' END AS activity,
               duration_s, creator, timezone(tz, started_at) AS local_at,
               CAST(timezone(tz, started_at) AS DATE) AS day,
               NOT (service = 'netflix' AND duration_s IS NULL) AS timed
        FROM media JOIN person_tz USING (person_id)
        WHERE {in_group('person_id')}
          AND {in_period('CAST(timezone(tz, started_at) AS DATE)')})"""


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """One row per person of the group, one column per numeric figure of `figures()`
    (`plays`, `listening_hours`, `late_share` ...), plus `services.count` (how many services
    the history comes from) instead of their names. One pass over the media table."""
    cfg = load_thresholds()
    frame = group_query(con, f"""
        WITH {_GROUP_SCOPED},
        totals AS (
            SELECT person_id,
                   count(*) FILTER (activity = 'listening' AND {_COUNTS}) AS plays,
                   count(*) FILTER (activity = 'watching') AS viewings,
                   coalesce(sum(duration_s) FILTER (activity = 'listening'), 0) / 3600.0
                       AS listening_hours,
                   coalesce(sum(duration_s) FILTER (activity = 'watching'), 0) / 3600.0
                       AS watching_hours,
                   count(*) FILTER ({_LATE}) / greatest(count(*) FILTER (timed), 1)
                       AS late_share,
                   count(*) FILTER (kind = 'track' AND duration_s IS NOT NULL) AS started,
                   count(*) FILTER (kind = 'track' AND duration_s < $skip_s) AS skipped,
                   count(DISTINCT service) AS services
            FROM m GROUP BY person_id),
        binges AS (
            SELECT person_id, count(*) AS binge_days FROM (
                SELECT person_id FROM m WHERE kind = 'episode' AND creator IS NOT NULL
                GROUP BY person_id, day, creator HAVING count(*) >= $min_episodes)
            GROUP BY person_id)
        SELECT person_id, plays, viewings, listening_hours, watching_hours, late_share,
               started, skipped, binge_days, services
        FROM (SELECT person_id FROM persons WHERE {in_group('person_id')})
        LEFT JOIN totals USING (person_id) LEFT JOIN binges USING (person_id)
        ORDER BY person_id""", group, skip_s=cfg["skip"]["seconds"],
        min_episodes=cfg["binge"]["min_episodes"], late_start=cfg["late"]["start_hour"],
        late_end=cfg["late"]["end_hour"])
    zero = lambda col: frame[col].fillna(0).astype(float)  # noqa: E731
    return pd.DataFrame({
        "person_id": frame["person_id"],
        "plays": zero("plays"), "viewings": zero("viewings"),
        "listening_hours": zero("listening_hours"), "watching_hours": zero("watching_hours"),
        "late_share": zero("late_share"),
        "skipped_share": (frame["skipped"] / frame["started"]).where(frame["started"] > 0, 0.0)
        .astype(float),
        "binge_days": zero("binge_days"),
        "services.count": zero("services"),
    }).reset_index(drop=True)


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """The period's figures as plain JSON types (for key figures, fun facts, year in review).
    `top_artist` / `top_series` are as the export names them (None when there is none).
    The numbers are `cohort_figures` of this one person: the cohort reads the same SQL."""
    over = overview(con, scope)
    if over.empty:
        return {"plays": 0, "viewings": 0, "listening_hours": 0.0, "watching_hours": 0.0,
                "late_share": 0.0, "skipped_share": 0.0, "binge_days": 0, "top_artist": None,
                "top_series": None, "services": []}
    row = cohort_figures(con, Group.of(scope)).iloc[0]
    artists, series = top_artists(con, scope, 1), top_series(con, scope, 1)
    return {
        "plays": int(row["plays"]), "viewings": int(row["viewings"]),
        "listening_hours": float(row["listening_hours"]),
        "watching_hours": float(row["watching_hours"]),
        "late_share": float(row["late_share"]),
        "skipped_share": float(row["skipped_share"]),
        "binge_days": int(row["binge_days"]),
        "top_artist": str(artists["artist"].iloc[0]) if not artists.empty else None,
        "top_series": str(series["series"].iloc[0]) if not series.empty else None,
        "services": str(over.iloc[0]["services"]).split(", "),
    }
