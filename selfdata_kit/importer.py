"""The import pipeline: paths -> detect -> parse -> store, one transaction per file.

Used by the CLI, the notebook import panel and the cohort importer alike.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import FormatError, RejectedRowsError, SelfdataError, UnknownFormatError
from .inputs import expand
from .sources import detect_source
from .sources.base import InputFile, ParseContext, Parsed, RowError, Source
from .store import ImportCounts, Store

log = logging.getLogger(__name__)
# What reading a damaged / encrypted / Deflate64 zip member raises.
_UNREADABLE = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError,
               RuntimeError)


@dataclass
class FileReport:
    """What happened to one file."""

    name: str
    status: str  # imported | failed | skipped
    source: Source | None = None
    counts: ImportCounts | None = None
    error: SelfdataError | None = None
    reason: str | None = None  # why a file was skipped
    issues: list[RowError] = field(default_factory=list)

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
    try:
        return source.parse(inp, ctx)
    except SelfdataError:
        raise
    except MemoryError:
        raise FormatError(f"the file is too large to read as {source.title}",
                          file=inp.name) from None
    except Exception as e:  # a parser bug on unexpected input: no traceback for the user
        log.debug("parser %s crashed on %s", source.name, inp.name, exc_info=True)
        raise FormatError(
            f"could not read this file as {source.title} ({type(e).__name__})",
            file=inp.name,
            hint="the file may be truncated or edited; run with --debug for details",
        ) from e


def import_file(
    store: Store,
    inp: InputFile,
    person_id: str,
    *,
    skip_bad_rows: bool = False,
    default_region: str = "FR",
    keep_names: bool = False,
) -> FileReport:
    """Import one file whole or not at all; never raises a SelfdataError, reports it."""
    started = datetime.now(UTC)
    source: Source | None = None
    try:
        source = detect_source(inp)
        ctx = ParseContext(person_id, default_region=default_region, keep_names=keep_names,
                           hmac_key=store.hmac_key)
        parsed = parse_file(inp, ctx, source)
        if parsed.errors and not skip_bad_rows:
            raise _rejected(inp, parsed.errors)
        counts = store.import_parsed(
            person_id=person_id,
            source=source.name,
            path=log_name(inp, source),
            sha256=sha256_of(inp),
            size_bytes=inp.size,
            tables=parsed.tables,
            rows_read=parsed.rows_read,
            issues=[(e.line, e.message) for e in parsed.errors],
            started_at=started,
        )
    except SelfdataError as e:
        if e.file is None:
            e.file = inp.name
        return FileReport(inp.name, "failed", source=source, error=e)
    except _UNREADABLE as e:  # a damaged, encrypted or exotic archive member
        log.debug("cannot read %s", inp.name, exc_info=True)
        return FileReport(inp.name, "failed", source=source, error=FormatError(
            f"the file cannot be read ({type(e).__name__})", file=inp.name,
            hint="the archive may be damaged, encrypted or use an unusual compression:"
            " extract it with another tool, or download it again"))
    return FileReport(inp.name, "imported", source=source, counts=counts, issues=parsed.errors)


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


def import_paths(
    store: Store,
    paths: list[str | Path],
    person_id: str,
    *,
    on_file: Callable[[FileReport], None] | None = None,
    **options: object,
) -> list[FileReport]:
    """Import every file under `paths`; each file whole or not at all, failures reported."""
    reports = []
    for report in _iter_reports(store, paths, person_id, **options):
        reports.append(report)
        if on_file:
            on_file(report)
    return reports


def _iter_reports(store: Store, paths: list[str | Path], person_id: str,
                  **options: object) -> Iterator[FileReport]:
    for found in expand(paths):
        if found.inp is None:
            if found.error is not None:
                err = found.error if isinstance(found.error, SelfdataError) else FormatError(
                    str(found.error), file=found.name)
                yield FileReport(found.name, "failed", error=err)
            else:
                yield FileReport(found.name, "skipped", reason=found.skipped)
            continue
        report = import_file(store, found.inp, person_id, **options)  # type: ignore[arg-type]
        if (report.status == "failed" and not found.explicit
                and isinstance(report.error, UnknownFormatError)):
            # inside a folder or an archive, files we do not know are listed, not fatal
            reason = report.error.message.split(";")[0]  # not the list of formats, each time
            report = FileReport(found.name, "skipped", reason=reason)
        yield report
