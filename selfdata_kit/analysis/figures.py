"""Every report's figures, JSON-ready: what `selfdata summary --json` prints and what the
cohort aggregates. Each report's figures are computed by its analysis module (`figures()`),
so the JSON, the cohort and the report's key figures say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from . import calls, energy, energy_offers, fun_facts, media, spending
from .scope import Group, Scope, make_scope


def energy_figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """The energy report's figures and its decisions (off-peak share, offers, power)."""
    return {**energy.figures(con, scope), **energy_offers.decisions(con, scope)}


# report name -> (con, scope) -> its figures as plain JSON types
FIGURES: dict[str, Callable[[duckdb.DuckDBPyConnection, Scope], dict[str, Any]]] = {
    "spending": spending.figures,
    "calls": calls.figures,
    "energy": energy_figures,
    "fun_facts": fun_facts.figures,
    "media": media.figures,
}

# report name -> (con, group) -> the same figures for every person of the group at once: one
# row per person of the group in the store (`person_id`), one float column per numeric figure,
# named as `cohort._flatten` names the keys of `figures()` without the report's prefix
# ("totals_by_category.groceries", "savings_rate"). The report's `figures()` runs the same
# SQL over `Group.of(scope)`, so a person's summary and the cohort agree by construction.
COHORT_FIGURES: dict[str, Callable[[duckdb.DuckDBPyConnection, Group], pd.DataFrame]] = {
    "spending": spending.cohort_figures,
    "calls": calls.cohort_figures,
    "energy": energy_offers.energy_cohort_figures,
    "fun_facts": fun_facts.cohort_figures,
    "media": media.cohort_figures,
}


def person_figures(con: duckdb.DuckDBPyConnection, person: str, start: date | str | None = None,
                   end: date | str | None = None) -> dict[str, object]:
    """One person's key figures, with every figure of each report under `reports`."""
    scope = make_scope(con, person, start, end)
    parts = {name: figures(con, scope) for name, figures in FIGURES.items()}
    spending_, calls_, energy_, fun = (parts[n] for n in ("spending", "calls", "energy",
                                                          "fun_facts"))
    return {
        "person": person,
        "start": scope.start,
        "end": scope.end,
        "totals_by_category": spending_.get("totals_by_category", {}),
        "recurring_payments": spending_.get("recurring_payments", []),
        "standby_watts": energy_.get("standby_watts"),
        "annual_kwh": energy_.get("annual_kwh", {}),
        "offpeak_share": energy_.get("offpeak_share"),
        "energy_offers": energy_.get("energy_offers", []),
        "max_power_kva": energy_.get("max_power_kva"),
        "calls_per_week": calls_.get("calls_per_week"),
        "top_contacts": calls_.get("top_contacts", []),
        "cursors": fun.get("cursors", {}),
        "reports": parts,  # every figure of each report's figures
    }
