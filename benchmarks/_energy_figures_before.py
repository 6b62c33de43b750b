"""The energy cohort figures as computed before the one-pass rewrite (selfdata_kit at commit
9bc3857, 2026-11-27), kept as the baseline of `cohort_figures_energy_calls.py`: the group's
readings selected into a temporary table (~18 M rows for 1,000 persons), then read three
times (months x commodities, night floors, slot days). Only the data path is kept here: the
pricing helpers, loaders and constants are imported from the package, unchanged in meaning.
Not used by the package; not to be edited except to keep it running."""

# ruff: noqa

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from selfdata_kit.analysis.energy import (
    COMMODITIES, DAY, GROUP_READINGS, HEATING_MONTHS, HOURS_PER_YEAR, LOAD_CURVE, NIGHT_HOURS,
    PERIOD, STANDBY_QUANTILE, TEMPO_HC, W_PER_KWH_PER_S, _persons, _READINGS_COLUMNS, _rounded,
    load_emission_factors, price_of)
from selfdata_kit.analysis.energy_contract import (
    KVA_STEPS, Contract, Slot, contracts_for, load_offers, load_tempo_days)
from selfdata_kit.analysis.energy_offers import (
    MAX_UNCERTAIN_SHARE, _costs, _peaks, _price_offer, _step_down, in_windows, windows)
from selfdata_kit.analysis.scope import PERSON_TZ_CTE, Group, group_query, in_group, in_period


_KEPT = ("e.kwh IS NOT NULL AND e.end_at > e.start_at AND m.commodity IN ('electricity', 'gas')"
         " AND NOT ends_with(e.meter_id, ':received')")
_GRAIN = (f"CASE WHEN epoch(e.end_at) - epoch(e.start_at) < 72000 THEN {LOAD_CURVE}"
          f" WHEN epoch(e.end_at) - epoch(e.start_at) <= 93600 THEN {DAY} ELSE {PERIOD} END")
# READINGS of the meters that hold ONE series (one grain), in a single streaming pass: no
# finest-grain choice to make, so no CTE read twice (DuckDB would materialise millions of rows)
_SINGLE_SERIES = f"""WITH {PERSON_TZ_CTE},
graded AS (
    SELECT e.person_id, e.meter_id, m.commodity, tz, e.end_at, e.kwh, {_GRAIN} AS grain,
           epoch(e.end_at) - epoch(e.start_at) AS step_s, timezone(tz, e.start_at) AS local_at
    FROM energy e JOIN meters m USING (person_id, meter_id) JOIN person_tz USING (person_id)
    ANTI JOIN {{mixed}} x ON x.person_id = e.person_id AND x.meter_id = e.meter_id
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
    """The group's READINGS computed once into a temporary table (dropped on exit): the set-
    based figures read it several times (months, night floors, slot days), and selecting the
    readings (time zones, finest grain per day) costs more than any one of them. Meters with
    one series take a single streaming pass; the few with several (a load curve AND daily
    totals) go through READINGS' day-by-day choice. Yields the CTE text to put after `WITH`."""
    name = f"readings_{uuid.uuid4().hex}"
    params = group.params

    def run(sql: str) -> duckdb.DuckDBPyConnection:
        return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})

    mixed = run(f"""SELECT person_id, meter_id FROM energy e JOIN meters m
                    USING (person_id, meter_id) WHERE {in_group('e.person_id')} AND {_KEPT}
                    GROUP BY ALL HAVING min({_GRAIN}) < max({_GRAIN})""").df()
    con.register(f"{name}_mixed", mixed)
    try:
        run(f"CREATE TEMP TABLE {name} AS "
            + _SINGLE_SERIES.replace("{mixed}", f"{name}_mixed"))
        if len(mixed):
            run(f"INSERT INTO {name} WITH {GROUP_READINGS} SELECT {_READINGS_COLUMNS}"
                f" FROM readings SEMI JOIN {name}_mixed USING (person_id, meter_id)")
        yield f"readings AS (SELECT * FROM {name})"
    finally:
        con.unregister(f"{name}_mixed")
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _group_monthly(con: duckdb.DuckDBPyConnection, group: Group, readings: str,
                   hc: tuple[float, float]) -> pd.DataFrame:
    """Per person, month and commodity: kWh (compensated sums, `fsum`: a plain float sum
    depends on how DuckDB splits the rows between threads, and a figure rounded to the Wh
    would then differ between a person's summary and the cohort), days with data, off-peak
    kWh of the load curve (intervals starting in [hc[0], hc[1]) local hours), kWh of coarser
    readings, and the share of the month covered: the set-based twin of `co2_and_cost`."""
    return group_query(con, f"""WITH {readings}
        SELECT person_id, month, commodity, fsum(kwh) AS kwh, count(DISTINCT day) AS days,
               coalesce(fsum(kwh) FILTER (grain = {LOAD_CURVE} AND (clock >= $hc_start
                                          OR clock < $hc_end)), 0) AS kwh_off_peak,
               coalesce(fsum(kwh) FILTER (grain > {LOAD_CURVE}), 0) AS kwh_unsplit,
               count(DISTINCT day) / date_diff('day', month, month + INTERVAL 1 MONTH)
                   AS month_covered
        FROM (SELECT *, hour + minute(local_at) / 60 AS clock,
                     CAST(date_trunc('month', day) AS DATE) AS month FROM readings)
        GROUP BY person_id, month, commodity ORDER BY person_id, month, commodity""", group,
        hc_start=hc[0], hc_end=hc[1])


