"""The year in review figures: recovered on handmade rows with known answers (every source,
local days, the media table created here as helper tables are) and on the sample personas'
truth (what their generator wrote into their exports)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from selfdata_kit.analysis import spending
from selfdata_kit.analysis import year_review as yr
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA, SAMPLES

PERSON = "ana"
HOME, CINEMA, MUSEUM = (43.60, 3.87), (43.61, 3.88), (43.65, 3.90)

def _paris(day: str, hm: str = "12:00") -> str:
    return f"{day} {hm}:00 Europe/Paris"


def _days(first: str, n: int) -> list[str]:
    d0 = date.fromisoformat(first)
    return [(d0 + timedelta(days=i)).isoformat() for i in range(n)]


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    """2023 complete (a bank line in 2024 shows the data went past 31 December), every
    source, with known streaks, busiest day, tops and months."""
    con.execute("INSERT INTO persons (person_id, timezone) VALUES (?, 'Europe/Paris')",
                [PERSON])
    tx = [("2023-01-10", "1000.00", "VIR SALAIRE", "income")]
    tx += [(d, "-10.00", "CB MONOPRIX", "groceries") for d in _days("2023-03-01", 5)]
    tx += [(d, "-50.00", "CB FNAC", "shopping") for d in _days("2023-06-01", 2)]
    tx += [("2023-12-20", "-10.00", "CB MONOPRIX", "groceries"),
           ("2024-03-01", "-10.00", "CB MONOPRIX", "groceries")]
    con.executemany("INSERT INTO transactions (person_id, account_id, booked_on, amount, label,"
                    " category, uid, import_id) VALUES (?, 'A', ?, ?, ?, ?, ?, 1)",
                    [(PERSON, d, a, lab, c, f"t{i}") for i, (d, a, lab, c) in enumerate(tx)])
    con.executemany("INSERT INTO contacts (person_id, contact_id, pseudonym) VALUES (?, ?, ?)",
                    [(PERSON, "c1", "Contact 1"), (PERSON, "c2", "Contact 2")])
    calls = [("2022-12-31 23:30:00+00", "voice", "c2"),  # 1 January 2023, 00:30 in Paris
             ("2023-12-31 23:30:00+00", "voice", "c2")]  # 1 January 2024 in Paris
    calls += [(_paris(d), "voice", "c1") for d in [*_days("2023-07-10", 5), "2023-07-16"]]
    calls += [(_paris("2023-07-12", f"1{i}:00"), "sms", "c1") for i in range(6)]
    con.executemany("INSERT INTO calls (person_id, started_at, duration_s, direction, channel,"
                    " contact_id, uid, import_id) VALUES (?, ?, 60, 'out', ?, ?, ?, 1)",
                    [(PERSON, ts, ch, c, f"c{i}") for i, (ts, ch, c) in enumerate(calls)])
    visits = [(_paris(d, "20:00"), _paris(n, "08:00"), HOME, "Domicile")  # ten nights home
              for d, n in zip(_days("2023-10-01", 10), _days("2023-10-02", 10), strict=True)]
    visits += [(_paris(d, "18:00"), _paris(d, "20:00"), CINEMA, "Cinéma")
               for d in _days("2023-08-01", 3)]
    visits += [(_paris("2023-08-10", "14:00"), _paris("2023-08-10", "15:00"), MUSEUM, "Musée")]
    con.executemany("INSERT INTO places (person_id, start_at, end_at, lat, lon, kind, name,"
                    " uid, import_id) VALUES (?, ?, ?, ?, ?, 'visit', ?, ?, 1)",
                    [(PERSON, s, e, p[0], p[1], n, f"p{i}")
                     for i, (s, e, p, n) in enumerate(visits)])
    con.execute("INSERT INTO meters VALUES (?, 'm1', 'electricity', 'Enedis', 'kWh')", [PERSON])
    con.executemany("INSERT INTO energy (person_id, meter_id, start_at, end_at, kwh, uid,"
                    " import_id) VALUES (?, 'm1', ?, ?, ?, ?, 1)",
                    [(PERSON, _paris("2023-01-01", "00:00"), _paris("2023-01-02", "00:00"),
                      10.0, "e1"),
                     (PERSON, _paris("2023-02-01", "00:00"), _paris("2023-02-02", "00:00"),
                      5.0, "e2")])


def _add_media(con: duckdb.DuckDBPyConnection) -> None:
    """Rows in the store's own `media` table (migration 003_media.sql)."""
    rows = [(_paris(d), 200, "track", "Song", "Artist A") for d in _days("2023-09-01", 3)]
    rows += [(_paris("2023-09-10"), 1000, "track", "Long song", "Artist B"),
             (_paris("2023-09-20"), 3600, "episode", "Show X: Season 1: Pilot", None),
             (_paris("2023-09-21"), 3600, "episode", "Show X: Season 1: Two", None),
             (_paris("2023-09-22"), 1800, "podcast", "Episode 12", "Pod Y")]
    con.executemany("INSERT INTO media (person_id, service, kind, started_at, duration_s,"
                    " title, creator, uid, import_id) VALUES (?, 'test', ?, ?, ?, ?, ?, ?, 1)",
                    [(PERSON, k, ts, s, t, c, f"m{i}")
                     for i, (ts, s, k, t, c) in enumerate(rows)])


