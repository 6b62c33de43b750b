"""The spending report: where the money comes from and goes, what comes back every month,
and the bills the other sources explain (energy, phone)."""

from __future__ import annotations

import duckdb

from ..analysis import spending as a
from ..analysis.scope import Scope
from ..charts import spending as c
from ..i18n import fmt_money, fmt_number, t
from .notebook import Section, Topic


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    k = lambda key: t(f"spending.figures.{key}", lang)  # noqa: E731
    tot = a.totals(con, scope)
    rate = a.savings_rate(tot["total_in"], tot["total_out"])
    cats = tot["by_category"]
    biggest = next(iter(cats), None)
    rows = [(k("total_in"), fmt_money(tot["total_in"], lang)),
            (k("total_out"), fmt_money(tot["total_out"], lang)),
            (k("savings_rate"), "–" if rate is None else
             fmt_number(rate * 100, lang) + ("\u00a0%" if lang == "fr" else "%")),
            (k("transactions"), fmt_number(tot["transactions"], lang)),
            (k("biggest_category"), "–" if biggest is None else
             f"{c.category_name(biggest, lang)} ({fmt_money(cats[biggest], lang, 0)})"),
            (k("recurring_per_month"), fmt_money(a.monthly_recurring_cost(con, scope), lang))]
    return rows


TOPIC = Topic(
    name="spending",
    table="transactions",
    sections={
        "monthly_in_out": Section(a.monthly_in_out, c.monthly_in_out),
        "by_category": Section(a.by_category, c.by_category),
        "top_merchants": Section(a.top_merchants, c.top_merchants, sensitive=("merchant",)),
        "balance_over_time": Section(a.balance_over_time, c.balance_over_time,
                                     sensitive=("account", "account_id")),
        "recurring_payments": Section(a.recurring_payments, c.recurring_payments,
                                      sensitive=("counterparty", "account_id")),
        "bills_linked": Section(a.bills_linked, c.bills_linked, sensitive=("counterparty",)),
        "unusual_expenses": Section(a.unusual_expenses, c.unusual_expenses,
                                    sensitive=("merchant",)),
    },
    key_figures=key_figures,
)
