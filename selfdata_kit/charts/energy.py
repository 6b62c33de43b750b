"""Charts of the energy report: pure builders, one small frame in, one Altair chart out.

Frames come from `selfdata_kit.analysis.energy`; labels from `i18n/energy.toml` (`chart.*`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import t
from .theme import MONEY, MONTH, NUMBER, PALETTE, SEQUENTIAL, WIDTH

COMMODITY_COLOURS = {"electricity": PALETTE[0], "gas": PALETTE[1]}


def _l(key: str, lang: str) -> str:
    return t(f"energy.chart.{key}", lang)


def _commodity(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, alt.Color]:
    """The frame with a translated `energy` column, and its colour encoding."""
    out = frame.assign(energy=frame["commodity"].map(lambda c: _l(c, lang)))
    present = [c for c in COMMODITY_COLOURS if c in set(frame["commodity"])]
    scale = alt.Scale(domain=[_l(c, lang) for c in present],
                      range=[COMMODITY_COLOURS[c] for c in present])
    return out, alt.Color("energy:N", title=_l("commodity", lang), scale=scale)


def daily_kwh(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data, colour = _commodity(frame, lang)
    return alt.Chart(data).mark_line(strokeWidth=1.2).encode(
        x=alt.X("day:T", title=_l("day", lang)),
        y=alt.Y("kwh:Q", title=_l("kwh_per_day", lang), axis=alt.Axis(format=NUMBER)),
        color=colour,
        tooltip=[alt.Tooltip("day:T", title=_l("day", lang)), alt.Tooltip("energy:N"),
                 alt.Tooltip("kwh:Q", title="kWh", format=",.1f")])


def monthly_kwh(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data, colour = _commodity(frame, lang)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("yearmonth(month):O", title=_l("month", lang), axis=alt.Axis(format=MONTH)),
        xOffset="energy:N",
        y=alt.Y("kwh:Q", title="kWh", axis=alt.Axis(format=NUMBER)),
        color=colour,
        tooltip=[alt.Tooltip("yearmonth(month):O", title=_l("month", lang), format=MONTH),
                 alt.Tooltip("energy:N"), alt.Tooltip("kwh:Q", title="kWh", format=",.0f")])


def load_heatmap(frame: pd.DataFrame, lang: str) -> alt.Chart:
    weekly = (frame["bucket"] == "week").any()
    x_title = _l("week", lang) if weekly else _l("day", lang)
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("yearmonthdate(period):O", title=x_title,
                axis=alt.Axis(format="%d %b", labelOverlap="greedy", labelAngle=-45)),
        y=alt.Y("hour:O", title=_l("hour", lang), sort="descending"),
        color=alt.Color("avg_w:Q", title=_l("avg_w", lang),
                        scale=alt.Scale(scheme=SEQUENTIAL)),
        tooltip=[alt.Tooltip("yearmonthdate(period):T", title=x_title),
                 alt.Tooltip("hour:O", title=_l("hour", lang)),
                 alt.Tooltip("avg_w:Q", title=_l("avg_w", lang), format=",.0f")],
    ).properties(width=WIDTH, height=300)


def standby_watts(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    base = alt.Chart(frame)
    nights = base.mark_line(strokeWidth=1, color=PALETTE[4]).encode(
        x=alt.X("day:T", title=_l("night", lang)),
        y=alt.Y("night_min_w:Q", title="W", axis=alt.Axis(format=NUMBER)),
        detail="meter_id:N",
        tooltip=[alt.Tooltip("day:T", title=_l("night", lang)),
                 alt.Tooltip("night_min_w:Q", title=_l("night_min_w", lang), format=",.0f")])
    floor = base.mark_rule(color=PALETTE[5], strokeWidth=2, strokeDash=[6, 3]).encode(
        y="mean(standby_w):Q", detail="meter_id:N",
        tooltip=[alt.Tooltip("mean(standby_w):Q", title=_l("standby_w", lang),
                             format=",.0f")])
    return alt.layer(nights, floor)


def weekday_weekend(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = frame.assign(kind=frame["day_type"].map(lambda d: _l(d, lang)))
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("hour:Q", title=_l("hour", lang), scale=alt.Scale(domain=[0, 23]),
                axis=alt.Axis(tickCount=12)),
        y=alt.Y("avg_w:Q", title=_l("avg_w", lang), axis=alt.Axis(format=NUMBER)),
        color=alt.Color("kind:N", title=_l("day_type", lang),
                        sort=[_l("weekday", lang), _l("weekend", lang)]),
        tooltip=[alt.Tooltip("kind:N", title=_l("day_type", lang)),
                 alt.Tooltip("hour:Q", title=_l("hour", lang)),
                 alt.Tooltip("avg_w:Q", title=_l("avg_w", lang), format=",.0f")])


def heating_season(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data, _ = _commodity(frame, lang)
    data = data.assign(part=data["season"].map(lambda s: _l(f"season_{s}", lang)))
    order = [_l("season_heating", lang), _l("season_rest", lang)]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("energy:N", title=None),
        x=alt.X("share:Q", title=_l("share", lang), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("part:N", title=_l("season", lang), sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[5], PALETTE[4]])),
        order=alt.Order("season:O"),  # "heating" first: an ordinal, so Vega does not warn
        tooltip=[alt.Tooltip("energy:N"), alt.Tooltip("part:N", title=_l("season", lang)),
                 alt.Tooltip("kwh:Q", title="kWh", format=",.0f"),
                 alt.Tooltip("share:Q", title=_l("share", lang), format=".0%")],
    ).properties(height=40 * frame["commodity"].nunique() + 20)


def co2_and_cost(frame: pd.DataFrame, lang: str) -> alt.VConcatChart:
    data, colour = _commodity(frame, lang)
    month = alt.X("yearmonth(month):O", title=_l("month", lang), axis=alt.Axis(format=MONTH))
    tips = [alt.Tooltip("yearmonth(month):O", title=_l("month", lang), format=MONTH),
            alt.Tooltip("energy:N"), alt.Tooltip("kwh:Q", title="kWh", format=",.0f"),
            alt.Tooltip("cost_eur:Q", title=_l("cost_eur", lang), format="$,.2f"),
            alt.Tooltip("kg_co2e:Q", title=_l("kg_co2e", lang), format=",.1f")]
    base = alt.Chart(data).mark_bar().encode(x=month, color=colour, tooltip=tips)
    cost = base.encode(y=alt.Y("sum(cost_eur):Q", title=_l("cost_eur", lang),
                               axis=alt.Axis(format=MONEY))).properties(width=WIDTH, height=200)
    co2 = base.encode(y=alt.Y("sum(kg_co2e):Q", title=_l("kg_co2e", lang),
                              axis=alt.Axis(format=NUMBER))).properties(width=WIDTH, height=200)
    return alt.vconcat(cost, co2)


def reference_household(frame: pd.DataFrame, lang: str) -> alt.FacetChart:
    data, _ = _commodity(frame, lang)
    bars = alt.Chart().mark_bar(color=PALETTE[4]).encode(
        x=alt.X("household_size:O", title=_l("household_size", lang),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("reference_kwh:Q", title=_l("kwh_per_year", lang),
                axis=alt.Axis(format=NUMBER)),
        tooltip=[alt.Tooltip("household_size:O", title=_l("household_size", lang)),
                 alt.Tooltip("reference_kwh:Q", title=_l("reference_kwh", lang),
                             format=",.0f")])
    mine = alt.Chart().mark_rule(color=PALETTE[5], strokeWidth=3).encode(
        y="mean(your_kwh):Q",
        tooltip=[alt.Tooltip("mean(your_kwh):Q", title=_l("your_kwh", lang), format=",.0f")])
    return alt.layer(bars, mine, data=data).properties(width=280, height=220).facet(
        column=alt.Column("energy:N", title=None)).resolve_scale(y="independent")


def energy_offers(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """One bar per offer, its cost over the year; the person's offer and the cheapest in
    their own colours; a paler bar when part of its cost rests on an assumption (Tempo days
    of unknown colour)."""
    status = [_l("offer_current", lang) if current else _l("offer_cheapest", lang)
              if cheapest else _l("offer_other", lang)
              for current, cheapest in zip(frame["current"], frame["cheapest"], strict=True)]
    data = frame.assign(status=status)
    order = [_l(k, lang) for k in ("offer_current", "offer_cheapest", "offer_other")]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("offer:N", title=None, sort=alt.EncodingSortField("annual_cost")),
        x=alt.X("annual_cost:Q", title=_l("annual_cost", lang), axis=alt.Axis(format=MONEY)),
        color=alt.Color("status:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[PALETTE[0], PALETTE[2],
                                                             PALETTE[4]])),
        opacity=alt.condition("datum.uncertain", alt.value(0.45), alt.value(1)),
        tooltip=[alt.Tooltip("offer:N", title=_l("offer", lang)),
                 alt.Tooltip("annual_cost:Q", title=_l("annual_cost", lang), format="$,.0f"),
                 alt.Tooltip("uncertain_share:Q", title=_l("uncertain_share", lang),
                             format=".0%")],
    ).properties(width=WIDTH, height=36 * len(frame) + 20)