def _group_standby(con: duckdb.DuckDBPyConnection, group: Group, readings: str
                   ) -> pd.DataFrame:
    """Per person and electricity meter with night readings: the standby floor (W), as
    `standby_watts` computes it for one person."""
    return group_query(con, f"""WITH {readings}
        SELECT person_id, meter_id, quantile_cont(w, {STANDBY_QUANTILE}) AS standby_w
        FROM (SELECT person_id, meter_id, kwh * {W_PER_KWH_PER_S} / step_s AS w FROM readings
              WHERE commodity = 'electricity' AND grain = {LOAD_CURVE} AND step_s <= 3600
                AND hour BETWEEN {NIGHT_HOURS[0]} AND {NIGHT_HOURS[1]})
        GROUP BY person_id, meter_id ORDER BY person_id, meter_id""", group)



def energy_report_figures(con: duckdb.DuckDBPyConnection, group: Group,
                   readings: str | None = None) -> pd.DataFrame:
    """One row per person of the group, one column per number of `figures()`, named as the
    cohort flattens them (`annual_kwh.electricity`, `standby_watts`, `co2_kg` ...): two passes
    over the readings of every person (months x commodities, night floors), GROUP BY person.
    `readings`: the CTE of `group_readings` when the caller already has it."""
    if readings is None:
        with group_readings(con, group) as readings:
            return energy_report_figures(con, group, readings)
    elec = price_of("electricity", None)
    hc = (elec.off_peak_start_hour if elec and elec.off_peak_start_hour is not None else 99,
          elec.off_peak_end_hour if elec and elec.off_peak_end_hour is not None else 0)
    monthly = _group_monthly(con, group, readings, hc)
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
    floors = _group_standby(con, group, readings)
    base = price_of("electricity", None)
    floors["eur"] = floors["standby_w"] * HOURS_PER_YEAR / 1000 * float(base.price if base else 0)
    per_floor = floors.groupby("person_id")
    out["standby_watts"] = _rounded(per_floor["standby_w"].sum().reindex(out.index), 1)
    out["standby_eur_per_year"] = _rounded(per_floor["eur"].sum().reindex(out.index), 2)
    return out.reset_index()



def _in_slots(clock: str, slots: tuple[Slot, ...]) -> str:
    """SQL predicate: the minute-of-day `clock` falls in one of `slots` (integers only)."""
    parts = [f"({clock} >= {int(s)} AND {clock} < {int(e)})" if s < e
             else f"({clock} >= {int(s)} OR {clock} < {int(e)})" for s, e in slots]
    return "(" + " OR ".join(parts) + ")"


