"""Where the money goes: bank transactions of one person and period, in the person's words.

Every function takes the store connection and a `Scope` and returns a small DataFrame. Money
leaves SQL as DOUBLE for charts; exact sums (Decimal) are in `totals`. "Transfers" between
the person's own accounts are neither money in nor money out; spending is the debits of the
categories that are not transfers or income (`NOT_SPENDING`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..enrich.merchants import load_settings
from .bills import bills_linked
from .categories import NOT_SPENDING, cache_key, categorize, group_categories, remember
from .recurring import find_recurring
from .scope import Group, Scope, in_group, in_period, query

__all__ = ["balance_over_time", "bills_linked", "by_category", "flow", "monthly_in_out",
           "recurring_payments", "top_merchants", "totals", "unusual_expenses"]

OWN_TRANSFER = "transfer"
_SPENDING = f"amount < 0 AND category NOT IN ({', '.join(repr(c) for c in NOT_SPENDING)})"


def prepare(con: duckdb.DuckDBPyConnection, scope: Scope,
            settings_path: str | Path | None = None) -> str:
    """`spending_tx`: the scope's transactions with category and merchant (a view on
    `categorize`'s table, which is built once per scope, rows and rule set)."""
    categorize(con, scope, settings_path=settings_path)
    con.execute("CREATE TEMP VIEW IF NOT EXISTS spending_tx AS SELECT * FROM categorized")
    return "spending_tx"


