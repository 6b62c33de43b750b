"""Saved layouts: the user's folder of layout files, applied to files they recognise.

The folder is `$SELFDATA_LAYOUTS_DIR` when set (tests, a shared workshop laptop), else
`$XDG_CONFIG_HOME/selfdata_kit/layouts` (by default `~/.config/selfdata_kit/layouts`).
A saved layout recognises a file by its header line (the line just above the first data
row), or, for a file without a header, by its shape: the number of columns, a date in the
date column written in the layout's format, an amount in the amount column.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime
from pathlib import Path

from ...errors import FormatError, SelfdataError
from ..bank.fr_csv.layout import fit_cells, is_amount, split_line
from ..base import InputFile
from ..text import looks_binary
from .spec import CsvLayout, load_layout, parse_layout, read_layout_text

ENV = "SELFDATA_LAYOUTS_DIR"
log = logging.getLogger(__name__)
_cache: dict[tuple, tuple[CsvLayout, ...]] = {}


def layouts_dir() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "selfdata_kit" / "layouts"


def saved_layouts() -> tuple[CsvLayout, ...]:
    """The saved layouts, by file name; read again only when the folder changed."""
    folder = layouts_dir()
    try:
        files = sorted(folder.glob("*.toml"))
        key = (str(folder), *((f.name, f.stat().st_mtime_ns) for f in files))
    except OSError:
        return ()
    if key not in _cache:
        layouts = []
        for f in files:
            try:
                layouts.append(load_layout(f))
            except SelfdataError as e:  # a hand-edited file: say so, use the others
                log.warning("saved layout ignored: %s", e)
        _cache.clear()
        _cache[key] = tuple(layouts)
    return _cache[key]


def save_layout(path: str | Path, name: str | None = None) -> Path:
    """Check a layout file and copy it to the layouts folder (owner-only); returns where."""
    return store_layout(read_layout_text(path), name or Path(path).stem, str(path))


def store_layout(text: str, name: str, origin: str = "layout") -> Path:
    """Check layout text and write it to the layouts folder as NAME.toml (owner-only)."""
    layout = parse_layout(text, origin)
    if layout.header is None and layout.column_count is None:
        raise FormatError(
            "a saved layout recognises files by their header: add `header = \"...\"` (the"
            " header line), or `column_count = N` for files without a header", file=origin,
            hint="`selfdata layout guess FILE` writes both")
    stem = re.sub(r"[^\w.-]+", "_", name).strip("._") or "layout"
    folder = layouts_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{stem}.toml"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    target.chmod(0o600)
    return target


def matches(layout: CsvLayout, inp: InputFile) -> bool:
    head = inp.head()
    if looks_binary(head):
        return False
    text = head.decode(layout.encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if len(head) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    if layout.header is not None:
        k = layout.skip_lines - 1
        return 0 <= k < len(lines) and _same(lines[k], layout.header, layout.delimiter)
    rows = [ln for ln in lines[layout.skip_lines:layout.skip_lines + 5] if ln.strip()]
    # the first row, and most of the next ones (a short file may end with a totals line)
    shaped = [_has_shape(layout, ln) for ln in rows]
    return bool(rows) and shaped[0] and sum(shaped) * 2 >= len(shaped)


def _same(line: str, header: str, delimiter: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(s.strip().rstrip(delimiter).split()).casefold()
    return norm(line) == norm(header)


def _has_shape(layout: CsvLayout, line: str) -> bool:
    cells = fit_cells(split_line(line, layout.delimiter), layout.column_count or 0)
    if cells is None:
        return False
    try:
        datetime.strptime(cells[layout.columns["date"] - 1].strip(), layout.date_format)
    except ValueError:
        return False
    money = [cells[layout.columns[r] - 1].strip() for r in ("amount", "debit", "credit")
             if r in layout.columns]
    return any(money) and all(is_amount(v) for v in money if v)
