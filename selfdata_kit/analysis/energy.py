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

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from .energy_contract import Slot
from .energy_factors import (
    load_emission_factors,
    load_reference_households,
    price_of,
)
from .scope import (
    PERSON_TZ_CTE,
    Group,
    Scope,
    group_query,
    in_group,
    in_period,
    local_time,
    query,
)

__all__ = ["READINGS", "co2_and_cost", "daily_kwh", "heating_season", "load_heatmap",
           "load_emission_factors", "load_reference_households", "monthly_kwh", "price_of",
           "reference_household", "standby_floor", "standby_watts", "weekday_weekend"]

LOAD_CURVE, DAY, PERIOD = 0, 1, 2  # grains
NIGHT_HOURS = (1, 4)  # local intervals starting 01:00-04:59: the home asleep
TEMPO_HC: Slot = (22 * 60, 6 * 60)  # Tempo's off-peak hours are fixed by the offer
STANDBY_QUANTILE = 0.05  # the floor ignores the rare lowest values (a meter glitch)
HOURS_PER_YEAR = 8760
W_PER_KWH_PER_S = 3_600_000  # average W = kWh * 3.6e6 / seconds

def readings_cte(set_based: bool = False) -> str:
    """The READINGS selection as SQL CTEs ending in `readings`: for the scope's person
    ($person, $tz) or, `set_based`, for every person of a Group ($persons, each in their own
    time zone: `person_tz`). One text for both, so a person and the cohort read the same rows."""
    if set_based:
        persons, tz = in_group("e.person_id"), "tz"
        source = ("energy e JOIN meters m USING (person_id, meter_id)"
                  " JOIN person_tz USING (person_id)")
        head = f"{PERSON_TZ_CTE},\n"
    else:
        persons, tz = "e.person_id = $person", "$tz"
        source = "energy e JOIN meters m USING (person_id, meter_id)"
        head = ""
    cols = (f"person_id, {'tz, ' if set_based else ''}meter_id, commodity, start_at, local_at,"
            " step_s, grain")
    # each row's local time is computed once (a time zone conversion costs more than the rest)
    return f"""{head}
graded AS (
    SELECT *, CAST(local_at AS DATE) AS first_day,
           CASE WHEN step_s < 72000 THEN {LOAD_CURVE} WHEN step_s <= 93600 THEN {DAY}
                ELSE {PERIOD} END AS grain
    FROM (SELECT e.person_id, {'tz, ' if set_based else ''}e.meter_id, m.commodity,
                 e.start_at, e.end_at, e.kwh, epoch(e.end_at) - epoch(e.start_at) AS step_s,
                 timezone({tz}, e.start_at) AS local_at
          FROM {source}
          WHERE {persons} AND e.kwh IS NOT NULL AND e.end_at > e.start_at
            AND m.commodity IN ('electricity', 'gas')
            AND NOT ends_with(e.meter_id, ':received'))),
spread AS (
    SELECT {cols}, first_day AS day, kwh
    FROM graded WHERE grain < {PERIOD}
    UNION ALL
    SELECT {cols},
           CAST(unnest(generate_series(first_day, greatest(end_day - 1, first_day),
                                       INTERVAL 1 DAY)) AS DATE) AS day,
           kwh / greatest(date_diff('day', first_day, end_day), 1) AS kwh
    FROM (SELECT *, CAST(timezone({tz}, end_at) AS DATE) AS end_day
          FROM graded WHERE grain = {PERIOD})),
in_window AS (SELECT * FROM spread WHERE {in_period('day')}),
-- most meters hold one series (one grain): only the others need the day-by-day choice, done
-- by a semi join on their rows alone (a window over millions of rows costs several times more)
mixed AS (SELECT person_id, meter_id FROM graded GROUP BY ALL HAVING min(grain) < max(grain)),
finest AS (SELECT person_id, meter_id, day, min(grain) AS grain
           FROM in_window SEMI JOIN mixed USING (person_id, meter_id) GROUP BY ALL),
readings AS (
    SELECT *, hour(local_at) AS hour FROM in_window ANTI JOIN mixed USING (person_id, meter_id)
    UNION ALL
    SELECT *, hour(local_at) AS hour FROM in_window
    SEMI JOIN finest USING (person_id, meter_id, day, grain))"""


