"""Fun facts: the cursors point the way the personas' habits say (truth.json `persona`, as
`selfdata_kit.synth` encodes them: wake-up and call hours, savings transfer and a smaller
budget, no butcher for vegetarians, no job for the retirees, extra trips for travellers), the
cohort calibration ranks, the defaults take over below k persons, badges go to the right
people, and missing sources give reasons, not crashes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import papermill
import pytest

from selfdata_kit.analysis import fun_facts as ff
from selfdata_kit.analysis.fun_facts import figures
from selfdata_kit.analysis.fun_facts.month import month_in_numbers
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.store import open_store
from tests.conftest import NOTEBOOKS, ROOT, SAMPLE_DATA, copy_store

SAMPLES = SAMPLE_DATA
STUDENT, RETIREES, FAMILY = "p0001-student", "p0002-retiree-electric", "p0003-family-gas"


def truth(person: str, folder: Path = SAMPLES) -> dict:
    return json.loads((folder / person / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def samples(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared sample store ("nobody" included), in a copy where the student's bank
    files are imported again as "bank-only", a person with nothing else."""
    path = copy_store(sample_store, tmp_path_factory.mktemp("ff") / "samples.duckdb")
    with open_store(path) as store:
        import_paths(store, [SAMPLES / STUDENT / "bank"], "bank-only")
    return path


@pytest.fixture(scope="module")
def con(samples: Path) -> duckdb.DuckDBPyConnection:
    c = open_store(samples, read_only=True).con
    yield c
    c.close()


def _store_of(folder: Path, persons: list[str], path: Path) -> duckdb.DuckDBPyConnection:
    with open_store(path) as store:
        for person in persons:
            import_paths(store, [folder / person], person)
    return open_store(path, read_only=True).con


def positions(con: duckdb.DuckDBPyConnection, person: str, **kw: object) -> dict:
    frame = ff.cursors(con, make_scope(con, person), **kw)
    return dict(zip(frame["cursor"], frame["position"], strict=True))


@pytest.mark.slow
def test_sample_personas_sit_where_their_habits_say(con) -> None:
    assert "night_owl" in truth(STUDENT)["persona"]["habits"]
    assert "early_bird" in truth(RETIREES)["persona"]["habits"]
    s, r, f = (positions(con, p) for p in (STUDENT, RETIREES, FAMILY))
    assert s["early_bird_night_owl"] > 0.5 > r["early_bird_night_owl"]
    assert s["early_bird_night_owl"] > f["early_bird_night_owl"] > r["early_bird_night_owl"]
    for p, pos in ((STUDENT, s), (RETIREES, r), (FAMILY, f)):
        habits = truth(p)["persona"]["habits"]
        if "vegetarian" in habits:
            assert pos["vegetarian_carnivore"] < 0.5
        if "saver" in habits:
            assert pos["saver_spender"] < 0.5 < s["saver_spender"]
    # homebodies: the retirees have no job to go to, stay home most and move least
    assert r["homebody_globetrotter"] < 0.5
    assert r["homebody_globetrotter"] < min(s["homebody_globetrotter"],
                                            f["homebody_globetrotter"])
    # the student texts the most (4 sms a day in the generator), the retirees the least
    assert s["quiet_chatterbox"] > f["quiet_chatterbox"] > r["quiet_chatterbox"]


def test_fewer_than_k_persons_use_the_defaults(con) -> None:
    frame = ff.cursors(con, make_scope(con, STUDENT))
    assert set(frame["calibration"]) == {"defaults"}
    assert frame["position"].between(0, 1).all()


def test_savings_figures_match_the_truth(con) -> None:
    frame = ff.cursors(con, make_scope(con, RETIREES)).set_index("cursor")
    figures = frame.loc["saver_spender", "figures"]
    assert figures["to_savings"] == pytest.approx(
        12 * float(truth(RETIREES)["persona"]["savings_per_month"]))
    assert figures["savings_rate"] > 0.1


