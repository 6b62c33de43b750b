"""The explorer's HTML (import report, at a glance, rows tables, charts) shows hostile file
names, person ids and labels as text only."""

from __future__ import annotations

from pathlib import Path

from selfdata_kit.explorer.model import Explorer, explorer
from selfdata_kit.explorer.views import import_report_html
from selfdata_kit.store import open_store
from tests.explorer.test_explorer import _upload
from tests.hostile import PAYLOADS, PERSON_PAYLOADS, assert_text_only, hostile_qif


def _page(fragment: str) -> str:
    return f"<html><body>{fragment}</body></html>"


def test_import_report_glance_rows_and_charts_keep_hostile_strings_as_text(
        tmp_path: Path) -> None:
    qif = hostile_qif(tmp_path / "statement.qif").read_bytes()
    with open_store(tmp_path / "s.duckdb") as store:
        model = Explorer(store, "en")
        person = PERSON_PAYLOADS[0]
        files = [(f"{name}.qif", qif) for name in PAYLOADS[:2]]
        files += [(f"{name}.txt", b"not an export") for name in PAYLOADS]
        reports = model.import_files(files, person)
        assert [r.status for r in reports[:2]] == ["imported", "imported"]
        report = import_report_html(reports, "en")
        assert_text_only(_page(report), shown=PAYLOADS)
        assert model.person == person
        assert_text_only(_page(model.glance_html()))
        rows = model.rows_html("spending")
        assert_text_only(_page(rows), shown=PAYLOADS)
        for tab in ("spending", "calls", "energy", "places"):
            assert_text_only(_page(model.chart_html(tab)))
            assert_text_only(_page(model.rows_html(tab)))


def test_the_import_panel_refuses_an_invalid_id_and_imports_a_hostile_valid_one(
        tmp_path: Path) -> None:
    qif = hostile_qif(tmp_path / "statement.qif").read_bytes()
    upload = _upload("s.qif", qif)
    with open_store(tmp_path / "s.duckdb") as store:
        panel = explorer(store, "en").importer
        for bad in ("../x", "a\nb", "x" * 65):
            panel.upload.value = (upload,)
            panel.person.value = bad
            assert panel.run() == [] and "Give a person id first" in panel.result.value
        assert store.person_ids() == []
        panel.person.value = PERSON_PAYLOADS[1]
        panel.upload.value = (upload,)
        assert [r.status for r in panel.run()] == ["imported"]
        assert store.person_ids() == [PERSON_PAYLOADS[1]]
        assert_text_only(_page(panel.result.value))