READINGS = readings_cte()


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


GROUP_READINGS = readings_cte(set_based=True)
_READINGS_COLUMNS = "person_id, meter_id, commodity, local_at, step_s, grain, day, kwh, hour"
COMMODITIES = ("electricity", "gas")  # the energies READINGS keeps
HEATING_MONTHS = (10, 11, 12, 1, 2, 3, 4)


_KEPT = ("e.kwh IS NOT NULL AND e.end_at > e.start_at AND m.commodity IN ('electricity', 'gas')"
         " AND NOT ends_with(e.meter_id, ':received')")
_GRAIN = (f"CASE WHEN epoch(e.end_at) - epoch(e.start_at) < 72000 THEN {LOAD_CURVE}"
          f" WHEN epoch(e.end_at) - epoch(e.start_at) <= 93600 THEN {DAY} ELSE {PERIOD} END")
def _single_series(mixed: str | None) -> str:
    """READINGS of the meters that hold ONE series (one grain), in a single streaming pass:
    no finest-grain choice to make, so no CTE read twice (DuckDB would materialise millions
    of rows). `mixed`: a table of (person_id, meter_id) to leave out; None reads every meter
    as if it held one series."""
    skip = ("" if mixed is None else f"ANTI JOIN {mixed} x ON x.person_id = e.person_id"
            " AND x.meter_id = e.meter_id")
    return f"""WITH {PERSON_TZ_CTE},
graded AS (
    SELECT e.person_id, e.meter_id, m.commodity, tz, e.end_at, e.kwh, {_GRAIN} AS grain,
           epoch(e.end_at) - epoch(e.start_at) AS step_s, timezone(tz, e.start_at) AS local_at
    FROM energy e JOIN meters m USING (person_id, meter_id) JOIN person_tz USING (person_id)
    {skip}
    WHERE {in_group('e.person_id')} AND {_KEPT}),
spread AS (  -- a billing period is spread over its local days, as in READINGS
    SELECT *, CAST(local_at AS DATE) AS first_day,
           CASE WHEN grain = {PERIOD} THEN CAST(timezone(tz, end_at) AS DATE) END AS end_day
    FROM graded)
SELECT person_id, meter_id, commodity, local_at, step_s, grain, day, kwh, hour(local_at) AS hour
FROM (SELECT * EXCLUDE (kwh), CAST(unnest(CASE WHEN grain = {PERIOD}
                                 THEN generate_series(first_day, greatest(end_day - 1, first_day),
                                                      INTERVAL 1 DAY)
                                 ELSE [CAST(first_day AS TIMESTAMP)] END) AS DATE) AS day,
             kwh / CASE WHEN grain = {PERIOD}
                        THEN greatest(date_diff('day', first_day, end_day), 1) ELSE 1 END AS kwh
      FROM spread)
WHERE {in_period('day')}"""


@contextmanager
def group_readings(con: duckdb.DuckDBPyConnection, group: Group) -> Iterator[str]:
    """The group's READINGS computed once into a temporary table (dropped on exit), to look
    at them row by row (the figures read `group_day_parts` instead: a table of the readings
    holds ~80 bytes a reading, 1.4 GB for 1,000 persons). Meters with one series take a
    single streaming pass; the few with several (a load curve AND daily totals) go through
    READINGS' day-by-day choice. Yields the CTE text to put after `WITH`."""
    name = f"readings_{uuid.uuid4().hex}"
    params = group.params

    def run(sql: str) -> duckdb.DuckDBPyConnection:
        return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})

    try:
        run(f"""CREATE TEMP TABLE {name}_mixed AS
                SELECT person_id, meter_id FROM energy e JOIN meters m
                USING (person_id, meter_id) WHERE {in_group('e.person_id')} AND {_KEPT}
                GROUP BY ALL HAVING min({_GRAIN}) < max({_GRAIN})""")
        run(f"CREATE TEMP TABLE {name} AS " + _single_series(f"{name}_mixed"))
        run(f"INSERT INTO {name} WITH {GROUP_READINGS} SELECT {_READINGS_COLUMNS}"
            f" FROM readings SEMI JOIN {name}_mixed USING (person_id, meter_id)")
        yield f"readings AS (SELECT * FROM {name})"
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}_mixed")
        con.execute(f"DROP TABLE IF EXISTS {name}")


