"""The fun facts report: cursors, badges, this month in numbers, the rhythm of the days.

It crosses every source. Its coverage is counted on the bank statements (the frame counts one
table per topic): a person with calls or places but no bank data gets the "no data" message.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..analysis import fun_facts as ff
from ..analysis.fun_facts.month import month_in_numbers
from ..analysis.scope import Scope
from ..charts import fun_facts as charts
from ..i18n import fmt_number, t
from .notebook import Section, Topic, once


def strongest(frame: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    """The `n` cursors farthest from the middle (the most marked traits), among the cursors
    with the evidence they need only (the others have no position: no claim)."""
    known = frame.dropna(subset=["position"])
    known = known[known["evidence"] >= known["needed"]]
    order = (known["position"] - 0.5).abs().sort_values(ascending=False, kind="stable")
    return known.loc[order.index[:n]]


def cursors(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """`ff.cursors` on the report's one facts row (`ff.facts_row`, shared with badges)."""
    return ff.cursors(con, scope, row=once(ff.facts_row, con, scope))


def badges(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    return ff.badges(con, scope, row=once(ff.facts_row, con, scope))


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    cur, bad = once(cursors, con, scope), once(badges, con, scope)  # shown again below
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


TOPIC = Topic(
    name="fun_facts",
    table="transactions",
    sections={
        "cursors": Section(cursors, charts.cursors),
        "badges": Section(badges, charts.badges, sensitive=("evidence",)),
        "month_in_numbers": Section(month_in_numbers, charts.month_in_numbers,
                                    sensitive=("label",)),
        "week_rhythm": Section(ff.week_rhythm, charts.week_rhythm),
    },
    key_figures=key_figures,
    extra_tables=("calls", "energy", "places"),
)
