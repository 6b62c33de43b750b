"""QIF bank statements (Quicken Interchange Format), exported by Quicken, Microsoft Money,
GnuCash, and offered as "format Quicken / QIF" by many French banks.

Variants handled: `!Type:Bank`, `!Type:CCard`, `!Type:Cash`, `!Type:Oth A` / `Oth L`, in any
case; `!Account` blocks whose `N` names the account of the transactions that follow (with
Quicken's `!Option:AutoSwitch` account lists); fields D date, T or U amount, P payee, M memo,
N number, L category, `^` end of record (the last `^` may be missing). Other blocks
(categories, classes, memorized payees, investments) are skipped.

Dates: dd/mm/yy[yy], M/D/YY, Quicken's M/D'YY (apostrophe for years 2000+, spaces allowed),
d.m.yyyy, yyyy-mm-dd, yyyy/mm/dd. Day-first or month-first is decided once for the whole
file: a first part over 12 proves day-first, a second part over 12 proves month-first;
without proof, day-first (French banks), except when years are written with an apostrophe
(US Quicken). Dates that contradict the decision are row errors.
Two-digit years after a slash: 00-68 are 20xx, 69-99 are 19xx (as Python's %y).
Amounts: `-1,234.56` or `-1234,56`; the decimal mark is decided once for the whole file.

The file names no currency, so rows have none. No uid: the store hashes each row's content
and its occurrence, so two identical coffees on one day stay two rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..base import InputFile, ParseContext, Parsed, RowError, Source
from ..text import guess_decimal_for_column, head_text, parse_amount, read_text

_DETECT = re.compile(r"!(type:|account|option:autoswitch|clear:autoswitch)", re.IGNORECASE)
# types whose records are transactions; `Oth A` / `Oth L`: other asset / liability
ACCOUNT_KINDS = {"bank": "bank", "ccard": "creditcard", "cash": "cash",
                 "oth a": "asset", "oth l": "liability"}
_SLASHED = re.compile(r"^(\d{1,2})\s*[/-]\s*(\d{1,2})\s*([/'-])\s*(\d{1,4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


def detect(inp: InputFile) -> bool:
    first = next((line for line in head_text(inp).splitlines() if line.strip()), "")
    return bool(_DETECT.match(first.strip()))


@dataclass
class _Record:
    section: str  # "account", a type ("bank", "ccard" ...), or another block's name
    account: str | None  # named by the last !Account record
    line: int  # the record's first line
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)  # letter -> (line, value)

    def get(self, letter: str) -> str | None:
        return self.fields[letter][1] if letter in self.fields else None

    def line_of(self, letter: str) -> int:
        return self.fields[letter][0] if letter in self.fields else self.line


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text, _ = read_text(inp)
    records = list(_records(text))
    tx = [r for r in records if r.section in ACCOUNT_KINDS]
    day_first = _day_first([r.get("D") or "" for r in tx])
    decimal = guess_decimal_for_column(_amount(r) or "" for r in tx)
    accounts = {}  # name -> row; an account listed twice (AutoSwitch) is one account
    for r in records:
        if r.section == "account" and (name := r.get("N")):
            kind = ACCOUNT_KINDS.get((r.get("T") or "").lower())  # T here is the account type
            accounts[name] = {"account_id": name, "kind": kind, "label": name}
    rows, errors = [], []
    for r in tx:
        booked = _date(r.get("D") or "", day_first)
        if booked is None:
            errors.append(RowError(r.line_of("D"), "expected a date like 31/01/2024 in field D"))
            continue
        try:
            value = parse_amount(_amount(r) or "", decimal)
        except ValueError:
            letter = "T" if "T" in r.fields or "U" not in r.fields else "U"
            errors.append(RowError(r.line_of(letter),
                                   f"expected an amount like -12.50 in field {letter}"))
            continue
        payee = r.get("P")
        rows.append({"account_id": r.account, "booked_on": booked, "amount": str(value),
                     "label": payee or r.get("M"), "counterparty": payee,
                     "bank_category": r.get("L")})
    tables = {"transactions": pd.DataFrame(rows)}
    if accounts:
        tables["accounts"] = pd.DataFrame(list(accounts.values()))
    return Parsed(tables=tables, errors=errors, rows_read=len(tx))


def _records(text: str) -> Iterator[_Record]:
    section, account, record = "", None, None
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            if record is not None:  # a record left without its `^`
                yield record
                record = None
            head = line[1:].lower()
            if head.startswith("type:"):
                section = " ".join(head[5:].split())
            elif head == "account":
                section = "account"
            continue  # !Option / !Clear:AutoSwitch change nothing here
        if line.startswith("^"):
            if record is not None:
                yield record
                if section == "account" and record.get("N"):
                    account = record.get("N")  # the transactions that follow are its own
            record = None
            continue
        if record is None:
            record = _Record(section, account, number)
        # first occurrence wins: split lines (S, E, $) and address lines (A) are not read
        record.fields.setdefault(line[0].upper(), (number, line[1:].strip()))
    if record is not None:
        yield record


def _amount(record: _Record) -> str | None:
    return record.get("T") or record.get("U")  # U: the same amount, written by newer Quicken


def _day_first(values: list[str]) -> bool:
    firsts, seconds, apostrophe = [], [], False
    for v in values:
        m = _SLASHED.match(v.strip())
        if m:
            firsts.append(int(m[1]))
            seconds.append(int(m[2]))
            apostrophe = apostrophe or m[3] == "'"
    if any(n > 12 for n in firsts):
        return True
    if any(n > 12 for n in seconds):
        return False
    return not apostrophe


def _date(text: str, day_first: bool) -> str | None:
    text = text.strip()
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        if m := _DOTTED.match(text):  # d.m.yyyy is always day-first
            day, month, year = int(m[1]), int(m[2]), _year(m[3], "/")
        elif m := _SLASHED.match(text):
            a, b = int(m[1]), int(m[2])
            day, month = (a, b) if day_first else (b, a)
            year = _year(m[4], m[3])
        else:
            return None
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _year(text: str, separator: str) -> int:
    year = int(text)
    if len(text) > 2 and year >= 1000:
        return year
    if separator == "'":
        return 2000 + year  # Quicken: 1/2'24 is 2024 (and 1/2' 4 is 2004)
    return 2000 + year if year < 69 else 1900 + year


SOURCE = Source(
    name="qif",
    title="QIF bank statement (Quicken Interchange Format)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".qif",),
)
