"""French bank CSV exports: one fixture per bank layout, each with its exact rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.bank import fr_csv
from selfdata_kit.sources.base import InputFile, ParseContext
from tests.conftest import conformance

BANK = Path(__file__).resolve().parent / "fixtures"
D = Decimal


def load(store, name: str | Path) -> list[tuple]:
    path = name if isinstance(name, Path) else BANK / name
    report = import_file(store, InputFile.from_path(path), "ana")
    assert report.status == "imported", report.error
    return rows(store)


def rows(store) -> list[tuple]:
    return store.run("SELECT booked_on, amount, label, account_id FROM transactions"
                     " ORDER BY booked_on DESC, amount, label")


def balances(store) -> list[tuple]:
    return store.run("SELECT account_id, as_of, amount, currency FROM balances"
                     " ORDER BY account_id, as_of")


def test_societe_generale_conformance(store) -> None:
    load(store, conformance("bank/fr_societe_generale.csv"))
    assert store.run("SELECT count(*), sum(amount) FROM transactions") == [(2, D("41.90"))]
    assert balances(store) == [("0234500012345678", date(2016, 2, 19), D("1234.37"), "EUR")]
    assert store.run("SELECT DISTINCT account_id, currency FROM transactions") == [
        ("0234500012345678", "EUR")]


def test_societe_generale_cp1252_round_trips_and_coffees_stay_two(store) -> None:
    raw = (BANK / "fr_sg.csv").read_bytes()
    assert b"\x80" in raw and b"G\xe9n\xe9rale" in raw  # real cp1252 bytes: € and é
    load(store, "fr_sg.csv")
    acct = "0234500012345678"
    assert rows(store) == [
        (date(2016, 2, 19), D("-2.50"), "CARTE X1234 18/02 CAFE DU COIN", acct),
        (date(2016, 2, 19), D("-2.50"), "CARTE X1234 18/02 CAFE DU COIN", acct),
        (date(2016, 2, 17), D("-1045.20"), "PRLV SEPA EDF CLIENTS PARTICULIERS ECH/170216",
         acct),
        (date(2016, 2, 15), D("2500.00"),
         "VIR RECU 508160 | DE: Société Générale Élève REF: 12,00€", acct),
    ]
    assert balances(store) == [(acct, date(2016, 2, 19), D("1234.37"), "EUR")]
    assert store.run("SELECT institution FROM accounts") == [("Société Générale",)]


def test_reimport_adds_nothing(store) -> None:
    load(store, "fr_sg.csv")
    again = import_file(store, InputFile.from_path(BANK / "fr_sg.csv"), "ana")
    assert again.counts.rows_inserted == 0 and again.counts.rows_duplicate == 4
    assert store.run("SELECT count(*) FROM transactions") == [(4,)]


def test_bnp_without_header(store) -> None:
    load(store, "fr_bnp.csv")
    assert store.run("SELECT booked_on, amount, label, bank_category, account_id"
                     " FROM transactions ORDER BY booked_on") == [
        (date(2016, 2, 17), D("-61.30"), "PRLV SEPA EDF", "Logement / Électricité", "****1234"),
        (date(2016, 2, 18), D("2150.00"), "VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE FEVRIER",
         "Revenus / Salaires", "****1234"),
        (date(2016, 2, 19), D("-45.12"), "CB CARREFOUR MARKET 18/02/16",
         "Alimentation / Supermarché", "****1234"),
    ]
    assert balances(store) == [("****1234", date(2016, 2, 19), D("1234.56"), "EUR")]


def test_bnp_with_header(store) -> None:
    load(store, "fr_bnp_header.csv")
    assert store.run("SELECT amount, bank_category FROM transactions ORDER BY amount") == [
        (D("-45.12"), "Alimentation / Supermarché"), (D("2150.00"), "Revenus")]
    assert balances(store) == [("****1234", date(2016, 2, 19), D("1234.56"), "EUR")]


def test_credit_agricole_unsigned_split_and_multiline_labels(store) -> None:
    acct = "12345678901"
    assert load(store, "fr_ca.csv") == [
        (date(2016, 2, 18), D("-45.12"), "PAIEMENT PAR CARTE CARREFOUR MARKET 17/02", acct),
        (date(2016, 2, 15), D("2150.00"), "VIREMENT EN VOTRE FAVEUR ACME SAS SALAIRE FEVRIER",
         acct),
        (date(2016, 2, 10), D("-61.30"), "PRELEVEMENT EDF CLIENTS PARTICULIERS", acct),
    ]
    assert balances(store) == [(acct, date(2016, 2, 19), D("1234.56"), "EUR")]
    assert store.run("SELECT label, institution FROM accounts") == [
        ("Compte de Dépôt carte", "Crédit Agricole")]


def test_caisse_epargne_signed_debit_short_dates_and_trailer(store) -> None:
    acct = "04012345678"
    assert load(store, "fr_ce.csv") == [
        (date(2016, 2, 19), D("-25.30"), "CB CARREFOUR 18/02 CARTE 1234", acct),
        (date(2016, 2, 15), D("2150.00"), "VIR SALAIRE ACME", acct),
        (date(2016, 2, 5), D("-19.99"), "PRLV FREE MOBILE", acct),
    ]
    # the balance line has no date of its own: it is the period's end
    assert balances(store) == [(acct, date(2016, 2, 19), D("1234.56"), "EUR")]
    assert store.run("SELECT label FROM accounts") == [("COMPTE CHEQUE",)]


def test_lcl_without_header_and_final_balance_line(store) -> None:
    assert load(store, "fr_lcl.csv") == [
        (date(2016, 2, 19), D("-25.30"), "CB SUPERMARCHE 18/02", "default"),
        (date(2016, 2, 17), D("-120.00"), "CHEQUE 1234567", "default"),
        (date(2016, 2, 15), D("2150.00"), "VIR SEPA ACME SAS SALAIRE", "default"),
    ]
    assert balances(store) == [("default", date(2016, 2, 19), D("1234.56"), "EUR")]


def test_banque_postale(store) -> None:
    assert load(store, "fr_lbp.csv") == [
        (date(2016, 2, 18), D("-45.12"), "ACHAT CB CARREFOUR 17.02.16 CARTE NUMERO 123",
         "0123456X020"),
        (date(2016, 2, 16), D("150.00"), "VIREMENT DE MME DUPONT ÉLODIE", "0123456X020"),
    ]
    assert balances(store) == [("0123456X020", date(2016, 2, 19), D("1234.56"), "EUR")]


def test_credit_mutuel_running_balance_gives_each_days_closing_balance(store) -> None:
    load(store, "fr_cm.csv")
    assert store.run("SELECT booked_on, value_on, amount FROM transactions"
                     " ORDER BY booked_on, amount") == [
        (date(2016, 2, 1), date(2016, 2, 1), D("2150.00")),
        (date(2016, 2, 3), date(2016, 2, 2), D("-45.12")),
        (date(2016, 2, 3), date(2016, 2, 3), D("-2.50")),
        (date(2016, 2, 5), date(2016, 2, 5), D("-61.30")),
    ]
    assert balances(store) == [
        ("default", date(2016, 2, 1), D("3150.00"), "EUR"),
        ("default", date(2016, 2, 3), D("3102.38"), "EUR"),  # the day's last row
        ("default", date(2016, 2, 5), D("3041.08"), "EUR"),
    ]


def test_boursorama_several_accounts_in_columns(store) -> None:
    load(store, "fr_boursorama.csv")
    assert store.run("SELECT account_id, count(*), sum(amount) FROM transactions"
                     " GROUP BY 1 ORDER BY 1") == [
        ("00040123456", 2, D("2104.88")), ("00040987654", 1, D("500.00"))]
    assert store.run("SELECT bank_category FROM transactions ORDER BY booked_on") == [
        ("Mouvements internes / Virements internes",), ("Revenus / Salaires",),
        ("Vie quotidienne / Alimentation",)]
    assert balances(store) == [
        ("00040123456", date(2016, 2, 19), D("1234.56"), "EUR"),
        ("00040987654", date(2016, 2, 16), D("10500.00"), "EUR"),
    ]
    assert store.run("SELECT account_id, label FROM accounts ORDER BY 1") == [
        ("00040123456", "BOURSORAMA BANQUE"), ("00040987654", "LIVRET A")]


def test_fortuneo_negative_debit(store) -> None:
    assert [r[:3] for r in load(store, "fr_fortuneo.csv")] == [
        (date(2016, 2, 19), D("-45.12"), "CARTE 18/02 CARREFOUR"),
        (date(2016, 2, 17), D("2150.00"), "VIR SALAIRE ACME"),
        (date(2016, 2, 16), D("-25.30"), "PRLV EDF"),
    ]


def test_several_accounts_as_successive_blocks(store) -> None:
    assert load(store, "fr_multi.csv") == [
        (date(2016, 2, 18), D("-45.12"), "PAIEMENT PAR CARTE CARREFOUR 17/02", "12345678901"),
        (date(2016, 2, 15), D("2150.00"), "VIREMENT EN VOTRE FAVEUR ACME SAS", "12345678901"),
        (date(2015, 12, 31), D("52.30"), "INTERETS 2015", "98765432100"),
    ]
    assert balances(store) == [
        ("12345678901", date(2016, 2, 19), D("1234.56"), "EUR"),
        ("98765432100", date(2016, 2, 19), D("10500.00"), "EUR"),
    ]
    assert store.run("SELECT account_id, label FROM accounts ORDER BY 1") == [
        ("12345678901", "Compte de Dépôt carte"), ("98765432100", "Livret A")]


def test_bad_amount_and_bad_date_name_their_physical_lines() -> None:
    # line 5-6 is one row with a two-line label: the bad rows are on lines 7 and 8
    parsed = fr_csv.parse(InputFile.from_path(BANK / "fr_bad_rows.csv"), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (7, 'expected an amount like -12,34 in column "Débit euros" or column "Crédit euros"'),
        (8, 'expected a date like 31/12/2024 in column "Date"'),
    ]
    assert len(parsed.tables["transactions"]) == 2 and parsed.rows_read == 4


def test_bad_rows_refuse_the_file_unless_skipped(store) -> None:
    inp = InputFile.from_path(BANK / "fr_bad_rows.csv")
    report = import_file(store, inp, "ana")
    assert report.status == "failed" and report.error.line == 7
    assert store.run("SELECT count(*) FROM transactions") == [(0,)]
    report = import_file(store, inp, "ana", skip_bad_rows=True)
    assert report.counts.rows_inserted == 2 and report.counts.rows_rejected == 2


def test_missing_trailing_amount_is_a_row_error() -> None:
    data = "Date;Libellé;Montant\n01/02/2016;CAFE;-2,50\n02/02/2016;CAFE\n".encode("cp1252")
    parsed = fr_csv.parse(InputFile.from_bytes("x.csv", data), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, 'expected an amount like -12,34 in column "Montant"')]


def test_extra_cells_with_content_are_a_row_error() -> None:
    data = "Date;Libellé;Montant\n01/02/2016;CAFE;-2,50\n02/02/2016;CAFE;-2,50;X\n".encode()
    parsed = fr_csv.parse(InputFile.from_bytes("x.csv", data), ParseContext("ana"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, 'expected 3 cells separated by ";" (found 4)')]


def test_ragged_rows_one_more_separator_on_credits_and_missing_trailing_cells(store) -> None:
    # credits end with ';;', debits with ';', the last row leaves out its currency cell
    assert load(store, "fr_ragged.csv") == [
        (date(2024, 3, 8), D("-3.00"), "FRAIS TENUE DE COMPTE", "default"),
        (date(2024, 3, 7), D("23.00"), "REMBOURSEMENT CPAM", "default"),
        (date(2024, 3, 6), D("-19.99"), "PRLV SEPA FREE MOBILE", "default"),
        (date(2024, 3, 5), D("2150.00"), "VIR SEPA RECU DE EMPLOYEUR SA", "default"),
        (date(2024, 3, 4), D("-4.20"), "CB BOULANGERIE DU MARCHE 02/03", "default"),
    ]
    assert store.run("SELECT DISTINCT currency FROM transactions") == [("EUR",)]


def test_no_header_account_number_first_then_dates_label_amount(store) -> None:
    acct = "12345678901"
    assert load(store, "fr_headerless_account.csv") == [
        (date(2024, 3, 6), D("-40.00"), "RETRAIT DAB 06/03 PARIS 11", acct),
        (date(2024, 3, 5), D("-19.99"), "PRLV SEPA FREE MOBILE", acct),
        (date(2024, 3, 4), D("2150.00"), "VIR SEPA RECU DE EMPLOYEUR SA", acct),
        (date(2024, 3, 1), D("-4.20"), "CB BOULANGERIE DU MARCHE", acct),
    ]
    assert store.run("SELECT value_on FROM transactions ORDER BY booked_on") == [
        (date(2024, 3, 1),), (date(2024, 3, 2),), (date(2024, 3, 5),), (date(2024, 3, 6),)]


def test_quoted_labels_holding_the_separator_and_currency_glued_to_amounts(store) -> None:
    assert load(store, "fr_quoted_currency.csv") == [
        (date(2024, 3, 5), D("-1234.56"), "CB LIBRAIRIE; 2 ARTICLES", "default"),
        (date(2024, 3, 4), D("25.00"), "REMBOURSEMENT AMI", "default"),
        (date(2024, 3, 3), D("-650.00"), 'VIR "LOYER MARS"; REF 2024-03', "default"),
        (date(2024, 3, 2), D("-12.50"), "RESTAURANT LE PETIT ZINC; PARIS", "default"),
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in BANK.glob("fr_*.csv")))
def test_detected_as_french_bank_csv(name: str) -> None:
    assert detect_source(InputFile.from_path(BANK / name)).name == "fr-bank-csv"


@pytest.mark.parametrize("text", [
    "OFXHEADER:100\nDATA:OFXSGML\n<OFX>\n",
    "!Type:Bank\nD19/02/2016\nT-25.30\nPCAFE\n^\n",
    '<?xml version="1.0"?>\n<Document><BkToCstmrStmt/></Document>\n',
    '{"date": "19/02/2016", "montant": "-25,30"}\n',
    "Identifiant PRM;Type de donnees;Date de debut\n1429;Courbe;24/10/2022\n"
    "Horodate;Valeur\n2022-10-24T00:30:00+02:00;252\n",
    "Date;Valeur\n19/02/2016;252\n",  # not a bank: no label, no money column
])
def test_does_not_claim_other_formats(text: str) -> None:
    assert not fr_csv.detect(InputFile.from_bytes("x.csv", text.encode()))


def test_energy_conformance_not_claimed() -> None:
    path = conformance("energy/enedis_load_curve.csv")
    assert not fr_csv.detect(InputFile.from_path(path))


@pytest.mark.parametrize("relative", [
    "bank/ofx1_sgml_checking.ofx", "bank/ofx2_xml_suncorp.ofx", "bank/camt053_v8.xml",
    "bank/camt052_v8.xml", "calls/android_sms_backup_restore_calls.xml",
    "energy/grdf_daily.json", "energy/greenbutton_hourly.xml",
    "places/takeout_records.json",
])
def test_other_conformance_files_not_claimed(relative: str) -> None:
    assert not fr_csv.detect(InputFile.from_path(conformance(relative)))


def test_ragged_rows_without_header() -> None:
    # LCL-like rows; the credit ends with one more separator than the debits
    data = ("01/03/2024;-4,20;Carte;;CB BOULANGERIE;\n02/03/2024;2 150,00;Virement;;SALAIRE;;\n"
            "03/03/2024;-19,99;Prélèvement;;FREE MOBILE;\n").encode("cp1252")
    parsed = fr_csv.parse(InputFile.from_bytes("x.csv", data), ParseContext("ana"))
    assert parsed.errors == []
    tx = parsed.tables["transactions"]
    assert tx.column("amount").to_pylist() == [D("-4.20"), D("2150.00"), D("-19.99")]
    assert tx.column("label").to_pylist() == ["CB BOULANGERIE", "SALAIRE", "FREE MOBILE"]
