"""`selfdata demo`: import the bundled sample personas into a demo store, render every report
for every persona, and print where the index is. Works offline."""

from __future__ import annotations

from pathlib import Path

from .importer import import_paths
from .report import TOPICS
from .reporting import render_reports
from .store import open_store


def sample_data_dir() -> Path | None:
    """`sample_data/` of the source tree (the demo runs from a clone)."""
    source_tree = Path(__file__).resolve().parents[1]
    for candidate in (Path.cwd() / "sample_data", source_tree / "sample_data"):
        if candidate.is_dir():
            return candidate
    return None


def run_demo(out: Path, lang: str = "fr", workers: int = 2) -> int:
    samples = sample_data_dir()
    persons = sorted(p for p in samples.iterdir() if p.is_dir()) if samples else []
    if not persons:
        print("no sample data found (sample_data/ has no persona folders)")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    store_path = out / "demo.duckdb"
    failed = 0
    with open_store(store_path) as store:
        for person_dir in persons:
            reports = import_paths(store, [person_dir], person_dir.name)
            failed += sum(r.status == "failed" for r in reports)
            inserted = sum(r.counts.rows_inserted for r in reports if r.counts)
            print(f"imported {person_dir.name}: {len(reports)} file(s), {inserted} new row(s)")
    print(f"demo store: {store_path}")
    code = render_reports(store_path, [p.name for p in persons], list(TOPICS), lang=lang,
                          screen_safe=False, out=out / "reports", workers=workers)
    return 1 if failed else code
