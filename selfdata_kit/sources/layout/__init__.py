"""CSV layout files: the user says what the columns of their bank's CSV are.

- `guess_layout(inp)` sniffs a first layout (`selfdata layout guess FILE`);
- `load_layout(path)` reads and checks one (`selfdata import FILE --layout L.toml`);
- `save_layout(path)` keeps it in the user's layouts folder, after which detection applies it
  to every file with the same header (or shape), before the built-in formats.

Detection asks `layout_source(inp)` first: the layout in force for this import (from
`--layout`, set with `layout_in_force`), else a saved layout recognising the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..base import InputFile, ParseContext, Parsed, Source
from .guess import guess_layout
from .read import parse_with_layout
from .saved import layouts_dir, matches, save_layout, saved_layouts, store_layout
from .spec import CsvLayout, load_layout, parse_layout, to_toml

__all__ = ["CsvLayout", "as_source", "guess_layout", "layout_in_force", "layout_source",
           "layouts_dir", "load_layout", "parse_layout", "save_layout", "saved_layouts",
           "store_layout", "to_toml"]

SOURCE_NAME = "csv-layout"
_IN_FORCE: ContextVar[CsvLayout | None] = ContextVar("selfdata_layout", default=None)


@contextmanager
def layout_in_force(layout: CsvLayout | None) -> Iterator[None]:
    """Every file detected inside the block is read with `layout` (None: no change)."""
    token = _IN_FORCE.set(layout)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def as_source(layout: CsvLayout) -> Source:
    def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
        return parse_with_layout(layout, inp)

    return Source(name=SOURCE_NAME, title=f"CSV read with the layout {layout.path}",
                  kind="bank", detect=lambda inp: True, parse=parse,
                  extensions=(".csv", ".txt"))


def layout_source(inp: InputFile) -> Source | None:
    forced = _IN_FORCE.get()
    if forced is not None:
        return as_source(forced)
    for layout in saved_layouts():
        if matches(layout, inp):
            return as_source(layout)
    return None
