"""A big streamed file written beside the store: into a copy, in parts, then swapped in.

Why not one transaction, as `writer.import_streamed` does for smaller files: DuckDB keeps
the new keys of a transaction in an index of its own until the commit, which then adds them
to the table's primary-key index, and both must fit in memory (DuckDB's ART indexes are
never spilled to disk). For 8.2 M points (a 2 GiB Records.json) that is ~500 MB each, over
1 GB with the interpreter. Committed in parts of `PART_ROWS` rows, only the table's index
grows (~63 bytes a point). But a part committed in the store would stay there if the
process were killed, so the parts are committed in a copy of the store file
(`<store>.import`), which replaces the store by one atomic rename once the whole file is
in. A late error or a kill leaves the store file untouched (not even checkpointed); the
copy is removed then, or when the store is next opened (`remove_leftovers`).

The pieces are staged as in `writer.import_streamed` (temporary tables, spilled to disk),
then inserted in parts by a hash of each row's identity: identical rows fall in the same
part, where their occurrence numbers are counted, so the uids are those of the whole file
at once; each part is checked against the table by its primary key (`ON CONFLICT DO
NOTHING`), not by a join over all the person's rows.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..errors import StoreError, StoreUnusableError
from .permissions import owner_only
from .tables import WRITE_ORDER, TableSpec
from .writer import (
    ImportCounts,
    Piece,
    _insert_staged,
    _insert_tables,
    _log_import,
    _piece_table,
    misfit,
    stage_pieces,
    stage_sql,
)

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)

# Rows inserted and committed at a time in the copy: each part's own index (~63 bytes a row)
# and its stage are freed at its commit.
PART_ROWS = 500_000
# What DuckDB may hold in the copy, the table's index included (which it cannot spill):
# 8.2 M points need 515 MB of index, and the last parts their stage, window and own index
# beside it: at 640 MB that file ran out of memory (benchmarks/big_inputs.py --streamed). The
# staged rows and the rows written spill to `<store>.import.tmp`. Past it, a clear "not
# enough memory" error, the store unchanged.
MEMORY = "720MB"


def copy_path(store_path: Path) -> Path:
    return Path(f"{store_path}.import")


def leftovers(store_path: Path) -> list[Path]:
    """What a killed import beside the store leaves next to it."""
    tmp = copy_path(store_path)
    return [p for p in (tmp, Path(f"{tmp}.wal")) if p.exists()]


def remove_leftovers(store_path: Path) -> None:
    """At opening for writing (the store's lock is held): a copy left by a killed import is
    of no use, the store never saw its rows."""
    for path in leftovers(store_path):
        log.warning("%s: removing %s, left by an interrupted import", store_path, path.name)
        path.unlink(missing_ok=True)


def import_beside(
    store: Store,
    *,
    person_id: str,
    source: str,
    kind: str | None = None,
    path: str,
    sha256: str,
    size_bytes: int,
    pieces: Iterable[Piece],
    started_at: datetime,
) -> ImportCounts:
    """`writer.import_streamed`, for files too big for one transaction: the same rows,
    counts, import log and issues, and the same all or nothing, by way of a copy."""
    from .connection import Store

    try:
        tmp = _copy(store)
        copy = Store(tmp)
        try:
            counts = _write(copy, person_id=person_id, about=[
                person_id, source, kind, path, sha256, size_bytes, started_at], pieces=pieces)
            with owner_only():
                copy.run("CHECKPOINT")  # the copy owes nothing to its write-ahead log
        finally:
            with suppress(duckdb.Error):
                copy.con.close()
        _swap(store, tmp)
    except StoreUnusableError as e:  # a full disk, say: name the store, not its copy
        e.file = str(store.path)
        raise
    finally:
        for p in leftovers(store.path):  # none once swapped
            p.unlink(missing_ok=True)
    return counts


def _copy(store: Store) -> Path:
    """The store file (and its write-ahead log) copied, owner-only. The store is idle and
    its lock held by this process: nobody writes to it meanwhile."""
    tmp = copy_path(store.path)
    for p in leftovers(store.path):
        p.unlink()
    try:
        with owner_only():
            shutil.copyfile(store.path, tmp)
            wal = Path(f"{store.path}.wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{tmp}.wal"))
    except OSError as e:  # a full disk, most likely: said, not a traceback
        raise StoreError(f"cannot copy the store to write this big file beside it"
                         f" ({e.strerror})", file=str(store.path), hint="a file this big is"
                         " written into a copy of the store first: free that much disk"
                         " space and import it again; the store is unchanged") from None
    return tmp


def _swap(store: Store, tmp: Path) -> None:
    """Replace the store by its copy (one atomic rename), then reopen it."""
    with owner_only():
        store.con.close()  # checkpoints: the old file must owe nothing to a log
    if Path(f"{store.path}.wal").exists():  # its log would be replayed onto the copy
        store.reconnect()
        raise StoreError("the store could not be closed cleanly before taking in the file",
                         file=str(store.path), hint="the store is unchanged; import the"
                         " file again")
    os.replace(tmp, store.path)
    store.reconnect()


def _write(copy: Store, *, person_id: str, about: list[object],
           pieces: Iterable[Piece]) -> ImportCounts:
    """Stage the pieces in the copy (temporary tables, spilled to disk), then insert them
    part by part, each part committed."""
    copy.run(f"SET memory_limit = '{MEMORY}'")
    copy.run("SET preserve_insertion_order = false")
    # no checkpoint between parts: each would write the whole index again
    copy.run("SET checkpoint_threshold = '1TB'")
    specs = copy.table_specs
    _begin(copy)
    copy.ensure_person(person_id)
    import_id = copy.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
    present, rows_read, rejected = stage_pieces(copy, import_id, pieces)
    _commit(copy)  # the staging tables are temporary: they outlive it
    inserted, offered = _insert_tables(
        [n for n in WRITE_ORDER if n in present],
        lambda name: _insert_parts(copy, specs[name], name, present[name], person_id,
                                   import_id))
    counts = ImportCounts(import_id, rows_read, inserted, offered - inserted, rejected)
    _begin(copy)
    _log_import(copy, counts, about)
    _commit(copy)
    return counts


def _insert_parts(copy: Store, spec: TableSpec, name: str, present: set[str],
                  person_id: str, import_id: int) -> tuple[int, int]:
    """One table's staged rows, in parts of about PART_ROWS by a hash of their identity
    (`writer.stage_sql`), each staged, inserted and committed. Returns (inserted, offered)."""
    table = _piece_table(name)
    offered = copy.run(f"SELECT count(*) FROM {table}")[0][0]
    parts = -(-offered // PART_ROWS) if spec.is_fact else 1  # a dimension: in file order
    copy.run(f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * FROM {table}")
    inserted = 0
    for k in range(parts):
        _begin(copy)
        try:
            copy.run("CREATE OR REPLACE TEMP TABLE _stage AS"
                     f" {stage_sql(spec, present, part=(k, parts) if parts > 1 else None)}")
        except duckdb.OutOfMemoryException:
            raise _out_of_memory(name) from None
        except duckdb.Error as e:
            raise misfit(name, e) from None
        try:
            inserted += _insert_staged(copy, spec, name, person_id, import_id, by_index=True)
        except duckdb.OutOfMemoryException:
            raise _out_of_memory(name) from None
        _commit(copy)
    copy.run("DROP VIEW _incoming")
    copy.run(f"DROP TABLE {table}")
    return inserted, offered


def _begin(copy: Store) -> None:
    with owner_only(), copy._failures():
        copy.con.begin()


def _commit(copy: Store) -> None:
    try:
        with owner_only(), copy._failures():
            copy.con.commit()
    except duckdb.OutOfMemoryException:  # adding the part's keys to the table's index
        raise _out_of_memory("places") from None


def _out_of_memory(name: str) -> StoreError:
    return StoreError(f"{name}: not enough memory to write this file (the table's index"
                      f" must fit in DuckDB's {MEMORY})", hint="split the file and import"
                      " each part; the store is unchanged")
