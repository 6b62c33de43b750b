"""Energy decisions recover what the synthetic personas' truth.json says: the off-peak share
of their load curve, the highest 30-min power, and the cost of their own offer (the bills);
offers are priced day by day at the grid in force; a contract file and a Tempo calendar are
read with errors that name the file and the line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from selfdata_kit.analysis import energy_offers as o
from selfdata_kit.analysis.energy_contract import (
    CONTRACTS_ENV,
    contract_for,
    load_offers,
    load_tempo_days,
    parse_slots,
)
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.cli import main
from selfdata_kit.errors import SelfdataError
from selfdata_kit.store import open_store
from tests.conftest import SAMPLES, World


@pytest.fixture(scope="module")
def world(world_store: World):
    """The 3 sample personas (2024) and the 6 generated ones of the cohort (2023)."""
    store = open_store(world_store.path, read_only=True)
    yield store.con, world_store.truths
    store.close()


def write_contract(path: Path, truth: dict, **override: object) -> Path:
    """The persona's contract as a user would write it in their energy contract file."""
    c = {**truth["electricity_contract"], **override}
    offpeak = ", ".join(f'"{s}"' for s in c["offpeak"])
    path.write_text(f'[persons."{truth["person_id"]}"]\noffer = "{c["offer"]}"\n'
                    f'subscribed_kva = {c["subscribed_kva"]}\noffpeak = [{offpeak}]\n',
                    encoding="utf-8")
    return path


def decide(con, truth: dict, tmp_path: Path, start=None, end=None, **override) -> dict:
    path = write_contract(tmp_path / "contracts.toml", truth, **override)
    contract = contract_for(truth["person_id"], path)
    return o.decisions(con, make_scope(con, truth["person_id"], start, end), contract)


def test_offpeak_share_is_recovered_within_2_points_on_every_persona(world, tmp_path) -> None:
    con, truths = world
    assert len(truths) == 9
    contracts = set()
    for person, truth in truths.items():
        d = decide(con, truth, tmp_path)
        assert d["offpeak_share"] == pytest.approx(truth["offpeak_share"], abs=0.02), person
        contracts.add(truth["electricity_contract"]["offpeak_in_contract"])
        # and with no contract file at all: the default slots are the synthetic ones
        default = o.decisions(con, make_scope(con, person))
        assert default["contract"]["offpeak"] == "22:00-06:00"
        assert default["offpeak_share"] == pytest.approx(truth["offpeak_share"], abs=0.02)
    assert contracts == {True, False}, "personas with and without an off-peak contract"


def test_the_truth_share_agrees_with_the_off_peak_bills(world) -> None:
    _, truths = world
    for person, truth in truths.items():
        if truth["electricity_contract"]["offpeak_in_contract"]:
            bills = [b for b in truth["energy_bills"] if b["commodity"] == "electricity"]
            off = sum(float(b["kwh_off_peak"]) for b in bills)
            assert off / sum(float(b["kwh"]) for b in bills) == pytest.approx(
                truth["offpeak_share"], abs=1e-4), person


def test_at_least_three_offers_are_priced_with_one_cheapest_and_the_current_one(
        world, tmp_path) -> None:
    con, truths = world
    for person, truth in truths.items():
        offers = decide(con, truth, tmp_path)["energy_offers"]
        priced = [p for p in offers if p["annual_cost"] is not None]
        assert len(priced) >= 3, person
        assert all(p["name"] and p["annual_cost"] > 0 and p["sources"] for p in priced)
        assert sum(p["cheapest"] for p in offers) == 1, person
        cheapest = next(p for p in offers if p["cheapest"])
        assert cheapest["annual_cost"] == min(p["annual_cost"] for p in priced
                                              if not p["uncertain"])
        assert [p["key"] for p in offers if p["current"]] == [
            truth["electricity_contract"]["offer"]]
        kinds = {p["kind"] for p in priced}
        assert {"base", "hphc", "tempo", "weekend"} <= kinds


