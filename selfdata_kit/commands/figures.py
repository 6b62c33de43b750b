"""`selfdata summary` (one person's key figures) and `selfdata cohort` (k-suppressed
aggregates over every person): text by default, JSON with --json."""

from __future__ import annotations

import json
from pathlib import Path

from ..analysis.cohort import aggregates, load_groups
from ..analysis.figures import person_figures
from ..errors import SelfdataError
from ..store import open_store


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
                 as_json: bool) -> int:
    if bool(groups) != bool(by):
        raise SelfdataError("--groups and --by go together",
                            hint="--groups persons.csv --by heating")
    with open_store(store_path, read_only=True) as store:
        result = aggregates(store.con, k, load_groups(str(groups)) if groups else None, by)
    if as_json:
        _print_json(result)
        return 0
    dist = result["distributions"]
    print(f"persons: {result['persons'] if result['persons'] is not None else f'< k={k}'}")
    print(f"{len(dist)} key figures, {sum(1 for d in dist if d['suppressed'])} suppressed;"
          " --json for everything")
    return 0
