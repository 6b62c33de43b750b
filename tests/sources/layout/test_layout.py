"""CSV layout files: bank exports no built-in format knows, read with a layout the user checked.

Each fixture imitates a real bank's quirks (fixtures/make_layout_fixtures.py); `guess` must
sniff a layout that reads it, and reading with that layout must give the exact rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.errors import FormatError, UnknownFormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile
from selfdata_kit.sources.layout import (
    guess_layout,
    layout_in_force,
    load_layout,
    parse_layout,
    save_layout,
    to_toml,
)

HERE = Path(__file__).resolve().parent / "fixtures"
D = Decimal


@pytest.fixture(autouse=True)
def layouts_folder(tmp_path, monkeypatch) -> Path:
    """Each test gets its own (empty) saved layouts folder, never the user's."""
    folder = tmp_path / "saved-layouts"
    monkeypatch.setenv("SELFDATA_LAYOUTS_DIR", str(folder))
    return folder


def guessed(name: str):
    layout, comments = guess_layout(InputFile.from_path(HERE / name))
    # what `layout guess` prints reads back as the same layout
    again = parse_layout(to_toml(layout, comments), "guessed.toml")
    assert again == layout
    return layout


def rows(store, name: str, layout) -> list[tuple]:
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(HERE / name), "ana")
    assert report.status == "imported", report.error
    assert report.source.name == "csv-layout"
    return store.run("SELECT account_id, booked_on, value_on, amount, currency, label"
                     " FROM transactions ORDER BY booked_on, amount")


GUESSES = {
    "de_dkb.csv": dict(encoding="cp1252", delimiter=";", decimal=",", date_format="%d.%m.%Y",
                       skip_lines=7, columns={"date": 1, "value_date": 2, "label": 5,
                                              "amount": 8}),
    "de_sparkasse.csv": dict(delimiter=";", decimal=",", date_format="%d.%m.%y", skip_lines=1,
                             columns={"account": 1, "date": 2, "value_date": 3, "label": 5,
                                      "amount": 15, "currency": 16}),
    "be_belfius.csv": dict(delimiter=";", decimal=",", date_format="%d/%m/%Y", skip_lines=13,
                           columns={"account": 1, "date": 2, "value_date": 10, "amount": 11,
                                    "currency": 12, "label": 15}),
    "uk_barclays.csv": dict(delimiter=",", decimal=".", date_format="%d/%m/%Y", skip_lines=1,
                            columns={"date": 2, "account": 3, "amount": 4, "label": 6}),
    "uk_nationwide.csv": dict(encoding="cp1252", delimiter=",", decimal=".",
                              date_format="%d %b %Y", skip_lines=5, debit_sign="positive",
                              currency="GBP", columns={"date": 1, "label": 3, "debit": 4,
                                                       "credit": 5, "balance": 6}),
    "headerless_iso.csv": dict(delimiter=";", decimal=".", date_format="%Y-%m-%d",
                               skip_lines=0, skip_last_lines=1, header=None, column_count=4,
                               columns={"date": 1, "label": 2, "amount": 3, "balance": 4}),
}


@pytest.mark.parametrize("name", sorted(GUESSES))
def test_guess_sniffs_each_banks_layout(name: str) -> None:
    layout = guessed(name)
    for key, value in GUESSES[name].items():
        assert getattr(layout, key) == value, key


def test_guess_prints_no_row_content(capsys) -> None:
    assert main(["layout", "guess", str(HERE / "de_dkb.csv")]) == 0
    out = capsys.readouterr().out
    assert 'header "Verwendungszweck"' in out and "Strom" not in out and "85,00" not in out


def test_german_dkb_cp1252_quoted_with_account_lines_above(store) -> None:
    assert rows(store, "de_dkb.csv", guessed("de_dkb.csv")) == [
        ("default", date(2024, 3, 2), date(2024, 3, 1), D("-4.35"), "EUR", "Brötchen"),
        ("default", date(2024, 3, 15), date(2024, 3, 15), D("2850.00"), "EUR",
         "Gehalt März; Bonus"),
        ("default", date(2024, 3, 28), date(2024, 3, 28), D("-85.00"), "EUR",
         "Strom März 2024")]


