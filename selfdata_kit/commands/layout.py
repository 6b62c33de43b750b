"""`selfdata layout guess | save | list`: layout files for bank CSVs no built-in format knows.

`guess FILE` prints (or writes with --out) a layout sniffed from the file; the user checks it,
imports with `selfdata import FILE --layout L.toml`, and `save`s it so that later files with
the same header are recognised by `selfdata import` alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SelfdataError
from ..sources.base import InputFile
from ..sources.layout import (
    guess_layout,
    layouts_dir,
    save_layout,
    saved_layouts,
    to_toml,
)


def layout_guess(file: Path, out: Path | None) -> int:
    if not file.is_file():
        raise SelfdataError("no such file", file=str(file))
    layout, comments = guess_layout(InputFile.from_path(file))
    text = to_toml(layout, comments)
    if out is None:
        print(text, end="")
        return 0
    if out.exists():
        raise SelfdataError("the layout file exists already", file=str(out),
                            hint="pick another --out, or remove it first")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"layout written to {out}: check it, then"
          f" `selfdata import {file} --layout {out} --person ID`")
    return 0


def layout_save(path: Path, name: str | None) -> int:
    target = save_layout(path, name)
    print(f"saved {target}: `selfdata import` now reads files with this header (or shape) by it")
    return 0


def layout_list() -> int:
    folder = layouts_dir()
    layouts = saved_layouts()
    if not layouts:
        print(f"no saved layouts in {folder}")
        return 0
    for layout in layouts:
        what = "header" if layout.header is not None else f"{layout.column_count} columns"
        print(f"{Path(layout.path).name}  {layout.name or ''}  (recognises files by {what})")
    return 0
