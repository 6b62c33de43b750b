"""The raw metrics behind the fun-facts cursors, one person and period at a time.

Each metric returns its value (or None and why: "no_places", "no_calls" ...) and the figures
a reader needs to check it. Hours are "day hours": before `hours.day_starts_at` (04:00) a time
counts as 24 + h, so a call at 01:30 is the end of a long evening (25.5), not an early morning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from ..categories import NOT_SPENDING, cache_key, categorize
from ..scope import Scope, in_period, local_day, query
from .places import VISITS, day_hour, home, km, outings, towns


@dataclass(frozen=True)
class Metric:
    value: float | None
    reason: str | None = None  # why there is no value: a key of fun_facts.reason.*
    figures: dict[str, float] = field(default_factory=dict)


def categorized(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """`categorize`'s table for `scope`, copied to the temp table `fun_facts_categorized`
    (`categorized` follows the last scope asked for, and the metrics interleave with other
    analyses). Rebuilt only when the scope, the rows or the person's rules change."""
    categorize(con, scope)  # cached per scope, rows and rule set
    key = cache_key(con, "categorized")
    try:
        have = con.execute("SELECT k FROM fun_facts_categorized_key").fetchall()[0][0]
    except duckdb.CatalogException:
        have = None
    if have != key:
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized AS"
                    " SELECT * FROM categorized")
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized_key AS SELECT ? AS k",
                    [key])
    return "fun_facts_categorized"


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
        FROM {categorized(con, scope)} WHERE amount < 0""",
        scope, meat=c["meat"], plants=c["plants"])
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
