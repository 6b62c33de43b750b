"""Revolut and N26 statement CSVs: fixtures of each variant with their exact rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import n26, revolut
from selfdata_kit.sources.base import InputFile, ParseContext

BANK = Path(__file__).resolve().parent / "fixtures"
D = Decimal


def load(store, name: str) -> list[tuple]:
    report = import_file(store, InputFile.from_path(BANK / name), "ana")
    assert report.status == "imported", report.error
    return store.run("SELECT account_id, booked_on, value_on, amount, currency, label,"
                     " bank_category FROM transactions ORDER BY account_id, booked_on, amount")


def test_revolut_completed_rows_only_fees_as_their_own_rows(store) -> None:
    cur, gbp, sav = "revolut:Current:EUR", "revolut:Current:GBP", "revolut:Savings:EUR"
    assert load(store, "revolut_statement.csv") == [
        (cur, date(2024, 3, 1), date(2024, 3, 1), D("200.00"), "EUR", "Top-Up by *4821",
         "topup"),
        (cur, date(2024, 3, 2), date(2024, 3, 1), D("-4.60"), "EUR", "Boulangerie Martin",
         "card_payment"),
        (cur, date(2024, 3, 3), date(2024, 3, 3), D("-50.00"), "EUR", "Exchanged to GBP",
         "exchange"),
        (cur, date(2024, 3, 3), date(2024, 3, 3), D("-0.50"), "EUR", "Fee: Exchanged to GBP",
         "fee"),
        (cur, date(2024, 3, 5), date(2024, 3, 5), D("-25.00"), "EUR", "To EUR Savings",
         "transfer"),
        (gbp, date(2024, 3, 3), date(2024, 3, 3), D("42.60"), "GBP", "Exchanged from EUR",
         "exchange"),
        (gbp, date(2024, 3, 6), date(2024, 3, 5), D("-12.99"), "GBP", "Book shop London",
         "card_payment"),
        (sav, date(2024, 3, 5), date(2024, 3, 5), D("25.00"), "EUR", "From EUR Current",
         "transfer"),
    ]  # the PENDING cinema and the REVERTED cafe are not there
    # each pocket's sum of amounts and fees is its last balance
    assert store.run("SELECT account_id, as_of, amount, currency FROM balances"
                     " ORDER BY account_id") == [
        (cur, date(2024, 3, 5), D("119.90"), "EUR"), (gbp, date(2024, 3, 6), D("29.61"), "GBP"),
        (sav, date(2024, 3, 5), D("25.00"), "EUR")]
    assert store.run("SELECT account_id, sum(amount) FROM transactions GROUP BY 1 ORDER BY 1") \
        == [(cur, D("119.90")), (gbp, D("29.61")), (sav, D("25.00"))]


def test_revolut_bad_amount_names_line_and_column() -> None:
    text = ("Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,"
            "Balance\nCARD_PAYMENT,Current,2024-03-01 10:00:00,2024-03-01 10:00:00,SECRET,"
            "abc,0.00,EUR,COMPLETED,1.00\n")
    parsed = revolut.parse(InputFile.from_bytes("r.csv", text.encode()), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, 'expected an amount like -12.50 in "Amount"')]


def test_n26_legacy_header(store) -> None:
    assert load(store, "n26_legacy.csv") == [
        # a card payment has no reference: the payee is the label
        ("n26", date(2022, 11, 2), date(2022, 11, 2), D("-23.47"), "EUR", "REWE Markt GmbH",
         "Food & Groceries"),
        ("n26", date(2022, 11, 3), date(2022, 11, 3), D("35.00"), "EUR", "Remboursement diner",
         "Income"),
        # paid in GBP: the EUR amount is kept, not the foreign one
        ("n26", date(2022, 11, 5), date(2022, 11, 5), D("-8.10"), "EUR", "Transport for London",
         "Transport"),
        ("n26", date(2022, 11, 7), date(2022, 11, 7), D("-650.00"), "EUR",
         "Miete November, Whg 3", "Household & Utilities"),
    ]
    assert store.run("SELECT counterparty FROM transactions ORDER BY booked_on") == [
        ("REWE Markt GmbH",), ("Marie Dupont",), ("Transport for London",),
        ("Hausverwaltung Berg GmbH",)]


def test_n26_2023_header_with_spaces(store) -> None:
    main, space = "n26:Main Account", "n26:Urlaub"
    assert load(store, "n26_2023.csv") == [
        (main, date(2024, 2, 1), date(2024, 2, 1), D("2450.00"), "EUR", "Gehalt Februar", None),
        (main, date(2024, 2, 2), date(2024, 2, 1), D("-18.35"), "EUR", "Lidl", None),
        (main, date(2024, 2, 3), date(2024, 2, 3), D("-100.00"), "EUR", "Moved to Space", None),
        (space, date(2024, 2, 3), date(2024, 2, 3), D("100.00"), "EUR", "Moved to Space", None),
    ]


def test_n26_bad_date_names_line_and_column() -> None:
    text = ('"Date","Payee","Account number","Transaction type","Payment reference","Category",'
            '"Amount (EUR)"\n"02/11/2022","X","","MasterCard Payment","","Food","-1.00"\n')
    parsed = n26.parse(InputFile.from_bytes("n.csv", text.encode()), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, 'expected a date like 2024-03-01 in "Date"')]


@pytest.mark.parametrize(("name", "source"), [
    ("revolut_statement.csv", "revolut-csv"), ("n26_legacy.csv", "n26-csv"),
    ("n26_2023.csv", "n26-csv")])
def test_detected_by_exactly_one_source(name: str, source: str) -> None:
    assert detect_source(InputFile.from_path(BANK / name)).name == source


def test_reimport_adds_nothing(store) -> None:
    load(store, "revolut_statement.csv")
    report = import_file(store, InputFile.from_path(BANK / "revolut_statement.csv"), "ana")
    assert report.counts.rows_inserted == 0
