"""The fun facts report: cursors, badges, this month in numbers, the rhythm of the days.

It crosses every source. Its coverage is counted on the bank statements (the frame counts one
table per topic): a person with calls or places but no bank data gets the "no data" message.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from ..analysis import fun_facts as ff
from ..analysis.fun_facts_month import month_in_numbers
from ..analysis.scope import Scope
from ..charts import fun_facts as charts
from ..i18n import fmt_number, t
from ..report import Section, Topic


def strongest(frame: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    """The `n` cursors farthest from the middle (the most marked traits)."""
    known = frame.dropna(subset=["position"])
    order = (known["position"] - 0.5).abs().sort_values(ascending=False, kind="stable")
    return known.loc[order.index[:n]]


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    cur, bad = ff.cursors(con, scope), ff.badges(con, scope)
    rows = []
    for key, (_, r) in zip(("key.extreme", "key.second"), strongest(cur).iterrows(),
                           strict=False):
        side = "left" if r["position"] < 0.5 else "right"
        name = t(f"fun_facts.cursor.{r['cursor']}.{side}", lang)
        rows.append((t(f"fun_facts.{key}", lang),
                     f"{name} ({fmt_number(r['position'], lang, 2)})"))
    if not rows:
        rows.append((t("fun_facts.key.extreme", lang), t("fun_facts.key.none", lang)))
    rows.append((t("fun_facts.key.badges", lang), f"{int(bad['earned'].sum())} / {len(bad)}"))
    return rows


def _num(value: float) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """JSON-ready: cursor positions (null without data) with their calibration, raw values and
    reasons (English), badge ids earned, and this month in numbers. Money figures are floats
    rounded to cents (summed exactly as DECIMAL in DuckDB first)."""
    cur, bad, month = ff.cursors(con, scope), ff.badges(con, scope), month_in_numbers(con, scope)
    numbers: dict[str, Any] = {"month": month["month"].iloc[0] if len(month) else None}
    for r in month.itertuples():
        numbers[r.figure] = round(r.value, 2)
        if isinstance(r.category, str):
            numbers[f"{r.figure}_category"] = r.category
    return {
        "cursors": {r.cursor: _num(r.position) for r in cur.itertuples()},
        "calibration": {r.cursor: r.calibration for r in cur.itertuples()},
        "values": {r.cursor: _num(r.value) for r in cur.itertuples()},
        "reasons": {r.cursor: t(f"fun_facts.reason.{r.reason}", "en")
                    if isinstance(r.reason, str) else None
                    for r in cur.itertuples()},
        "badges": [str(b) for b in bad.loc[bad["earned"], "badge"]],
        "month_in_numbers": numbers,
    }


TOPIC = Topic(
    name="fun_facts",
    table="transactions",
    day_expr="booked_on",
    sections={
        "cursors": Section(ff.cursors, charts.cursors),
        "badges": Section(ff.badges, charts.badges, sensitive=("evidence",)),
        "month_in_numbers": Section(month_in_numbers, charts.month_in_numbers,
                                    sensitive=("label",)),
        "week_rhythm": Section(ff.week_rhythm, charts.week_rhythm),
    },
    key_figures=key_figures,
    extra_tables=("calls", "energy", "places"),
)
