"""ISO 20022 bank exports: camt.052 (BkToCstmrAcctRpt, intraday report), camt.053
(BkToCstmrStmt, statement), camt.054 (BkToCstmrDbtCdtNtfctn, notification), as downloaded from
European banks' online banking or EBICS. Any version .001.02 to .001.13: elements are matched
by local name under a `urn:iso:std:iso:20022:tech:xsd:camt.05[234]` namespace; `Sts` as text
(up to v7) or `Sts/Cd` (v8+), `Cdtr/Nm` or `Cdtr/Pty/Nm`, `Dt` or `DtTm`, IBAN or `Othr/Id`.

Decisions:
- Amounts are unsigned; CdtDbtInd gives the sign (DBIT negative). A reversal (RvslInd true)
  is NOT flipped again: by the ISO usage rule its CdtDbtInd already is the reversal's own
  direction ("CRDT and RvslInd: the original operation was a debit"). Its counterparty is
  the opposite role, since related parties describe the original payment.
- Only booked entries are kept (status BOOK or none). PDNG / INFO / FUTR entries are not (yet)
  on the account: skipped, counted neither as rows read nor as errors.
- A DtTm keeps the date as written in its own offset (not shifted to UTC). Without BookgDt
  the value date is the booking date.
- A batch entry with several TxDtls becomes one transaction per TxDtls when each has an amount
  in the entry's currency and they add up to the entry; otherwise it stays one transaction.
- uid: `camt:{account}:{AcctSvcrRef or NtryRef}`, + `:{TxDtls ref or position}` for a split
  batch, + `#n` when a reference repeats in one file; without a reference, the store's hash.
- Balance: each statement's closing booked balance (CLBD), else its last one.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from lxml import etree

from ...errors import FormatError
from ..base import InputFile, ParseContext, Parsed, RowError, Source
from ..xmlsafe import local, parse_xml, root_element

_NS = "{urn:iso:std:iso:20022:tech:xsd:camt.05"
_HEAD = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.")
_CONTAINERS = {"Stmt", "Rpt", "Ntfctn"}  # camt.053, camt.052, camt.054
_AMOUNT = re.compile(r"^\d{1,15}(\.\d{1,5})?$")  # ISO amounts: unsigned, up to 5 decimals
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")  # xs:date may carry an offset
_NOREF = {"NOTPROVIDED", "NONREF"}  # placeholders, not references


class _Unreadable(ValueError):
    """A balance or entry that cannot be read: what was expected, and where."""

    def __init__(self, message: str, el: etree._Element) -> None:
        super().__init__(message)
        self.line = el.sourceline


def detect(inp: InputFile) -> bool:
    root = root_element(inp.head())  # namespace-aware: `<ns2:Document>` is the same root
    return (root is not None and root[1] == "Document" and root[0] is not None
            and _HEAD.match(root[0].encode()) is not None)


def _first(el: etree._Element | None, path: str) -> etree._Element | None:
    for name in path.split("/"):
        if el is None:
            return None
        el = next((c for c in el if isinstance(c.tag, str) and local(c.tag) == name), None)
    return el


def _all(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c.tag) == name]


def _text(el: etree._Element | None, *paths: str) -> str | None:
    for path in paths:
        found = _first(el, path)
        if found is not None and found.text and found.text.strip():
            return found.text.strip()
    return None


def _date(el: etree._Element | None) -> date | None:
    """`<X><Dt>2024-01-31</Dt></X>` or `<X><DtTm>2024-01-31T23:30:00+01:00</DtTm></X>`: the
    date as written (a DtTm is not moved to UTC). Raises ValueError when unreadable."""
    if el is None:
        return None
    if (d := _text(el, "Dt")) is not None:
        if not _DATE.match(d):
            raise ValueError("not a date")
        return date.fromisoformat(d[:10])
    if (dt := _text(el, "DtTm")) is not None:
        return datetime.fromisoformat(dt).date()
    raise ValueError("no Dt or DtTm")


def _signed(el: etree._Element | None, ind: str | None) -> tuple[Decimal, str | None] | None:
    """An unsigned `Amt` element and CRDT/DBIT -> (signed amount, currency), None if unreadable."""
    if el is None or not _AMOUNT.match((el.text or "").strip()) or ind not in ("CRDT", "DBIT"):
        return None
    value = Decimal(el.text.strip())
    return (-value if ind == "DBIT" else value), el.get("Ccy")


def _category(el: etree._Element | None) -> str | None:
    domain = _first(el, "BkTxCd/Domn")
    if domain is not None:
        parts = [_text(domain, "Cd"), _text(domain, "Fmly/Cd"), _text(domain, "Fmly/SubFmlyCd")]
        return "/".join(p for p in parts if p) or None
    return _text(el, "BkTxCd/Prtry/Cd")


def _party(tx: etree._Element | None, role: str) -> str | None:
    return _text(tx, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")


def _remittance(tx: etree._Element | None) -> str | None:
    """Unstructured remittance lines (several Ustrd are one message cut in 140-char pieces)."""
    rmt = _first(tx, "RmtInf")
    lines = [u.text.strip() for u in _all(rmt, "Ustrd") if u.text] if rmt is not None else []
    return " ".join(t for t in lines if t) or None


def _ref(el: etree._Element | None, *paths: str) -> str | None:
    return next((r for r in (_text(el, p) for p in paths) if r and r.upper() not in _NOREF), None)


def _account(box: etree._Element) -> dict[str, str | None]:
    return {
        "account_id": _text(box, "Acct/Id/IBAN", "Acct/Id/Othr/Id") or "default",
        "institution": _text(box, "Acct/Svcr/FinInstnId/BICFI", "Acct/Svcr/FinInstnId/BIC",
                             "Acct/Svcr/FinInstnId/Nm"),
        "currency": _text(box, "Acct/Ccy"),
        "label": _text(box, "Acct/Nm"),
    }


def _balance(box: etree._Element, account: str) -> dict[str, object] | None:
    bals = _all(box, "Bal")
    closing = [b for b in bals if _text(b, "Tp/CdOrPrtry/Cd") == "CLBD"]
    bal = (closing or bals or [None])[-1]
    if bal is None:
        return None
    amount = _signed(_first(bal, "Amt"), _text(bal, "CdtDbtInd"))
    try:
        as_of = _date(_first(bal, "Dt"))
    except ValueError:
        as_of = None
    if amount is None or as_of is None:
        raise _Unreadable("expected Amt, CdtDbtInd and Dt (Dt or DtTm) in the balance Bal", bal)
    return {"account_id": account, "as_of": as_of.isoformat(), "amount": str(amount[0]),
            "currency": amount[1]}


def _split(total: Decimal, ccy: str | None, ind: str,
           txs: list[etree._Element]) -> list[tuple[etree._Element, Decimal]] | None:
    """Each TxDtls with its own amount, when there are several and they add up to the entry."""
    if len(txs) < 2:
        return None
    parts = []
    for tx in txs:
        amt = _first(tx, "AmtDtls/TxAmt/Amt")
        got = _signed(amt if amt is not None else _first(tx, "Amt"),
                      _text(tx, "CdtDbtInd") or ind)
        if got is None or (got[1] or ccy) != ccy:
            return None
        parts.append((tx, got[0]))
    return parts if sum(p[1] for p in parts) == total else None


def _entry(ntry: etree._Element, account: str) -> list[dict[str, object]]:
    """One booked Ntry -> its transaction rows; _Unreadable names what could not be read."""
    ind = _text(ntry, "CdtDbtInd")
    amount = _signed(_first(ntry, "Amt"), ind)
    if amount is None:
        raise _Unreadable("expected an unsigned amount in Ntry/Amt and CRDT or DBIT in "
                          "CdtDbtInd", ntry)
    try:
        value = _date(_first(ntry, "ValDt"))
    except ValueError:
        raise _Unreadable("expected a date in Ntry/ValDt (Dt or DtTm)", ntry) from None
    try:
        booked = _date(_first(ntry, "BookgDt")) or value
    except ValueError:
        booked = None
    if booked is None:
        raise _Unreadable("expected a date in Ntry/BookgDt (Dt or DtTm)", ntry)
    total, ccy = amount
    reversal = (_text(ntry, "RvslInd") or "").lower() in ("true", "1")
    txs = [t for d in _all(ntry, "NtryDtls") for t in _all(d, "TxDtls")]
    batch = _text(ntry, "NtryDtls/Btch/NbOfTxs") or "1"
    ref = _ref(ntry, "AcctSvcrRef", "NtryRef")
    base = {"account_id": account, "booked_on": booked.isoformat(),
            "value_on": value.isoformat() if value else None, "currency": ccy}

    def row(tx: etree._Element | None, amt: Decimal, label: str | None, suffix: str) -> dict:
        # related parties describe the original payment: a reversal swaps who the other side is
        role = "Cdtr" if (amt < 0) != reversal else "Dbtr"
        return {**base, "amount": str(amt), "label": label,
                "counterparty": _party(tx, role),
                "bank_category": _category(tx) or _category(ntry),
                "uid": f"camt:{account}:{ref}{suffix}" if ref else None}

    parts = _split(total, ccy, ind or "", txs)
    if parts is None:
        # one TxDtls describes the whole entry, unless the entry sums a batch it only samples
        only = txs[0] if len(txs) == 1 and batch in ("0", "1") else None
        label = (_text(ntry, "AddtlNtryInf") or _remittance(only)
                 or _text(only, "AddtlTxInf"))
        return [row(only, total, label, "")]
    own = [_ref(t, "Refs/AcctSvcrRef", "Refs/EndToEndId") for t, _ in parts]
    if None in own or len(set(own)) < len(own):
        own = [str(i) for i in range(1, len(parts) + 1)]
    return [row(tx, amt, _remittance(tx) or _text(tx, "AddtlTxInf")
                or _text(ntry, "AddtlNtryInf"), f":{suffix}")
            for (tx, amt), suffix in zip(parts, own, strict=True)]


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    root = parse_xml(inp)
    boxes = [el for el in root.iter() if isinstance(el.tag, str) and el.tag.startswith(_NS)
             and local(el.tag) in _CONTAINERS]
    if not boxes:
        raise FormatError(
            "expected a Stmt, Rpt or Ntfctn element in a camt.052/053/054 Document",
            file=inp.name, hint="check that this is the bank's camt export itself")
    accounts: dict[str, dict] = {}
    balances, rows, errors = [], [], []
    seen: dict[str, int] = {}
    bad_entries = 0
    for box in boxes:
        acct = _account(box)
        known = accounts.setdefault(acct["account_id"], acct)  # several statements, one account
        for key, val in acct.items():
            known[key] = known[key] or val
        try:
            if (bal := _balance(box, acct["account_id"])) is not None:
                balances.append(bal)
        except _Unreadable as e:
            errors.append(RowError(e.line, str(e)))
        for ntry in _all(box, "Ntry"):
            if (_text(ntry, "Sts/Cd", "Sts/Prtry", "Sts") or "BOOK") != "BOOK":
                continue  # PDNG / INFO / FUTR: not (yet) on the account
            try:
                new = _entry(ntry, acct["account_id"])
            except _Unreadable as e:
                errors.append(RowError(e.line, str(e)))
                bad_entries += 1
                continue
            for r in new:
                if r["uid"]:  # a reference repeated within the file must not hide a row
                    seen[r["uid"]] = n = seen.get(r["uid"], 0) + 1
                    r["uid"] = r["uid"] if n == 1 else f"{r['uid']}#{n}"
            rows.extend(new)
    for acct in accounts.values():
        acct["currency"] = acct["currency"] or next(
            (r["currency"] for r in rows if r["account_id"] == acct["account_id"]), None)
    tables = {"accounts": pd.DataFrame(list(accounts.values())),
              "transactions": pd.DataFrame(rows, columns=[
                  "account_id", "booked_on", "value_on", "amount", "currency", "label",
                  "counterparty", "bank_category", "uid"])}
    if balances:
        tables["balances"] = pd.DataFrame(balances)
    return Parsed(tables=tables, errors=errors, rows_read=len(rows) + bad_entries)


SOURCE = Source(
    name="camt",
    title="ISO 20022 camt.052 / camt.053 / camt.054 bank statement (XML)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".xml",),
)
