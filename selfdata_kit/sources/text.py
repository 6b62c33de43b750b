"""Reading exported text the way banks and utilities actually write it.

Encoding (BOM, UTF-8, else Windows-1252), delimiter, decimal comma, date formats.
French banks export Windows-1252; DuckDB's `latin-1` would reject its euro sign, so
decoding happens here, once, in Python.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..errors import FormatError
from .base import InputFile

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(head: bytes) -> bool:
    """NUL bytes outside a UTF-16 BOM mean this is not a text export."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def sniff_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode an export's bytes; returns (text, encoding). Raises FormatError for binary data."""
    if looks_binary(data[:4096]):
        raise FormatError(
            "this is a binary file, not a text export",
            file=name,
            hint="check that you picked the exported file itself, not a PDF or spreadsheet",
        )
    encoding = sniff_encoding(data)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(
            f"the text is neither UTF-8 nor Windows-1252 (byte 0x{data[e.start]:02x})",
            file=name,
            line=line,
            hint="re-export the file, or convert it to UTF-8",
        ) from None


def read_text(inp: InputFile) -> tuple[str, str]:
    return decode(inp.read_bytes(), inp.name)


def head_text(inp: InputFile, n: int = 4096) -> str:
    """The first bytes as text, for `detect` (never raises; undecodable bytes are replaced)."""
    head = inp.head(n)
    if looks_binary(head):
        return ""
    enc = sniff_encoding(head)
    if enc == "utf-8":
        # the cut may fall inside a multi-byte character
        return head.decode("utf-8", errors="replace")
    return head.decode(enc, errors="replace")


DELIMITERS = (";", ",", "\t", "|")


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of cells."""
    best, best_score = ";", -1
    for d in DELIMITERS:
        counts = [line.count(d) for line in lines if line.strip()]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        if common == 0:
            continue
        score = counts.count(common) * 10 + common
        if score > best_score:
            best, best_score = d, score
    return best


# --- amounts -------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(EUR|€|USD|\$|GBP|£|CHF)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_amount(text: str, decimal: str | None = None) -> Decimal:
    """'1 234,56 €', '-12,5', '+3.00', '1,234.56' -> Decimal. Raises ValueError.

    `decimal` forces the decimal separator (',' or '.'); otherwise the last of ',' / '.'
    followed by 1-2 digits (or a lone ',') is taken as the decimal mark.
    """
    s = _CURRENCY.sub("", _SPACES.sub("", text.strip()))
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-") and s[:-1].replace(",", "").replace(".", "").isdigit():
        negative, s = True, s[:-1]
    sep = decimal or guess_decimal_separator(s)
    if sep == ",":
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise ValueError("not an amount")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    return -value if negative else value


def guess_decimal_separator(s: str) -> str:
    last_comma, last_dot = s.rfind(","), s.rfind(".")
    if last_comma > last_dot:
        # '1,234' alone is ambiguous; French exports write decimals with a comma
        return ","
    return "."


def guess_decimal_for_column(values: Iterable[str]) -> str:
    """',' when the column writes decimals with a comma (French style), else '.'."""
    comma = dot = 0
    for v in values:
        v = _SPACES.sub("", v)
        if re.search(r",\d{1,2}$", v) or re.search(r"\.\d{3},", v):
            comma += 1
        elif re.search(r"\.\d{1,2}$", v) or re.search(r",\d{3}\.", v):
            dot += 1
    return "," if comma >= dot else "."


# --- dates ---------------------------------------------------------------------------

DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%m-%y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%m/%d/%y",
)


def detect_date_format(values: Iterable[str], formats: Sequence[str] = DATE_FORMATS) -> str | None:
    """The first format (French before US) that reads every non-empty value, or None."""
    sample = [v.strip() for v in values if v and v.strip()]
    if not sample:
        return None
    for fmt in formats:
        try:
            for v in sample:
                datetime.strptime(v, fmt)
        except ValueError:
            continue
        return fmt
    return None


def parse_date(text: str, fmt: str) -> date:
    return datetime.strptime(text.strip(), fmt).date()
