"""GRDF JSON: daily gas days from 06:00 local, published billing periods, null energy kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.energy import grdf
from tests.conftest import conformance, imported, table_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PCE = "21098765432109"
H = timedelta(hours=1)


def fixture(name: str) -> Path:
    return FIXTURES / name




def _rows(store) -> list[tuple]:
    return store.run("SELECT start_at, end_at, kwh, volume_m3, quality, meter_id FROM energy"
                     " ORDER BY start_at")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_conformance_daily_informative_readings(store) -> None:
    report = imported(store, conformance("energy/grdf_daily.json"))
    assert report.source.name == "grdf"
    assert report.counts.rows_inserted == 1096
    n, with_energy, kwh, m3 = store.run(
        "SELECT count(*), count(kwh), sum(kwh), sum(volume_m3) FROM energy")[0]
    assert (n, with_energy) == (1096, 1095)
    # the file's energies and volumes are whole numbers: the README's sums are exact, not rounded
    assert kwh == pytest.approx(62213, abs=1e-6)
    assert m3 == pytest.approx(5617, abs=1e-6)
    missing = store.run("SELECT start_at, kwh, volume_m3 FROM energy"
                        " WHERE quality = 'energy_missing'")
    assert missing == [(_utc(2021, 8, 10, 4), None, None)]  # 06:00 CEST
    assert store.run("SELECT meter_id, commodity, provider FROM meters") == [
        ("22423299474865", "gas", "GRDF")]


def test_conformance_gas_days_are_contiguous_through_dst(store) -> None:
    imported(store, conformance("energy/grdf_daily.json"))
    rows = _rows(store)
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False))
    lengths = [r[1] - r[0] for r in rows]
    # three springs (23 h gas days) and three autumns (25 h) between Nov 2019 and Nov 2022
    assert (lengths.count(23 * H), lengths.count(25 * H), lengths.count(24 * H)) == (3, 3, 1090)
    assert rows[0][:2] == (_utc(2019, 11, 30, 5), _utc(2019, 12, 1, 5))  # 06:00 CET


def test_daily_fixture_dst_days_and_missing_energy(store) -> None:
    imported(store, fixture("grdf_daily_dst.json"))
    rows = _rows(store)
    assert len(rows) == 6
    assert sum(r[2] for r in rows if r[2] is not None) == pytest.approx(315)  # 79+67+56+45+68
    assert sum(r[3] for r in rows if r[3] is not None) == pytest.approx(28)  # 7+6+5+4+6
    assert [(r[0], r[1] - r[0]) for r in rows] == [
        (_utc(2024, 3, 29, 5), 24 * H),
        (_utc(2024, 3, 30, 5), 23 * H),  # gas day 30 March holds the spring change
        (_utc(2024, 3, 31, 4), 24 * H),
        (_utc(2024, 10, 25, 4), 24 * H),
        (_utc(2024, 10, 26, 4), 25 * H),  # gas day 26 October holds the autumn change
        (_utc(2024, 10, 27, 5), 24 * H)]
    assert [r[4] for r in rows] == ["Mesuré", "Mesuré", "Estimé", "Mesuré", "Mesuré",
                                    "energy_missing"]


def test_published_billing_periods(store) -> None:
    imported(store, fixture("grdf_published.json"))
    rows = _rows(store)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (_utc(2023, 12, 13, 5), _utc(2024, 2, 14, 5), 4159, 371),
        (_utc(2024, 2, 14, 5), _utc(2024, 4, 12, 4), 3361, 299),  # 58 days less the DST hour
        (_utc(2024, 4, 12, 4), _utc(2024, 6, 11, 4), 1300, 115),
        (_utc(2024, 6, 11, 4), _utc(2024, 8, 9, 4), 518, 46)]
    assert store.run("SELECT sum(kwh), sum(volume_m3) FROM energy") == [(9338, 831)]
    assert rows[2][4] == "Estimé"


def test_wrappers_list_and_bare_object(tmp_path: Path) -> None:
    doc = json.loads(fixture("grdf_published.json").read_text())
    bare, listed = tmp_path / "bare.json", tmp_path / "list.json"
    bare.write_text(json.dumps(doc[PCE]))
    listed.write_text(json.dumps([doc[PCE]]))
    for path in (bare, listed):
        inp = InputFile.from_path(path)
        assert detect_source(inp).name == "grdf"
        energy = grdf.parse(inp, ParseContext("alice")).tables["energy"]
        assert (len(energy), energy["kwh"].sum(), set(energy["meter_id"])) == (4, 9338, {PCE})


def test_reimport_adds_nothing(store) -> None:
    imported(store, fixture("grdf_daily_dst.json"))
    before = {t: v for t, v in table_rows(store).items() if t != "imports"}
    again = imported(store, fixture("grdf_daily_dst.json"))
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 6)
    assert {t: v for t, v in table_rows(store).items() if t != "imports"} == before


def test_overlapping_export_adds_only_new_days(store, tmp_path: Path) -> None:
    imported(store, fixture("grdf_daily_dst.json"))
    doc = json.loads(fixture("grdf_daily_dst.json").read_text())
    releves = doc[PCE]["releves"]
    extra = dict(releves[2], journeeGaziere="2024-04-01",
                 dateDebutReleve="2024-04-01T06:00:00+00:00",
                 dateFinReleve="2024-04-02T06:00:00+00:00", energieConsomme=61,
                 volumeBrutConsomme=5, qualificationReleve="Mesuré")
    doc[PCE]["releves"] = releves[1:3] + [extra]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(doc, indent=4))
    report = imported(store, later)
    assert (report.counts.rows_inserted, report.counts.rows_duplicate) == (1, 2)
    assert store.run("SELECT count(*), sum(kwh) FROM energy") == [(7, 376)]


def test_truncated_json_names_the_line(store, tmp_path: Path) -> None:
    text = fixture("grdf_daily_dst.json").read_text()
    cut = text[: len(text) * 2 // 3]
    bad = tmp_path / "cut.json"
    bad.write_text(cut)
    report = import_file(store, InputFile.from_path(bad), "alice")
    assert report.status == "failed" and isinstance(report.error, FormatError)
    assert report.error.line == cut.count("\n") + 1
    assert "truncated" in report.error.hint


def test_bad_energy_is_a_row_error_on_its_line(tmp_path: Path) -> None:
    doc = json.loads(fixture("grdf_daily_dst.json").read_text())
    doc[PCE]["releves"][4]["energieConsomme"] = "soixante"
    text = json.dumps(doc, indent=4, sort_keys=True)
    path = tmp_path / "bad.json"
    path.write_text(text)
    line = next(n for n, s in enumerate(text.splitlines(), 1)
                if '"dateDebutReleve": "2024-10-26' in s)
    parsed = grdf.parse(InputFile.from_path(path), ParseContext("alice"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (line, "expected a number in column energieConsomme")]
    assert len(parsed.tables["energy"]) == 5


def test_detection_is_specific() -> None:
    assert detect_source(InputFile.from_path(fixture("grdf_published.json"))).name == "grdf"
    assert not grdf.detect(InputFile.from_path(fixture("enedis_dc_daily_spring.json")))
    assert not grdf.detect(InputFile.from_path(conformance("energy/greenbutton_hourly.xml")))
    assert not grdf.detect(InputFile.from_bytes("notes.txt", b'releves "idPce" in a text note'))


def test_readings_without_a_pce_are_refused(tmp_path: Path) -> None:
    doc = json.loads(fixture("grdf_published.json").read_text())
    bare = dict(doc[PCE], idPce=None)
    path = tmp_path / "nopce.json"
    path.write_text(json.dumps(bare))
    with pytest.raises(FormatError, match="idPce") as err:
        grdf.parse(InputFile.from_path(path), ParseContext("alice"))
    assert err.value.file == str(path)
