"""Set-based figures (`analysis.figures.COHORT_FIGURES`): for every person of a generated
cohort, every figure computed for all persons at once equals the figure of that person's own
`figures()`, for every report that has set-based figures (spending, and the others as they
gain theirs: fun facts too, cursors, values, badges and this month in numbers), over the whole
history and over a period; with personal rules files."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from selfdata_kit.analysis import fun_facts, spending
from selfdata_kit.analysis.cohort import _flatten, key_metrics, person_metrics
from selfdata_kit.analysis.figures import COHORT_FIGURES, FIGURES
from selfdata_kit.analysis.scope import Group, Scope, make_scope
from selfdata_kit.enrich.category_rules import ENV, Rule, write_rules
from selfdata_kit.store import open_store
from tests.analysis.test_cohort_figures_energy_calls import _from_lists
from tests.conftest import SAMPLE_DATA, World, copy_store

CALLS_ONLY = "calls-only"  # a person with calls and no bank data

# figures that are lists in `figures()` get numeric cohort columns: how to read them from
# one person's report (topic -> column -> (con, scope, figures) -> value)
# energy, calls and media derive their list columns as their own test file says
LIST_TOPICS = ("energy", "calls", "media")

def _earned(badge: str) -> Callable[[duckdb.DuckDBPyConnection, Scope, dict], float]:
    return lambda con, scope, f: float(badge in f["badges"])


DERIVED: dict[str, dict[str, Callable[[duckdb.DuckDBPyConnection, Scope, dict], float]]] = {
    "spending": {
        "recurring_payments.count": lambda con, scope, f: len(f["recurring_payments"]),
        "recurring_payments.monthly_out":
            lambda con, scope, f: spending.monthly_recurring_cost(con, scope),
    },
    # the list of badges earned: one column per badge, 1.0 when earned
    "fun_facts": {f"badges.{b}": _earned(b) for b in fun_facts.load_config()["badges"]},
}


@pytest.fixture(scope="module")
def cohort_store(world_store: World, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[Path, list[str]]]:
    """The world store plus a person with calls only, and personal rules files for two
    persons (a transaction, a merchant and a label rule): ($SELFDATA_RULES_DIR is set)."""
    tmp = tmp_path_factory.mktemp("cohort_figures")
    path = copy_store(world_store.path, tmp / "store.duckdb")
    from selfdata_kit.ingest.files import import_paths

    with open_store(path) as s:
        import_paths(s, [SAMPLE_DATA / "p0001-student" / "calls"], CALLS_ONLY)
        con = s.con
        banked = [p for (p,) in con.execute(
            "SELECT DISTINCT person_id FROM transactions ORDER BY 1").fetchall()]
        ruled = [banked[0], banked[-1]]  # a sample persona and a generated one
        rules_dir = tmp / "rules"
        for n, person in enumerate(ruled):
            uid, merchant_text = con.execute(
                "SELECT uid, label FROM transactions WHERE person_id = ? AND amount < 0"
                " ORDER BY booked_on, uid LIMIT 1", [person]).fetchall()[0]
            write_rules(rules_dir / f"{person}.toml", [
                Rule("transaction", uid, "gifts"),
                Rule("label", " ".join(merchant_text.upper().split()[:1]), f"mine{n}", "sub"),
                Rule("merchant", "LOYER", "housing")])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV, str(rules_dir))
        yield path, ruled


def _person_figures(con: duckdb.DuckDBPyConnection, topic: str, scope: Scope
                    ) -> dict[str, float | None]:
    figures: dict[str, Any] = FIGURES[topic](con, scope)
    flat: dict[str, float | None] = {}
    _flatten(topic, figures, flat)
    out = {k.removeprefix(f"{topic}."): v for k, v in flat.items()}
    for column, read in DERIVED.get(topic, {}).items():
        out[column] = float(read(con, scope, figures))
    if topic in LIST_TOPICS:  # the columns standing for lists (counts, shares, costs)
        out.update({k: None if v is None else float(v)
                    for k, v in _from_lists(topic, figures, con, scope).items()})
    return out


def _equal(cohort: object, person: float | None) -> bool:
    if person is None or (isinstance(person, float) and math.isnan(person)):
        return cohort is None or (isinstance(cohort, float) and math.isnan(cohort))
    return isinstance(cohort, float) and cohort == pytest.approx(person, rel=1e-12, abs=1e-12)


def _compare(con: duckdb.DuckDBPyConnection, topic: str, group: Group) -> int:
    """Assert every person's row equals their own figures; the number of persons with data."""
    frame = COHORT_FIGURES[topic](con, group)
    assert frame["person_id"].is_unique
    store_persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1")
                     .fetchall()]
    assert sorted(frame["person_id"]) == sorted(
        store_persons if group.persons is None else [p for p in group.persons
                                                     if p in store_persons])
    with_data = 0
    for row in frame.to_dict("records"):
        person = row.pop("person_id")
        mine = _person_figures(con, topic, make_scope(con, person, group.start, group.end))
        if all(v is None or math.isnan(v) for v in row.values()):
            # no data for this report (in the period): the report shows zeros or nothing
            assert all(v is None or v == 0 for v in mine.values()), (topic, person, mine)
            continue
        with_data += 1
        for name, value in mine.items():
            assert name in row, (topic, person, name)
            assert _equal(row[name], value), (topic, person, name, row[name], value)
        for name, value in row.items():  # a column the report does not have is empty
            assert name in mine or value is None or math.isnan(value), (topic, person, name)
    return with_data