def in_slots(clock: str, slots: tuple[Slot, ...]) -> str:
    """SQL predicate: the minute-of-day `clock` falls in one of `slots` (integers only)."""
    parts = [f"({clock} >= {int(s)} AND {clock} < {int(e)})" if s < e
             else f"({clock} >= {int(s)} OR {clock} < {int(e)})" for s, e in slots]
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def _tariff_hc() -> tuple[float, float]:
    """The off-peak hours [start, end) of the default electricity price (`co2_and_cost`)."""
    elec = price_of("electricity", None)
    return (elec.off_peak_start_hour if elec and elec.off_peak_start_hour is not None else 99,
            elec.off_peak_end_hour if elec and elec.off_peak_end_hour is not None else 0)


@contextmanager
def group_day_parts(con: duckdb.DuckDBPyConnection, group: Group,
                    offpeak: Mapping[str, tuple[Slot, ...]] | None = None) -> Iterator[str]:
    """Every figure's input in ONE pass over the group's readings, into a temporary table
    (dropped on exit; its name is yielded) about 12x smaller than the readings: one row per
    person, meter, local day, grain and Tempo day (06:00 to 06:00) with
    - `kwh` and, of the load curve, `kwh_tariff_hc` (the default price's off-peak hours, for
      `co2_and_cost`'s cost), `kwh_offpeak` (in the person's own `offpeak[person]` slots;
      0 for a person not in `offpeak`) and `kwh_tempo_hc` (Tempo's 22:00-06:00);
    - `max_w`, `max_at`: the highest 30-min average power and its local time;
    - `night_w`: the list of the night powers (W) the standby floor is a quantile of.
    Sums are compensated (`fsum`): a plain float sum depends on how DuckDB splits the rows
    between threads, and a person's figure and the cohort's would then differ. A person's
    figures and the cohort's read this same table (built for a group of one)."""
    offpeak = offpeak or {}
    sets = sorted(set(offpeak.values()))
    name = f"day_parts_{uuid.uuid4().hex}"
    # persons sharing the same slots share one SQL predicate (a CASE over the few sets)
    in_offpeak = ("CASE s.slot_set " + " ".join(
        f"WHEN {i} THEN {in_slots('clock', slots)}" for i, slots in enumerate(sets))
        + " ELSE false END") if sets else "false"
    slot_sets = pd.DataFrame({"person_id": pd.Series(list(offpeak), dtype=object),
                              "slot_set": pd.Series([sets.index(s) for s in offpeak.values()],
                                                    dtype="int64")})
    hc_start, hc_end = _tariff_hc()

    def aggregate(readings: str) -> str:
        return f"""
            SELECT person_id, meter_id, commodity, grain, day,
                   CAST(local_at - INTERVAL 6 HOUR AS DATE) AS tempo_day,
                   fsum(kwh) AS kwh,
                   coalesce(fsum(kwh) FILTER (grain = {LOAD_CURVE} AND (
                       hour + minute(local_at) / 60 >= $hc_start
                       OR hour + minute(local_at) / 60 < $hc_end)), 0) AS kwh_tariff_hc,
                   coalesce(fsum(kwh) FILTER ({in_offpeak}), 0) AS kwh_offpeak,
                   coalesce(fsum(kwh) FILTER ({in_slots('clock', (TEMPO_HC,))}), 0)
                       AS kwh_tempo_hc,
                   max(kwh * {W_PER_KWH_PER_S} / step_s) FILTER (step_s <= 1800) AS max_w,
                   arg_max(local_at, kwh / step_s) FILTER (step_s <= 1800) AS max_at,
                   list(kwh * {W_PER_KWH_PER_S} / step_s) FILTER (
                       commodity = 'electricity' AND grain = {LOAD_CURVE} AND step_s <= 3600
                       AND hour BETWEEN {NIGHT_HOURS[0]} AND {NIGHT_HOURS[1]}) AS night_w
            FROM (SELECT *, hour * 60 + minute(local_at) AS clock FROM {readings}) r
            LEFT JOIN {name}_sets s USING (person_id)
            GROUP BY ALL"""

    con.register(f"{name}_sets", slot_sets)
    try:
        # every meter read as if it held one series: the one pass over `energy`
        group_query(con, f"CREATE TEMP TABLE {name} AS WITH readings AS ("
                    f"{_single_series(None)}) {aggregate('readings')}", group,
                    hc_start=hc_start, hc_end=hc_end)
        # the few meters found with several series (a load curve AND daily totals) are
        # done again through READINGS' finest-grain choice, over their persons only
        con.execute(f"""CREATE TEMP TABLE {name}_mixed AS SELECT person_id, meter_id
                        FROM {name} GROUP BY ALL HAVING min(grain) < max(grain)""")
        persons = tuple(p for (p,) in con.execute(
            f"SELECT DISTINCT person_id FROM {name}_mixed ORDER BY 1").fetchall())
        if persons:
            con.execute(f"DELETE FROM {name} USING {name}_mixed m WHERE "
                        f"{name}.person_id = m.person_id AND {name}.meter_id = m.meter_id")
            group_query(con, f"""INSERT INTO {name} WITH {GROUP_READINGS},
                several AS (SELECT * FROM readings SEMI JOIN {name}_mixed
                            USING (person_id, meter_id))
                {aggregate('several')}""", Group(persons, group.start, group.end),
                        hc_start=hc_start, hc_end=hc_end)
        yield name
    finally:
        con.unregister(f"{name}_sets")
        con.execute(f"DROP TABLE IF EXISTS {name}_mixed")
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _group_monthly(con: duckdb.DuckDBPyConnection, group: Group, parts: str) -> pd.DataFrame:
    """Per person, month and commodity: kWh, days with data, off-peak kWh of the load curve
    (the default price's hours), kWh of coarser readings, and the share of the month
    covered: the set-based twin of `co2_and_cost`, from `group_day_parts`."""
    return group_query(con, f"""
        SELECT person_id, month, commodity, fsum(kwh) AS kwh, count(DISTINCT day) AS days,
               fsum(kwh_tariff_hc) AS kwh_off_peak,
               coalesce(fsum(kwh) FILTER (grain > {LOAD_CURVE}), 0) AS kwh_unsplit,
               count(DISTINCT day) / date_diff('day', month, month + INTERVAL 1 MONTH)
                   AS month_covered
        FROM (SELECT *, CAST(date_trunc('month', day) AS DATE) AS month FROM {parts})
        GROUP BY person_id, month, commodity ORDER BY person_id, month, commodity""", group)


