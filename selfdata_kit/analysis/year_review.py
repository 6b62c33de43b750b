"""A year in review ("Wrapped"): one calendar year of every source a person has, side by side.

Which year: the one asked for, else the last COMPLETE year with data (the latest year whose
31 December the data reaches, in any source), else, when the data has not yet reached the end
of any year, the latest year with data. `start` / `end` of the scope bound that choice.

An "event" is a bank transaction, a call, a text or a chat message, a place visited (a
location-history visit, not a raw point) or a play of music / a podcast / a video (`media`,
when the store has that table). Energy is not an event (a meter counts every half-hour
whoever is home): its kWh come alongside. Days are the person's LOCAL days
(`scope.LOCAL_DAY`); spending excludes own-account transfers and income (`NOT_SPENDING`).
Every function takes the store connection and a `Scope` covering one year (`year_scope`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from . import calls as calls_analysis
from . import spending
from .categories import NOT_SPENDING
from .fun_facts import load_config as fun_facts_config
from .fun_facts.places import VISITS, home, km
from .scope import LOCAL_DAY, Scope, in_period, local_day, query

TOP = 5  # rows of each "top" list
SOURCES = ("bank", "calls", "places", "media")  # the event sources, in the page's order
MEDIA_DAY = local_day("started_at")
# what counts as an artist, a series: the creator of a track; of an episode or a podcast, its
# show (the creator when the export names it, else the title before " : " / ": ")
ARTIST_KINDS = ("track",)
SERIES_KINDS = ("episode", "podcast")


def has_media(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds listening / viewing histories: the `media` table (migration
    003) exists and has rows. A store opened without migrations may lack the table."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'media'"
        " AND schema_name = 'main' AND database_name = current_database()").fetchall()[0][0]
    return bool(exists) and bool(con.execute("SELECT count(*) FROM (SELECT 1 FROM media"
                                             " LIMIT 1)").fetchall()[0][0])


def _union_days(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: (day) of every row of every source of the person, whatever the period."""
    parts = [f"SELECT {LOCAL_DAY[t]} AS day FROM {t} WHERE person_id = $person"
             for t in ("transactions", "calls", "energy", "places")]
    if has_media(con):
        parts.append(f"SELECT {MEDIA_DAY} FROM media WHERE person_id = $person")
    return " UNION ALL ".join(parts)


