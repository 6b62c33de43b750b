"""`selfdata demo`: import the bundled sample personas into a demo store.

Report rendering joins here once the report notebooks exist (issue: batch reports).
"""

from __future__ import annotations

from pathlib import Path

from .importer import import_paths
from .store import open_store


def sample_data_dir() -> Path | None:
    """`sample_data/` of the source tree (the demo runs from a clone)."""
    source_tree = Path(__file__).resolve().parents[1]
    for candidate in (Path.cwd() / "sample_data", source_tree / "sample_data"):
        if candidate.is_dir():
            return candidate
    return None


def run_demo(out: Path) -> int:
    samples = sample_data_dir()
    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "demo.duckdb"
    persons = sorted(p for p in samples.iterdir() if p.is_dir()) if samples else []
    if not persons:
        print("no sample data yet (sample_data/ has no persona folders); nothing to import")
        print("no reports yet")
        return 0
    failed = 0
    with open_store(store_path) as store:
        for person_dir in persons:
            reports = import_paths(store, [person_dir], person_dir.name)
            failed += sum(r.status == "failed" for r in reports)
            inserted = sum(r.counts.rows_inserted for r in reports if r.counts)
            print(f"{person_dir.name}: {len(reports)} file(s), {inserted} new row(s)")
    print(f"demo store: {store_path}")
    print("no reports yet")
    return 1 if failed else 0
