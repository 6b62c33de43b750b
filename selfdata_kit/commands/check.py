"""`selfdata check [--store FILE] [--json] [--repair [--out FILE]]`: verify a store file,
say whether it can be repaired from its own data, and (with --repair) write the repaired
copy as a new file. The logic is `store/check.py` and `store/repair.py`; this prints."""

from __future__ import annotations

import json
from pathlib import Path

from ..store import default_store_path
from ..store.check import CheckReport, check_store
from ..store.repair import default_repair_path, repair_store

VERDICTS = {
    "healthy": "healthy: every block reads and every row is consistent",
    "repairable": "repairable from its own data, nothing lost",
    "repairable-with-loss": "damaged; repairable from its own data, without the unreadable"
                            " rows",
    "not-repairable": "cannot be repaired from its own data",
}
MAX_PERSONS_SHOWN = 20


def run_check(store: Path | None, *, as_json: bool = False, repair: bool = False,
              out: Path | None = None) -> int:
    """0: healthy (or repaired into a new file), 1: problems found."""
    path = store or default_store_path()
    report = check_store(path)
    target = out or default_repair_path(path)
    repaired = repair_store(path, target, report) if repair and report.problems else None
    if as_json:
        data = report.to_json()
        if repaired:
            data["repaired"] = {"path": str(target), **repaired.to_json()}
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        _print(report, path)
        if repair and not report.problems:
            print("nothing to repair")
        elif repaired:
            print(f"\nrepaired: wrote {target} ({repaired.verdict}); {path} is unchanged")
            if report.lost_by_repair:
                print("  next: import your export files again into it (--store"
                      f" {target}) to get back the rows that could not be read;"
                      " rows already there are skipped")
            print("  then: keep the damaged file aside, and use the repaired store in its"
                  " place")
    return 0 if repaired or not report.problems else 1


def _print(report: CheckReport, path: Path) -> None:
    size = path.stat().st_size
    print(f"store     {path} ({size / 1e6:.1f} MB), opened read-only")
    if report.opened:
        shipped = ", ".join(map(str, report.shipped_versions))
        have = ", ".join(map(str, report.schema_versions)) or "none"
        same = report.schema_versions == report.shipped_versions
        print(f"schema    versions {have}" + ("  (as shipped)" if same
                                              else f"  (this version ships {shipped})"))
        print("tables    rows read")
        for t in report.tables.values():
            note = f"   DAMAGED: {t.damaged_rows} row(s) unreadable" if t.damaged else ""
            print(f"  {t.name:<18}{t.rows:>10}{note}")
        persons = report.rows_per_person
        print(f"persons   {len(persons)}")
        for person, counts in list(persons.items())[:MAX_PERSONS_SHOWN]:
            detail = ", ".join(f"{n} {t}" for t, n in counts.items() if t != "persons")
            print(f"  {person}: {detail or 'no rows'}")
        if len(persons) > MAX_PERSONS_SHOWN:
            print(f"  ... and {len(persons) - MAX_PERSONS_SHOWN} more (--json lists them all)")
    problems = report.problems
    print(f"problems  {len(problems) or 'none'}")
    for problem in problems:
        print(f"  - {problem}")
    print(f"verdict   {VERDICTS[report.verdict]}")
    if report.verdict in ("repairable", "repairable-with-loss"):
        print(f"  next: selfdata check --store '{path}' --repair  (writes"
              f" {default_repair_path(path).name}; the original is not touched)")
    elif report.verdict == "not-repairable":
        print("  next: restore the store from a backup; or import your export files again"
              " into a new store (--store new.duckdb)")
