"""A person's categories and a group's are the same SQL: when both are asked for the same
persons, rows and rules on one connection (a person's fun facts in a store too small for a
cohort), the second is a copy of the first, not a second decision; and a group of other
persons, or a change of rules, still gets its own."""

from __future__ import annotations

from pathlib import Path

import duckdb

from selfdata_kit.analysis import categories
from selfdata_kit.analysis.categories import group_categories, person_categories
from selfdata_kit.analysis.scope import Group
from selfdata_kit.store import open_store
from tests.conftest import SAMPLES

ONE, TWO = SAMPLES[:2]
ROWS = "SELECT * FROM {} ORDER BY person_id, uid"


def _builds(monkeypatch) -> list[tuple]:
    calls = []
    build = categories._build

    def counting(con, table, group, *args):
        calls.append((table, group.persons))
        return build(con, table, group, *args)

    monkeypatch.setattr(categories, "_build", counting)
    return calls


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(ROWS.format(table)).fetchall()


def test_the_twin_table_is_copied_not_decided_again(sample_store: Path, monkeypatch) -> None:
    builds = _builds(monkeypatch)
    with open_store(sample_store, read_only=True) as s:
        group = group_categories(s.con, Group((ONE,)))
        person = person_categories(s.con, ONE)
        assert builds == [(categories.GROUP_CACHE, (ONE,))]
        copied = _rows(s.con, person)
        assert copied == _rows(s.con, group) and len(copied) > 100
    with open_store(sample_store, read_only=True) as s:  # decided alone: the same rows
        assert _rows(s.con, person_categories(s.con, ONE)) == copied
        group_categories(s.con, Group((ONE,)))  # and the other way round
        assert builds[1:] == [(categories.CACHE, (ONE,))]


def test_another_group_is_decided_for_itself(sample_store: Path, monkeypatch) -> None:
    builds = _builds(monkeypatch)
    with open_store(sample_store, read_only=True) as s:
        person_categories(s.con, ONE)
        table = group_categories(s.con, Group((ONE, TWO)))
        assert builds == [(categories.CACHE, (ONE,)), (categories.GROUP_CACHE, (ONE, TWO))]
        assert {r[0] for r in s.con.execute(f"SELECT person_id FROM {table}").fetchall()} == {
            ONE, TWO}