@pytest.fixture
def con(store) -> duckdb.DuckDBPyConnection:
    _fill(store.con)
    return store.con


def _year(con: duckdb.DuckDBPyConnection, **bounds: str):
    scope = make_scope(con, PERSON, bounds.get("start"), bounds.get("end"))
    return yr.year_scope(scope, yr.pick_year(con, scope))


def test_the_year_is_the_last_complete_one_else_the_latest(con) -> None:
    scope = make_scope(con, PERSON)
    years = yr.years(con, scope)
    assert list(years["year"]) == [2023, 2024] and list(years["complete"]) == [True, False]
    assert yr.pick_year(con, scope) == 2023  # 2024 is not over in the data
    assert yr.pick_year(con, scope, 2024) == 2024
    # within bounds that end mid-2023, no year is complete: the latest with data
    assert yr.pick_year(con, make_scope(con, PERSON, end="2023-06-30")) == 2023
    assert yr.pick_year(con, make_scope(con, PERSON, start="2024-01-01")) == 2024
    assert yr.pick_year(con, make_scope(con, PERSON, start="2030-01-01")) is None
    ys = _year(con)
    assert (ys.start, ys.end) == (date(2023, 1, 1), date(2023, 12, 31))


def test_every_day_of_the_year_on_local_days(con) -> None:
    days = yr.daily_activity(con, _year(con)).set_index("day")
    assert len(days) == 365 and days.index[0] == pd.Timestamp("2023-01-01")
    # a call at 23:30 UTC on 31 December is on 1 January in Paris: in the next year
    assert days.loc["2023-01-01", "calls"] == 1 and days.loc["2023-12-31", "events"] == 0
    assert days["payments"].sum() == 9 and days["spent"].sum() == pytest.approx(160.0)
    assert days["calls"].sum() == 7 and days["texts"].sum() == 6
    assert days["visits"].sum() == 14 and days["outings"].sum() == 4  # home is not out
    assert days.loc["2023-01-01", "kwh"] == 10.0 and pd.isna(days.loc["2023-01-03", "kwh"])
    # weeks start on Monday: 1 January 2023 is a Sunday, in week 0; Monday 2 starts week 1
    assert days.loc["2023-01-01", ["week", "weekday"]].tolist() == [0, 7]
    assert days.loc["2023-01-02", ["week", "weekday"]].tolist() == [1, 1]


def test_streaks_busiest_day_and_months(con) -> None:
    ys = _year(con)
    runs = yr.streaks(con, ys).set_index("streak")
    assert list(runs.index) == ["active", "calls", "outings", "spending", "no_spend"]
    assert runs.loc["active", "days"] == 10 and runs.loc["active", "first"] == pd.Timestamp(
        "2023-10-01")
    assert runs.loc["calls", "days"] == 5 and runs.loc["outings", "days"] == 3
    assert runs.loc["spending", "days"] == 5
    # no spending counted between the first (10 Jan) and last (20 Dec) bank lines only
    assert runs.loc["no_spend", ["days", "first", "last"]].tolist() == [
        200, pd.Timestamp("2023-06-03"), pd.Timestamp("2023-12-19")]
    busiest = yr.busiest_day(con, ys)
    assert busiest["day"].iloc[0] == pd.Timestamp("2023-07-12")
    assert busiest["events"].iloc[0] == 7
    assert dict(zip(busiest["source"], busiest["count"], strict=True)) == {
        "payments": 0, "calls": 1, "texts": 6, "visits": 0}
    assert busiest.set_index("source").loc["texts", "average"] == pytest.approx(6 / 365)
    months = yr.months(con, ys).set_index("month")
    assert len(months) == 12 and months.loc[3, "spent"] == pytest.approx(50.0)
    assert months.loc[7, ["calls", "texts"]].tolist() == [6, 6]
    assert months.loc[1, "kwh"] == 10.0 and pd.isna(months.loc[4, "kwh"])
    assert months.loc[10, "active_days"] == 10 and months.loc[12, "payments"] == 1


def test_the_tops(con) -> None:
    ys = _year(con)
    merchants = yr.top_merchants(con, ys)
    assert merchants[["merchant", "amount", "payments"]].values.tolist() == [
        ["FNAC", 100.0, 2], ["MONOPRIX", 60.0, 6]]
    contacts = yr.top_contacts(con, ys)
    assert list(contacts["contact"]) == ["Contact 1", "Contact 2"]
    assert list(contacts["interactions"]) == [12, 1]
    places = yr.top_places(con, ys)
    assert list(places["place"]) == ["Cinéma", "Musée"]  # home left out
    assert list(places["visits"]) == [3, 1] and places["hours"].iloc[0] == 6.0
    assert 1 < places["from_home_km"].iloc[0] < 2
    sources = yr.sources(con, ys)
    assert list(sources["source"]) == ["bank", "calls", "energy", "places"]
    assert list(sources["rows"]) == [9, 13, 2, 14]


