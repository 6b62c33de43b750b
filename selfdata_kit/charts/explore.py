"""Charts of the explorer: pure builders, a frame of `analysis.explore.chart_frame` in, a chart
out. Calls and energy reuse the reports' charts (same frame shapes); spending and places have
their own here. `tab_chart` picks the builder of a tab."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import t
from . import calls as calls_charts
from . import energy as energy_charts
from .spending import category_name
from .theme import MONEY, MONTH, NUMBER, WIDTH


def _t(key: str, lang: str) -> str:
    return t(f"explore.chart.{key}", lang)


def monthly_spending(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Spending per month, stacked by category (one category when the filter picks one)."""
    data = frame.assign(category_name=[category_name(c, lang) for c in frame["category"]])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonth(month):O", title=_t("month", lang),
                axis=alt.Axis(format=MONTH, labelAngle=-40)),
        y=alt.Y("sum(amount):Q", title=_t("amount", lang), axis=alt.Axis(format=MONEY)),
        color=alt.Color("category_name:N", title=_t("category", lang)),
        tooltip=[alt.Tooltip("yearmonth(month):O", title=_t("month", lang), format=MONTH),
                 alt.Tooltip("category_name:N", title=_t("category", lang)),
                 alt.Tooltip("amount:Q", title=_t("amount", lang), format="$,.2f")],
    ).properties(width=WIDTH)


def weekly_places(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Places recorded per week, by kind (visits, journeys, points)."""
    data = frame.assign(kind_name=[t(f"explore.kinds.{k}", lang) for k in frame["kind"]])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("week:T", title=_t("week", lang), axis=alt.Axis(format=MONTH)),
        y=alt.Y("count:Q", title=_t("count", lang), axis=alt.Axis(format=NUMBER)),
        color=alt.Color("kind_name:N", title=_t("kind", lang)),
        tooltip=[alt.Tooltip("week:T", title=_t("week", lang), format="%d/%m/%Y"),
                 alt.Tooltip("kind_name:N", title=_t("kind", lang)),
                 alt.Tooltip("count:Q", title=_t("count", lang), format=NUMBER)],
    ).properties(width=WIDTH)


BUILDERS = {"spending": monthly_spending, "calls": calls_charts.weekly_volume,
            "energy": energy_charts.daily_kwh, "places": weekly_places}


def tab_chart(tab: str, frame: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    return BUILDERS[tab](frame, lang)
