"""SWIFT MT940 customer statements ("MT940", "STA", "SWIFT"), offered by European banks
(Germany, the Netherlands, Belgium, Poland, Switzerland ...) and by business accounts.

Variants handled: with or without the SWIFT blocks `{1:...}{2:...}{4:` and the `-}{5:...}`
trailer; a bank's header lines above `:20:` (ABN AMRO's `ABNANL2A / 940 / ABNANL2A`,
Rabobank's `:940:`); several messages (statements, accounts) in one file; fields wrapped over
lines (`:28C:`, `:61:`, `:86:`); a funds-code letter after the debit/credit mark (`DR9,`);
RC / RD reversals (RC takes money back out, RD brings it back in); amounts such as `9,`;
structured `:86:` (SEPA codes or German GVC subfields, see details.py) or free text; the
counterparty's account on the line after `:61:`.

Each message is read by the `mt-940` package where it copes, by the tolerant reader of read.py
otherwise (as OFX is read by ofxtools first). Decisions: `booked_on` is the entry date
(`:61:` MMDD, booking date) when given, else the value date; `value_on` is the value date.
The account is `:25:` as written, less a currency code glued after an IBAN. The counterparty
is its name when `:86:` gives one, else the account on the line after `:61:`. Closing balances
(`:62F:` and intermediate `:62M:`) become balances. No uid: MT940 has no transaction id that
banks keep stable, so the store hashes each row's content.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from ....errors import FormatError
from ...base import InputFile, ParseContext, Parsed, RowError, Source
from ...text import head_text, read_text
from .details import read_details
from .read import read_with_library, split_messages

_SWIFT_HEAD = re.compile(r"\{1:F\d{2}[A-Z0-9]{8,12}\d*\}\{2:[IO]940")
_FIELDS = (re.compile(r"^:20:", re.M), re.compile(r"^:25:", re.M),
           re.compile(r"^:60[FM]:", re.M))
_ACCOUNT_LINE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$|^\d[\d./ -]{6,}$")
CENT = Decimal("0.01")


def detect(inp: InputFile) -> bool:
    """The SWIFT application header of an MT940, or the fields every statement opens with
    (`:20:`, `:25:`, the opening balance `:60F:` or `:60M:`) at the start of lines; an MT942
    interim report has no opening balance."""
    text = head_text(inp)
    return bool(_SWIFT_HEAD.search(text)) or all(f.search(text) for f in _FIELDS)


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text, _ = read_text(inp)
    messages = split_messages(text)
    if not messages:
        raise FormatError("expected MT940 statements: a ':20:' field starting each one",
                          file=inp.name, hint="check that this is the MT940 / STA export")
    accounts: dict[str, dict] = {}
    rows, balances, errors = [], [], []
    n_read = 0
    for msg in messages:
        read_with_library(msg)
        account = msg.account or "default"
        currency = msg.currency or None
        accounts.setdefault(account, {"account_id": account, "currency": currency,
                                      "kind": None, "label": account})
        balances += [{"account_id": account, "as_of": d, "amount": a.quantize(CENT),
                      "currency": currency} for d, a in msg.closing]
        for e in msg.entries:
            n_read += 1
            if e.value_on is None:
                errors.append(RowError(e.line, "expected a :61: statement line like"
                                       " 240301D12,50NTRFNONREF (date, D/C, amount, type)"))
                continue
            if e.amount is None:
                errors.append(RowError(e.line, "expected an amount like 12,50 in :61:"))
                continue
            details = read_details(e.details)
            account_line = e.supplementary if _ACCOUNT_LINE.match(e.supplementary) else None
            rows.append({"account_id": account, "booked_on": e.booked_on or e.value_on,
                         "value_on": e.value_on, "amount": e.amount.quantize(CENT),
                         "currency": currency, "label": details.label,
                         "counterparty": details.counterparty or account_line,
                         "bank_category": details.bank_category})
    tables = {"transactions": pd.DataFrame(rows, columns=[
        "account_id", "booked_on", "value_on", "amount", "currency", "label", "counterparty",
        "bank_category"]), "accounts": pd.DataFrame(list(accounts.values()))}
    if balances:
        tables["balances"] = pd.DataFrame(balances)
    return Parsed(tables=tables, errors=errors, rows_read=n_read)


def readers(inp: InputFile) -> list[str]:
    """Which reader read each message ('mt-940' or 'tolerant'): for tests and `--verbose`."""
    messages = split_messages(read_text(inp)[0])
    for m in messages:
        read_with_library(m)
    return [m.reader for m in messages]


SOURCE = Source(
    name="mt940",
    title="SWIFT MT940 bank statement (European banks' STA / MT940 download)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".sta", ".mt940", ".940", ".txt"),
)
