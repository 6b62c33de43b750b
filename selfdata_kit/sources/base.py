"""What a source is: an `InputFile` in, canonical rows and row errors out.

A source module defines `detect(inp) -> bool` (first bytes only) and
`parse(inp, ctx) -> Parsed`, and exposes them as `SOURCE = Source(...)`.
Parsers never touch DuckDB: they return frames whose columns are a subset of the
canonical columns in `selfdata_kit.store.TABLES` (without `person_id` and `import_id`).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa

from ..errors import FormatError

HEAD_BYTES = 4096
# A trailing run of NUL bytes or spaces at least this long is padding (a pre-allocated,
# partly written download), not data. Shorter runs are left alone: a UTF-16 file ends in
# a NUL byte, and a few spaces cost nothing.
MIN_PADDING = 512
_PAD = b"\x00 "
_TAIL_CHUNK = 1 << 20
# The largest file a format reads (its data, padding left out): memory follows the data, and
# no input may take more than 1 GiB (benchmarks/big_inputs.py measures each kind at its
# limit). Far above real exports (docs/security.md lists the largest known); a bigger
# file is refused before it is read, with the limit and how to split it.
MIB = 1 << 20
WHOLE_FILE_MAX = 24 * MIB  # a text or an XML tree parsed whole (OFX, QIF, MT940, camt, chats)
CSV_MAX = 64 * MIB  # a table read by pandas or DuckDB
JSON_MAX = 48 * MIB  # a JSON document loaded whole
SPREADSHEET_MAX = 8 * MIB  # an .xlsx (compressed: its sheets hold ten times that)
# Read record by record and written in chunks (`Source.stream`): a file above STREAM_ABOVE
# never has all its rows in memory, the store stages them on disk, so memory does not grow
# with the file. The limit is then disk, not memory: 16 GiB, far above the largest real
# export (a decade of Records.json is 1-2 GB), refuses only what cannot be an export.
GIB = 1 << 30
STREAMED_MAX = 16 * GIB
POINTS_MAX = STREAMED_MAX  # location points (Records.json, Timeline.json)
MESSAGES_MAX = STREAMED_MAX  # an Android backup's calls, SMS and MMS (attachments skipped)
# A file of a streaming format at most this big is parsed whole (fast, batched with others
# in a cohort import); a bigger one is streamed, CHUNK_ROWS rows at a time.
STREAM_ABOVE = 64 * MIB
CHUNK_ROWS = 50_000
SPLIT_BY_PERIOD = ("export shorter periods (one year per file, say) and import each: rows"
                   " are matched by their day, so split at a day's boundary")


@dataclass(frozen=True)
class InputFile:
    """One file to import: a path on disk or a member of a zip, never extracted to disk.

    `name` is what the user sees in messages ("bank.zip:2024/releve.csv"). A file on disk
    that ends in padding is read up to its data only (`size` bytes; `padding` more were
    ignored), so memory follows the data, never the file.
    """

    name: str
    size: int
    opener: Callable[[], BinaryIO] = field(repr=False, compare=False)
    padding: int = 0
    # what the user should know although the file was read (padding, mixed encodings)
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)
    # where it can be opened again in another process: (path, zip member or None); a
    # streamed file is prepared in a worker of a cohort import and read by the writer
    origin: tuple[str, str | None] | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple:
        if self.origin is None:
            raise TypeError(f"{self.name} cannot be reopened in another process")
        return (_reopened, (self.name, self.size, self.padding, list(self.warnings),
                            self.origin))

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        p = Path(path)
        total = p.stat().st_size
        end = data_end(p, total)
        if end == total:
            return cls(name=str(p), size=total, opener=lambda: open(p, "rb"),
                       origin=(str(p), None))
        inp = cls(name=str(p), size=end, padding=total - end,
                  opener=lambda: _bounded(p, end), origin=(str(p), None))
        inp.warnings.append(
            f"the file ends with {_mib(total - end)} of padding (NUL bytes or spaces, as a"
            " download that did not finish leaves): ignored, only the data before it was read")
        return inp

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


def _reopened(name: str, size: int, padding: int, warnings: list[str],
              origin: tuple[str, str | None]) -> InputFile:
    """An InputFile rebuilt from where it lives (unpickled in another process)."""
    path, member = Path(origin[0]), origin[1]

    def opener() -> BinaryIO:
        if member is not None:
            return _zip_member(path, member)
        return _bounded(path, size) if padding else open(path, "rb")  # noqa: SIM115

    return InputFile(name, size, opener, padding, warnings, origin)


def _zip_member(path: Path, member: str) -> BinaryIO:
    zf = zipfile.ZipFile(path)  # closed when its member is: the member holds the only use
    return zf.open(member)


def data_end(path: Path, size: int) -> int:
    """Where the data of a file ends, once trailing padding is left out (`size` if there is
    less than MIN_PADDING of it). Reads the tail backwards, 1 MiB at a time, after skipping
    the trailing holes of a sparse file, so a 2 GB pad costs little time and no memory."""
    with open(path, "rb") as f:
        end = _last_data(f.fileno(), size)
        while end > 0:
            start = max(0, end - _TAIL_CHUNK)
            f.seek(start)
            kept = f.read(end - start).rstrip(_PAD)
            if kept:
                end = start + len(kept)
                break
            end = start
        if size - end < MIN_PADDING:
            return size
        f.seek(0)
        if f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            end += end % 2  # a UTF-16 text ends in a whole two-byte unit ("\n\x00")
    return end


def _last_data(fd: int, size: int) -> int:
    """The end of a file's last non-hole region (holes read as NUL bytes)."""
    if not hasattr(os, "SEEK_DATA"):
        return size
    end = pos = 0
    while pos < size:
        try:
            pos = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:  # ENXIO: only holes after `end`; else holes are not supported
            return end if e.errno == errno.ENXIO else size
        end = pos = os.lseek(fd, pos, os.SEEK_HOLE)
    return min(end, size)