@pytest.mark.parametrize("person", SAMPLES)
def test_own_offer_costs_what_the_bills_say_where_the_grid_is_the_bills(
        world, tmp_path, person) -> None:
    """From 2024-02-01 the 6 kVA grid of energy_offers.toml is the synthetic bills' tariff:
    February to December priced by the analysis = the sum of those bills, to the cent."""
    con, truths = world
    truth = truths[person]
    d = decide(con, truth, tmp_path, "2024-02-01", "2024-12-31")
    own = next(p for p in d["energy_offers"] if p["current"])
    bills = [b for b in truth["energy_bills"] if b["commodity"] == "electricity"
             and b["month"] >= "2024-02"]
    assert own["days"] == 335 and own["scaled"] is True
    assert own["cost_eur"] == pytest.approx(sum(float(b["amount"]) for b in bills), abs=0.06)
    assert own["days_at_assumed_prices"] == 0


def test_a_year_spanning_a_price_change_is_priced_piecewise(world, tmp_path) -> None:
    con, truths = world
    truth = truths["p0001-student"]  # Base: January 2024 at the August 2023 grid
    d = decide(con, truth, tmp_path)
    base = next(p for p in d["energy_offers"] if p["key"] == "edf_base")
    kwh = {b["month"]: float(b["kwh"]) for b in truth["energy_bills"]
           if b["commodity"] == "electricity"}
    january, rest = kwh["2024-01"], sum(v for m, v in kwh.items() if m != "2024-01")
    assert base["breakdown"]["energy"]["base"]["eur"] == pytest.approx(
        january * 0.2276 + rest * 0.2516, abs=0.02)
    assert base["breakdown"]["subscription_eur"] == pytest.approx(12.44 + 11 * 12.60, abs=0.02)
    assert len(base["sources"]) == 2 and base["annual_cost"] == base["cost_eur"]


def test_days_outside_every_grid_are_priced_at_the_nearest_grid_and_counted(world,
                                                                            tmp_path) -> None:
    con, truths = world
    generated = [t for t in truths.values() if t["persona"]["year"] == 2023]
    d = decide(con, generated[0], tmp_path)
    base = next(p for p in d["energy_offers"] if p["key"] == "edf_base")
    assert base["days_at_assumed_prices"] == 212  # 2023-01-01 .. 2023-07-31


def test_max_power_is_the_highest_30_min_average_and_a_step_down_is_priced(world,
                                                                           tmp_path) -> None:
    con, truths = world
    for person, truth in truths.items():
        d = decide(con, truth, tmp_path)
        assert d["max_power_kva"] == pytest.approx(truth["max_power_kva"], abs=0.01), person
        assert d["lower_bound"] is True and d["step_minutes"] == 30
        assert d["subscribed_kva"] == truth["electricity_contract"]["subscribed_kva"] == 6
    # an over-subscribed family: 9 kVA for a 3.9 kVA peak can go down to 6 kVA
    truth = truths["p0003-family-gas"]
    d = decide(con, truth, tmp_path, subscribed_kva=9, offer="edf_base")
    assert d["step_down"]["kva"] == 6 and d["step_down"]["fits"] is True
    assert d["step_down"]["saving_per_year"] == pytest.approx((15.79 - 12.60) * 12)
    d = decide(con, truth, tmp_path, subscribed_kva=6, offer="edf_hphc")
    assert d["step_down"] == {"kva": 3, "fits": False, "saving_per_year": None}


def test_several_off_peak_slots_count_each_interval_by_its_local_start(world,
                                                                     tmp_path) -> None:
    con, truths = world
    truth = truths["p0002-retiree-electric"]
    d = decide(con, truth, tmp_path, offpeak=["02:00-07:00", "12:30-14:30"])
    rows = con.execute("""SELECT timezone('Europe/Paris', start_at) AS t, kwh FROM energy
                          WHERE person_id = ? AND meter_id IN (SELECT meter_id FROM meters
                          WHERE commodity = 'electricity')""", [truth["person_id"]]).df()
    minute = rows["t"].dt.hour * 60 + rows["t"].dt.minute
    inside = ((minute >= 120) & (minute < 420)) | ((minute >= 750) & (minute < 870))
    assert d["offpeak_share"] == pytest.approx(rows.loc[inside, "kwh"].sum()
                                               / rows["kwh"].sum(), abs=1e-4)
    assert d["contract"]["offpeak"] == "02:00-07:00, 12:30-14:30"


