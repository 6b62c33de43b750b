"""`selfdata import --cohort DIR`: one sub-folder per person (folder name = person id, as
`selfdata synth` writes them), all persons into one store.

Parsing is the slow part and needs no store, so workers (local processes, or a Dask cluster)
prepare each person's files in parallel; the parent is the only writer (DuckDB has one). It
writes several persons' files at once (`store.batch_writer`: a few statements per table for
the whole batch, one transaction), in folder order, so the result is the same whatever the
number of workers or the batch size. A file that failed to parse is never written; a batch
that fails to write is rolled back whole and written again file by file, each file in its own
transaction, so the good files still go in and the bad one is reported as it would be alone.
`batch=0` writes file by file from the start (the previous path, kept for the benchmark).
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import duckdb

from ..errors import SelfdataError, StoreUnusableError
from ..sources.base import ParseContext
from ..store import Store, check_person_id
from ..store.batch_writer import Entry, ParsedFile, SkippedFile, import_batch
from ..store.skipped import log_skipped
from .chats import settle_chat_directions, settle_many
from .files import FileOutcome, Prepared, prepare_paths, redact_name, write_prepared

log = logging.getLogger(__name__)

BATCH_PERSONS = 20  # persons written per transaction by default
BATCH_ROWS = 500_000  # ... or fewer, once their files hold this many rows (bounds memory)
# persons parsed ahead of the writer, beyond two per worker: enough for the workers to keep
# parsing while a batch is written (a batch of 20 costs the writer about as much CPU as 10
# persons' parsing), few enough to bound memory (a parsed person is a few MB)
AHEAD_WHILE_WRITING = 12
# the reasons `prepare` gives for files of a folder or zip that no format recognised
UNKNOWN_REASONS = ("not a format selfdata_kit knows", "a binary file")


@dataclass
class PersonImport:
    person: str
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def sources(self) -> Counter[str]:
        return Counter(r.source.kind for r in self.files if r.status == "imported" and r.source)

    @property
    def rows(self) -> int:
        return sum(r.counts.rows_inserted for r in self.files if r.counts)

    @property
    def rejected(self) -> int:
        return sum(r.counts.rows_rejected for r in self.files if r.counts)

    @property
    def failed(self) -> list[FileOutcome]:
        return [r for r in self.files if r.status == "failed"]


def person_folders(cohort: Path) -> list[Path]:
    if not cohort.is_dir():
        raise SelfdataError("expected a folder with one sub-folder per person", file=str(cohort))
    folders = sorted(p for p in cohort.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise SelfdataError("no person sub-folders in the cohort folder", file=str(cohort),
                            hint="one sub-folder per person, named by the person id")
    for folder in folders:  # the folder name becomes the id: checked before anything is read
        check_person_id(folder.name, where=str(cohort))
    return folders


def prepare_person(folder: str, person: str, key: bytes, options: dict) -> list[Prepared]:
    """Detect and parse one person's files (no store: runs in a worker process)."""
    ctx = ParseContext(person, default_region=str(options.get("region") or "FR"),
                       keep_names=bool(options.get("keep_names")), hmac_key=key,
                       me=options.get("me"))
    return list(prepare_paths([folder], ctx,
                              skip_bad_rows=bool(options.get("skip_bad_rows"))))


def unknown_files(outcomes: list[FileOutcome]) -> list[FileOutcome]:
    """The files of a folder or zip that no format recognised, to keep in the import log
    (for `selfdata doctor`); only when the import brought something in: an import that
    brings nothing leaves the store as it was."""
    if not any(r.status == "imported" for r in outcomes):
        return []
    return [r for r in outcomes if r.status == "skipped" and r.reason
            and r.reason.startswith(UNKNOWN_REASONS)]


def log_unknown_files(store: Store, person: str, outcomes: list[FileOutcome]) -> None:
    for r in unknown_files(outcomes):
        log_skipped(store, person, redact_name(r.name), r.reason or "")


def _local(args: list[tuple], jobs: int) -> Iterator[list[Prepared]]:
    if jobs <= 1:
        for a in args:
            yield prepare_person(*a)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        def submit(*a: Any) -> Future:
            return pool.submit(prepare_person, *a)

        yield from _in_order(submit, args, ahead=2 * jobs + AHEAD_WHILE_WRITING)


def _dask(args: list[tuple], jobs: int, scheduler: str | None) -> Iterator[list[Prepared]]:
    try:
        from distributed import Client
    except ImportError:
        raise SelfdataError("the dask executor needs dask.distributed",
                            hint="pip install 'selfdata_kit[dask]'") from None
    with Client(scheduler) if scheduler else Client(n_workers=jobs,
                                                    threads_per_worker=1) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        ahead = 2 * workers + AHEAD_WHILE_WRITING

        def submit(*a: Any) -> Future:
            return client.submit(prepare_person, *a, pure=False)

        yield from _in_order(submit, args, ahead=ahead)


