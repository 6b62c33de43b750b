"""The explorer: its SQL, its model, the callbacks of its widgets, the import panel, and its
notebook under papermill. No browser here (see test_lab_browser.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from selfdata_kit.analysis import explore, spending
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.explorer.model import Explorer, explorer
from selfdata_kit.i18n import keys
from selfdata_kit.store import open_store
from tests.conftest import NOTEBOOKS, SAMPLE_DATA, copy_store

PERSONS = ("p0001-student", "p0003-family-gas")  # the family has two meters: gas, electricity
LIVRET = SAMPLE_DATA / "p0002-retiree-electric" / "bank" / "livret_a_05774456630.csv"


@pytest.fixture(scope="module")
def store_path(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shared sample store with PERSONS only (the explorer opens it to write)."""
    return copy_store(sample_store, tmp_path_factory.mktemp("explore") / "two.duckdb",
                      keep=list(PERSONS))


@pytest.fixture
def view(store_path: Path):
    store = open_store(store_path)
    yield explorer(store, "en")
    store.close()


def _upload(name: str, data: bytes) -> dict:
    """One file as ipywidgets 8's FileUpload holds it after the browser sent it."""
    return {"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
            "last_modified": datetime(2024, 12, 31, tzinfo=UTC)}


def _bad_livret() -> bytes:
    lines = LIVRET.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b"/", b"-", 2)  # line 6: a date the bank never writes
    return b"\n".join(lines)


# --- analysis.explore ----------------------------------------------------------------------

