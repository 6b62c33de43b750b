"""Enedis customer-site CSV exports: load curve (W), daily consumption (Wh), daily index.

Fixture figures come from fixtures/make_enedis_fixtures.py, next to this file (worked out
from the values it writes, W x step), the conformance figures from the conformance README.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext, Parsed
from selfdata_kit.sources.energy import enedis_csv, enedis_daily, enedis_index
from tests.conftest import conformance, table_rows

ENERGY = Path(__file__).resolve().parent / "fixtures"
PRM = "25946599093143"
CTX = ParseContext("p1")
META = ("Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;"
        "Grandeur metier;Etape metier;Unite;Pas en minutes\n"
        f"{PRM};Courbe de charge;26/10/2024;28/10/2024;Energie active;Consommation;"
        "Comptage Brut;W;\nHorodate;Valeur\n")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def parse_path(module, name: str) -> Parsed:
    return module.parse(InputFile.from_path(ENERGY / name), CTX)


def parse_text(module, text: str, name: str = "export.csv") -> Parsed:
    return module.parse(InputFile.from_bytes(name, text.encode("utf-8")), CTX)


def per_local_day(energy: pd.DataFrame) -> pd.DataFrame:
    """Intervals, hours and kWh per Europe/Paris day of the interval's start."""
    day = energy["start_at"].dt.tz_convert("Europe/Paris").dt.strftime("%Y-%m-%d")
    hours = (energy["end_at"] - energy["start_at"]).dt.total_seconds() / 3600
    return pd.DataFrame({"day": day, "hours": hours, "kwh": energy["kwh"]}).groupby("day").agg(
        n=("hours", "size"), hours=("hours", "sum"), kwh=("kwh", "sum"))


# --- detection -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "source"), [
    ("enedis_load_curve_dst.csv", "enedis-load-curve"),
    ("enedis_load_curve_overlap.csv", "enedis-load-curve"),
    ("enedis_daily_wh.csv", "enedis-daily"),
    ("enedis_daily_prm.csv", "enedis-daily"),
    ("enedis_index.csv", "enedis-index"),
])
def test_each_fixture_is_claimed_by_one_source(name: str, source: str) -> None:
    assert detect_source(InputFile.from_path(ENERGY / name)).name == source


def test_conformance_is_a_load_curve() -> None:
    inp = InputFile.from_path(conformance("energy/enedis_load_curve.csv"))
    assert detect_source(inp).name == "enedis-load-curve"


@pytest.mark.parametrize("text", [
    "Date;Libellé;Montant\n01/03/2024;CB CAFE;-2,50\n",
    "Horodate;Valeur\n2024-03-01 00:30:00;250\n",  # no Enedis metadata: too generic to claim
    META.replace(";W;", ";VA;"),  # daily maximum power, not a load curve
])
def test_other_files_are_not_claimed(text: str) -> None:
    inp = InputFile.from_bytes("other.csv", text.encode())
    assert not [m for m in (enedis_csv, enedis_daily, enedis_index) if m.detect(inp)]


# --- load curve ----------------------------------------------------------------------

def test_conformance_load_curve_figures() -> None:
    parsed = enedis_csv.parse(InputFile.from_path(conformance("energy/enedis_load_curve.csv")),
                              CTX)
    energy = parsed.tables["energy"]
    assert parsed.errors == []
    assert parsed.rows_read == 27_666
    assert len(energy) == 27_665
    assert energy["kwh"].sum() == pytest.approx(10_684, rel=0.005)
    assert energy["end_at"].is_unique
    assert set(energy["meter_id"]) == {"enedis"}  # the file's PRM is redacted (1429xxxxxxxxxx)
    days = per_local_day(energy)
    # the four DST days are whole in this file (30-minute steps): 25, 23, 25, 23 hours
    assert days.loc["2022-10-30", "hours"] == 25 and days.loc["2022-10-30", "n"] == 50
    assert days.loc["2023-03-26", "hours"] == 23 and days.loc["2023-03-26", "n"] == 46
    assert days.loc["2023-10-29", "hours"] == 25 and days.loc["2023-10-29", "n"] == 50
    assert days.loc["2024-03-31", "hours"] == 23 and days.loc["2024-03-31", "n"] == 46
    # after the 25-hour hole the reading keeps the hourly step of its neighbours
    after_hole = energy[energy["end_at"] == ts("2023-01-11T23:00Z")].iloc[0]
    assert after_hole["start_at"] == ts("2023-01-11T22:00Z")


