"""The energy report: sections, key figures and a JSON summary of a person's meter readings.

Money here is derived from float kWh x Decimal prices: `summary` gives euros as floats rounded
to cents (a monthly estimate is rounded first, as a bill would be, then summed).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..analysis import energy as a
from ..analysis import energy_offers as o
from ..analysis.scope import Scope
from ..charts import energy as c
from ..i18n import fmt_money, fmt_number, t
from .notebook import Section, Topic, once


def _offers(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The offers section, from the decisions the key figures computed already."""
    return o.offers_table(once(o.decisions, con, scope))


SECTIONS = {
    "daily_kwh": Section(a.daily_kwh, c.daily_kwh),
    "monthly_kwh": Section(a.monthly_kwh, c.monthly_kwh),
    "load_heatmap": Section(a.load_heatmap, c.load_heatmap),
    "standby_watts": Section(a.standby_watts, c.standby_watts, sensitive=("meter_id",)),
    "weekday_weekend": Section(a.weekday_weekend, c.weekday_weekend),
    "heating_season": Section(a.heating_season, c.heating_season),
    "co2_and_cost": Section(a.co2_and_cost, c.co2_and_cost),
    "reference_household": Section(a.reference_household, c.reference_household),
    "energy_offers": Section(_offers, c.energy_offers),
}


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    f = lambda key, **v: t(f"energy.figures.{key}", lang, **v)  # noqa: E731
    s = a.figures(con, scope)
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
    for y in a.yearly(once(a.co2_and_cost, con, scope)).itertuples():
        rows += [(f("co2", year=y.year), f("co2_value", kg=fmt_number(y.kg_co2e, lang))),
                 (f("cost", year=y.year), fmt_money(y.cost_eur, lang, 0))]
    price = a.price_of("electricity")
    if price is not None:
        rows.append((f("price_note"), price.offer))
    return rows + decision_figures(once(o.decisions, con, scope), lang)


def decision_figures(d: dict, lang: str) -> list[tuple[str, str]]:
    """The energy decisions as key figures: off-peak share, the cheapest offer, the highest
    power against the subscribed one, and what one step down would save."""
    f = lambda key, **v: t(f"energy.figures.{key}", lang, **v)  # noqa: E731
    percent = "\u202f%" if lang == "fr" else "%"
    if d["offpeak_share"] is None:
        return []
    rows = [(f("offpeak_share", slots=d["contract"]["offpeak"]),
             fmt_number(100 * d["offpeak_share"], lang, 1) + percent)]
    priced = [p for p in d["energy_offers"] if p.get("annual_cost") is not None]
    cheapest = next((p for p in priced if p["cheapest"]), None)
    current = next((p for p in priced if p["current"]), None)
    if cheapest is not None:
        value = f"{cheapest['name']}, {fmt_money(cheapest['annual_cost'], lang, 0)}"
        if current is not None and current is not cheapest:
            value += " " + f("cheapest_saves", eur=fmt_money(
                current["annual_cost"] - cheapest["annual_cost"], lang, 0))
        rows.append((f("cheapest_offer"), value))
    for p in priced:
        if p.get("unknown_colour_kwh_share"):
            rows.append((f("tempo_uncertain", offer=p["name"]),
                         fmt_number(100 * p["unknown_colour_kwh_share"], lang) + percent))
    for p in priced:  # your offer's and the cheapest one's days at an assumed grid
        if (p["current"] or p["cheapest"]) and p.get("days_at_assumed_prices"):
            known_to = p.get("prices_known_to")
            value = (f("assumed_prices_value", days=p["days_at_assumed_prices"], date=known_to)
                     if known_to and d["window"]["end"] > known_to  # ISO dates compare as text
                     else f("assumed_prices_days", days=p["days_at_assumed_prices"]))
            rows.append((f("assumed_prices", offer=p["name"]), value))
    if d["max_power_kva"] is not None:
        rows.append((f("max_power"), f("max_power_value", kva=fmt_number(
            d["max_power_kva"], lang, 1), subscribed=d["subscribed_kva"])))
        step = d["step_down"]
        if step["kva"] is not None:
            saving = step.get("saving_per_year")
            value = (f("step_down_fits", eur=fmt_money(saving, lang, 0)) if step["fits"]
                     and saving is not None else f("step_down_no") if not step["fits"]
                     else f("step_down_unavailable"))
            rows.append((f("step_down", kva=step["kva"]), value))
    return rows


TOPIC = Topic(name="energy", table="energy",
              sections=SECTIONS, key_figures=key_figures, extra_tables=("meters",))
