"""Who and when an analysis is about: a person, a period of local dates, their time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pandas as pd

from ..errors import SelfdataError
from ..store import known_persons_hint


@dataclass(frozen=True)
class Scope:
    """A person and an inclusive period of LOCAL dates (None = open-ended)."""

    person: str
    start: date | None = None
    end: date | None = None
    tz: str = "Europe/Paris"

    @property
    def params(self) -> dict[str, object]:
        """Named parameters for SQL: $person, $start, $end, $tz."""
        return {"person": self.person, "start": self.start, "end": self.end, "tz": self.tz}


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def make_scope(con: duckdb.DuckDBPyConnection, person: str,
               start: date | str | None = None, end: date | str | None = None) -> Scope:
    """The scope of `person` (their time zone from the store); dates may be ISO strings."""
    rows = con.execute("SELECT timezone FROM persons WHERE person_id = ?", [person]).fetchall()
    if not rows:
        known = [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
        raise SelfdataError(f"no person {person!r} in the store",
                            hint=known_persons_hint(known, person))
    tz = rows[0][0] or "Europe/Paris"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SelfdataError(f"person {person!r} has an unknown time zone",
                            hint="set persons.timezone to a name like Europe/Paris") from None
    return Scope(person, _as_date(start), _as_date(end), tz)


def query(con: duckdb.DuckDBPyConnection, sql: str, scope: Scope,
          **extra: object) -> pd.DataFrame:
    """Run `sql` with $person, $start, $end, $tz (and `extra`) bound; a DataFrame back.

    Helpers for the period filter: `in_period(expr)` for a DATE expression,
    `local_day(ts)` for the local date of a TIMESTAMPTZ column.
    """
    params = {**scope.params, **extra}
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, used).df()


def in_period(date_expr: str) -> str:
    """SQL predicate: `date_expr` within the scope's inclusive period (open ends allowed)."""
    return (f"(CAST($start AS DATE) IS NULL OR {date_expr} >= CAST($start AS DATE))"
            f" AND (CAST($end AS DATE) IS NULL OR {date_expr} <= CAST($end AS DATE))")


def local_time(ts_column: str) -> str:
    """SQL: the person's local wall time of a TIMESTAMPTZ column."""
    return f"timezone($tz, {ts_column})"


def local_day(ts_column: str) -> str:
    """SQL: the person's local date of a TIMESTAMPTZ column."""
    return f"CAST(timezone($tz, {ts_column}) AS DATE)"


# canonical table -> SQL local date of one of its rows: the one map every analysis, report,
# coverage and explorer tab uses (bank statements are dated in local days already)
LOCAL_DAY = {"transactions": "booked_on",
             "calls": local_day("started_at"),
             "energy": local_day("start_at"),
             "places": local_day("start_at"),
             "media": local_day("started_at")}


# --- several persons at once (the cohort's set-based figures) --------------------------------

@dataclass(frozen=True)
class Group:
    """Several persons (None = every person in the store) and one inclusive period of LOCAL
    dates. Set-based analyses take a Group and answer one row per person (GROUP BY person_id);
    a person's own figures are the same SQL over `Group.of(scope)`, so the cohort and the
    person's report are equal by construction."""

    persons: tuple[str, ...] | None = None
    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, scope: Scope) -> Group:
        return cls((scope.person,), scope.start, scope.end)

    @property
    def params(self) -> dict[str, object]:
        """Named parameters for SQL: $persons (a list, or NULL for everyone), $start, $end."""
        return {"persons": None if self.persons is None else list(self.persons),
                "start": self.start, "end": self.end}


def in_group(person_column: str) -> str:
    """SQL predicate: `person_column` is one of the group's persons (NULL list = everyone)."""
    return (f"(CAST($persons AS VARCHAR[]) IS NULL"
            f" OR list_contains(CAST($persons AS VARCHAR[]), {person_column}))")


# Each person's own time zone, for set-based SQL: `JOIN person_tz USING (person_id)`, then
# `timezone(tz, ts)` where a single-person analysis writes `timezone($tz, ts)`.
PERSON_TZ_CTE = ("person_tz AS (SELECT person_id, coalesce(timezone, 'Europe/Paris') AS tz"
                 " FROM persons)")


def group_query(con: duckdb.DuckDBPyConnection, sql: str, group: Group,
                **extra: object) -> pd.DataFrame:
    """Run `sql` with $persons, $start, $end (and `extra`) bound; a DataFrame back.
    Use `in_group("t.person_id")` and `in_period(...)` in it."""
    params = {**group.params, **extra}
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, used).df()