def test_load_curve_fixture_counts_sums_and_bounds() -> None:
    parsed = parse_path(enedis_csv, "enedis_load_curve_dst.csv")
    energy = parsed.tables["energy"]
    assert parsed.errors == []
    assert parsed.rows_read == 261
    assert len(energy) == 260  # the empty value is a gap, not a zero
    assert energy["kwh"].sum() == pytest.approx(96.686, abs=1e-9)
    assert energy["end_at"].is_unique
    assert energy["start_at"].iloc[0] == ts("2024-03-28T23:00Z")
    assert energy["end_at"].iloc[0] == ts("2024-03-29T00:00Z")
    assert energy["start_at"].iloc[-1] == ts("2024-10-27T22:30Z")
    assert energy["end_at"].iloc[-1] == ts("2024-10-27T23:00Z")
    assert parsed.tables["meters"].to_dict("records") == [
        {"meter_id": PRM, "commodity": "electricity", "provider": "Enedis", "unit": "kWh"}]
    assert set(energy["meter_id"]) == {PRM}


def test_load_curve_dst_days_and_step_change() -> None:
    energy = parse_path(enedis_csv, "enedis_load_curve_dst.csv").tables["energy"]
    days = per_local_day(energy)
    assert days.loc["2024-03-29", "n"] == 24  # hourly
    assert days.loc["2024-03-31", "n"] == 46 and days.loc["2024-03-31", "hours"] == 23
    assert days.loc["2024-10-27", "n"] == 50 and days.loc["2024-10-27", "hours"] == 25
    # constant 1200 W / 800 W on the DST days: each reading counted once
    assert days.loc["2024-03-31", "kwh"] == pytest.approx(23 * 1.2)
    assert days.loc["2024-10-27", "kwh"] == pytest.approx(25 * 0.8)
    # the repeated autumn hour: every half-hour of the 25-hour day, in UTC, exactly once
    autumn = energy[energy["start_at"] >= ts("2024-10-26T22:00Z")]
    assert list(autumn["end_at"]) == list(pd.date_range("2024-10-26T22:30Z",
                                                        "2024-10-27T23:00Z", freq="30min"))
    # last hourly reading (00:00 local) then the first half-hour one (00:30)
    by_end = energy.set_index("end_at")["start_at"]
    assert by_end[ts("2024-03-29T23:00Z")] == ts("2024-03-29T22:00Z")
    assert by_end[ts("2024-03-29T23:30Z")] == ts("2024-03-29T23:00Z")
    # the reading after the 90-minute hole covers 30 minutes, not 120
    assert by_end[ts("2024-04-01T10:00Z")] == ts("2024-04-01T09:30Z")
    assert ts("2024-04-01T13:00Z") not in by_end.index  # the empty value
    assert days.loc["2024-04-01", "n"] == 48 - 3 - 1


def test_hourly_wall_times_repeat_the_autumn_hour_in_order() -> None:
    body = "".join(f"2024-10-27 {h};{w}\n" for h, w in [
        ("01:00:00", 100), ("02:00:00", 200), ("02:00:00", 300), ("03:00:00", 400),
        ("04:00:00", 500)])
    energy = parse_text(enedis_csv, META + body).tables["energy"]
    assert list(energy["end_at"]) == list(pd.date_range("2024-10-26T23:00Z", periods=5,
                                                        freq="h"))
    assert list(energy["kwh"]) == [0.1, 0.2, 0.3, 0.4, 0.5]  # 1 hour each


def test_nonexistent_spring_time_is_a_row_error() -> None:
    body = "2024-03-31 01:30:00;100\n2024-03-31 02:00:00;100\n2024-03-31 03:00:00;100\n"
    parsed = parse_text(enedis_csv, META + body)
    assert [e.line for e in parsed.errors] == [5]
    assert "exists in Europe/Paris" in parsed.errors[0].message
    assert len(parsed.tables["energy"]) == 2


