"""Cohort aggregates for researchers and workshops: coverage, distributions of the key
figures, comparisons between groups, and NEVER a figure computed over fewer than k persons.

Per-person key figures come from each report's `figures()` (`analysis.figures`), so the
cohort sees exactly what the individual reports show. Every aggregate carries `n_persons`;
`suppress` blanks the values of any cell under k and marks it, so a small group cannot be
singled out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import duckdb
import pandas as pd

from ..errors import SelfdataError
from .figures import COHORT_FIGURES, FIGURES
from .scope import Group, Scope, make_scope

K_DEFAULT = 5
K_MIN = 2
STATS = ("mean", "p10", "p25", "median", "p75", "p90")


def check_k(k: int) -> int:
    if k < K_MIN:
        raise SelfdataError(f"k must be at least {K_MIN} (asked {k}): a group of one is a person",
                            hint=f"the default is {K_DEFAULT}")
    return k


def suppress(frame: pd.DataFrame, k: int, value_columns: Iterable[str]) -> pd.DataFrame:
    """Blank `value_columns` where `n_persons` < k, and say so in `suppressed`."""
    check_k(k)
    out = frame.copy()
    small = out["n_persons"] < k
    for col in value_columns:
        if col in out.columns:
            out[col] = out[col].astype("object").where(~small, None)
    out["suppressed"] = small
    return out


# --- per-person metrics --------------------------------------------------------------------

def _flatten(prefix: str, value: object, out: dict[str, float | None]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}", v, out)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        out[prefix] = None if isinstance(value, float) and math.isnan(value) else float(value)
    elif isinstance(value, str):
        try:
            out[prefix] = float(value)
        except ValueError:
            return


def person_metrics(con: duckdb.DuckDBPyConnection, persons: list[str] | None = None,
                   topics: Iterable[str] = ("spending", "calls", "energy", "fun_facts"),
                   ) -> pd.DataFrame:
    """One row per person, one column per numeric key figure of each report's summary
    ("energy.annual_kwh.electricity", "fun_facts.cursors.saver_spender.position", ...).

    A report with set-based figures (`COHORT_FIGURES`) is computed ONCE for the whole group
    (GROUP BY person_id in SQL); a person without data for it has NaN there."""
    if persons is None:
        persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                   .fetchall()]
    frame = pd.DataFrame({"person_id": pd.Series(persons, dtype=object)})
    group = Group(tuple(persons))
    slow = []
    for topic in topics:
        if topic in COHORT_FIGURES:
            part = COHORT_FIGURES[topic](con, group)
            part = part.rename(columns={c: f"{topic}.{c}" for c in part.columns
                                        if c != "person_id"})
            frame = frame.merge(part.astype({"person_id": object}), on="person_id",
                                how="left")
        else:
            slow.append(topic)
    if slow:
        frame = frame.merge(_per_person_metrics(con, persons, slow), on="person_id", how="left")
    return frame


def _per_person_metrics(con: duckdb.DuckDBPyConnection, persons: list[str],
                        topics: list[str]) -> pd.DataFrame:
    """FALLBACK for reports without `cohort_figures` yet: each person's `figures()` one by
    one (seconds per person), flattened."""
    rows = []
    for person in persons:
        scope: Scope = make_scope(con, person)
        row: dict[str, float | None] = {}
        for topic in topics:
            _flatten(topic, FIGURES[topic](con, scope), row)
        rows.append({"person_id": person, **row})
    return pd.DataFrame(rows, columns=["person_id"] if not rows else None).astype(
        {"person_id": object})


# --- aggregates ----------------------------------------------------------------------------

def distributions(metrics: pd.DataFrame, k: int = K_DEFAULT,
                  groups: pd.DataFrame | None = None, by: str | None = None) -> pd.DataFrame:
    """For each metric (and each group of `by` when given): n_persons and the statistics in
    STATS over the persons who have a value; cells under k persons are suppressed."""
    check_k(k)
    data = metrics
    if by is not None:
        if groups is None or by not in groups.columns:
            raise SelfdataError(f"no attribute {by!r} in the persons attributes file")
        data = metrics.merge(groups[["person_id", by]], on="person_id", how="inner")
    long = data.melt(id_vars=["person_id", *([by] if by else [])], var_name="metric",
                     value_name="value").dropna(subset=["value"])
    keys = ["metric", *([by] if by else [])]
    grouped = long.groupby(keys, sort=True)["value"]
    stats = grouped.agg(
        n_persons="count", mean="mean",
        p10=lambda s: s.quantile(0.10), p25=lambda s: s.quantile(0.25),
        median="median", p75=lambda s: s.quantile(0.75), p90=lambda s: s.quantile(0.90),
    ).reset_index()
    return suppress(stats, k, STATS)


def coverage(con: duckdb.DuckDBPyConnection, k: int = K_DEFAULT) -> pd.DataFrame:
    """Persons with data per source and month (suppressed under k). Months are UTC months:
    persons of a cohort may live in different time zones, and a month's edge moves little."""
    frame = con.execute("""
        WITH rows AS (
            SELECT 'bank' AS source, person_id, date_trunc('month', booked_on) AS month
              FROM transactions
            UNION ALL SELECT 'calls', person_id, date_trunc('month', timezone('UTC', started_at))
              FROM calls
            UNION ALL SELECT 'energy', person_id, date_trunc('month', timezone('UTC', start_at))
              FROM energy
            UNION ALL SELECT 'places', person_id, date_trunc('month', timezone('UTC', start_at))
              FROM places)
        SELECT source, CAST(month AS DATE) AS month, count(DISTINCT person_id) AS n_persons,
               count(*) AS rows
        FROM rows GROUP BY ALL ORDER BY ALL""").df()
    return suppress(frame, k, ["rows"])


