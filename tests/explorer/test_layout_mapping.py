"""The explorer's column mapping for a CSV no format recognised: model and widget callbacks,
driven without a browser."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.explorer.layout_mapping import LayoutMapping, LayoutMappingForm
from selfdata_kit.explorer.model import Explorer
from selfdata_kit.explorer.views import ImportPanel
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile
from selfdata_kit.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "layout" / "fixtures"
BARCLAYS = (FIXTURES / "uk_barclays.csv").read_bytes()
# no header words any language table knows, and a text column first: nothing is guessed
ODD = (b"Ref|When|What|How much\n"
       b"A1|2024-03-01|Coop|-12.50\n"
       b"A2|2024-03-04|Salary|3200.00\n")


@pytest.fixture(autouse=True)
def layouts_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "layouts"
    monkeypatch.setenv("SELFDATA_LAYOUTS_DIR", str(folder))
    return folder


@pytest.fixture
def model(tmp_path):
    store = open_store(tmp_path / "s.duckdb")
    yield Explorer(store, "en")
    store.close()


def test_the_guess_fills_the_form_and_columns_are_named_by_header() -> None:
    m = LayoutMapping("bank.csv", BARCLAYS)
    assert m.columns() == [(1, "1: Number"), (2, "2: Date"), (3, "3: Account"),
                           (4, "4: Amount"), (5, "5: Subcategory"), (6, "6: Memo")]
    assert m.roles == {2: "date", 3: "account", 4: "amount", 6: "label"}


def test_an_unrecognised_file_gets_a_blank_form_described_without_its_values(model,
                                                                              layouts_folder
                                                                              ) -> None:
    m = LayoutMapping("odd.csv", ODD)
    assert m.roles == {} and m.layout.delimiter == "|"
    assert [label for _, label in m.columns()] == ["1: Ref", "2: When", "3: What",
                                                  "4: How much"]
    with pytest.raises(FormatError, match="no date column"):
        m.toml()
    m.set_role(2, "date")
    m.set_role(3, "label")
    m.set_role(4, "amount")
    m.set(date_format="%Y-%m-%d", decimal=".")
    reports, saved = m.import_with(model, "ana", save_as="my bank")
    assert reports[0].status == "imported", reports[0].error
    assert saved == layouts_folder / "my_bank.toml"
    assert model.store.run("SELECT booked_on, amount, label FROM transactions ORDER BY 1") == [
        (date(2024, 3, 1), Decimal("-12.50"), "Coop"),
        (date(2024, 3, 4), Decimal("3200.00"), "Salary")]
    # the saved layout recognises the next file with this header
    nxt = ODD.replace(b"A1|2024-03-01|Coop|-12.50\n", b"")
    assert detect_source(InputFile.from_bytes("april.csv", nxt)).name == "csv-layout"


def test_a_role_is_on_one_column_only() -> None:
    m = LayoutMapping("odd.csv", ODD)
    m.set_role(2, "date")
    m.set_role(3, "date")
    assert m.roles == {3: "date"}
    m.set_role(3, "")
    assert m.roles == {}


def test_headerless_file_maps_by_shape(model) -> None:
    data = (FIXTURES / "headerless_iso.csv").read_bytes()
    m = LayoutMapping("coop.csv", data)
    assert [label for _, label in m.columns()] == ["1: (date)", "2: (text)", "3: (amount)",
                                                  "4: (amount)"]
    assert "column_count = 4" in m.toml() and "header =" not in m.toml()


def _upload(name: str, data: bytes) -> dict:
    return {"name": name, "type": "text/csv", "size": len(data), "content": memoryview(data),
            "last_modified": datetime(2024, 12, 31, tzinfo=UTC)}


def test_the_import_panel_offers_the_mapping_when_detection_fails(model, layouts_folder) -> None:
    done = []
    panel = ImportPanel(model, on_import=lambda: done.append(1))
    panel.upload.value = (_upload("odd.csv", ODD), _upload("bank.csv", BARCLAYS))
    panel.person.value = "ana"
    reports = panel.run()
    assert [r.status for r in reports] == ["failed", "failed"]
    forms = panel.mapping.children
    assert [f.mapping.name for f in forms] == ["odd.csv", "bank.csv"]
    form = forms[1]
    assert isinstance(form, LayoutMappingForm)
    assert form.dropdowns[2].value == "date" and form.dropdowns[1].value == ""
    form.dropdowns[6].value = ""  # no label: still imports
    form.dropdowns[5].value = "label"
    form.save_as.value = "barclays"
    out = form.run()
    assert out[0].status == "imported" and "imported" in form.result.value
    assert (layouts_folder / "barclays.toml").is_file()
    assert model.store.run("SELECT label FROM transactions ORDER BY booked_on") == [
        ("PAYMENT",), ("DIRECTDEP",), ("FT",)]
    assert done  # the explorer refreshes after the mapped import


def test_a_wrong_form_shows_the_error_and_imports_nothing(model) -> None:
    form = LayoutMappingForm(LayoutMapping("odd.csv", ODD), model, "ana", "fr")
    form.dropdowns[2].value = "date"
    form.dropdowns[4].value = "amount"
    form.date_format.value = "%d/%m/%Y"  # not how the file writes its dates
    form.decimal.value = "."
    assert form.run()[0].status == "failed"
    assert "date_format" in form.result.value
    assert model.store.run("SELECT count(*) FROM transactions") == [(0,)]


def test_a_non_csv_failure_gets_no_form(model) -> None:
    panel = ImportPanel(model)
    panel.upload.value = (_upload("x.pdf", b"%PDF-1.4\x00\x01binary"),)
    panel.person.value = "ana"
    panel.run()
    assert panel.mapping.children == ()


def test_import_file_still_detects_builtin_formats_with_no_saved_layouts(model) -> None:
    ofx = next((Path(__file__).resolve().parents[1] / "sources" / "bank" / "fixtures")
               .glob("ofx1_dates.ofx"))
    assert import_file(model.store, InputFile.from_path(ofx), "ana").source.name == "ofx"


def test_a_data_row_above_the_first_row_is_never_kept_as_the_header() -> None:
    data = (FIXTURES / "headerless_iso.csv").read_bytes()
    m = LayoutMapping("coop.csv", data)
    m.set(skip_lines=1)  # the user skips the first row: it is data, not a header
    m.set_role(1, "date")
    m.set_role(3, "amount")
    text = m.toml()
    assert "Coop" not in text and "header =" not in text and "column_count = 4" in text
