"""OFX bank and credit card statements (Open Financial Exchange), the "Money / Quicken" download.

Offered by most French banks ("format Money / OFX") and by US, Canadian and Australian banks.
Variants handled: OFX 1.x SGML (unclosed leaf tags, with or without the header, a
`Content-Type: application/x-ofx` line or stray bytes before it); OFX 2.x XML (with its
`<?xml?>` / `<?OFX?>` headers, CDATA labels, and unclosed tags all the same); several
statements (accounts) in one file; bank (STMTRS) and credit card (CCSTMTRS) statements;
amounts with `+` or a decimal comma; dates `YYYYMMDD[hhmmss[.sss]][[-5:EST]]`.

Decisions: the bytes decide the encoding (UTF-8 when valid, else Windows-1252), whatever the
header's CHARSET says, since banks write `CHARSET:1252` over UTF-8 bodies and the reverse.
A date is the day as the bank wrote it, in its own time zone (no shift to UTC). The label is
NAME, or MEMO when it only extends a NAME cut at 32 characters, or "NAME MEMO" when MEMO says
something else. uid = "ofx:<ACCTID>:<FITID>"; a FITID repeated inside one statement gets
"#2", "#3" (some banks derive FITIDs from date and amount, so two identical coffees share
one), while the same FITID in two statements of one account is one transaction listed twice.
The account label is "<bank> <kind> <last 4 characters of ACCTID>". Investment statements
(INVSTMTRS) are not read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date

import pandas as pd

from ...errors import FormatError, UnsafeInputError
from ..base import InputFile, ParseContext, Parsed, RowError, Source
from ..text import decode, head_text, parse_amount
from ..xmlsafe import refuse_entities
from .ofx_tolerant import LineFinder, read_tolerant, read_with_ofxtools

# `<OFX>`, or a namespace-prefixed `<ofx:OFX xmlns:ofx="...">` (the prefix is dropped)
_MARKER = re.compile(r"OFXHEADER\s*[:=]|<([A-Za-z_][\w.-]*:)?OFX(\s[^>]*)?>", re.IGNORECASE)
_START = re.compile(rb"ofxheader|<\?xml|<([A-Za-z_][\w.-]*:)?ofx(\s[^>]*)?>", re.IGNORECASE)
_PREFIX = re.compile(r"<(/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])")
# date, optional time and fraction, optional [offset:zone], all ignored but the date
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{4,6}(\.\d+)?)?\s*(\[[^\]]*\])?$")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
STATEMENTS = ("STMTRS", "CCSTMTRS")  # bank, credit card


def detect(inp: InputFile) -> bool:
    return bool(_MARKER.search(head_text(inp)))


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    body, first_line = _body(inp)
    root = read_with_ofxtools(body) or read_tolerant(body, inp.name, first_line)
    statements = [e for e in root.iter() if e.tag in STATEMENTS]
    if not statements:
        hint = ("investment statements are not supported" if root.find(".//INVSTMTRS")
                is not None else "the file holds no bank or credit card statement")
        raise FormatError("expected a statement (STMTRS or CCSTMTRS) in this OFX file",
                          file=inp.name, hint=hint)
    lines = LineFinder(body, first_line)
    institution = _text(root, ".//SONRS/FI/ORG")
    trn_index = {id(e): k for k, e in enumerate(root.iter("STMTTRN"))}  # k-th in the file
    accounts, balances, transactions, errors = [], [], [], []
    n_read = 0
    for i, stmt in enumerate(statements):
        accounts.append(_account(stmt, institution))
        account, currency = accounts[-1]["account_id"], accounts[-1]["currency"]
        try:
            if balance := _balance(stmt, account, currency):
                balances.append(balance)
        except _Unreadable as e:
            errors.append(RowError(lines.line("(CC)?STMTRS", i, e.tag), e.message))
        fitids: Counter[str] = Counter()  # a FITID repeated inside one statement: #2, #3
        for trn in stmt.iter("STMTTRN"):
            n_read += 1
            try:
                row = _transaction(trn, account, currency)
            except _Unreadable as e:
                errors.append(RowError(lines.line("STMTTRN", trn_index[id(trn)], e.tag), e.message))
                continue
            if fitid := _field(trn, "FITID"):
                fitids[fitid] += 1
                n = fitids[fitid]
                row["uid"] = f"ofx:{account}:{fitid}" + (f"#{n}" if n > 1 else "")
            transactions.append(row)
    tables = {"accounts": pd.DataFrame(accounts), "balances": pd.DataFrame(balances),
              "transactions": pd.DataFrame(transactions)}
    return Parsed(tables=tables, errors=errors, rows_read=n_read)


def _account(stmt: ET.Element, institution: str | None) -> dict:
    acct_from = stmt.find(".//BANKACCTFROM")
    if acct_from is None:
        acct_from = stmt.find(".//CCACCTFROM")
    if acct_from is None:
        acct_from = ET.Element("NONE")
    account = _text(acct_from, "ACCTID") or "default"
    # ACCTTYPE: CHECKING, SAVINGS, MONEYMRKT, CREDITLINE, CD; a card account has none
    card = "CREDITCARD" if stmt.tag == "CCSTMTRS" else ""
    kind = (_text(acct_from, "ACCTTYPE") or card).lower()
    bank = institution or _text(acct_from, "BANKID")
    return {"account_id": account, "institution": bank, "kind": kind or None,
            "currency": _text(stmt, ".//CURDEF"),
            "label": " ".join(p for p in (bank, kind, account[-4:]) if p)}


def _body(inp: InputFile) -> tuple[str, int]:
    """The text from `<OFX>` on, and the file line it starts on. Bytes before the header
    (a BOM, an HTTP `Content-Type` line, garbage) are dropped before decoding, so that they
    cannot turn a UTF-8 file into Windows-1252."""
    data = inp.read_bytes()
    start = _START.search(data)
    skipped = start.start() if start else 0
    text, _ = decode(data[skipped:], inp.name, inp.warnings,
                     first_line=data[:skipped].count(b"\n") + 1)
    if re.search(r"<[A-Za-z_][\w.-]*:OFX[\s>]", text, re.IGNORECASE):
        text = _PREFIX.sub(r"<\1", text)  # no element of OFX needs its namespace
        text = re.sub(r"<OFX\s[^>]*>", "<OFX>", text, count=1, flags=re.IGNORECASE)
    ofx = re.search(r"<OFX\s*>", text, re.IGNORECASE)
    if ofx is None:
        raise FormatError("expected an <OFX> element after the header, found none",
                          file=inp.name, hint="the file may be truncated: download it again")
    # never expanded here (no XML parser reads OFX), but real exports never declare any:
    # the xmlsafe policy
    lines_before = data[:skipped].count(b"\n")
    try:
        refuse_entities(text[:ofx.start()].encode("utf-8"), inp.name)
    except UnsafeInputError as e:
        e.line = e.line and e.line + lines_before
        raise
    first_line = lines_before + text.count("\n", 0, ofx.start()) + 1
    return text[ofx.start():], first_line


class _Unreadable(ValueError):
    """A value that cannot be read: becomes a RowError on the line of its tag."""

    def __init__(self, tag: str, expected: str) -> None:
        self.tag, self.message = tag, f"expected {expected} in {tag}"
        super().__init__(self.message)


def _balance(stmt: ET.Element, account: str, currency: str | None) -> dict | None:
    """The LEDGERBAL row; None when the bank left it empty or out."""
    amount = _text(stmt, ".//LEDGERBAL/BALAMT")
    as_of = _text(stmt, ".//LEDGERBAL/DTASOF")
    if amount is None or as_of is None:
        return None
    return {"account_id": account, "as_of": _date(as_of, "DTASOF"),
            "amount": _amount(amount, "BALAMT"), "currency": currency}


def _transaction(trn: ET.Element, account: str, currency: str | None) -> dict:
    name, memo = _field(trn, "NAME"), _field(trn, "MEMO")
    user = _field(trn, "DTUSER")
    return {
        "account_id": account,
        "booked_on": _date(_field(trn, "DTPOSTED"), "DTPOSTED"),
        "value_on": _date(user, "DTUSER") if user else None,
        "amount": _amount(_field(trn, "TRNAMT"), "TRNAMT"),
        # CURRENCY: the transaction is in another currency than the statement's CURDEF
        "currency": _text(trn, "CURRENCY/CURSYM") or currency,
        "label": _label(name, memo),
        "counterparty": _text(trn, "PAYEE/NAME") or name,
        "bank_category": _field(trn, "TRNTYPE"),  # CREDIT, DEBIT, CHECK, POS, ATM, FEE ...
    }


def _amount(text: str | None, tag: str) -> str:
    try:
        return str(parse_amount(text or ""))  # '+12.50', '-12,50' (decimal comma)
    except ValueError:
        raise _Unreadable(tag, "an amount like -12.50") from None


def _date(text: str | None, tag: str) -> str:
    m = _DATE.match(text or "")
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise _Unreadable(tag, "an OFX date like 20240131") from None


def _label(name: str | None, memo: str | None) -> str | None:
    if not name or not memo or memo.upper() in name.upper():
        return name or memo
    if memo.upper().startswith(name.upper()):
        return memo  # NAME is MEMO cut at OFX 1's 32 characters
    return f"{name} {memo}"


def _field(trn: ET.Element, tag: str) -> str | None:
    """A transaction's field; searched deeper when an unclosed empty tag swallowed it."""
    return _text(trn, tag) or _text(trn, f".//{tag}")


def _text(element: ET.Element, path: str) -> str | None:
    raw = element.findtext(path)
    if raw is None:
        return None
    value = " ".join(_ENTITY.sub(_unescape, raw).split())  # banks pad labels with spaces
    return value or None


def _unescape(m: re.Match[str]) -> str:
    ref = m[1]
    if not ref.startswith("#"):
        return _ENTITIES[ref]
    try:
        return chr(int(ref[2:], 16) if ref.startswith("#x") else int(ref[1:]))
    except (ValueError, OverflowError):  # beyond Unicode: kept as written
        return m[0]


SOURCE = Source(
    name="ofx",
    title="OFX bank or credit card statement (1.x SGML or 2.x XML)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".ofx", ".qfx"),
)
