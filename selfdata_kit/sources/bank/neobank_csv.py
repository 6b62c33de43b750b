"""What the neobanks' statement CSVs (Revolut, N26) share: one header line naming the columns,
comma-separated, ISO dates, amounts with a decimal point. Each row is read by name, with its
physical line for messages (quoted labels may span lines)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from ...errors import FormatError
from ..base import InputFile
from ..text import head_text, read_text


def header(inp: InputFile) -> list[str]:
    """The first line's cells (for `detect`); [] when there is none."""
    text = head_text(inp)
    first = text.splitlines()[0] if text else ""
    return [c.strip() for c in next(csv.reader([first]), [])]


def rows(inp: InputFile, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line, {column: cell}) for each data row."""
    text, _ = read_text(inp)
    reader = csv.reader(io.StringIO(text, newline=""))
    names = [c.strip() for c in next(reader, [])]
    if missing := sorted(required - set(names)):
        raise FormatError(f"expected the columns {', '.join(missing)} in the header line",
                          file=inp.name, line=1, hint="download the statement as CSV again")
    line = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield line, dict(zip(names, (c.strip() for c in cells), strict=False))
        line = reader.line_num + 1


def iso_date(text: str | None) -> date | None:
    """'2024-03-01' or '2024-03-01 09:12:44' -> date; None when unreadable."""
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def amount(text: str | None) -> Decimal | None:
    """'-12.5', '1234.56', '' -> Decimal (None when empty or unreadable)."""
    t = (text or "").strip().replace(",", "")
    if not t:
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None
