"""Revolut account statement CSV (app: Statements > Excel/CSV, personal accounts, English).

`Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance`:
one row per movement of one currency pocket of one product (Current, Savings ...).
State: COMPLETED, PENDING, REVERTED (cancelled), DECLINED, FAILED: only COMPLETED rows are
money that moved; the others are skipped, neither read nor rejected (as camt's pending entries).

Decisions: `booked_on` is the Completed Date (the Balance column follows completion), `value_on`
the Started Date (when the card was used or the transfer ordered). `Amount` excludes the fee:
a non-zero Fee becomes a second transaction of its own, `-Fee`, labelled "Fee: <description>",
bank_category "fee", on the same dates, so that the account's sum matches its balance and fees
show as what they are. The account is `revolut:<Product>:<Currency>` (the export names no
account number). The Balance of a pocket's last completed row is its balance that day. No uid:
the export has no transaction id; the store hashes each row's content.
"""

from __future__ import annotations

import pandas as pd

from ..base import CSV_MAX, InputFile, ParseContext, Parsed, RowError, Source
from .neobank_csv import amount, header, iso_date, rows

_REQUIRED = {"Started Date", "Completed Date", "Description", "Amount", "Currency", "State"}


def detect(inp: InputFile) -> bool:
    return set(header(inp)) >= _REQUIRED | {"Type"}


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    txs, errors, accounts = [], [], {}
    last_balance: dict[str, tuple[str, dict]] = {}  # account -> (completed at, balance row)
    n = 0
    for line, r in rows(inp, _REQUIRED):
        if r.get("State", "").upper() != "COMPLETED":
            continue  # pending, reverted, declined, failed: no money moved
        n += 1
        booked = iso_date(r.get("Completed Date")) or iso_date(r.get("Started Date"))
        value = amount(r.get("Amount"))
        fee = amount(r.get("Fee")) or 0
        currency = (r.get("Currency") or "").upper()
        if booked is None:
            errors.append(RowError(line, 'expected a date like 2024-03-01 in "Completed Date"'))
            continue
        if value is None:
            errors.append(RowError(line, 'expected an amount like -12.50 in "Amount"'))
            continue
        product = r.get("Product") or "Current"
        account = f"revolut:{product}:{currency}"
        accounts.setdefault(account, {"account_id": account, "institution": "Revolut",
                                      "kind": product.lower(), "currency": currency,
                                      "label": f"Revolut {product} {currency}"})
        base = {"account_id": account, "booked_on": booked,
                "value_on": iso_date(r.get("Started Date")), "currency": currency}
        label = r.get("Description") or None
        txs.append({**base, "amount": value, "label": label,
                    "bank_category": (r.get("Type") or "").lower() or None})
        if fee:
            txs.append({**base, "amount": -abs(fee), "label": f"Fee: {label or ''}".strip(),
                        "bank_category": "fee"})
        if (bal := amount(r.get("Balance"))) is not None:
            at = r.get("Completed Date") or ""
            if account not in last_balance or at >= last_balance[account][0]:
                last_balance[account] = (at, {"account_id": account, "as_of": booked,
                                              "amount": bal, "currency": currency})
    tables = {"transactions": pd.DataFrame(txs, columns=[
        "account_id", "booked_on", "value_on", "amount", "currency", "label", "bank_category"])}
    if accounts:
        tables["accounts"] = pd.DataFrame(list(accounts.values()))
    if last_balance:
        tables["balances"] = pd.DataFrame([b for _, b in last_balance.values()])
    return Parsed(tables=tables, errors=errors, rows_read=n)


SOURCE = Source(
    name="revolut-csv",
    title="Revolut account statement CSV",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".csv",),
    max_bytes=CSV_MAX,
)
