"""QIF statements: one fixture per variant (date orders, amounts, accounts), bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.errors import RejectedRowsError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import qif
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import conformance

BANK = Path(__file__).resolve().parent / "fixtures"
TX = ("SELECT account_id, booked_on, value_on, amount, currency, label, counterparty,"
      " bank_category FROM transactions ORDER BY account_id, booked_on, amount")
D = Decimal


def load(store, name: str, **options):
    report = import_file(store, InputFile.from_path(BANK / name), "alice", **options)
    assert report.status == "imported", report.error
    assert report.source.name == "qif"
    return report


def parse_text(text: str):
    return qif.parse(InputFile.from_bytes("x.qif", text.encode()), ParseContext("alice"))


def test_french_bank_day_first_decimal_comma_cp1252(store):
    load(store, "qif_fr_dayfirst_cp1252.qif")
    assert store.run(TX) == [
        ("default", date(2024, 1, 2), None, D("-3.20"), None, "CAFE DE LA PAIX",
         "CAFE DE LA PAIX", None),
        ("default", date(2024, 1, 2), None, D("-3.20"), None, "CAFE DE LA PAIX",
         "CAFE DE LA PAIX", None),
        ("default", date(2024, 1, 15), None, D("-1234.56"), None, "LOYER JANVIER",
         "LOYER JANVIER", "Logement"),
        # no payee: the memo is the label
        ("default", date(2024, 1, 31), None, D("-12.00"), None, "FRAIS DE TENUE DE COMPTE",
         None, None),
        ("default", date(2024, 1, 31), None, D("2150.00"), None, "VIR SALAIRE SOCIÉTÉ ACME",
         "VIR SALAIRE SOCIÉTÉ ACME", None),
    ]


def test_two_identical_coffees_stay_two_rows_across_reimports(store):
    first = load(store, "qif_fr_dayfirst_cp1252.qif").counts
    assert first.rows_inserted == 5
    coffees = "SELECT count(*) FROM transactions WHERE label = 'CAFE DE LA PAIX'"
    assert store.run(coffees) == [(2,)]
    second = load(store, "qif_fr_dayfirst_cp1252.qif").counts
    assert (second.rows_inserted, second.rows_duplicate) == (0, 5)
    assert store.run(coffees) == [(2,)]


def test_quicken_accounts_apostrophe_years_thousands_commas(store):
    load(store, "qif_us_quicken_accounts.qif")
    assert store.run(TX) == [
        ("Checking", date(2024, 1, 5), None, D("-1234.56"), None, "Landlord LLC",
         "Landlord LLC", "Rent"),
        # split lines (S, $) do not replace the total
        ("Checking", date(2024, 1, 15), None, D("2500.00"), None, "Acme Corp", "Acme Corp",
         "Salary"),
        ("Visa", date(2024, 1, 20), None, D("-42.17"), None, "Whole Foods", "Whole Foods",
         "Groceries"),
        ("Visa", date(2024, 1, 31), None, D("1000.00"), None, "Payment thank you",
         "Payment thank you", "[Checking]"),
    ]
    assert store.run("SELECT account_id, kind, label FROM accounts ORDER BY 1") == [
        ("Checking", "bank", "Checking"), ("Visa", "creditcard", "Visa")]


def test_ambiguous_dates_are_day_first(store):
    load(store, "qif_ambiguous_dayfirst.qif")
    assert store.run("SELECT booked_on, amount, label FROM transactions ORDER BY 1") == [
        (date(2024, 4, 3), D("-50.00"), "SUPERMARCHE"),
        (date(2024, 6, 5), D("20.00"), "REMBOURSEMENT"),
    ]


def test_month_first_when_a_value_proves_it_and_last_record_without_caret(store):
    load(store, "qif_monthfirst_proof.qif")
    assert store.run("SELECT booked_on, amount, label FROM transactions ORDER BY 1") == [
        (date(2024, 3, 4), D("-10.00"), "STATION SERVICE"),
        (date(2024, 3, 25), D("-20.00"), "PHARMACY"),
    ]


def test_cash_account_with_dotted_dates(store):
    load(store, "qif_cash_dotted.qif")
    assert store.run("SELECT booked_on, amount, label, counterparty, bank_category"
                     " FROM transactions ORDER BY 1") == [
        (date(2024, 2, 1), D("-4.50"), "Marché", "Marché", "Alimentation:Marché"),
        (date(2024, 2, 13), D("-2.00"), "Pourboire", None, None),
    ]


@pytest.mark.parametrize("dates, expected", [
    (["1/2'24"], [date(2024, 1, 2)]),  # Quicken US: apostrophe years are month-first
    (["1/ 2' 4"], [date(2004, 1, 2)]),  # Quicken pads with spaces
    (["12/31/99"], [date(1999, 12, 31)]),  # 69-99 are 19xx
    (["01/02/68"], [date(2068, 2, 1)]),  # 00-68 are 20xx
    (["01/02/2024", "13/02/2024"], [date(2024, 2, 1), date(2024, 2, 13)]),
    (["01/02/2024", "02/13/2024"], [date(2024, 1, 2), date(2024, 2, 13)]),
    (["1.2.2024"], [date(2024, 2, 1)]),
    (["2024-02-01", "2024/02/03"], [date(2024, 2, 1), date(2024, 2, 3)]),
    (["01-02-2024"], [date(2024, 2, 1)]),
])
def test_date_forms(dates, expected):
    text = "!Type:Bank\n" + "".join(f"D{d}\nT-1.00\n^\n" for d in dates)
    parsed = parse_text(text)
    assert parsed.errors == []
    assert list(parsed.tables["transactions"]["booked_on"]) == [d.isoformat() for d in expected]


@pytest.mark.parametrize("amounts, expected", [
    (["-1,234.56", "12.00"], ["-1234.56", "12.00"]),
    (["-1234,56", "12,00"], ["-1234.56", "12.00"]),
    (["-1.234,56"], ["-1234.56"]),
    (["+20"], ["20"]),
])
def test_amount_forms(amounts, expected):
    text = "!Type:Bank\n" + "".join(f"D01/02/2024\nT{a}\n^\n" for a in amounts)
    parsed = parse_text(text)
    assert list(parsed.tables["transactions"]["amount"]) == expected


def test_u_amount_when_t_is_missing():
    parsed = parse_text("!Type:Bank\nD01/02/2024\nU-7.30\n^\n")
    assert list(parsed.tables["transactions"]["amount"]) == ["-7.30"]


def test_other_blocks_are_not_transactions():
    text = ("!Type:Cat\nNFood\nDFood and drinks\nE\n^\n"
            "!Type:Memorized\nKC\nT-5.00\nPCafe\n^\n"
            "!Type:Bank\nD01/02/2024\nT-1.00\nPOne\n^\n")
    parsed = parse_text(text)
    assert parsed.rows_read == 1
    assert list(parsed.tables["transactions"]["label"]) == ["One"]


def test_garbage_date_is_a_row_error_naming_the_line(store):
    report = import_file(store, InputFile.from_path(BANK / "qif_bad_date.qif"), "alice")
    assert report.status == "failed"
    assert isinstance(report.error, RejectedRowsError)
    assert report.error.line == 6
    assert report.error.message == "expected a date like 31/01/2024 in field D"
    assert "KO" not in str(report.error)
    assert store.counts()["transactions"] == 0
    report = import_file(store, InputFile.from_path(BANK / "qif_bad_date.qif"), "alice",
                         skip_bad_rows=True)
    assert store.run("SELECT label FROM transactions") == [("LIGNE OK",)]
    assert store.run("SELECT line FROM import_issues") == [(6,)]


def test_garbage_or_missing_amount_and_missing_date_name_the_line():
    parsed = parse_text("!Type:Bank\nD01/02/2024\nTabc\n^\nPNo date\nT-1.00\n^\n"
                        "D03/02/2024\nPNo amount\n^\n")
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, "expected an amount like -12.50 in field T"),
        (5, "expected a date like 31/01/2024 in field D"),
        (8, "expected an amount like -12.50 in field T"),
    ]


QIFS = sorted(p.name for p in BANK.glob("*.qif") if p.name != "qif_bad_date.qif")


@pytest.mark.parametrize("name", QIFS)
def test_reimport_adds_nothing(store, name):
    first = load(store, name).counts
    second = load(store, name).counts
    assert first.rows_inserted > 0
    assert (second.rows_inserted, second.rows_duplicate) == (0, first.rows_inserted)


@pytest.mark.parametrize("name", QIFS)
def test_detect(name):
    assert detect_source(InputFile.from_path(BANK / name)).name == "qif"


@pytest.mark.parametrize("name", [
    "bank/ofx1_sgml_checking.ofx", "bank/ofx2_xml_suncorp.ofx", "bank/camt053_v8.xml",
    "bank/fr_societe_generale.csv",
])
def test_detect_leaves_other_formats_alone(name):
    assert not qif.detect(InputFile.from_path(conformance(name)))


def test_detect_needs_the_marker_on_the_first_line():
    assert qif.detect(InputFile.from_bytes("a.qif", b"\xef\xbb\xbf\n\n!type:bank\nD1/2/24\n"))
    assert not qif.detect(InputFile.from_bytes("a.txt", b"Date;Label\n!Type:Bank\n"))


def test_contradicting_date_orders_reject_the_rows_that_do_not_fit():
    parsed = parse_text("!Type:Bank\nD13/02/2024\nT-1.00\n^\nD02/13/2024\nT-2.00\n^\n")
    assert list(parsed.tables["transactions"]["booked_on"]) == ["2024-02-13"]
    assert [(e.line, e.message) for e in parsed.errors] == [
        (5, "expected a date like 31/01/2024 in field D")]