def _group_standby(con: duckdb.DuckDBPyConnection, group: Group, parts: str) -> pd.DataFrame:
    """Per person and electricity meter with night readings: the standby floor (W), as
    `standby_watts` computes it for one person (a quantile of the same night powers)."""
    return group_query(con, f"""
        SELECT person_id, meter_id, quantile_cont(w, {STANDBY_QUANTILE}) AS standby_w
        FROM (SELECT person_id, meter_id, unnest(night_w) AS w FROM {parts})
        GROUP BY person_id, meter_id ORDER BY person_id, meter_id""", group)


def _persons(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    return group_query(con, f"SELECT person_id FROM persons WHERE {in_group('person_id')}"
                            " ORDER BY person_id", group)


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group,
                   parts: str | None = None) -> pd.DataFrame:
    """One row per person of the group, one column per number of `figures()`, named as the
    cohort flattens them (`annual_kwh.electricity`, `standby_watts`, `co2_kg` ...), from one
    pass over the readings of every person (`group_day_parts`), GROUP BY person.
    `parts`: the table of `group_day_parts` when the caller already has it."""
    if parts is None:
        with group_day_parts(con, group) as parts:
            return cohort_figures(con, group, parts)
    elec = price_of("electricity", None)
    monthly = _group_monthly(con, group, parts)
    factors = load_emission_factors()
    prices = {c: elec if c == "electricity" else price_of(c, None) for c in COMMODITIES}
    monthly["kg_co2e"] = monthly["kwh"] * monthly["commodity"].map(
        lambda c: float(factors.get(c, {}).get("value", 0)))
    cost = pd.Series(float("nan"), index=monthly.index)
    for c, p in prices.items():  # a commodity without a price costs NaN, as in co2_and_cost
        if p is None:
            continue
        rows = monthly["commodity"] == c
        m = monthly[rows]
        peak = m["kwh"] - m["kwh_off_peak"] - m["kwh_unsplit"]
        cost[rows] = (peak * float(p.price_peak) + m["kwh_off_peak"] * float(p.price_off_peak)
                      + m["kwh_unsplit"] * float(p.price)
                      + float(p.subscription_per_month) * m["month_covered"])
    monthly["cost_eur"] = [round(v, 2) for v in cost]  # Python's rounding, as co2_and_cost
    monthly["heating"] = pd.to_datetime(monthly["month"]).dt.month.isin(HEATING_MONTHS)
    monthly["heating_kwh"] = monthly["kwh"].where(monthly["heating"], 0.0)
    per = monthly.groupby(["person_id", "commodity"]).agg(
        kwh=("kwh", "sum"), days=("days", "sum"), heating_kwh=("heating_kwh", "sum"),
        heating=("heating", "any")).unstack("commodity")
    out = _persons(con, group).set_index("person_id")
    for c in COMMODITIES:
        if ("kwh", c) not in per.columns:
            out[[f"annual_kwh.{c}", f"days.{c}", f"heating_season_share.{c}"]] = float("nan")
            continue
        kwh = per[("kwh", c)].reindex(out.index)
        out[f"annual_kwh.{c}"] = _rounded(kwh, 3)
        out[f"days.{c}"] = per[("days", c)].reindex(out.index).astype(float)
        share = (per[("heating_kwh", c)] / per[("kwh", c)]).where(per[("heating", c)] == True)  # noqa: E712
        out[f"heating_season_share.{c}"] = _rounded(share.reindex(out.index), 4)
    person = monthly.groupby("person_id")
    out["co2_kg"] = _rounded(person["kg_co2e"].sum().reindex(out.index, fill_value=0.0), 1)
    out["cost_eur"] = _rounded(person["cost_eur"].sum().reindex(out.index, fill_value=0.0), 2)
    floors = _group_standby(con, group, parts)
    base = price_of("electricity", None)
    floors["eur"] = floors["standby_w"] * HOURS_PER_YEAR / 1000 * float(base.price if base else 0)
    per_floor = floors.groupby("person_id")
    out["standby_watts"] = _rounded(per_floor["standby_w"].sum().reindex(out.index), 1)
    out["standby_eur_per_year"] = _rounded(per_floor["eur"].sum().reindex(out.index), 2)
    return out.reset_index()