def test_glance_and_months_describe_each_source(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as store:
        glance = explore.glance(store.con, "p0001-student").set_index("source")
        counts = store.persons().set_index("person_id").loc["p0001-student"]
        months = explore.months(store.con, "p0001-student")
    assert glance.loc["spending", "rows"] == counts["transactions"]
    assert glance.loc["calls", "rows"] == counts["calls"]
    assert glance.loc["places", "rows"] == counts["places"]
    assert glance.loc["energy", "first"] == date(2024, 1, 1)
    assert glance.loc["energy", "last"] == date(2024, 12, 31)
    assert (glance["longest_gap_days"] >= 0).all() and (glance["imports"] > 0).all()
    assert months == [date(2024, m, 1) for m in range(1, 13)]


def test_chart_frames_agree_with_the_reports_and_filter(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as store:
        scope = make_scope(store.con, "p0003-family-gas", "2024-03-01", "2024-05-31")
        by_category = spending.by_category(store.con, scope).set_index("category")["amount"]
        monthly = explore.chart_frame(store.con, scope, "spending")
        options = explore.filter_options(store.con, scope, "spending")
        groceries = explore.chart_frame(store.con, scope, "spending", "groceries")
        meters = explore.filter_options(store.con, scope, "energy")
        gas = meters.loc[meters["safe_label"] == "gas", "value"].item()
        gas_days = explore.chart_frame(store.con, scope, "energy", gas)
        all_days = explore.chart_frame(store.con, scope, "energy")
        drill = explore.rows(store.con, scope, "spending", "groceries", limit=5)
    assert monthly.groupby("category")["amount"].sum().round(2).to_dict() == pytest.approx(
        by_category.round(2).to_dict())
    assert set(options["value"]) == set(by_category.index)
    assert set(groceries["category"]) == {"groceries"}
    assert [m.month for m in pd.to_datetime(groceries["month"])] == [3, 4, 5]
    assert set(gas_days["commodity"]) == {"gas"}
    assert set(all_days["commodity"]) == {"gas", "electricity"}
    assert len(drill) == 5 and set(drill["category"]) == {"groceries"}
    assert (drill["amount"] < 0).all() and drill["day"].is_monotonic_decreasing


def test_an_unknown_tab_is_refused(store_path: Path) -> None:
    with open_store(store_path, read_only=True) as store:
        scope = make_scope(store.con, "p0001-student")
        with pytest.raises(ValueError, match="unknown tab 'bank'"):
            explore.rows(store.con, scope, "bank")


def test_explore_texts_have_the_same_keys_in_french_and_english() -> None:
    assert keys("explore", "fr") == keys("explore", "en")


# --- the widgets' callbacks ----------------------------------------------------------------

@pytest.mark.slow
def test_period_slider_narrows_frames_and_rows(view) -> None:
    model = view.model
    assert list(view.person.options) == list(PERSONS) and model.person == PERSONS[0]
    before = model.chart_frame("spending")
    assert len(set(before["month"])) == 12
    view.period.value = (date(2024, 6, 1), date(2024, 7, 1))
    after = model.chart_frame("spending")
    assert sorted({m.month for m in pd.to_datetime(after["month"])}) == [6, 7]
    assert model.scope.start == date(2024, 6, 1) and model.scope.end == date(2024, 7, 31)
    days = pd.to_datetime(model.rows("energy")["day"])
    assert days.min() >= pd.Timestamp("2024-06-01") and days.max() <= pd.Timestamp("2024-07-31")
    assert "Jul 2024" in view.tables["spending"].value
    assert "Aug 2024" not in view.tables["spending"].value


@pytest.mark.slow
def test_person_dropdown_switches_everything(view) -> None:
    model = view.model
    energy_before = view.filters["energy"].options
    assert len(energy_before) == 2  # (all) + the student's electricity meter
    glance_before = view.glance.value
    view.person.value = "p0003-family-gas"
    assert model.person == "p0003-family-gas"
    assert len(view.filters["energy"].options) == 3  # (all), electricity, gas
    assert view.glance.value != glance_before
    assert "selfdata-chart" in view.charts["energy"].outputs[0]["data"]["text/html"]


@pytest.mark.slow
def test_filter_dropdowns_select_what_the_chart_and_rows_show(view) -> None:
    model = view.model
    view.person.value = "p0003-family-gas"
    label, contact = view.filters["calls"].options[1]  # the most frequent contact
    all_calls = model.chart_frame("calls")["count"].sum()
    view.filters["calls"].value = contact
    assert model.choices["calls"] == contact
    assert 0 < model.chart_frame("calls")["count"].sum() < all_calls
    assert set(model.rows("calls")["contact"]) == {label}
    gas = next(value for name, value in view.filters["energy"].options if name.startswith("Gas"))
    view.filters["energy"].value = gas
    assert set(model.chart_frame("energy")["commodity"]) == {"gas"}
    assert "Electricity" not in view.tables["energy"].value
    view.filters["spending"].value = "housing"
    assert set(model.rows("spending")["category"]) == {"housing"}
    view.filters["places"].value = "visit"
    assert set(model.chart_frame("places")["kind"]) == {"visit"}


@pytest.mark.slow
def test_screen_safe_masks_the_rows_table(view) -> None:
    table = view.tables["spending"].value
    merchant = view.model.rows("spending")["merchant"].iloc[0]
    place = view.model.rows("places")["name"].iloc[0]
    assert merchant in table and "Masked" not in table
    assert place in view.tables["places"].value
    view.screen_safe.value = True
    assert merchant not in view.tables["spending"].value
    assert "Masked 1" in view.tables["spending"].value
    assert place not in view.tables["places"].value
    coarse = view.model.rows("places")
    assert (coarse["lat"] == coarse["lat"].round(1)).all()
    view.screen_safe.value = False
    assert merchant in view.tables["spending"].value


# --- the import panel ----------------------------------------------------------------------

def test_import_panel_imports_uploaded_bytes_and_refreshes(tmp_path: Path) -> None:
    with open_store(tmp_path / "new.duckdb") as store:
        view = explorer(store, "en")
        assert view.model.person is None and list(view.person.options) == []
        assert "No data yet" in view.glance.value
        panel = view.importer
        panel.upload.value = (_upload("livret.csv", LIVRET.read_bytes()),)
        panel.person.value = "me"
        panel.button.click()
        result = panel.result.value
        assert "livret.csv" in result and "imported" in result
        assert "French bank CSV export" in result  # the format detected
        assert "13 rows read, 13 added, 0 duplicates already there, 0 rejected" in result
        assert list(view.person.options) == ["me"] and view.model.person == "me"
        assert view.model.months[-1] == date(2024, 12, 1)  # the slider's months came too
        assert len(view.period.options) == len(view.model.months)
        assert "Spending" in view.glance.value and panel.upload.value == ()
        panel.upload.value = (_upload("livret.csv", LIVRET.read_bytes()),)
        panel.button.click()
        assert "0 added, 13 duplicates already there" in panel.result.value


def test_import_panel_shows_a_bad_file_with_its_line_and_no_traceback(tmp_path: Path) -> None:
    with open_store(tmp_path / "bad.duckdb") as store:
        view = explorer(store, "en")
        panel = view.importer
        panel.person.value = "me"
        panel.upload.value = (_upload("livret.csv", _bad_livret()),
                              _upload("notes.txt", b"hello, not an export"))
        panel.button.click()
        result = panel.result.value
        assert "failed (line 6)" in result and "expected a date like 31/12/2024" in result
        assert "Import the other rows" in result  # the checkbox, not the CLI's flag
        assert "not a format selfdata_kit knows" in result and "selfdata formats" in result
        assert "Traceback" not in result and list(view.person.options) == []
        panel.skip_bad_rows.value = True
        panel.upload.value = (_upload("livret.csv", _bad_livret()),)
        panel.button.click()
        result = panel.result.value
        assert "12 added" in result and "1 rejected" in result
        assert "line 6: expected a date like 31/12/2024" in result


def test_import_panel_asks_for_files_and_a_person(tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.duckdb") as store:
        panel = explorer(store, "fr").importer
        assert panel.run() == [] and "au moins un fichier" in panel.result.value
        panel.upload.value = (_upload("livret.csv", LIVRET.read_bytes()),)
        assert panel.run() == [] and "identifiant de personne" in panel.result.value


def test_model_works_without_widgets(store_path: Path) -> None:
    with open_store(store_path) as store:
        model = Explorer(store, "fr", limit=3)
        assert [value for _, value in model.options("places")] == [None, "visit"]
        assert len(model.rows("calls")) == 3
        assert "Dépenses" in model.glance_html() and "selfdata-chart" in model.chart_html("calls")


# --- the notebook --------------------------------------------------------------------------

def test_explore_notebook_is_thin_and_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "store = None" in tagged[0].source
    assert 'lang = "fr"' in tagged[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_explore_notebook_runs_under_papermill(store_path: Path, tmp_path: Path,
                                               lang: str) -> None:
    out = tmp_path / "explore.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "explore.ipynb"), str(out),
                               parameters={"store": str(store_path), "lang": lang},
                               cwd=str(NOTEBOOKS), progress_bar=False,
                               kernel_name="python3")
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    data = [o.get("data", {}) for o in outputs]
    assert sum(len("".join(d.get("text/html", ""))) > 500_000 for d in data) == 1, "bundle once"
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)
    assert "cdn." not in json.dumps(nb["metadata"].get("widgets", {}))
