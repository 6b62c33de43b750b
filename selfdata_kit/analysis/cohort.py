"""Cohort aggregates for researchers and workshops: coverage, distributions of the key
figures, comparisons between groups, under statistics-office disclosure control.

Per-person key figures come from each report's `figures()` (`analysis.figures`), so the
cohort sees exactly what the individual reports show. Every aggregate carries `n_persons`;
the rules of `analysis.disclosure` (threshold of k persons, dominance, secondary suppression,
percentiles' tails) blank any cell that could single a person out, and say why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import duckdb
import pandas as pd

from ..errors import SelfdataError
from . import disclosure
from .disclosure import DOMINANCE_DEFAULT, K_DEFAULT, K_MIN, MAX_ABS, SUM_ABS, Rules
from .figures import COHORT_FIGURES
from .scope import Group

__all__ = ["DOMINANCE_DEFAULT", "K_DEFAULT", "K_MIN", "STATS", "aggregates", "check_k",
           "coverage", "distributions", "key_metrics", "load_groups", "person_metrics",
           "suppress"]

STATS = ("mean", "p10", "p25", "median", "p75", "p90")
# the extreme percentiles, which rule 4 of `analysis.disclosure` holds to more persons
TAILS = {"p10": 0.10, "p90": 0.90}


def check_k(k: int) -> int:
    """`k` if it is a threshold the rules accept (at least K_MIN), else a SelfdataError."""
    return disclosure.check_k(k)


def suppress(frame: pd.DataFrame, k: int, value_columns: Iterable[str],
             dominance: float = DOMINANCE_DEFAULT) -> pd.DataFrame:
    """Blank `value_columns` (and `n_persons`) of the cells failing the threshold or, where
    the frame carries the contributions' columns, the dominance rule; say so and why."""
    return disclosure.protect(frame, Rules(k, dominance), list(value_columns))


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

    Every report's figures are set-based (`COHORT_FIGURES`): computed ONCE for the whole
    group (GROUP BY person_id in SQL); a person without data for it has NaN there."""
    if persons is None:
        persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                   .fetchall()]
    frame = pd.DataFrame({"person_id": pd.Series(persons, dtype=object)})
    group = Group(tuple(persons))
    for topic in topics:
        if topic not in COHORT_FIGURES:
            raise ValueError(f"no set-based figures for {topic!r}; known: "
                             f"{', '.join(sorted(COHORT_FIGURES))}")
        part = COHORT_FIGURES[topic](con, group)
        part = part.rename(columns={c: f"{topic}.{c}" for c in part.columns
                                    if c != "person_id"})
        frame = frame.merge(part.astype({"person_id": object}), on="person_id", how="left")
    return frame


# --- aggregates ----------------------------------------------------------------------------

def distributions(metrics: pd.DataFrame, k: int = K_DEFAULT,
                  groups: pd.DataFrame | None = None, by: str | None = None,
                  dominance: float = DOMINANCE_DEFAULT) -> pd.DataFrame:
    """For each metric (and each group of `by` when given): n_persons and the statistics in
    STATS over the persons who have a value, under the rules of `analysis.disclosure`. With
    `by`, the groups of a metric partition its row over every person (published beside
    them): secondary suppression protects them, the persons in no group included."""
    rules = Rules(check_k(k), dominance)
    data = metrics
    if by is not None:
        if groups is None or by not in groups.columns:
            raise SelfdataError(f"no attribute {by!r} in the persons attributes file")
        if groups["person_id"].duplicated().any():
            # overlapping groups would let one person be the difference between two cells
            raise SelfdataError("a person appears more than once in the persons attributes",
                                hint="one row per person: each person in one group")
        data = metrics.merge(groups[["person_id", by]], on="person_id", how="left")
        data[by] = data[by].astype("object").where(data[by].notna(), disclosure.REMAINDER)
    long = data.melt(id_vars=["person_id", *([by] if by else [])], var_name="metric",
                     value_name="value").dropna(subset=["value"])
    keys = ["metric", *([by] if by else [])]
    grouped = long.groupby(keys, sort=True)["value"]
    stats = grouped.agg(
        n_persons="count", mean="mean",
        p10=lambda s: s.quantile(0.10), p25=lambda s: s.quantile(0.25),
        median="median", p75=lambda s: s.quantile(0.75), p90=lambda s: s.quantile(0.90),
    )
    stats = stats.join(disclosure.contributions(grouped)).reset_index()
    if by is not None and not stats.empty:
        return disclosure.protect(stats, rules, STATS, family=["metric"], cell=by,
                                  percentiles=TAILS)
    return disclosure.protect(stats, rules, STATS, percentiles=TAILS)


def coverage(con: duckdb.DuckDBPyConnection, k: int = K_DEFAULT,
             dominance: float = DOMINANCE_DEFAULT) -> pd.DataFrame:
    """Persons with data per source and month, and their rows, under the rules of
    `analysis.disclosure`: a count under k is suppressed, and `rows` is a sum (one person's
    rows may dominate it). The cells share no published total (a person counts in many
    months), so no subtraction links them. Months are UTC months: persons of a cohort may
    live in different time zones, and a month's edge moves little."""
    rules = Rules(check_k(k), dominance)
    frame = con.execute(f"""
        WITH rows AS (
            SELECT 'bank' AS source, person_id, date_trunc('month', booked_on) AS month
              FROM transactions
            UNION ALL SELECT 'calls', person_id, date_trunc('month', timezone('UTC', started_at))
              FROM calls
            UNION ALL SELECT 'energy', person_id, date_trunc('month', timezone('UTC', start_at))
              FROM energy
            UNION ALL SELECT 'places', person_id, date_trunc('month', timezone('UTC', start_at))
              FROM places),
        per_person AS (SELECT source, month, person_id, count(*) AS rows FROM rows GROUP BY ALL)
        SELECT source, CAST(month AS DATE) AS month, count(*) AS n_persons, sum(rows) AS rows,
               sum(rows) AS {SUM_ABS}, max(rows) AS {MAX_ABS}
        FROM per_person GROUP BY ALL ORDER BY ALL""").df()
    return disclosure.protect(frame, rules, ["rows"])


