"""The explorer's "My categories": a merchant or a transaction put in another category by the
widgets becomes a rule in the person's file, the tabs and the report's totals follow, three
identical choices propose a merchant rule, removing restores, names stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.analysis import spending
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.enrich.category_rules import read_rules
from selfdata_kit.explorer.model import explorer
from selfdata_kit.store import open_store
from tests.conftest import copy_store
from tests.hostile import PAYLOADS, assert_text_only

PERSON = "p0001-student"
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def view(sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SELFDATA_RULES_DIR", str(tmp_path / "rules"))
    store = open_store(copy_store(sample_store, tmp_path / "s.duckdb", keep=[PERSON]))
    yield explorer(store, "en")
    store.close()


def by_category(view) -> dict[str, float]:
    con = view.model.con
    frame = spending.by_category(con, make_scope(con, PERSON))
    return dict(zip(frame["category"], frame["amount"], strict=True))


def test_a_merchant_rule_from_the_widgets_moves_the_totals_and_can_be_removed(view) -> None:
    panel, before = view.categories, by_category(view)
    assert "LIDL" in panel.merchant.options
    panel.what.value, panel.merchant.value, panel.category.value = "merchant", "LIDL", HOSTILE
    panel.save.click()
    assert "Rule saved" in panel.message.value and HOSTILE not in panel.message.value
    assert read_rules(view.model._rules_path())[0].category == HOSTILE
    after = by_category(view)
    assert after[HOSTILE] > 0
    assert after["groceries"] == pytest.approx(before["groceries"] - after[HOSTILE])
    # the tabs follow: the spending filter offers the new category, as text
    assert HOSTILE in [value for _, value in view.filters["spending"].options]
    for markup in (panel.rules.value, view.tables["spending"].value, panel.message.value):
        assert "<img" not in markup
    panel.rule_pick.value = ("merchant", "LIDL")
    panel.remove.click()
    assert "previous category is back" in panel.message.value
    assert by_category(view) == pytest.approx(before)


def test_three_transactions_of_one_merchant_propose_a_rule(view) -> None:
    panel = view.categories
    view.filters["spending"].value = "groceries"
    biocoop = [uid for _, uid in panel.transaction.options
               if "BIOCOOP" in _.upper()][:3]
    assert len(biocoop) == 3
    panel.what.value = "transaction"
    for n, uid in enumerate(biocoop, start=1):
        panel.transaction.value, panel.category.value = uid, "organic"
        panel.save.click()
        assert ("💡" in panel.rules.value) == (n == 3)
    assert "3 payments to BIOCOOP" in panel.rules.value
    assert panel.accept.layout.display is None  # the accept button shows
    panel.accept.click()
    assert [(r.kind, r.match, r.category) for r in view.model.rules()][-1] == \
        ("merchant", "BIOCOOP", "organic")
    assert "💡" not in panel.rules.value
    assert "groceries" not in set(view.model.recategorizable().query(
        "merchant == 'BIOCOOP'")["category"])


def test_screen_safe_hides_merchants_and_labels_in_the_panel(view) -> None:
    panel = view.categories
    view.screen_safe.value = True
    panel.update()
    assert panel.merchant.options == ()
    assert all("BIOCOOP" not in label for label, _ in panel.transaction.options)


def test_an_empty_category_is_a_message_not_a_traceback(view) -> None:
    panel = view.categories
    panel.what.value, panel.merchant.value, panel.category.value = "merchant", "LIDL", "  "
    panel.save.click()
    assert "printable characters" in panel.message.value
    assert view.model.rules() == []


def test_markup_like_categories_stay_text_in_every_view(view) -> None:
    model = view.model
    for merchant, name in zip(("LIDL", "BIOCOOP", "CARREFOUR CITY"), PAYLOADS, strict=False):
        model.recategorize(name, merchant=merchant)
    uid = model.recategorizable()["uid"].iloc[0]
    model.recategorize(PAYLOADS[3], uid=uid)
    view.sync(controls=False)
    page = lambda fragment: f"<html><body>{fragment}</body></html>"  # noqa: E731
    assert_text_only(page(view.categories.rules.value), shown=PAYLOADS[:3])
    assert_text_only(page(model.rows_html("spending")), shown=PAYLOADS[:2])
    assert_text_only(page(model.chart_html("spending")))
    view.categories.what.value, view.categories.category.value = "merchant", PAYLOADS[4]
    view.categories.merchant.value = "LIDL"
    view.categories.save.click()
    assert_text_only(page(view.categories.message.value), shown=PAYLOADS[4:5])
