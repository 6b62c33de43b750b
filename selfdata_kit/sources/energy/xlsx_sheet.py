"""Reading a spreadsheet export (.xlsx) safely: size limits first, then openpyxl read-only.

An .xlsx file is a zip of XML parts: its members' declared sizes are checked against the same
limits as any zip an import opens (selfdata_kit.ingest.inputs; a test keeps the two equal)
before openpyxl decompresses anything, and openpyxl parses the XML with defusedxml (a
dependency), so entity expansion is refused. The workbook is opened read-only (rows are
streamed) with `data_only=True` (a formula's cached value, never the formula).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date, datetime

from defusedxml import DefusedXmlException

from ...errors import FormatError, UnsafeInputError
from ..base import InputFile
from ..xmlsafe import prolog

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 2 << 30  # 2 GiB
MAX_TOTAL_BYTES = 8 << 30  # 8 GiB
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
MAX_ROWS = 2_000_000  # a year of 10-minute readings is 52,560 rows

XLSX_MAGIC = b"PK\x03\x04"


def is_xlsx(inp: InputFile) -> bool:
    return inp.head(4) == XLSX_MAGIC and inp.basename.lower().endswith((".xlsx", ".xlsm"))


def check_limits(data: bytes, name: str) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (*DAMAGED, ValueError):
        raise FormatError("this spreadsheet cannot be opened (not a valid .xlsx file)",
                          file=name, hint="download the export again") from None
    problem = None
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS:
        problem = f"the spreadsheet has {len(infos)} parts, more than {MAX_MEMBERS}"
    elif total > MAX_TOTAL_BYTES:
        problem = f"the spreadsheet would expand to {total >> 20} MiB"
    for i in infos:
        if i.file_size > MAX_MEMBER_BYTES:
            problem = f"a part would expand to {i.file_size >> 20} MiB, over the limit"
        elif i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            problem = (f"a part expands {i.file_size // max(i.compress_size, 1)} times"
                       " (a zip bomb?)")
    if problem:
        raise UnsafeInputError(problem, file=name,
                               hint="open it in a spreadsheet program and save it again")
    _refuse_dtds(zipfile.ZipFile(io.BytesIO(data)), infos, name)


PROLOG_BYTES = 1 << 20
# what a damaged zip member raises while it is read (found by tests/fuzz)
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def _refuse_dtds(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str) -> None:
    """Spreadsheet XML parts never have a DOCTYPE: one (with entities to expand, say) is
    refused before openpyxl parses anything (its streaming reader does not use defusedxml)."""
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            with zf.open(info) as f:
                head = f.read(PROLOG_BYTES)
        except (*DAMAGED, ValueError) as e:  # a damaged or truncated member
            raise FormatError(f"this spreadsheet cannot be read ({type(e).__name__})",
                              file=name, hint="open it and save it again as .xlsx") from None
        before_root = prolog(head)
        if b"<!doctype" in before_root.lower() or (before_root == head
                                                   and len(head) == PROLOG_BYTES):
            raise UnsafeInputError("the spreadsheet's XML declares entities or a DTD, which"
                                   " exports never do", file=name,
                                   hint="open it in a spreadsheet program and save it again")


def sheet_rows(inp: InputFile) -> list[list[str]]:
    """The first sheet's rows as text cells (row n of the sheet is item n - 1)."""
    from openpyxl import load_workbook  # a dependency; imported when a spreadsheet comes

    data = inp.read_bytes()
    check_limits(data, inp.name)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = []
            for row in book.worksheets[0].iter_rows(values_only=True):
                rows.append([cell_text(v) for v in row])
                if len(rows) > MAX_ROWS:
                    raise UnsafeInputError(f"the sheet has more than {MAX_ROWS} rows",
                                           file=inp.name, hint="export a shorter period")
        finally:
            book.close()
    except DefusedXmlException:
        raise UnsafeInputError("the spreadsheet's XML declares entities or a DTD, which"
                               " exports never do", file=inp.name,
                               hint="open it in a spreadsheet program and save it again"
                               ) from None
    except (KeyError, ValueError, IndexError, *DAMAGED) as e:
        raise FormatError(f"this spreadsheet cannot be read ({type(e).__name__})",
                          file=inp.name, hint="open it and save it again as .xlsx") from None
    return [_trim(r) for r in rows]


def cell_text(value: object) -> str:
    """A cell as text: real date cells as ISO dates or wall times without offset (the
    sources read them in Europe/Paris), numbers without exponent."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, "f").rstrip("0")
    return str(value).replace("\r", " ").replace("\n", " ").replace(";", ",").strip()


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row