def years(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The calendar years with data within the scope's bounds: `year`, `days` with data,
    `first` and `last` local day, `complete` (the data reaches 31 December)."""
    return query(con, f"""
        WITH d AS (SELECT DISTINCT day FROM ({_union_days(con)}) WHERE {in_period('day')}),
        last AS (SELECT max(day) AS last_day FROM d)
        SELECT year(day) AS year, count(*) AS days, min(day) AS first, max(day) AS last,
               any_value(last_day) >= make_date(year(day), 12, 31) AS complete
        FROM d, last GROUP BY 1 ORDER BY 1""", scope)


def pick_year(con: duckdb.DuckDBPyConnection, scope: Scope, year: int | None = None
              ) -> int | None:
    """The year to review: `year`, else the last complete year with data, else the latest
    year with data; None when the person has no data."""
    if year is not None:
        return int(year)
    ys = years(con, scope)
    if ys.empty:
        return None
    complete = ys[ys["complete"]]
    return int((complete if not complete.empty else ys)["year"].iloc[-1])


def year_scope(scope: Scope, year: int) -> Scope:
    """The scope of one calendar year (1 January to 31 December, local days)."""
    return Scope(scope.person, date(year, 1, 1), date(year, 12, 31), scope.tz)


def _home(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[dict[str, Any], str]:
    """The home's parameters and an SQL predicate "this visit is away from home" (every
    visit is, when no home is found)."""
    cfg = fun_facts_config()
    where = home(con, scope, cfg)
    if where is None:
        return {}, "TRUE"
    return ({"hlat": where[0], "hlon": where[1], "radius": cfg["home"]["radius_m"]},
            f"{km('lat', 'lon', '$hlat', '$hlon')} * 1000 > $radius")


def _daily_sql(con: duckdb.DuckDBPyConnection, scope: Scope) -> tuple[str, dict[str, Any]]:
    """SQL for one row per local day of the scope (every day, even without data) and its
    parameters. Needs the temp table `year_tx` first (`_ensure_daily`)."""
    params, away = _home(con, scope)
    not_spending = ", ".join(repr(c) for c in NOT_SPENDING)
    media = (f"""UNION ALL SELECT {MEDIA_DAY}, 'media', count(*), 0, 0 FROM media
                 WHERE person_id = $person AND {in_period(MEDIA_DAY)} GROUP BY 1"""
             if has_media(con) else "")
    sql = f"""
        WITH days AS (SELECT CAST(unnest(generate_series(CAST($start AS DATE),
                             CAST($end AS DATE), INTERVAL 1 DAY)) AS DATE) AS day),
        ev AS (
            SELECT booked_on AS day, 'bank' AS source, count(*) AS n,
                   coalesce(-sum(amount) FILTER (amount < 0 AND category NOT IN
                                                 ({not_spending})), 0) AS spent, 0 AS extra
            FROM year_tx GROUP BY 1
            UNION ALL SELECT {LOCAL_DAY['calls']}, 'calls', count(*), 0,
                             count(*) FILTER (channel <> 'voice')
            FROM calls WHERE person_id = $person AND {in_period(LOCAL_DAY['calls'])} GROUP BY 1
            UNION ALL SELECT {local_day('start_at')}, 'places', count(*), 0,
                             count(*) FILTER ({away})
            FROM ({VISITS}) GROUP BY 1
            {media}),
        kwh AS (SELECT {LOCAL_DAY['energy']} AS day, sum(kwh) AS kwh FROM energy
                WHERE person_id = $person AND {in_period(LOCAL_DAY['energy'])} GROUP BY 1),
        per_day AS (
            SELECT day,
                   sum(n) FILTER (source = 'bank') AS payments,
                   CAST(sum(spent) FILTER (source = 'bank') AS DOUBLE) AS spent,
                   sum(n - extra) FILTER (source = 'calls') AS calls,
                   sum(extra) FILTER (source = 'calls') AS texts,
                   sum(n) FILTER (source = 'places') AS visits,
                   sum(extra) FILTER (source = 'places') AS outings,
                   sum(n) FILTER (source = 'media') AS plays
            FROM ev GROUP BY 1)
        SELECT day, year(day) AS year, month(day) AS month, isodow(day) AS weekday,
               date_diff('day', date_trunc('week', CAST($start AS DATE)), day) // 7 AS week,
               coalesce(payments, 0) AS payments, coalesce(spent, 0) AS spent,
               coalesce(calls, 0) AS calls, coalesce(texts, 0) AS texts,
               coalesce(visits, 0) AS visits, coalesce(outings, 0) AS outings,
               coalesce(plays, 0) AS plays,
               coalesce(payments, 0) + coalesce(calls, 0) + coalesce(texts, 0)
                   + coalesce(visits, 0) + coalesce(plays, 0) AS events,
               kwh.kwh AS kwh
        FROM days LEFT JOIN per_day USING (day) LEFT JOIN kwh USING (day)"""
    return sql, params


_built: dict[str, tuple] = {}  # the scope the temp tables `year_daily` / `year_bank` hold


def _ensure_daily(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Build the temp tables `year_tx` (the year's bank lines with category and merchant,
    `spending.prepare`), `year_daily` (`_daily_sql`) and `year_bank` (the first and last
    bank line of the year) once per connection, scope and state of the store: every figure
    of the page reads them, and the bank lines are categorised once (the costly part)."""
    stamp = con.execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports"
                        ).fetchall()[0]
    there = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name"
                        " IN ('year_tx', 'year_daily', 'year_bank')").fetchall()[0][0]
    key = (id(con), scope, tuple(stamp))
    if there == 3 and _built.get("key") == key:
        return
    spending.prepare(con, scope)
    # a copy: another report's `prepare` (another scope) may replace `spending_tx`
    con.execute("CREATE OR REPLACE TEMP TABLE year_tx AS SELECT * FROM spending_tx").fetchall()
    sql, extra = _daily_sql(con, scope)
    params = {k: v for k, v in {**scope.params, **extra}.items() if f"${k}" in sql}
    con.execute(f"CREATE OR REPLACE TEMP TABLE year_daily AS {sql}", params).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE year_bank AS"
                " SELECT min(booked_on) AS b0, max(booked_on) AS b1 FROM year_tx"
                ).fetchall()
    _built["key"] = key


