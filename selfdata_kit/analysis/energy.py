"""Energy analyses: what the meters' readings say about a home, day by day and hour by hour.

Every analysis reads the same selection of readings, `READINGS` (a SQL CTE), because a meter
may hold several series for the same days (a load curve AND daily totals, GRDF daily AND
billing-period readings) and summing them all would count the energy twice or more:

- a reading's *grain* is its length: under 20 h a load curve (0), 20-26 h a day (1: local days
  last 23-25 h, GRDF gas days run 06:00 to 06:00), longer a billing period (2);
- a reading of grain 0 or 1 belongs to the local day it STARTS on (a gas day to its gas date,
  as GRDF and the bills count it); a billing period is spread evenly over the local days from
  its start day to the day before its end day;
- for each meter and local day only the finest grain present is kept. A day where a load curve
  is incomplete keeps the load curve (its missing intervals are a gap), not the daily total.

Energy is kWh (`energy.kwh`); rows without kWh (flagged volumes, water) are left out, and
so are meters of energy sent to the grid (`...:received`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .energy_factors import (
    load_emission_factors,
    load_reference_households,
    price_of,
)
from .scope import Scope, in_period, local_day, local_time, query

__all__ = ["READINGS", "co2_and_cost", "daily_kwh", "heating_season", "load_heatmap",
           "load_emission_factors", "load_reference_households", "monthly_kwh", "price_of",
           "reference_household", "standby_floor", "standby_watts", "weekday_weekend"]

LOAD_CURVE, DAY, PERIOD = 0, 1, 2  # grains
NIGHT_HOURS = (1, 4)  # local intervals starting 01:00-04:59: the home asleep
STANDBY_QUANTILE = 0.05  # the floor ignores the rare lowest values (a meter glitch)
HOURS_PER_YEAR = 8760
W_PER_KWH_PER_S = 3_600_000  # average W = kWh * 3.6e6 / seconds

READINGS = f"""
graded AS (
    SELECT e.meter_id, m.commodity, e.start_at, e.end_at, e.kwh,
           epoch(e.end_at) - epoch(e.start_at) AS step_s,
           CASE WHEN epoch(e.end_at) - epoch(e.start_at) < 72000 THEN {LOAD_CURVE}
                WHEN epoch(e.end_at) - epoch(e.start_at) <= 93600 THEN {DAY}
                ELSE {PERIOD} END AS grain,
           {local_day('e.start_at')} AS first_day, {local_day('e.end_at')} AS end_day
    FROM energy e JOIN meters m USING (person_id, meter_id)
    WHERE e.person_id = $person AND e.kwh IS NOT NULL AND e.end_at > e.start_at
      AND m.commodity IN ('electricity', 'gas') AND NOT ends_with(e.meter_id, ':received')),
spread AS (
    SELECT meter_id, commodity, start_at, step_s, grain, first_day AS day, kwh
    FROM graded WHERE grain < {PERIOD}
    UNION ALL
    SELECT meter_id, commodity, start_at, step_s, grain,
           CAST(unnest(generate_series(first_day, greatest(end_day - 1, first_day),
                                       INTERVAL 1 DAY)) AS DATE) AS day,
           kwh / greatest(date_diff('day', first_day, end_day), 1) AS kwh
    FROM graded WHERE grain = {PERIOD}),
