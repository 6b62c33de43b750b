"""The phone log in numbers: when, how much, with whom, answered or not (table `calls`).

Every function takes the store connection and a `Scope` and returns a small DataFrame computed
in DuckDB. Times are the person's LOCAL times (weeks start on Monday, the night is read on the
local clock). A "contact" is the store's pseudonym ("Contact 7"), or the name from the export
when the user imported with --keep-names; withheld numbers have no contact and are left out of
the contact rankings only. Thresholds (night hours, duration bins) live in
`data/calls_thresholds.toml`.

Chat messages (WhatsApp, channel 'chat') live in the same table but are counted apart: the
phone sections read calls and texts only, the `chats_*` functions chat messages only (a busy
group chat would otherwise drown the phone log).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .scope import Scope, in_period, local_day, local_time, query

# The scope's rows with their local wall time (`local_at`) and local date (`day`).
_SCOPED = f"""
    SELECT channel, direction, duration_s, contact_id, {local_time('started_at')} AS local_at,
           {local_day('started_at')} AS day
    FROM calls WHERE person_id = $person AND {in_period(local_day('started_at'))}
      AND channel IN ('voice', 'sms')"""
# The same for chat messages.
_CHATS = _SCOPED.replace("channel IN ('voice', 'sms')", "channel = 'chat'")
# A call that was actually talked: answered either way, with a duration.
ANSWERED = "channel = 'voice' AND direction IN ('in', 'out') AND duration_s > 0"
VOICE_DIRECTIONS = ("in", "out", "missed", "rejected", "voicemail", "blocked")


def load_thresholds(path: str | Path | None = None) -> dict[str, Any]:
    """The report's thresholds: the user's TOML file when given, else the shipped one."""
    if path:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    shipped = resources.files("selfdata_kit.data") / "calls_thresholds.toml"
    return tomllib.loads(shipped.read_text(encoding="utf-8"))


def _q(con: duckdb.DuckDBPyConnection, body: str, scope: Scope, **extra: object) -> pd.DataFrame:
    return query(con, f"WITH c AS ({_SCOPED}) {body}", scope, **extra)


def _chats(con: duckdb.DuckDBPyConnection, body: str, scope: Scope,
           **extra: object) -> pd.DataFrame:
    return query(con, f"WITH c AS ({_CHATS}) {body}", scope, **extra)


def overview(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """One row: counts, talk time, missed calls, contacts and the days the averages span.

    The averages span the scope's period where it is given, else the data's first to last
    local day (a log that starts in March is not averaged over January)."""
    return _q(con, f"""
        SELECT count(*) FILTER (channel = 'voice') AS calls,
               count(*) FILTER (channel = 'sms') AS sms,
               coalesce(sum(duration_s) FILTER ({ANSWERED}), 0) / 60.0 AS talk_minutes,
               count(*) FILTER (channel = 'voice' AND direction = 'missed') AS missed,
               count(*) FILTER (channel = 'voice' AND direction <> 'out') AS incoming_calls,
               count(DISTINCT contact_id) AS contacts,
               coalesce(CAST($start AS DATE), min(day)) AS first_day,
               coalesce(CAST($end AS DATE), max(day)) AS last_day
        FROM c HAVING count(*) > 0""", scope)


def weekly_volume(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Calls and text messages per local week (Monday), weeks without any shown as 0."""
    return _q(con, """
        , weeks AS (SELECT unnest(generate_series(min(date_trunc('week', day)),
                                                  max(date_trunc('week', day)),
                                                  INTERVAL 7 DAY)) AS week FROM c),
        grid AS (SELECT week, channel FROM weeks, (VALUES ('voice'), ('sms')) v(channel)),
        counted AS (SELECT date_trunc('week', day) AS week, channel, count(*) AS n
                    FROM c GROUP BY ALL)
        SELECT CAST(g.week AS DATE) AS week, g.channel, coalesce(n, 0) AS count
        FROM grid g LEFT JOIN counted USING (week, channel) ORDER BY week, channel DESC""",
              scope)