def test_bad_value_line_is_rejected_with_its_line(store) -> None:
    text = (ENERGY / "enedis_load_curve_dst.csv").read_text("utf-8-sig").splitlines()
    text[9] = text[9].split(";")[0] + ";12O"  # line 10: a letter O for a zero
    inp = InputFile.from_bytes("curve.csv", ("\n".join(text) + "\n").encode())
    parsed = enedis_csv.parse(inp, CTX)
    assert [(e.line, e.message) for e in parsed.errors] == [
        (10, "expected a power in W (a number) in column Valeur")]
    before = table_rows(store)
    report = import_file(store, inp, "p1")
    assert report.status == "failed" and report.error.line == 10
    assert table_rows(store) == before  # whole or nothing
    report = import_file(store, inp, "p1", skip_bad_rows=True)
    assert report.counts.rows_inserted == 259 and report.counts.rows_rejected == 1


def test_bad_time_and_backwards_time_are_row_errors() -> None:
    body = ("2024-10-26 00:30:00;100\n2024-10-26 01:00:00;100\n2024-10-26 25:00:00;100\n"
            "2024-10-26 00:30:00;100\n2024-10-26 01:30:00;100\n")
    parsed = parse_text(enedis_csv, META + body)
    assert [e.line for e in parsed.errors] == [6, 7]
    assert "date and time" in parsed.errors[0].message
    assert "increasing order" in parsed.errors[1].message
    assert len(parsed.tables["energy"]) == 3


def test_reimport_adds_nothing(store) -> None:
    inp = InputFile.from_path(ENERGY / "enedis_load_curve_dst.csv")
    first = import_file(store, inp, "p1")
    assert first.counts.rows_inserted == 260
    before = table_rows(store)["energy"]
    again = import_file(store, inp, "p1")
    assert again.counts.rows_inserted == 0 and again.counts.rows_duplicate == 260
    assert table_rows(store)["energy"] == before


def test_overlapping_export_adds_only_new_readings(store) -> None:
    import_file(store, InputFile.from_path(ENERGY / "enedis_load_curve_dst.csv"), "p1")
    report = import_file(store, InputFile.from_path(ENERGY / "enedis_load_curve_overlap.csv"),
                         "p1")
    assert report.counts.rows_read == 98
    assert report.counts.rows_inserted == 48  # 2024-10-28 is new, 2024-10-27 was there
    assert report.counts.rows_duplicate == 50
    n, kwh, last, ends = store.run(
        "SELECT count(*), sum(kwh), max(end_at), count(DISTINCT end_at) FROM energy")[0]
    assert (n, ends) == (308, 308)
    assert kwh == pytest.approx(96.686 + 13.998)
    assert last == ts("2024-10-28T23:00Z")


# --- daily ---------------------------------------------------------------------------

def test_daily_wh_fixture() -> None:
    parsed = parse_path(enedis_daily, "enedis_daily_wh.csv")
    energy = parsed.tables["energy"]
    assert parsed.errors == [] and parsed.rows_read == 14
    assert len(energy) == 13  # 30/10 is empty: a gap
    assert energy["kwh"].sum() == pytest.approx(104.914)
    assert set(energy["meter_id"]) == {"enedis"}  # no PRM in this layout nor the file name
    assert energy["start_at"].iloc[0] == ts("2024-10-20T22:00Z")
    assert energy["end_at"].iloc[-1] == ts("2024-11-03T23:00Z")
    days = per_local_day(energy)
    assert days.loc["2024-10-27", "hours"] == 25
    assert days.loc["2024-10-27", "kwh"] == pytest.approx(6.262)
    assert days.loc["2024-10-28", "hours"] == 24
    assert "2024-10-30" not in days.index


