"""`energy.group_day_parts`, the one pass over the readings every energy figure reads, holds
the same energy as READINGS (the charts' selection) day by day, the same night powers, and
splits each person's kWh by their own off-peak slots, for several persons at once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.analysis import energy as e
from selfdata_kit.analysis.scope import Group, make_scope
from selfdata_kit.store import open_store
from tests.conftest import World, copy_store

PERSONS = ("p0001-student", "p0003-family-gas")
pytestmark = pytest.mark.slow  # a private copy of the world store to write into


@pytest.fixture(scope="module")
def mixed_store(world_store: World, tmp_path_factory) -> str:
    return str(mixed_copy(world_store.path, tmp_path_factory.mktemp("parts") / "mixed.duckdb"))


def mixed_copy(world: Path, target: Path) -> Path:
    """Two personas of the world store; the student's electricity meter also holds daily
    totals (10 days before its load curve and 20 days into it) and a 60-day billing period
    across the curve's start: the load curve wins where it exists."""
    path = copy_store(world, target, keep=[*PERSONS, "nobody"])
    with open_store(path) as s:
        meter, import_id = s.con.execute(
            "SELECT meter_id, min(import_id) FROM energy JOIN meters USING (person_id, meter_id)"
            " WHERE person_id = 'p0001-student' AND commodity = 'electricity'"
            " GROUP BY ALL").fetchone()
        s.con.execute("""
            INSERT INTO energy (person_id, meter_id, start_at, end_at, kwh, uid, import_id)
            WITH first AS (SELECT min(start_at) AS t FROM energy
                           WHERE person_id = 'p0001-student' AND meter_id = $meter)
            SELECT 'p0001-student', $meter, t + (i - 10) * INTERVAL 1 DAY,
                   t + (i - 9) * INTERVAL 1 DAY, 7.5, 'parts-day-' || i, $import_id
            FROM first, range(30) r(i)
            UNION ALL
            SELECT 'p0001-student', $meter, t - INTERVAL 40 DAY, t + INTERVAL 20 DAY, 120.0,
                   'parts-period', $import_id FROM first""",
            {"meter": meter, "import_id": import_id})
    return path


@pytest.mark.parametrize("period", [(None, None), ("2023-12-15", "2024-03-31")],
                         ids=["all", "period"])
def test_day_parts_hold_the_readings_energy_day_by_day(mixed_store, period) -> None:
    start, end = (pd.Timestamp(d).date() if d else None for d in period)
    with open_store(mixed_store, read_only=True) as s:
        con = s.con
        with e.group_day_parts(con, Group(None, start, end)) as parts:
            days = con.execute(f"""SELECT person_id, day, commodity, sum(kwh) AS kwh
                                   FROM {parts} GROUP BY ALL""").df()
            floors = e._group_standby(con, Group(None, start, end), parts)
        compared = 0
        for person in PERSONS:
            scope = make_scope(con, person, start, end)
            charts = e.daily_kwh(con, scope)
            mine = days[days["person_id"] == person].sort_values(["day", "commodity"])
            assert len(mine) == len(charts), person
            compared += len(charts)
            assert list(pd.to_datetime(mine["day"])) == list(pd.to_datetime(charts["day"]))
            assert mine["kwh"].to_numpy() == pytest.approx(charts["kwh"].to_numpy())
            night = e.standby_watts(con, scope).groupby("meter_id")["standby_w"].first()
            got = floors[floors["person_id"] == person].set_index("meter_id")["standby_w"]
            assert got.to_dict() == pytest.approx(night.to_dict()), person
        assert compared > 0


def test_each_person_gets_their_own_off_peak_slots(mixed_store) -> None:
    slots = {"p0001-student": ((22 * 60, 6 * 60),),
             "p0003-family-gas": ((1 * 60, 7 * 60), (12 * 60 + 30, 14 * 60 + 30))}
    with open_store(mixed_store, read_only=True) as s:
        con = s.con
        with e.group_day_parts(con, Group(), slots) as parts:
            got = con.execute(f"""SELECT person_id, sum(kwh_offpeak) AS hc FROM {parts}
                                  WHERE commodity = 'electricity' AND grain = {e.LOAD_CURVE}
                                  GROUP BY ALL""").df().set_index("person_id")["hc"]
        for person, own in slots.items():
            scope = make_scope(con, person)
            want = con.execute(f"""WITH {e.READINGS}
                SELECT sum(kwh) FROM readings WHERE commodity = 'electricity'
                  AND grain = {e.LOAD_CURVE}
                  AND {e.in_slots('hour * 60 + minute(local_at)', own)}""",
                               scope.params).fetchone()[0]
            assert got[person] == pytest.approx(want) and want > 0, person
        assert "nobody" not in got.index
