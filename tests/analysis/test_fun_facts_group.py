"""The fun facts of every person at once (`fun_facts.group.facts`, set-based SQL) give what
the rules say person by person: each raw metric of `metrics.py`, each evidence count of
`evidence.py`, each badge's figure of `badges.py`, and this month in numbers of `month.py`,
for every persona of the generated cohort, the samples and a person without data, over all
their data and over a period. (`test_cohort_figures.py` then checks that a person's report
and the cohort read the same row.)"""

from __future__ import annotations

import importlib
import math
from datetime import date

import pandas as pd
import pytest

from selfdata_kit.analysis import fun_facts as ff
from selfdata_kit.analysis.fun_facts import evidence as proof
from selfdata_kit.analysis.fun_facts.group import facts
from selfdata_kit.analysis.fun_facts.metrics import METRICS
from selfdata_kit.analysis.fun_facts.month import month_in_numbers
from selfdata_kit.analysis.scope import Group, make_scope
from selfdata_kit.store import open_store

# the module (the package's `badges` is the report's function of the same name)
badge_rules = importlib.import_module("selfdata_kit.analysis.fun_facts.badges")
PERIODS = [(None, None), (date(2023, 3, 5), date(2023, 6, 20)),
           (date(2024, 4, 5), date(2024, 4, 20))]  # the last: less than a full month


@pytest.fixture(scope="module")
def con(world_store):
    with open_store(world_store.path, read_only=True) as s:
        yield s.con


def _close(a: object, b: object) -> bool:
    none = lambda v: v is None or (isinstance(v, float) and math.isnan(v))  # noqa: E731
    if none(a) or none(b):
        return none(a) and none(b)
    return float(a) == pytest.approx(float(b), rel=1e-9, abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("period", PERIODS, ids=["all", "period", "short"])
def test_set_based_facts_follow_the_per_person_rules(con, period) -> None:
    cfg = ff.load_config()
    frame = facts(con, Group(None, *period), cfg)
    persons = [p for (p,) in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    assert list(frame.index) == persons and len(persons) >= 10
    checked = 0
    for person in persons:
        scope = make_scope(con, person, *period)
        row = frame.loc[person]
        for name, fn in METRICS.items():
            m = fn(con, scope, cfg)
            assert _close(row[f"value.{name}"], m.value), (person, name, row[f"value.{name}"],
                                                           m.value)
            if m.value is None:
                assert row[f"reason.{name}"] == m.reason, (person, name)
            have, _ = proof.count(con, scope, cfg, cfg["cursors"][name])
            assert row[f"evidence.{name}"] == (have if m.value is not None else 0), (
                person, name, row[f"evidence.{name}"], have)
        for name, fn in badge_rules.BADGES.items():
            b = fn(con, scope, cfg)
            have, needed = proof.count(con, scope, cfg, cfg["badges"][name])
            assert _close(row[f"badge.{name}.figure"], b.figure), (person, name,
                                                                   row[f"badge.{name}.figure"],
                                                                   b.figure)
            assert row[f"badge.{name}.have"] == have, (person, name)
            assert bool(row[f"badge.{name}.earned"]) == (b.earned and have >= needed), name
        month = month_in_numbers(con, scope, cfg=cfg)
        if month.empty:
            assert not isinstance(row["month.month"], str) or not any(
                pd.notna(row.get(c)) for c in row.index
                if c.startswith("month.") and c != "month.month"), person
            continue
        assert row["month.month"] == month["month"].iloc[0], person
        for r in month.itertuples():
            assert _close(row[f"month.{r.figure}"], r.value), (person, r.figure,
                                                               row[f"month.{r.figure}"],
                                                               r.value)
            if isinstance(r.category, str):
                assert row[f"month.{r.figure}_category"] == r.category, (person, r.figure)
        shown = {c.removeprefix("month.") for c in row.index if c.startswith("month.")
                 and not isinstance(row[c], str) and pd.notna(row[c])}
        assert shown == set(month["figure"]), (person, shown, set(month["figure"]))
        checked += 1
    assert checked >= 9 if period[0] is None else checked >= 1
