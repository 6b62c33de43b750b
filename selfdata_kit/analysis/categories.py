"""Spending categories from transaction labels: a rules table shipped as data
(`data/categories.csv`: French and English merchants), overridable by the user's own file.

Rules are case-insensitive regular expressions searched in the label, optionally limited to
debits or credits; the first matching rule wins, the user's file first. A transaction no rule
matches is "other". Categorising happens in DuckDB, on the scope's transactions only.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from ..errors import SelfdataError
from .scope import Scope, in_period

OTHER = "other"
# Categories that are not spending: moving money between one's own accounts, and income.
NOT_SPENDING = ("transfer", "income")


def load_rules(user_rules: str | Path | None = None) -> pd.DataFrame:
    """The rules in priority order: the user's file (if any) then the shipped table."""
    frames = []
    if user_rules:
        path = Path(user_rules)
        frames.append(_read_rules(path.read_text(encoding="utf-8-sig"), str(path)))
    shipped = resources.files("selfdata_kit.data") / "categories.csv"
    frames.append(_read_rules(shipped.read_text(encoding="utf-8"), "categories.csv"))
    rules = pd.concat(frames, ignore_index=True)
    rules["priority"] = range(len(rules))
    return rules


def _read_rules(text: str, name: str) -> pd.DataFrame:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    expected = {"pattern", "sign", "category", "subcategory"}
    if not rows or not expected <= set(rows[0]):
        raise SelfdataError(f"a rules file needs the columns {', '.join(sorted(expected))}",
                            file=name, hint="see selfdata_kit/data/categories.csv")
    for n, row in enumerate(rows, start=2):
        try:
            re.compile(row["pattern"])
        except re.error:
            raise SelfdataError("expected a regular expression in column pattern",
                                file=name, line=n) from None
        if row["sign"] not in ("", "debit", "credit"):
            raise SelfdataError('expected "debit", "credit" or nothing in column sign',
                                file=name, line=n)
    frame = pd.DataFrame(rows, columns=sorted(expected))
    return frame.assign(subcategory=frame["subcategory"].replace("", None))


def categorize(con: duckdb.DuckDBPyConnection, scope: Scope,
               user_rules: str | Path | None = None) -> str:
    """Create the temp table `categorized`: the scope's transactions with `category` and
    `subcategory` (the store's own `category`, set by hand, wins). Returns its name."""
    rules = load_rules(user_rules)
    con.register("_category_rules", rules)
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE categorized AS
            WITH tx AS (
                SELECT * FROM transactions
                WHERE person_id = $person AND {in_period("booked_on")}),
            matched AS (
                SELECT tx.uid, arg_min(r.category, r.priority) AS category,
                       arg_min(r.subcategory, r.priority) AS subcategory
                FROM tx JOIN _category_rules r
                  ON regexp_matches(coalesce(tx.label, ''), r.pattern, 'i')
                 AND (r.sign = '' OR (r.sign = 'debit') = (tx.amount < 0))
                GROUP BY tx.uid)
            SELECT tx.* EXCLUDE (category),
                   coalesce(tx.category, m.category, '{OTHER}') AS category,
                   m.subcategory
            FROM tx LEFT JOIN matched m USING (uid)
            """, {k: v for k, v in scope.params.items() if k in ("person", "start", "end")}
        ).fetchall()
    finally:
        con.unregister("_category_rules")
    return "categorized"
