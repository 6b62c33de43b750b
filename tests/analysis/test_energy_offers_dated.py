"""A real user's past year today (2025-12-01 to 2026-11-30) and the start of the 2025-2026 Tempo
season, priced end to end: a sample persona's real 2024 load curve moved to those dates in a
private store, each cost computed here by hand from the store's own readings.

- Base crosses the 2026-02-01 step, where its kWh price starts to depend on the power
  (0.1952 for everyone, then 0.1940 at 3-6 kVA and 0.1927 at 9-36 kVA);
- days after the prices the file knows (2026-07-31) are priced at the latest grid and counted
  in `days_at_assumed_prices`; Tempo days after the calendar are of unknown colour, priced at
  the Base price of their date and counted;
- Tempo crosses 2025-09-30, the last day of RTE's colours in the shipped calendar."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.analysis import energy_offers as o
from selfdata_kit.analysis.energy_contract import CONTRACTS_ENV, Contract, load_tempo_days
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.cli import main
from selfdata_kit.reports import energy as report
from selfdata_kit.store import open_store
from tests.conftest import copy_store

pytestmark = pytest.mark.slow  # private copies of the sample store, written into
PERSON = "p0002-retiree-electric"  # electric heating: a real winter in the load curve


def moved_store(sample_store: Path, target: Path, days: int) -> Path:
    """The retiree's readings moved `days` later (whole days: the same local times but for
    the few hours around the daylight-saving changes)."""
    path = copy_store(sample_store, target, keep=[PERSON])
    with open_store(path) as s:
        s.con.execute(f"UPDATE energy SET start_at = start_at + INTERVAL {days} DAY, "
                      f"end_at = end_at + INTERVAL {days} DAY")
    return path


@pytest.fixture(scope="module")
def year_path(sample_store, tmp_path_factory) -> Path:
    """2024-01-01 + 700 days = 2025-12-01: the readings cover the past year of today."""
    return moved_store(sample_store, tmp_path_factory.mktemp("dated") / "year.duckdb", 700)


@pytest.fixture(scope="module")
def year_store(year_path):
    with open_store(year_path, read_only=True) as s:
        yield s.con


@pytest.fixture(scope="module")
def autumn_store(sample_store, tmp_path_factory):
    """2024-09-01 + 365 days = 2025-09-01: September and October 2025 around the calendar's
    last day."""
    path = moved_store(sample_store, tmp_path_factory.mktemp("dated") / "autumn.duckdb", 365)
    with open_store(path, read_only=True) as s:
        yield s.con


def curve(con, start: str, end: str) -> pd.DataFrame:
    """The electricity load curve by local start time, with its local day, its Tempo day
    (06:00 to 06:00) and whether it is in Tempo's off-peak 22:00-06:00, within [start, end]
    local days."""
    rows = con.execute("""
        SELECT timezone('Europe/Paris', e.start_at) AS t, e.kwh
        FROM energy e JOIN meters m USING (person_id, meter_id)
        WHERE e.person_id = ? AND m.commodity = 'electricity' AND e.kwh IS NOT NULL""",
                       [PERSON]).df()
    rows["day"] = rows["t"].dt.date
    rows = rows[(rows["day"] >= dt.date.fromisoformat(start))
                & (rows["day"] <= dt.date.fromisoformat(end))].copy()
    rows["tempo_day"] = (rows["t"] - pd.Timedelta(hours=6)).dt.date
    rows["hc"] = (rows["t"].dt.hour < 6) | (rows["t"].dt.hour >= 22)
    return rows


def offer(d: dict, key: str) -> dict:
    return next(p for p in d["energy_offers"] if p["key"] == key)


@pytest.mark.parametrize(("kva", "kwh_2026", "monthly"), [(6, 0.1940, 15.47),
                                                         (9, 0.1927, 19.39)])
def test_base_over_the_past_year_crosses_2026_02_01_at_the_price_of_its_power(
        year_store, kva, kwh_2026, monthly) -> None:
    con = year_store
    d = o.decisions(con, make_scope(con, PERSON, dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
                    Contract(offer="edf_base", subscribed_kva=kva))
    base = offer(d, "edf_base")
    rows = curve(con, "2025-12-01", "2026-11-30")
    before = rows.loc[rows["day"] < dt.date(2026, 2, 1), "kwh"].sum()
    after = rows.loc[rows["day"] >= dt.date(2026, 2, 1), "kwh"].sum()
    assert before > 1000 and after > 1000  # a real winter on both sides of the step
    energy = before * 0.1952 + after * kwh_2026
    # the subscription: one month's at each of 12 full months (the same figure at both grids:
    # the 2026 subscriptions were not found and carry the 2025-08-01 ones forward)
    assert base["days"] == 365 and base["scaled"] is False
    assert base["breakdown"]["energy"]["base"]["eur"] == pytest.approx(energy, abs=0.02)
    assert base["breakdown"]["subscription_eur"] == pytest.approx(12 * monthly, abs=0.02)
    assert base["annual_cost"] == pytest.approx(energy + 12 * monthly, abs=0.03)
    # 2026-08-01 .. 2026-11-30 are after the last grid the file knows to be in force
    assert base["days_at_assumed_prices"] == 31 + 30 + 31 + 30
    assert base["prices_known_to"] == "2026-07-31"
    assert len(base["sources"]) == 2 and "2026-02-01" in base["sources"][1]


def test_the_two_powers_differ_by_their_kwh_price_from_2026_02_01_only(year_store) -> None:
    con = year_store
    scope = make_scope(con, PERSON, dt.date(2025, 12, 1), dt.date(2026, 1, 31))
    costs = {kva: offer(o.decisions(con, scope, Contract(subscribed_kva=kva)), "edf_base")
             for kva in (6, 9)}
    assert (costs[6]["breakdown"]["energy"]["base"]["eur"]
            == costs[9]["breakdown"]["energy"]["base"]["eur"])  # one price before the step
    assert costs[6]["days_at_assumed_prices"] == costs[9]["days_at_assumed_prices"] == 0


def test_tempo_over_the_past_year_prices_the_named_red_days_and_counts_the_unknown_ones(
        year_store) -> None:
    con = year_store
    d = o.decisions(con, make_scope(con, PERSON, dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
                    Contract(offer="edf_tempo", subscribed_kva=9))
    tempo = offer(d, "edf_tempo")
    calendar = load_tempo_days()
    rows = curve(con, "2025-12-01", "2026-11-30")
    red = rows[rows["tempo_day"].map(calendar.get) == "red"]
    assert set(red["tempo_day"]) == {dt.date(2025, 12, 29), dt.date(2025, 12, 31),
                                     *(dt.date(2026, 1, d) for d in (5, 6, 7, 26, 28))}
    e = tempo["breakdown"]["energy"]
    assert e["red_hp"]["kwh"] == pytest.approx(red.loc[~red["hc"], "kwh"].sum(), abs=1e-3)
    # every named red day is before 2026-02-01: red HP at the 2025-08-01 grid's 0.6468
    assert e["red_hp"]["eur"] == pytest.approx(red.loc[~red["hc"], "kwh"].sum() * 0.6468,
                                               abs=0.01)
    white = rows[rows["tempo_day"] == dt.date(2026, 1, 27)]
    assert e["white_hp"]["kwh"] == pytest.approx(white.loc[~white["hc"], "kwh"].sum(),
                                                 abs=1e-3)
    unknown = rows[rows["tempo_day"].map(
        lambda t: t not in calendar and t.isoweekday() != 7)]
    assert tempo["unknown_colour_days"] == unknown["tempo_day"].nunique()
    base_price = unknown["tempo_day"].map(  # the Base price of that date at 9 kVA
        lambda t: 0.1952 if t < dt.date(2026, 2, 1) else 0.1927)
    assert e["unknown_colour"]["eur"] == pytest.approx(
        (unknown["kwh"] * base_price).sum(), abs=0.05)
    # most kWh are of unknown colour: Tempo is listed, uncertain, never the cheapest
    assert tempo["unknown_colour_kwh_share"] > 0.2
    assert tempo["uncertain"] is True and tempo["cheapest"] is False
    assert tempo["days_at_assumed_prices"] == 122


def test_tempo_across_the_end_of_rtes_colours_on_2025_09_30(autumn_store) -> None:
    """20 September - 10 October 2025 at 9 kVA: Tempo days to 2025-09-29 are RTE's (all blue),
    later Sundays blue by rule, other later days of unknown colour at Base's 0.1952."""
    con = autumn_store
    d = o.decisions(con, make_scope(con, PERSON, dt.date(2025, 9, 20), dt.date(2025, 10, 10)),
                    Contract(offer="edf_tempo", subscribed_kva=9))
    tempo = offer(d, "edf_tempo")
    rows = curve(con, "2025-09-20", "2025-10-10")
    known = (rows["tempo_day"] <= dt.date(2025, 9, 29)) | rows["tempo_day"].map(
        lambda t: t.isoweekday() == 7)
    blue = rows[known]
    energy = (blue.loc[blue["hc"], "kwh"].sum() * 0.1232
              + blue.loc[~blue["hc"], "kwh"].sum() * 0.1494
              + rows.loc[~known, "kwh"].sum() * 0.1952)
    subscription = 19.49 * 11 / 30 + 19.49 * 10 / 31
    assert tempo["days"] == 21 and tempo["scaled"] is True
    assert tempo["breakdown"]["subscription_eur"] == pytest.approx(subscription, abs=0.01)
    assert tempo["cost_eur"] == pytest.approx(energy + subscription, abs=0.02)
    assert tempo["annual_cost"] == pytest.approx((energy + subscription) * 365 / 21, abs=0.5)
    # 30 September .. 10 October but the Sundays 5 October (and the 28 September, RTE's: blue)
    assert tempo["unknown_colour_days"] == 10
    assert set(tempo["breakdown"]["energy"]) == {"blue_hc", "blue_hp", "unknown_colour"}
    assert tempo["days_at_assumed_prices"] == 0  # the prices are known, the colours are not


