"""OFX statements: conformance files, one fixture per variant seen in real exports, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError, RejectedRowsError, UnsafeInputError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import ofx, qif
from selfdata_kit.sources.bank.ofx_tolerant import read_tolerant, read_with_ofxtools
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import conformance

BANK = Path(__file__).resolve().parent / "fixtures"
TX = ("SELECT account_id, booked_on, value_on, amount, currency, label, counterparty,"
      " bank_category, uid FROM transactions ORDER BY account_id, booked_on, uid")
D = Decimal


def load(store, path: Path | str, **options):
    report = import_file(store, InputFile.from_path(path), "alice", **options)
    assert report.status == "imported", report.error
    assert report.source.name == "ofx"
    return report


def load_bytes(store, data: bytes, **options):
    return import_file(store, InputFile.from_bytes("statement.ofx", data), "alice", **options)


# --- conformance files ---------------------------------------------------------------


def test_conformance_ofx1_sgml_checking(store):
    load(store, conformance("bank/ofx1_sgml_checking.ofx"))
    assert store.run("SELECT count(*), sum(amount) FROM transactions") == [(3, D("-59.50"))]
    assert store.run("SELECT account_id, as_of, amount, currency FROM balances") == [
        ("1452687~7", date(2013, 5, 25), D("100.99"), "USD")]
    assert store.run("SELECT account_id, institution, kind, currency FROM accounts") == [
        ("1452687~7", "FAKE", "checking", "USD")]
    # NAME is cut at 32 characters and MEMO carries the whole text: the label is MEMO
    assert store.run("SELECT label FROM transactions WHERE uid = 'ofx:1452687~7:0000487'") == [
        ("AUTOMATIC WITHDRAWAL, ELECTRIC BILL WEB(S )",)]


def test_conformance_ofx2_xml_suncorp(store):
    load(store, conformance("bank/ofx2_xml_suncorp.ofx"))
    assert store.run(TX) == [
        ("123456789", date(2013, 12, 15), None, D("-16.85"), "AUD",
         "EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU", "EFTPOS WDL HANDYWAY ALDI STORE",
         "DEBIT", "ofx:123456789:1")]


def test_ofxtools_reads_what_it_can_and_agrees_with_the_tolerant_reader():
    text = conformance("bank/ofx1_sgml_checking.ofx").read_text("utf-8")
    body = text[text.index("<OFX>"):]
    strict = read_with_ofxtools(body)
    assert strict is not None
    tolerant = read_tolerant(body, "x")
    as_pairs = [[(e.tag, (e.text or "").strip()) for e in root.iter()]
                for root in (strict, tolerant)]
    assert as_pairs[0] == as_pairs[1]


# --- one fixture per variant ---------------------------------------------------------


def test_sgml_unclosed_leaf_tags(store):
    load(store, BANK / "ofx1_unclosed_sgml.ofx")
    acct = "00050012345"
    assert store.run(TX) == [
        (acct, date(2024, 1, 5), date(2024, 1, 4), D("-12.50"), "EUR",
         "CB BOULANGERIE PAUL CARTE X1234 04/01", "CB BOULANGERIE PAUL", "DEBIT",
         f"ofx:{acct}:2024010500001"),
        (acct, date(2024, 1, 26), None, D("2150.00"), "EUR", "VIR SALAIRE ACME SAS",
         "VIR SALAIRE ACME SAS", "CREDIT", f"ofx:{acct}:2024012600002"),
        (acct, date(2024, 1, 29), None, D("-64.99"), "EUR",
         "PRLV EDF CLIENTS PARTICULIERS ECH 29/01/24 REF 123", "PRLV EDF CLIENTS PARTICULIERS",
         "DIRECTDEBIT", f"ofx:{acct}:2024012900003"),
    ]
    # no FI/ORG in the sign-on: the institution is the BANKID
    assert store.run("SELECT account_id, institution, kind, currency, label FROM accounts") == [
        (acct, "30003", "checking", "EUR", "30003 checking 2345")]
    assert store.run("SELECT as_of, amount FROM balances") == [(date(2024, 1, 31), D("1523.47"))]


def test_no_header(store):
    load(store, BANK / "ofx1_no_header.ofx")
    assert store.run("SELECT booked_on, amount, label, bank_category FROM transactions"
                     " ORDER BY booked_on") == [
        (date(2024, 2, 15), D("200.00"), "VIREMENT DEPUIS COMPTE COURANT", "XFER"),
        (date(2024, 2, 29), D("3.12"), "INTERETS", "INT"),
    ]
    assert store.run("SELECT account_id, institution, kind FROM accounts") == [
        ("04123456789", "17515", "savings")]


@pytest.mark.parametrize("name", ["ofx1_content_type.ofx", "ofx1_stray_bytes.ofx"])
def test_content_type_line_or_stray_bytes_before_the_header(store, name):
    load(store, BANK / name)
    acct = "00012345601"
    assert store.run(TX) == [
        (acct, date(2024, 1, 10), None, D("-8.40"), "EUR", "CB MONOPRIX PARIS 09/01",
         "CB MONOPRIX PARIS 09/01", "POS", f"ofx:{acct}:F1"),
        (acct, date(2024, 1, 12), None, D("-40.00"), "EUR", "RETRAIT DAB 12/01",
         "RETRAIT DAB 12/01", "ATM", f"ofx:{acct}:F2"),
    ]
    assert store.run("SELECT institution, amount FROM accounts JOIN balances USING (account_id)"
                     ) == [("BNP PARIBAS", D("912.60"))]


def test_charset_1252_header_over_a_utf8_body(store):
    load(store, BANK / "ofx1_charset1252_utf8_body.ofx")
    assert store.run("SELECT label, counterparty, amount FROM transactions ORDER BY uid") == [
        ("CB CAFÉ DE LA GARE PÂTISSERIE À EMPORTER", "CB CAFÉ DE LA GARE", D("-23.90")),
        ("REMBOURSEMENT SÉCU", "REMBOURSEMENT SÉCU", D("15.00")),
    ]


def test_utf8_header_over_windows_1252_bytes(store):
    load(store, BANK / "ofx1_cp1252_bytes.ofx")
    assert store.run("SELECT label, amount FROM transactions") == [
        ("CB BOULANGERIE DU CŒUR ÉCLAIR 5,60€", D("-5.60"))]


def test_amounts_with_plus_sign_or_decimal_comma(store):
    load(store, BANK / "ofx1_amount_signs.ofx")
    assert store.run("SELECT uid, amount FROM transactions ORDER BY uid") == [
        ("ofx:00012345604:A1", D("1500.00")),
        ("ofx:00012345604:A2", D("-12.50")),
        ("ofx:00012345604:A3", D("7.25")),
        ("ofx:00012345604:A4", D("-30.00")),
    ]
    assert store.run("SELECT amount FROM balances") == [(D("2464.75"),)]


def test_dates_keep_the_banks_day_whatever_the_time_zone(store):
    load(store, BANK / "ofx1_dates.ofx")
    assert store.run("SELECT label, booked_on, value_on FROM transactions ORDER BY uid") == [
        ("DATE SEULE", date(2024, 1, 10), None),
        ("DATE ET HEURE", date(2024, 1, 11), None),
        ("MILLISECONDES", date(2024, 1, 12), None),
        # 23:00 in New York is already the 14th in UTC: the bank's day is kept
        ("NEW YORK LE SOIR", date(2024, 1, 13), date(2024, 1, 13)),
        # 00:30 in Paris is still the 13th in UTC
        ("PARIS APRES MINUIT", date(2024, 1, 14), date(2024, 1, 13)),
        ("LONDRES", date(2024, 1, 15), None),
    ]
    assert store.run("SELECT as_of FROM balances") == [(date(2024, 1, 31),)]


def test_several_statements_in_one_file(store):
    load(store, BANK / "ofx1_two_accounts.ofx")
    assert store.run("SELECT account_id, amount, uid FROM transactions ORDER BY account_id") == [
        ("00011111111", D("-100.00"), "ofx:00011111111:S1"),
        ("00022222222", D("100.00"), "ofx:00022222222:S1"),
    ]
    assert store.run("SELECT account_id, kind FROM accounts ORDER BY account_id") == [
        ("00011111111", "checking"), ("00022222222", "savings")]
    assert store.run("SELECT account_id, amount FROM balances ORDER BY account_id") == [
        ("00011111111", D("400.00")), ("00022222222", D("1100.00"))]


def test_empty_or_missing_balance_gives_no_balance_row(store):
    text = (BANK / "ofx1_empty_balance.ofx").read_text("ascii")
    assert read_with_ofxtools(text[text.index("<OFX>"):]) is None  # the tolerant reader's job
    load(store, BANK / "ofx1_empty_balance.ofx")
    assert store.run("SELECT count(*) FROM balances") == [(0,)]
    assert store.run("SELECT account_id, booked_on, amount FROM transactions ORDER BY 1") == [
        ("00033333333", date(2024, 1, 21), D("-9.99")),
        ("00044444444", date(2024, 1, 22), D("-19.99")),
    ]
    assert store.run("SELECT count(*) FROM accounts") == [(2,)]


def test_ofx2_xml_with_cdata_entities_payee_and_foreign_currency(store):
    load(store, BANK / "ofx2_xml_cdata.ofx")
    acct = "987654321"
    assert store.run(TX) == [
        (acct, date(2024, 2, 3), None, D("-45.10"), "USD",
         "TRADER JOE'S #552 Groceries <weekly> & snacks", "TRADER JOE'S #552", "POS",
         f"ofx:{acct}:202402030"),
        (acct, date(2024, 2, 10), None, D("-120.00"), "USD", "AT&T WIRELESS AUTOPAY",
         "AT&T WIRELESS", "PAYMENT", f"ofx:{acct}:202402100"),
        (acct, date(2024, 2, 15), None, D("-30.00"), "EUR", "HOTEL DU LOUVRE PARIS",
         "HOTEL DU LOUVRE PARIS", "POS", f"ofx:{acct}:202402150"),
    ]
    assert store.run("SELECT institution, currency FROM accounts") == [("Chase & Co", "USD")]
    assert store.run("SELECT as_of, amount FROM balances") == [(date(2024, 2, 29), D("2540.33"))]


def test_ofx2_with_unclosed_tags_anyway(store):
    load(store, BANK / "ofx2_unclosed_tags.ofx")
    acct = "12345678901"
    assert store.run(TX) == [
        (acct, date(2024, 3, 4), None, D("-54.20"), "EUR", "CARTE 02/03 SNCF INTERNET",
         "CARTE 02/03 SNCF INTERNET", "DEBIT", f"ofx:{acct}:0304A"),
        (acct, date(2024, 3, 5), None, D("800.00"), "EUR", "VIR CAF ALLOCATIONS FAMILIALES",
         "VIR CAF", "CREDIT", f"ofx:{acct}:0305B"),
    ]
    assert store.run("SELECT amount FROM balances") == [(D("1745.80"),)]


def test_credit_card_statement(store):
    load(store, BANK / "ofx1_creditcard.ofx")
    acct = "XXXXXXXXXXX1005"
    assert store.run(TX) == [
        (acct, date(2024, 2, 7), None, D("-89.95"), "USD", "AMAZON.COM AMZN.COM/BILL WA",
         "AMAZON.COM", "DEBIT", f"ofx:{acct}:320240070001"),
        (acct, date(2024, 2, 25), None, D("500.00"), "USD", "ONLINE PAYMENT - THANK YOU",
         "ONLINE PAYMENT - THANK YOU", "CREDIT", f"ofx:{acct}:320240250002"),
    ]
    assert store.run("SELECT institution, kind, label FROM accounts") == [
        ("AMEX", "creditcard", "AMEX creditcard 1005")]
    assert store.run("SELECT amount FROM balances") == [(D("-1250.40"),)]


def test_lower_case_tags(store):
    text = (BANK / "ofx1_no_header.ofx").read_text("ascii")
    lowered = "\n".join(line.lower() if line.startswith("<") and ">" in line else line
                        for line in text.splitlines())
    load_bytes(store, lowered.encode())
    assert store.run("SELECT count(*), sum(amount) FROM transactions") == [(2, D("203.12"))]
    assert store.run("SELECT uid FROM transactions ORDER BY uid") == [
        ("ofx:04123456789:la240215a",), ("ofx:04123456789:la240229b",)]


def test_fitid_repeated_inside_one_statement_keeps_both_rows(store):
    text = (BANK / "ofx1_amount_signs.ofx").read_text("ascii").replace("<FITID>A2", "<FITID>A1")
    load_bytes(store, text.encode())
    assert store.run("SELECT uid, amount FROM transactions ORDER BY uid") == [
        ("ofx:00012345604:A1", D("1500.00")),
        ("ofx:00012345604:A1#2", D("-12.50")),
        ("ofx:00012345604:A3", D("7.25")),
        ("ofx:00012345604:A4", D("-30.00")),
    ]


VARIANTS = sorted(p.name for p in BANK.glob("*.ofx")
                  if p.name not in ("ofx1_truncated.ofx", "ofx1_bad_date.ofx"))


@pytest.mark.parametrize("name", VARIANTS)
def test_reimport_adds_nothing(store, name):
    first = load(store, BANK / name).counts
    assert first.rows_inserted > 0
    before = store.counts()
    second = load(store, BANK / name).counts
    assert second.rows_inserted == 0
    assert second.rows_duplicate == first.rows_inserted
    after = store.counts()
    assert {t: n for t, n in after.items() if t != "imports"} == {
        t: n for t, n in before.items() if t != "imports"}


# --- detection -----------------------------------------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_detect_claims_every_ofx_variant(name):
    assert detect_source(InputFile.from_path(BANK / name)).name == "ofx"


@pytest.mark.parametrize("name", [
    "bank/camt053_v8.xml", "bank/camt052_v8.xml", "bank/fr_societe_generale.csv",
    "calls/android_sms_backup_restore_calls.xml",
])
def test_detect_leaves_other_formats_alone(name):
    assert not ofx.detect(InputFile.from_path(conformance(name)))


def test_detect_leaves_qif_alone():
    for path in BANK.glob("*.qif"):
        inp = InputFile.from_path(path)
        assert qif.detect(inp) and not ofx.detect(inp), path.name


# --- bad input -----------------------------------------------------------------------


def test_garbage_date_is_a_row_error_naming_the_line(store):
    report = import_file(store, InputFile.from_path(BANK / "ofx1_bad_date.ofx"), "alice")
    assert report.status == "failed"
    assert isinstance(report.error, RejectedRowsError)
    assert report.error.line == 52
    assert report.error.message == "expected an OFX date like 20240131 in DTPOSTED"
    assert "INVALIDE" not in str(report.error)  # no personal content in messages
    assert store.run("SELECT count(*) FROM transactions") == [(0,)]  # nothing half-imported

    report = import_file(store, InputFile.from_path(BANK / "ofx1_bad_date.ofx"), "alice",
                         skip_bad_rows=True)
    assert report.status == "imported"
    assert (report.counts.rows_read, report.counts.rows_inserted) == (2, 1)
    assert store.run("SELECT line, message FROM import_issues") == [
        (52, "expected an OFX date like 20240131 in DTPOSTED")]


def test_garbage_amount_is_a_row_error_naming_the_line():
    text = (BANK / "ofx1_unclosed_sgml.ofx").read_text("ascii").replace("-64.99", "N/A")
    parsed = ofx.parse(InputFile.from_bytes("x.ofx", text.encode()), ParseContext("alice"))
    line = text.splitlines().index("<TRNAMT>N/A") + 1
    assert [(e.line, e.message) for e in parsed.errors] == [
        (line, "expected an amount like -12.50 in TRNAMT")]
    assert len(parsed.tables["transactions"]) == 2


def test_line_numbers_count_the_lines_before_the_header():
    data = (BANK / "ofx1_bad_date.ofx").read_bytes()
    parsed = ofx.parse(InputFile.from_bytes("x.ofx", b"\xef\xbb\xbf\n\n\n" + data),
                       ParseContext("alice"))
    assert [e.line for e in parsed.errors] == [55]


def test_truncated_inside_a_transaction(store):
    report = import_file(store, InputFile.from_path(BANK / "ofx1_truncated.ofx"), "alice")
    assert report.status == "failed"
    assert isinstance(report.error, FormatError)
    assert report.error.line == 50  # where the cut transaction starts
    assert "truncated" in report.error.message
    assert store.counts()["transactions"] == 0


def test_truncated_between_transactions_is_refused_too(store):
    text = (BANK / "ofx1_unclosed_sgml.ofx").read_text("ascii")
    cut = text.index("</STMTTRN>") + len("</STMTTRN>\n")
    report = load_bytes(store, text[:cut].encode())
    assert report.status == "failed"
    assert "truncated" in report.error.message
    assert report.error.line == text[:cut].splitlines().index("<BANKTRANLIST>") + 1


def test_missing_final_ofx_end_tag_is_forgiven(store):
    text = (BANK / "ofx1_unclosed_sgml.ofx").read_text("ascii").replace("</OFX>", "")
    assert load_bytes(store, text.encode()).status == "imported"
    assert store.run("SELECT count(*) FROM transactions") == [(3,)]


@pytest.mark.parametrize("data, expected", [
    (b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n", "expected an <OFX> element"),
    (b"OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1><SONRS><CODE>0</SONRS></SIGNONMSGSRSV1></OFX>",
     "expected a statement (STMTRS or CCSTMTRS)"),
])
def test_no_ofx_structure_is_a_format_error(store, data, expected):
    report = load_bytes(store, data)
    assert report.status == "failed"
    assert isinstance(report.error, FormatError)
    assert expected in report.error.message


def test_ofx2_declaring_entities_is_refused(store):
    text = (BANK / "ofx2_xml_cdata.ofx").read_text("ascii")
    hostile = text.replace("<OFX>", '<!DOCTYPE OFX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                           "\n<OFX>").replace("AUTOPAY", "&xxe;")
    report = load_bytes(store, hostile.encode())
    assert report.status == "failed"
    assert isinstance(report.error, UnsafeInputError)
    assert "entities" in report.error.message and "refused" in report.error.message
    assert store.counts()["transactions"] == 0


def test_several_ofx_documents_concatenated_in_one_file(store):
    data = b"".join((BANK / n).read_bytes() for n in ("ofx1_unclosed_sgml.ofx",
                                                      "ofx1_bad_date.ofx"))
    report = load_bytes(store, data)
    assert report.status == "failed"  # the second document's bad date, at its line in the file
    first_lines = (BANK / "ofx1_unclosed_sgml.ofx").read_text("ascii").count("\n")
    assert report.error.line == first_lines + 52
    data = data.replace(b"2024-01-24", b"20240124")
    assert load_bytes(store, data).status == "imported"
    assert store.run("SELECT account_id, count(*) FROM transactions GROUP BY 1 ORDER BY 1") == [
        ("00050012345", 3), ("00055555555", 2)]


def test_stray_non_utf8_bytes_do_not_turn_a_utf8_body_into_windows_1252(store):
    data = b"\xff\x80 junk\r\n" + (BANK / "ofx1_charset1252_utf8_body.ofx").read_bytes()
    assert load_bytes(store, data).status == "imported"
    assert store.run("SELECT counterparty FROM transactions ORDER BY uid") == [
        ("CB CAFÉ DE LA GARE",), ("REMBOURSEMENT SÉCU",)]