@pytest.mark.slow
def test_badges_are_earned_by_who_should(con) -> None:
    def earned(person: str) -> set[str]:
        frame = ff.badges(con, make_scope(con, person))
        return set(frame.loc[frame["earned"], "badge"])

    assert {"night_owl"} <= earned(STUDENT) and "early_riser" not in earned(STUDENT)
    assert {"early_riser", "ant", "regular"} <= earned(RETIREES)
    assert "night_owl" not in earned(RETIREES)
    assert "ant" in earned(FAMILY) and "ant" not in earned(STUDENT)
    for person in (STUDENT, RETIREES, FAMILY):
        frame = ff.badges(con, make_scope(con, person)).set_index("badge")
        watts = truth(person)["standby_watts"]
        assert frame.loc["zero_standby_hero", "figure"] == pytest.approx(watts, abs=1)
        assert frame.loc["zero_standby_hero", "earned"] == (watts <= 50)
        assert frame.loc["explorer", "figure"] == len(truth(person)["persona"]["holidays"])
    rows = ff.badge_rows(con, make_scope(con, RETIREES), "regular")
    assert rows["payments"].iloc[0] >= 20 and "BOULANGERIE" in rows["merchant"].iloc[0]


def test_month_in_numbers_is_the_last_full_month_and_adds_up(con) -> None:
    scope = make_scope(con, STUDENT)
    frame = month_in_numbers(con, scope).set_index("figure")
    assert set(frame["month"]) == {"2024-12"}
    spent = truth(STUDENT)["monthly_spend_by_category"]["2024-12"]
    assert Decimal(str(round(frame.loc["money_spent", "value"], 2))) == sum(
        Decimal(v) for v in spent.values())
    assert frame.loc["top_category", "category"] == max(spent, key=lambda k: Decimal(spent[k]))
    calls = con.execute("SELECT count(*) FROM calls WHERE person_id = ? AND channel = 'voice'"
                        " AND timezone('Europe/Paris', started_at) >= '2024-12-01'",
                        [STUDENT]).fetchall()[0][0]
    assert frame.loc["calls", "value"] == calls
    march = month_in_numbers(con, scope, month="2024-03")
    assert set(march["month"]) == {"2024-03"} and not march.equals(frame)


def test_a_period_filter_filters(con) -> None:
    march = Scope(STUDENT, __import__("datetime").date(2024, 3, 1),
                  __import__("datetime").date(2024, 3, 31))
    year = ff.cursors(con, make_scope(con, STUDENT)).set_index("cursor")
    month = ff.cursors(con, march).set_index("cursor")
    assert month.loc["quiet_chatterbox", "figures"]["calls"] < (
        year.loc["quiet_chatterbox", "figures"]["calls"] / 6)


@pytest.mark.slow
def test_missing_sources_give_reasons_and_an_empty_period_gives_nothing(con) -> None:
    frame = ff.cursors(con, make_scope(con, "bank-only")).set_index("cursor")
    for name in ("homebody_globetrotter", "quiet_chatterbox", "early_bird_night_owl"):
        assert frame.loc[name, "position"] != frame.loc[name, "position"]  # NaN
        assert frame.loc[name, "reason"]
    assert frame.loc["routine_adventurous", "value"] > 0  # from the merchants instead
    out = figures(con, make_scope(con, "bank-only"))
    json.dumps(out)
    assert out["cursors"]["homebody_globetrotter"] is None
    assert out["reasons"]["homebody_globetrotter"] == "no location history imported"
    assert out["cursors"]["saver_spender"] is not None
    empty = make_scope(con, STUDENT, "2030-01-01", "2030-12-31")
    assert ff.cursors(con, empty)["position"].isna().all()
    assert not ff.badges(con, empty)["earned"].any()
    assert month_in_numbers(con, empty).empty and ff.week_rhythm(con, empty).empty
    assert figures(con, make_scope(con, "nobody"))["badges"] == []


