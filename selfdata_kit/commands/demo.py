"""`selfdata demo`: import the sample personas shipped in the package into a demo store,
render every report for every persona, and print where the index is. Works offline."""

from __future__ import annotations

from pathlib import Path

from ..ingest.files import import_paths
from ..reports import TOPICS
from ..shipped import sample_personas
from ..store import open_store
from .report import render_reports


def run_demo(out: Path, lang: str = "fr", workers: int = 2) -> int:
    persons = sample_personas()
    if not persons:
        print("no sample data found (the package ships no persona folders)")
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
    # the demo shows what a batch gives (`selfdata report --all`): one shared Vega bundle in
    # reports/_assets, pages ~0.9 MB lighter, the folder opening offline (docs/reports.md)
    code = render_reports(store_path, [p.name for p in persons], list(TOPICS), lang=lang,
                          screen_safe=False, out=out / "reports", workers=workers,
                          bundle="shared")
    return 1 if failed else code