readings AS (
    SELECT *, hour({local_time('start_at')}) AS hour FROM spread WHERE {in_period('day')}
    QUALIFY grain = min(grain) OVER (PARTITION BY meter_id, day))"""


def _q(con: duckdb.DuckDBPyConnection, scope: Scope, body: str, **extra: object
       ) -> pd.DataFrame:
    return query(con, f"WITH {READINGS} {body}", scope, **extra)


def daily_kwh(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """kWh per local day and commodity."""
    return _q(con, scope, """SELECT day, commodity, sum(kwh) AS kwh FROM readings
                             GROUP BY ALL ORDER BY day, commodity""")


def monthly_kwh(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """kWh per month and commodity (a reading counts in the month of its start day)."""
    return _q(con, scope, """SELECT CAST(date_trunc('month', day) AS DATE) AS month, commodity,
                                    sum(kwh) AS kwh, count(DISTINCT day) AS days
                             FROM readings GROUP BY ALL ORDER BY month, commodity""")


def load_heatmap(con: duckdb.DuckDBPyConnection, scope: Scope, max_days: int = 92
                 ) -> pd.DataFrame:
    """Average electric power (W) per local hour and day, from sub-daily readings only; over
    more than `max_days` days, per week (the Monday) so the chart stays small."""
    return _q(con, scope, f"""
        , curve AS (SELECT * FROM readings
                    WHERE commodity = 'electricity' AND grain = {LOAD_CURVE})
        SELECT CAST(CASE WHEN (SELECT count(DISTINCT day) FROM curve) > $max_days
                    THEN date_trunc('week', day) ELSE day END AS DATE) AS period,
               hour, sum(kwh) * {W_PER_KWH_PER_S} / sum(step_s) AS avg_w,
               CASE WHEN (SELECT count(DISTINCT day) FROM curve) > $max_days
                    THEN 'week' ELSE 'day' END AS bucket
        FROM curve GROUP BY ALL ORDER BY period, hour""", max_days=max_days)


def standby_watts(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Per electricity meter and day: the lowest night-time average power, and the meter's
    standby floor (the 5th percentile of every night interval of the period), in W."""
    return _q(con, scope, f"""
        , night AS (
            SELECT meter_id, day, kwh * {W_PER_KWH_PER_S} / step_s AS w FROM readings
            WHERE commodity = 'electricity' AND grain = {LOAD_CURVE} AND step_s <= 3600
              AND hour BETWEEN {NIGHT_HOURS[0]} AND {NIGHT_HOURS[1]}),
        floor AS (SELECT meter_id, quantile_cont(w, {STANDBY_QUANTILE}) AS standby_w
                  FROM night GROUP BY meter_id)
        SELECT meter_id, day, min(w) AS night_min_w, any_value(standby_w) AS standby_w
        FROM night JOIN floor USING (meter_id) GROUP BY meter_id, day ORDER BY meter_id, day""")


def standby_floor(con: duckdb.DuckDBPyConnection, scope: Scope, offer: str | None = None,
                  prices: str | Path | None = None) -> pd.DataFrame:
    """Per electricity meter: the standby floor (W), its kWh and euros over a year (at the
    offer's single price: Base, or HP/HC weighted 16 h / 8 h since standby runs all day)."""
    nights = standby_watts(con, scope)
    price = price_of("electricity", offer, prices)
    floors = nights.groupby("meter_id", as_index=False).agg(standby_w=("standby_w", "first"),
                                                            nights=("day", "count"))
    floors["kwh_per_year"] = floors["standby_w"] * HOURS_PER_YEAR / 1000
    floors["eur_per_year"] = floors["kwh_per_year"] * float(price.price if price else 0)
    return floors


