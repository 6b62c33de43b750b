"""Reading SWIFT MT940 messages: the `mt-940` package where it copes, a tolerant reader else.

Both readers return the same `Message`s, so the source does not care which one read a message.
The file is first cut into messages here (SWIFT blocks `{1:}{2:}{4:` ... `-}{5:}` or bank
header lines dropped); each message is given to `mt940` first, and read line by line when the
package raises or reads another number of `:61:` lines than the message holds (it refuses a
`:28C:` wrapped over two lines, for one).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

_FIELD = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BLOCK = re.compile(r"\{[1-3]:(?:\{[^{}]*\}|[^{}])*\}|\{4:|-?\}?\{5:(?:\{[^{}]*\}|[^{}])*\}|^-\}")
# :61: value date, [entry date MMDD], mark (RC/RD = reversal of credit/debit), [funds code],
# amount ('9,' is 9.00), transaction type (N/S/F + 3), then references; wrapped anywhere
_LINE61 = re.compile(r"^(\d{6})\n?(\d{4})?\n?(R?[DC])\n?([A-Z])?\n?(\d[\d,\n]{0,16}?)\n?"
                     r"([NSF][A-Z0-9]{3})")
_BALANCE = re.compile(r"^([DC])(\d{6})([A-Z]{3})(\d[\d,]*)")
SIGN = {"C": 1, "D": -1, "RD": 1, "RC": -1}  # RD reverses a debit: money comes back


@dataclass
class Entry:
    line: int  # physical line of the `:61:`
    value_on: date | None
    booked_on: date | None  # the entry (booking) date when given, else None
    amount: Decimal | None  # signed
    mark: str  # C, D, RC, RD
    reference: str  # customer reference [//bank reference]
    supplementary: str  # the line after the references (a counterparty account, say)
    details: list[str] = field(default_factory=list)  # the :86: lines, as written


@dataclass
class Message:
    line: int  # physical line of the `:20:`
    account: str = ""
    currency: str = ""
    closing: list[tuple[date, Decimal]] = field(default_factory=list)  # :62F: / :62M:
    entries: list[Entry] = field(default_factory=list)
    reader: str = "tolerant"  # or "mt-940"
    lines: list[tuple[int, str]] = field(default_factory=list)  # (physical line, text)
    text: str = ""  # the message's own lines, for the mt-940 package


def split_messages(text: str) -> list[Message]:
    """The file's messages: each `:20:` starts one; a trailer (`-`, `-}`, `{5:...}`) ends it,
    and lines outside messages (SWIFT blocks, a bank's header lines) are dropped."""
    messages: list[Message] = []
    in_message = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = _BLOCK.sub("", raw).rstrip()
        bare = raw.strip()
        if line.startswith(":20:"):
            messages.append(Message(line=n))
            in_message = True
        elif bare == "-" or bare.startswith(("-}", "{5:")) or bare.startswith("{1:"):
            in_message = False  # a trailer or the next message's header
            continue
        if in_message and line.strip():
            messages[-1].lines.append((n, line))
    for msg in messages:
        msg.text = "\n".join(t for _, t in msg.lines)
        _read_fields(msg)
    return messages


def _fields(msg: Message) -> list[tuple[int, str, str]]:
    """(line, tag, value with continuation lines joined by newlines)."""
    out: list[tuple[int, str, str]] = []
    for n, line in msg.lines:
        m = _FIELD.match(line)
        if m:
            out.append((n, m.group(1), m.group(2)))
        elif out:
            ln, tag, value = out[-1]
            out[-1] = (ln, tag, f"{value}\n{line}")
    return out


def _read_fields(msg: Message) -> None:
    for line, tag, value in _fields(msg):
        flat = value.replace("\n", "")
        if tag == "25":
            msg.account = flat.strip()
        elif tag in ("60F", "60M") and (b := _BALANCE.match(flat)):
            msg.currency = msg.currency or b.group(3)
        elif tag in ("62F", "62M") and (b := _BALANCE.match(flat)):
            msg.currency = msg.currency or b.group(3)
            if (d := yymmdd(b.group(2))) is not None:
                msg.closing.append((d, SIGN[b.group(1)] * _amount(b.group(4))))
        elif tag == "61":
            msg.entries.append(read_61(line, value))
        elif tag == "86" and msg.entries:
            msg.entries[-1].details = value.split("\n")
    if msg.account.endswith(msg.currency) and len(msg.account) > 18 and msg.currency:
        msg.account = msg.account[: -len(msg.currency)].strip()  # 'NL91INGB0001234567EUR'


def read_61(line: int, value: str) -> Entry:
    m = _LINE61.match(value)
    if m is None:
        return Entry(line, None, None, None, "", "", "")
    value_on = yymmdd(m.group(1))
    booked_on = _entry_date(value_on, m.group(2)) if m.group(2) else None
    amount = _amount(m.group(5).replace("\n", ""))
    rest = value[m.end():].split("\n", 1)
    return Entry(line, value_on, booked_on, SIGN[m.group(3)] * amount if amount is not None
                 else None, m.group(3), rest[0].strip(),
                 rest[1].replace("\n", " ").strip() if len(rest) > 1 else "")


def yymmdd(text: str) -> date | None:
    try:
        yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
        return date(2000 + yy if yy < 80 else 1900 + yy, mm, dd)
    except ValueError:
        return None


def _entry_date(value_on: date | None, mmdd: str) -> date | None:
    """The booking date MMDD takes the value date's year, or the next / previous one when
    the two dates straddle New Year."""
    if value_on is None:
        return None
    for year in (value_on.year, value_on.year + 1, value_on.year - 1):
        try:
            d = date(year, int(mmdd[:2]), int(mmdd[2:]))
        except ValueError:
            return None
        if abs((d - value_on).days) < 183:
            return d
    return None


def _amount(text: str) -> Decimal | None:
    if not re.fullmatch(r"\d+(,\d*)?", text):
        return None
    return Decimal(text.replace(",", ".").rstrip("."))


def read_with_library(msg: Message) -> bool:
    """Read the message's entries with the `mt-940` package; False when it does not cope."""
    log = logging.getLogger("mt940")  # it logs each regex miss as an error: not ours to show
    level, log.level = log.level, logging.CRITICAL + 1
    try:
        import mt940  # noqa: PLC0415  (imported when an MT940 file is read, not at start-up)

        transactions = mt940.models.Transactions()
        transactions.parse(msg.text)
    except Exception:  # any failure of the package: the tolerant reader has the message
        return False
    finally:
        log.setLevel(level)
    if len(transactions) != len(msg.entries):
        return False
    for entry, tx in zip(msg.entries, transactions, strict=True):
        data = tx.data
        try:
            amount = Decimal(data["amount"].amount)
            value_on = date(data["date"].year, data["date"].month, data["date"].day)
        except (KeyError, AttributeError, TypeError, ValueError):
            return False
        if entry.amount is not None and (amount != entry.amount or value_on != entry.value_on):
            return False  # the two readers disagree: trust the one that knows the wrapping
        entry.amount, entry.value_on = amount, value_on
        if isinstance(booked := data.get("entry_date"), date):
            entry.booked_on = date(booked.year, booked.month, booked.day)
        entry.supplementary = (data.get("extra_details") or entry.supplementary).strip()
    msg.reader = "mt-940"
    return True
