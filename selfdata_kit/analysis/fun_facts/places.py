"""Places for the fun facts: where home is (where the nights are spent), outings away from
it, first visits, towns far from home. Distances are great-circle (straight lines)."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pandas as pd

from ..scope import Scope, in_period, local_day, local_time, query


def km(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """SQL: great-circle distance in km (haversine)."""
    return (f"2 * 6371 * asin(sqrt(pow(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians("
            f"{lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2)))")


def day_hour(ts: str, day_starts_at: float) -> str:
    """SQL: the local hour of a TIMESTAMPTZ as a decimal, after midnight counted as 24 + h."""
    return hour_of_day(local_time(ts), day_starts_at)


def hour_of_day(local: str, day_starts_at: float) -> str:
    """SQL: `day_hour` of a local wall time (a TIMESTAMP) already converted."""
    h = f"(hour({local}) + minute({local}) / 60.0)"
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
        return pd.DataFrame(columns=["start_at", "name", "lat", "lon", "first_time",
                                     "from_home_km"])
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