def test_tempo_colours_hold_from_6_to_6_and_unknown_days_are_priced_at_base(
        world, tmp_path) -> None:
    con, truths = world
    person = "p0002-retiree-electric"
    scope = Scope(person, dt.date(2024, 1, 8), dt.date(2024, 1, 9))  # a Monday and Tuesday
    calendar = tmp_path / "tempo.csv"
    calendar.write_text("date,colour\n2024-01-08,ROUGE\n2024-01-07,bleu\n", encoding="utf-8")
    frame, _, _ = o.past_year(o.slot_days(con, scope, ((22 * 60, 6 * 60),)), scope)
    offers = load_offers()
    contract = contract_for(person, write_contract(tmp_path / "c.toml", truths[person]))
    tempo = o.price_offer(offers["edf_tempo"], frame, contract, load_tempo_days(calendar),
                          offers["edf_base"])
    curve = con.execute("""SELECT timezone('Europe/Paris', start_at) AS t, kwh FROM energy
        WHERE person_id = ? AND start_at >= '2024-01-08 00:00+01' AND start_at
        < '2024-01-10 00:00+01'""", [person]).df()
    t = curve["t"]
    red_hp = curve.loc[(t >= "2024-01-08 06:00") & (t < "2024-01-08 22:00"), "kwh"].sum()
    red_hc = curve.loc[(t >= "2024-01-08 22:00") & (t < "2024-01-09 06:00"), "kwh"].sum()
    sunday_hc = curve.loc[t < "2024-01-08 06:00", "kwh"].sum()  # Sunday's Tempo day: blue
    unknown = curve.loc[t >= "2024-01-09 06:00", "kwh"].sum()
    e = tempo["breakdown"]["energy"]
    assert e["red_hp"]["kwh"] == pytest.approx(red_hp, abs=1e-3)
    assert e["red_hc"]["kwh"] == pytest.approx(red_hc, abs=1e-3)
    assert e["blue_hc"]["kwh"] == pytest.approx(sunday_hc, abs=1e-3)
    # priced at the Base grid in force in January 2024 (from 2023-08-01)
    assert e["unknown_colour"]["eur"] == pytest.approx(unknown * 0.2276, abs=0.01)
    assert tempo["unknown_colour_days"] == 1
    assert 0 < tempo["unknown_colour_kwh_share"] < 1


def test_shipped_data_files_are_dated_and_sourced() -> None:
    offers = load_offers()
    assert len(offers) >= 4
    for offer in offers.values():
        for g in offer.grids:
            assert g.source and (g.valid_to is None or g.valid_from < g.valid_to)
            assert 6 in g.subscription and all(0 < p < 1 for by_power in g.kwh.values()
                                               for p in by_power.values())
        # an open last grid is only known in force to `known_to`: no price is assumed silently
        assert offer.grids[-1].valid_to or offer.known_to, offer.key
        for a, b in zip(offer.grids, offer.grids[1:], strict=False):
            assert b.valid_from == a.valid_to + dt.timedelta(days=1), "no gap, no overlap"
    assert len(load_tempo_days()) > 365  # RTE's published colours: test_energy_offers_data.py


