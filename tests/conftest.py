"""Shared fixtures: a fresh store per test, paths to fixtures and conformance files."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Real export files written by others, kept outside the project (never copied in).
CONFORMANCE = ROOT.parent / "shared" / "conformance"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path / "store.duckdb")
    yield s
    s.close()


def conformance(relative: str) -> Path:
    path = CONFORMANCE / relative
    if not path.exists():
        pytest.skip(f"conformance file not available: {path}")
    return path


def table_rows(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: compares a store's content before and after."""
    tables = [r[0] for r in store.run(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_catalog = current_database() ORDER BY table_name")]
    return {t: sorted(map(repr, store.run(f"SELECT * FROM {t}"))) for t in tables}


def imported(store: Store, path: Path, person: str = "alice"):
    """Import one file through the real pipeline and insist it went in."""
    from selfdata_kit.importer import import_file
    from selfdata_kit.sources.base import InputFile

    report = import_file(store, InputFile.from_path(path), person)
    assert report.status == "imported", report.error
    return report
