"""Energy decisions from the electricity load curve: how much falls in the off-peak slots, what
the past year would have cost under each offer, and whether a lower subscribed power would do.

One SQL query (over `energy.READINGS`, so every analysis reads the same readings) gives, per
local day and Tempo day, the kWh of the load curve split by slot and the highest 30-min power;
the pricing then walks those few hundred rows in Python, each day at the grid in force that
day (a year spanning a price change is priced piecewise).

Conventions:
- an interval belongs to a slot by its local START time (as Enedis and the bills count it);
- the window is the scope's period when it has one, else the last 12 months of load curve;
- a year of data is priced as it is; fewer days are priced, then scaled to 365 days (said in
  `days` and `scaled`); days without load curve are not guessed;
- the power of a 30-min step is its AVERAGE power: the real peak (a kettle for two minutes)
  is higher, so `max_power_kva` is a lower bound, and kW is read as kVA (power factor 1).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from .energy import LOAD_CURVE, READINGS, W_PER_KWH_PER_S
from .energy_contract import (
    KVA_STEPS,
    Contract,
    Offer,
    Slot,
    contract_for,
    load_offers,
    load_tempo_days,
    tempo_rule,
)
from .scope import Scope, local_time, query

TEMPO_HC: Slot = (22 * 60, 6 * 60)  # Tempo's off-peak hours are fixed by the offer
MAX_UNCERTAIN_SHARE = 0.2  # above this share of kWh at assumed prices, an offer is "uncertain"


def _in_slots(clock: str, slots: tuple[Slot, ...]) -> str:
    """SQL predicate: the minute-of-day `clock` falls in one of `slots` (integers only)."""
    parts = [f"({clock} >= {int(s)} AND {clock} < {int(e)})" if s < e
             else f"({clock} >= {int(s)} OR {clock} < {int(e)})" for s, e in slots]
    return "(" + " OR ".join(parts) + ")"


def slot_days(con: duckdb.DuckDBPyConnection, scope: Scope,
              offpeak: tuple[Slot, ...]) -> pd.DataFrame:
    """Per local day and Tempo day (06:00 to 06:00): electricity kWh of the load curve, the
    kWh in the `offpeak` slots and in Tempo's 22:00-06:00, and the highest 30-min power (W)."""
    return query(con, f"""WITH {READINGS},
        curve AS (
            SELECT day, kwh, step_s, start_at, hour(lt) * 60 + minute(lt) AS clock,
                   CAST(lt - INTERVAL 6 HOUR AS DATE) AS tempo_day
            FROM (SELECT *, {local_time('start_at')} AS lt FROM readings
                  WHERE commodity = 'electricity' AND grain = {LOAD_CURVE}))
        SELECT day, tempo_day, sum(kwh) AS kwh,
               coalesce(sum(kwh) FILTER ({_in_slots('clock', offpeak)}), 0) AS kwh_offpeak,
               coalesce(sum(kwh) FILTER ({_in_slots('clock', (TEMPO_HC,))}), 0)
                   AS kwh_tempo_hc,
               max(kwh * {W_PER_KWH_PER_S} / step_s) FILTER (step_s <= 1800) AS max_w,
               arg_max({local_time('start_at')}, kwh / step_s) FILTER (step_s <= 1800)
                   AS max_at
        FROM curve GROUP BY day, tempo_day ORDER BY day, tempo_day""", scope)


def past_year(frame: pd.DataFrame, scope: Scope) -> tuple[pd.DataFrame, dt.date, dt.date]:
    """The rows of the window: the scope's period, else the last 12 months of data."""
    if frame.empty:
        return frame, scope.start or dt.date.min, scope.end or dt.date.max
    days = pd.to_datetime(frame["day"]).dt.date
    end = scope.end or days.max()
    start = scope.start or max(days.min(), _year_before(end))
    return frame[(days >= start) & (days <= end)].reset_index(drop=True), start, end


