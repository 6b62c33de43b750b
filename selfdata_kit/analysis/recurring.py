"""Recurring payments: the same counterparty, on one account, in one direction, at a regular
period (weekly ... yearly), with the same amount give or take a few euros; or, for bills
that follow consumption (energy), a varying amount on a very regular day.

Payments drift: a direct debit planned on a Sunday is taken on Monday, months have 28 to 31
days, a salary varies by a few euros. So a period is a band of accepted gaps and an amount a
tolerance (both in `data/spending.toml`). A counterparty whose amounts do not all agree is
split into clusters of similar amounts (a Prime subscription among Amazon purchases).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = ["account_id", "counterparty", "category", "direction", "amount", "amount_varies",
           "amount_min", "amount_max", "period_days", "period_name", "count", "first_date",
           "last_date", "next_date", "yearly_amount"]


def _period(dates: list[date], cfg: dict[str, Any],
            min_share: float | None = None) -> dict[str, Any] | None:
    """The period whose band holds the median gap, if enough gaps fall in that band."""
    gaps = np.diff([d.toordinal() for d in dates])
    if len(gaps) == 0:
        return None
    median = float(np.median(gaps))
    for p in cfg["periods"]:
        if p["low"] <= median <= p["high"]:
            share = float(np.mean((gaps >= p["low"]) & (gaps <= p["high"])))
            return p if share >= (min_share or cfg["min_share_in_band"]) else None
    return None


def _tolerance(typical: float, cfg: dict[str, Any], prefix: str = "amount") -> float:
    return max(cfg[f"{prefix}_tolerance_eur"], cfg[f"{prefix}_tolerance_share"] * abs(typical))


def _on_usual_day(dates: list[date], period_days: int, cfg: dict[str, Any]) -> bool:
    """Most payments within a few days of their usual day of the month (or of the week, for
    weekly payments)."""
    if period_days < 28:
        weekdays = pd.Series([d.weekday() for d in dates])
        return float(weekdays.value_counts().iloc[0] / len(dates)) >= cfg["varies_share_on_day"]
    days = np.array([d.day for d in dates])
    usual = np.median(days)
    deviation = (days - usual + 15) % 30 - 15  # the 31st and the 1st are one day apart
    return float(np.mean(np.abs(deviation) <= cfg["day_tolerance"])) >= cfg["varies_share_on_day"]


def _clusters(rows: pd.DataFrame, cfg: dict[str, Any]) -> list[pd.DataFrame]:
    """Groups of nearly equal amounts (sorted by size, a new group past the tolerance), of at
    least `split_min_count` payments: only those are looked at, and a shop's hundreds of
    one-off amounts would otherwise make hundreds of tiny frames."""
    ordered = rows.assign(_abs=rows["amount"].abs().astype(float)).sort_values("_abs")
    bounds, start = [0], None
    for i, value in enumerate(ordered["_abs"]):
        if start is not None and value - start > _tolerance(start, cfg, "split"):
            bounds.append(i)
            start = None
        start = value if start is None else start
    bounds.append(len(ordered))
    return [rows.loc[ordered.index[a:b]] for a, b in zip(bounds, bounds[1:], strict=False)
            if b - a >= cfg["split_min_count"]]


def _describe(rows: pd.DataFrame, period: dict[str, Any], varies: bool) -> dict[str, Any]:
    rows = rows.sort_values("booked_on")
    dates = [d.date() if hasattr(d, "date") else d for d in rows["booked_on"]]
    amounts = rows["amount"].astype(float)
    counts = amounts.round(2).value_counts()
    typical = (float(counts.index[0]) if counts.iloc[0] > 1 else float(amounts.median()))
    last, days = dates[-1], int(period["days"])
    if days >= 28:  # calendar periods: same day of the month, some months later
        months = round(days / 30.44)
        usual = int(np.median([d.day for d in dates]))
        y, m = divmod(last.month - 1 + months, 12)
        nxt = _clamped(last.year + y, m + 1, usual)
    else:
        nxt = last + timedelta(days=days)
    per_payment = float(amounts.mean()) if varies else typical
    who = {"person_id": rows["person_id"].iloc[0]} if "person_id" in rows else {}
    return {
        **who,
        "account_id": rows["account_id"].iloc[0], "counterparty": rows["merchant"].iloc[0],
        "category": rows["category"].mode().iloc[0],
        "direction": "credit" if typical > 0 else "debit",
        "amount": round(typical, 2), "amount_varies": varies,
        "amount_min": float(amounts.min()), "amount_max": float(amounts.max()),
        "period_days": days, "period_name": period["name"], "count": len(rows),
        "first_date": dates[0], "last_date": last, "next_date": nxt,
        "yearly_amount": round(per_payment * 365 / days, 2)}


def _clamped(year: int, month: int, day: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day, (nxt - timedelta(days=1)).day))


def find_recurring(tx: pd.DataFrame, cfg: dict[str, Any]) -> tuple[pd.DataFrame, list[str]]:
    """Series found among `tx` (account_id, merchant, category, booked_on, amount, uid) and the
    uids of the payments that belong to one. With a `person_id` column, the rows of many
    persons at once: series never mix persons, and each person's series are found by the
    very same steps as on their rows alone (the cohort's recurring payments)."""
    found, members = [], []
    who = ["person_id"] if "person_id" in tx.columns else []
    columns = who + COLUMNS
    if tx.empty:
        return pd.DataFrame(columns=columns), members
    # plain NumPy columns: the many small groups below are slow to take from Arrow columns
    tx = tx.astype({c: object for c in ("person_id", "account_id", "merchant", "category",
                                        "uid") if c in tx.columns})
    tx = tx.assign(_sign=np.sign(tx["amount"].astype(float)))
    for _, group in tx.groupby([*who, "account_id", "merchant", "_sign"], sort=True):
        if len(group) < cfg["min_count"]:
            continue
        group = group.sort_values("booked_on")
        dates = [d.date() if hasattr(d, "date") else d for d in group["booked_on"]]
        period = _period(dates, cfg)
        typical = float(group["amount"].astype(float).median())
        stable = bool((group["amount"].astype(float) - typical).abs().le(
            _tolerance(typical, cfg)).all())
        if period and (stable or (period["days"] >= cfg["varies_min_days"]
                                  and _on_usual_day(dates, period["days"], cfg))):
            found.append(_describe(group, period, varies=not stable))
            members += list(group["uid"])
            continue
        for cluster in _clusters(group, cfg):
            cluster = cluster.sort_values("booked_on")
            if len(cluster) < cfg["split_min_count"]:
                continue
            cdates = [d.date() if hasattr(d, "date") else d for d in cluster["booked_on"]]
            cperiod = _period(cdates, cfg, min_share=1.0)
            # similar amounts picked among many payments look regular by chance: a hidden
            # subscription also keeps its day
            if cperiod and _on_usual_day(cdates, cperiod["days"], cfg):
                found.append(_describe(cluster, cperiod, varies=False))
                members += list(cluster["uid"])
    frame = pd.DataFrame(found, columns=columns)
    for col in ("first_date", "last_date", "next_date"):  # datetime64: charts serialise it
        frame[col] = pd.to_datetime(frame[col])
    if not frame.empty:
        frame = frame.sort_values([*who, "direction", "yearly_amount"],
                                  ascending=[True] * len(who) + [False, True],
                                  ignore_index=True)
    return frame, members
