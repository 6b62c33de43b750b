"""Charts of the spending report: pure builders, a small frame in, an Altair chart out."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import fmt_money, fmt_number, t
from .theme import IN_OUT, MONEY, MONTH, OWN_TRANSFER, PALETTE, WIDTH

_MONEY2 = "$,.2f"


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"spending.chart.{key}", lang, **values)


def category_name(category: str, lang: str) -> str:
    """The category in the reader's language (a user's own category is shown as is)."""
    try:
        return t(f"spending.categories.{category}", lang)
    except KeyError:
        return category


def _named(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.assign(category_name=[category_name(c, lang) for c in frame["category"]])


def monthly_in_out(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    money_in, money_out = _t("money_in", lang), _t("money_out", lang)
    long = frame.melt(id_vars=["month", "net"], value_vars=["money_in", "money_out"],
                      var_name="flow", value_name="amount")
    long["flow"] = long["flow"].map({"money_in": money_in, "money_out": money_out})
    x = alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format=MONTH, labelAngle=-40))
    bars = alt.Chart(long).mark_bar().encode(
        x=x, xOffset=alt.XOffset("flow:N", sort=[money_in, money_out]),
        y=alt.Y("amount:Q", title=_t("amount", lang), axis=alt.Axis(format=MONEY)),
        color=alt.Color("flow:N", title=None, sort=[money_in, money_out],
                        scale=alt.Scale(domain=[money_in, money_out],
                                        range=[IN_OUT["in"], IN_OUT["out"]])),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_t("month", lang), format=MONTH),
                 alt.Tooltip("flow:N", title=_t("flow", lang)),
                 alt.Tooltip("amount:Q", title=_t("amount", lang), format=_MONEY2)])
    net = alt.Chart(frame).mark_line(
        point=alt.OverlayMarkDef(color=PALETTE[7]), color=PALETTE[7]).encode(
        x=x, y="net:Q",
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_t("month", lang), format=MONTH),
                 alt.Tooltip("net:Q", title=_t("net", lang), format=_MONEY2)])
    return (bars + net).properties(width=WIDTH, title=_t("net_legend", lang))


def by_category(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = _named(frame, lang)
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("category_name:N", sort="-x", title=None),
        x=alt.X("amount:Q", title=_t("spent", lang), axis=alt.Axis(format=MONEY)),
        tooltip=[alt.Tooltip("category_name:N", title=_t("category", lang)),
                 alt.Tooltip("amount:Q", title=_t("spent", lang), format=_MONEY2),
                 alt.Tooltip("share:Q", title=_t("share", lang), format=".0%"),
                 alt.Tooltip("payments:Q", title=_t("payments", lang))],
    ).properties(width=WIDTH)


def top_merchants(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = _named(frame, lang)
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("merchant:N", sort="-x", title=None),
        x=alt.X("amount:Q", title=_t("spent", lang), axis=alt.Axis(format=MONEY)),
        color=alt.Color("category_name:N", title=_t("category", lang)),
        tooltip=[alt.Tooltip("merchant:N", title=_t("merchant", lang)),
                 alt.Tooltip("category_name:N", title=_t("category", lang)),
                 alt.Tooltip("amount:Q", title=_t("spent", lang), format=_MONEY2),
                 alt.Tooltip("payments:Q", title=_t("payments", lang))],
    ).properties(width=WIDTH)


def balance_over_time(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = frame.assign(start=[_t("from_zero" if z else "from_stored", lang)
                               for z in frame["from_zero"]])
    return alt.Chart(data).mark_line(interpolate="step-after").encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format=MONTH)),
        y=alt.Y("balance:Q", title=_t("balance", lang), axis=alt.Axis(format=MONEY)),
        color=alt.Color("account:N", title=_t("account", lang)),
        strokeDash=alt.StrokeDash("start:N", title=None),
        tooltip=[alt.Tooltip("account:N", title=_t("account", lang)),
                 alt.Tooltip("day:T", title=_t("day", lang), format="%d/%m/%Y"),
                 alt.Tooltip("balance:Q", title=_t("balance", lang), format=_MONEY2),
                 alt.Tooltip("start:N", title=_t("starting_point", lang))],
    ).properties(width=WIDTH)


FLOW_COLOUR = {"cost": IN_OUT["out"], "income": IN_OUT["in"], "own_transfer": OWN_TRANSFER}


def recurring_payments(frame: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Up to three panels, each in its colour: what goes out (costs), what comes in (income),
    and what moves between the person's own accounts (saving, joint account), which is
    neither a cost nor an income and is never added to them."""
    flows = frame["flow"] if "flow" in frame else [
        "cost" if d == "debit" else "income" for d in frame["direction"]]
    data = _named(frame, lang).assign(
        flow=list(flows),
        yearly=frame["yearly_amount"].abs(),
        how_much=[_t("varies", lang) if v else f"{abs(x):.2f}"
                  for v, x in zip(frame["amount_varies"], frame["amount"], strict=True)],
        next=pd.to_datetime(frame["next_date"])).drop(
        columns=["first_date", "last_date", "next_date"])
    # a transfer says which way it goes: "to LIVRET A", "from CHECKING ACCOUNT"
    data["shown"] = [_t("to" if d == "debit" else "from", lang, name=n) if f == "own_transfer"
                     else n for f, d, n in zip(data["flow"], data["direction"],
                                               data["counterparty"], strict=True)]
    panels = []
    for flow, title in (("cost", "recurring_debit"), ("income", "recurring_credit"),
                        ("own_transfer", "recurring_own_transfer")):
        part = data[data["flow"] == flow]
        if part.empty:
            continue
        panels.append(alt.Chart(part, title=_t(title, lang)).mark_bar(
            color=FLOW_COLOUR[flow]).encode(
            y=alt.Y("shown:N", sort="-x", title=None),
            x=alt.X("yearly:Q", title=_t("per_year", lang), axis=alt.Axis(format=MONEY)),
            tooltip=[alt.Tooltip("shown:N", title=_t("merchant", lang)),
                     alt.Tooltip("category_name:N", title=_t("category", lang)),
                     alt.Tooltip("how_much:N", title=_t("typical_amount", lang)),
                     alt.Tooltip("period_days:Q", title=_t("period_days", lang)),
                     alt.Tooltip("count:Q", title=_t("payments", lang)),
                     alt.Tooltip("next:T", title=_t("next_date", lang), format="%d/%m/%Y"),
                     alt.Tooltip("yearly:Q", title=_t("per_year", lang), format=_MONEY2)],
        ).properties(width=WIDTH))
    return alt.vconcat(*panels) if len(panels) > 1 else panels[0]


