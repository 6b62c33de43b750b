"""What a source is: an `InputFile` in, canonical rows and row errors out.

A source module defines `detect(inp) -> bool` (first bytes only) and
`parse(inp, ctx) -> Parsed`, and exposes them as `SOURCE = Source(...)`.
Parsers never touch DuckDB: they return frames whose columns are a subset of the
canonical columns in `selfdata_kit.store.TABLES` (without `person_id` and `import_id`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa

HEAD_BYTES = 4096


@dataclass(frozen=True)
class InputFile:
    """One file to import: a path on disk or a member of a zip, never extracted to disk.

    `name` is what the user sees in messages ("bank.zip:2024/releve.csv").
    """

    name: str
    size: int
    opener: Callable[[], BinaryIO] = field(repr=False, compare=False)

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        p = Path(path)
        return cls(name=str(p), size=p.stat().st_size, opener=lambda: open(p, "rb"))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> InputFile:
        return cls(name=name, size=len(data), opener=lambda: io.BytesIO(data))

    def open(self) -> BinaryIO:
        return self.opener()

    def head(self, n: int = HEAD_BYTES) -> bytes:
        if n <= HEAD_BYTES:  # every source's detect asks: read (and decompress) it once
            return self._head[:n]
        with self.open() as f:
            return f.read(n)

    @cached_property
    def _head(self) -> bytes:
        with self.open() as f:
            return f.read(HEAD_BYTES)

    def read_bytes(self) -> bytes:
        with self.open() as f:
            return f.read()

    @property
    def basename(self) -> str:
        return self.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class RowError:
    """A row that could not be read: its line and what was expected, no personal content."""

    line: int | None
    message: str


@dataclass
class ParseContext:
    """What a parser may need beyond the file itself."""

    person_id: str
    default_region: str = "FR"  # phone numbers without a country code
    keep_names: bool = False  # keep contact names from the export (off by default)
    hmac_key: bytes | None = None  # per-store secret for pseudonymising identifiers
    me: str | None = None  # the person's own name in chat exports (`import --me NAME`)
    timezone: str = "Europe/Paris"  # local times written without an offset (WhatsApp)


Frame = pd.DataFrame | pa.Table


@dataclass
class Parsed:
    """A parser's result: canonical tables, the rows it could not read, and how many it read."""

    tables: dict[str, Frame]
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0


@dataclass(frozen=True)
class Source:
    name: str  # short id shown in `selfdata formats` and stored in imports.source
    title: str  # one line for humans
    kind: str  # bank | calls | energy | places | media
    detect: Callable[[InputFile], bool]
    parse: Callable[[InputFile, ParseContext], Parsed]
    extensions: tuple[str, ...] = ()
    # the exporter names files after people (Takeout Voice: "Alice - Received - ....html"):
    # the import log then keeps a hash of the file name, not the name
    private_file_names: bool = False
