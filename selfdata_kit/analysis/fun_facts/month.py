"""This month in numbers: one month of every source side by side (km, places, calls, texts,
minutes on the phone, kWh, money spent, top category, biggest expense).

The month is the last FULL month of the period (the last month whose last day the period and
the data reach), or the one asked for; with less than a month of data, the last month.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from ..categories import NOT_SPENDING
from ..scope import Scope, in_period, local_day, query
from . import metrics as m

COLUMNS = ["figure", "value", "unit", "category", "label", "month"]


def last_day_with_data(con: duckdb.DuckDBPyConnection, scope: Scope) -> date | None:
    r = query(con, f"""
        SELECT max(day) AS day FROM (
            SELECT max(booked_on) AS day FROM transactions
            WHERE person_id = $person AND {in_period('booked_on')}
            UNION ALL SELECT max({local_day('started_at')}) FROM calls
            WHERE person_id = $person AND {in_period(local_day('started_at'))}
            UNION ALL SELECT max({local_day('start_at')}) FROM places
            WHERE person_id = $person AND {in_period(local_day('start_at'))}
            UNION ALL SELECT max({local_day('start_at')}) FROM energy
            WHERE person_id = $person AND {in_period(local_day('start_at'))})""", scope)
    day = r["day"][0]
    return None if pd.isna(day) else pd.Timestamp(day).date()


def pick_month(con: duckdb.DuckDBPyConnection, scope: Scope, month: str | None = None
               ) -> tuple[date, date] | None:
    """(first, last) local day of the month to show."""
    if month:
        first = date.fromisoformat(f"{month[:7]}-01")
    else:
        last = last_day_with_data(con, scope)
        if last is None:
            return None
        full = last.day == calendar.monthrange(last.year, last.month)[1]
        first = last.replace(day=1) if full else (last.replace(day=1) - timedelta(days=1))
        first = first.replace(day=1)
        if scope.start and first < scope.start:  # less than a full month: the last one
            first = last.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_in_numbers(con: duckdb.DuckDBPyConnection, scope: Scope, month: str | None = None,
                     cfg: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per figure: `value` (a number), its `unit`, and for the top category and the
    biggest expense the `category` and the `label`. Figures without data are left out."""
    from . import load_config

    cfg = cfg or load_config()
    span = pick_month(con, scope, month)
    if span is None:
        return pd.DataFrame(columns=COLUMNS)
    ms = Scope(scope.person, span[0], span[1], scope.tz)
    rows: list[dict[str, Any]] = []

    def add(figure: str, value: float | None, unit: str, category: str | None = None,
            label: str | None = None) -> None:
        if value is not None and not pd.isna(value):
            rows.append({"figure": figure, "value": float(value), "unit": unit,
                         "category": category, "label": label})

    places = m.away_index(con, ms, cfg)
    if places.value is not None:
        add("km_travelled", places.figures["km"], "km")
        add("places_visited", len(m.outings(con, ms, cfg).drop_duplicates(
            ["name", "lat", "lon"])), "places")
    phone = m.contacts_per_week(con, ms, cfg)
    if phone.value is not None:
        add("calls", phone.figures["calls"], "calls")
        add("sms", phone.figures["sms"], "sms")
        add("phone_minutes", phone.figures["minutes"], "min")
    kwh = query(con, f"""
        SELECT commodity, sum(kwh) AS kwh FROM energy JOIN meters USING (person_id, meter_id)
        WHERE person_id = $person AND {in_period(local_day('start_at'))} GROUP BY 1""", ms)
    for row in kwh.itertuples():
        add(f"kwh_{row.commodity}", row.kwh, "kWh")
    spend = query(con, f"""
        SELECT category, -sum(amount) AS eur, count(*) AS n,
               max(-amount) AS biggest, arg_max(label, -amount) AS label
        FROM {m.categorized(con, ms)}
        WHERE amount < 0 AND category NOT IN {tuple(NOT_SPENDING)}
        GROUP BY 1 ORDER BY eur DESC""", ms)
    if not spend.empty:
        add("money_spent", spend["eur"].astype(float).sum(), "EUR")
        add("top_category", spend["eur"][0], "EUR", category=spend["category"][0])
        big = spend.sort_values("biggest", ascending=False).iloc[0]
        add("biggest_expense", big["biggest"], "EUR", category=big["category"],
            label=big["label"])
    frame = pd.DataFrame(rows, columns=COLUMNS[:-1])
    return frame.assign(month=span[0].strftime("%Y-%m"))