def _rounded(values: pd.Series, digits: int) -> pd.Series:
    """Python's `round` on each value (NaN kept): the figures' exact rounding, which
    numpy's differs from on halves."""
    return values.astype(float).map(lambda v: v if pd.isna(v) else round(v, digits))


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """Figures over the scope's period (over the year when the period is one year):
    `annual_kwh` {commodity: kWh}, `standby_watts` (sum over electricity meters, W),
    `standby_eur_per_year`, `co2_kg`, `cost_eur` (EDF Tarif Bleu Base for electricity),
    `heating_season_share` {commodity: share of October-April}, `days` {commodity: days}.
    The numbers are `cohort_figures` of this one person: the cohort reads the same SQL."""
    row = cohort_figures(con, Group.of(scope)).iloc[0]

    def per_commodity(name: str, cast: type) -> dict:
        return {c: cast(row[f"{name}.{c}"]) for c in COMMODITIES if pd.notna(row[f"{name}.{c}"])}

    def maybe(name: str) -> float | None:
        return None if pd.isna(row[name]) else float(row[name])

    return {
        "annual_kwh": per_commodity("annual_kwh", float),
        "days": per_commodity("days", int),
        "standby_watts": maybe("standby_watts"),
        "standby_eur_per_year": maybe("standby_eur_per_year"),
        "heating_season_share": per_commodity("heating_season_share", float),
        "co2_kg": float(row["co2_kg"]),
        "cost_eur": float(row["cost_eur"]),
    }
