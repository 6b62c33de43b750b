"""Cutting a French bank CSV export into blocks: one account's metadata lines, its header and
its rows. A file with several accounts repeats the block (metadata + header + rows, a blank
line, the next account's metadata + header + rows).

Everything works on the UTF-8 bytes of the file: line offsets are found with `bytes.find`
(C speed), a block's rows are parsed in bulk by pyarrow's CSV reader, and only when some rows
are bad is the block read again with Python's csv module to know each row's physical line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pcsv

from ....errors import FormatError
from .layout import HEADER_SEARCH_LINES, Layout, find_header, fit_cells, infer_layout
from .meta import is_meta_line


@dataclass
class Block:
    layout: Layout
    preamble: list[str]  # the metadata lines above the header (or above the first row)
    start: int  # byte offset of the first row
    end: int  # byte offset just after the last row
    first_line: int  # physical line number (1-based) of the byte at `start`
    skipped: list[str] = field(default_factory=list)  # rows with the wrong number of cells


def iter_lines(data: bytes, pos: int = 0) -> Iterator[tuple[int, str]]:
    """(offset, text) of each physical line from `pos`, without the line break."""
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl
        yield pos, data[pos:end].rstrip(b"\r").decode("utf-8")
        pos = end + 1


def head_lines(data: bytes, count: int = HEADER_SEARCH_LINES) -> list[tuple[int, str]]:
    out = []
    for item in iter_lines(data):
        out.append(item)
        if len(out) >= count:
            break
    return out


def _line_start(data: bytes, pos: int) -> int:
    return data.rfind(b"\n", 0, pos) + 1


def find_blocks(data: bytes, name: str) -> list[Block]:
    head = head_lines(data)
    texts = [t for _, t in head]
    found = find_header(texts)
    if found is None:
        inferred = infer_layout(texts)
        if inferred is None:
            raise FormatError(
                "expected a bank CSV export: a header such as 'Date;Libellé;Montant', or rows"
                " starting with a date followed by an amount, in the first 30 lines",
                file=name, hint="check that this is the CSV exported by your bank")
        i, layout = inferred
        return [Block(layout, texts[:i], head[i][0], len(data), i + 1)]
    i, layout = found
    header = layout.header_line.encode("utf-8")  # type: ignore[union-attr]
    starts = [(head[i][0], texts[:i], 0)]  # (header offset, preamble, preamble offset)
    pos = head[i][0] + len(header)
    while (h := data.find(b"\n" + header, pos)) >= 0:
        h += 1
        after = data[h + len(header): h + len(header) + 2]
        pos = h + len(header)
        if after[:1] not in (b"", b"\n") and after != b"\r\n":
            continue
        # walk back over the next account's metadata lines (and blank lines)
        top, preamble = h, []
        while top > starts[-1][0] + len(header):
            prev = _line_start(data, top - 1)
            text = data[prev:top].rstrip(b"\r\n").decode("utf-8")
            if not is_meta_line(text):
                break
            preamble.insert(0, text)
            top = prev
        starts.append((h, preamble, top))
    blocks = []
    for k, (h, preamble, _) in enumerate(starts):
        nl = data.find(b"\n", h)
        start = len(data) if nl < 0 else nl + 1
        end = starts[k + 1][2] if k + 1 < len(starts) else len(data)
        first_line = data.count(b"\n", 0, start) + 1
        blocks.append(Block(layout, preamble, start, max(start, end), first_line))
    return blocks


def read_rows(data: bytes, block: Block) -> pa.Table:
    """All cells of the block's rows as strings (rows whose cells cannot be made to fit the
    layout are set aside in `block.skipped`).

    Ragged rows (one more trailing separator on credits than on debits, trailing cells left
    out) are fitted to the layout by `fit_cells`: that needs the slow path, taken only when
    pyarrow found rows of another length."""
    layout = block.layout
    names = [f"c{j}" for j in range(layout.ncols)]
    region = pa.py_buffer(data).slice(block.start, block.end - block.start)
    if block.end <= block.start:
        return pa.table({n: pa.array([], pa.string()) for n in names})

    def on_invalid(row: pcsv.InvalidRow) -> str:
        block.skipped.append(row.text)
        return "skip"

    table = pcsv.read_csv(
        pa.BufferReader(region),
        read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(
            delimiter=layout.delimiter,
            newlines_in_values=data.find(b'"', block.start, block.end) >= 0,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if not block.skipped:
        return table
    block.skipped = []
    fitted: list[list[str]] = []
    for cells in _csv_rows(data, block):
        if not cells:
            continue
        row = fit_cells(cells, layout.ncols)
        if row is None:
            block.skipped.append(layout.delimiter.join(cells))
        else:
            fitted.append(row)
    columns = list(zip(*fitted, strict=True)) if fitted else [()] * layout.ncols
    return pa.table({n: pa.array(list(c), pa.string()) for n, c in zip(names, columns,
                                                                       strict=True)})


def _csv_rows(data: bytes, block: Block) -> csv.reader:
    text = data[block.start:block.end].decode("utf-8")
    return csv.reader(io.StringIO(text, newline=""), delimiter=block.layout.delimiter)


def row_lines(data: bytes, block: Block) -> tuple[list[int], list[tuple[int, list[str]]]]:
    """The slow path, for error messages only: the physical line of each row `read_rows`
    kept (same order), and the rows that do not fit the layout with their lines."""
    reader = _csv_rows(data, block)
    lines: list[int] = []
    wrong: list[tuple[int, list[str]]] = []
    previous = 0
    for cells in reader:
        line = block.first_line + previous
        previous = reader.line_num
        if not cells:
            continue
        if fit_cells(cells, block.layout.ncols) is not None:
            lines.append(line)
        else:
            wrong.append((line, cells))
    return lines, wrong
