"""The spending report: where the money comes from and goes, what comes back every month,
and the bills the other sources explain (energy, phone)."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from ..analysis import spending as a
from ..analysis.scope import Scope
from ..charts import spending as c
from ..i18n import fmt_money, fmt_number, t
from ..report import Section, Topic

_CENT = Decimal("0.01")


def _money(value: Decimal | float | int) -> str:
    return str(Decimal(value).quantize(_CENT))


def _savings_rate(total_in: Decimal, total_out: Decimal) -> float | None:
    return float(round((total_in - total_out) / total_in, 4)) if total_in > 0 else None


def monthly_recurring_cost(con: duckdb.DuckDBPyConnection, scope: Scope) -> float:
    """What the recurring debits cost per month (own-account transfers left out)."""
    rec = a.recurring_payments(con, scope)
    debits = rec[(rec["direction"] == "debit") & (rec["category"] != a.OWN_TRANSFER)]
    return float(-debits["yearly_amount"].sum() / 12) if not debits.empty else 0.0


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    k = lambda key: t(f"spending.figures.{key}", lang)  # noqa: E731
    tot = a.totals(con, scope)
    rate = _savings_rate(tot["total_in"], tot["total_out"])
    cats = tot["by_category"]
    biggest = next(iter(cats), None)
    rows = [(k("total_in"), fmt_money(tot["total_in"], lang)),
            (k("total_out"), fmt_money(tot["total_out"], lang)),
            (k("savings_rate"), "–" if rate is None else
             fmt_number(rate * 100, lang) + ("\u00a0%" if lang == "fr" else "%")),
            (k("transactions"), fmt_number(tot["transactions"], lang)),
            (k("biggest_category"), "–" if biggest is None else
             f"{c.category_name(biggest, lang)} ({fmt_money(cats[biggest], lang, 0)})"),
            (k("recurring_per_month"), fmt_money(monthly_recurring_cost(con, scope), lang))]
    return rows


def summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """JSON-ready figures: money as strings with 2 decimals (exact sums of the stored
    Decimals), the savings rate as a float rounded to 4 decimals (None without income)."""
    tot = a.totals(con, scope)
    rec = a.recurring_payments(con, scope)
    return {
        "totals_by_category": {k: _money(v) for k, v in tot["by_category"].items()},
        "recurring_payments": [
            {"counterparty": r.counterparty, "direction": r.direction,
             "amount": None if r.amount_varies else f"{r.amount:.2f}",
             "period_days": int(r.period_days), "count": int(r.count),
             "category": r.category}
            for r in rec.itertuples()],
        "total_in": _money(tot["total_in"]),
        "total_out": _money(tot["total_out"]),
        "savings_rate": _savings_rate(tot["total_in"], tot["total_out"]),
        "transactions": int(tot["transactions"]),
    }


TOPIC = Topic(
    name="spending",
    table="transactions",
    day_expr="booked_on",
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
