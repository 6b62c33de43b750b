"""The calls report recovers what the synthetic personas' phone logs contain (truth.json, and
the simulation itself for talk time and night share), on the 3 sample personas and the 6 fresh
ones of the shared cohort; edge cases; and screen-safe mode hides the names kept from the export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import papermill
import pytest

from selfdata_kit.analysis import calls as a
from selfdata_kit.analysis.calls import figures
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.enrich.contacts import contact_key
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports.calls import TOPIC
from selfdata_kit.sources.base import ParseContext
from selfdata_kit.store import Store, open_store
from selfdata_kit.synth.persona import make_persona
from selfdata_kit.synth.simulate import simulate
from tests.conftest import COHORT_SIZE, NOTEBOOKS, SAMPLE_DATA, SAMPLES, World, copy_store

KEPT = SAMPLES[0]  # imported with keep_names=True: its contacts have labels
TYPES = {"1": "in", "2": "out", "3": "missed", "5": "rejected"}  # Android call types
COHORT = COHORT_SIZE


@pytest.fixture(scope="module")
def world(world_store: World, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The shared store with the sample personas, "nobody" and the 6 fresh ones (2023), in
    a copy where KEPT is imported again with keep_names=True; closed after import so that
    notebooks can open it; plus each persona's truth."""
    path = copy_store(world_store.path, tmp_path_factory.mktemp("calls") / "calls.duckdb")
    with open_store(path) as store:
        store.forget(KEPT)
        import_paths(store, [SAMPLE_DATA / KEPT], KEPT, keep_names=True)
        key = store.hmac_key
    return {"path": path, "truths": world_store.truths, "hmac_key": key}


@pytest.fixture(scope="module")
def con(world: dict) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(world["path"]), read_only=True)
    yield c
    c.close()


def _person_ids(world: dict) -> list[str]:
    """The cohort's persons, then the samples (the order of the `persona` ids below)."""
    return sorted(world["truths"], key=lambda p: (p in SAMPLES, p))


def test_the_cohort_has_the_persons_the_tests_expect(world: dict) -> None:
    ids = _person_ids(world)
    assert len(ids) == len(SAMPLES) + COHORT and set(SAMPLES) <= set(ids)


def _sim(truth: dict):
    p = truth["persona"]
    return simulate(make_persona(p["seed"], p["index"], p["year"]))


@pytest.fixture(scope="module", params=range(len(SAMPLES) + COHORT),
                ids=[f"cohort{i}" for i in range(COHORT)] + SAMPLES)
def persona(request: pytest.FixtureRequest, world: dict, con) -> dict:
    person = _person_ids(world)[request.param]
    truth = world["truths"][person]
    year = truth["persona"]["year"]
    return {"person": person, "truth": truth, "sim": _sim(truth),
            "scope": make_scope(con, person),
            "year_scope": make_scope(con, person, date(year, 1, 1), date(year, 12, 31))}


def test_counts_and_directions_equal_truth(con, persona: dict) -> None:
    truth, scope = persona["truth"], persona["scope"]
    dirs = a.directions(con, scope)
    voice = dict(zip(dirs.loc[dirs.channel == "voice", "direction"],
                     dirs.loc[dirs.channel == "voice", "count"], strict=True))
    assert voice == {TYPES[k]: v for k, v in truth["calls_by_type"].items()}
    s = figures(con, scope)
    assert (s["calls_count"], s["sms_count"]) == (truth["calls_count"], truth["sms_count"])
    assert sum(s["sms_by_direction"].values()) == truth["sms_count"]
    weekly = a.weekly_volume(con, scope).groupby("channel")["count"].sum()
    assert (weekly["voice"], weekly["sms"]) == (truth["calls_count"], truth["sms_count"])
    weeks = pd.to_datetime(a.weekly_volume(con, scope)["week"]).drop_duplicates()
    assert (weeks.dt.day_of_week == 0).all()  # weeks start on Monday
    assert weeks.diff().dropna().eq(pd.Timedelta(days=7)).all()  # no missing week


def test_hour_weekday_heatmap_sums_to_the_totals(con, persona: dict) -> None:
    heat = a.hour_weekday(con, persona["scope"])
    assert len(heat) == 7 * 24
    assert heat["count"].sum() == persona["truth"]["calls_count"] + persona["truth"]["sms_count"]
    # and it is on the local clock: the same counts as the simulation's local times
    sim = persona["sim"]
    local = pd.DatetimeIndex(np.concatenate([sim.calls.at_ms, sim.sms.at_ms]) * 10**6,
                             tz="UTC").tz_convert("Europe/Paris")
    expected = pd.Series(1, index=pd.MultiIndex.from_arrays(
        [local.day_of_week + 1, local.hour])).groupby(level=[0, 1]).sum()
    got = heat.set_index(["weekday", "hour"])["count"]
    assert got[got > 0].to_dict() == expected.to_dict()


