"""A report is up to date while the rows it reads, its parameters, its notebook and the package
are unchanged (`batch.digest`, `reports.READS`): not when the import log grows. Checked on the
jobs' fingerprints (what `run_batch` compares with the `.inputs` file next to each page); the
end-to-end rerun is in test_bundle.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.analysis.coverage import coverage
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.batch.runner import plan
from selfdata_kit.enrich import category_rules
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports import READS, TOPICS
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA, SAMPLES, copy_store

A, B = SAMPLES[:2]


def _fingerprints(store: Path, out: Path, **kw) -> dict[tuple[str, str], str]:
    return {(j.person, j.report): j.fingerprint
            for j in plan(store, [A, B], list(TOPICS), "en", False, out, **kw)}


def _changed(before: dict, after: dict) -> set[tuple[str, str]]:
    return {k for k in before if before[k] != after[k]}


@pytest.fixture
def two(sample_store: Path, tmp_path: Path) -> Path:
    return copy_store(sample_store, tmp_path / "s.duckdb")


@pytest.mark.slow  # one persona's 25 files imported again
def test_importing_the_same_files_again_changes_no_fingerprint(two: Path, tmp_path) -> None:
    before = _fingerprints(two, tmp_path)
    with open_store(two) as s:
        shown = coverage(s.con, make_scope(s.con, A), "transactions")
        logged = len(s.imported_files(A))
        reports = import_paths(s, [SAMPLE_DATA / A], A)
        assert reports and all(r.counts.rows_inserted == 0 for r in reports if r.counts)
        assert len(s.imported_files(A)) >= logged + 20  # the log did grow
        # what a page says of the import log: distinct files, duplicates among them
        assert coverage(s.con, make_scope(s.con, A), "transactions") == shown
    assert _fingerprints(two, tmp_path) == before


def test_one_changed_row_reruns_the_reports_that_read_its_table_only(two: Path,
                                                                      tmp_path) -> None:
    before = _fingerprints(two, tmp_path)
    with open_store(two) as s:
        s.run("UPDATE media SET title = title || ' (live)' WHERE uid ="
              " (SELECT min(uid) FROM media WHERE person_id = ?)", [A])
    changed = _changed(before, _fingerprints(two, tmp_path))
    reading = {r for r in TOPICS if "media" in READS[r]["tables"]}
    assert reading == {"media", "fun_facts", "year_review"}
    # the person's reports reading media, and fun facts of everyone (calibrated on all)
    assert changed == {(A, r) for r in reading} | {(B, "fun_facts")}


def test_a_changed_transaction_reruns_the_bank_reports(two: Path, tmp_path) -> None:
    before = _fingerprints(two, tmp_path)
    with open_store(two) as s:
        s.run("UPDATE transactions SET amount = amount - 1 WHERE uid ="
              " (SELECT min(uid) FROM transactions WHERE person_id = ?)", [B])
    assert _changed(before, _fingerprints(two, tmp_path)) == {
        (B, "spending"), (B, "year_review"), (B, "fun_facts"), (A, "fun_facts")}


def test_a_deleted_row_reruns_too(two: Path, tmp_path) -> None:
    before = _fingerprints(two, tmp_path)
    with open_store(two) as s:
        s.run("DELETE FROM calls WHERE uid = (SELECT min(uid) FROM calls WHERE person_id = ?)",
              [A])
    changed = _changed(before, _fingerprints(two, tmp_path))
    assert (A, "calls") in changed and not any(p == B and r != "fun_facts" for p, r in changed)
    assert (A, "energy") not in changed and (A, "media") not in changed


def test_a_rules_file_reruns_the_reports_that_categorise(two: Path, tmp_path) -> None:
    before = _fingerprints(two, tmp_path)
    path = category_rules.rules_file(two, A)
    path.parent.mkdir(parents=True, exist_ok=True)
    category_rules.add_rule(path, category_rules.Rule("label", "BOULANGERIE", "food", None))
    assert _changed(before, _fingerprints(two, tmp_path)) == {
        (A, "spending"), (A, "year_review"), (A, "fun_facts"), (B, "fun_facts")}


def test_the_parameters_and_the_bundle_mode_count(two: Path, tmp_path) -> None:
    inline = _fingerprints(two, tmp_path)
    shared = _fingerprints(two, tmp_path, bundle="../_assets/vega-bundle-0123456789abcdef.js")
    assert not set(inline.values()) & set(shared.values())
    french = {(j.person, j.report): j.fingerprint
              for j in plan(two, [A, B], list(TOPICS), "fr", False, tmp_path)}
    assert not set(inline.values()) & set(french.values())


def test_every_report_declares_what_it_reads() -> None:
    from selfdata_kit.store.tables import TABLES

    assert set(READS) == set(TOPICS)
    for report, reads in READS.items():
        assert reads["tables"] and set(reads["tables"]) <= set(TABLES), report
