"""The energy, calls and media figures of every person at once (`cohort_figures`, one SQL pass
per metric) equal each person's own figures (`figures()`, the same SQL over one person), for
every persona of the generated cohort, the samples and a person without any data, over all
their data and over a period."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from selfdata_kit.analysis import calls, energy, media
from selfdata_kit.analysis.cohort import _flatten
from selfdata_kit.analysis.figures import COHORT_FIGURES, FIGURES
from selfdata_kit.analysis.scope import Group, make_scope
from selfdata_kit.store import open_store
from tests.analysis.test_energy_day_parts import mixed_copy

TOPICS = ("energy", "calls", "media")
PERIODS = [(None, None), ("2023-03-05", "2023-06-20")]


def _from_lists(topic: str, figures: dict, con, scope) -> dict[str, float | None]:
    """The cohort columns that stand for a list of `figures()`, computed from that list (a
    count, a share, a cost: never a name or a pseudonym)."""
    if topic == "calls":
        top = calls.top_contacts(con, scope, 1)
        phone = figures["calls_count"] + figures["sms_count"]
        return {"top_contacts.count": float(len(figures["top_contacts"])),
                "top_contacts.top_share": (int(top["interactions"][0]) / phone
                                           if len(top) else None)}
    if topic == "media":
        return {"services.count": float(len(figures["services"]))}
    offers = figures["energy_offers"]
    out = {f"energy_offers.{p['key']}.annual_cost": p["annual_cost"] for p in offers}
    current = next((p["annual_cost"] for p in offers if p["current"]), None)
    cheapest = next((p["annual_cost"] for p in offers if p["cheapest"]), None)
    out.update({"energy_offers.current_annual_cost": current,
                "energy_offers.cheapest_annual_cost": cheapest,
                "energy_offers.saving_per_year": None if None in (current, cheapest)
                else current - cheapest})
    return out


@pytest.fixture(scope="module")
def con(world_store):
    with open_store(world_store.path, read_only=True) as s:
        yield s.con


def _same(a: object, b: object) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


@pytest.mark.slow
@pytest.mark.parametrize("period", PERIODS, ids=["all", "period"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_figure_of_every_person_equals_their_own(con, world_store, topic, period) -> None:
    start, end = period
    frame = COHORT_FIGURES[topic](con, Group(None, *(
        pd.Timestamp(d).date() if d else None for d in period))).set_index("person_id")
    persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    assert sorted(frame.index) == persons and "nobody" in persons
    assert {*world_store.truths} <= set(persons)
    for person in persons:
        flat: dict[str, float | None] = {}
        scope = make_scope(con, person, start, end)
        figures = FIGURES[topic](con, scope)
        _flatten(topic, figures, flat)
        mine = {k.removeprefix(f"{topic}."): v for k, v in flat.items()}
        assert set(mine) <= set(frame.columns), (person, set(mine) - set(frame.columns))
        mine.update(_from_lists(topic, figures, con, scope))
        row = frame.loc[person]
        for column in frame.columns:
            assert _same(mine.get(column), None if pd.isna(row[column]) else float(
                row[column])), (person, column, mine.get(column), row[column])


def test_a_person_without_data_gets_a_row(world_store) -> None:
    with open_store(world_store.path, read_only=True) as s:
        group = Group(("nobody", "p0001-student"))
        for module in (calls, energy, media):
            frame = module.cohort_figures(s.con, group).set_index("person_id")
            assert list(frame.index) == ["nobody", "p0001-student"]
        e = energy.cohort_figures(s.con, group).set_index("person_id")
        assert pd.isna(e.loc["nobody", "annual_kwh.electricity"])
        assert e.loc["p0001-student", "annual_kwh.electricity"] > 0
        c = calls.cohort_figures(s.con, group).set_index("person_id")
        assert c.loc["nobody", "calls_per_week"] == 0.0 and c.loc["nobody",
                                                                   "top_contacts.count"] == 0


def test_list_figures_become_numbers_not_names(world_store) -> None:
    with open_store(world_store.path, read_only=True) as s:
        scope = make_scope(s.con, "p0001-student")
        f = calls.figures(s.con, scope)
        row = calls.cohort_figures(s.con, Group.of(scope)).iloc[0]
        assert row["top_contacts.count"] == len(f["top_contacts"])
        top = calls.top_contacts(s.con, scope, 1)
        assert row["top_contacts.top_share"] == pytest.approx(
            top["calls"][0] / (f["calls_count"] + f["sms_count"]) + top["sms"][0] / (
                f["calls_count"] + f["sms_count"]))
        m = media.cohort_figures(s.con, Group.of(scope)).iloc[0]
        assert m["services.count"] == len(media.figures(s.con, scope)["services"])
        assert all(c == "person_id" or not isinstance(v, str)
                   for frame in (row, m) for c, v in frame.items())


def test_a_meter_with_two_series_reads_the_same_rows_for_the_person_and_the_cohort(
        world_store, tmp_path) -> None:
    """A meter holding a load curve AND daily totals (and a billing period) takes the finest
    series each day: the cohort's readings (the other path, for such meters) give the same
    figures as the person's, and the same kWh per day as the charts' READINGS."""
    path = mixed_copy(world_store.path, tmp_path / "mixed.duckdb")
    with open_store(path, read_only=True) as s:
        con = s.con
        frame = COHORT_FIGURES["energy"](con, Group()).set_index("person_id")
        for person in ("p0001-student", "p0003-family-gas"):
            scope = make_scope(con, person)
            flat: dict[str, float | None] = {}
            _flatten("energy", FIGURES["energy"](con, scope), flat)
            for key, value in flat.items():
                assert _same(value, float(frame.loc[person, key.removeprefix("energy.")])), key
        scope = make_scope(con, "p0001-student")
        charts = energy.daily_kwh(con, scope)
        with energy.group_readings(con, Group.of(scope)) as readings:
            cohort = con.execute(f"""WITH {readings} SELECT day, commodity, sum(kwh) AS kwh
                                     FROM readings GROUP BY ALL ORDER BY day, commodity""").df()
        assert len(cohort) == len(charts) > 365
        assert cohort["kwh"].to_numpy() == pytest.approx(charts["kwh"].to_numpy())
        first = charts[charts["commodity"] == "electricity"].iloc[0]
        assert first["kwh"] == pytest.approx(120.0 / 60, abs=1e-9)  # the period, spread
