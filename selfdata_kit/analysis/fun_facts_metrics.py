"""The raw metrics behind the fun-facts cursors, one person and period at a time.

Each metric returns its value (or None and why: "no_places", "no_calls" ...) and the figures
a reader needs to check it. Hours are "day hours": before `hours.day_starts_at` (04:00) a time
counts as 24 + h, so a call at 01:30 is the end of a long evening (25.5), not an early morning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from ..enrich.categories import NOT_SPENDING, categorize
from .scope import Scope, in_period, local_day, local_time, query


@dataclass(frozen=True)
class Metric:
    value: float | None
    reason: str | None = None  # why there is no value: a key of fun_facts.reason.*
    figures: dict[str, float] = field(default_factory=dict)


def categorized(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """`categorize` once per connection, scope and store state (it is the slow step: a regular
    expression join), kept in the temp table `fun_facts_categorized`."""
    stamp = con.execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports").fetchall()
    key = repr((scope, stamp))
    try:
        have = con.execute("SELECT k FROM fun_facts_categorized_key").fetchall()[0][0]
    except duckdb.CatalogException:
        have = None
    if have != key:
        categorize(con, scope)
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized AS"
                    " SELECT * FROM categorized")
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized_key AS SELECT ? AS k",
                    [key])
    return "fun_facts_categorized"


def km(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """SQL: great-circle distance in km (haversine)."""
    return (f"2 * 6371 * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians("
            f"{lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2)))")


def day_hour(ts: str, day_starts_at: float) -> str:
    """SQL: the local hour of a TIMESTAMPTZ as a decimal, after midnight counted as 24 + h."""
    h = f"(hour({local_time(ts)}) + minute({local_time(ts)}) / 60.0)"
    return f"(CASE WHEN {h} < {day_starts_at} THEN {h} + 24 ELSE {h} END)"


VISITS = f"""SELECT * FROM places WHERE person_id = $person AND kind = 'visit'
    AND lat IS NOT NULL AND end_at > start_at AND {in_period(local_day('start_at'))}"""


def home(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
         ) -> tuple[float, float] | None:
    """Where the nights are spent: the ~200 m cell whose visits cover the most local 03:00
    instants (raw points between 00:00 and 05:00 count one each); else a visit named home."""
    cell = cfg["home"]["cell_degrees"]
    s, e = local_time("start_at"), local_time("end_at")
    rows = query(con, f"""
        WITH nights AS (
            SELECT lat, lon, date_diff('day', CAST({s} - INTERVAL 3 HOUR AS DATE),
                                       CAST({e} - INTERVAL 3 HOUR AS DATE)) AS n
            FROM ({VISITS})
            UNION ALL
            SELECT lat, lon, 1 FROM places WHERE person_id = $person AND kind = 'point'
              AND hour({s}) < 5 AND {in_period(local_day('start_at'))}
            UNION ALL
            SELECT lat, lon, 0.5 FROM ({VISITS})
            WHERE upper(name) IN ('HOME', 'DOMICILE', 'MAISON'))
        SELECT avg(lat) AS lat, avg(lon) AS lon, sum(n) AS nights FROM nights
        WHERE lat IS NOT NULL GROUP BY round(lat / $cell), round(lon / $cell)
        HAVING sum(n) > 0 ORDER BY nights DESC LIMIT 1""", scope, cell=cell)
    return None if rows.empty else (float(rows["lat"][0]), float(rows["lon"][0]))


def outings(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
            ) -> pd.DataFrame:
    """Visits away from home with their place key, whether it was the first visit there in
    the period, and the distance from home (km)."""
    where = home(con, scope, cfg)
    if where is None:
        return pd.DataFrame(columns=["start_at", "name", "lat", "lon", "first_time", "from_home_km"])
    cell = cfg["home"]["cell_degrees"]
    return query(con, f"""
        WITH v AS (
            SELECT start_at, name, lat, lon, {km('lat', 'lon', '$hlat', '$hlon')} AS from_home_km,
                   coalesce(name, '') || '@' || round(lat / $cell) || ',' || round(lon / $cell)
                       AS place_key
            FROM ({VISITS}))
        SELECT start_at, name, lat, lon, from_home_km,
               row_number() OVER (PARTITION BY place_key ORDER BY start_at) = 1 AS first_time
        FROM v WHERE from_home_km * 1000 > $radius ORDER BY start_at""",
        scope, cell=cell, hlat=where[0], hlon=where[1], radius=cfg["home"]["radius_m"])


def towns(visits: pd.DataFrame, cfg: dict[str, Any]) -> pd.DataFrame:
    """First visit of each town away from home: greedy clusters of `home.town_km` (a few dozen
    distinct far places at most, so plain Python)."""
    far = visits[visits["from_home_km"] > cfg["home"]["away_km"]]
    centres: list[tuple[float, float]] = []
    firsts = []
    for row in far.itertuples():
        if all(_km(row.lat, row.lon, *c) > cfg["home"]["town_km"] for c in centres):
            centres.append((row.lat, row.lon))
            firsts.append(row.Index)
    return far.loc[firsts, ["start_at", "name", "from_home_km"]].reset_index(drop=True)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(a))


def scaled(value: float, bounds: list[float]) -> float:
    """`value` between bounds[0] (0) and bounds[1] (1), clipped."""
    return min(1.0, max(0.0, (value - bounds[0]) / (bounds[1] - bounds[0])))


def away_index(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Metric:
    """Time away from home and distance travelled, each scaled to [0, 1], averaged: a homebody
    is home a lot AND moves little."""
    where = home(con, scope, cfg)
    if where is None:
        return Metric(None, "no_places")
    r = query(con, f"""
        WITH v AS (
            SELECT kind, epoch(end_at - start_at) / 3600 AS hours, lat, lon,
                   {local_day('start_at')} AS day,
                   {km('lat', 'lon', 'lag(lat) OVER w', 'lag(lon) OVER w')} AS hop_km
            FROM places WHERE person_id = $person AND kind IN ('visit', 'activity')
              AND end_at > start_at AND {in_period(local_day('start_at'))}
            WINDOW w AS (PARTITION BY kind ORDER BY start_at))
        SELECT sum(hours) AS hours,
               sum(hours) FILTER (WHERE kind = 'visit' AND
                   {km('lat', 'lon', '$hlat', '$hlon')} * 1000 <= $radius) AS home_hours,
               coalesce(sum(hop_km) FILTER (WHERE kind = 'visit'), 0) AS km,
               date_diff('day', min(day), max(day)) + 1 AS days
        FROM v""", scope, hlat=where[0], hlon=where[1], radius=cfg["home"]["radius_m"])
    hours, home_hours = float(r["hours"][0]), float(r["home_hours"][0] or 0)
    out, weeks = outings(con, scope, cfg), float(r["days"][0]) / 7
    c = cfg["cursors"]["homebody_globetrotter"]
    away, per_week = 1 - home_hours / hours, float(r["km"][0]) / weeks
    index = (scaled(away, c["away_share"]) + scaled(per_week, c["km_per_week"])) / 2
    return Metric(index, figures={
        "away_share": away, "km_per_week": per_week, "km": float(r["km"][0]), "weeks": weeks,
        "places": int(out["first_time"].sum()), "towns": len(towns(out, cfg))})


def contacts_per_week(con: duckdb.DuckDBPyConnection, scope: Scope,
                      cfg: dict[str, Any]) -> Metric:
    day = local_day("started_at")
    r = query(con, f"""
        SELECT count(*) FILTER (WHERE channel = 'voice') AS calls,
               count(*) FILTER (WHERE channel = 'sms') AS sms,
               coalesce(sum(duration_s) FILTER (WHERE channel = 'voice'), 0) / 60 AS minutes,
               date_diff('day', min({day}), max({day})) + 1 AS days
        FROM calls WHERE person_id = $person AND {in_period(day)}""", scope)
    calls, sms = int(r["calls"][0]), int(r["sms"][0])
    if calls + sms == 0:
        return Metric(None, "no_calls")
    weeks = float(r["days"][0]) / 7
    return Metric((calls + sms) / weeks, figures={
        "calls": calls, "sms": sms, "minutes": float(r["minutes"][0]), "weeks": weeks})


def activity_hours(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
                   ) -> pd.DataFrame:
    """Events per source and local day hour (0.5-hour bins): calls and texts, visits started,
    active electricity half-hours (above the day's minimum by `hours.active_margin_w`)."""
    h0 = cfg["hours"]["day_starts_at"]
    return query(con, f"""
        WITH ev AS (
            SELECT 'calls' AS source, {day_hour('started_at', h0)} AS hour FROM calls
            WHERE person_id = $person AND {in_period(local_day('started_at'))}
            UNION ALL
            SELECT 'places', {day_hour('start_at', h0)} FROM ({VISITS})
            UNION ALL
            SELECT 'electricity', hour FROM (
                SELECT {day_hour('start_at', h0)} AS hour, kwh * 3.6e6 / epoch(end_at - start_at)
                           AS watts,
                       min(watts) OVER (PARTITION BY {local_day('start_at')}) AS floor
                FROM energy JOIN meters USING (person_id, meter_id)
                WHERE person_id = $person AND commodity = 'electricity'
                  AND epoch(end_at - start_at) <= 3600 AND kwh IS NOT NULL
                  AND {in_period(local_day('start_at'))})
            WHERE watts > floor + $margin)
        SELECT source, floor(hour * 2) / 2 AS hour, count(*) AS events
        FROM ev GROUP BY ALL ORDER BY ALL""", scope, margin=cfg["hours"]["active_margin_w"])


def activity_hour(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Metric:
    bins = activity_hours(con, scope, cfg)
    if bins.empty:
        return Metric(None, "no_activity")
    medians = {}
    for source, g in bins.groupby("source"):
        cum = g["events"].cumsum()
        medians[f"{source}_hour"] = float(g["hour"][cum >= g["events"].sum() / 2].iloc[0]) + 0.25
    return Metric(sum(medians.values()) / len(medians), figures=medians)


def novelty_share(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Metric:
    out = outings(con, scope, cfg)
    if not out.empty:
        firsts = int(out["first_time"].sum())
        months = max(1, out["start_at"].dt.strftime("%Y-%m").nunique())
        return Metric(firsts / len(out), figures={
            "outings": len(out), "new_places": firsts, "places_per_month": firsts / months})
    table = categorized(con, scope)
    r = query(con, f"""
        WITH p AS (SELECT booked_on, counterparty, row_number() OVER (PARTITION BY
                   coalesce(counterparty, label) ORDER BY booked_on) = 1 AS first_time
                   FROM {table} WHERE amount < 0
                   AND category NOT IN {tuple(NOT_SPENDING)})
        SELECT count(*) AS n, count(*) FILTER (WHERE first_time) AS firsts,
               count(DISTINCT strftime(booked_on, '%Y-%m')) AS months FROM p""", scope)
    n, firsts = int(r["n"][0]), int(r["firsts"][0])
    if n == 0:
        return Metric(None, "no_outings")
    return Metric(firsts / n, figures={"payments": n, "new_merchants": firsts,
                                       "merchants_per_month": firsts / max(1, r["months"][0])})


def meat_share(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Metric:
    c = cfg["cursors"]["vegetarian_carnivore"]
    r = query(con, f"""
        SELECT coalesce(-sum(amount) FILTER (WHERE list_contains($meat, subcategory)), 0)
                   AS meat_eur,
               coalesce(-sum(amount) FILTER (WHERE list_contains($plants, subcategory)), 0)
                   AS plants_eur
        FROM {categorized(con, scope)} WHERE amount < 0""", scope, meat=c["meat"], plants=c["plants"])
    meat, plants = float(r["meat_eur"][0]), float(r["plants_eur"][0])
    if meat + plants <= 0:
        return Metric(None, "no_fresh_food")
    return Metric(meat / (meat + plants), figures={"meat_eur": meat, "plants_eur": plants})


def spent_share(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Metric:
    r = query(con, f"""
        SELECT coalesce(sum(amount) FILTER (WHERE category = 'income' AND amount > 0), 0)
                   AS income,
               coalesce(-sum(amount) FILTER (WHERE amount < 0 AND category NOT IN
                   {tuple(NOT_SPENDING)}), 0) AS spending,
               coalesce(-sum(amount) FILTER (WHERE amount < 0 AND category = 'transfer'
                   AND regexp_matches(label, $pattern, 'i')), 0) AS to_savings
        FROM {categorized(con, scope)}""", scope, pattern=cfg["badges"]["ant"]["pattern"])
    income, spending = float(r["income"][0]), float(r["spending"][0])
    if income <= 0:
        return Metric(None, "no_income")
    return Metric(spending / income, figures={
        "income": income, "spending": spending, "to_savings": float(r["to_savings"][0]),
        "savings_rate": 1 - spending / income})


METRICS = {"homebody_globetrotter": away_index, "quiet_chatterbox": contacts_per_week,
           "early_bird_night_owl": activity_hour, "routine_adventurous": novelty_share,
           "vegetarian_carnivore": meat_share, "saver_spender": spent_share}