def test_german_sparkasse_two_digit_years_and_own_account(store) -> None:
    acct = "DE89370400440532013000"
    assert rows(store, "de_sparkasse.csv", guessed("de_sparkasse.csv")) == [
        (acct, date(2024, 3, 1), date(2024, 3, 1), D("60.00"), "EUR", "Miete Garage"),
        (acct, date(2024, 3, 4), date(2024, 3, 4), D("-19.99"), "EUR", "Mobilfunk 03/24")]


def test_belgian_belfius_long_preamble(store) -> None:
    acct = "BE68 0630 0000 0000"
    assert rows(store, "be_belfius.csv", guessed("be_belfius.csv")) == [
        (acct, date(2024, 3, 5), date(2024, 3, 5), D("2300.00"), "EUR", "Loon maart"),
        (acct, date(2024, 3, 29), date(2024, 3, 29), D("-1042.15"), "EUR",
         "Aankoop Delhaize")]


def test_uk_barclays_comma_delimited_quoted_label(store) -> None:
    acct = "20-32-06 13152170"
    assert rows(store, "uk_barclays.csv", guessed("uk_barclays.csv")) == [
        (acct, date(2024, 3, 1), None, D("-4.50"), "EUR", "TESCO STORES 3241 ON 01 MAR"),
        (acct, date(2024, 3, 4), None, D("1250.00"), "EUR", "ACME LTD SALARY"),
        (acct, date(2024, 3, 6), None, D("-1200.00"), "EUR", "RENT, FLAT 2")]


def test_uk_nationwide_unsigned_debit_credit_pounds_and_balance(store) -> None:
    assert rows(store, "uk_nationwide.csv", guessed("uk_nationwide.csv")) == [
        ("default", date(2024, 3, 1), None, D("-4.50"), "GBP", "TESCO"),
        ("default", date(2024, 3, 1), None, D("2000.00"), "GBP", "SALARY"),
        ("default", date(2024, 3, 3), None, D("-1995.50"), "GBP", "COUNCIL TAX")]
    assert store.run("SELECT as_of, amount FROM balances ORDER BY as_of") == [
        (date(2024, 3, 1), D("3230.06")), (date(2024, 3, 3), D("1234.56"))]


def test_headerless_with_a_totals_trailer(store) -> None:
    assert rows(store, "headerless_iso.csv", guessed("headerless_iso.csv")) == [
        ("default", date(2024, 3, 1), None, D("-12.50"), "EUR", "Coop Lausanne"),
        ("default", date(2024, 3, 2), None, D("3200.00"), "EUR", "Salaire"),
        ("default", date(2024, 3, 5), None, D("-1500.00"), "EUR", "Loyer")]


def test_debit_sign_decides_the_sign_of_debit_columns(store) -> None:
    layout = guessed("uk_nationwide.csv")
    from dataclasses import replace
    wrong = replace(layout, debit_sign="negative")  # debits written "£4.50" read as credits
    amounts = [r[3] for r in rows(store, "uk_nationwide.csv", wrong)]
    assert sorted(amounts) == [D("4.50"), D("1995.50"), D("2000.00")]


# --- wrong layouts: the usual clear error (file, line, what was expected) ------------------

