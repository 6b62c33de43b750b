"""N26 transactions CSV (web app: Downloads > CSV export, English), both header versions.

- until 2023: `"Date","Payee","Account number","Transaction type","Payment reference",
  "Category","Amount (EUR)","Amount (Foreign Currency)","Type Foreign Currency","Exchange Rate"`;
- since 2023: `"Booking Date","Value Date","Partner Name","Partner Iban","Type",
  "Payment Reference","Account Name","Amount (EUR)","Original Amount","Original Currency",
  "Exchange Rate"`.

Decisions: the amount is the one in EUR (the account's), the foreign amount is not kept. The
label is the payment reference, or the payee / partner name when there is none (card
payments); the counterparty is that name. The older version's Category is the bank category;
the newer one has none (its Type is a transaction type, not a category). The account is
`n26:<Account Name>` (newer version: main account or a Space), else `n26`. No uid: the export
has no transaction id; the store hashes each row's content.
"""

from __future__ import annotations

import pandas as pd

from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from .neobank_csv import amount, header, iso_date, rows

# version -> (date, value date, name, reference, category, account name) column names
VERSIONS = {
    "2023": ("Booking Date", "Value Date", "Partner Name", "Payment Reference", None,
             "Account Name"),
    "legacy": ("Date", None, "Payee", "Payment reference", "Category", None),
}
_MARKS = {"2023": {"Booking Date", "Partner Name", "Amount (EUR)", "Partner Iban"},
          "legacy": {"Date", "Payee", "Account number", "Transaction type", "Amount (EUR)"}}
AMOUNT = "Amount (EUR)"


def _version(cells: list[str]) -> str | None:
    return next((v for v, marks in _MARKS.items() if marks <= set(cells)), None)


def detect(inp: InputFile) -> bool:
    return _version(header(inp)) is not None


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    version = _version(header(inp)) or "legacy"
    date_col, value_col, name_col, ref_col, cat_col, acct_col = VERSIONS[version]
    txs, errors, accounts = [], [], {}
    n = 0
    for line, r in rows(inp, _MARKS[version]):
        n += 1
        booked, value = iso_date(r.get(date_col)), amount(r.get(AMOUNT))
        if booked is None:
            errors.append(RowError(line, f'expected a date like 2024-03-01 in "{date_col}"'))
            continue
        if value is None:
            errors.append(RowError(line, f'expected an amount like -12.50 in "{AMOUNT}"'))
            continue
        space = r.get(acct_col or "", "")
        account = f"n26:{space}" if space else "n26"
        accounts.setdefault(account, {"account_id": account, "institution": "N26",
                                      "currency": "EUR", "label": f"N26 {space}".strip()})
        name = r.get(name_col) or None
        txs.append({"account_id": account, "booked_on": booked,
                    "value_on": iso_date(r.get(value_col or "")) or booked, "amount": value,
                    "currency": "EUR", "label": r.get(ref_col) or name, "counterparty": name,
                    "bank_category": r.get(cat_col or "") or None})
    tables = {"transactions": pd.DataFrame(txs, columns=[
        "account_id", "booked_on", "value_on", "amount", "currency", "label", "counterparty",
        "bank_category"])}
    if accounts:
        tables["accounts"] = pd.DataFrame(list(accounts.values()))
    return Parsed(tables=tables, errors=errors, rows_read=n)


SOURCE = Source(
    name="n26-csv",
    title="N26 transactions CSV (both header versions)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
