"""Whole-column conversions of bank CSV cells (pyarrow.compute, no Python loop per row).

Each function takes a string column and returns the converted column with nulls where a
cell cannot be read; the caller turns those nulls into row errors. The date format and the
decimal separator are decided per column, from the values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...text import guess_decimal_for_column

MONEY = pa.decimal128(18, 2)
_ZERO = pa.scalar(0, MONEY)

# value shape -> (strptime format, example for messages, where the day is in the text)
DATE_SHAPES: tuple[tuple[str, str, str, str], ...] = (
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y", "31/12/2024", r"^(?P<d>\d+)"),
    (r"^\d{1,2}/\d{1,2}/\d{2}$", "%d/%m/%y", "31/12/24", r"^(?P<d>\d+)"),
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d", "2024-12-31", r"(?P<d>\d+)$"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y", "31.12.2024", r"^(?P<d>\d+)"),
    (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y", "31-12-2024", r"^(?P<d>\d+)"),
    (r"^\d{1,2}\.\d{1,2}\.\d{2}$", "%d.%m.%y", "31.12.24", r"^(?P<d>\d+)"),
    (r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d", "2024/12/31", r"(?P<d>\d+)$"),
)
SAMPLE = 2000


def sample(col: pa.ChunkedArray | pa.Array, n: int = SAMPLE) -> list[str]:
    """Up to n non-empty values, from the start and the end of the column."""
    head = [v for v in col.slice(0, n).to_pylist() if v and v.strip()]
    tail = [v for v in col.slice(max(len(col) - n, n)).to_pylist() if v and v.strip()]
    return [v.strip() for v in head + tail]


def date_shape(values: Sequence[str]) -> tuple[str, str, str, str]:
    """The shape most values of a date column have (the first one when the column is empty)."""
    counts = [sum(1 for v in values if re.match(s[0], v)) for s in DATE_SHAPES]
    return DATE_SHAPES[max(range(len(DATE_SHAPES)), key=lambda i: (counts[i], -i))]


def to_dates(col: pa.ChunkedArray, shape: tuple[str, str, str, str]) -> pa.ChunkedArray:
    """date32 column; null where the cell is not a real date in that format (31/02 too)."""
    text = pc.utf8_trim_whitespace(col)
    parsed = pc.strptime(text, format=shape[1], unit="s", error_is_null=True)
    # pyarrow's strptime rolls 31/02 over to 03/03: check the day it read is the one written
    day = pc.cast(pc.struct_field(pc.extract_regex(text, shape[3]), [0]), pa.int64())
    ok = pc.and_(pc.is_valid(parsed), pc.equal(pc.day(parsed), day))
    ok = pc.and_(ok, pc.match_substring_regex(text, shape[0]))
    return pc.if_else(ok, pc.cast(parsed, pa.date32()), pa.scalar(None, pa.date32()))


def decimal_mark(col: pa.ChunkedArray) -> str:
    """',' or '.', decided from a sample of the column's values."""
    return guess_decimal_for_column(sample(col))


def to_amounts(col: pa.ChunkedArray, decimal: str) -> pa.ChunkedArray:
    """decimal128(18, 2); null where empty or unreadable.

    '1 234,56 €', '1.234,56', '-25,3', '+3,00', '25,30-' with decimal ','; '1,234.56' with '.'.
    Spaces, no-break spaces (U+00A0, U+202F) and the other separator are thousands marks.
    """
    thousands = r"\." if decimal == "," else ","
    s = pc.replace_substring_regex(col, rf"[\s\x{{00A0}}\x{{202F}}'{thousands}+]|EUR|€", "")
    if decimal == ",":
        s = pc.replace_substring(s, ",", ".")
    number = r"^-?\d{1,16}(\.\d{1,2})?$"
    ok = pc.match_substring_regex(s, number)
    if not pc.all(ok).as_py():  # rare forms, rewritten only when the file has some
        s = pc.replace_substring_regex(s, r"^(\d+(?:\.\d*)?)-$", r"-\1")  # trailing minus
        s = pc.replace_substring_regex(s, r"^\((\d+(?:\.\d*)?)\)$", r"-\1")  # (12.34)
        ok = pc.match_substring_regex(s, number)
    return pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), MONEY)


def is_empty(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(col)), 0)


def split_amounts(debit: pa.ChunkedArray, credit: pa.ChunkedArray, decimal: str
                  ) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """credit - abs(debit): banks write the debit signed (-25,30) or not (25,30).

    Returns (amount, ok); ok is false when both cells are empty or one is unreadable."""
    d, c = to_amounts(debit, decimal), to_amounts(credit, decimal)
    d_empty, c_empty = is_empty(debit), is_empty(credit)
    ok = pc.and_(pc.invert(pc.and_(d_empty, c_empty)),
                 pc.and_(pc.or_(d_empty, pc.is_valid(d)), pc.or_(c_empty, pc.is_valid(c))))
    amount = pc.subtract(pc.coalesce(c, _ZERO), pc.abs(pc.coalesce(d, _ZERO)))
    return pc.cast(amount, MONEY), ok


def clean_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Runs of white space (line breaks of multi-line labels too) become one space; trimmed.

    The (slow) regex rewrite runs only on the cells that need it."""
    spaces = r"[\s\x{00A0}\x{202F}]"
    trimmed = pc.utf8_trim_whitespace(col)
    needs = pc.match_substring_regex(trimmed, rf"{spaces}{spaces}|[^ \PZ]|[\t\n\r\f\v]")
    if not pc.any(needs).as_py():
        return trimmed
    idx = pc.indices_nonzero(needs)
    fixed = pc.replace_substring_regex(pc.take(trimmed, idx), rf"{spaces}+", " ")
    out = trimmed.combine_chunks() if isinstance(trimmed, pa.ChunkedArray) else trimmed
    return pc.replace_with_mask(out, needs.combine_chunks() if isinstance(
        needs, pa.ChunkedArray) else needs, fixed.combine_chunks() if isinstance(
        fixed, pa.ChunkedArray) else fixed)


def with_detail(label: pa.ChunkedArray, detail: pa.ChunkedArray) -> pa.ChunkedArray:
    """The label, completed by the detail column when the detail adds something:
    the detail alone when it starts with the label (it is the long form), the label alone
    when the detail is empty or already inside it, else 'label | detail'."""
    differs = pc.and_(pc.invert(is_empty(detail)), pc.not_equal(label, detail))
    idx = pc.indices_nonzero(differs)
    if len(idx) == 0:
        return label
    merged = [d if d.startswith(lab) else lab if d in lab else f"{lab} | {d}"
              for lab, d in zip(pc.take(label, idx).to_pylist(), pc.take(detail, idx).to_pylist(),
                                strict=True)]
    mask = np.zeros(len(label), dtype=bool)
    mask[idx.to_numpy()] = True
    out = label.combine_chunks() if isinstance(label, pa.ChunkedArray) else label
    return pc.replace_with_mask(out, pa.array(mask), pa.array(merged, pa.string()))


def join_category(parent: pa.ChunkedArray | None, child: pa.ChunkedArray | None
                  ) -> pa.ChunkedArray | None:
    """'Parent / child' when both are given, else whichever is given; null when none."""
    parts = [clean_text(p) for p in (parent, child) if p is not None]
    if not parts:
        return None
    nulled = [pc.if_else(is_empty(p), pa.scalar(None, pa.string()), p) for p in parts]
    if len(nulled) == 1:
        return nulled[0]
    both = pc.binary_join_element_wise(nulled[0], nulled[1], " / ")
    return pc.coalesce(both, nulled[0], nulled[1])
