"""`selfdata summary`: one person's key figures, from the four reports' own `summary()`,
so the JSON says exactly what the reports show."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import duckdb

from .analysis.scope import make_scope


def person_summary(con: duckdb.DuckDBPyConnection, person: str, start: date | str | None = None,
                   end: date | str | None = None) -> dict[str, object]:
    scope = make_scope(con, person, start, end)
    parts = {name: import_module(f"selfdata_kit.reports.{name}").summary(con, scope)
             for name in ("spending", "calls", "energy", "fun_facts")}
    spending, calls, energy, fun = (parts[n] for n in ("spending", "calls", "energy",
                                                       "fun_facts"))
    return {
        "person": person,
        "start": scope.start,
        "end": scope.end,
        "totals_by_category": spending.get("totals_by_category", {}),
        "recurring_payments": spending.get("recurring_payments", []),
        "standby_watts": energy.get("standby_watts"),
        "annual_kwh": energy.get("annual_kwh", {}),
        "calls_per_week": calls.get("calls_per_week"),
        "top_contacts": calls.get("top_contacts", []),
        "cursors": fun.get("cursors", {}),
        "reports": parts,  # every figure of each report's summary
    }
