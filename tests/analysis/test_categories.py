"""Spending categories: the shipped rules recover the synthetic personas' truth, month by
month; a user's rules file wins; a broken rules file names its line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.analysis.categories import NOT_SPENDING, categorize, load_rules
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.errors import SelfdataError
from selfdata_kit.store import Store, open_store
from tests.conftest import SAMPLE_FOLDERS

SAMPLES = SAMPLE_FOLDERS


@pytest.fixture
def samples(sample_store: Path) -> Store:
    """The shared sample store, read-only (`categorized` is a temp table)."""
    with open_store(sample_store, read_only=True) as store:
        yield store


@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_monthly_spend_by_category_matches_truth(samples: Store, folder: Path) -> None:
    store = samples
    categorize(store.con, make_scope(store.con, folder.name))
    rows = store.run(
        "SELECT strftime(booked_on, '%Y-%m'), category, -sum(amount) FROM categorized"
        " WHERE amount < 0 AND NOT list_contains(?, category) GROUP BY 1, 2",
        [list(NOT_SPENDING)])
    got: dict[str, dict[str, Decimal]] = {}
    for month, category, total in rows:
        got.setdefault(month, {})[category] = total
    truth = json.loads((folder / "truth.json").read_text())["monthly_spend_by_category"]
    expected = {m: {c: Decimal(v) for c, v in cats.items()} for m, cats in truth.items()}
    assert got == expected
    assert store.run("SELECT count(*) FROM categorized WHERE category = 'other'") == [(0,)]


def test_user_rules_come_first(samples: Store, tmp_path: Path) -> None:
    store, folder = samples, SAMPLES[0]
    mine = tmp_path / "mine.csv"
    mine.write_text("pattern,sign,category,subcategory\nNETFLIX,debit,leisure,streaming\n")
    categorize(store.con, make_scope(store.con, folder.name), user_rules=mine)
    assert store.run("SELECT DISTINCT category, subcategory FROM categorized"
                     " WHERE label ILIKE '%NETFLIX%'") == [("leisure", "streaming")]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("pattern,sign,category,subcategory\nOK,,a,\n(unclosed,,b,\n", 3, "regular expression"),
    ("pattern,sign,category,subcategory\nX,both,a,\n", 2, '"debit", "credit"'),
    ("pattern,category\nX,a\n", None, "needs the columns"),
])
def test_a_broken_rules_file_is_a_clear_error(tmp_path: Path, text, line, message) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(text)
    with pytest.raises(SelfdataError, match=message) as e:
        load_rules(path)
    assert e.value.line == line and e.value.file == str(path)