def load_groups(path: str) -> pd.DataFrame:
    """A persons attributes file (CSV with a `person_id` column and any attributes)."""
    frame = pd.read_csv(path, dtype=str)
    if "person_id" not in frame.columns:
        raise SelfdataError("expected a person_id column", file=path,
                            hint="one row per person: person_id,heating,city,...")
    return frame


# The key figures a cohort is described by (issue: spend per category, annual kWh, standby W,
# calls per week, fun-fact cursors); prefixes of the flattened summary columns.
KEY_METRICS = ("spending.totals_by_category.", "energy.annual_kwh.", "energy.standby_watts",
               "calls.calls_per_week", "calls.sms_per_week", "fun_facts.cursors.")


def key_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    """The KEY_METRICS columns; of a fun-fact cursor, its position only (not the evidence
    counts beside it in the summary: {"position", "evidence", "needed"})."""
    keep = [c for c in metrics.columns if c == "person_id" or (
        c.startswith(KEY_METRICS) and not (c.startswith("fun_facts.cursors.")
                                           and not c.endswith(".position")))]
    return metrics[keep]


def aggregates(con: duckdb.DuckDBPyConnection, k: int = K_DEFAULT,
               groups: pd.DataFrame | None = None, by: str | None = None) -> dict[str, object]:
    """Everything a cohort report or `selfdata cohort --json` shows: no person id, no
    figure over fewer than k persons."""
    check_k(k)
    metrics = key_metrics(person_metrics(con))
    n = len(metrics)

    def records(frame: pd.DataFrame) -> list[dict[str, object]]:
        out = frame.astype(object).where(frame.notna(), None)
        return [{key: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for key, v in row.items()} for row in out.to_dict("records")]

    result: dict[str, object] = {
        "k": k,
        "persons": n if n >= k else None,
        "coverage": records(coverage(con, k)),
        "distributions": records(distributions(metrics, k)),
    }
    if by is not None:
        result["by"] = by
        result["groups"] = records(distributions(metrics, k, groups=groups, by=by))
    return result