def weekday_weekend(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Average electric power (W) per local hour, on weekdays and on weekends (Sat, Sun)."""
    return _q(con, scope, f"""
        SELECT CASE WHEN isodow(day) >= 6 THEN 'weekend' ELSE 'weekday' END AS day_type, hour,
               sum(kwh) * {W_PER_KWH_PER_S} / sum(step_s) AS avg_w
        FROM readings WHERE commodity = 'electricity' AND grain = {LOAD_CURVE}
        GROUP BY ALL ORDER BY day_type, hour""")


def heating_season(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """kWh and share per commodity in the heating season (October to April) and the rest."""
    return _q(con, scope, """
        SELECT commodity, CASE WHEN month(day) IN (10, 11, 12, 1, 2, 3, 4)
                          THEN 'heating' ELSE 'rest' END AS season, sum(kwh) AS kwh,
               sum(kwh) / sum(sum(kwh)) OVER (PARTITION BY commodity) AS share
        FROM readings GROUP BY 1, 2 ORDER BY commodity, season""")


def co2_and_cost(con: duckdb.DuckDBPyConnection, scope: Scope,
                 electricity_offer: str | None = None, factors: str | Path | None = None,
                 prices: str | Path | None = None) -> pd.DataFrame:
    """Per month and commodity: kWh, kgCO2e (ADEME factors) and cost in € (energy at the
    offer's prices + the monthly subscription, pro rata of the days with data), from the data
    files. Off-peak kWh come from the load curve; coarser readings get the single price."""
    elec = price_of("electricity", electricity_offer, prices)
    start = elec.off_peak_start_hour if elec and elec.off_peak_start_hour is not None else 99
    end = elec.off_peak_end_hour if elec and elec.off_peak_end_hour is not None else 0
    frame = _q(con, scope, f"""
        SELECT month, commodity, sum(kwh) AS kwh,
               coalesce(sum(kwh) FILTER (grain = {LOAD_CURVE} AND (clock >= $hc_start
                                         OR clock < $hc_end)), 0) AS kwh_off_peak,
               coalesce(sum(kwh) FILTER (grain > {LOAD_CURVE}), 0) AS kwh_unsplit,
               count(DISTINCT day) / date_diff('day', month, month + INTERVAL 1 MONTH)
                   AS month_covered
        FROM (SELECT *, hour + minute({local_time('start_at')}) / 60 AS clock,
                     CAST(date_trunc('month', day) AS DATE) AS month FROM readings)
        GROUP BY month, commodity ORDER BY month, commodity""", hc_start=start, hc_end=end)
    per_kwh = load_emission_factors(factors)
    frame["kg_co2e"] = [kwh * float(per_kwh.get(c, {}).get("value", 0))
                        for c, kwh in zip(frame["commodity"], frame["kwh"], strict=True)]
    costs = []
    for row in frame.itertuples():
        p = elec if row.commodity == "electricity" else price_of(row.commodity, None, prices)
        if p is None:
            costs.append(float("nan"))
            continue
        peak = row.kwh - row.kwh_off_peak - row.kwh_unsplit
        costs.append(round(peak * float(p.price_peak) + row.kwh_off_peak * float(
            p.price_off_peak) + row.kwh_unsplit * float(p.price) + float(
            p.subscription_per_month) * row.month_covered, 2))
    frame["cost_eur"] = costs
    return frame.drop(columns=["kwh_unsplit", "month_covered"])


def _heating_of(con: duckdb.DuckDBPyConnection, scope: Scope) -> str:
    """gas when a gas meter has data; electric when winter days use > 2x summer days. Read on
    all the person's data, not the period: a home's heating does not change with the period."""
    everything = Scope(scope.person, None, None, scope.tz)
    rows = _q(con, everything, """
        SELECT commodity, avg(kwh) FILTER (month(day) IN (12, 1, 2)) AS winter,
               avg(kwh) FILTER (month(day) IN (6, 7, 8)) AS summer
        FROM (SELECT commodity, day, sum(kwh) AS kwh FROM readings GROUP BY ALL)
        GROUP BY commodity""").set_index("commodity")
    if "gas" in rows.index:
        return "gas"
    if "electricity" in rows.index:
        winter, summer = rows.loc["electricity", "winter"], rows.loc["electricity", "summer"]
        if pd.notna(winter) and pd.notna(summer) and winter > 2 * summer:
            return "electric"
    return "other"


def reference_household(con: duckdb.DuckDBPyConnection, scope: Scope,
                        heating: str | None = None, min_days: int = 28,
                        references: str | Path | None = None) -> pd.DataFrame:
    """The person's kWh per year (scaled to 365 days) next to reference households of 1-5
    people with the same heating (given, or guessed from the data)."""
    heating = heating or _heating_of(con, scope)
    mine = _q(con, scope, """SELECT commodity, sum(kwh) AS kwh, count(DISTINCT day) AS days
                             FROM readings GROUP BY commodity""")
    mine = mine[mine["days"] >= min_days]
    ref = load_reference_households(references)
    ref = ref[ref["heating"] == heating]
    out = ref.merge(mine, on="commodity")
    out["your_kwh"] = out["kwh"] * 365 / out["days"]
    return out.drop(columns=["kwh"]).reset_index(drop=True)


# --- the report's figures, JSON-ready ----------------------------------------------

def yearly(costs: pd.DataFrame) -> pd.DataFrame:
    """kWh, kgCO2e and € per calendar year (all energies together)."""
    per_year = costs.assign(year=pd.to_datetime(costs["month"]).dt.year)
    return per_year.groupby("year", as_index=False)[["kwh", "kg_co2e", "cost_eur"]].sum()


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """Figures over the scope's period (over the year when the period is one year):
    `annual_kwh` {commodity: kWh}, `standby_watts` (sum over electricity meters, W),
    `standby_eur_per_year`, `co2_kg`, `cost_eur` (EDF Tarif Bleu Base for electricity),
    `heating_season_share` {commodity: share of October-April}, `days` {commodity: days}."""
    monthly = monthly_kwh(con, scope)
    floors = standby_floor(con, scope)
    costs = co2_and_cost(con, scope)
    season = heating_season(con, scope)
    heating = season[season["season"] == "heating"]
    return {
        "annual_kwh": {k: round(float(v), 3)
                       for k, v in monthly.groupby("commodity")["kwh"].sum().items()},
        "days": {k: int(v) for k, v in monthly.groupby("commodity")["days"].sum().items()},
        "standby_watts": round(float(floors["standby_w"].sum()), 1) if len(floors) else None,
        "standby_eur_per_year": (round(float(floors["eur_per_year"].sum()), 2)
                                 if len(floors) else None),
        "heating_season_share": {r.commodity: round(float(r.share), 4)
                                 for r in heating.itertuples()},
        "co2_kg": round(float(costs["kg_co2e"].sum()), 1),
        "cost_eur": round(float(costs["cost_eur"].sum()), 2),
    }
