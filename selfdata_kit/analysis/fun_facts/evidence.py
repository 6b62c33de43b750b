"""Evidence: how much data a cursor or a badge stands on, counted in the unit that matters
for it (weeks of location history, fresh-food purchases, months of bank statements ...).

Each cursor and badge of `data/fun_facts.toml` names its `evidence` (a key of `EVIDENCE`) and
the count it `needs`; below it the cursor has no position and the badge is not earned: the
page says "not enough data to say" and what would be needed, instead of a claim.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

from ..categories import NOT_SPENDING
from ..scope import Scope, in_period, local_day, query
from .metrics import categorized


def _one(con: duckdb.DuckDBPyConnection, sql: str, scope: Scope, **params: object) -> int:
    return int(query(con, sql, scope, **params).iloc[0, 0] or 0)


def location_weeks(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Calendar weeks (Monday to Sunday) with at least one visit or location point."""
    return _one(con, f"""
        SELECT count(DISTINCT date_trunc('week', {local_day('start_at')})) FROM places
        WHERE person_id = $person AND lat IS NOT NULL
          AND {in_period(local_day('start_at'))}""", scope)


def call_weeks(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Calendar weeks with at least one call or text message."""
    return _one(con, f"""
        SELECT count(DISTINCT date_trunc('week', {local_day('started_at')})) FROM calls
        WHERE person_id = $person AND channel IN ('voice', 'sms')
          AND {in_period(local_day('started_at'))}""", scope)


def voice_calls(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Voice calls with a duration."""
    return _one(con, f"""
        SELECT count(*) FROM calls WHERE person_id = $person AND channel = 'voice'
          AND duration_s IS NOT NULL AND {in_period(local_day('started_at'))}""", scope)


# the local day of every call or text and of every visit start, in the period
_TIMED_DAYS = f"""
    SELECT {local_day('started_at')} AS day FROM calls WHERE person_id = $person
      AND {in_period(local_day('started_at'))}
    UNION ALL
    SELECT {local_day('start_at')} FROM places WHERE person_id = $person
      AND kind = 'visit' AND {in_period(local_day('start_at'))}"""


def timed_days(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Local days with at least one timed event: a call or text, or a visit starting."""
    return _one(con, f"SELECT count(DISTINCT day) FROM ({_TIMED_DAYS})", scope)


def active_days(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Local days with a timed event, or with an electricity load curve (hourly or finer)."""
    return _one(con, f"""
        SELECT count(DISTINCT day) FROM (
            {_TIMED_DAYS}
            UNION ALL
            SELECT {local_day('start_at')} FROM energy JOIN meters USING (person_id, meter_id)
            WHERE person_id = $person AND commodity = 'electricity' AND kwh IS NOT NULL
              AND epoch(end_at - start_at) <= 3600 AND {in_period(local_day('start_at'))})""",
                scope)


def outings_or_payments(con: duckdb.DuckDBPyConnection, scope: Scope,
                        cfg: dict[str, Any]) -> int:
    """What the routine / adventurous share is computed over: place visits away from home
    when there is a location history, else card payments and other spending debits."""
    from .places import outings

    out = outings(con, scope, cfg)
    if not out.empty:
        return len(out)
    return spending_payments(con, scope, cfg)


def spending_payments(con: duckdb.DuckDBPyConnection, scope: Scope,
                      cfg: dict[str, Any]) -> int:
    """Debits that are spending (not transfers between own accounts, not income)."""
    return _one(con, f"""SELECT count(*) FROM {categorized(con, scope)}
        WHERE amount < 0 AND category NOT IN {tuple(NOT_SPENDING)}""", scope)


def fresh_food_purchases(con: duckdb.DuckDBPyConnection, scope: Scope,
                         cfg: dict[str, Any]) -> int:
    """Purchases in the shops that tell meat from no meat (`evidence_from` of the diet
    cursor: butchers, organic shops and greengrocers; bread says nothing about meat)."""
    kinds = cfg["cursors"]["vegetarian_carnivore"]["evidence_from"]
    return _one(con, f"""SELECT count(*) FROM {categorized(con, scope)}
        WHERE amount < 0 AND list_contains($kinds, subcategory)""", scope, kinds=kinds)


def income_months(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Calendar months with an income credit."""
    return _one(con, f"""SELECT count(DISTINCT date_trunc('month', booked_on))
        FROM {categorized(con, scope)} WHERE category = 'income' AND amount > 0""", scope)


def bank_months(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Calendar months with at least one bank transaction."""
    return _one(con, f"""SELECT count(DISTINCT date_trunc('month', booked_on))
        FROM transactions WHERE person_id = $person AND {in_period('booked_on')}""", scope)


def load_curve_days(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]) -> int:
    """Local days with electricity readings of an hour or less (a load curve)."""
    return _one(con, f"""
        SELECT count(DISTINCT {local_day('start_at')}) FROM energy
        JOIN meters USING (person_id, meter_id)
        WHERE person_id = $person AND commodity = 'electricity' AND kwh IS NOT NULL
          AND epoch(end_at - start_at) <= 3600 AND {in_period(local_day('start_at'))}""",
                scope)


EVIDENCE: dict[str, Callable[[duckdb.DuckDBPyConnection, Scope, dict[str, Any]], int]] = {
    "location_weeks": location_weeks, "call_weeks": call_weeks, "voice_calls": voice_calls,
    "timed_days": timed_days, "active_days": active_days,
    "outings_or_payments": outings_or_payments, "spending_payments": spending_payments,
    "fresh_food_purchases": fresh_food_purchases, "income_months": income_months,
    "bank_months": bank_months, "load_curve_days": load_curve_days}


def count(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any],
          rule: dict[str, Any]) -> tuple[int, int]:
    """(evidence, needed) for one cursor or badge entry of the configuration."""
    kind = rule["evidence"]
    if kind not in EVIDENCE:
        raise ValueError(f"unknown evidence {kind!r} in the fun facts configuration; "
                         f"known: {', '.join(EVIDENCE)}")
    return EVIDENCE[kind](con, scope, cfg), int(rule["needs"])
