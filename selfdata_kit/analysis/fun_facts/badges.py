"""Badges: small rules (thresholds in `data/fun_facts.toml`), each with the rows that earned it.

A badge is a `Badge(earned, figure, rows)`: `figure` is the number the rule compares with its
threshold (days, calls, watts, towns...), `rows` the few rows a person can check it against.
A source that is missing simply earns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from ..categories import NOT_SPENDING
from ..scope import Scope, in_period, local_day, local_time, query
from .metrics import categorized
from .places import day_hour, outings, towns


@dataclass(frozen=True)
class Badge:
    earned: bool
    figure: float | None  # what the rule measured (None: no data of that kind)
    rows: pd.DataFrame    # what earned it (or came closest), a few rows


def early_riser(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Badge:
    rule, h0 = cfg["badges"]["early_riser"], cfg["hours"]["day_starts_at"]
    days = query(con, f"""
        WITH ev AS (
            SELECT started_at AS ts FROM calls
            WHERE person_id = $person AND {in_period(local_day('started_at'))}
            UNION ALL
            SELECT start_at FROM places WHERE person_id = $person AND kind = 'visit'
              AND {in_period(local_day('start_at'))})
        SELECT {local_day("ts")} AS day, min({day_hour("ts", h0)}) AS first_hour FROM ev
        GROUP BY 1 HAVING min({day_hour("ts", h0)}) < $before ORDER BY first_hour, day""",
        scope, before=rule["before_hour"])
    return Badge(len(days) >= rule["min_days"], float(len(days)), days.head(5))


def night_owl(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Badge:
    rule = cfg["badges"]["night_owl"]
    # calls, texts, chat messages, and plays or viewings with a time (Netflix's title list has
    # only a day, written as 00:00: not a night event)
    late = query(con, f"""
        WITH ev AS (SELECT started_at FROM calls WHERE person_id = $person
                    UNION ALL SELECT started_at FROM media WHERE person_id = $person
                      AND NOT (service = 'netflix' AND duration_s IS NULL))
        SELECT {local_day('started_at')} AS day, count(*) AS events FROM ev
        WHERE {in_period(local_day('started_at'))}
          AND hour({local_time('started_at')}) >= $lo AND hour({local_time('started_at')}) < $hi
        GROUP BY 1 ORDER BY events DESC, day""", scope, lo=rule["from_hour"], hi=rule["to_hour"])
    n = int(late["events"].sum())
    return Badge(n >= rule["min_events"], float(n), late.head(5))


def marathon_talker(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
                    ) -> Badge:
    rule = cfg["badges"]["marathon_talker"]
    longest = query(con, f"""
        SELECT {local_time('started_at')} AS started, round(duration_s / 60, 1) AS minutes
        FROM calls WHERE person_id = $person AND channel = 'voice' AND duration_s IS NOT NULL
          AND {in_period(local_day('started_at'))}
        ORDER BY duration_s DESC LIMIT 3""", scope)
    if longest.empty:
        return Badge(False, None, longest)
    top = float(longest["minutes"][0])
    return Badge(top >= rule["min_minutes"], top, longest)


def zero_standby_hero(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
                      ) -> Badge:
    rule = cfg["badges"]["zero_standby_hero"]
    floor = query(con, f"""
        SELECT quantile_cont(kwh * 3.6e6 / epoch(end_at - start_at), 0.02) AS standby_watts,
               count(*) AS readings
        FROM energy JOIN meters USING (person_id, meter_id)
        WHERE person_id = $person AND commodity = 'electricity' AND kwh IS NOT NULL
          AND epoch(end_at - start_at) <= 3600 AND {in_period(local_day('start_at'))}""", scope)
    watts = floor["standby_watts"][0]
    if pd.isna(watts):
        return Badge(False, None, floor.iloc[0:0])
    return Badge(float(watts) <= rule["max_watts"], float(watts), floor)


def explorer(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Badge:
    found = towns(outings(con, scope, cfg), cfg)
    return Badge(len(found) >= cfg["badges"]["explorer"]["min_towns"], float(len(found)), found)


def regular(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Badge:
    top = query(con, f"""
        SELECT coalesce(counterparty, label) AS merchant, strftime(booked_on, '%Y-%m') AS month,
               count(*) AS payments
        FROM {categorized(con, scope)} WHERE amount < 0 AND category NOT IN {tuple(NOT_SPENDING)}
        GROUP BY ALL ORDER BY payments DESC, month LIMIT 3""", scope)
    if top.empty:
        return Badge(False, None, top)
    best = float(top["payments"][0])
    return Badge(best >= cfg["badges"]["regular"]["min_payments"], best, top)


def ant(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> Badge:
    rule = cfg["badges"]["ant"]
    months = query(con, f"""
        SELECT strftime(booked_on, '%Y-%m') AS month,
               coalesce(-sum(amount) FILTER (WHERE amount < 0 AND category = 'transfer'
                   AND regexp_matches(label, $pattern, 'i')), 0) AS saved
        FROM {categorized(con, scope)} GROUP BY 1 ORDER BY 1""", scope, pattern=rule["pattern"])
    if months.empty:
        return Badge(False, None, months)
    share = float((months["saved"] > 0).mean())
    return Badge(share >= rule["min_share_of_months"], share,
                 months.assign(saved=months["saved"].astype(float)))


BADGES = {"early_riser": early_riser, "night_owl": night_owl,
          "marathon_talker": marathon_talker, "zero_standby_hero": zero_standby_hero,
          "explorer": explorer, "regular": regular, "ant": ant}
