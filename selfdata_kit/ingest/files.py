"""The import pipeline: paths -> detect -> parse -> store, one transaction per file.

A big file of a streaming format (`sources.base.streams`: Records.json, an Android backup)
is not parsed when prepared: the writer reads it in pieces inside the file's transaction
(`write_streamed`), so its rows never sit in memory all at once.

Used by the CLI, the notebook import panel and the cohort importer alike.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import (
    FormatError,
    RejectedRowsError,
    SelfdataError,
    StoreUnusableError,
    UnknownFormatError,
)
from ..sources import detect_source
from ..sources.base import (
    CHUNK_ROWS,
    MIB,
    InputFile,
    ParseContext,
    Parsed,
    RowError,
    Source,
    streams,
)
from ..store import ImportCounts, Store
from ..store.beside import import_beside
from ..store.writer import Piece, import_streamed
from .chats import settle_chat_directions
from .inputs import expand

log = logging.getLogger(__name__)
# What reading a damaged / encrypted / Deflate64 zip member raises.
_UNREADABLE = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError,
               RuntimeError)


@dataclass
class FileOutcome:
    """What happened to one file."""

    name: str
    status: str  # imported | failed | skipped
    source: Source | None = None
    counts: ImportCounts | None = None
    error: SelfdataError | None = None
    reason: str | None = None  # why a file was skipped
    issues: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, but the user should know

    @property
    def ok(self) -> bool:
        return self.status != "failed"


# Phone numbers and account numbers in file names ("+33612345678 - Received - ....html",
# "Enedis_Conso_Heure_..._14295812345678.csv") must not reach the store's import log.
_IDENTIFIER_IN_NAME = re.compile(r"\+\d{6,}|\d{9,}|0\d(?:[ .]\d\d){4}")


def redact_name(name: str) -> str:
    """A file name fit for the import log: long digit runs (phone, account, meter numbers)
    replaced by '#'; dates like 2024-01-31 or 20240131 are kept."""
    return _IDENTIFIER_IN_NAME.sub("#", name)


def log_name(inp: InputFile, source: Source) -> str:
    """The name kept in the import log: redacted, or hashed for sources whose file names
    are personal."""
    if not source.private_file_names:
        return redact_name(inp.name)
    folder, sep, base = inp.name.replace("\\", "/").rpartition("/")
    ext = base.rsplit(".", 1)[1] if "." in base else ""
    digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:16]
    return f"{redact_name(folder)}{sep}{digest}{'.' + ext if ext else ''}"


def sha256_of(inp: InputFile) -> str:
    digest = hashlib.sha256()
    with inp.open() as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def parse_file(inp: InputFile, ctx: ParseContext, source: Source | None = None) -> Parsed:
    """Detect (unless given) and parse one file, turning parser crashes into FormatError."""
    source = source or detect_source(inp)
    with _parser_errors(inp, source):
        return source.parse(inp, ctx)


@contextmanager
def _parser_errors(inp: InputFile, source: Source) -> Iterator[None]:
    """A parser crash on unexpected input as a FormatError naming the file: no traceback
    for the user (the traceback is logged for --debug)."""
    try:
        yield
    except SelfdataError:
        raise
    except MemoryError:
        raise FormatError(f"the file is too large to read as {source.title}",
                          file=inp.name) from None
    except Exception as e:
        log.debug("parser %s crashed on %s", source.name, inp.name, exc_info=True)
        raise FormatError(
            f"could not read this file as {source.title} ({type(e).__name__})",
            file=inp.name,
            hint="the file may be truncated or edited; run with --debug for details",
        ) from e


@dataclass
class Prepared:
    """A file detected, parsed and hashed, ready to be written; or why it cannot be.

    Needs no store, so worker processes can prepare files while one process writes."""

    name: str
    explicit: bool = True  # named by the user (an unknown format is then a failure)
    source: Source | None = None
    parsed: Parsed | None = None
    log_name: str = ""
    sha256: str = ""
    size: int = 0
    started_at: datetime | None = None
    error: SelfdataError | None = None
    skipped: str | None = None
    warnings: list[str] = field(default_factory=list)
    # a file read by the writer, piece by piece (then `parsed` is None)
    streamed: InputFile | None = None
    ctx: ParseContext | None = None
    skip_bad_rows: bool = False


def prepare_file(inp: InputFile, ctx: ParseContext, *, skip_bad_rows: bool = False,
                 explicit: bool = True) -> Prepared:
    """Detect and parse one file; never raises a SelfdataError, returns it."""
    started = datetime.now(UTC)
    source: Source | None = None
    try:
        source = detect_source(inp)
        if streams(source, inp):
            return Prepared(inp.name, explicit, source, None, log_name(inp, source),
                            sha256_of(inp), inp.size, started, warnings=list(inp.warnings),
                            streamed=inp, ctx=ctx, skip_bad_rows=skip_bad_rows)
        parsed = parse_file(inp, ctx, source)
        if parsed.errors and not skip_bad_rows:
            raise _rejected(inp, parsed.errors)
        return Prepared(inp.name, explicit, source, parsed, log_name(inp, source),
                        sha256_of(inp), inp.size, started, warnings=list(inp.warnings))
    except SelfdataError as e:
        if e.file is None:
            e.file = inp.name
        return Prepared(inp.name, explicit, source, error=e)
    except _UNREADABLE as e:  # a damaged, encrypted or exotic archive member
        log.debug("cannot read %s", inp.name, exc_info=True)
        return Prepared(inp.name, explicit, source, error=FormatError(
            f"the file cannot be read ({type(e).__name__})", file=inp.name,
            hint="the archive may be damaged, encrypted or use an unusual compression:"
            " extract it with another tool, or download it again"))


def write_prepared(store: Store, prep: Prepared, person_id: str) -> FileOutcome:
    """Write one prepared file in one transaction (or report why it was not)."""
    if prep.skipped:
        return FileOutcome(prep.name, "skipped", reason=prep.skipped)
    if prep.error is not None:
        if not prep.explicit and isinstance(prep.error, UnknownFormatError):
            # inside a folder or an archive, files we do not know are listed, not fatal
            reason = prep.error.message.split(";")[0]  # not the list of formats, each time
            return FileOutcome(prep.name, "skipped", reason=reason)
        return FileOutcome(prep.name, "failed", source=prep.source, error=prep.error)
    if prep.streamed is not None:
        return write_streamed(store, prep, person_id)
    assert prep.parsed is not None and prep.source is not None and prep.started_at
    try:
        counts = store.import_parsed(
            person_id=person_id, source=prep.source.name, kind=prep.source.kind,
            path=prep.log_name,
            sha256=prep.sha256, size_bytes=prep.size, tables=prep.parsed.tables,
            rows_read=prep.parsed.rows_read,
            issues=[(e.line, e.message) for e in prep.parsed.errors],
            started_at=prep.started_at)
    except StoreUnusableError:
        raise  # the store, not this file: every other file would fail the same way
    except SelfdataError as e:
        if e.file is None:
            e.file = prep.name
        return FileOutcome(prep.name, "failed", source=prep.source, error=e)
    return FileOutcome(prep.name, "imported", source=prep.source, counts=counts,
                      issues=prep.parsed.errors, warnings=prep.warnings)


# A streamed file above BESIDE_ABOVE is written into a copy of the store, in parts, and
# swapped in (`store.beside`): one transaction holds two copies of the primary-key index in
# memory at its commit, ~1 GB for 8 M points. A smaller file cannot hold more than ~2.7 M
# rows (50 bytes a row at least), which one transaction takes under 1 GB
# (benchmarks/big_inputs.py --streamed), and saves the copy of the store.
BESIDE_ABOVE = 128 * MIB
# The rows a streamed file may hold: what grows is the table's index, ~63 bytes a point, in
# DuckDB's 720 MB of the copy (it cannot spill it). Measured (benchmarks/big_inputs.py
# --streamed): 8.2 M points (a 2 GiB Records.json) imported at a 951 MiB peak; at 640 MB
# that file ran out of memory while its parts were written. 8.5 M keeps that margin (before: 4.5 M).
STREAMED_MAX_ROWS = 8_500_000


def stream_file(inp: InputFile, ctx: ParseContext, source: Source,
                chunk_rows: int = CHUNK_ROWS) -> Iterator[Parsed]:
    """`parse_file` for a streaming source: its pieces, parser crashes turned into
    FormatError (raised at the piece where they happen)."""
    assert source.stream is not None
    with _parser_errors(inp, source):
        try:
            yield from source.stream(inp, ctx, chunk_rows)
        except _UNREADABLE as e:  # a zip member damaged after its first bytes
            log.debug("cannot read %s", inp.name, exc_info=True)
            raise FormatError(f"the file cannot be read ({type(e).__name__})",
                              file=inp.name,
                              hint="the archive may be damaged: download it again") from None


def write_streamed(store: Store, prep: Prepared, person_id: str,
                   chunk_rows: int | None = None) -> FileOutcome:
    """Read and write one file piece by piece, in one transaction: the same rows, import
    log and rejected rows as parsing it whole (`write_prepared`), and the same all or
    nothing (a bad record or a parse error in the last piece leaves the store unchanged)."""
    inp, ctx, source = prep.streamed, prep.ctx, prep.source
    assert inp is not None and ctx is not None and source is not None and prep.started_at
    errors: list[RowError] = []
    rows = 0

    def pieces() -> Iterator[Piece]:
        nonlocal rows
        for piece in stream_file(inp, ctx, source, chunk_rows or CHUNK_ROWS):
            rows += sum(len(t) for t in piece.tables.values())
            if rows > STREAMED_MAX_ROWS:  # inside the transaction: rolled back
                raise FormatError(
                    f"the file holds more than {STREAMED_MAX_ROWS:,} rows of {source.title}:"
                    " the store's index of one file's rows must fit in memory (about"
                    " 1 GiB at that count)", file=inp.name, hint=source.split_hint)
            errors.extend(piece.errors)
            if errors and not prep.skip_bad_rows:
                continue  # refused: read on (a later parse error wins, the count), write no more
            yield piece.tables, [(e.line, e.message) for e in piece.errors], piece.rows_read
        if errors and not prep.skip_bad_rows:
            raise _rejected(inp, errors)  # inside the transaction: rolled back

    try:
        write = import_beside if prep.size > BESIDE_ABOVE else import_streamed
        counts = write(
            store, person_id=person_id, source=source.name, kind=source.kind,
            path=prep.log_name, sha256=prep.sha256, size_bytes=prep.size, pieces=pieces(),
            started_at=prep.started_at)
    except StoreUnusableError:
        raise
    except SelfdataError as e:
        if e.file is None:
            e.file = prep.name
        return FileOutcome(prep.name, "failed", source=source, error=e)
    return FileOutcome(prep.name, "imported", source=source, counts=counts, issues=errors,
                       warnings=prep.warnings)


def context_for(store: Store, person_id: str, *, default_region: str = "FR",
                keep_names: bool = False, me: str | None = None) -> ParseContext:
    return ParseContext(person_id, default_region=default_region, keep_names=keep_names,
                        hmac_key=store.hmac_key, me=me)


def import_file(store: Store, inp: InputFile, person_id: str, *, skip_bad_rows: bool = False,
                default_region: str = "FR", keep_names: bool = False,
                me: str | None = None) -> FileOutcome:
    """Import one file whole or not at all; never raises a SelfdataError, reports it."""
    ctx = context_for(store, person_id, default_region=default_region, keep_names=keep_names,
                      me=me)
    return write_prepared(store, prepare_file(inp, ctx, skip_bad_rows=skip_bad_rows), person_id)


def _rejected(inp: InputFile, errors: list[RowError]) -> RejectedRowsError:
    first = errors[0]
    more = f" ({len(errors)} rows in all" + (
        ", also line " + ", ".join(str(e.line) for e in errors[1:4]) if len(errors) > 1 else ""
    ) + (", ..." if len(errors) > 4 else "") + ")"
    return RejectedRowsError(
        first.message + (more if len(errors) > 1 else ""),
        file=inp.name,
        line=first.line,
        hint="fix those lines, or pass --skip-bad-rows to import the other rows"
        " (the rejected lines are then listed by `selfdata imports --issues`)",
    )


def prepare_paths(paths: list[str | Path], ctx: ParseContext, *,
                  skip_bad_rows: bool = False) -> Iterator[Prepared]:
    """Everything under `paths`, detected and parsed (no store needed)."""
    for found in expand(paths):
        if found.inp is None:
            if found.error is not None:
                err = found.error if isinstance(found.error, SelfdataError) else FormatError(
                    str(found.error), file=found.name)
                yield Prepared(found.name, found.explicit, error=err)
            else:
                yield Prepared(found.name, found.explicit, skipped=found.skipped)
            continue
        yield prepare_file(found.inp, ctx, skip_bad_rows=skip_bad_rows,
                           explicit=found.explicit)


def import_paths(
    store: Store,
    paths: list[str | Path],
    person_id: str,
    *,
    on_file: Callable[[FileOutcome], None] | None = None,
    skip_bad_rows: bool = False,
    default_region: str = "FR",
    keep_names: bool = False,
    me: str | None = None,
) -> list[FileOutcome]:
    """Import every file under `paths`; each file whole or not at all, failures reported.
    `me`: the person's own name in chat exports (else recognised, `ingest.chats`)."""
    ctx = context_for(store, person_id, default_region=default_region, keep_names=keep_names,
                      me=me)
    reports = []
    for prep in prepare_paths(paths, ctx, skip_bad_rows=skip_bad_rows):
        report = write_prepared(store, prep, person_id)
        reports.append(report)
        if on_file:
            on_file(report)
    settle_chat_directions(store, person_id)
    return reports