@pytest.mark.parametrize(("text", "message"), [
    ('[default]\noffpeak = ["22:00-06:00", "05:00-07:00"]\n', "off-peak slots overlap"),
    ('[default]\noffpeak = ["22h00-6h"]\n', "is not HH:MM-HH:MM"),
    ('[default]\noffer = "cheap"\n', "unknown offer 'cheap'"),
    ('[persons."p1"]\nsubscribed_kva = 7\n', '[persons."p1"]: subscribed_kva must be one of'),
    ("[default\n", "not a valid TOML file"),
])
def test_a_bad_contract_file_is_named_with_what_was_expected(tmp_path, text, message) -> None:
    path = tmp_path / "contracts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SelfdataError) as e:
        contract_for("p1", path)
    assert str(path) in str(e.value) and message in str(e.value)


def test_a_bad_tempo_calendar_line_is_named(tmp_path) -> None:
    path = tmp_path / "tempo.csv"
    path.write_text("date,colour\n2024-01-08,rouge\n2024-01-09,violet\n", encoding="utf-8")
    with pytest.raises(SelfdataError, match=r"tempo.csv, line 3: expected YYYY-MM-DD,colour"):
        load_tempo_days(path)


def test_slots_wrap_midnight_and_may_be_several() -> None:
    assert parse_slots(["22:00-06:00"], "x") == ((1320, 360),)
    assert parse_slots(["01:30-07:30", "12:00-14:00"], "x") == ((90, 450), (720, 840))
    assert parse_slots("20:00-24:00", "x") == ((1200, 0),)


def test_a_person_without_load_curve_gets_empty_decisions(world) -> None:
    con, _ = world
    d = o.decisions(con, make_scope(con, "nobody"))
    assert d["offpeak_share"] is None and d["energy_offers"] == []
    assert d["max_power_kva"] is None
    assert o.offers_frame(con, make_scope(con, "nobody")).empty


@pytest.mark.slow
def test_summary_json_has_the_decisions_and_reads_the_contracts_file(
        world_store, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv(CONTRACTS_ENV, "")  # --contracts sets it: restored after the test
    truth = world_store.truths["p0003-family-gas"]
    contracts = write_contract(tmp_path / "contracts.toml", truth, subscribed_kva=9)
    store = ["--store", str(world_store.path), "--person", "p0003-family-gas"]
    assert main(["summary", *store, "--json", "--contracts", str(contracts)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["offpeak_share"] == pytest.approx(truth["offpeak_share"], abs=0.02)
    assert len([p for p in d["energy_offers"] if p["annual_cost"]]) >= 3
    assert d["max_power_kva"] == pytest.approx(truth["max_power_kva"], abs=0.01)
    assert d["reports"]["energy"]["subscribed_kva"] == 9
    bad = tmp_path / "bad.toml"
    bad.write_text('[default]\noffer = "nope"\n', encoding="utf-8")
    assert main(["summary", *store, "--contracts", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "unknown offer 'nope'" in err and "Traceback" not in err


def test_a_contract_file_may_name_a_corrected_offers_file(world, tmp_path) -> None:
    con, truths = world
    truth = truths["p0001-student"]
    shipped = (Path(o.__file__).parent.parent / "data" / "energy_offers.toml").read_text(
        encoding="utf-8")
    # a user's checked copy: one offer, its 2024 kWh price corrected, a new key
    mine = shipped[:shipped.index('[[offer]]\nkey = "edf_hphc"')].replace(
        'key = "edf_base"', 'key = "my_base"').replace('"0.2516"', '"0.2000"')
    (tmp_path / "my_offers.toml").write_text(mine, encoding="utf-8")
    contracts = write_contract(tmp_path / "contracts.toml", truth, offer="my_base")
    contracts.write_text(contracts.read_text() + 'offers = "my_offers.toml"\n')
    d = o.decisions(con, make_scope(con, truth["person_id"], "2024-02-01", "2024-12-31"),
                    contract_for(truth["person_id"], contracts))
    assert [p["key"] for p in d["energy_offers"]] == ["my_base"]
    base = d["energy_offers"][0]
    assert base["current"] and base["cheapest"]
    assert base["breakdown"]["energy"]["base"]["eur"] == pytest.approx(
        base["breakdown"]["energy"]["base"]["kwh"] * 0.2, abs=0.01)
