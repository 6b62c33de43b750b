"""Enedis Data Connect JSON: daily Wh and load curves in W, local times on DST days, wrappers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.energy import enedis_dataconnect as dc
from tests.conftest import conformance, imported, table_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PRM = "21450000000017"
H = timedelta(hours=1)


def fixture(name: str) -> Path:
    return FIXTURES / name




def _rows(store) -> list[tuple]:
    return store.run("SELECT start_at, end_at, kwh, quality, meter_id FROM energy"
                     " ORDER BY start_at")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_spring_change_gives_a_23_hour_day(store) -> None:
    report = imported(store, fixture("enedis_dc_daily_spring.json"))
    assert report.source.name == "enedis-dataconnect"
    assert report.counts.rows_inserted == 4
    rows = _rows(store)
    # days are 00:00-24:00 Paris time: 23:00 UTC in winter, 22:00 UTC in summer
    assert [(r[0], r[1] - r[0]) for r in rows] == [
        (_utc(2024, 3, 28, 23), 24 * H), (_utc(2024, 3, 29, 23), 24 * H),
        (_utc(2024, 3, 30, 23), 23 * H), (_utc(2024, 3, 31, 22), 24 * H)]
    assert [r[2] for r in rows] == pytest.approx([10.5, 9.8, 8.7, 11.2])
    assert {r[3] for r in rows} == {"BRUT"}
    assert store.run("SELECT meter_id, commodity, provider, unit FROM meters") == [
        (PRM, "electricity", "Enedis", "Wh")]


def test_daily_autumn_change_in_a_list_of_responses(store) -> None:
    imported(store, fixture("enedis_dc_daily_autumn_list.json"))
    rows = _rows(store)
    assert len(rows) == 4
    assert sum(r[2] for r in rows) == pytest.approx(33.2)  # 7600 + 9150 + 8020 + 8430 Wh
    assert [r[1] - r[0] for r in rows] == [24 * H, 25 * H, 24 * H, 24 * H]
    assert [r[3] for r in rows] == ["CORRIGE", "CORRIGE", "BRUT", "BRUT"]


def test_load_curve_spring_day_has_46_half_hours(store) -> None:
    imported(store, fixture("enedis_dc_curve_spring.json"))
    rows = _rows(store)
    assert len(rows) == 46
    assert all(r[1] - r[0] == timedelta(minutes=30) for r in rows)
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False))  # no gap, no overlap
    assert (rows[0][0], rows[-1][1]) == (_utc(2024, 3, 30, 23), _utc(2024, 3, 31, 22))
    # the sum of W x 0.5 h over the 46 readings of the fixture: 26,950 W x 0.5 h
    assert sum(r[2] for r in rows) == pytest.approx(13.475)
    # "01:30:00" local then "03:00:00": the interval ending 03:00 CEST starts at 01:30 CET
    assert rows[3][:2] == (_utc(2024, 3, 31, 0, 30), _utc(2024, 3, 31, 1))


def test_load_curve_autumn_day_has_50_half_hours_resolved_by_order(store) -> None:
    imported(store, fixture("enedis_dc_curve_autumn_bare.json"))  # meter_reading without its key
    rows = _rows(store)
    assert len(rows) == 50
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False))
    assert (rows[0][0], rows[-1][1]) == (_utc(2024, 10, 26, 22), _utc(2024, 10, 27, 23))
    # local ends 02:00, 02:30 (summer time), then 02:00, 02:30 again (winter time), then 03:00
    assert [r[1] for r in rows[3:8]] == [_utc(2024, 10, 27, 0), _utc(2024, 10, 27, 0, 30),
                                         _utc(2024, 10, 27, 1), _utc(2024, 10, 27, 1, 30),
                                         _utc(2024, 10, 27, 2)]
    # ... each keeping its own reading: 890, 660 W (summer), then 340, 330 W (winter), 280 W
    assert [r[2] for r in rows[3:8]] == pytest.approx([0.445, 0.33, 0.17, 0.165, 0.14])
    assert sum(r[2] for r in rows) == pytest.approx(14.7525)  # 29,505 W x 0.5 h


def test_interval_lengths_60_30_15_10_minutes_and_a_missing_value(store) -> None:
    imported(store, fixture("enedis_dc_curve_steps.json"))
    rows = _rows(store)
    minutes = [int((r[1] - r[0]).total_seconds() // 60) for r in rows]
    assert minutes == [60, 60, 30, 30, 15, 15, 10, 10, 10]
    # 600 + 480 + 400/2 + 360/2 + 1200/4 + 800/4 + 1800/6 + 600/6 Wh
    assert sum(r[2] for r in rows if r[2] is not None) == pytest.approx(2.36)
    missing = [r for r in rows if r[2] is None]
    assert [(m[0], m[3]) for m in missing] == [(_utc(2024, 6, 3, 1, 40), "value_missing")]


def test_reimport_adds_nothing(store) -> None:
    imported(store, fixture("enedis_dc_curve_autumn_bare.json"))
    before = table_rows(store)
    again = imported(store, fixture("enedis_dc_curve_autumn_bare.json"))
    assert again.counts.rows_inserted == 0
    assert again.counts.rows_duplicate == 50
    after = table_rows(store)
    assert {t: v for t, v in after.items() if t not in ("imports",)} == {
        t: v for t, v in before.items() if t not in ("imports",)}


def test_overlapping_export_adds_only_new_days(store, tmp_path: Path) -> None:
    imported(store, fixture("enedis_dc_daily_spring.json"))  # 29 March - 1 April
    doc = json.loads(fixture("enedis_dc_daily_spring.json").read_text())
    mr = doc["meter_reading"]
    mr["start"], mr["end"] = "2024-03-31", "2024-04-04"
    mr["interval_reading"] = mr["interval_reading"][2:] + [
        {"value": "9900", "date": "2024-04-02"}, {"value": "10100", "date": "2024-04-03"}]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(doc, indent=2))
    report = imported(store, later)
    assert (report.counts.rows_inserted, report.counts.rows_duplicate) == (2, 2)
    assert store.run("SELECT count(*), sum(kwh) FROM energy")[0] == (6, pytest.approx(60.2))


def test_truncated_json_names_the_line(store, tmp_path: Path) -> None:
    text = fixture("enedis_dc_curve_spring.json").read_text()
    cut = text[: len(text) // 2]
    bad = tmp_path / "cut.json"
    bad.write_text(cut)
    report = import_file(store, InputFile.from_path(bad), "alice")
    assert report.status == "failed"
    assert isinstance(report.error, FormatError)
    assert "JSON is not valid" in report.error.message
    assert report.error.line == cut.count("\n") + 1
    assert store.run("SELECT count(*) FROM energy") == [(0,)]


def test_bad_value_is_a_row_error_on_its_line(store, tmp_path: Path) -> None:
    doc = json.loads(fixture("enedis_dc_daily_spring.json").read_text())
    doc["meter_reading"]["interval_reading"][2]["value"] = "87OO"
    path = tmp_path / "bad.json"
    text = json.dumps(doc, indent=2)
    path.write_text(text)
    lines = text.splitlines()
    date_line = next(n for n, line in enumerate(lines, 1) if '"date": "2024-03-31"' in line)
    parsed = dc.parse(InputFile.from_path(path), ParseContext("alice"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (date_line, "expected a number in column value")]
    assert len(parsed.tables["energy"]) == 3
    report = import_file(store, InputFile.from_path(path), "alice")
    assert report.status == "failed" and report.error.line == date_line
    assert "87OO" not in str(report.error)  # no row content in messages


def test_max_power_is_refused_clearly(tmp_path: Path) -> None:
    doc = json.loads(fixture("enedis_dc_daily_spring.json").read_text())
    doc["meter_reading"]["reading_type"] = {"unit": "VA", "measurement_kind": "power",
                                            "aggregate": "max", "measuring_period": "P1D"}
    path = tmp_path / "max.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(FormatError, match="maximum power"):
        dc.parse(InputFile.from_path(path), ParseContext("alice"))


def test_detection_is_specific() -> None:
    for name in ("enedis_dc_daily_spring.json", "enedis_dc_daily_autumn_list.json",
                 "enedis_dc_curve_autumn_bare.json"):
        assert detect_source(InputFile.from_path(fixture(name))).name == "enedis-dataconnect"
    assert not dc.detect(InputFile.from_path(conformance("energy/grdf_daily.json")))
    assert not dc.detect(InputFile.from_path(conformance("energy/greenbutton_hourly.xml")))
    assert not dc.detect(InputFile.from_bytes("x.json", b'{"date": "2024-01-01", "value": 1}'))


def test_local_time_in_the_spring_gap_is_a_row_error(tmp_path: Path) -> None:
    doc = json.loads(fixture("enedis_dc_curve_spring.json").read_text())
    doc["meter_reading"]["interval_reading"][3]["date"] = "2024-03-31 02:30:00"  # never existed
    text = json.dumps(doc, indent=2)
    path = tmp_path / "gap.json"
    path.write_text(text)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "2024-03-31 02:30:00" in s)
    parsed = dc.parse(InputFile.from_path(path), ParseContext("alice"))
    assert [e.line for e in parsed.errors] == [line]
    assert "daylight-saving gap" in parsed.errors[0].message
    assert len(parsed.tables["energy"]) == 45