def _in_order(submit: Callable[..., Any], args: list[tuple],
              ahead: int) -> Iterator[list[Prepared]]:
    """Results in folder order, with at most `ahead` persons submitted but not yet handed to
    the writer: the workers run ahead of the writer (and keep parsing while it writes a
    batch), and memory stays bounded."""
    pending: deque = deque()
    todo = iter(args)
    for a in todo:
        pending.append(submit(*a))
        if len(pending) >= ahead:
            break
    while pending:
        result = pending.popleft().result()
        for a in todo:
            pending.append(submit(*a))
            break
        yield result


def import_cohort(store: Store, cohort: Path, *, jobs: int = 2, batch: int = BATCH_PERSONS,
                  executor: str = "local", scheduler: str | None = None,
                  log_unknown: bool = False,
                  on_person: Callable[[PersonImport], None] | None = None,
                  **options: object) -> list[PersonImport]:
    """Import every person's folder; returns one summary per person, in folder order.
    `batch`: persons written per transaction (0: file by file); `log_unknown`: keep the
    files no format recognised in the import log; `executor` 'dask' parses on the Dask
    cluster at `scheduler` (a local one if None)."""
    folders = person_folders(cohort)
    args = [(str(f), f.name, store.hmac_key, dict(options)) for f in folders]
    results = _dask(args, jobs, scheduler) if executor == "dask" else _local(args, jobs)
    summaries: list[PersonImport] = []
    waiting: list[tuple[str, list[Prepared]]] = []

    def flush() -> None:
        for summary in _write(store, waiting, batched=batch > 0, log_unknown=log_unknown):
            summaries.append(summary)
            if on_person:
                on_person(summary)
        waiting.clear()

    rows = 0
    for folder, prepared in zip(folders, results, strict=True):
        waiting.append((folder.name, prepared))
        rows += sum(_rows(p) for p in prepared)
        if len(waiting) >= max(batch, 1) or rows >= BATCH_ROWS:
            flush()
            rows = 0
    flush()
    return summaries


def _rows(prep: Prepared) -> int:
    return sum(len(f) for f in prep.parsed.tables.values()) if prep.parsed else 0


def _write(store: Store, persons: list[tuple[str, list[Prepared]]], *, batched: bool,
           log_unknown: bool) -> list[PersonImport]:
    if not persons:
        return []
    # a big file read in pieces (`files.write_streamed`) is written on its own: its batch
    # goes file by file, as with batch=0 (same result, never written twice on a fallback)
    if batched and not any(p.streamed for _, prepared in persons for p in prepared):
        try:
            return _write_batch(store, persons, log_unknown=log_unknown)
        except StoreUnusableError:
            raise  # the store, not a file: every file would fail the same way
        except (SelfdataError, duckdb.Error):
            # rolled back whole: file by file, the good files go in, the bad one says why
            log.debug("batch of %d persons failed, writing file by file", len(persons),
                      exc_info=True)
    summaries = []
    for person, prepared in persons:
        summary = PersonImport(person, [write_prepared(store, p, person) for p in prepared])
        settle_chat_directions(store, person)
        if log_unknown:
            log_unknown_files(store, person, summary.files)
        summaries.append(summary)
    return summaries


def _write_batch(store: Store, persons: list[tuple[str, list[Prepared]]], *,
                 log_unknown: bool) -> list[PersonImport]:
    """All persons' files in one transaction, with the outcomes file-by-file writing gives."""
    entries: list[Entry] = []
    placed: list[tuple[FileOutcome, int]] = []  # an imported file's outcome, its entry
    summaries = []
    for person, prepared in persons:
        summary = PersonImport(person)
        for prep in prepared:
            if prep.parsed is None or prep.error is not None or prep.skipped:
                summary.files.append(write_prepared(store, prep, person))  # writes nothing
                continue
            assert prep.source is not None and prep.started_at is not None
            outcome = FileOutcome(prep.name, "imported", source=prep.source,
                                  issues=prep.parsed.errors, warnings=prep.warnings)
            placed.append((outcome, len(entries)))
            entries.append(ParsedFile(
                person, prep.source.name, prep.source.kind, prep.log_name, prep.sha256,
                prep.size, prep.parsed.tables, prep.parsed.rows_read,
                [(e.line, e.message) for e in prep.parsed.errors], prep.started_at))
            summary.files.append(outcome)
        if log_unknown:
            entries.extend(SkippedFile(person, redact_name(r.name), r.reason or "")
                           for r in unknown_files(summary.files))
        summaries.append(summary)
    counts = import_batch(store, entries,
                          then=lambda: settle_many(store, [s.person for s in summaries]))
    for outcome, i in placed:
        outcome.counts = counts[i]
    return summaries