@pytest.mark.slow
@pytest.mark.parametrize("topic", sorted(COHORT_FIGURES))
def test_every_figure_of_every_person_equals_their_own_report(cohort_store, topic) -> None:
    path, _ = cohort_store
    with open_store(path, read_only=True) as s:
        assert _compare(s.con, topic, Group()) >= 9  # 3 samples + 6 generated personas


@pytest.mark.slow
@pytest.mark.parametrize("topic", sorted(COHORT_FIGURES))
def test_a_period_and_a_few_persons(cohort_store, topic) -> None:
    path, ruled = cohort_store
    with open_store(path, read_only=True) as s:
        persons = tuple([*ruled, CALLS_ONLY, "nobody", "not-in-the-store"])
        group = Group(persons, date(2023, 3, 1), date(2023, 6, 30))
        assert _compare(s.con, topic, group) >= 1


@pytest.mark.slow
def test_personal_rules_apply_to_their_owner_only(cohort_store) -> None:
    path, ruled = cohort_store
    with open_store(path, read_only=True) as s:
        frame = spending.cohort_figures(s.con, Group()).set_index("person_id")
        for n, person in enumerate(ruled):
            assert frame.loc[person, "totals_by_category.gifts"] > 0
            assert frame.loc[person, f"totals_by_category.mine{n}"] > 0
        others = frame.drop(index=ruled)
        assert "totals_by_category.mine0" not in others.columns or \
            others["totals_by_category.mine0"].isna().all()
        assert frame.loc[CALLS_ONLY].isna().all() and frame.loc["nobody"].isna().all()


@pytest.mark.slow
def test_person_metrics_names_the_columns_as_before(cohort_store) -> None:
    """The cohort's metrics keep their names (`spending.totals_by_category.<category>`), one
    row per person, and the set-based part equals each person's flattened report."""
    path, _ = cohort_store
    with open_store(path, read_only=True) as s:
        banked = [p for (p,) in s.con.execute(
            "SELECT DISTINCT person_id FROM transactions ORDER BY 1").fetchall()]
        persons = ["nobody", CALLS_ONLY, *banked[:2]]
        metrics = person_metrics(s.con, persons, topics=("spending",))
        assert list(metrics["person_id"]) == persons
        keys = key_metrics(metrics)
        assert any(c.startswith("spending.totals_by_category.") for c in keys.columns)
        one = persons[-1]
        mine = _person_figures(s.con, "spending", make_scope(s.con, one))
        row = metrics.set_index("person_id").loc[one]
        for name, value in mine.items():
            assert _equal(row[f"spending.{name}"], value), name


def test_a_store_without_bank_data_gives_one_empty_row_per_person(store) -> None:
    store.ensure_person("a")
    store.ensure_person("b")
    frame = spending.cohort_figures(store.con, Group())
    assert list(frame["person_id"]) == ["a", "b"]
    assert frame.drop(columns="person_id").isna().all().all()
    assert isinstance(frame, pd.DataFrame)