def group_slot_days(con: duckdb.DuckDBPyConnection, group: Group,
                    offpeak: Mapping[str, tuple[Slot, ...]], readings: str | None = None
                    ) -> pd.DataFrame:
    """Per person of the group, local day and Tempo day (06:00 to 06:00): electricity kWh of
    the load curve, the kWh in the person's own `offpeak[person]` slots and in Tempo's
    22:00-06:00, and the highest 30-min power (W) with its local time. One pass: persons
    sharing the same slots share one SQL predicate (a CASE over the few distinct sets)."""
    sets = sorted(set(offpeak.values()))
    slot_set = pd.DataFrame({"person_id": list(offpeak),
                             "slot_set": [sets.index(s) for s in offpeak.values()]})
    in_offpeak = ("CASE s.slot_set " + " ".join(
        f"WHEN {i} THEN {_in_slots('clock', slots)}" for i, slots in enumerate(sets))
        + " ELSE false END") if sets else "false"
    if readings is None:
        with group_readings(con, group) as readings:
            return group_slot_days(con, group, offpeak, readings)
    name = f"offpeak_sets_{uuid.uuid4().hex}"
    con.register(name, slot_set)
    try:
        return group_query(con, f"""WITH {readings},
            curve AS (
                SELECT person_id, day, kwh, step_s, local_at,
                       hour(local_at) * 60 + minute(local_at) AS clock,
                       CAST(local_at - INTERVAL 6 HOUR AS DATE) AS tempo_day
                FROM readings WHERE commodity = 'electricity' AND grain = {LOAD_CURVE})
            SELECT person_id, day, tempo_day, fsum(kwh) AS kwh,
                   coalesce(fsum(kwh) FILTER ({in_offpeak}), 0) AS kwh_offpeak,
                   coalesce(fsum(kwh) FILTER ({_in_slots('clock', (TEMPO_HC,))}), 0)
                       AS kwh_tempo_hc,
                   max(kwh * {W_PER_KWH_PER_S} / step_s) FILTER (step_s <= 1800) AS max_w,
                   arg_max(local_at, kwh / step_s) FILTER (step_s <= 1800) AS max_at
            FROM curve JOIN {name} s USING (person_id)
            GROUP BY person_id, day, tempo_day ORDER BY person_id, day, tempo_day""", group)
    finally:
        con.unregister(name)



def group_decisions(con: duckdb.DuckDBPyConnection, group: Group,
                    contracts: Mapping[str, Contract] | None = None,
                    offers_path: str | Path | None = None,
                    readings: str | None = None) -> dict[str, object]:
    """Every person's decisions as frames: `contracts` (person -> Contract), `windows`,
    `frame` (windowed slot days), `offers` (one row per person and offer: costs, current,
    cheapest, uncertain), `energy` (per person, offer and slot) and the `offer_defs` used."""
    if contracts is None:
        persons = group_query(con, "SELECT person_id FROM persons WHERE "
                              "(CAST($persons AS VARCHAR[]) IS NULL OR list_contains("
                              "CAST($persons AS VARCHAR[]), person_id)) ORDER BY 1", group)
        contracts = contracts_for(list(persons["person_id"]))
    raw = group_slot_days(con, group, {p: c.offpeak for p, c in contracts.items()}, readings)
    wins = windows(raw, group)
    frame = in_windows(raw, wins)
    kva = pd.Series({p: c.subscribed_kva for p, c in contracts.items()}, dtype=int)
    all_totals, all_energy, defs = [], [], {}
    # persons whose contracts name the same offers file and Tempo calendar are priced together
    setups: dict[tuple[object, object], list[str]] = {}
    for p, c in contracts.items():
        setups.setdefault((offers_path or c.offers_file, c.tempo_calendar), []).append(p)
    for (offers_file, calendar), persons in setups.items():
        offers = load_offers(offers_file)
        tempo_days = load_tempo_days(calendar)
        base = next((o for o in offers.values() if o.kind == "base"), None)
        rows = frame[frame["person_id"].isin(persons)]
        for offer in offers.values():
            defs[(offers_file, offer.key)] = offer
            totals, energy = _price_offer(offer, rows, kva, tempo_days, base)
            all_totals.append(totals.assign(offers_file=str(offers_file)))
            all_energy.append(energy)
    offers = _costs(pd.concat(all_totals, ignore_index=True)) if all_totals else pd.DataFrame()
    if not offers.empty:
        # an estimate mostly on assumed prices is listed, never marked cheapest
        share = offers.get("unknown_colour_kwh_share", pd.Series(np.nan, index=offers.index))
        offers["uncertain"] = share.fillna(0) > MAX_UNCERTAIN_SHARE
        offers["current"] = offers["key"] == offers["person_id"].map(
            {p: c.offer for p, c in contracts.items()})
        sure = offers["annual_cost"].where(~offers["uncertain"]).astype(float)
        lowest = sure.groupby(offers["person_id"]).transform("min")
        offers["cheapest"] = (~offers["uncertain"]) & (sure == lowest)
    return {"contracts": contracts, "windows": wins, "frame": frame, "offers": offers,
            "energy": (pd.concat(all_energy, ignore_index=True) if all_energy
                       else pd.DataFrame(columns=["person_id", "slot", "kwh", "eur", "key"])),
            "offer_defs": defs}