# rows of `c` per local hour and ISO weekday, all 168 cells (none when `c` is empty)
_HOUR_WEEKDAY = """
        , counted AS (SELECT isodow(local_at) AS weekday, hour(local_at) AS hour, count(*) AS n
                      FROM c GROUP BY ALL)
        , grid AS (SELECT * FROM range(1, 8) d(weekday) CROSS JOIN range(0, 24) h(hour))
        SELECT weekday, hour, coalesce(n, 0) AS count FROM grid
        LEFT JOIN counted USING (weekday, hour)
        WHERE EXISTS (SELECT 1 FROM c) ORDER BY 1, 2"""


def hour_weekday(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Calls + messages per local hour (0-23) and ISO weekday (1 = Monday), all 168 cells."""
    return _q(con, _HOUR_WEEKDAY, scope)


def directions(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Counts per channel and direction: calls in / out / missed (and rejected, voicemail,
    blocked when present), messages received / sent."""
    return _q(con, f"""
        SELECT channel, direction, count(*) AS count FROM c GROUP BY channel, direction
        ORDER BY channel DESC, list_position({list(VOICE_DIRECTIONS)}, direction)""", scope)


def top_contacts(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 10) -> pd.DataFrame:
    """The `n` contacts with the most interactions (calls of any kind + messages), with
    talk minutes. Ties go to the lower pseudonym number ("Contact 2" before "Contact 11")."""
    return _q(con, f"""
        , ranked AS (
            SELECT row_number() OVER (ORDER BY count(*) DESC,
                       CAST(regexp_extract(k.pseudonym, '(\\d+)$', 1) AS INTEGER), k.pseudonym
                   ) AS rank,
                   k.label, k.pseudonym,
                   count(*) FILTER (channel = 'voice') AS calls,
                   count(*) FILTER (channel = 'sms') AS sms,
                   count(*) AS interactions,
                   coalesce(sum(duration_s) FILTER ({ANSWERED}), 0) / 60.0 AS minutes
            FROM c JOIN contacts k ON k.person_id = $person AND k.contact_id = c.contact_id
            GROUP BY k.contact_id, k.pseudonym, k.label ORDER BY rank LIMIT $n)
        SELECT rank,
               -- two numbers saved under one name ("Maman") stay two bars
               CASE WHEN label IS NULL THEN pseudonym
                    WHEN count(*) OVER (PARTITION BY label) > 1
                    THEN label || ' (' || pseudonym || ')' ELSE label END AS contact,
               pseudonym, calls, sms, interactions, minutes
        FROM ranked ORDER BY rank""", scope, n=n)


_CONTACT_LABEL = """CASE WHEN label IS NULL THEN pseudonym
                         WHEN count(*) OVER (PARTITION BY label) > 1
                         THEN label || ' (' || pseudonym || ')' ELSE label END"""


def chats_by_contact(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 10
                     ) -> pd.DataFrame:
    """The `n` contacts with the most chat messages, received and sent (a message to a group
    has no single contact and is not counted here). Ties: lower pseudonym number first."""
    return _chats(con, f"""
        , ranked AS (
            SELECT row_number() OVER (ORDER BY count(*) DESC,
                       CAST(regexp_extract(k.pseudonym, '(\\d+)$', 1) AS INTEGER), k.pseudonym
                   ) AS rank, k.label, k.pseudonym,
                   count(*) FILTER (direction = 'in') AS received,
                   count(*) FILTER (direction = 'out') AS sent,
                   count(*) FILTER (direction = 'unknown') AS unknown,
                   count(*) AS messages
            FROM c JOIN contacts k ON k.person_id = $person AND k.contact_id = c.contact_id
            GROUP BY k.contact_id, k.pseudonym, k.label ORDER BY rank LIMIT $n)
        SELECT rank, {_CONTACT_LABEL} AS contact, pseudonym, received, sent, unknown, messages
        FROM ranked ORDER BY rank""", scope, n=n)


def chats_hour_weekday(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Chat messages per local hour (0-23) and ISO weekday (1 = Monday), all 168 cells."""
    return _chats(con, _HOUR_WEEKDAY, scope)


def who_writes_first(con: duckdb.DuckDBPyConnection, scope: Scope,
                     thresholds: dict[str, Any] | None = None, n: int = 10) -> pd.DataFrame:
    """Per contact (the `n` with the most conversations): conversations, how many the person
    started and how many the contact did. A conversation starts with a message after
    `chats.new_conversation_hours` of silence with that contact; only messages whose
    direction is known count."""
    hours = (thresholds or load_thresholds())["chats"]["new_conversation_hours"]
    return _chats(con, f"""
        , known AS (SELECT contact_id, direction, local_at,
                           lag(local_at) OVER (PARTITION BY contact_id ORDER BY local_at) AS prev
                    FROM c WHERE direction IN ('in', 'out') AND contact_id IS NOT NULL),
        starts AS (SELECT contact_id, direction FROM known
                   WHERE prev IS NULL OR local_at - prev >= to_hours(CAST($hours AS BIGINT))),
        ranked AS (
            SELECT row_number() OVER (ORDER BY count(*) DESC,
                       CAST(regexp_extract(k.pseudonym, '(\\d+)$', 1) AS INTEGER), k.pseudonym
                   ) AS rank, k.label, k.pseudonym, count(*) AS conversations,
                   count(*) FILTER (direction = 'out') AS you_first,
                   count(*) FILTER (direction = 'in') AS them_first
            FROM starts s JOIN contacts k ON k.person_id = $person AND k.contact_id = s.contact_id
            GROUP BY k.contact_id, k.pseudonym, k.label ORDER BY rank LIMIT $n)
        SELECT rank, {_CONTACT_LABEL} AS contact, pseudonym, conversations, you_first,
               them_first, you_first / conversations AS you_first_share
        FROM ranked ORDER BY rank""", scope, hours=int(hours), n=n)


def voice_vs_sms(con: duckdb.DuckDBPyConnection, scope: Scope, n: int = 10) -> pd.DataFrame:
    """For the top contacts (same order as `top_contacts`): the share of calls among the
    interactions, i.e. who you rather call and who you rather text."""
    top = top_contacts(con, scope, n)
    out = top[["rank", "contact", "pseudonym", "calls", "sms"]].copy()
    out["voice_share"] = out["calls"] / (out["calls"] + out["sms"])
    return out


def durations(con: duckdb.DuckDBPyConnection, scope: Scope,
              thresholds: dict[str, Any] | None = None) -> pd.DataFrame:
    """Answered calls per duration bin (minutes, lower bound inclusive) and the median."""
    edges = (thresholds or load_thresholds())["durations"]["edges_minutes"]
    lows = [0, *edges]
    highs: list[float | None] = [*edges, None]
    bins = ", ".join(f"({i}, {lo}, {'NULL' if hi is None else hi})"
                     for i, (lo, hi) in enumerate(zip(lows, highs, strict=True)))
    return _q(con, f"""
        , answered AS (SELECT duration_s / 60.0 AS minutes FROM c WHERE {ANSWERED}),
        bins(bin, lo_minutes, hi_minutes) AS (VALUES {bins})
        SELECT bin, lo_minutes, hi_minutes,
               (SELECT count(*) FROM answered a WHERE a.minutes >= lo_minutes
                AND (hi_minutes IS NULL OR a.minutes < hi_minutes)) AS calls,
               (SELECT median(minutes) FROM answered) AS median_minutes
        FROM bins WHERE EXISTS (SELECT 1 FROM answered) ORDER BY bin""", scope)


def night_activity(con: duckdb.DuckDBPyConnection, scope: Scope,
                   thresholds: dict[str, Any] | None = None) -> pd.DataFrame:
    """Per local month: calls + messages, how many at night, and the night share (with the
    night's hours, for the chart's legend)."""
    night = (thresholds or load_thresholds())["night"]
    return _q(con, f"""
        SELECT CAST(date_trunc('month', day) AS DATE) AS month, count(*) AS total,
               count(*) FILTER ({_is_night()}) AS night,
               count(*) FILTER ({_is_night()}) / count(*) AS night_share,
               $night_start AS start_hour, $night_end AS end_hour
        FROM c GROUP BY 1 ORDER BY 1""", scope,
              night_start=int(night["start_hour"]), night_end=int(night["end_hour"]))


def _is_night() -> str:
    """SQL: the local hour falls in [start, end), wrapping past midnight when start > end."""
    return ("CASE WHEN $night_start > $night_end"
            " THEN hour(local_at) >= $night_start OR hour(local_at) < $night_end"
            " ELSE hour(local_at) >= $night_start AND hour(local_at) < $night_end END")


# --- the report's figures, JSON-ready ----------------------------------------------

def _per_week(count: int, row: Any) -> float:
    """`count` averaged over the weeks from the first to the last day (inclusive)."""
    days = (row["last_day"] - row["first_day"]).days + 1
    return count / (days / 7) if days > 0 else 0.0


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """Figures of the period as plain JSON types. `calls_per_week` counts voice calls of every
    direction (missed included) over the weeks the period covers; `talk_minutes` sums the
    answered calls; `top_contacts` are pseudonyms, best first (ties: lower number first)."""
    over = overview(con, scope)
    if over.empty:
        return {"calls_count": 0, "sms_count": 0, "calls_per_week": 0.0, "sms_per_week": 0.0,
                "talk_minutes": 0.0, "missed_share": 0.0, "night_share": 0.0,
                "contacts_count": 0, "calls_by_direction": {}, "sms_by_direction": {},
                "top_contacts": [], **chat_figures(con, scope)}
    row = over.iloc[0]
    night = night_activity(con, scope)
    dirs = directions(con, scope)
    by = {ch: {str(d): int(n) for d, n in zip(g["direction"], g["count"], strict=True)}
          for ch, g in dirs.groupby("channel")}
    return {
        "calls_count": int(row["calls"]),
        "sms_count": int(row["sms"]),
        "calls_per_week": float(_per_week(int(row["calls"]), row)),
        "sms_per_week": float(_per_week(int(row["sms"]), row)),
        "talk_minutes": float(row["talk_minutes"]),
        "missed_share": float(row["missed"] / row["incoming_calls"])
        if row["incoming_calls"] else 0.0,
        "night_share": float(night["night"].sum() / night["total"].sum()),
        "contacts_count": int(row["contacts"]),
        "calls_by_direction": by.get("voice", {}),
        "sms_by_direction": by.get("sms", {}),
        "top_contacts": [str(p) for p in top_contacts(con, scope)["pseudonym"]],
        **chat_figures(con, scope),
    }


def chat_figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """Chat messages: how many, per week over the days they span, and the share sent."""
    r = _chats(con, """
        SELECT count(*) AS n, count(*) FILTER (direction = 'out') AS sent,
               count(*) FILTER (direction IN ('in', 'out')) AS known,
               coalesce(CAST($start AS DATE), min(day)) AS first_day,
               coalesce(CAST($end AS DATE), max(day)) AS last_day
        FROM c HAVING count(*) > 0""", scope)
    if r.empty:
        return {"chats_count": 0, "chats_per_week": 0.0, "chats_sent_share": None}
    row = r.iloc[0]
    return {"chats_count": int(row["n"]),
            "chats_per_week": float(_per_week(int(row["n"]), row)),
            "chats_sent_share": float(row["sent"] / row["known"]) if row["known"] else None}
