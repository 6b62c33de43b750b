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
DIRECTIONS = (*VOICE_DIRECTIONS, "unknown")  # every direction the calls table allows


def load_thresholds(path: str | Path | None = None) -> dict[str, Any]:
    """The thresholds: shipped `calls_thresholds.toml`, under the keys of a user's file."""
    return settings("calls_thresholds.toml", path)


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


# --- the report's figures, JSON-ready, for one person or many at once ------------------

# Every person of a group with their calls, texts (`c`) and chat messages (`chats`), each row
# on the person's own local clock: the set-based twin of `_SCOPED` / `_CHATS`.
_GROUP_ROWS = f"""
    {PERSON_TZ_CTE},
    grouped AS (
        SELECT person_id, channel, direction, duration_s, contact_id,
               timezone(tz, started_at) AS local_at,
               CAST(timezone(tz, started_at) AS DATE) AS day
        FROM calls JOIN person_tz USING (person_id)
        WHERE {in_group('person_id')}
          AND {in_period('CAST(timezone(tz, started_at) AS DATE)')}),
    c AS (SELECT * FROM grouped WHERE channel IN ('voice', 'sms')),
    chats AS (SELECT * FROM grouped WHERE channel = 'chat')"""


def _group_numbers(con: duckdb.DuckDBPyConnection, group: Group,
                   thresholds: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per person of the group with calls, texts or chats: the counts every figure is
    derived from (GROUP BY person_id, one pass over the calls table)."""
    night = (thresholds or load_thresholds())["night"]
    directions_ = ", ".join(
        f"count(*) FILTER (channel = '{ch}' AND direction = '{d}') AS \"{ch}.{d}\""
        for ch in ("voice", "sms") for d in DIRECTIONS)
    return group_query(con, f"""
        WITH {_GROUP_ROWS},
        phone AS (
            SELECT person_id, count(*) FILTER (channel = 'voice') AS calls,
                   count(*) FILTER (channel = 'sms') AS sms,
                   coalesce(sum(duration_s) FILTER ({ANSWERED}), 0) / 60.0 AS talk_minutes,
                   count(*) FILTER (channel = 'voice' AND direction = 'missed') AS missed,
                   count(*) FILTER (channel = 'voice' AND direction <> 'out') AS incoming_calls,
                   count(DISTINCT contact_id) AS contacts,
                   count(*) FILTER ({_is_night()}) AS night, count(*) AS total,
                   coalesce(CAST($start AS DATE), min(day)) AS first_day,
                   coalesce(CAST($end AS DATE), max(day)) AS last_day,
                   {directions_}
            FROM c GROUP BY person_id),
        per_contact AS (
            SELECT person_id, contact_id, count(*) AS n FROM c
            JOIN contacts k USING (person_id, contact_id) GROUP BY ALL),
        top AS (
            SELECT person_id, least(count(*), 10) AS top_count, max(n) AS top_n
            FROM per_contact GROUP BY person_id),
        chat AS (
            SELECT person_id, count(*) AS chats, count(*) FILTER (direction = 'out') AS sent,
                   count(*) FILTER (direction IN ('in', 'out')) AS known,
                   coalesce(CAST($start AS DATE), min(day)) AS chat_first_day,
                   coalesce(CAST($end AS DATE), max(day)) AS chat_last_day
            FROM chats GROUP BY person_id)
        SELECT person_id, phone.* EXCLUDE (person_id), top_count, top_n / total AS top_share,
               chat.* EXCLUDE (person_id)
        FROM (SELECT person_id FROM persons WHERE {in_group('person_id')})
        LEFT JOIN phone USING (person_id) LEFT JOIN top USING (person_id)
        LEFT JOIN chat USING (person_id)
        ORDER BY person_id""", group, night_start=int(night["start_hour"]),
        night_end=int(night["end_hour"]))


def _per_week(count: pd.Series, first: pd.Series, last: pd.Series) -> pd.Series:
    """`count` averaged over the weeks from the first to the last day (inclusive)."""
    days = (pd.to_datetime(last) - pd.to_datetime(first)).dt.days + 1
    return (count / (days / 7)).where(days > 0, 0.0)


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """One row per person of the group, one column per numeric figure of `figures()` (named
    as the cohort flattens them: `calls_per_week`, `calls_by_direction.missed` ...), plus
    `top_contacts.count` (contacts ranked, at most 10) and `top_contacts.top_share` (the
    share of calls and texts with the first one) instead of the pseudonyms."""
    n = _group_numbers(con, group)
    has_phone = n["total"].notna()
    zero = lambda col: n[col].fillna(0).astype(float)  # noqa: E731
    out = pd.DataFrame({
        "person_id": n["person_id"],
        "calls_count": zero("calls"),
        "sms_count": zero("sms"),
        "calls_per_week": _per_week(n["calls"], n["first_day"], n["last_day"])
        .where(has_phone, 0.0).astype(float),
        "sms_per_week": _per_week(n["sms"], n["first_day"], n["last_day"])
        .where(has_phone, 0.0).astype(float),
        "talk_minutes": zero("talk_minutes"),
        "missed_share": (n["missed"] / n["incoming_calls"]).where(n["incoming_calls"] > 0, 0.0)
        .astype(float),
        "night_share": (n["night"] / n["total"]).where(has_phone, 0.0).astype(float),
        "contacts_count": zero("contacts"),
    })
    for ch, name in (("voice", "calls"), ("sms", "sms")):
        for d in DIRECTIONS:
            # a direction the person's log never has is absent from figures(): NaN here
            count = n[f"{ch}.{d}"].astype(float)
            out[f"{name}_by_direction.{d}"] = count.where(count > 0)
    out["top_contacts.count"] = n["top_count"].fillna(0).astype(float)
    out["top_contacts.top_share"] = n["top_share"].astype(float)
    has_chats = n["chats"].notna()
    out["chats_count"] = zero("chats")
    out["chats_per_week"] = _per_week(n["chats"], n["chat_first_day"], n["chat_last_day"]
                                      ).where(has_chats, 0.0).astype(float)
    out["chats_sent_share"] = (n["sent"] / n["known"]).where(n["known"] > 0).astype(float)
    return out.reset_index(drop=True)


def chat_figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """Chat messages: how many, per week over the days they span, and the share sent."""
    return _chat_part(cohort_figures(con, Group.of(scope)).iloc[0])


def _chat_part(row: pd.Series) -> dict[str, Any]:
    return {"chats_count": int(row["chats_count"]),
            "chats_per_week": float(row["chats_per_week"]),
            "chats_sent_share": None if pd.isna(row["chats_sent_share"])
            else float(row["chats_sent_share"])}


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """Figures of the period as plain JSON types. `calls_per_week` counts voice calls of every
    direction (missed included) over the weeks the period covers; `talk_minutes` sums the
    answered calls; `top_contacts` are pseudonyms, best first (ties: lower number first).
    The numbers are `cohort_figures` of this one person: the cohort reads the same SQL."""
    row = cohort_figures(con, Group.of(scope)).iloc[0]
    chats = _chat_part(row)
    if row["calls_count"] + row["sms_count"] == 0:
        return {"calls_count": 0, "sms_count": 0, "calls_per_week": 0.0, "sms_per_week": 0.0,
                "talk_minutes": 0.0, "missed_share": 0.0, "night_share": 0.0,
                "contacts_count": 0, "calls_by_direction": {}, "sms_by_direction": {},
                "top_contacts": [], **chats}

    def by(name: str) -> dict[str, int]:
        return {d: int(row[f"{name}_by_direction.{d}"]) for d in DIRECTIONS
                if pd.notna(row[f"{name}_by_direction.{d}"])}

    return {
        "calls_count": int(row["calls_count"]),
        "sms_count": int(row["sms_count"]),
        "calls_per_week": float(row["calls_per_week"]),
        "sms_per_week": float(row["sms_per_week"]),
        "talk_minutes": float(row["talk_minutes"]),
        "missed_share": float(row["missed_share"]),
        "night_share": float(row["night_share"]),
        "contacts_count": int(row["contacts_count"]),
        "calls_by_direction": by("calls"),
        "sms_by_direction": by("sms"),
        "top_contacts": [str(p) for p in top_contacts(con, scope)["pseudonym"]],
        **chats,
    }
