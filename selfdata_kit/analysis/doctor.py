"""`selfdata doctor`: what a person should check before trusting a report.

For each person (one, or every person of the store: the same set-based SQL), per table and
source: the period covered, gaps longer than a week, months with unusually few rows, the rows
rejected at import, files skipped because no format recognised them, and suspected duplicates
across files (the same account, day and amount imported from two different files: two
overlapping exports of one account whose rows differ in label or value date, so the store's
own deduplication, by content, kept both).

Thresholds: data/doctor.toml. Every function returns a small DataFrame with `person_id`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..shipped import settings

# canonical table -> SQL of its rows' local day (`p` is the person's row, for the time zone)
DAY = {"transactions": "t.booked_on",
       "calls": "CAST(timezone(p.timezone, t.started_at) AS DATE)",
       "energy": "CAST(timezone(p.timezone, t.start_at) AS DATE)",
       "places": "CAST(timezone(p.timezone, t.start_at) AS DATE)"}


def load_thresholds(path: str | Path | None = None) -> dict[str, Any]:
    """The thresholds: shipped `doctor.toml`, under the keys of a user's file."""
    return settings("doctor.toml", path)


def _days_sql() -> str:
    """Every (person, table, source, local day, rows) of the store."""
    parts = [f"""SELECT t.person_id, '{table}' AS "table", i.source, {day} AS day,
                        count(*) AS n
                 FROM {table} t JOIN persons p USING (person_id)
                 JOIN imports i ON i.import_id = t.import_id
                 WHERE $person IS NULL OR t.person_id = $person
                 GROUP BY ALL""" for table, day in DAY.items()]
    return " UNION ALL ".join(parts)


def _run(con: duckdb.DuckDBPyConnection, sql: str, person: str | None,
         **params: object) -> pd.DataFrame:
    values = {"person": person, **params}
    return con.execute(sql, {k: v for k, v in values.items() if f"${k}" in sql}).df()


def periods(con: duckdb.DuckDBPyConnection, person: str | None = None) -> pd.DataFrame:
    """person_id, table, source, first, last, days (with rows), rows."""
    return _run(con, f"""
        WITH d AS ({_days_sql()})
        SELECT person_id, "table", source, min(day) AS first, max(day) AS last,
               count(*) AS days, sum(n)::BIGINT AS rows
        FROM d GROUP BY ALL ORDER BY person_id, "table", source""", person)


def gaps(con: duckdb.DuckDBPyConnection, person: str | None = None,
         thresholds: dict[str, Any] | None = None) -> pd.DataFrame:
    """Runs of days without a row, per person, table and source, longer than `gap_days`
    and than `gap_factor` x the series' usual spacing (a savings account moving twice a
    month is not missing data): person_id, table, source, after (last day with rows),
    before (next day with rows), days (days without rows in between)."""
    th = thresholds or load_thresholds()
    return _run(con, f"""
        WITH d AS ({_days_sql()}),
        s AS (SELECT *, (day - lag(day) OVER (PARTITION BY person_id, "table", source
                                              ORDER BY day) - 1) AS gap,
                     lag(day) OVER (PARTITION BY person_id, "table", source ORDER BY day)
                         AS prev FROM d),
        usual AS (SELECT person_id, "table", source, median(gap) AS spacing
                  FROM s WHERE gap IS NOT NULL GROUP BY ALL)
        SELECT person_id, "table", source, prev AS after, day AS before, gap::BIGINT AS days
        FROM s JOIN usual USING (person_id, "table", source)
        WHERE gap > $min_days AND gap > $factor * (spacing + 1)
        ORDER BY person_id, "table", source, after""", person, min_days=th["gap_days"],
        factor=th["gap_factor"])