def _truth_pseudonyms(con, world: dict, person: str) -> list[str]:
    ctx = ParseContext(person, hmac_key=world["hmac_key"])
    names = dict(con.execute("SELECT contact_id, pseudonym FROM contacts WHERE person_id = ?",
                             [person]).fetchall())
    return [names[contact_key(c["number"], ctx)[0]]
            for c in world["truths"][person]["top_contacts"]]


def test_top_contacts_in_truth_order(con, world: dict, persona: dict) -> None:
    """Truth breaks ties by number, the report by pseudonym number: ranks are compared where
    the total differs from its neighbours; tied ranks must hold the same contacts."""
    truth = persona["truth"]["top_contacts"]
    expected = _truth_pseudonyms(con, world, persona["person"])
    top = a.top_contacts(con, persona["scope"], n=len(truth))
    assert list(top["interactions"]) == [c["total"] for c in truth]
    by_pseudonym = dict(zip(expected, truth, strict=True))
    totals = [c["total"] for c in truth]
    for i, row in top.iterrows():
        if totals.count(totals[i]) == 1:
            assert row["pseudonym"] == expected[i]
        if row["pseudonym"] in by_pseudonym:
            c = by_pseudonym[row["pseudonym"]]
            assert (row["calls"], row["sms"]) == (c["calls"], c["sms"])
    distinct_top5 = [i for i in range(5) if totals.count(totals[i]) == 1]
    assert len(distinct_top5) >= 3  # the check above really compared most of the top 5
    assert figures(con, persona["scope"])["top_contacts"][:5] == list(top["pseudonym"][:5])
    for total in set(totals):  # within a tie: lower pseudonym number first
        numbers = [int(p.split()[-1]) for p in top.loc[top.interactions == total, "pseudonym"]]
        assert numbers == sorted(numbers)