def test_without_a_media_table_nothing_fails_and_nothing_is_invented(con) -> None:
    ys = _year(con)
    assert not yr.has_media(con)
    assert yr.top_artists(con, ys).empty and yr.top_series(con, ys).empty
    assert "media" not in set(yr.streaks(con, ys)["streak"])


def test_artists_series_and_media_join_every_figure_when_the_table_exists(con) -> None:
    _add_media(con)
    ys = _year(con)
    artists = yr.top_artists(con, ys)
    assert artists[["artist", "plays"]].values.tolist() == [["Artist B", 1], ["Artist A", 3]]
    assert artists["minutes"].tolist() == pytest.approx([1000 / 60, 10.0])
    series = yr.top_series(con, ys)  # an episode's show: the title before ": "
    assert series[["series", "plays", "minutes"]].values.tolist() == [
        ["Show X", 2, 120.0], ["Pod Y", 1, 30.0]]
    runs = yr.streaks(con, ys).set_index("streak")
    assert runs.loc["media", "days"] == 3
    days = yr.daily_activity(con, ys).set_index("day")
    assert days["plays"].sum() == 7 and days.loc["2023-09-01", "events"] == 1
    months = yr.months(con, ys).set_index("month")
    assert months.loc[9, "media_minutes"] == pytest.approx((600 + 1000 + 9000) / 60)
    assert "media" in set(yr.sources(con, ys)["source"])


def test_figures_follow_a_new_import(con) -> None:
    """The day table is built once per scope and store state: new rows are counted."""
    ys = _year(con)
    assert yr.daily_activity(con, ys)["payments"].sum() == 9
    con.execute("INSERT INTO transactions (person_id, account_id, booked_on, amount, label,"
                " uid, import_id) VALUES (?, 'A', '2023-05-05', -5, 'CB LIDL', 'new', 2)",
                [PERSON])
    con.execute("INSERT INTO imports (import_id, person_id, source, path, sha256, size_bytes,"
                " started_at, finished_at, status, rows_read, rows_inserted, rows_duplicate,"
                " rows_rejected) VALUES (2, ?, 'x', 'x', 'x', 0, now(), now(), 'imported',"
                " 1, 1, 0, 0)", [PERSON])
    assert yr.daily_activity(con, ys)["payments"].sum() == 10


# --- the sample personas: what their generator wrote -------------------------------------

def _truth(person: str) -> dict:
    return json.loads((SAMPLE_DATA / person / "truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("person", SAMPLES)
def test_the_sample_personas_year_matches_their_truth(sample_store: Path, person: str) -> None:
    truth = _truth(person)
    with open_store(sample_store, read_only=True) as s:
        scope = make_scope(s.con, person)
        assert yr.pick_year(s.con, scope) == 2024  # the samples hold 2024, whole
        ys = yr.year_scope(scope, 2024)
        days = yr.daily_activity(s.con, ys)
        contacts = yr.top_contacts(s.con, ys)
        busiest = yr.busiest_day(s.con, ys)
        merchants = yr.top_merchants(s.con, ys)
        # the same ranking as the spending report's, read from the year's own bank lines
        pd.testing.assert_frame_equal(merchants, spending.top_merchants(s.con, ys).head(5))
    assert len(days) == 366  # a leap year
    assert days["payments"].sum() == truth["transactions_count"]
    # texts: SMS and chat messages (WhatsApp rows of `calls`, channel 'chat')
    assert days["calls"].sum() + days["texts"].sum() == (
        truth["calls_count"] + truth["sms_count"] + truth["chats"]["messages"])
    assert days["visits"].sum() == truth["places_visits"]
    # energy: every commodity in kWh (gas homes too)
    assert days["kwh"].sum() == pytest.approx(sum(map(float, truth["energy_kwh"].values())),
                                              rel=1e-6)
    assert list(contacts["interactions"]) == [c["total"] for c in truth["top_contacts"][:5]]
    top = days.sort_values(["events", "day"], ascending=[False, True]).iloc[0]
    assert busiest["day"].iloc[0] == top["day"] and busiest["events"].iloc[0] == top["events"]


def test_a_person_without_data_has_no_year(sample_store: Path) -> None:
    with open_store(sample_store, read_only=True) as s:
        assert yr.pick_year(s.con, make_scope(s.con, "nobody")) is None


def test_local_days_follow_the_persons_time_zone(con) -> None:
    """The same instant is on another day for a person in New York."""
    con.execute("UPDATE persons SET timezone = 'America/New_York' WHERE person_id = ?",
                [PERSON])
    days = yr.daily_activity(con, _year(con)).set_index("day")
    # 23:30 UTC on 31 December 2023 is 18:30 that day in New York
    assert days.loc["2023-12-31", "calls"] == 1
    assert days.loc["2023-01-01", "calls"] == 0  # and the first call was in 2022 there