def decision_figures(con: duckdb.DuckDBPyConnection, group: Group,
                     readings: str | None = None) -> pd.DataFrame:
    """One row per person of the group, one column per number of `decisions()` (named as the
    cohort flattens them: `offpeak_share`, `max_power_kva`, `step_down.saving_per_year` ...),
    and for the list of offers: `energy_offers.<key>.annual_cost` per offer,
    `energy_offers.current_annual_cost`, `energy_offers.cheapest_annual_cost` and
    `energy_offers.saving_per_year` (current minus cheapest)."""
    d = group_decisions(con, group, readings=readings)
    contracts: Mapping[str, Contract] = d["contracts"]
    frame, offers = d["frame"], d["offers"]
    out = pd.DataFrame(index=pd.Index(sorted(contracts), name="person_id"))
    kva = pd.Series({p: float(c.subscribed_kva) for p, c in contracts.items()})
    out["window.days"] = frame.groupby("person_id")["day"].nunique().reindex(
        out.index, fill_value=0).astype(float)
    out["contract.subscribed_kva"] = kva
    per = frame.groupby("person_id")
    total = per["kwh"].sum()
    share = (per["kwh_offpeak"].sum() / total).where(total > 0)
    out["offpeak_share"] = share.reindex(out.index).map(
        lambda v: v if pd.isna(v) else round(v, 4))
    peaks = _peaks(frame) if len(frame) else pd.DataFrame(columns=["max_w"])
    peak_kva = (peaks["max_w"] / 1000).reindex(out.index)
    out["max_power_kva"] = peak_kva.map(lambda v: v if pd.isna(v) else round(v, 2))
    out["step_minutes"] = np.where(peak_kva.notna(), 30.0, np.nan)
    out["subscribed_kva"] = kva
    out["headroom_kva"] = (kva - peak_kva).map(lambda v: v if pd.isna(v) else round(v, 2))
    lower = kva.map(lambda k: max((s for s in KVA_STEPS if s < k), default=np.nan))
    out["step_down.kva"] = lower.where(peak_kva.notna())
    # what one step down saves: the current offer's grid on the window's last day, computed
    # once per distinct (offer, day, power), not per person
    ends = d["windows"]["end"].reindex(out.index).map(lambda t: t if pd.isna(t) else t.date())
    keys = pd.DataFrame({"offer": [(contracts[p].offers_file, contracts[p].offer)
                                   for p in out.index], "end": ends, "kva": kva})
    saving = {}
    for offer_key, end, k in set(keys[peak_kva.notna()].itertuples(index=False, name=None)):
        step = _step_down(int(k), 0.0, d["offer_defs"].get(offer_key), end)
        saving[(offer_key, end, k)] = step.get("saving_per_year")
    out["step_down.saving_per_year"] = [
        saving.get(t) if has else None for t, has in zip(
            keys.itertuples(index=False, name=None), peak_kva.notna(), strict=True)]
    out["step_down.saving_per_year"] = out["step_down.saving_per_year"].astype(float)
    if not offers.empty:
        costs = offers.pivot_table(index="person_id", columns="key", values="annual_cost",
                                   aggfunc="first")
        for key in costs.columns:
            out[f"energy_offers.{key}.annual_cost"] = costs[key].reindex(out.index).astype(float)
        cost = offers["annual_cost"].astype(float)
        out["energy_offers.current_annual_cost"] = cost[offers["current"]].groupby(
            offers.loc[offers["current"], "person_id"]).first().reindex(out.index)
        out["energy_offers.cheapest_annual_cost"] = cost[offers["cheapest"]].groupby(
            offers.loc[offers["cheapest"], "person_id"]).first().reindex(out.index)
        out["energy_offers.saving_per_year"] = (out["energy_offers.current_annual_cost"]
                                                - out["energy_offers.cheapest_annual_cost"])
    return out.astype(float).reset_index()


def energy_cohort_figures(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """The energy report's numbers and its decisions' for every person of the group (what
    `analysis.figures.energy_figures` gives one person), the readings selected once."""
    with group_readings(con, group) as readings:
        return energy_report_figures(con, group, readings).merge(
            decision_figures(con, group, readings), on="person_id", how="left")