def _bounded(path: Path, end: int) -> BinaryIO:
    return io.BufferedReader(_Bounded(open(path, "rb", buffering=0), end))  # noqa: SIM115


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n} bytes"


class _Bounded(io.RawIOBase):
    """A file read up to `end` only (the padding after it is never read)."""

    def __init__(self, f: io.RawIOBase, end: int) -> None:
        self._f, self._left = f, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        view = memoryview(buffer)[: self._left]
        n = self._f.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._f.close()
        super().close()


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


def whole(pieces: Iterable[Parsed]) -> Parsed:
    """The pieces a streaming parser yields, as the one `Parsed` of the whole file: each
    table's frames concatenated in order, the errors in order, the counts added."""
    frames: dict[str, list[Frame]] = {}
    errors: list[RowError] = []
    read = 0
    for piece in pieces:
        for name, frame in piece.tables.items():
            frames.setdefault(name, []).append(frame)
        errors.extend(piece.errors)
        read += piece.rows_read
    tables = {name: parts[0] if len(parts) == 1 else _concat(parts)
              for name, parts in frames.items()}
    return Parsed(tables=tables, errors=errors, rows_read=read)


def _concat(parts: list[Frame]) -> Frame:
    if all(isinstance(p, pa.Table) for p in parts):
        return pa.concat_tables(parts)
    kept = [p for p in parts if len(p)] or parts[:1]  # empty pieces would lose the dtypes
    return pd.concat(kept, ignore_index=True)


# A streaming parser: `stream(inp, ctx, chunk_rows)` yields `Parsed` pieces of about
# `chunk_rows` rows each (whole records only), then one last piece (dimension rows such as
# contacts, which are only known at the end). `parse` is then `whole(stream(...))`.
Stream = Callable[[InputFile, ParseContext, int], Iterator[Parsed]]


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
    # the largest file it reads (see WHOLE_FILE_MAX) and how to split a bigger one
    max_bytes: int = WHOLE_FILE_MAX
    split_hint: str = SPLIT_BY_PERIOD
    # set by formats that can be read in chunks (a file above STREAM_ABOVE is then streamed)
    stream: Stream | None = None


def streams(source: Source, inp: InputFile) -> bool:
    """Whether `inp` is read in chunks and written chunk by chunk (one transaction still)."""
    return source.stream is not None and inp.size > STREAM_ABOVE


def check_size(source: Source, inp: InputFile) -> None:
    """Refuse, before reading it, a file larger than its format's limit."""
    if inp.size > source.max_bytes:
        raise FormatError(
            f"the file holds {_mib(inp.size)} of {source.title}: more than the"
            f" {_mib(source.max_bytes)} this format reads (far more than real exports"
            + (")" if source.stream else "; memory would follow the file)"), file=inp.name,
            hint=f"{source.split_hint}; or check that it is the export itself")
