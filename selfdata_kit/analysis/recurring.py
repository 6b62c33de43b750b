"""Recurring payments: the same counterparty, on one account, in one direction, at a regular
period (weekly ... yearly), with the same amount give or take a few euros; or, for bills
that follow consumption (energy), a varying amount on a very regular day.

Payments drift: a direct debit planned on a Sunday is taken on Monday, months have 28 to 31
days, a salary varies by a few euros. So a period is a band of accepted gaps and an amount a
tolerance (both in `data/spending.toml`). A counterparty whose amounts do not all agree is
split into clusters of similar amounts (a Prime subscription among Amazon purchases).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = ["account_id", "counterparty", "category", "direction", "amount", "amount_varies",
           "amount_min", "amount_max", "period_days", "period_name", "count", "first_date",
           "last_date", "next_date", "yearly_amount"]


def _period(days: np.ndarray, cfg: dict[str, Any],
            min_share: float | None = None) -> dict[str, Any] | None:
    """The period whose band holds the median gap, if enough gaps fall in that band (`days`:
    the payments' day numbers, in date order)."""
    gaps = np.diff(days)
    if len(gaps) == 0:
        return None
    median = _median(gaps)
    for p in cfg["periods"]:
        if p["low"] <= median <= p["high"]:
            share = np.count_nonzero((gaps >= p["low"]) & (gaps <= p["high"])) / len(gaps)
            return p if share >= (min_share or cfg["min_share_in_band"]) else None
    return None


def _median(values: np.ndarray) -> float:
    """np.median's value, without its overhead (tens of thousands of tiny arrays)."""
    ordered = np.sort(values)
    n = len(ordered)
    return float((ordered[(n - 1) // 2] + ordered[n // 2]) / 2)


def _tolerance(typical: float, cfg: dict[str, Any], prefix: str = "amount") -> float:
    return max(cfg[f"{prefix}_tolerance_eur"], cfg[f"{prefix}_tolerance_share"] * abs(typical))


def _on_usual_day(weekday: np.ndarray, monthday: np.ndarray, period_days: int,
                  cfg: dict[str, Any]) -> bool:
    """Most payments within a few days of their usual day of the month (or of the week, for
    weekly payments)."""
    if period_days < 28:
        return float(np.bincount(weekday).max() / len(weekday)) >= cfg["varies_share_on_day"]
    usual = _median(monthday)
    deviation = (monthday - usual + 15) % 30 - 15  # the 31st and the 1st are one day apart
    near = np.count_nonzero(np.abs(deviation) <= cfg["day_tolerance"]) / len(monthday)
    return near >= cfg["varies_share_on_day"]


def _clusters(amounts: np.ndarray, cfg: dict[str, Any]) -> list[np.ndarray]:
    """Positions of groups of nearly equal amounts (sorted by size, a new group past the
    tolerance), of at least `split_min_count` payments, each in date order: only those are
    looked at, and a shop's hundreds of one-off amounts would otherwise make hundreds of
    tiny groups."""
    order = np.argsort(np.abs(amounts), kind="stable")
    sizes = np.abs(amounts)[order].tolist()  # plain floats: a Python loop over them is fast
    eur, share = cfg["split_tolerance_eur"], cfg["split_tolerance_share"]
    bounds, start = [0], None
    for i, value in enumerate(sizes):
        if start is not None and value - start > max(eur, share * start):
            bounds.append(i)
            start = None
        start = value if start is None else start
    bounds.append(len(order))
    return [np.sort(order[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)
            if b - a >= cfg["split_min_count"]]


class _Rows:
    """The candidate payments as plain NumPy arrays, sorted by person, account, merchant,
    direction and date (pandas per small group costs milliseconds; a cohort has tens of
    thousands of groups)."""

    def __init__(self, tx: pd.DataFrame, who: list[str]) -> None:
        booked = pd.to_datetime(tx["booked_on"]).to_numpy().astype("datetime64[D]")
        self.day = booked.astype(np.int64)  # days since 1970-01-01
        self.amount = tx["amount"].astype(float).to_numpy()
        # integer codes (sorted like the values) stand for the texts: no column of Python
        # strings is built, and a text is looked up only for the series found
        self.codes: dict[str, np.ndarray] = {}
        self.texts: dict[str, np.ndarray] = {}
        for c in [*who, "account_id", "merchant", "category", "uid"]:
            codes, uniques = pd.factorize(tx[c], sort=True)
            self.codes[c], self.texts[c] = codes, np.asarray(uniques, dtype=object)
        keys = [self.codes[c] for c in [*who, "account_id", "merchant"]]
        sign = np.sign(self.amount)
        order = np.lexsort((self.codes["uid"], self.amount, self.day, sign, *reversed(keys)))
        self.day, self.amount = self.day[order], self.amount[order]
        self.weekday = (self.day + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        self.monthday = pd.DatetimeIndex(booked[order]).day.to_numpy()
        self.codes = {c: codes[order] for c, codes in self.codes.items()}
        stacked = np.stack([k[order] for k in keys] + [sign[order]])
        change = np.flatnonzero((np.diff(stacked, axis=1) != 0).any(axis=0)) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(order)]])
        missing = (stacked[:-1] < 0).any(axis=0)  # a NULL key (no account): no series
        self.groups = [(a, b) for a, b in zip(starts, ends, strict=True) if not missing[a]]

    def text(self, column: str, at: np.ndarray) -> list[object]:
        """The values of `column` at positions `at`."""
        return list(self.texts[column][self.codes[column][at]])


def _describe(rows: _Rows, at: np.ndarray, period: dict[str, Any], varies: bool,
              who: list[str]) -> dict[str, Any]:
    """One series: `at` the positions of its payments in `rows`, in date order."""
    amounts = rows.amount[at]
    rounded, first_seen, counts = np.unique(amounts.round(2), return_index=True,
                                            return_counts=True)
    # the most frequent amount (the first paid among equally frequent ones), else the median
    best = min(range(len(rounded)), key=lambda i: (-counts[i], first_seen[i]))
    typical = float(rounded[best]) if counts[best] > 1 else _median(amounts)
    first, last = (date.fromordinal(int(rows.day[at[i]]) + _EPOCH) for i in (0, -1))
    days = int(period["days"])
    if days >= 28:  # calendar periods: same day of the month, some months later
        months = round(days / 30.44)
        usual = int(_median(rows.monthday[at]))
        y, m = divmod(last.month - 1 + months, 12)
        nxt = _clamped(last.year + y, m + 1, usual)
    else:
        nxt = last + timedelta(days=days)
    per_payment = float(amounts.mean()) if varies else typical
    categories = Counter(rows.text("category", at))
    most = max(categories.values())
    top = [c for c, n in categories.items() if n == most]  # ties: the first by name
    return {
        **{c: rows.text(c, at[:1])[0] for c in who},
        "account_id": rows.text("account_id", at[:1])[0],
        "counterparty": rows.text("merchant", at[:1])[0],
        "category": min(top), "direction": "credit" if typical > 0 else "debit",
        "amount": round(typical, 2), "amount_varies": varies,
        "amount_min": float(amounts.min()), "amount_max": float(amounts.max()),
        "period_days": days, "period_name": period["name"], "count": len(at),
        "first_date": first, "last_date": last, "next_date": nxt,
        "yearly_amount": round(per_payment * 365 / days, 2)}


_EPOCH = date(1970, 1, 1).toordinal()


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
    rows = _Rows(tx, who)
    for a, b in rows.groups:
        if b - a < cfg["min_count"]:
            continue
        at = np.arange(a, b)
        amounts = rows.amount[at]
        period = _period(rows.day[at], cfg)
        typical = _median(amounts)
        stable = bool((np.abs(amounts - typical) <= _tolerance(typical, cfg)).all())
        if period and (stable or (period["days"] >= cfg["varies_min_days"] and _on_usual_day(
                rows.weekday[at], rows.monthday[at], period["days"], cfg))):
            found.append(_describe(rows, at, period, varies=not stable, who=who))
            members += rows.text("uid", at)
            continue
        for cluster in _clusters(amounts, cfg):
            cat = at[cluster]
            cperiod = _period(rows.day[cat], cfg, min_share=1.0)
            # similar amounts picked among many payments look regular by chance: a hidden
            # subscription also keeps its day
            if cperiod and _on_usual_day(rows.weekday[cat], rows.monthday[cat],
                                         cperiod["days"], cfg):
                found.append(_describe(rows, cat, cperiod, varies=False, who=who))
                members += rows.text("uid", cat)
    frame = pd.DataFrame(found, columns=columns)
    for col in ("first_date", "last_date", "next_date"):  # datetime64: charts serialise it
        frame[col] = pd.to_datetime(frame[col])
    if not frame.empty:
        frame = frame.sort_values([*who, "direction", "yearly_amount"],
                                  ascending=[True] * len(who) + [False, True],
                                  ignore_index=True)
    return frame, members
