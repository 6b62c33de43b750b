"""SWIFT MT940: one fixture per variant, each with its exact rows; the `mt-940` package reads
what it copes with, the tolerant reader the rest, and both give the same rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import mt940
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import conformance

BANK = Path(__file__).resolve().parent / "fixtures"
D = Decimal


def load(store, path: Path) -> list[tuple]:
    report = import_file(store, InputFile.from_path(path), "ana")
    assert report.status == "imported", report.error
    return store.run("SELECT booked_on, value_on, amount, label, counterparty, account_id"
                     " FROM transactions ORDER BY booked_on, amount")


def test_abn_amro_conformance(store) -> None:
    path = conformance("mt940/abnamro.sta")
    assert mt940.readers(InputFile.from_path(path)) == ["mt-940", "mt-940"]
    rows = load(store, path)
    assert len(rows) == 10 and sum(r[2] for r in rows) == D("-345.93")
    # `:61:1105210523D107,N426NONREF`: value date 21 May, booked 23 May, '107,' is 107.00
    assert (date(2011, 5, 23), date(2011, 5, 21), D("-107.00"),
            "BEA NR:XXX1234 21.05.11/12.04 HANS ANDERS OPT./056 KAT,PAS999", None,
            "517852257") in rows
    assert store.run("SELECT as_of, amount, currency FROM balances ORDER BY as_of") == [
        (date(2011, 5, 23), D("876.84"), "EUR"), (date(2011, 5, 24), D("1849.75"), "EUR")]


def test_swift_blocks_two_messages_structured_86_reversal_and_funds_code(store) -> None:
    path = BANK / "mt940_swift_blocks.sta"
    assert mt940.readers(InputFile.from_path(path)) == ["mt-940", "mt-940"]
    acct = "NL91INGB0001234567"  # ':25:NL91INGB0001234567EUR' less its currency
    assert load(store, path) == [
        (date(2024, 3, 1), date(2024, 3, 1), D("-42.10"), "KLANTNR 55123 MAART 2024",
         "ENERGIE NOORD BV", acct),
        (date(2024, 3, 1), date(2024, 3, 1), D("2500.00"), "SALARIS FEBRUARI 2024",
         "WERKGEVER BV", acct),
        # `DR9,`: a debit, funds code R, 9.00
        (date(2024, 3, 2), date(2024, 3, 2), D("-9.00"), "KOSTEN BETAALPAKKET MAART", None,
         acct),
        # `RD42,10`: the direct debit reversed, the money comes back
        (date(2024, 3, 2), date(2024, 3, 2), D("42.10"), "STORNO KLANTNR 55123",
         "ENERGIE NOORD BV", acct),
    ]
    assert store.run("SELECT as_of, amount FROM balances ORDER BY as_of") == [
        (date(2024, 3, 1), D("3978.35")), (date(2024, 3, 2), D("4011.45"))]


def test_german_gvc_subfields_wrapped_28c_and_61_read_by_the_tolerant_reader(store) -> None:
    path = BANK / "mt940_german_gvc.sta"
    # mt-940 refuses the `:28C:` wrapped over two lines: the tolerant reader takes the message
    assert mt940.readers(InputFile.from_path(path)) == ["tolerant"]
    acct = "10020030/0123456789"
    assert load(store, path) == [
        (date(2024, 3, 1), date(2024, 3, 1), D("-35.99"), "Rechnung Maerz 2024 Vertrag 4711",
         "Stadtwerke Musterstadt GmbH", acct),
        (date(2024, 3, 5), date(2024, 3, 5), D("1850.00"), "Gehalt Maerz 2024", "Beispiel AG",
         acct),
    ]
    assert store.run("SELECT bank_category FROM transactions ORDER BY booked_on") == [
        ("SEPA-BASISLASTSCHRIFT",), ("GUTSCHRIFT",)]


def test_counterparty_account_line_after_61_and_free_text_86(store) -> None:
    acct = "NL23RABO0123456789"
    assert load(store, BANK / "mt940_counterparty_line.sta") == [
        (date(2024, 3, 15), date(2024, 3, 15), D("-64.95"),
         "Online bestelling 8841-221 Webwinkel.nl", "NL02ABNA0123456789", acct),
        (date(2024, 3, 15), date(2024, 3, 15), D("12.50"), "Terugbetaling lunch Vriend Jansen",
         "NL63INGB0004567890", acct),
    ]


@pytest.mark.parametrize("name", ["mt940_swift_blocks.sta", "mt940_counterparty_line.sta"])
def test_tolerant_reader_gives_the_rows_mt940_gives(name: str, monkeypatch) -> None:
    inp = InputFile.from_path(BANK / name)
    with_library = mt940.parse(inp, ParseContext("ana")).tables["transactions"]
    monkeypatch.setattr(mt940, "read_with_library", lambda msg: False)
    tolerant = mt940.parse(inp, ParseContext("ana")).tables["transactions"]
    assert tolerant.equals(with_library)


def test_bad_statement_line_is_a_row_error_naming_its_line() -> None:
    text = (":20:X\n:25:12345678\n:28C:1\n:60F:C240101EUR10,00\n:61:2401XXD5,00NTRFNONREF\n"
            ":86:SECRET LABEL\n:61:240102D1,00NTRFNONREF\n:62F:C240102EUR9,00\n")
    parsed = mt940.parse(InputFile.from_bytes("x.sta", text.encode()), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (5, "expected a :61: statement line like 240301D12,50NTRFNONREF"
            " (date, D/C, amount, type)")]
    assert "SECRET" not in parsed.errors[0].message
    assert len(parsed.tables["transactions"]) == 1 and parsed.rows_read == 2


def test_reimport_adds_nothing(store) -> None:
    path = BANK / "mt940_swift_blocks.sta"
    load(store, path)
    report = import_file(store, InputFile.from_path(path), "ana")
    assert report.counts.rows_inserted == 0


@pytest.mark.parametrize("name", sorted(p.name for p in BANK.glob("mt940_*.sta")))
def test_fixtures_detected_as_mt940_only(name: str) -> None:
    assert detect_source(InputFile.from_path(BANK / name)).name == "mt940"


def test_mt942_interim_report_not_claimed() -> None:
    text = ":20:X\n:25:12345678\n:28C:1\n:34F:EUR0,\n:13D:2401021200+0100\n"
    assert mt940.detect(InputFile.from_bytes("x.sta", text.encode())) is False


def test_file_without_statement_is_refused_with_a_clear_message() -> None:
    text = "{1:F01BANKDEFFAXXX0000000000}{2:O9401200240302BANKDEFFAXXX0000000000240302N}{4:\n-}"
    with pytest.raises(FormatError, match="expected MT940 statements"):
        mt940.parse(InputFile.from_bytes("x.sta", text.encode()), ParseContext("ana"))
