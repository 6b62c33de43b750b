"""`selfdata import --cohort DIR`: one sub-folder per person (folder name = person id, as
`selfdata synth` writes them), all persons into one store.

Parsing is the slow part and needs no store, so worker processes prepare each person's files
in parallel; the parent writes them (DuckDB has one writer), person by person in folder order,
each file in its own transaction, so the result is the same whatever the number of workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from ..errors import SelfdataError
from ..sources.base import ParseContext
from ..store import Store, check_person_id
from .chats import settle_chat_directions
from .files import FileOutcome, Prepared, prepare_paths, write_prepared


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


def _prepare_person(folder: str, person: str, key: bytes, options: dict) -> list[Prepared]:
    ctx = ParseContext(person, default_region=options.get("default_region", "FR"),
                       keep_names=options.get("keep_names", False), hmac_key=key,
                       me=options.get("me"))
    return list(prepare_paths([folder], ctx,
                              skip_bad_rows=options.get("skip_bad_rows", False)))


def _prepared(folders: list[Path], key: bytes, options: dict,
              jobs: int) -> Iterator[tuple[str, list[Prepared]]]:
    args = [(str(f), f.name, key, options) for f in folders]
    if jobs <= 1:
        for a in args:
            yield a[1], _prepare_person(*a)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        # map keeps folder order while the workers run ahead (bounded by the pool)
        yield from zip([a[1] for a in args],
                       pool.map(_prepare_person, *zip(*args, strict=True), chunksize=1),
                       strict=True)


def import_cohort(store: Store, cohort: Path, *, jobs: int = 2,
                  on_person: Callable[[PersonImport], None] | None = None,
                  **options: object) -> list[PersonImport]:
    """Import every person's folder; returns one summary per person, in folder order."""
    folders = person_folders(cohort)
    summaries = []
    for person, prepared in _prepared(folders, store.hmac_key, dict(options), jobs):
        summary = PersonImport(person, [write_prepared(store, p, person) for p in prepared])
        settle_chat_directions(store, person)
        summaries.append(summary)
        if on_person:
            on_person(summary)
    return summaries
