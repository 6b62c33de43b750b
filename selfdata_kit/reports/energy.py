"""The energy report: sections, key figures and a JSON summary of a person's meter readings.

Money here is derived from float kWh x Decimal prices: `summary` gives euros as floats rounded
to cents (a monthly estimate is rounded first, as a bill would be, then summed).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..analysis import energy as a
from ..analysis.scope import Scope, local_day
from ..charts import energy as c
from ..i18n import fmt_money, fmt_number, t
from ..report import Section, Topic

SECTIONS = {
    "daily_kwh": Section(a.daily_kwh, c.daily_kwh),
    "monthly_kwh": Section(a.monthly_kwh, c.monthly_kwh),
    "load_heatmap": Section(a.load_heatmap, c.load_heatmap),
    "standby_watts": Section(a.standby_watts, c.standby_watts, sensitive=("meter_id",)),
    "weekday_weekend": Section(a.weekday_weekend, c.weekday_weekend),
    "heating_season": Section(a.heating_season, c.heating_season),
    "co2_and_cost": Section(a.co2_and_cost, c.co2_and_cost),
    "reference_household": Section(a.reference_household, c.reference_household),
}


def _years(costs: pd.DataFrame) -> pd.DataFrame:
    """kWh, kgCO2e and € per calendar year (all energies together)."""
    per_year = costs.assign(year=pd.to_datetime(costs["month"]).dt.year)
    return per_year.groupby("year", as_index=False)[["kwh", "kg_co2e", "cost_eur"]].sum()


def summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """Figures over the scope's period (over the year when the period is one year):
    `annual_kwh` {commodity: kWh}, `standby_watts` (sum over electricity meters, W),
    `standby_eur_per_year`, `co2_kg`, `cost_eur` (EDF Tarif Bleu Base for electricity),
    `heating_season_share` {commodity: share of October-April}, `days` {commodity: days}."""
    monthly = a.monthly_kwh(con, scope)
    floors = a.standby_floor(con, scope)
    costs = a.co2_and_cost(con, scope)
    season = a.heating_season(con, scope)
    heating = season[season["season"] == "heating"]
    return {
        "annual_kwh": {k: round(float(v), 3)
                       for k, v in monthly.groupby("commodity")["kwh"].sum().items()},
        "days": {k: int(v) for k, v in monthly.groupby("commodity")["days"].sum().items()},
        "standby_watts": round(float(floors["standby_w"].sum()), 1) if len(floors) else None,
        "standby_eur_per_year": (round(float(floors["eur_per_year"].sum()), 2)
                                 if len(floors) else None),
        "heating_season_share": {r.commodity: round(float(r.share), 4)
                                 for r in heating.itertuples()},
        "co2_kg": round(float(costs["kg_co2e"].sum()), 1),
        "cost_eur": round(float(costs["cost_eur"].sum()), 2),
    }


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    f = lambda key, **v: t(f"energy.figures.{key}", lang, **v)  # noqa: E731
    s = summary(con, scope)
    rows = [(f("kwh", commodity=t(f"energy.chart.{k}", lang).lower()),
             f("kwh_value", kwh=fmt_number(v, lang))) for k, v in s["annual_kwh"].items()]
    if s["standby_watts"] is not None:
        rows += [(f("standby"), f("standby_value", watts=fmt_number(s["standby_watts"], lang))),
                 (f("standby_cost"), fmt_money(s["standby_eur_per_year"], lang, 0))]
    total = sum(s["annual_kwh"].values())
    if total > 0:
        heating_kwh = sum(s["heating_season_share"].get(k, 0) * v
                          for k, v in s["annual_kwh"].items())
        percent = "\u202f%" if lang == "fr" else "%"  # French: a narrow space before %
        rows.append((f("heating_share"),
                     fmt_number(100 * heating_kwh / total, lang) + percent))
    for y in _years(a.co2_and_cost(con, scope)).itertuples():
        rows += [(f("co2", year=y.year), f("co2_value", kg=fmt_number(y.kg_co2e, lang))),
                 (f("cost", year=y.year), fmt_money(y.cost_eur, lang, 0))]
    price = a.price_of("electricity")
    if price is not None:
        rows.append((f("price_note"), price.offer))
    return rows


TOPIC = Topic(name="energy", table="energy", day_expr=local_day("start_at"),
              sections=SECTIONS, key_figures=key_figures, extra_tables=("meters",))