def bills_linked(frame: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    panels = []
    energy = frame[(frame["kind"] == "energy") & frame["kwh"].notna()]
    if not energy.empty:
        energy = energy.assign(
            commodity_name=[_t(f"commodity_{c}", lang) for c in energy["commodity"]],
            month=pd.to_datetime(energy["period_start"]))
        base = alt.Chart(energy, title=_t("energy_panel", lang))
        dots = base.mark_circle(size=80).encode(
            x=alt.X("kwh:Q", title=_t("kwh_metered", lang)),
            y=alt.Y("amount:Q", title=_t("paid", lang), axis=alt.Axis(format=MONEY)),
            color=alt.Color("commodity_name:N", title=None),
            tooltip=[alt.Tooltip("counterparty:N", title=_t("merchant", lang)),
                     alt.Tooltip("booked_on:T", title=_t("debited_on", lang), format="%d/%m/%Y"),
                     alt.Tooltip("month:T", title=_t("consumption", lang), format=MONTH),
                     alt.Tooltip("kwh:Q", title="kWh", format=",.0f"),
                     alt.Tooltip("amount:Q", title=_t("paid", lang), format=_MONEY2),
                     alt.Tooltip("eur_per_kwh:Q", title=_t("eur_per_kwh", lang),
                                 format="$,.3f")])
        line = base.transform_regression("kwh", "amount", groupby=["commodity_name"]).mark_line(
            strokeDash=[4, 3]).encode(x="kwh:Q", y="amount:Q", color="commodity_name:N")
        panels.append((dots + line).properties(width=WIDTH))
    phone = frame[(frame["kind"] == "telecom") & frame["calls"].notna()]
    if not phone.empty:
        per_month = phone.groupby("period_start", as_index=False).agg(
            calls=("calls", "first"), sms=("sms", "first"), paid=("amount", "sum"),
            operators=("counterparty", lambda s: ", ".join(sorted(set(s)))))
        long = per_month.melt(id_vars=["period_start", "paid", "operators"],
                              value_vars=["calls", "sms"], var_name="what", value_name="n")
        long["what"] = long["what"].map({"calls": _t("calls", lang), "sms": _t("sms", lang)})
        panels.append(alt.Chart(long, title=_t("phone_panel", lang)).mark_bar().encode(
            x=alt.X("yearmonth(period_start):O", title=None, axis=alt.Axis(format=MONTH)),
            y=alt.Y("n:Q", title=_t("used", lang), stack=True),
            color=alt.Color("what:N", title=None),
            tooltip=[alt.Tooltip("yearmonth(period_start):T", title=_t("month", lang),
                                 format=MONTH),
                     alt.Tooltip("operators:N", title=_t("operator", lang)),
                     alt.Tooltip("paid:Q", title=_t("paid", lang), format=_MONEY2),
                     alt.Tooltip("what:N", title=" "), alt.Tooltip("n:Q", title="n")],
        ).properties(width=WIDTH, height=160))
    if not panels:  # debits without any meter or phone data to set beside them
        panels.append(alt.Chart(frame).mark_bar().encode(
            x=alt.X("booked_on:T", title=None), y=alt.Y("amount:Q", title=_t("paid", lang))))
    if len(panels) == 1:
        return panels[0]
    return alt.vconcat(*panels).resolve_scale(color="independent")


def unusual_expenses(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = _named(frame, lang)
    data["reason"] = [_t("reason", lang, times=fmt_number(x, lang, 1), category=n,
                         median=fmt_money(m, lang))
                      for x, n, m in zip(data["times_median"].fillna(0), data["category_name"],
                                         data["category_median"], strict=True)]
    return alt.Chart(data).mark_circle(opacity=0.85).encode(
        x=alt.X("booked_on:T", title=None, axis=alt.Axis(format=MONTH)),
        y=alt.Y("amount:Q", title=_t("amount", lang), axis=alt.Axis(format=MONEY)),
        size=alt.Size("times_median:Q", title=_t("times_median", lang)),
        color=alt.Color("category_name:N", title=_t("category", lang)),
        tooltip=[alt.Tooltip("booked_on:T", title=_t("day", lang), format="%d/%m/%Y"),
                 alt.Tooltip("merchant:N", title=_t("merchant", lang)),
                 alt.Tooltip("amount:Q", title=_t("amount", lang), format=_MONEY2),
                 alt.Tooltip("reason:N", title=_t("why", lang))],
    ).properties(width=WIDTH)
