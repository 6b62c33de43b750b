"""Reading a CSV with a user's layout: the rows of the layout's columns, in bulk.

The rows are cut by the French bank CSV reader (pyarrow in bulk, ragged rows fitted, the
physical line of each bad row found again only when there is one); the layout then says
what each column is, so nothing is guessed here: a date that does not match `date_format`
or an amount that is not written with `decimal` is a row error naming its line.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import FormatError
from ..bank.fr_csv import convert as cv
from ..bank.fr_csv.blocks import Block, read_rows, row_lines
from ..bank.fr_csv.layout import Layout, fit_cells, split_line
from ..bank.fr_csv.meta import AccountMeta
from ..bank.fr_csv.rows import BlockResult, _balances
from ..base import InputFile, Parsed, RowError
from ..text import decode
from .spec import CsvLayout

HINT = "correct the layout file (see docs/formats.md, 'a layout file in five minutes')"


def decode_with(raw: bytes, layout: CsvLayout, name: str) -> str:
    if layout.encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return decode(raw, name)[0]  # BOM, and a clear message for binary files
    try:
        return raw.decode(layout.encoding)
    except UnicodeDecodeError as e:
        raise FormatError(f'the text is not {layout.encoding} (byte 0x{raw[e.start]:02x})',
                          file=name, line=raw[:e.start].count(b"\n") + 1,
                          hint='set encoding = "utf-8" or "cp1252" in the layout') from None


def parse_with_layout(layout: CsvLayout, inp: InputFile) -> Parsed:
    text = decode_with(inp.read_bytes(), layout, inp.name).lstrip("\ufeff")
    data = text.encode("utf-8")
    del text
    block = _block(data, layout, inp.name)
    table = read_rows(data, block)
    cols = {role: table.column(n - 1) for role, n in layout.columns.items()}
    result = BlockResult(pa.table({}))
    problems: list[tuple[pa.Array, str]] = []

    booked = _dates(cols["date"], layout)
    problems.append((pc.is_null(booked), f'expected a date like {layout.date_example()}'
                     f' (date_format = "{layout.date_format}") in column {layout.columns["date"]}'))
    columns: dict[str, pa.ChunkedArray] = {"booked_on": booked}
    if "value_date" in cols:
        value_on = _dates(cols["value_date"], layout)
        problems.append((pc.and_(pc.is_null(value_on), pc.invert(cv.is_empty(cols["value_date"]))),
                         f"expected a date like {layout.date_example()} in column"
                         f" {layout.columns['value_date']}"))
        columns["value_on"] = value_on
    amount, ok = _amounts(cols, layout)
    where = (f"column {layout.columns['amount']}" if "amount" in cols else
             f"column {layout.columns['debit']} or {layout.columns['credit']}")
    problems.append((pc.invert(ok), f"expected an amount like {layout.amount_example()}"
                     f' (decimal = "{layout.decimal}") in {where}'))
    columns["amount"] = amount

    blank = _blank_rows(table)
    bad = pc.and_(pc.invert(blank), _any(m for m, _ in problems))
    keep = pc.and_(pc.invert(blank), pc.invert(bad))
    n_rows = len(table) - pc.sum(blank).as_py() if len(table) else 0
    if n_rows and pc.sum(bad).as_py() == n_rows:
        # no row reads: the layout is wrong, not the rows
        first = next(msg for mask, msg in problems if pc.any(mask).as_py())
        raise FormatError(first + " on every row", file=inp.name, line=block.first_line,
                          hint=HINT)
    if pc.any(bad).as_py() or block.skipped:
        lines, wrong = row_lines(data, block)
        for i in pc.indices_nonzero(bad).to_pylist():
            msg = next(msg for mask, msg in problems if mask[i].as_py())
            result.errors.append(RowError(lines[i], msg))
        result.errors += [RowError(line, f'expected {block.layout.ncols} cells separated by'
                                   f' "{layout.delimiter}" (found {len(cells)})')
                          for line, cells in wrong if any(c.strip() for c in cells)]
        result.errors.sort(key=lambda e: e.line or 0)

    if "label" in cols:
        columns["label"] = cv.clean_text(cols["label"])
    if "category" in cols:
        cat = cv.clean_text(cols["category"])
        columns["bank_category"] = pc.if_else(cv.is_empty(cat), pa.scalar(None, pa.string()),
                                              cat)
    if "currency" in cols:
        cur = pc.utf8_upper(pc.utf8_trim_whitespace(cols["currency"]))
        columns["currency"] = pc.if_else(cv.is_empty(cur), layout.currency, cur)
    else:
        columns["currency"] = pa.chunked_array([pa.array([layout.currency] * len(table))])
    if "account" in cols:
        acct = pc.replace_substring_regex(pc.utf8_trim_whitespace(cols["account"]),
                                          r'^="?|"$', "")
        columns["account_id"] = acct
        for a in sorted(set(acct.filter(keep).to_pylist())):
            result.accounts.append({"account_id": a, "label": None,
                                    "institution": layout.name})
    if "balance" in cols:
        columns["_balance"] = _money(cols["balance"], layout.decimal)
    tx = pa.table(columns).filter(keep)
    result.transactions = tx
    result.rows_read = len(tx) + len(result.errors)
    _balances(result, block, AccountMeta())  # a running balance: each day's closing one
    return _parsed(result)


def _parsed(result: BlockResult) -> Parsed:
    tx = result.transactions
    tables = {"transactions": tx.drop_columns([c for c in tx.column_names if c == "_balance"])}
    if result.balances:
        tables["balances"] = pa.Table.from_pylist(result.balances).cast(pa.schema([
            ("account_id", pa.string()), ("as_of", pa.date32()),
            ("amount", pa.decimal128(18, 2)), ("currency", pa.string())]))
    if result.accounts:
        tables["accounts"] = pa.Table.from_pylist(result.accounts)
    return Parsed(tables=tables, errors=result.errors, rows_read=result.rows_read)


def _block(data: bytes, layout: CsvLayout, name: str) -> Block:
    """The rows between the skipped lines, and their column count (checked against the
    layout's columns)."""
    start = 0
    for _ in range(layout.skip_lines):
        nl = data.find(b"\n", start)
        start = len(data) if nl < 0 else nl + 1
    end = len(data.rstrip(b"\r\n"))
    dropped = 0
    while dropped < layout.skip_last_lines and end > start:  # blank lines do not count
        cut = max(start, data.rfind(b"\n", start, end))
        dropped += bool(data[cut:end].strip())
        end = cut
    first_line = layout.skip_lines + 1
    first = next((ln for ln in data[start:end].decode("utf-8").splitlines() if ln.strip()),
                 None)
    if first is None:
        raise FormatError(f"no data rows after the {layout.skip_lines} skipped line(s)",
                          file=name, hint="check skip_lines and skip_last_lines in the layout")
    cells = split_line(first, layout.delimiter)
    ncols = layout.column_count or len(cells)
    if layout.column_count and fit_cells(cells, ncols) is None:
        ncols = len(cells)
    widest = max(layout.columns, key=layout.columns.__getitem__)
    if layout.columns[widest] > ncols:
        raise FormatError(
            f"the layout puts {widest} in column {layout.columns[widest]}, but the rows have"
            f' {ncols} columns separated by "{layout.delimiter}"',
            file=name, line=first_line + data[start:end].decode("utf-8").splitlines().index(first),
            hint="check delimiter and [columns] in the layout")
    roles = {role: n - 1 for role, n in layout.columns.items()}
    return Block(Layout(layout.delimiter, ncols, roles, [""] * ncols), [], start, end,
                 first_line)


def _dates(col: pa.ChunkedArray, layout: CsvLayout) -> pa.ChunkedArray:
    """Each distinct text read once with Python's strptime (strict: 31/02 is refused, the
    format must match the whole text); rows reuse the distinct values' dates."""
    text = pc.utf8_trim_whitespace(col)
    distinct = pc.unique(text)
    dates = []
    for v in distinct.to_pylist():
        try:
            dates.append(datetime.strptime(v, layout.date_format).date())
        except (ValueError, TypeError):
            dates.append(None)
    return pc.take(pa.array(dates, pa.date32()), pc.index_in(text, value_set=distinct))


def _money(col: pa.ChunkedArray, decimal: str) -> pa.ChunkedArray:
    """Amounts, with the currency signs and codes of non-euro banks taken off too."""
    return cv.to_amounts(pc.replace_substring_regex(col, r"[£$]|GBP|USD|CHF", ""), decimal)


def _amounts(cols: dict[str, pa.ChunkedArray], layout: CsvLayout
             ) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    if "amount" in cols:
        amount = _money(cols["amount"], layout.decimal)
        return amount, pc.is_valid(amount)
    debit, credit = cols["debit"], cols["credit"]
    d, c = _money(debit, layout.decimal), _money(credit, layout.decimal)
    d_empty, c_empty = cv.is_empty(debit), cv.is_empty(credit)
    ok = pc.and_(pc.invert(pc.and_(d_empty, c_empty)),
                 pc.and_(pc.or_(d_empty, pc.is_valid(d)), pc.or_(c_empty, pc.is_valid(c))))
    zero = pa.scalar(0, cv.MONEY)
    d, c = pc.coalesce(d, zero), pc.coalesce(c, zero)
    # "negative": the debit column already carries its minus sign
    amount = pc.add(c, d) if layout.debit_sign == "negative" else pc.subtract(c, d)
    return pc.cast(amount, cv.MONEY), ok


def _blank_rows(table: pa.Table) -> pa.ChunkedArray:
    if not table.num_columns or not len(table):
        return pa.chunked_array([pa.array([True] * len(table))])
    return _all(cv.is_empty(table.column(j)) for j in range(table.num_columns))


def _any(masks) -> pa.ChunkedArray:  # noqa: ANN001
    masks = list(masks)
    out = masks[0]
    for m in masks[1:]:
        out = pc.or_(out, m)
    return out


def _all(masks) -> pa.ChunkedArray:  # noqa: ANN001
    masks = list(masks)
    out = masks[0]
    for m in masks[1:]:
        out = pc.and_(out, m)
    return out
