"""The contribution spec: what it declares is all that may leave, rounded, and a `*` never
stands for a name the participant or an export wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.donate.spec import load_spec, vocabulary
from selfdata_kit.errors import SelfdataError

SPEC = """
name = "test-spec"
version = 2
start = 2024-01-01
end = 2024-12-31

[[figures]]
metric = "spending.totals_by_category.*"
step = 10
unit = "eur"
about.fr = "Dépenses {name}"
about.en = "Spending {name}"

[[figures]]
metric = "fun_facts.cursors.*.position"
step = 0.05
unit = "position"
about.fr = "Curseur {name}"
about.en = "Cursor {name}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_spec_declares_the_wall_figures() -> None:
    spec = load_spec()
    assert (spec.name, spec.version, spec.period) == ("selfdata-workshop-wall", 1, "all")
    assert spec.figure_of("energy.annual_kwh.electricity") is not None
    assert spec.figure_of("fun_facts.cursors.saver_spender.position") is not None
    # the evidence beside a cursor's position is not a declared figure
    assert spec.figure_of("fun_facts.cursors.saver_spender.evidence") is None
    assert spec.figure_of("spending.total_in") is None


def test_select_keeps_declared_figures_rounded_and_drops_the_rest(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, SPEC))
    assert spec.period == "2024-01-01/2024-12-31"
    metrics = {"spending.totals_by_category.groceries": 1234.5,
               "spending.totals_by_category.health": None,          # nothing to say
               "spending.totals_by_category.transport": float("nan"),
               "spending.total_in": 40000.0,                         # not declared
               "fun_facts.cursors.saver_spender.position": 0.333,
               "fun_facts.cursors.saver_spender.evidence": 12.0,     # not declared
               "fun_facts.cursors.homebody_globetrotter.position": 0.0249}
    assert spec.select(metrics) == {
        "fun_facts.cursors.homebody_globetrotter.position": 0.0,
        "fun_facts.cursors.saver_spender.position": 0.35,
        "spending.totals_by_category.groceries": 1230.0}


def test_a_star_stands_only_for_the_packages_own_names(tmp_path: Path) -> None:
    """A category a participant made (`selfdata categorize`) or an export wrote could name a
    person, a doctor, a debt: it never leaves, not even as a column name."""
    spec = load_spec(write(tmp_path, SPEC))
    assert {"groceries", "other", "saver_spender", "gas"} <= vocabulary()
    own = {"spending.totals_by_category.therapy_dr_martin": 800.0,
           "spending.totals_by_category.Loyer Mme Durand": 650.0,
           "spending.totals_by_category.groceries": 100.0}
    assert spec.select(own) == {"spending.totals_by_category.groceries": 100.0}


def test_rounding_leaves_no_float_noise() -> None:
    (figure,) = [f for f in load_spec().figures if f.unit == "position"]
    assert [figure.rounded(v) for v in (0.3, 0.325, 0.999, -0.01)] == [0.3, 0.3, 1.0, 0.0]
    assert str(figure.rounded(0.3)) == "0.3"


@pytest.mark.parametrize(("text", "expected"), [
    ("name = 'x'\n", "expected version"),
    ("version = 1\n", "expected name"),
    ("name = 'a b'\nversion = 1\n", "expected name"),
    ("name = 'x'\nversion = 1\n", "at least one [[figures]]"),
    ("name = 'x'\nversion = 1\n[[figures]]\nmetric = 'Spending.X'\nunit = 'eur'\n",
     "figure 1: expected metric"),
    ("name = 'x'\nversion = 1\n[[figures]]\nmetric = 'a.b'\nunit = 'eur'\nstep = 0\n",
     "expected step"),
    ("name = 'x'\nversion = 1\n[[figures]]\nmetric = 'a.b'\nunit = 'km'\n", "expected unit"),
    ("name = 'x'\nversion = 1\n[[figures]]\nmetric = 'a.b'\nunit = 'eur'\n",
     "expected about.fr and about.en"),
    ("name = 'x'\nversion = 1\nstart = '2024'\n", "start and end are dates"),
    ("name = = 1", "not a valid TOML"),
])
def test_a_bad_spec_says_what_was_expected(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SelfdataError) as e:
        load_spec(path)
    assert expected in str(e.value) and e.value.file == str(path)
