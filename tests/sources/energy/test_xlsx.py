"""GRDF and Enedis spreadsheet exports (.xlsx): fixtures built with openpyxl
(xlsx_fixtures.py) and their exact rows; size limits, hostile XML, other spreadsheets."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdata_kit.errors import UnsafeInputError
from selfdata_kit.ingest import inputs
from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.energy import xlsx_exports, xlsx_sheet
from tests.conftest import table_rows
from tests.sources.energy.xlsx_fixtures import PCE, PRM, write_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("xlsx"))


@pytest.fixture(autouse=True)
def no_saved_layouts(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SELFDATA_LAYOUTS_DIR", str(tmp_path / "none"))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def energy(store) -> list[tuple]:
    return [(m, s.astimezone(UTC), e.astimezone(UTC), k, v, q) for m, s, e, k, v, q in store.run(
        "SELECT meter_id, start_at, end_at, round(kwh, 3), volume_m3, quality FROM energy"
        " ORDER BY start_at")]


def load(store, path: Path):
    report = import_file(store, InputFile.from_path(path), "ana")
    assert report.status == "imported", report.error
    assert report.source.name == "energy-xlsx"
    return report


def test_grdf_daily_title_block_text_dates_dst_and_missing_energy(store, sheets) -> None:
    load(store, sheets["grdf_daily.xlsx"])
    assert energy(store) == [
        (PCE, utc(2024, 3, 29, 5), utc(2024, 3, 30, 5), 79.0, 7.0, "Mesuré"),
        (PCE, utc(2024, 3, 30, 5), utc(2024, 3, 31, 4), 67.0, 6.0, "Mesuré"),  # 23 hours
        (PCE, utc(2024, 3, 31, 4), utc(2024, 4, 1, 4), 56.2, 5.0, "Mesuré"),  # "56,2" text
        (PCE, utc(2024, 4, 1, 4), utc(2024, 4, 2, 4), None, 4.0, "energy_missing")]
    assert store.run("SELECT meter_id, commodity, provider FROM meters") == [
        (PCE, "gas", "GRDF")]


def test_grdf_published_periods_with_date_cells(store, sheets) -> None:
    load(store, sheets["grdf_published.xlsx"])
    assert energy(store) == [
        (PCE, utc(2024, 1, 3, 5), utc(2024, 3, 4, 5), 3616.0, 320.0, "Mesuré"),
        (PCE, utc(2024, 3, 4, 5), utc(2024, 5, 2, 4), 2376.0, 211.0, "Estimé")]


def test_the_same_gas_day_from_json_and_spreadsheet_is_stored_once(store, sheets) -> None:
    imported = import_file(store, InputFile.from_path(FIXTURES / "grdf_daily_dst.json"), "ana")
    assert imported.status == "imported"
    report = load(store, sheets["grdf_daily.xlsx"])
    # 29-31 March are in the JSON already: only 1 April is new
    assert (report.counts.rows_inserted, report.counts.rows_duplicate) == (1, 3)


def test_enedis_daily_title_row_and_gap(store, sheets) -> None:
    load(store, sheets["enedis_daily.xlsx"])
    assert energy(store) == [
        (PRM, utc(2024, 3, 28, 23), utc(2024, 3, 29, 23), 9.0, None, None),
        (PRM, utc(2024, 3, 29, 23), utc(2024, 3, 30, 23), 9.613, None, None),
        (PRM, utc(2024, 3, 30, 23), utc(2024, 3, 31, 22), 10.839, None, None)]


def test_enedis_load_curve_watts_to_kwh(store, sheets) -> None:
    load(store, sheets["enedis_load_curve.xlsx"])
    assert energy(store) == [
        (PRM, utc(2024, 1, 31, 23), utc(2024, 1, 31, 23, 30), 0.2, None, None),
        (PRM, utc(2024, 1, 31, 23, 30), utc(2024, 2, 1, 0), 0.3, None, None),
        (PRM, utc(2024, 2, 1, 0), utc(2024, 2, 1, 0, 30), 0.5, None, None)]


def test_reimport_adds_nothing(store, sheets) -> None:
    load(store, sheets["enedis_daily.xlsx"])
    assert load(store, sheets["enedis_daily.xlsx"]).counts.rows_inserted == 0


def test_a_folder_reads_spreadsheets_whole_and_skips_other_ones(store, sheets) -> None:
    outcomes = {Path(o.name).name: o for o in import_paths(store, [sheets["budget.xlsx"].parent],
                                                           "ana")}
    assert {n: o.status for n, o in outcomes.items()} == {
        "budget.xlsx": "skipped", "enedis_daily.xlsx": "imported",
        "enedis_load_curve.xlsx": "imported", "grdf_daily.xlsx": "imported",
        "grdf_published.xlsx": "imported"}
    assert "not a GRDF or Enedis export" in outcomes["budget.xlsx"].reason


def test_a_spreadsheet_inside_a_zip(store, sheets, tmp_path) -> None:
    archive = tmp_path / "exports.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(sheets["grdf_daily.xlsx"], "gaz/grdf_daily.xlsx")
    [report] = import_paths(store, [archive], "ana")
    assert report.status == "imported" and report.counts.rows_inserted == 4


def test_a_bad_cell_is_a_row_error_on_its_sheet_row(sheets, tmp_path) -> None:
    from openpyxl import load_workbook
    book = load_workbook(sheets["grdf_daily.xlsx"])
    book.active["A9"] = "32/03/2024"  # sheet row 9: the second reading
    book.active["F10"] = "beaucoup"  # row 10: not a number
    path = tmp_path / "bad.xlsx"
    book.save(path)
    parsed = xlsx_exports.parse(InputFile.from_path(path), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (9, 'expected a date like 31/12/2024 in column "Journée gazière"'),
        (10, "expected a number in column Energie consommée (kWh)")]
    assert "beaucoup" not in " ".join(e.message for e in parsed.errors)


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_before_opening(store) -> None:
    data = _zip_bytes({"[Content_Types].xml": b"<x/>",
                       "xl/worksheets/sheet1.xml": b"\0" * (4 << 20)})  # ~1000x
    report = import_file(store, InputFile.from_bytes("bomb.xlsx", data), "ana")
    assert report.status == "failed" and isinstance(report.error, UnsafeInputError)
    assert "(a zip bomb?)" in report.error.message
    assert table_rows(store)["energy"] == []


def test_xml_entities_in_a_sheet_are_refused(store, sheets, tmp_path) -> None:
    with zipfile.ZipFile(sheets["enedis_daily.xlsx"]) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;">]>' + sheet.replace(b"Horodate", b"&b;"))
    report = import_file(store, InputFile.from_bytes("lol.xlsx", _zip_bytes(parts)), "ana")
    assert report.status == "failed" and isinstance(report.error, UnsafeInputError)
    assert "entities" in report.error.message


def test_a_damaged_spreadsheet_is_a_clear_error(store, sheets) -> None:
    data = sheets["grdf_daily.xlsx"].read_bytes()[:3000]
    report = import_file(store, InputFile.from_bytes("cut.xlsx", data), "ana")
    assert report.status == "failed" and "spreadsheet cannot be" in report.error.message


def test_limits_are_the_zip_limits() -> None:
    for name in ("MAX_MEMBERS", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "MAX_RATIO"):
        assert getattr(xlsx_sheet, name) == getattr(inputs, name), name


def test_detection_needs_the_zip_magic_and_the_extension(sheets) -> None:
    assert detect_source(InputFile.from_path(sheets["grdf_daily.xlsx"])).name == "energy-xlsx"
    data = sheets["grdf_daily.xlsx"].read_bytes()
    assert not xlsx_exports.detect(InputFile.from_bytes("export.zip", data))
    assert not xlsx_exports.detect(InputFile.from_bytes("x.xlsx", b"Horodate;Valeur\n"))


@pytest.mark.slow
def test_conformance_enedis_load_curve_as_a_spreadsheet(store, tmp_path) -> None:
    """The real Enedis load-curve export (written by others), its cells put in a sheet under
    a title row as the spreadsheet download has them: the same readings as the CSV."""
    from openpyxl import Workbook

    from tests.conftest import conformance

    text = conformance("energy/enedis_load_curve.csv").read_text(encoding="utf-8-sig")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Courbe de charge")
    sheet.append(["Mes données de consommation - Enedis"])
    for line in text.splitlines():
        sheet.append(line.split(";"))
    path = tmp_path / "Enedis_Conso_Heure.xlsx"
    book.save(path)
    report = load(store, path)
    assert report.counts.rows_inserted == 27_665
    [(kwh,)] = store.run("SELECT sum(kwh) FROM energy")
    assert abs(kwh - 10_684) / 10_684 < 0.005
