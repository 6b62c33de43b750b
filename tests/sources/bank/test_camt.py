"""ISO 20022 camt.052 / camt.053 / camt.054: conformance files and hand-written fixtures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError, RejectedRowsError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import camt
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import conformance, table_rows

BANK = Path(__file__).resolve().parent / "fixtures"
TX = ("SELECT account_id, booked_on, value_on, amount, currency, label, counterparty,"
      " bank_category, uid FROM transactions ORDER BY booked_on, amount")


def _import(store, path: Path, **options):
    report = import_file(store, InputFile.from_path(path), "me", **options)
    assert report.status == "imported", report.error
    assert report.source.name == "camt"
    return report


def _sum(store) -> Decimal:
    return store.run("SELECT coalesce(sum(amount), 0) FROM transactions")[0][0]


def test_conformance_camt053_v8(store):
    report = _import(store, conformance("bank/camt053_v8.xml"))
    assert report.counts.rows_inserted == 1
    assert _sum(store) == Decimal("8.85")
    acct = "NL26VAYB8060476890"
    assert store.run(TX) == [(
        acct, date(2014, 12, 31), date(2015, 1, 2), Decimal("8.85"), "EUR", None,
        "NAME NAME",  # a credit: the debtor is the other side
        "PMNT/RCDT/BOOK", f"camt:{acct}:AAAASESS-FP-CN_98765/01",
    )]
    # the closing booked balance (CLBD), not the opening or available ones
    assert store.run("SELECT account_id, as_of, amount, currency FROM balances") == [
        (acct, date(2014, 12, 30), Decimal("-27.00"), "SEK")]
    assert store.run("SELECT institution FROM accounts") == [("AAAA BANKEN",)]


def test_conformance_camt052_v8_booking_datetime_with_offset(store):
    report = _import(store, conformance("bank/camt052_v8.xml"))
    assert report.counts.rows_inserted == 1
    assert _sum(store) == Decimal("-200000")
    # BookgDt 2007-10-18T10:15:00+01:00: the date as written; a batch of 20 without TxDtls
    assert store.run(TX) == [(
        "CH2801234000123456789", date(2007, 10, 18), date(2007, 10, 18), Decimal("-200000.00"),
        "SEK", "Credit", None, "PMNT/ICDT/XBCT",
        "camt:CH2801234000123456789:AAAASESS-FP-ACCR-01",
    )]
    assert store.run("SELECT count(*) FROM balances") == [(0,)]


def test_v02_statement_two_entries_and_closing_balance(store):
    _import(store, BANK / "camt053_v02_statement.xml")
    acct = "FR7630006000011234567890189"
    assert store.run(TX) == [
        (acct, date(2024, 1, 31), date(2024, 1, 30), Decimal("-42.66"), "EUR",
         "PRLV SEPA EDF ECHEANCE JANVIER 2024", "EDF CLIENTS PARTICULIERS",
         "PMNT/IDDT/ESDD", f"camt:{acct}:2024013100042"),
        (acct, date(2024, 1, 31), date(2024, 1, 31), Decimal("1844.41"), "EUR",
         "VIR SEPA RECU /DE SOCIETE EXEMPLE /MOTIF SALAIRE",  # AddtlNtryInf before Ustrd
         "SOCIÉTÉ EXEMPLE SAS", "0205", f"camt:{acct}:2024013100043"),
    ]
    assert store.run("SELECT as_of, amount, currency FROM balances") == [
        (date(2024, 1, 31), Decimal("3325.15"), "EUR")]
    assert store.run("SELECT account_id, institution, currency, label FROM accounts") == [
        (acct, "AGRIFRPP882", "EUR", "Compte de dépôt")]


def test_v04_notification_ntryref_and_no_reference(store):
    report = _import(store, BANK / "camt054_v04_notification.xml")
    assert report.counts.rows_inserted == 2
    rows = store.run(TX)[::-1]
    acct = "CH9300762011623852957"
    assert rows[0] == (acct, date(2024, 3, 5), date(2024, 3, 5), Decimal("250.00"), "CHF",
                       "Miete Maerz", "Anna Muster", "PMNT/RCDT/AUTT", f"camt:{acct}:NTF7-001")
    assert rows[1][:8] == (acct, date(2024, 3, 5), date(2024, 3, 5), Decimal("-4.50"), "CHF",
                           "Gebuehr Bargeldbezug", None, "ACMT/MDOP/CHRG")
    assert not rows[1][8].startswith("camt:")  # no reference: the store's content hash
    assert store.run("SELECT count(*) FROM balances") == [(0,)]  # notifications have none


def test_batch_entry_split_per_transaction_details(store):
    _import(store, BANK / "camt053_v08_batch.xml")
    acct = "DE02120300000000202051"
    ref = f"camt:{acct}:2024040200017"
    split = store.run(
        "SELECT amount, label, counterparty, uid FROM transactions"
        " WHERE uid LIKE ? ORDER BY uid", [ref + ":%"])
    # one EndToEndId is NOTPROVIDED, so every part is numbered by its position
    assert split == [
        (Decimal("-50.00"), "Abschlag April", "Stadtwerke Musterstadt", ref + ":1"),
        (Decimal("-70.00"), "Nebenkosten", "Hausverwaltung Schmidt", ref + ":2"),
        (Decimal("-30.00"), "Beitrag Q2", "Sportverein Musterstadt e.V.", ref + ":3"),
    ]
    assert sum(r[0] for r in split) == Decimal("-150.00")  # the entry's amount
    # parts that do not add up (40 + 50 for 100) or carry no amount: the entry stays whole
    assert store.run(
        "SELECT amount, label, counterparty, uid FROM transactions"
        " WHERE uid NOT LIKE ? ORDER BY uid", [ref + ":%"]) == [
        (Decimal("100.00"), "SEPA-LASTSCHRIFT-EINZUG", None, f"camt:{acct}:2024040200018"),
        (Decimal("-80.00"), "SAMMEL-UEBERWEISUNG SPENDEN", None, f"camt:{acct}:2024040200019"),
    ]
    assert _sum(store) == Decimal("-130.00")


def test_batch_parts_keep_their_own_references():
    data = (BANK / "camt053_v08_batch.xml").read_bytes().replace(
        b"<EndToEndId>NOTPROVIDED</EndToEndId>", b"<EndToEndId>NK-2024</EndToEndId>")
    parsed = camt.parse(InputFile.from_bytes("batch.xml", data), ParseContext("me"))
    uids = list(parsed.tables["transactions"]["uid"])[:3]
    ref = "camt:DE02120300000000202051:2024040200017"
    assert uids == [f"{ref}:ABSCHLAG-04", f"{ref}:NK-2024", f"{ref}:BEITRAG-Q2"]


def test_reversal_keeps_the_sign_of_its_indicator(store):
    _import(store, BANK / "camt053_v06_reversal.xml")
    rows = store.run("SELECT booked_on, amount, counterparty, bank_category FROM transactions"
                     " ORDER BY booked_on")
    assert rows == [
        (date(2024, 2, 5), Decimal("-39.99"), "FREE MOBILE", "PMNT/IDDT/ESDD"),
        # CRDT + RvslInd: the money came back; the other side is the original creditor
        (date(2024, 2, 8), Decimal("39.99"), "FREE MOBILE", "PMNT/IDDT/UPDD"),
    ]
    assert _sum(store) == 0
    assert store.run("SELECT as_of, amount FROM balances") == [(date(2024, 2, 4),
                                                                Decimal("-12.30"))]


def test_pending_and_info_entries_are_skipped(store):
    report = _import(store, BANK / "camt052_v08_pending.xml")
    assert (report.counts.rows_read, report.counts.rows_inserted,
            report.counts.rows_rejected) == (2, 2, 0)
    rows = store.run(TX)
    assert [r[:6] for r in rows] == [
        # BookgDt 2024-05-01T00:30:00+02:00 stays on May 1st (UTC would say April 30th)
        ("0012345678", date(2024, 5, 1), date(2024, 4, 30), Decimal("-23.80"), "EUR",
         "CB BOULANGERIE DU PORT 30/04"),
        # no status at all: taken as booked
        ("0012345678", date(2024, 5, 1), None, Decimal("15.00"), "EUR", "VIR INSTANTANE RECU"),
    ]
    assert store.run("SELECT institution FROM accounts") == [("Banque Exemple",)]


@pytest.mark.parametrize("name", sorted(p.name for p in BANK.glob("camt05*.xml")
                                        if "bad" not in p.name))
def test_reimport_adds_nothing(store, name):
    _import(store, BANK / name)
    before = table_rows(store)
    again = _import(store, BANK / name)
    assert again.counts.rows_inserted == 0
    assert again.counts.rows_duplicate == again.counts.rows_read
    after = table_rows(store)
    for table in ("transactions", "balances", "accounts"):
        assert after[table] == before[table]


def test_unreadable_amount_or_date_names_the_entry_line(store):
    path = BANK / "camt053_v08_bad_rows.xml"
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.status == "failed"
    assert isinstance(report.error, RejectedRowsError)
    assert report.error.line == 15
    assert "Ntry/Amt" in report.error.message and "12,50" not in report.error.message
    assert store.counts()["imports"] == 0
    report = import_file(store, InputFile.from_path(path), "me", skip_bad_rows=True)
    assert [(e.line, e.message) for e in report.issues] == [
        (15, "expected an unsigned amount in Ntry/Amt and CRDT or DBIT in CdtDbtInd"),
        (22, "expected a date in Ntry/BookgDt (Dt or DtTm)"),
    ]
    assert (report.counts.rows_read, report.counts.rows_inserted,
            report.counts.rows_rejected) == (3, 1, 2)
    assert _sum(store) == Decimal("-3.20")


def test_truncated_statement_is_a_format_error_with_its_line():
    data = (BANK / "camt053_v02_statement.xml").read_bytes()
    inp = InputFile.from_bytes("cut.xml", data[: data.index(b"<Ntry>") + 40])
    with pytest.raises(FormatError) as e:
        camt.parse(inp, ParseContext("me"))
    assert e.value.line is not None and e.value.line > 70


@pytest.mark.parametrize("head, claimed", [
    (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.13">',
     True),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">', True),
    # other ISO 20022 messages (payment orders, status reports) are not statements
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">', False),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.01">', False),
    (b"<OFX><BANKMSGSRSV1>camt.053</BANKMSGSRSV1></OFX>", False),
])
def test_detect(head, claimed):
    assert camt.detect(InputFile.from_bytes("x.xml", head)) is claimed


def test_detect_source_picks_camt_for_every_fixture():
    for path in BANK.glob("camt05*.xml"):
        assert detect_source(InputFile.from_path(path)).name == "camt"


def test_unreadable_closing_balance_names_its_line():
    data = (BANK / "camt053_v02_statement.xml").read_bytes().replace(
        b'<Amt Ccy="EUR">3325.15</Amt>', b'<Amt Ccy="EUR">3325,15</Amt>')
    lines = data.decode().splitlines()
    closing = lines.index("            <Cd>CLBD</Cd>")
    bal_line = max(i for i in range(closing) if lines[i].strip() == "<Bal>") + 1
    parsed = camt.parse(InputFile.from_bytes("bal.xml", data), ParseContext("me"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (bal_line, "expected Amt, CdtDbtInd and Dt (Dt or DtTm) in the balance Bal")]
    assert "balances" not in parsed.tables
    assert len(parsed.tables["transactions"]) == 2


def test_a_reference_repeated_in_one_file_does_not_hide_a_row(store):
    data = (BANK / "camt053_v02_statement.xml").read_bytes().replace(
        b"<AcctSvcrRef>2024013100043</AcctSvcrRef>", b"<AcctSvcrRef>2024013100042</AcctSvcrRef>")
    path = Path(store.path).parent / "same-ref.xml"
    path.write_bytes(data)
    _import(store, path)
    ref = "camt:FR7630006000011234567890189:2024013100042"
    assert store.run("SELECT uid, amount FROM transactions ORDER BY uid") == [
        (ref, Decimal("-42.66")), (ref + "#2", Decimal("1844.41"))]