def _year_before(end: dt.date) -> dt.date:
    """The first day of the 12 months ending on `end` (2024-12-31 -> 2024-01-01)."""
    try:
        return end.replace(year=end.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        return end.replace(year=end.year - 1, day=28) + dt.timedelta(days=1)


def offpeak_share(frame: pd.DataFrame) -> float | None:
    total = float(frame["kwh"].sum()) if len(frame) else 0.0
    return float(frame["kwh_offpeak"].sum()) / total if total > 0 else None


def _base_price(base: Offer | None, day: dt.date, fallback: Decimal) -> Decimal:
    return base.grid_on(day)[0].kwh["base"] if base else fallback


def price_offer(offer: Offer, frame: pd.DataFrame, contract: Contract,
                tempo_days: dict[dt.date, str], base: Offer | None = None) -> dict:
    """The cost of the window's load curve under `offer` at the contract's subscribed power,
    each day at the grid in force that day, with its breakdown and its uncertainty."""
    kva = contract.subscribed_kva
    out: dict = {"key": offer.key, "name": offer.name, "supplier": offer.supplier,
                 "kind": offer.kind, "subscribed_kva": kva}
    if any(kva not in g.subscription for g in offer.grids):
        return {**out, "available": False, "annual_cost": None,
                "reason": f"not offered at {kva} kVA"}
    energy: dict[str, list[float]] = {}  # slot -> [kWh, EUR]
    subscription = 0.0
    assumed: set[dt.date] = set()
    unknown: set[dt.date] = set()
    sources: dict[str, None] = {}

    def add(slot: str, kwh: float, price: Decimal) -> None:
        cell = energy.setdefault(slot, [0.0, 0.0])
        cell[0] += kwh
        cell[1] += kwh * float(price)

    seen_days: set[dt.date] = set()
    for row in frame.itertuples():
        day = pd.Timestamp(row.day).date()
        grid, in_force = offer.grid_on(day)
        sources[grid.source] = None
        if not in_force:
            assumed.add(day)
        if day not in seen_days:  # the subscription is paid per day of the month
            seen_days.add(day)
            subscription += float(grid.subscription[kva]) / calendar.monthrange(
                day.year, day.month)[1]
        p, kwh = grid.kwh, float(row.kwh)
        if offer.kind == "base":
            add("base", kwh, p["base"])
        elif offer.kind == "hphc":
            add("hc", float(row.kwh_offpeak), p["hc"])
            add("hp", kwh - float(row.kwh_offpeak), p["hp"])
        elif offer.kind == "weekend":
            add("weekend" if day.isoweekday() >= 6 else "week", kwh,
                p["weekend" if day.isoweekday() >= 6 else "week"])
        else:  # tempo: the colour of the Tempo day (06:00 to 06:00)
            tempo_day = pd.Timestamp(row.tempo_day).date()
            colour = tempo_days.get(tempo_day) or tempo_rule(tempo_day)
            if colour is None:
                unknown.add(tempo_day)
                add("unknown_colour", kwh, _base_price(base, day, p["blue_hp"]))
            else:
                add(f"{colour}_hc", float(row.kwh_tempo_hc), p[f"{colour}_hc"])
                add(f"{colour}_hp", kwh - float(row.kwh_tempo_hc), p[f"{colour}_hp"])
    days = len(seen_days)
    cost = subscription + sum(eur for _, eur in energy.values())
    scale = 1.0 if days >= 365 or days == 0 else 365 / days
    total_kwh = sum(k for k, _ in energy.values())
    out.update({
        "available": True,
        "annual_cost": round(cost * scale, 2) if days else None,
        "cost_eur": round(cost, 2), "days": days, "scaled": scale != 1.0,
        "breakdown": {"subscription_eur": round(subscription, 2),
                      "energy": {slot: {"kwh": round(k, 3), "eur": round(e, 2)}
                                 for slot, (k, e) in sorted(energy.items())}},
        "days_at_assumed_prices": len(assumed),
        "sources": list(sources)})
    if offer.kind == "tempo":
        unknown_kwh = energy.get("unknown_colour", [0.0, 0.0])[0]
        out["unknown_colour_days"] = len(unknown)
        out["unknown_colour_kwh_share"] = (round(unknown_kwh / total_kwh, 4)
                                           if total_kwh else None)
    return out


def max_power(frame: pd.DataFrame, contract: Contract, offer: Offer | None,
              end: dt.date) -> dict:
    """The highest 30-min average power (kW read as kVA: a lower bound of the real peak)
    against the subscribed power, and what one step down would save per year."""
    if frame.empty or frame["max_w"].isna().all():
        return {"max_power_kva": None, "subscribed_kva": contract.subscribed_kva}
    top = frame.loc[frame["max_w"].idxmax()]
    peak_kva = float(top["max_w"]) / 1000
    kva = contract.subscribed_kva
    lower = max((s for s in KVA_STEPS if s < kva), default=None)
    step: dict = {"kva": lower, "fits": lower is not None and peak_kva < lower}
    if lower is not None and offer is not None:
        grid = offer.grid_on(end)[0]
        if lower in grid.subscription and kva in grid.subscription:
            step["saving_per_year"] = round(
                float(grid.subscription[kva] - grid.subscription[lower]) * 12, 2)
            step["source"] = grid.source
        else:
            step["saving_per_year"] = None  # the offer has no such power
    return {"max_power_kva": round(peak_kva, 2), "max_power_at": str(top["max_at"]),
            "lower_bound": True, "step_minutes": 30, "subscribed_kva": kva,
            "headroom_kva": round(kva - peak_kva, 2), "step_down": step}


def decisions(con: duckdb.DuckDBPyConnection, scope: Scope, contract: Contract | None = None,
              offers_path: str | Path | None = None) -> dict:
    """Every energy decision figure of `scope`, JSON-ready (see `selfdata summary --json`)."""
    contract = contract or contract_for(scope.person)
    offers = load_offers(offers_path or contract.offers_file)
    frame, start, end = past_year(slot_days(con, scope, contract.offpeak), scope)
    tempo_days = load_tempo_days(contract.tempo_calendar)
    base = next((o for o in offers.values() if o.kind == "base"), None)
    priced = [price_offer(o, frame, contract, tempo_days, base) for o in offers.values()]
    for p in priced:  # an estimate mostly on assumed prices is listed, never marked cheapest
        p["uncertain"] = (p.get("unknown_colour_kwh_share") or 0) > MAX_UNCERTAIN_SHARE
    costs = [p["annual_cost"] for p in priced
             if p.get("annual_cost") is not None and not p["uncertain"]]
    for p in priced:
        p["current"] = p["key"] == contract.offer
        p["cheapest"] = bool(costs) and not p["uncertain"] and p.get("annual_cost") == min(costs)
    share = offpeak_share(frame)
    return {
        "window": {"start": str(start), "end": str(end), "days": int(frame["day"].nunique())
                   if len(frame) else 0},
        "contract": {"offer": contract.offer, "subscribed_kva": contract.subscribed_kva,
                     "offpeak": contract.offpeak_text, "source": contract.source},
        "offpeak_share": round(share, 4) if share is not None else None,
        "energy_offers": priced if len(frame) else [],
        **max_power(frame, contract, offers.get(contract.offer), end),
    }


def offers_frame(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The report's section: one row per available offer, its yearly cost, the person's
    current offer and the cheapest marked, and the share of the cost that is uncertain."""
    d = decisions(con, scope)
    rows = [{"offer": p["name"], "annual_cost": p["annual_cost"], "current": p["current"],
             "cheapest": p["cheapest"],
             "uncertain_share": p.get("unknown_colour_kwh_share") or 0.0,
             "uncertain": p["uncertain"]}
            for p in d["energy_offers"] if p.get("annual_cost") is not None]
    return pd.DataFrame(rows, columns=["offer", "annual_cost", "current", "cheapest",
                                       "uncertain_share", "uncertain"])