def test_summary_json_says_which_days_are_assumed(year_path, capsys, monkeypatch) -> None:
    """`selfdata summary --json` on the moved store: every regulated offer says the days
    priced at an assumed grid and the last day its prices are known."""
    monkeypatch.setenv(CONTRACTS_ENV, "")  # the default contract: EDF Base, 6 kVA
    assert main(["summary", "--store", str(year_path), "--person", PERSON, "--json",
                 "--start", "2025-12-01", "--end", "2026-11-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    offers = {p["key"]: p for p in out["energy_offers"]}
    for key in ("edf_base", "edf_hphc", "edf_tempo"):
        assert offers[key]["days_at_assumed_prices"] == 122, key
        assert offers[key]["prices_known_to"] == "2026-07-31", key
    assert offers["edf_zen_weekend"]["prices_known_to"] == "2025-07-31"
    assert offers["edf_zen_weekend"]["days_at_assumed_prices"] == 365


@pytest.mark.parametrize(("lang", "label", "value"), [
    ("fr", "EDF Tarif Bleu Base : jours comptés à des prix supposés",
     "122 jours (prix connus jusqu'au 2026-07-31"),
    ("en", "EDF Tarif Bleu Base: days priced at assumed prices",
     "122 days (prices known to 2026-07-31"),
])
def test_the_report_says_the_days_priced_at_assumed_prices(year_store, lang, label,
                                                           value) -> None:
    con = year_store
    d = o.decisions(con, make_scope(con, PERSON, dt.date(2025, 12, 1), dt.date(2026, 11, 30)),
                    Contract(offer="edf_base", subscribed_kva=6))
    rows = dict(report.decision_figures(d, lang))
    assert rows[label].startswith(value)


def test_days_before_the_first_grid_are_not_said_to_be_after_the_known_prices(
        world_store) -> None:
    """A generated persona's 2023: January-July 2023 precede the file's first grid (212 days
    at an assumed grid), which the report says as such, not as days after known prices."""
    truth = next(t for t in world_store.truths.values() if t["persona"]["year"] == 2023)
    with open_store(world_store.path, read_only=True) as s:
        d = o.decisions(s.con, make_scope(s.con, truth["person_id"]), Contract(offer="edf_base"))
    assert offer(d, "edf_base")["days_at_assumed_prices"] == 212
    rows = dict(report.decision_figures(d, "en"))
    assert rows["EDF Tarif Bleu Base: days priced at assumed prices"] == (
        "212 days (outside the dates of the file's grids)")