def thin_months(con: duckdb.DuckDBPyConnection, person: str | None = None,
                thresholds: dict[str, Any] | None = None) -> pd.DataFrame:
    """Full months (not the first or last of the period) with fewer rows than
    `thin_month_ratio` x the median full month: person_id, table, source, month, rows, usual."""
    th = thresholds or load_thresholds()
    return _run(con, f"""
        WITH d AS ({_days_sql()}),
        bounds AS (SELECT person_id, "table", source, date_trunc('month', min(day)) AS m0,
                          date_trunc('month', max(day)) AS m1 FROM d GROUP BY ALL),
        months AS (  -- every month strictly inside the period, with or without rows
            SELECT b.person_id, b."table", b.source, CAST(m AS DATE) AS month
            FROM bounds b, unnest(generate_series(b.m0 + INTERVAL 1 MONTH,
                                                  b.m1 - INTERVAL 1 MONTH,
                                                  INTERVAL 1 MONTH)) AS g(m)),
        counts AS (
            SELECT m.person_id, m."table", m.source, m.month, coalesce(sum(d.n), 0) AS rows
            FROM months m LEFT JOIN d ON d.person_id = m.person_id AND d."table" = m."table"
                 AND d.source = m.source AND date_trunc('month', d.day) = m.month
            GROUP BY ALL),
        usual AS (SELECT person_id, "table", source, median(rows) AS usual
                  FROM counts GROUP BY ALL)
        SELECT c.person_id, c."table", c.source, c.month, c.rows::BIGINT AS rows,
               u.usual::DOUBLE AS usual
        FROM counts c JOIN usual u USING (person_id, "table", source)
        WHERE u.usual >= $min_rows AND c.rows < $ratio * u.usual
        ORDER BY c.person_id, c."table", c.source, c.month""", person,
        min_rows=th["min_rows_per_month"], ratio=th["thin_month_ratio"])


def rejected_rows(con: duckdb.DuckDBPyConnection, person: str | None = None) -> pd.DataFrame:
    """Files imported with rows left out: person_id, source, path, rejected, first_lines."""
    return _run(con, """
        SELECT i.person_id, i.source, i.path, i.rows_rejected AS rejected,
               string_agg(CAST(s.line AS VARCHAR), ', ' ORDER BY s.line)
                   FILTER (WHERE s.line IS NOT NULL) AS lines
        FROM imports i LEFT JOIN import_issues s USING (import_id)
        WHERE i.rows_rejected > 0 AND ($person IS NULL OR i.person_id = $person)
        GROUP BY ALL ORDER BY i.person_id, i.path""", person)


def duplicate_suspects(con: duckdb.DuckDBPyConnection,
                       person: str | None = None) -> pd.DataFrame:
    """The same account, day and amount from two or more different files:
    person_id, account_id, booked_on, amount, rows, files (import paths)."""
    return _run(con, """
        WITH k AS (
            SELECT t.person_id, t.account_id, t.booked_on, t.amount,
                   count(*) AS rows, count(DISTINCT t.import_id) AS n_files,
                   list(DISTINCT i.path ORDER BY i.path) AS files
            FROM transactions t JOIN imports i ON i.import_id = t.import_id
            WHERE $person IS NULL OR t.person_id = $person
            GROUP BY ALL)
        SELECT person_id, account_id, booked_on, CAST(amount AS VARCHAR) AS amount,
               rows::BIGINT AS rows, files
        FROM k WHERE n_files > 1
        ORDER BY person_id, account_id, booked_on, amount""", person)


def energy_overlaps(con: duckdb.DuckDBPyConnection, person: str | None = None) -> pd.DataFrame:
    """The same meter interval from two different files (e.g. a load curve and a daily
    export of the same days counted twice): person_id, meter_id, day, intervals, files."""
    return _run(con, """
        WITH k AS (
            SELECT e.person_id, e.meter_id, e.start_at, e.end_at,
                   count(DISTINCT e.import_id) AS n_files, min(i.path) AS f1, max(i.path) AS f2
            FROM energy e JOIN imports i ON i.import_id = e.import_id
            WHERE $person IS NULL OR e.person_id = $person
            GROUP BY ALL)
        SELECT person_id, meter_id, count(*)::BIGINT AS intervals, min(start_at) AS first,
               max(end_at) AS last, [f1, f2] AS files
        FROM k WHERE n_files > 1 GROUP BY person_id, meter_id, f1, f2
        ORDER BY person_id, meter_id""", person)


def skipped_files(con: duckdb.DuckDBPyConnection, person: str | None = None) -> pd.DataFrame:
    """Files an import skipped because no format recognised them: person_id, path, reason."""
    return _run(con, """
        SELECT i.person_id, i.path, min(s.message) AS reason
        FROM imports i LEFT JOIN import_issues s USING (import_id)
        WHERE i.status = 'skipped' AND ($person IS NULL OR i.person_id = $person)
        GROUP BY ALL ORDER BY i.person_id, i.path""", person)


def checkup(con: duckdb.DuckDBPyConnection, person: str | None = None,
            thresholds: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Every check, each a frame over the persons (one person with `person`)."""
    th = thresholds or load_thresholds()
    return {"periods": periods(con, person), "gaps": gaps(con, person, th),
            "thin_months": thin_months(con, person, th),
            "rejected_rows": rejected_rows(con, person),
            "skipped_files": skipped_files(con, person),
            "duplicate_suspects": duplicate_suspects(con, person),
            "energy_overlaps": energy_overlaps(con, person)}