def load_groups(path: str) -> pd.DataFrame:
    """A persons attributes file (CSV with a `person_id` column and any attributes)."""
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except OSError as e:
        raise SelfdataError(f"cannot read the groups file ({e.strerror})", file=path) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        raise SelfdataError("expected a CSV file in UTF-8", file=path,
                            hint="one row per person: person_id,heating,city,...") from None
    if "person_id" not in frame.columns:
        raise SelfdataError("expected a person_id column", file=path,
                            hint="one row per person: person_id,heating,city,...")
    twice = frame["person_id"].duplicated()
    if twice.any():  # one person in two groups would be the difference between them
        line = int(twice.to_numpy().argmax()) + 2  # 1-based, after the header
        raise SelfdataError("a person appears twice", file=path, line=line,
                            hint="one row per person: each person in one group")
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
               groups: pd.DataFrame | None = None, by: str | None = None,
               dominance: float = DOMINANCE_DEFAULT) -> dict[str, object]:
    """Everything a cohort report or `selfdata cohort --json` shows: no person id, every
    cell under the rules of `analysis.disclosure`, each suppressed cell saying why, and how
    many cells each rule suppressed (`suppressed`)."""
    Rules(k, dominance)  # checks both before the long part
    metrics = key_metrics(person_metrics(con))
    n = len(metrics)

    def records(frame: pd.DataFrame) -> list[dict[str, object]]:
        out = frame.astype(object).where(frame.notna(), None)
        return [{key: (v.isoformat() if hasattr(v, "isoformat") else v)
                 for key, v in row.items()} for row in out.to_dict("records")]

    result: dict[str, object] = {
        "k": k,
        "rules": {"k": k, "dominance": dominance,
                  "percentile_tails": disclosure.tail_minimum(0.10)},
        "persons": n if n >= k else None,
        "coverage": records(coverage(con, k, dominance)),
        "distributions": records(distributions(metrics, k, dominance=dominance)),
    }
    if by is not None:
        result["by"] = by
        result["groups"] = records(distributions(metrics, k, groups=groups, by=by,
                                                 dominance=dominance))
    tables = [result["coverage"], result["distributions"], result.get("groups", [])]
    result["suppressed"] = {table: disclosure.counts_by_reason(rows) for table, rows
                            in zip(("coverage", "distributions", "groups"), tables, strict=True)
                            if table != "groups" or by is not None}
    return result