def _with_daily(con: duckdb.DuckDBPyConnection, scope: Scope, body: str) -> pd.DataFrame:
    """Run `body` after a CTE `daily` (one row per day of the year, `_daily_sql`)."""
    _ensure_daily(con, scope)
    return query(con, f"WITH daily AS (SELECT * FROM year_daily) {body}", scope)


def daily_activity(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """One row per local day of the year: the events of each source (`payments`, `calls`,
    `texts`, `visits` (of which `outings`, away from home), `plays`), their sum `events`,
    money `spent` and `kwh` (NaN without a meter reading), with the `week` of the year
    (0 = the week of 1 January, weeks start on Monday) and the ISO `weekday` (1 = Monday)."""
    return _with_daily(con, scope, "SELECT * FROM daily ORDER BY day")


def sources(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Per source with rows in the year: `rows`, `days` with data, `first` and `last` day."""
    tables = {"bank": ("transactions", LOCAL_DAY["transactions"]),
              "calls": ("calls", LOCAL_DAY["calls"]),
              "energy": ("energy", LOCAL_DAY["energy"]),
              "places": ("places", LOCAL_DAY["places"])}
    if has_media(con):
        tables["media"] = ("media", MEDIA_DAY)
    parts = [f"""SELECT '{name}' AS source, {i} AS ord, count(*) AS rows,
                        count(DISTINCT {day}) AS days, min({day}) AS first, max({day}) AS last
                 FROM {table} WHERE person_id = $person AND {in_period(day)}"""
             for i, (name, (table, day)) in enumerate(tables.items())]
    return query(con, f"""SELECT source, rows, days, first, last FROM ({' UNION ALL '.join(parts)})
                          WHERE rows > 0 ORDER BY ord""", scope)


def streaks(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The longest run of consecutive days of each kind: `active` (any event), `calls` (a
    call or a text), `outings` (a place visited away from home), `spending` (money spent),
    `no_spend` (no money spent, counted between the year's first and last bank line only),
    `media` (something played). One row per kind the person has data for: `streak`, `days`,
    `first`, `last` (the earliest run wins a tie)."""
    return _with_daily(con, scope, """
        , flags AS (
            SELECT 1 AS ord, 'active' AS streak, day, events > 0 AS hit FROM daily
            UNION ALL SELECT 2, 'calls', day, calls + texts > 0 FROM daily
            UNION ALL SELECT 3, 'outings', day, outings > 0 FROM daily
            UNION ALL SELECT 4, 'spending', day, spent > 0 FROM daily
            UNION ALL SELECT 5, 'no_spend', day, spent = 0 FROM daily, year_bank
                      WHERE day BETWEEN b0 AND b1
            UNION ALL SELECT 6, 'media', day, plays > 0 FROM daily),
        runs AS (  -- gaps and islands: consecutive hit days share day - row number
            SELECT ord, streak, day,
                   day - CAST(row_number() OVER (PARTITION BY streak ORDER BY day) AS INTEGER)
                       AS island
            FROM flags WHERE hit)
        SELECT streak, count(*) AS days, min(day) AS first, max(day) AS last FROM runs
        GROUP BY ord, streak, island
        QUALIFY row_number() OVER (PARTITION BY streak ORDER BY count(*) DESC, min(day)) = 1
        ORDER BY any_value(ord)""")


def busiest_day(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The day with the most events (the earliest on a tie), one row per source with events
    that year: that day's `count` and the year's `average` per day, with `day`, `events`."""
    return _with_daily(con, scope, """
        , top AS (SELECT day, events FROM daily WHERE events > 0
                  ORDER BY events DESC, day LIMIT 1),
        long AS (UNPIVOT daily ON payments, calls, texts, visits, plays
                 INTO NAME source VALUE count)
        SELECT top.day, top.events, long.source,
               sum(count) FILTER (long.day = top.day) AS count,
               avg(count) AS average
        FROM long, top GROUP BY top.day, top.events, long.source
        HAVING sum(count) > 0
        ORDER BY list_position(['payments', 'calls', 'texts', 'visits', 'plays'], long.source)
        """)


def months(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """One row per month of the year: `active_days`, `events`, `payments`, `spent`, `calls`,
    `texts`, `visits`, `outings`, `plays`, `media_minutes`, `kwh` (NaN without readings)."""
    media = (f"""SELECT month({MEDIA_DAY}) AS month, sum(duration_s) / 60.0 AS media_minutes
                 FROM media WHERE person_id = $person AND {in_period(MEDIA_DAY)} GROUP BY 1"""
             if has_media(con) else "SELECT NULL::INTEGER AS month, 0.0 AS media_minutes")
    return _with_daily(con, scope, f"""
        , m AS ({media})
        SELECT d.month, count(*) FILTER (events > 0) AS active_days, sum(events) AS events,
               sum(payments) AS payments, sum(spent) AS spent, sum(calls) AS calls,
               sum(texts) AS texts, sum(visits) AS visits, sum(outings) AS outings,
               sum(plays) AS plays, coalesce(any_value(m.media_minutes), 0) AS media_minutes,
               sum(kwh) AS kwh
        FROM daily d LEFT JOIN m ON m.month = d.month GROUP BY d.month ORDER BY d.month""")


# --- the tops ------------------------------------------------------------------------------

def top_merchants(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The shops and payees that received the most in the year, as the spending report
    ranks them (merchant names from `enrich.merchants`), from the year's bank lines."""
    _ensure_daily(con, scope)
    return query(con, f"""
        SELECT merchant, mode(category) AS category, CAST(-sum(amount) AS DOUBLE) AS amount,
               count(*) AS payments
        FROM year_tx WHERE amount < 0 AND category NOT IN {tuple(NOT_SPENDING)}
        GROUP BY 1 ORDER BY amount DESC, merchant LIMIT {TOP}""", scope)


def top_contacts(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The contacts with the most calls and messages (pseudonyms unless names were kept)."""
    return calls_analysis.top_contacts(con, scope, n=TOP)


def top_places(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The places visited most often away from home (visits, hours spent there, km from
    home), a place being a name in a ~200 m cell."""
    params, away = _home(con, scope)
    cell = fun_facts_config()["home"]["cell_degrees"]
    distance = km("avg(lat)", "avg(lon)", "$hlat", "$hlon") if params else "NULL"
    return query(con, f"""
        WITH p AS (
            SELECT coalesce(name, '?') AS name, count(*) AS visits,
                   sum(date_diff('minute', start_at, end_at)) / 60.0 AS hours,
                   CAST({distance} AS DOUBLE) AS from_home_km
            FROM ({VISITS}) WHERE {away}
            GROUP BY name, round(lat / $cell), round(lon / $cell)
            ORDER BY visits DESC, hours DESC, name LIMIT {TOP})
        -- two shops of one name stay two bars
        SELECT name || CASE WHEN count(*) OVER (PARTITION BY name) > 1
                            THEN ' (' || row_number() OVER (PARTITION BY name
                                          ORDER BY visits DESC, hours DESC) || ')'
                            ELSE '' END AS place,
               visits, hours, from_home_km
        FROM p ORDER BY visits DESC, hours DESC, place""", scope, cell=cell, **params)


def _top_media(con: duckdb.DuckDBPyConnection, scope: Scope, kinds: tuple[str, ...],
               who: str, column: str) -> pd.DataFrame:
    if not has_media(con):
        return pd.DataFrame(columns=[column, "plays", "minutes"])
    return query(con, f"""
        SELECT {who} AS {column}, count(*) AS plays,
               coalesce(sum(duration_s), 0) / 60.0 AS minutes
        FROM media WHERE person_id = $person AND kind IN ({', '.join(map(repr, kinds))})
          AND {in_period(MEDIA_DAY)} AND {who} IS NOT NULL
        GROUP BY 1 ORDER BY minutes DESC, plays DESC, 1 LIMIT {TOP}""", scope)


def top_artists(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The artists listened to most (minutes, plays); empty without a `media` table."""
    return _top_media(con, scope, ARTIST_KINDS, "nullif(trim(creator), '')", "artist")


def top_series(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The series and podcasts watched or heard most (minutes, plays)."""
    show = ("nullif(trim(coalesce(nullif(trim(creator), ''),"
            " nullif(regexp_extract(title, '^(.*?)\\s?:\\s', 1), ''), title)), '')")
    return _top_media(con, scope, SERIES_KINDS, show, "series")
