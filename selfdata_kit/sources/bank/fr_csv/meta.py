"""The metadata lines French banks write above (or below) the rows: account, balance, period.

Each bank has its own way:
- Société Générale: `="0234500012345678";21/11/2015;19/02/2016;36;19/02/2016;1234,37 EUR`
  (account as an Excel formula; period start, period end, row count, balance date, balance);
- BNP Paribas: `Compte de chèques;Compte de chèques ****1234;****1234;19/02/2016;;1 234,56`;
- Crédit Agricole: `Compte de Dépôt carte n° 12345678901`, `Solde au 19/02/2016 1 234,56 €`;
- Caisse d'Epargne: `Numéro de compte : 04012345678;Nom du compte : COMPTE CHEQUE;Devise : EUR`,
  `...;Date de fin de téléchargement : 19/02/2016;;`, `Solde en fin de période;;;;1 234,56`;
- La Banque Postale: `Numéro Compte   ;0123456X020`, `Type ;CCP`, `Date ;19/02/2016`,
  `Solde (EUROS)   ;1234,56`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...text import parse_amount, parse_date
from .layout import is_amount, is_date, normalise, split_line

_DATE = r"(\d{1,2}/\d{1,2}/\d{2,4})"
_SG_ACCOUNT = re.compile(r'^="?([0-9A-Z ]{5,})"?$')
_ACCOUNT_NO = re.compile(r"^(.*?)\s+n[°o]\s*([0-9A-Z]{5,})", re.IGNORECASE)
_SOLDE_AU = re.compile(r"^solde au\s+" + _DATE + r"\s*:?\s*(.+?)\s*;*\s*$", re.IGNORECASE)
_DOWNLOAD = re.compile(r"^t[ée]l[ée]chargement du\s+" + _DATE, re.IGNORECASE)
_MASKED = re.compile(r"^[*Xx]*\d{3,}$")

ACCOUNT_KEYS = {"numero de compte", "numero compte", "n de compte", "compte"}
LABEL_KEYS = {"nom du compte", "type"}
CURRENCY_KEYS = {"devise", "compte tenu en"}
END_DATE_KEYS = {"date de fin de telechargement", "date", "date d arrete", "date de fin"}
BALANCE_KEYS = {"solde", "solde euros", "solde eur", "solde en fin de periode", "solde final"}
# words that start a metadata or trailer line (a line with no date in the date column)
META_WORDS = ("solde", "total", "sous total", "nouveau solde", "ancien solde", "numero",
              "compte", "code de", "devise", "date de", "telechargement", "periode", "type",
              "releve", "montant", "nom du compte", "liste des operations")


@dataclass
class AccountMeta:
    account_id: str | None = None
    label: str | None = None
    currency: str | None = None
    balance: Decimal | None = None
    as_of: date | None = None  # the balance's date
    period_end: date | None = None  # the export's last day, when the balance has no date


def _date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%d/%m/%y"):
        if len(text.rsplit("/", 1)[-1]) == (4 if fmt.endswith("Y") else 2):
            try:
                return parse_date(text, fmt)
            except ValueError:
                return None
    return None


def _currency(text: str) -> str:
    t = normalise(text)
    return "EUR" if t in ("euros", "euro", "eur") or "€" in text else text.strip().upper()


def is_meta_line(line: str) -> bool:
    """A line that belongs to an account's metadata (or is blank), not to its rows."""
    cell = re.split(r"[;,\t|]", line, maxsplit=1)[0].strip()
    first = normalise(cell)
    if not first:
        return not re.search(r"\w", line) or line.strip() == "-"
    return first.startswith(META_WORDS) or bool(
        _SG_ACCOUNT.match(cell) or _ACCOUNT_NO.match(cell) or _SOLDE_AU.match(line.strip()))


def read_meta(lines: list[str], delimiter: str) -> AccountMeta:
    meta = AccountMeta()
    for line in lines:
        if not line.strip():
            continue
        cells = [c.strip() for c in split_line(line, delimiter)]
        try:
            _read_line(meta, line.strip(), cells)
        except ValueError:  # a damaged balance or date above the rows: metadata is optional
            continue
    if meta.balance is not None and meta.as_of is None:
        meta.as_of = meta.period_end
    return meta


def _read_line(meta: AccountMeta, line: str, cells: list[str]) -> None:
    if m := _SG_ACCOUNT.match(cells[0]):
        meta.account_id = m.group(1).replace(" ", "")
        if len(cells) >= 6 and is_amount(cells[5]):
            meta.as_of, meta.balance = _date(cells[4]), parse_amount(cells[5])
            meta.currency = "EUR" if re.search("EUR|€", cells[5]) else meta.currency
        return
    if (len(cells) >= 6 and _MASKED.match(cells[2]) and is_date(cells[3])
            and is_amount(cells[5])):  # BNP Paribas account line
        meta.account_id, meta.label = cells[2], cells[1]
        meta.as_of, meta.balance = _date(cells[3]), parse_amount(cells[5])
        return
    if m := _SOLDE_AU.match(line):
        meta.as_of, meta.balance = _date(m.group(1)), parse_amount(m.group(2))
        return
    if m := _DOWNLOAD.match(line):
        meta.period_end = _date(m.group(1))
        return
    if (m := _ACCOUNT_NO.match(cells[0])) and ":" not in cells[0]:
        meta.label, meta.account_id = m.group(1).strip(), m.group(2)
        return
    for key, value in _pairs(cells):
        _read_pair(meta, normalise(key), value)


def _pairs(cells: list[str]) -> list[tuple[str, str]]:
    """`Key : value` cells (Caisse d'Epargne), or `Key;value` then empty cells (Banque Postale
    and the `Solde en fin de période;;;;1 234,56` line)."""
    if any(" : " in c or c.endswith(" :") for c in cells):
        return [tuple(c.split(":", 1)) for c in cells if ":" in c]  # type: ignore[misc]
    values = [c for c in cells[1:] if c]
    return [(cells[0], values[-1])] if values else []


def _read_pair(meta: AccountMeta, key: str, value: str) -> None:
    value = value.strip()
    if not value:
        return
    if key in ACCOUNT_KEYS:
        meta.account_id = value.replace(" ", "")
    elif key in LABEL_KEYS:
        meta.label = value
    elif key in CURRENCY_KEYS:
        meta.currency = _currency(value)
    elif key in END_DATE_KEYS and _date(value):
        meta.period_end = _date(value)
    elif key.startswith("solde ") and key.removeprefix("solde ") in ("euros", "eur"):
        meta.balance, meta.currency = parse_amount(value), "EUR"
    elif key in BALANCE_KEYS and is_amount(value):
        meta.balance = parse_amount(value)
