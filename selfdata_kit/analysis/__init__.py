"""Analyses: SQL in DuckDB, small pandas frames out. One module per report.

Every function takes a read connection and a `Scope` (person, period, time zone) and
returns a small DataFrame (aggregated in DuckDB: charts never get raw rows by the thousand).
Notebooks, widgets and the CLI call the same functions.
"""

from .scope import Scope, make_scope, query

__all__ = ["Scope", "make_scope", "query"]
