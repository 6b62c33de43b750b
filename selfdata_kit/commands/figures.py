"""`selfdata summary` (one person's key figures) and `selfdata cohort` (aggregates over every
person, under disclosure control): text by default, JSON with --json."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ..analysis.cohort import aggregates, load_groups
from ..analysis.disclosure import DOMINANCE_DEFAULT, Rules
from ..analysis.figures import person_figures
from ..errors import SelfdataError
from ..store import open_store
from ..store.parquet import parquet_connection


def _print_json(result: object) -> None:
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str))


def print_person_figures(store_path: Path | None, person: str, start: str | None,
                         end: str | None, as_json: bool) -> int:
    with open_store(store_path, read_only=True) as store:
        result = person_figures(store.con, person, start, end)
    if as_json:
        _print_json(result)
        return 0
    for key, value in result.items():
        if not isinstance(value, dict | list):
            print(f"{key}: {value}")
    print("--json for everything")
    return 0


def print_cohort(store_path: Path | None, k: int, groups: Path | None, by: str | None,
                 as_json: bool, *, dominance: float = DOMINANCE_DEFAULT,
                 parquet: Path | None = None) -> int:
    """The cohort's aggregates from the store, or from its Parquet export (`parquet`): the
    same SQL over DuckDB views of the hive-partitioned files, so the same JSON."""
    if bool(groups) != bool(by):
        raise SelfdataError("--groups and --by go together",
                            hint="--groups persons.csv --by heating")
    if parquet is not None and store_path is not None:
        raise SelfdataError("--store and --parquet are two sources: give one")
    Rules(k, dominance)  # a bad --k or --dominance fails before the long part
    attributes = load_groups(str(groups)) if groups else None
    if parquet is not None:
        con = parquet_connection(parquet)
        try:
            result = aggregates(_bounded(con), k, attributes, by, dominance)
        finally:
            con.close()
    else:
        with open_store(store_path, read_only=True) as store:
            result = aggregates(_bounded(store.con), k, attributes, by, dominance)
    if as_json:
        _print_json(result)
        return 0
    dist = result["distributions"]
    print(f"persons: {result['persons'] if result['persons'] is not None else f'fewer than {k}'}")
    print(f"{len(dist)} key figures; rules: no cell over fewer than {k} persons, none where one"
          f" person holds more than {dominance * 100:g} % of a total (docs/privacy.md)")
    rules = Rules(k, dominance)
    for table, reasons in result["suppressed"].items():
        rows = len(result[table])
        hidden = sum(n for code, n in reasons.items() if code != "tails")
        why = "; ".join(f"{reasons[code]} {rules.reason(code)}"
                        for code in ("threshold", "dominance", "secondary") if code in reasons)
        line = f"{table}: {hidden} of {rows} cells suppressed" + (f" ({why})" if why else "")
        if reasons.get("tails"):
            line += f"; p10 and p90 hidden in {reasons['tails']} ({rules.reason('tails')})"
        print(line)
    print("--json for everything")
    return 0


# DuckDB keeps the blocks it has read cached, up to 80 % of the RAM by default: over a
# 1,000-person store the cohort's figures then peaked at 3 GB although no query needs more
# than ~1 GB. A cap keeps the whole run under the 2 GB on a laptop.
COHORT_MEMORY_LIMIT = "1GB"


def _bounded(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(f"SET memory_limit = '{COHORT_MEMORY_LIMIT}'")
    return con
