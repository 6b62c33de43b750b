"""The energy analyses recover what the synthetic personas' truth.json says (kWh per year and
per month, standby power, bills), count DST days right, and pick one series per meter and day
when a meter has several."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from selfdata_kit.analysis import energy as e
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.i18n import keys
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports import energy as report
from selfdata_kit.store import open_store
from tests.conftest import World


@pytest.fixture(scope="module")
def world(world_store: World):
    """The shared read-only store: the 3 sample personas, "nobody" and the 6 fresh ones
    of the cohort (2023)."""
    store = open_store(world_store.path, read_only=True)
    yield store.con, world_store.truths
    store.close()


def test_annual_kwh_per_commodity_within_1_percent(world) -> None:
    con, truths = world
    assert len(truths) == 9
    for person, truth in truths.items():
        got = e.figures(con, make_scope(con, person))["annual_kwh"]
        assert set(got) == set(truth["energy_kwh"]), person
        for commodity, kwh in truth["energy_kwh"].items():
            assert got[commodity] == pytest.approx(float(kwh), rel=0.01), (person, commodity)


def test_monthly_kwh_match_the_bills_month_by_month(world) -> None:
    con, truths = world
    for person, truth in truths.items():
        got = e.monthly_kwh(con, make_scope(con, person))
        got = {(r.commodity, r.month.strftime("%Y-%m")): r.kwh for r in got.itertuples()}
        bills = {(b["commodity"], b["month"]): float(b["kwh"]) for b in truth["energy_bills"]}
        assert set(got) == set(bills), person
        for key, kwh in bills.items():
            assert got[key] == pytest.approx(kwh, rel=0.01), (person, key)


def test_standby_watts_within_10_percent(world) -> None:
    con, truths = world
    for person, truth in truths.items():
        s = e.figures(con, make_scope(con, person))
        assert s["standby_watts"] == pytest.approx(truth["standby_watts"], rel=0.10), person
        assert s["standby_eur_per_year"] == pytest.approx(
            s["standby_watts"] * 8.76 * 0.2516, abs=0.01)


def test_costs_match_the_bills_with_the_persona_offer(world) -> None:
    con, truths = world
    for person, truth in truths.items():
        offer = "hphc" if truth["persona"]["tariff"].get("price_hc_eur_per_kwh") else "base"
        got = e.co2_and_cost(con, make_scope(con, person), electricity_offer=offer)
        got = {(r.commodity, r.month.strftime("%Y-%m")): r for r in got.itertuples()}
        for b in truth["energy_bills"]:
            row = got[(b["commodity"], b["month"])]
            assert row.cost_eur == pytest.approx(float(b["amount"]), abs=0.011), person
            if offer == "hphc" and b["commodity"] == "electricity":
                assert row.kwh_off_peak == pytest.approx(float(b["kwh_off_peak"]), abs=1e-6)


def test_dst_days_count_their_46_and_50_half_hours(world) -> None:
    con, truths = world
    for person, truth in truths.items():
        scope = make_scope(con, person)
        daily = e.daily_kwh(con, scope)
        daily = daily[daily["commodity"] == "electricity"].set_index("day")["kwh"]
        for day, n in truth["electricity_days_not_48_readings"].items():
            count, total = con.execute("""
                SELECT count(*), sum(kwh) FROM energy JOIN meters USING (person_id, meter_id)
                WHERE person_id = ? AND commodity = 'electricity'
                  AND CAST(timezone('Europe/Paris', start_at) AS DATE) = ?""",
                                       [person, day]).fetchall()[0]
            assert count == n
            assert daily[pd.Timestamp(day)] == pytest.approx(total, abs=1e-9)
    sample = e.daily_kwh(con, make_scope(con, "p0001-student", "2024-03-31", "2024-03-31"))
    assert list(sample["day"].dt.date) == [date(2024, 3, 31)]


def test_heating_is_recognised_for_the_reference_comparison(world) -> None:
    con, truths = world
    for person, truth in truths.items():
        frame = e.reference_household(con, make_scope(con, person))
        assert set(frame["heating"]) == {truth["persona"]["heating"]}, person
        assert set(frame["commodity"]) == set(truth["energy_kwh"])
        assert list(frame[frame["commodity"] == "electricity"]["household_size"]) == [
            1, 2, 3, 4, 5]


def test_a_period_filters_every_analysis(world) -> None:
    con, truths = world
    march = make_scope(con, "p0003-family-gas", "2024-03-01", "2024-03-31")
    months = e.monthly_kwh(con, march)
    assert list(months["month"].dt.strftime("%Y-%m").unique()) == ["2024-03"]
    bills = {b["commodity"]: float(b["kwh"]) for b in truths["p0003-family-gas"]["energy_bills"]
             if b["month"] == "2024-03"}
    assert dict(zip(months["commodity"], months["kwh"], strict=True)) == pytest.approx(bills)
    heat = e.load_heatmap(con, march)
    assert set(heat["bucket"]) == {"day"} and len(heat) == 31 * 24 - 1  # one hour skipped
    assert e.standby_watts(con, march)["day"].dt.month.unique().tolist() == [3]
    season = e.heating_season(con, march)
    assert set(season["season"]) == {"heating"} and (season["share"] == 1).all()
    half = e.co2_and_cost(con, make_scope(con, "p0001-student", "2024-03-01", "2024-03-14"))
    row = half.iloc[0]  # Base price, subscription pro rata of the 14 days with data
    assert row.cost_eur == pytest.approx(row.kwh * 0.2516 + 12.60 * 14 / 31, abs=0.006)


@pytest.mark.parametrize("person,start,end", [("nobody", None, None),
                                              ("p0001-student", "2030-01-01", "2030-12-31")])
def test_no_data_gives_empty_frames_not_errors(world, person, start, end) -> None:
    con, _ = world
    scope = make_scope(con, person, start, end)
    for name, section in report.SECTIONS.items():
        assert section.analysis(con, scope).empty, name
    s = e.figures(con, scope)
    assert s["annual_kwh"] == {} and s["standby_watts"] is None and s["cost_eur"] == 0
    json.dumps(s)
    assert report.key_figures(con, scope, "fr")[-1][0] == "Tarif utilisé"


def test_weekday_weekend_and_heating_season_shapes(world) -> None:
    con, _ = world
    scope = make_scope(con, "p0002-retiree-electric")
    profile = e.weekday_weekend(con, scope)
    assert len(profile) == 48 and set(profile["day_type"]) == {"weekday", "weekend"}
    season = e.heating_season(con, scope)
    assert season.groupby("commodity")["share"].sum().tolist() == pytest.approx([1.0])
    heat = e.load_heatmap(con, scope)
    assert set(heat["bucket"]) == {"week"} and len(heat) < 5000  # small enough to chart


def test_factors_and_references_can_be_overridden(world, tmp_path: Path) -> None:
    con, _ = world
    scope = make_scope(con, "p0001-student", "2024-01-01", "2024-01-31")
    factors = tmp_path / "factors.toml"
    factors.write_text("[electricity]\nvalue = 1.0\n[gas]\nvalue = 0.0\n", encoding="utf-8")
    frame = e.co2_and_cost(con, scope, factors=factors)
    assert frame["kg_co2e"].tolist() == pytest.approx(frame["kwh"].tolist())
    shipped = e.load_emission_factors()
    assert shipped["electricity"]["year"] and "ADEME" in shipped["electricity"]["source"]
    refs = tmp_path / "refs.toml"
    refs.write_text("[electricity.electric]\nsizes = [1]\nkwh = [123]\n", encoding="utf-8")
    ref = e.reference_household(con, scope, references=refs)
    assert ref[["household_size", "reference_kwh"]].values.tolist() == [[1, 123.0]]


# --- one series per meter and day ---------------------------------------------------------

PRM, PCE = "11111111111111", "22222222222222"


def _write_overlapping_series(folder: Path) -> None:
    """A load curve (1000 W) for 30 March-1 April 2024 and daily totals (30 kWh) for 28 March-
    3 April for the same PRM; GRDF daily readings (50 kWh) on 3-4 January inside a billing
    period 1-11 January (1000 kWh) for the same PCE."""
    folder.mkdir()
    ends = pd.date_range("2024-03-30 00:30", "2024-04-02 00:00", freq="30min",
                         tz="Europe/Paris")
    lines = ["Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;"
             "Grandeur metier;Etape metier;Unite;Pas en minutes",
             f"{PRM};Courbe de charge;30/03/2024;02/04/2024;Energie active;Consommation;"
             "Comptage Brut;W;30", "Horodate;Valeur"]
    lines += [f"{t.isoformat()};1000" for t in ends]
    (folder / f"Enedis_Conso_Heure_20240330-20240402_{PRM}.csv").write_text(
        "\n".join(lines) + "\n", encoding="utf-8")
    head = ("Identifiant PRM;Date de début;Date de fin;Grandeur physique;Grandeur métier;"
            "Etape métier;Unité;Horodate;Valeur;Nature;Pas;Indice de vraisemblance;"
            "Etat complémentaire")
    days = [f"{PRM};2024-03-28 00:00:00;2024-04-04 00:00:00;EA;CONS;BRUT;Wh;"
            f"2024-{d} 00:00:00;30000;R;P1D;0;0"
            for d in ("03-28", "03-29", "03-30", "03-31", "04-01", "04-02", "04-03")]
    (folder / f"Enedis_Conso_Jour_{PRM}.csv").write_text("\n".join([head, *days]) + "\n",
                                                          encoding="utf-8")
    def releve(start: str, end: str, kwh: int, gas_day: str | None) -> dict:
        return {"dateDebutReleve": f"{start}T06:00:00+00:00",
                "dateFinReleve": f"{end}T06:00:00+00:00", "energieConsomme": kwh,
                "volumeBrutConsomme": kwh // 11, "coeffConversion": 11.2,
                "journeeGaziere": gas_day, "qualificationReleve": "Mesuré",
                "natureReleve": "Informative Journalier" if gas_day else "Publiée"}
    releves = [releve("2024-01-01", "2024-01-11", 1000, None),
               releve("2024-01-03", "2024-01-04", 50, "2024-01-03"),
               releve("2024-01-04", "2024-01-05", 50, "2024-01-04")]
    (folder / f"Donnees_informatives_{PCE}.json").write_text(
        json.dumps({PCE: {"idPce": PCE, "releves": releves}}), encoding="utf-8")


def test_one_series_per_meter_and_day(tmp_path: Path) -> None:
    _write_overlapping_series(tmp_path / "energy")
    with open_store(tmp_path / "s.duckdb") as store:
        reports = import_paths(store, [tmp_path / "energy"], "p")
        assert [r.status for r in reports] == ["imported"] * 3
        con: duckdb.DuckDBPyConnection = store.con
        scope = Scope("p")
        daily = e.daily_kwh(con, scope)
        got = {(r.commodity, r.day.date().isoformat()): round(r.kwh, 6)
               for r in daily.itertuples()}
        elec = {"03-28": 30, "03-29": 30, "03-30": 24, "03-31": 23, "04-01": 24,
                "04-02": 30, "04-03": 30}  # the load curve wins where it exists (DST: 23 h)
        gas = {f"01-{d:02d}": 50 if d in (3, 4) else 100 for d in range(1, 11)}
        assert got == {**{("electricity", f"2024-{k}"): v for k, v in elec.items()},
                       **{("gas", f"2024-{k}"): v for k, v in gas.items()}}
        assert e.figures(con, scope)["annual_kwh"] == {"electricity": 191.0, "gas": 900.0}
        heat = e.load_heatmap(con, scope)  # sub-daily readings only
        assert sorted(heat["period"].dt.date.unique()) == [
            date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]
        assert heat["avg_w"].tolist() == pytest.approx([1000.0] * len(heat))
        assert e.standby_watts(con, scope)["standby_w"].unique().tolist() == [1000.0]


def test_texts_exist_in_both_languages_for_every_section() -> None:
    fr, en = keys("energy", "fr"), keys("energy", "en")
    assert fr == en
    for name in report.SECTIONS:
        assert {f"{name}.title", f"{name}.how_to_read"} <= fr
    assert {"title", "intro.what", "intro.who", "intro.reveals"} <= fr