def test_daily_newer_layout_over_spring_change() -> None:
    parsed = parse_path(enedis_daily, "enedis_daily_prm.csv")
    energy = parsed.tables["energy"]
    assert parsed.errors == [] and parsed.rows_read == 7 and len(energy) == 7
    assert energy["kwh"].sum() == pytest.approx(69.873)
    assert set(energy["meter_id"]) == {PRM}
    assert energy["start_at"].iloc[0] == ts("2024-03-27T23:00Z")
    assert energy["end_at"].iloc[-1] == ts("2024-04-03T22:00Z")
    assert list(per_local_day(energy)["hours"]) == [24, 24, 24, 23, 24, 24, 24]


def test_daily_bad_value_and_reimport(store) -> None:
    parsed = parse_text(enedis_daily, "Date de début;Date de fin;Valeur (en Wh)\n"
                        "21/10/2024;22/10/2024;6000\n22/10/2024;23/10/2024;-5\n"
                        "23/10/2024;24/10/2024;7 754\n24/10/2024;25/10/2024;huit\n")
    assert [e.line for e in parsed.errors] == [3, 5]
    assert list(parsed.tables["energy"]["kwh"]) == [6.0, 7.754]
    inp = InputFile.from_path(ENERGY / "enedis_daily_wh.csv")
    assert import_file(store, inp, "p1").counts.rows_inserted == 13
    assert import_file(store, inp, "p1").counts.rows_inserted == 0


# --- index ---------------------------------------------------------------------------

def test_index_fixture_differences_and_trailer() -> None:
    parsed = parse_path(enedis_index, "enedis_index.csv")
    energy = parsed.tables["energy"]
    assert parsed.errors == []  # the trailer block is not rejected
    assert parsed.rows_read == 9 and len(energy) == 8
    assert energy["kwh"].sum() == pytest.approx(85.532)
    assert set(energy["meter_id"]) == {PRM}
    assert energy["start_at"].iloc[0] == ts("2024-03-26T23:00Z")
    assert energy["end_at"].iloc[-1] == ts("2024-04-03T22:00Z")
    spring = energy[energy["start_at"] == ts("2024-03-30T23:00Z")].iloc[0]
    assert spring["end_at"] == ts("2024-03-31T22:00Z")  # 23 hours
    assert spring["kwh"] == pytest.approx(12.576)


INDEX = ("Horodate;Type de releve;EAS F1;EAS F2;EAS T\n"
         "2024-03-01T00:00:00+01:00;Arrêté quotidien;1000;2000;3000\n"
         "2024-03-02T00:00:00+01:00;Arrêté quotidien;1500;2500;4000\n"
         "2024-03-03T00:00:00+01:00;Arrêté quotidien;10;20;30\n"
         "2024-03-04T00:00:00+01:00;Arrêté quotidien;;;\n"
         "2024-03-05T00:00:00+01:00;Arrêté quotidien;1010;2020;3030\n")


def test_index_going_down_is_a_row_error_and_empty_is_a_gap(store) -> None:
    parsed = parse_text(enedis_index, INDEX)
    assert [e.line for e in parsed.errors] == [4]
    assert "not to go down" in parsed.errors[0].message
    energy = parsed.tables["energy"]
    # 1 kWh on 1 March; the reset interval is left out; the empty 4 March is spanned
    assert list(energy["kwh"]) == [1.0, 3.0]
    assert energy["end_at"].iloc[1] - energy["start_at"].iloc[1] == pd.Timedelta(days=2)
    inp = InputFile.from_bytes("index.csv", INDEX.encode())
    assert import_file(store, inp, "p1").error.line == 4
    ok = import_file(store, inp, "p1", skip_bad_rows=True)
    assert ok.counts.rows_inserted == 2 and ok.counts.rows_rejected == 1


def test_index_newest_first_is_read_in_time_order() -> None:
    head, *rows = INDEX.splitlines()
    parsed = parse_text(enedis_index, "\n".join([head, rows[1], rows[0]]) + "\n")
    assert parsed.errors == []
    assert list(parsed.tables["energy"]["kwh"]) == [1.0]


def test_sources_are_registered() -> None:
    from selfdata_kit.sources import all_sources
    names = {s.name for s in all_sources()}
    assert {"enedis-load-curve", "enedis-daily", "enedis-index"} <= names
