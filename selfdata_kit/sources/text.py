"""Reading exported text the way banks and utilities actually write it.

Encoding (BOM, UTF-8, else Windows-1252), delimiter, decimal comma, date formats.
French banks export Windows-1252; DuckDB's `latin-1` would reject its euro sign, so
decoding happens here, once, in Python. A file that mixes both (a UTF-8 export with one
line pasted from elsewhere) is decoded line by line, with a warning naming the lines.
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


# a multi-byte UTF-8 character: Windows-1252 text almost never holds one by chance
_UTF8_CHAR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
MAX_LINES_NAMED = 10


def decode(data: bytes, name: str, warnings: list[str] | None = None,
           first_line: int = 1) -> tuple[str, str]:
    """Decode an export's bytes; returns (text, encoding). Raises FormatError for binary data.

    UTF-8 and Windows-1252 are decided per line when a file holds both: each line is read
    as UTF-8 when it is valid UTF-8, else as Windows-1252 (encoding "mixed"), and a warning
    naming the minority's lines goes to `warnings`. `first_line`: the line `data` starts on
    in the file, for messages."""
    if looks_binary(data[:4096]):
        raise FormatError(
            "this is a binary file, not a text export",
            file=name,
            hint="check that you picked the exported file itself, not a PDF or spreadsheet",
        )
    encoding = sniff_encoding(data)
    if encoding == "cp1252" and _UTF8_CHAR.search(data):
        return _decode_mixed(data, name, warnings, first_line)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as e:
        raise _undecodable(data, e.start, name, first_line) from None


def _decode_mixed(data: bytes, name: str, warnings: list[str] | None,
                  first_line: int) -> tuple[str, str]:
    lines = data.split(b"\n")
    utf8: list[int] = []  # lines with non-ASCII text that is valid UTF-8
    cp1252: list[int] = []  # lines that are not
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(i)
        except UnicodeDecodeError:
            cp1252.append(i)
    if len(cp1252) > len(utf8):  # a Windows-1252 file where a few lines look like UTF-8
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:
            raise _undecodable(data, e.start, name, first_line) from None
        _warn(warnings, utf8, first_line, "{verb} valid UTF-8 in a Windows-1252 file: read as"
              " Windows-1252 like the rest (check their accents)")
        return text, "cp1252"
    out = []
    for i, line in enumerate(lines):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError as e:
                offset = sum(len(x) + 1 for x in lines[:i]) + e.start
                raise _undecodable(data, offset, name, first_line) from None
    _warn(warnings, cp1252, first_line, "{verb} not UTF-8 like the rest of the file: read as"
          " Windows-1252 (check their accents)")
    return "\n".join(out), "mixed"


def _warn(warnings: list[str] | None, lines: list[int], first_line: int, what: str) -> None:
    if warnings is None or not lines:
        return
    named = ", ".join(str(i + first_line) for i in lines[:MAX_LINES_NAMED])
    more = f" and {len(lines) - MAX_LINES_NAMED} more" if len(lines) > MAX_LINES_NAMED else ""
    word, verb = ("line", "is") if len(lines) == 1 else ("lines", "are")
    warnings.append(f"mixed encodings: {word} {named}{more} {what.format(verb=verb)}")


def _undecodable(data: bytes, offset: int, name: str, first_line: int) -> FormatError:
    return FormatError(
        f"the text is neither UTF-8 nor Windows-1252 (byte 0x{data[offset]:02x})",
        file=name,
        line=data[:offset].count(b"\n") + first_line,
        hint="re-export the file, or convert it to UTF-8",
    )


def read_text(inp: InputFile) -> tuple[str, str]:
    return decode(inp.read_bytes(), inp.name, inp.warnings)


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