def monthly_in_out(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Money in, money out and their difference per month; own-account transfers left out."""
    prepare(con, scope)
    return query(con, f"""
        SELECT date_trunc('month', booked_on) AS month,
               CAST(coalesce(sum(amount) FILTER (amount > 0), 0) AS DOUBLE) AS money_in,
               CAST(coalesce(-sum(amount) FILTER (amount < 0), 0) AS DOUBLE) AS money_out,
               CAST(sum(amount) AS DOUBLE) AS net
        FROM spending_tx WHERE category <> '{OWN_TRANSFER}' GROUP BY 1 ORDER BY 1""", scope)


def by_category(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Spending per category over the period, biggest first, with its share of the total."""
    prepare(con, scope)
    return query(con, f"""
        SELECT category, CAST(-sum(amount) AS DOUBLE) AS amount, count(*) AS payments,
               CAST(-sum(amount) / sum(-sum(amount)) OVER () AS DOUBLE) AS share
        FROM spending_tx WHERE {_SPENDING} GROUP BY 1 ORDER BY amount DESC, category""", scope)


def top_merchants(con: duckdb.DuckDBPyConnection, scope: Scope,
                  settings_path: str | Path | None = None) -> pd.DataFrame:
    """The shops and counterparties that received the most, labels normalised."""
    prepare(con, scope, settings_path)
    rows = load_settings(settings_path)["top_merchants"]["rows"]
    return query(con, f"""
        SELECT merchant, mode(category) AS category, CAST(-sum(amount) AS DOUBLE) AS amount,
               count(*) AS payments
        FROM spending_tx WHERE {_SPENDING} GROUP BY 1
        ORDER BY amount DESC, merchant LIMIT {int(rows)}""", scope)


def balance_over_time(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """End-of-day balance of each account on the days money moved: the latest stored balance
    walked back and forward with every transaction (all dates, so a period starts at the right
    level); an account with no stored balance starts from 0 (`from_zero`)."""
    return query(con, f"""
        WITH daily AS (
            SELECT account_id, booked_on AS day, sum(amount) AS moved FROM transactions
            WHERE person_id = $person GROUP BY 1, 2),
        run AS (
            SELECT account_id, day, sum(moved) OVER (PARTITION BY account_id ORDER BY day)
                   AS cumulated FROM daily),
        anchor AS (
            SELECT account_id, max(as_of) AS as_of, arg_max(amount, as_of) AS amount
            FROM balances WHERE person_id = $person GROUP BY 1),
        offset_ AS (
            SELECT a.account_id, a.amount - coalesce(sum(t.amount), 0) AS opening
            FROM anchor a LEFT JOIN transactions t ON t.person_id = $person
                 AND t.account_id = a.account_id AND t.booked_on <= a.as_of
            GROUP BY a.account_id, a.amount)
        SELECT r.account_id,
               coalesce(ac.label, concat_ws(' ', ac.institution, ac.kind)) || ' …'
                   || right(r.account_id, 4) AS account,
               r.day, CAST(r.cumulated + coalesce(o.opening, 0) AS DOUBLE) AS balance,
               o.opening IS NULL AS from_zero
        FROM run r LEFT JOIN offset_ o USING (account_id)
        LEFT JOIN accounts ac ON ac.person_id = $person AND ac.account_id = r.account_id
        WHERE {in_period("r.day")} ORDER BY r.account_id, r.day""", scope)


# the last series found, per connection, categorised rows and settings: three sections use it
_last_recurring: dict[str, Any] = {}


def _recurring(con: duckdb.DuckDBPyConnection, scope: Scope,
               settings_path: str | Path | None = None) -> tuple[pd.DataFrame, list[str]]:
    prepare(con, scope, settings_path)
    key = (id(con), cache_key(con, "categorized"), str(settings_path))
    if _last_recurring.get("key") != key:
        cfg = load_settings(settings_path)["recurring"]
        tx = recurring_candidates(con, "spending_tx", cfg).drop(columns="person_id")
        _last_recurring.update(key=key, value=find_recurring(tx, cfg))
    found, members = _last_recurring["value"]
    return found.copy(), list(members)


def recurring_candidates(con: duckdb.DuckDBPyConnection, table: str,
                         cfg: dict[str, Any]) -> pd.DataFrame:
    """The rows of `table` that may belong to a series: enough payments to one merchant, on
    one account, in one direction (per person)."""
    return con.execute(f"""
        SELECT person_id, uid, account_id, merchant, category, booked_on,
               CAST(amount AS DOUBLE) AS amount
        FROM {table}
        QUALIFY count(*) OVER (PARTITION BY person_id, account_id, merchant, sign(amount))
                >= $n""", {"n": int(cfg["min_count"])}).df()


def flow(category: str, direction: str) -> str:
    """What a recurring payment is for the person: a `cost` (a debit), an `income` (a credit),
    or an `own_transfer` between their own accounts (savings, joint account), which is
    neither: the money stays theirs."""
    if category == OWN_TRANSFER:
        return "own_transfer"
    return "cost" if direction == "debit" else "income"


def recurring_payments(con: duckdb.DuckDBPyConnection, scope: Scope,
                       settings_path: str | Path | None = None) -> pd.DataFrame:
    """Subscriptions, rent, bills, salary, standing transfers to savings: payments that come
    back at a regular period, each with its `flow` (cost, income or own_transfer)."""
    found = _recurring(con, scope, settings_path)[0]
    return found.assign(flow=[flow(c, d) for c, d in zip(found["category"],
                                                           found["direction"], strict=True)])


def unusual_expenses(con: duckdb.DuckDBPyConnection, scope: Scope,
                     settings_path: str | Path | None = None) -> pd.DataFrame:
    """Debits far above what the person usually spends in their category: above the
    category's 95th percentile AND more than 3 median absolute deviations above its median.
    Recurring payments are left out (a rent is big but not unusual)."""
    _, members = _recurring(con, scope, settings_path)
    cfg = load_settings(settings_path)["unusual"]
    con.register("_recurring_uids", pd.DataFrame({"uid": pd.Series(members, dtype=object)}))
    try:
        return query(con, f"""
            WITH spend AS (
                SELECT booked_on, merchant, category, CAST(-amount AS DOUBLE) AS amount
                FROM spending_tx WHERE {_SPENDING}
                  AND uid NOT IN (SELECT CAST(uid AS VARCHAR) FROM _recurring_uids)),
            stats AS (
                SELECT category, count(*) AS n, median(amount) AS median,
                       quantile_cont(amount, $pct) AS p95, mad(amount) AS mad
                FROM spend GROUP BY 1)
            SELECT s.booked_on, s.merchant, s.category, s.amount,
                   st.median AS category_median, st.p95 AS category_p95,
                   s.amount / nullif(st.median, 0) AS times_median
            FROM spend s JOIN stats st USING (category)
            WHERE st.n >= $min_n AND s.amount > st.p95
              AND s.amount > st.median + $k * st.mad
            ORDER BY s.amount - st.median DESC LIMIT {int(cfg["max_rows"])}""",
                     scope, pct=float(cfg["percentile"]), min_n=int(cfg["min_count"]),
                     k=float(cfg["mad_factor"]))
    finally:
        con.unregister("_recurring_uids")


# The money figures, one row per person of a table of categorised transactions (`spending_tx`
# for one person's report, `group_tx` for a cohort): the same SQL, so equal by construction.
_MONEY_TOTALS = f"""
    SELECT person_id,
           coalesce(sum(amount) FILTER (amount > 0 AND category <> '{OWN_TRANSFER}'), 0),
           coalesce(-sum(amount) FILTER (amount < 0 AND category <> '{OWN_TRANSFER}'), 0),
           count(*) FILTER (category <> '{OWN_TRANSFER}'), count(*)
    FROM {{table}} GROUP BY person_id ORDER BY person_id"""
_CATEGORY_TOTALS = f"""
    SELECT person_id, category, -sum(amount) FROM {{table}} WHERE {_SPENDING}
    GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"""


def money_totals(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Per person of `table`: total_in, total_out (positive), counted (rows but own-account
    transfers), transactions (all rows); money as exact Decimals."""
    rows = con.execute(_MONEY_TOTALS.format(table=table)).fetchall()
    return pd.DataFrame(rows, columns=["person_id", "total_in", "total_out", "counted",
                                       "transactions"], dtype=object)


def category_totals(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Per person of `table` and spending category: the amount spent (a positive Decimal),
    biggest first."""
    rows = con.execute(_CATEGORY_TOTALS.format(table=table)).fetchall()
    return pd.DataFrame(rows, columns=["person_id", "category", "amount"], dtype=object)


def totals(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, object]:
    """Exact (Decimal) totals: money in, money out (positive), transactions, spend per category."""
    table = prepare(con, scope)
    money = money_totals(con, table)
    cats = category_totals(con, table)
    if money.empty:
        return {"total_in": Decimal(0), "total_out": Decimal(0), "transactions": 0,
                "by_category": {}}
    row = money.iloc[0]
    return {"total_in": row["total_in"], "total_out": row["total_out"],
            "transactions": int(row["transactions"]),
            "by_category": dict(zip(cats["category"], cats["amount"], strict=True))}


# --- the report's figures, JSON-ready ----------------------------------------------

_CENT = Decimal("0.01")


def _money(value: Decimal | float | int) -> str:
    return str(Decimal(value).quantize(_CENT))


def savings_rate(total_in: Decimal, total_out: Decimal) -> float | None:
    return float(round((total_in - total_out) / total_in, 4)) if total_in > 0 else None


def monthly_recurring_cost(con: duckdb.DuckDBPyConnection, scope: Scope) -> float:
    """What the recurring debits cost per month (own-account transfers left out: saving
    is not a cost)."""
    found = recurring_payments(con, scope).assign(person_id=scope.person)
    summary = recurring_summary(found)
    return float(summary["monthly_out"].iloc[0]) if len(summary) else 0.0


def recurring_summary(found: pd.DataFrame) -> pd.DataFrame:
    """Per person of `found` (recurring payments with their `flow`): `count` (series) and
    `monthly_out`, what the costs take per month (own-account transfers are not a cost)."""
    cost = found["yearly_amount"].astype(float).where(found["flow"] == "cost", 0.0)
    summary = (found.assign(_cost=cost).groupby("person_id", sort=True)
               .agg(count=("_cost", "size"), monthly_out=("_cost", "sum")).reset_index())
    return summary.assign(monthly_out=-summary["monthly_out"] / 12 + 0.0)


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """JSON-ready figures: money as strings with 2 decimals (exact sums of the stored
    Decimals), the savings rate as a float rounded to 4 decimals (None without income)."""
    tot = totals(con, scope)
    rec = recurring_payments(con, scope)
    return {
        "totals_by_category": {k: _money(v) for k, v in tot["by_category"].items()},
        "recurring_payments": [
            {"counterparty": r.counterparty, "direction": r.direction,
             "amount": None if r.amount_varies else f"{r.amount:.2f}",
             "period_days": int(r.period_days), "count": int(r.count),
             "category": r.category, "flow": r.flow}
            for r in rec.itertuples()],
        "total_in": _money(tot["total_in"]),
        "total_out": _money(tot["total_out"]),
        "savings_rate": savings_rate(tot["total_in"], tot["total_out"]),
        "transactions": int(tot["transactions"]),
    }


# --- every person of a group at once (the cohort) ------------------------------------------

GROUP_TX = "group_tx"


def group_transactions(con: duckdb.DuckDBPyConnection, group: Group,
                       settings_path: str | Path | None = None) -> str:
    """The temp table `group_tx`: the group's transactions in its period with category,
    subcategory and merchant (what `spending_tx` is for one person), from
    `group_categories`. Rebuilt only when the group, its rows or its rules change."""
    table = group_categories(con, group, settings_path=settings_path)
    key = repr((group, cache_key(con, table)))
    if cache_key(con, GROUP_TX) != key:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {GROUP_TX} AS
            SELECT t.* EXCLUDE (category), c.category, c.subcategory, c.merchant
            FROM transactions t JOIN {table} c USING (person_id, uid)
            WHERE {in_group("t.person_id")} AND {in_period("t.booked_on")}""",
                    group.params).fetchall()
        remember(con, GROUP_TX, key)
    return GROUP_TX


def group_persons(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """The group's persons present in the store, one row each (`person_id`), in order."""
    return con.execute(f"SELECT person_id FROM persons WHERE {in_group('person_id')}"
                       " ORDER BY person_id", {"persons": group.params["persons"]}).df()


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group,
                   settings_path: str | Path | None = None) -> pd.DataFrame:
    """`figures()` for every person of `group` at once, one row per person (NaN without bank
    data), the numbers as floats: `totals_by_category.<category>`, `total_in`, `total_out`,
    `savings_rate`, `transactions`, and of the recurring payments (a list in `figures()`)
    `recurring_payments.count` (series found) and `recurring_payments.monthly_out` (what the
    recurring costs take per month, `monthly_recurring_cost`). Same SQL as `figures()`."""
    table = group_transactions(con, group, settings_path)
    out = group_persons(con, group)
    money = money_totals(con, table)
    if not money.empty:
        money = money.assign(
            savings_rate=[savings_rate(i, o) for i, o in zip(money["total_in"],
                                                              money["total_out"], strict=True)])
        for col in ("total_in", "total_out"):
            money[col] = [float(_money(v)) for v in money[col]]
        money = money.drop(columns="counted")
    cats = category_totals(con, table)
    wide = (cats.assign(amount=[float(_money(v)) for v in cats["amount"]])
            .pivot(index="person_id", columns="category", values="amount")
            .add_prefix("totals_by_category.").reset_index()) if not cats.empty else None
    cfg = load_settings(settings_path)["recurring"]
    found = find_recurring(recurring_candidates(con, table, cfg), cfg)[0]
    found = found.assign(flow=[flow(c, d) for c, d in zip(found["category"],
                                                           found["direction"], strict=True)])
    rec = recurring_summary(found).rename(columns={
        "count": "recurring_payments.count", "monthly_out": "recurring_payments.monthly_out"})
    have_bank = set(money["person_id"]) if not money.empty else set()
    out = out.merge(money, on="person_id", how="left") if not money.empty else out.assign(
        total_in=None, total_out=None, transactions=None, savings_rate=None)
    if wide is not None:
        out = out.merge(wide, on="person_id", how="left")
    out = out.merge(rec, on="person_id", how="left")
    banked = out["person_id"].isin(have_bank)  # a person with bank data and no series: 0
    for col in ("recurring_payments.count", "recurring_payments.monthly_out"):
        out.loc[banked, col] = out.loc[banked, col].fillna(0.0)
    return out.astype({c: "float64" for c in out.columns if c != "person_id"})