GOOD = """encoding = "utf-8"
delimiter = ","
decimal = "."
date_format = "%d/%m/%Y"
skip_lines = 1
[columns]
date = 2
label = 6
amount = 4
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "L.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "message"), [
    (GOOD.replace('decimal = "."', 'decimals = "."'), 3, "decimals: expected one of the keys"),
    (GOOD.replace('decimal = "."', 'decimal = ";"'), 3, 'decimal: expected "," or "."'),
    (GOOD.replace("label = 6", "lable = 6"), 8, "lable: expected a role among"),
    (GOOD.replace("amount = 4", "amount = 0"), 9, "amount: expected a column number"),
    (GOOD.replace("amount = 4", "amount = 2"), 9, "amount: expected a column of its own"),
    (GOOD.replace('"%d/%m/%Y"', '"%Y"'), 4, "date_format: expected a strptime format"),
    (GOOD.replace("skip_lines = 1", "skip_lines = one"), 5, "not valid TOML"),
    (GOOD + 'debit_sign = "minus"\n', 10, "debit_sign: expected to be set above [columns]"),
    ('debit_sign = "minus"\n' + GOOD, 1, 'debit_sign: expected "negative" or "positive"'),
])
def test_a_wrong_key_names_the_layout_line(tmp_path, text, line, message) -> None:
    with pytest.raises(FormatError) as e:
        load_layout(write(tmp_path, text))
    assert message in e.value.message
    assert e.value.file.endswith("L.toml")
    if line is not None:
        assert e.value.line == line


def test_amount_and_debit_credit_together_or_neither(tmp_path) -> None:
    with pytest.raises(FormatError, match="either amount, or debit and credit"):
        load_layout(write(tmp_path, GOOD + "debit = 3\ncredit = 5\n"))
    with pytest.raises(FormatError, match="needs amount, or debit and credit"):
        load_layout(write(tmp_path, GOOD.replace("amount = 4\n", "")))


def test_a_column_out_of_range_names_the_file_and_first_row(tmp_path) -> None:
    layout = load_layout(write(tmp_path, GOOD.replace("label = 6", "label = 9")))
    with layout_in_force(layout), pytest.raises(FormatError) as e:
        detect_source(InputFile.from_path(HERE / "uk_barclays.csv")).parse(
            InputFile.from_path(HERE / "uk_barclays.csv"), None)
    assert e.value.line == 2 and e.value.file.endswith("uk_barclays.csv")
    assert "puts label in column 9, but the rows have 6 columns" in e.value.message


def test_a_date_format_matching_no_row_is_a_file_error(tmp_path, store) -> None:
    layout = load_layout(write(tmp_path, GOOD.replace('"%d/%m/%Y"', '"%m/%d/%y"')))
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(HERE / "uk_barclays.csv"), "ana")
    assert report.status == "failed"
    assert report.error.line == 2
    assert 'expected a date like 12/31/24 (date_format = "%m/%d/%y") in column 2 on every' \
        in report.error.message
    assert store.run("SELECT count(*) FROM transactions") == [(0,)]


def test_one_bad_row_is_a_row_error_with_its_line(tmp_path, store) -> None:
    text = (HERE / "uk_barclays.csv").read_text().replace("1250.00", "12x50")
    csv = tmp_path / "bank.csv"
    csv.write_text(text)
    layout = load_layout(write(tmp_path, GOOD))
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(csv), "ana")
    assert report.status == "failed" and report.error.line == 3
    assert 'expected an amount like -12.34 (decimal = ".") in column 4' in report.error.message
    assert "12x50" not in str(report.error)
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(csv), "ana", skip_bad_rows=True)
    assert report.counts.rows_inserted == 2 and report.counts.rows_rejected == 1


def test_wrong_encoding_names_the_line(tmp_path, store) -> None:
    layout = load_layout(write(tmp_path, GOOD.replace('"utf-8"', '"ascii"')))
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(HERE / "de_dkb.csv"), "ana")
    assert report.status == "failed" and report.error.line == 7  # the first "ü"
    assert "the text is not ascii" in report.error.message


# --- saved layouts ---------------------------------------------------------------------------

def test_saved_layout_applies_to_files_with_the_same_header(tmp_path, store,
                                                           layouts_folder) -> None:
    path = tmp_path / "barclays.toml"
    layout, comments = guess_layout(InputFile.from_path(HERE / "uk_barclays.csv"))
    path.write_text(to_toml(layout, comments), encoding="utf-8")
    with pytest.raises(UnknownFormatError):  # no built-in format knows Barclays
        detect_source(InputFile.from_path(HERE / "uk_barclays.csv"))
    target = save_layout(path)
    assert target.parent == layouts_folder and oct(target.stat().st_mode)[-3:] == "600"
    # another month's file from the same bank: same header, other rows
    later = tmp_path / "april.csv"
    later.write_text("Number,Date,Account,Amount,Subcategory,Memo\n"
                     ",01/04/2024,20-32-06 13152170,-9.99,PAYMENT,NETFLIX\n")
    assert detect_source(InputFile.from_path(later)).name == "csv-layout"
    report = import_file(store, InputFile.from_path(later), "ana")
    assert report.status == "imported" and report.counts.rows_inserted == 1
    # a file with another header is not taken
    assert detect_source(InputFile.from_path(HERE / "de_dkb.csv")).name == "fr-bank-csv"


def test_saved_headerless_layout_matches_by_shape(tmp_path) -> None:
    path = tmp_path / "coop.toml"
    layout, comments = guess_layout(InputFile.from_path(HERE / "headerless_iso.csv"))
    path.write_text(to_toml(layout, comments), encoding="utf-8")
    save_layout(path)
    assert detect_source(InputFile.from_path(HERE / "headerless_iso.csv")).name == "csv-layout"
    other = tmp_path / "other.csv"
    other.write_text("01/03/2024;Coop;-12,50\n")  # three columns, French dates: not this shape
    assert detect_source(InputFile.from_path(other)).name == "fr-bank-csv"


def test_save_refuses_a_layout_that_cannot_recognise_files(tmp_path) -> None:
    with pytest.raises(FormatError, match="add `header"):
        save_layout(write(tmp_path, GOOD))


@pytest.mark.parametrize("content, expected", [(None, "cannot read the layout file"),
                                               (b"\xff\xfe\x00 x", "UTF-8 text")])
def test_cli_save_of_a_missing_or_binary_file_is_a_message(tmp_path, capsys, layouts_folder,
                                                          content, expected) -> None:
    path = tmp_path / "l.toml"
    if content is not None:
        path.write_bytes(content)
    assert main(["layout", "save", str(path)]) == 1
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Traceback" not in err
    assert not list(layouts_folder.glob("*.toml"))


def test_cli_guess_import_save_then_plain_import(tmp_path, capsys, layouts_folder) -> None:
    store, out = tmp_path / "s.duckdb", tmp_path / "nationwide.toml"
    csv = str(HERE / "uk_nationwide.csv")
    assert main(["layout", "guess", csv, "--out", str(out)]) == 0
    assert main(["import", csv, "--layout", str(out), "--person", "ana",
                 "--store", str(store)]) == 0
    assert "[csv-layout]  read 3, inserted 3" in capsys.readouterr().out
    assert main(["layout", "save", str(out), "--name", "Nationwide flex"]) == 0
    assert (layouts_folder / "Nationwide_flex.toml").is_file()
    assert main(["layout", "list"]) == 0
    assert "Nationwide_flex.toml" in capsys.readouterr().out
    assert main(["import", csv, "--person", "ana", "--store", str(store)]) == 0
    assert "[csv-layout]  read 3, inserted 0, duplicate 3" in capsys.readouterr().out


def test_cli_a_wrong_layout_fails_before_creating_a_store(tmp_path, capsys) -> None:
    store = tmp_path / "s.duckdb"
    bad = write(tmp_path, GOOD.replace("[columns]", "[colums]"))
    assert main(["import", str(HERE / "uk_barclays.csv"), "--layout", str(bad), "--person",
                 "ana", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert "L.toml" in err and "Traceback" not in err and not store.exists()


def test_conformance_societe_generale_through_a_guessed_layout(store) -> None:
    """A real export written by others: the layout guessed from it reads the same rows as
    the built-in reader (2 transactions, sum 41.90)."""
    from tests.conftest import conformance

    path = conformance("bank/fr_societe_generale.csv")
    layout, _ = guess_layout(InputFile.from_path(path))
    assert (layout.skip_lines, layout.columns) == (
        4, {"date": 1, "label": 2, "amount": 4, "currency": 5})
    with layout_in_force(layout):
        report = import_file(store, InputFile.from_path(path), "ana")
    assert report.status == "imported" and report.counts.rows_inserted == 2
    assert store.run("SELECT sum(amount) FROM transactions") == [(D("41.90"),)]
