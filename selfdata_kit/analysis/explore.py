"""The explorer's SQL: what the explorer asks that the report analyses do not offer.

Four tabs, one per kind of source (`TABS`). For each: the choices of its filter
(`filter_options`), a small aggregated frame for its chart (`chart_frame`) and the rows behind
the selection (`rows`, the drill-down). A `choice` of None means "all". Spending reuses the
report's categories (`analysis.spending.prepare`), energy the report's selection of readings
(`analysis.energy.READINGS`), so the explorer and the reports always agree.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from . import calls as calls_analysis
from . import energy as energy_analysis
from .categories import NOT_SPENDING, person_categories
from .coverage import coverage
from .scope import LOCAL_DAY, Scope, in_period, local_day, local_time, make_scope, query
from .spending import prepare

TABS = ("spending", "calls", "energy", "places")
# tab -> its canonical table (rows dated by `scope.LOCAL_DAY`, as in the reports)
TABLE_OF = {"spending": "transactions", "calls": "calls", "energy": "energy", "places": "places"}
_SPENDING = f"amount < 0 AND category NOT IN ({', '.join(repr(c) for c in NOT_SPENDING)})"


def _check(tab: str) -> None:
    if tab not in TABS:
        raise ValueError(f"unknown tab {tab!r}; tabs: {', '.join(TABS)}")


def glance(con: duckdb.DuckDBPyConnection, person: str) -> pd.DataFrame:
    """"My data at a glance": per source, rows, first and last day, longest gap, imports."""
    scope = make_scope(con, person)
    out = []
    for tab, table in TABLE_OF.items():
        c = coverage(con, scope, table)
        out.append({"source": tab, "rows": c.rows, "first": c.first, "last": c.last,
                    "days_with_data": c.days_with_data, "longest_gap_days": c.longest_gap_days,
                    "imports": c.imports})
    return pd.DataFrame(out)


def months(con: duckdb.DuckDBPyConnection, person: str) -> list[date]:
    """The first day of every month holding any data of `person`, oldest first."""
    scope = make_scope(con, person)
    union = " UNION ".join(f"SELECT DISTINCT date_trunc('month', {LOCAL_DAY[table]}) AS m"
                           f" FROM {table} WHERE person_id = $person"
                           for table in TABLE_OF.values())
    frame = query(con, f"SELECT DISTINCT CAST(m AS DATE) AS m FROM ({union}) ORDER BY 1", scope)
    return [pd.Timestamp(m).date() for m in frame["m"]]


def filter_options(con: duckdb.DuckDBPyConnection, scope: Scope, tab: str) -> pd.DataFrame:
    """The filter's choices: `value` (what `chart_frame` and `rows` take), `label` (what the
    user sees, before translation), `safe_label` (for screen-safe mode), `rows` in the period,
    most frequent first."""
    _check(tab)
    if tab == "spending":
        prepare(con, scope)
        return query(con, f"""SELECT category AS value, category AS label,
                                     category AS safe_label, count(*) AS rows
                              FROM spending_tx WHERE {_SPENDING} GROUP BY 1
                              ORDER BY rows DESC, value""", scope)
    if tab == "calls":  # a kept name is personal, the pseudonym is not
        # the tab's chart counts calls and texts: a contact met only in chats would draw
        # an empty one, so the choice lists (and ranks by) calls and texts
        return query(con, f"""
            SELECT k.contact_id AS value, coalesce(k.label, k.pseudonym) AS label,
                   k.pseudonym AS safe_label, count(*) AS rows
            FROM calls c JOIN contacts k USING (person_id, contact_id)
            WHERE c.person_id = $person AND c.channel IN ('voice', 'sms')
              AND {in_period(local_day('c.started_at'))}
            GROUP BY k.contact_id, k.label, k.pseudonym ORDER BY rows DESC,
                     CAST(regexp_extract(k.pseudonym, '(\\d+)$', 1) AS INTEGER)""", scope)
    if tab == "energy":  # a meter number (PRM, PCE) identifies a home: show its end only
        return query(con, f"""
            WITH {energy_analysis.READINGS}
            SELECT meter_id AS value, commodity || ' …' || right(meter_id, 4) AS label,
                   commodity AS safe_label, count(*) AS rows
            FROM readings GROUP BY meter_id, commodity ORDER BY commodity, value""", scope)
    return query(con, f"""
        SELECT kind AS value, kind AS label, kind AS safe_label, count(*) AS rows
        FROM places WHERE person_id = $person AND {in_period(local_day('start_at'))}
        GROUP BY 1 ORDER BY rows DESC, value""", scope)


def chart_frame(con: duckdb.DuckDBPyConnection, scope: Scope, tab: str,
                choice: str | None = None) -> pd.DataFrame:
    """A small frame for the tab's chart: spending per month and category (`month`,
    `category`, `amount`), calls and texts per week (`week`, `channel`, `count`: the shape of
    `analysis.calls.weekly_volume`), kWh per day (`day`, `commodity`, `kwh`: the shape of
    `analysis.energy.daily_kwh`), places per week and kind (`week`, `kind`, `count`)."""
    _check(tab)
    if tab == "spending":
        prepare(con, scope)
        return query(con, f"""
            SELECT CAST(date_trunc('month', booked_on) AS DATE) AS month, category,
                   CAST(-sum(amount) AS DOUBLE) AS amount
            FROM spending_tx WHERE {_SPENDING}
              AND (CAST($choice AS VARCHAR) IS NULL OR category = $choice)
            GROUP BY ALL ORDER BY month, amount DESC""", scope, choice=choice)
    if tab == "calls":
        if choice is None:
            return calls_analysis.weekly_volume(con, scope)
        return query(con, f"""
            WITH c AS (SELECT date_trunc('week', {local_day('started_at')}) AS week, channel
                       FROM calls WHERE person_id = $person AND contact_id = $choice
                         AND {in_period(local_day('started_at'))}),
            weeks AS (SELECT unnest(generate_series(min(week), max(week), INTERVAL 7 DAY))
                             AS week FROM c),
            grid AS (SELECT week, channel FROM weeks, (VALUES ('voice'), ('sms')) v(channel)),
            counted AS (SELECT week, channel, count(*) AS n FROM c GROUP BY ALL)
            SELECT CAST(g.week AS DATE) AS week, g.channel, coalesce(n, 0) AS count
            FROM grid g LEFT JOIN counted USING (week, channel)
            ORDER BY week, channel DESC""", scope, choice=choice)
    if tab == "energy":
        if choice is None:
            return energy_analysis.daily_kwh(con, scope)
        return query(con, f"""
            WITH {energy_analysis.READINGS}
            SELECT day, commodity, sum(kwh) AS kwh FROM readings WHERE meter_id = $choice
            GROUP BY ALL ORDER BY day, commodity""", scope, choice=choice)
    return query(con, f"""
        SELECT CAST(date_trunc('week', {local_day('start_at')}) AS DATE) AS week, kind,
               count(*) AS count
        FROM places WHERE person_id = $person AND {in_period(local_day('start_at'))}
          AND (CAST($choice AS VARCHAR) IS NULL OR kind = $choice)
        GROUP BY ALL ORDER BY week, kind""", scope, choice=choice)


# tab -> the columns of `rows` that name a person, a shop or a place (masked when screen-safe)
SENSITIVE = {"spending": ("label", "merchant"), "calls": ("contact",),
             "energy": ("meter",), "places": ("name",)}


def rows(con: duckdb.DuckDBPyConnection, scope: Scope, tab: str, choice: str | None = None,
         limit: int = 200) -> pd.DataFrame:
    """The rows behind the selection, newest first, at most `limit` (the drill-down)."""
    _check(tab)
    if tab == "spending":
        prepare(con, scope)
        return query(con, f"""
            SELECT booked_on AS day, label, merchant, category, CAST(amount AS DOUBLE) AS amount
            FROM spending_tx WHERE {_SPENDING}
              AND (CAST($choice AS VARCHAR) IS NULL OR category = $choice)
            ORDER BY booked_on DESC, uid LIMIT $limit""", scope, choice=choice, limit=limit)
    if tab == "calls":
        return query(con, f"""
            SELECT {local_time('c.started_at')} AS local_time, c.channel, c.direction,
                   c.duration_s, coalesce(k.label, k.pseudonym) AS contact
            FROM calls c LEFT JOIN contacts k USING (person_id, contact_id)
            WHERE c.person_id = $person AND {in_period(local_day('c.started_at'))}
              AND (CAST($choice AS VARCHAR) IS NULL OR c.contact_id = $choice)
            ORDER BY c.started_at DESC, c.uid LIMIT $limit""", scope, choice=choice,
                     limit=limit)
    if tab == "energy":
        return query(con, f"""
            WITH {energy_analysis.READINGS}
            SELECT day, {local_time('start_at')} AS local_time,
                   CAST(step_s / 60 AS INTEGER) AS minutes, commodity,
                   '…' || right(meter_id, 4) AS meter, kwh
            FROM readings WHERE CAST($choice AS VARCHAR) IS NULL OR meter_id = $choice
            ORDER BY start_at DESC, meter_id LIMIT $limit""", scope, choice=choice,
                     limit=limit)
    return query(con, f"""
        SELECT {local_time('start_at')} AS local_time, {local_time('end_at')} AS local_end,
               kind, name, round(lat, 3) AS lat, round(lon, 3) AS lon
        FROM places WHERE person_id = $person AND {in_period(local_day('start_at'))}
          AND (CAST($choice AS VARCHAR) IS NULL OR kind = $choice)
        ORDER BY start_at DESC, uid LIMIT $limit""", scope, choice=choice, limit=limit)


def spending_choices(con: duckdb.DuckDBPyConnection, scope: Scope, choice: str | None = None,
                     limit: int = 200) -> pd.DataFrame:
    """What the person may re-categorise: the spending rows behind the selection (newest
    first, with their uid and what decided their category) and their merchants."""
    prepare(con, scope)
    return query(con, f"""
        WITH s AS (SELECT * FROM spending_tx WHERE {_SPENDING}
                     AND (CAST($choice AS VARCHAR) IS NULL OR category = $choice))
        SELECT s.uid, s.booked_on AS day, s.label, s.merchant, s.category,
               CAST(s.amount AS DOUBLE) AS amount, p.decided_by
        FROM s JOIN {person_categories(con, scope.person)} p USING (uid)
        ORDER BY s.booked_on DESC, s.uid LIMIT $limit""", scope, choice=choice, limit=limit)