def _local(at_ms: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(at_ms * 10**6, tz="UTC").tz_convert("Europe/Paris")


def _in_year(at_ms: np.ndarray, year: int) -> int:
    return int((_local(at_ms).year == year).sum())


def test_talk_time_durations_and_night_share_match_the_simulation(con, persona: dict) -> None:
    sim, scope = persona["sim"], persona["scope"]
    answered = sim.calls.duration[np.isin(sim.calls.kind, [1, 2])]
    s = figures(con, scope)
    assert s["talk_minutes"] == pytest.approx(answered.sum() / 60, abs=1e-9)
    year = sim.persona.year
    weeks = ((date(year, 12, 31) - date(year, 1, 1)).days + 1) / 7
    # a night owl's last messages of 31 December fall on 1 January, outside the year
    in_year = figures(con, persona["year_scope"])
    assert in_year["calls_per_week"] == pytest.approx(_in_year(sim.calls.at_ms, year) / weeks)
    assert in_year["sms_per_week"] == pytest.approx(_in_year(sim.sms.at_ms, year) / weeks)
    bins = a.durations(con, scope)
    assert bins["calls"].sum() == len(answered)
    assert bins["median_minutes"].iloc[0] == pytest.approx(np.median(answered) / 60)
    hours = _local(np.concatenate([sim.calls.at_ms, sim.sms.at_ms])).hour
    night = ((hours >= 22) | (hours < 6)).mean()
    assert s["night_share"] == pytest.approx(night, abs=1e-12)
    assert 0 <= s["night_share"] <= 1


def test_night_owls_have_more_night_activity(con, world: dict) -> None:
    shares = {p: figures(con, make_scope(con, p))["night_share"] for p in _person_ids(world)}
    owls = [p for p in shares if "night_owl" in world["truths"][p]["persona"]["habits"]]
    others = [p for p in shares if p not in owls]
    assert owls and others
    assert min(shares[p] for p in owls) > max(shares[p] for p in others)


def test_a_period_filters_on_local_days(con, persona: dict) -> None:
    sim, year = persona["sim"], persona["sim"].persona.year
    scope = make_scope(con, persona["person"], f"{year}-03-01", f"{year}-03-31")
    local = pd.DatetimeIndex(sim.calls.at_ms * 10**6, tz="UTC").tz_convert("Europe/Paris")
    in_march = int(((local.month == 3) & (local.year == year)).sum())
    assert figures(con, scope)["calls_count"] == in_march
    assert a.hour_weekday(con, scope).query("count > 0")["count"].sum() > 0
    months = a.night_activity(con, scope)["month"]
    assert list(pd.to_datetime(months)) == [pd.Timestamp(year, 3, 1)]


@pytest.mark.parametrize("period", [("2031-01-01", "2031-12-31"), (None, None)])
def test_no_data_gives_empty_frames_not_errors(con, period) -> None:
    person = "nobody" if period == (None, None) else SAMPLES[0]
    scope = make_scope(con, person, *period)
    for name, section in TOPIC.sections.items():
        assert section.analysis(con, scope).empty, name
    s = figures(con, scope)
    assert s["calls_count"] == 0 and s["top_contacts"] == [] and s["night_share"] == 0.0
    json.dumps(s)


def test_summary_is_plain_json(con) -> None:
    s = figures(con, make_scope(con, SAMPLES[1]))
    assert json.loads(json.dumps(s)) == s
    assert len(s["top_contacts"]) >= 5 and isinstance(s["night_share"], float)


def test_thresholds_can_be_overridden(con, tmp_path: Path) -> None:
    own = tmp_path / "mine.toml"
    own.write_text("[night]\nstart_hour = 0\nend_hour = 24\n"
                   "[durations]\nedges_minutes = [2]\n", encoding="utf-8")
    th = a.load_thresholds(own)
    scope = make_scope(con, SAMPLES[0])
    assert a.night_activity(con, scope, th)["night_share"].eq(1.0).all()
    assert list(a.durations(con, scope, th)["lo_minutes"]) == [0, 2]
    assert a.load_thresholds()["night"]["start_hour"] == 22


def test_ties_go_to_the_lower_pseudonym_number_and_local_time_is_used(store: Store) -> None:
    store.ensure_person("tie")
    store.run("INSERT INTO contacts VALUES ('tie', 'a', 'Contact 11', NULL, 'Maman'),"
              " ('tie', 'b', 'Contact 2', NULL, 'Maman'), ('tie', 'c', 'Contact 3', NULL, NULL)")
    rows = [("2024-07-01 20:30:00+00", 60, "in", "voice", "a"),   # 22:30 Monday, summer time
            ("2024-01-08 20:30:00+00", 0, "missed", "voice", "b"),  # 21:30 Monday, winter
            ("2024-01-09 10:00:00+00", None, "out", "sms", "c")]
    for i, (at, secs, direction, channel, contact) in enumerate(rows):
        store.run("INSERT INTO calls VALUES ('tie', ?, ?, ?, ?, ?, ?, 0)",
                  [at, secs, direction, channel, contact, f"u{i}"])
    scope = Scope("tie")
    top = a.top_contacts(store.con, scope)
    assert list(top["pseudonym"]) == ["Contact 2", "Contact 3", "Contact 11"]
    # two numbers saved under one name stay apart
    assert list(top["contact"]) == ["Maman (Contact 2)", "Contact 3", "Maman (Contact 11)"]
    heat = a.hour_weekday(store.con, scope).set_index(["weekday", "hour"])["count"]
    assert heat[(1, 22)] == 1 and heat[(1, 21)] == 1 and heat[(2, 11)] == 1
    assert figures(store.con, scope)["night_share"] == pytest.approx(1 / 3)
    assert figures(store.con, scope)["talk_minutes"] == 1.0


def _run_notebook(world: dict, tmp_path: Path, screen_safe: bool) -> str:
    out = tmp_path / f"calls-{screen_safe}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "calls.ipynb"), str(out), cwd=str(NOTEBOOKS),
        parameters={"store": str(world["path"]), "person": KEPT, "lang": "fr",
                    "screen_safe": screen_safe}, progress_bar=False, kernel_name="python3")
    nb = json.loads(out.read_text(encoding="utf-8"))
    texts = ["".join(v) if isinstance(v, list) else str(v)
             for c in nb["cells"] for o in c.get("outputs", [])
             for v in [*o.get("data", {}).values(), o.get("text", "")]]
    return "\n".join(x for x in texts if len(x) < 500_000)  # not the Vega library itself


@pytest.mark.slow
def test_screen_safe_notebook_shows_no_kept_name(con, world: dict, tmp_path: Path) -> None:
    labels = [r[0] for r in con.execute("SELECT DISTINCT label FROM contacts WHERE"
                                        " person_id = ? AND label IS NOT NULL", [KEPT]).fetchall()]
    assert len(labels) >= 5
    shown = _run_notebook(world, tmp_path, screen_safe=False)
    top = list(a.top_contacts(con, make_scope(con, KEPT))["contact"])
    assert set(top) <= set(labels)
    assert all(_appears(label, shown) for label in top)  # so the check below can fail
    safe = _run_notebook(world, tmp_path, screen_safe=True)
    assert [label for label in labels if _appears(label, safe)] == []
    assert _appears("Masqué 1", safe)


def _appears(text: str, outputs: str) -> bool:
    """As written, or as JSON writes it inside a chart spec ("Th\\u00e9o")."""
    return text in outputs or json.dumps(text)[1:-1] in outputs