@pytest.mark.slow
def test_the_notebook_runs_for_a_person_with_bank_data_only(samples, tmp_path) -> None:
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "fun_facts.ipynb"), str(out),
                               parameters={"store": str(samples), "person": "bank-only",
                                           "lang": "en"},
                               cwd=str(NOTEBOOKS), progress_bar=False,
                               kernel_name="python3")
    text = out.read_text(encoding="utf-8")
    assert "no location history imported" in text and "Your badges" in text


def test_percentile_ranks_keep_the_order_and_share_ties() -> None:
    values = [3.0, 1.0, 2.0, 2.0, 5.0]
    ranks = [ff.percentile_rank(v, values) for v in values]
    assert ranks == [0.75, 0.0, 0.375, 0.375, 1.0]


@pytest.mark.slow
def test_a_cohort_of_six_ranks_and_four_fall_back_to_defaults(cohort_dir, tmp_path) -> None:
    persons = sorted(p.name for p in cohort_dir.iterdir())
    con6 = _store_of(cohort_dir, persons, tmp_path / "six.duckdb")
    frames = {p: ff.cursors(con6, make_scope(con6, p), k=5).set_index("cursor")
              for p in persons}
    for name in ff.CURSORS:
        assert {f.loc[name, "calibration"] for f in frames.values()} == {"cohort (n=6)"}
        pairs = sorted((f.loc[name, "value"], f.loc[name, "position"]) for f in frames.values())
        assert all(0 <= pos <= 1 for _, pos in pairs)
        assert [pos for _, pos in pairs] == sorted(pos for _, pos in pairs)
    habits = {p: truth(p, cohort_dir)["persona"]["habits"] for p in persons}
    owls = [frames[p].loc["early_bird_night_owl", "position"] for p in persons
            if "night_owl" in habits[p]]
    birds = [frames[p].loc["early_bird_night_owl", "position"] for p in persons
             if "early_bird" in habits[p]]
    assert owls and birds and min(owls) > max(birds)
    veg = {p: frames[p].loc["vegetarian_carnivore", "position"] for p in persons}
    vegetarians = [veg[p] for p in persons if "vegetarian" in habits[p]]
    others = [veg[p] for p in persons if "vegetarian" not in habits[p]]
    # a rank: the mildest meat eater of six may sit below the middle, vegetarians always do
    assert vegetarians and max(vegetarians) < 0.5 and max(vegetarians) < min(others)
    traveller = next(p for p in persons if "traveller" in habits[p])
    assert frames[traveller].loc["homebody_globetrotter", "position"] == 1.0
    assert frames[traveller].loc["routine_adventurous", "position"] == 1.0
    explorers = {p for p in persons if ff.badges(con6, make_scope(con6, p)).set_index(
        "badge").loc["explorer", "earned"]}
    assert explorers == {traveller}
    assert set(ff.cursors(con6, make_scope(con6, persons[0]), k=7)["calibration"]) == {
        "defaults"}
    assert ff.cursors(con6, make_scope(con6, persons[0]), k=0)["calibration"].iloc[0] == (
        "cohort (n=6)")  # k is never below 2
    con6.close()
    con4 = _store_of(cohort_dir, persons[:4], tmp_path / "four.duckdb")
    assert set(ff.cursors(con4, make_scope(con4, persons[0]))["calibration"]) == {"defaults"}
    con4.close()


@pytest.mark.slow
def test_the_cut_offs_can_be_overridden(con, tmp_path) -> None:
    shipped = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(shipped.replace("zero = 7\none = 56", "zero = 0\none = 1000"),
                    encoding="utf-8")
    default = positions(con, STUDENT)["quiet_chatterbox"]
    custom = positions(con, STUDENT, config=mine)["quiet_chatterbox"]
    assert custom < 0.1 < default
