"""Writing one parsed file: every table in one transaction, new rows only.

A fact row's identity is its `uid`: the source's own id where it has one, else a hash of the
row's canonical values plus its occurrence number among identical rows of the same file, so
re-importing a file or an overlapping export adds nothing while two identical coffees stay
two rows. Dimension rows (accounts, meters, contacts) are identified by their natural key.

Free-text columns (a transaction's label) enter the hash folded (`FOLD_SQL`), so that a
corrected re-export of the same statement (accents restored after a wrong decoding, case or
spaces changed, full-width letters or ligatures) names the same rows. Stores made before
that are re-hashed by migrations 004_folded_labels.sql and 005_nfkc_labels.sql; the latest
must stay in step with `stage_sql`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import pyarrow as pa

from ..errors import StoreError
from . import fold
from .tables import TABLES, WRITE_ORDER, TableSpec

if TYPE_CHECKING:
    from .connection import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportCounts:
    import_id: int
    rows_read: int
    rows_inserted: int
    rows_duplicate: int
    rows_rejected: int


# A label's identity: its letters and digits, compatibility-folded (NFKC: full-width "ＣＡＦＥ"
# and ligatures such as "ﬁ" read as "CAFE", "fi"), in lower case, without U+0080-U+02FF
# (Latin-1 and Latin Extended: where both accented letters and their mojibake live, so
# "Café", "CAFÉ " -> "caf" and "CafÃ©" -> "caf"; Cyrillic, Greek, CJK ... letters are kept).
# Non-letters go before NFKC too, so that mojibake symbols it would spell out ("™" -> "TM",
# from the bytes of "Ù" read as Windows-1252) stay out.
_NOT_KEPT = "'[^\\p{{L}}\\p{{N}}]|[\\x{{0080}}-\\x{{02FF}}]'"
FOLD_SQL = (f"lower(regexp_replace({fold.NAME}(regexp_replace(nfc_normalize({{col}}),"
            f" {_NOT_KEPT}, '', 'g')), {_NOT_KEPT}, '', 'g'))")


def hashed_value_sql(spec: TableSpec, col: str) -> str:
    """One column as it enters a row's content hash."""
    value = f"CAST({col} AS VARCHAR)"
    if col in spec.folded:
        value = FOLD_SQL.format(col=value)
    return f"coalesce({value}, chr(0))"


def stage_sql(spec: TableSpec, present: set[str], by: tuple[str, ...] = (),
              part: tuple[int, int] | None = None) -> str:
    """SELECT turning an incoming frame (`_incoming`, with its row order `_ord`) into typed
    canonical rows with their uid, one row per key. `by`: columns of `_incoming` naming the
    file each row comes from, when it holds several files' rows (`batch_writer`): uids and
    keys are then made within each file, as if it came alone; `by` is kept in the output.
    `part` (k, n): only the fact rows of the k-th of n parts by a hash of their identity (the
    source uid, else the content), so that identical rows, and rows of one source uid, fall
    in the same part: the parts' uids together are the whole file's (`store.beside`)."""
    defaults = dict(spec.defaults)
    casts = ", ".join(
        f"coalesce(CAST({c if c in present else 'NULL'} AS {t}), {defaults.get(c, 'NULL')})"
        f" AS {c}" for c, t in spec.columns.items())
    uid0 = "CAST(uid AS VARCHAR)" if "uid" in present else "NULL"
    carried = "".join(f", {c}" for c in by)
    within = "".join(f"{c}, " for c in by)
    typed = f"SELECT {casts}, {uid0} AS uid0, _ord{carried} FROM _incoming"
    if not spec.is_fact:
        key = ", ".join(spec.key)
        return (f"SELECT * EXCLUDE (uid0) FROM ({typed})"
                f" QUALIFY row_number() OVER (PARTITION BY {within}{key} ORDER BY _ord) = 1")
    identity = [c for c in spec.columns if c not in spec.derived]
    content = ", ".join(hashed_value_sql(spec, c) for c in identity)
    # Identical rows are interchangeable, so their occurrence numbers need no order. Only
    # rows without a source uid are hashed (an Enedis file's 17,700 readings all have one).
    # Hashed uids are unique by construction; a source's own ids may repeat in a file.
    dedupe = (f"QUALIFY row_number() OVER (PARTITION BY {within}uid ORDER BY _ord) = 1"
              if "uid" in present else "")
    only = "" if part is None else (
        f" WHERE hash(coalesce(uid0, concat_ws(chr(31), {content}))) % {part[1]} = {part[0]}")
    return f"""
        WITH h AS (SELECT *, CASE WHEN uid0 IS NULL THEN md5(concat_ws(chr(31), {content}))
                             END AS _h FROM ({typed}){only}),
        u AS (SELECT * EXCLUDE (uid0, _h),
                     coalesce(uid0, _h || ':' || row_number() OVER (PARTITION BY {within}_h))
                         AS uid
              FROM h)
        SELECT * FROM u {dedupe}"""


def import_parsed(
    store: Store,
    *,
    person_id: str,
    source: str,
    kind: str | None = None,
    path: str,
    sha256: str,
    size_bytes: int,
    tables: dict[str, pd.DataFrame | pa.Table],
    rows_read: int,
    issues: list[tuple[int | None, str]],
    started_at: datetime,
) -> ImportCounts:
    """Write one parsed file in one transaction; on any error the store is unchanged."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise StoreError(f"a parser returned unknown tables: {sorted(unknown)}")
    specs = store.table_specs
    with store.transaction():
        store.ensure_person(person_id)
        import_id = store.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
        inserted, offered = _insert_tables(
            [n for n in WRITE_ORDER if tables.get(n) is not None and len(tables[n])],
            lambda name: _insert(store, specs, name, tables[name], person_id, import_id))
        if issues:
            store.con.executemany(
                "INSERT INTO import_issues VALUES (?, ?, ?)",
                [(import_id, line, msg) for line, msg in issues],
            )
        counts = ImportCounts(import_id, rows_read, inserted, offered - inserted, len(issues))
        _log_import(store, counts, [person_id, source, kind, path, sha256, size_bytes,
                                    started_at])
    return counts


def misfit(name: str, e: duckdb.Error) -> StoreError:
    """A value the schema refuses while staging rows of `name` (a parser bug). DuckDB's
    message quotes the value: logged for --debug, kept out of the user's error."""
    log.debug("cast into %s failed: %s", name, e)
    return StoreError(f"{name}: a value does not fit the schema (a parser bug;"
                      " run with --debug for details)")


def _insert_tables(names: list[str], insert: Callable[[str], tuple[int, int]]
                   ) -> tuple[int, int]:
    """`insert(name)` for each table in write order; returns the fact rows (inserted,
    offered). A schema rule broken is a parser bug, said without the row's values."""
    inserted = offered = 0
    for name in names:
        try:
            n_in, n_offered = insert(name)
        except duckdb.ConstraintException as e:
            log.debug("constraint failed in %s: %s", name, e)
            raise StoreError(f"{name}: a row breaks a rule of the schema (a parser"
                             " bug; run with --debug for details)") from None
        if TABLES[name].is_fact:
            inserted += n_in
            offered += n_offered
    return inserted, offered


def _log_import(store: Store, counts: ImportCounts, about: list[object]) -> None:
    """The file's row in the import log; `about` is [person_id, source, kind, path, sha256,
    size_bytes, started_at]."""
    store.run(
        "INSERT INTO imports (import_id, person_id, source, kind, path, sha256, size_bytes,"
        " started_at, finished_at, status, rows_read, rows_inserted, rows_duplicate,"
        " rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?, ?)",
        [counts.import_id, *about, datetime.now(UTC), counts.rows_read,
         counts.rows_inserted, counts.rows_duplicate, counts.rows_rejected],
    )


def _insert(store: Store, specs: dict[str, TableSpec], name: str,
            frame: pd.DataFrame | pa.Table, person_id: str, import_id: int) -> tuple[int, int]:
    """Insert new rows of one table; returns (inserted, offered)."""
    spec = specs[name]
    con = store.con
    if isinstance(frame, pd.DataFrame):
        frame = frame.assign(_ord=range(len(frame)))
        present = set(frame.columns)
    else:
        frame = frame.append_column("_ord", pa.array(range(len(frame)), pa.int64()))
        present = set(frame.column_names)
    con.register("_incoming", frame)
    try:
        store.run(f"CREATE OR REPLACE TEMP TABLE _stage AS {stage_sql(spec, present)}")
    except duckdb.Error as e:
        raise misfit(name, e) from None
    finally:
        with suppress(duckdb.Error):  # after a failed statement the transaction is aborted
            con.unregister("_incoming")
    return _insert_staged(store, spec, name, person_id, import_id), len(frame)


def _insert_staged(store: Store, spec: TableSpec, name: str, person_id: str,
                   import_id: int, *, by_index: bool = False) -> int:
    """Insert the rows of `_stage` the table does not hold yet (by its key), then drop the
    stage; returns how many were inserted. `by_index`: the table's primary key (person_id
    and the key) finds the rows it holds, one lookup per staged row, rather than a join
    over all the person's rows (`store.beside`: a small piece into millions of rows)."""
    if name == "contacts":
        _assign_pseudonyms(store, person_id)
    cols = list(spec.columns)
    match = " AND ".join(f"t.{k} = s.{k}" for k in spec.key)
    target = ["person_id", *cols] + (["uid"] if spec.is_fact else [])
    values = ["?", *cols] + (["uid"] if spec.is_fact else [])
    params: list[object] = [person_id]
    if spec.has_import_id:
        target.append("import_id")
        values.append("?")
        params.append(import_id)
    if by_index:
        new_only = "ON CONFLICT DO NOTHING"
    else:
        new_only = f"WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE t.person_id = ? AND {match})"
        params.append(person_id)
    inserted = store.run(
        f"""
        INSERT INTO {name} ({", ".join(target)})
        SELECT {", ".join(values)} FROM _stage s
        {new_only}
        """,
        params,
    )[0][0]
    _add_referenced(store, name, person_id)
    store.run("DROP TABLE _stage")
    return inserted


def _assign_pseudonyms(store: Store, person_id: str) -> None:
    """New contacts without a pseudonym get the next 'Contact N' of this person, in the
    order they first appear; a contact seen before keeps the pseudonym it has."""
    existing = store.run("SELECT count(*) FROM contacts WHERE person_id = ?", [person_id])[0][0]
    store.run(
        """
        CREATE OR REPLACE TEMP TABLE _stage AS
        SELECT s.* REPLACE (coalesce(s.pseudonym,
                   'Contact ' || (? + row_number() OVER (ORDER BY s._ord))) AS pseudonym)
        FROM _stage s
        WHERE NOT EXISTS (SELECT 1 FROM contacts t
                          WHERE t.person_id = ? AND t.contact_id = s.contact_id)
        """,
        [existing, person_id],
    )


def _add_referenced(store: Store, name: str, person_id: str) -> None:
    """Transactions and balances name accounts: make sure those rows exist."""
    if name in ("transactions", "balances"):
        store.run(
            """
            INSERT INTO accounts (person_id, account_id, currency)
            SELECT ?, account_id, any_value(currency) FROM _stage s
            WHERE NOT EXISTS (SELECT 1 FROM accounts a
                              WHERE a.person_id = ? AND a.account_id = s.account_id)
            GROUP BY account_id
            """,
            [person_id, person_id],
        )


# --- one file written in chunks (a streamed parser: Records.json, an Android backup) ---------

# What DuckDB may hold while a streamed file is staged: past it, the staged rows, the hashes
# and the duplicate check spill to the store's temporary folder (`<store>.tmp`, removed
# after). Measured (benchmarks/big_inputs.py --streamed): 4.1 M points in one transaction
# peak at 931 MB, as the commit holds two copies of the primary-key index: a file over
# `ingest.files.BESIDE_ABOVE` (128 MiB, at most ~2.7 M rows) is written beside the store
# in parts instead (`store.beside`), see docs/security.md.
STREAM_MEMORY = "384MB"
# One piece of a file: its rows per table, its rejected rows (line, message), rows read.
Piece = tuple[dict[str, pd.DataFrame | pa.Table], list[tuple[int | None, str]], int]


def import_streamed(
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
    """Write one file whose rows come in pieces, in ONE transaction: each piece is appended
    to a staging table per canonical table as it comes (nothing of it stays in Python), and
    once the last piece is in, the whole file is staged and inserted as `import_parsed` does
    (same uids: occurrence numbers are counted over the whole file; same duplicate check,
    same import log and issues). An error in any piece, however late, rolls it all back."""
    specs = store.table_specs
    with store.transaction(), _memory_limit(store, STREAM_MEMORY):
        store.ensure_person(person_id)
        import_id = store.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
        present, rows_read, rejected = stage_pieces(store, import_id, pieces)
        inserted, offered = _insert_tables(
            [n for n in WRITE_ORDER if n in present],
            lambda name: _insert_streamed(store, specs, name, present[name], person_id,
                                          import_id))
        counts = ImportCounts(import_id, rows_read, inserted, offered - inserted, rejected)
        _log_import(store, counts, [person_id, source, kind, path, sha256, size_bytes,
                                    started_at])
    return counts


def stage_pieces(store: Store, import_id: int, pieces: Iterable[Piece]
                 ) -> tuple[dict[str, set[str]], int, int]:
    """Append each piece's rows to the staging tables (`_append_piece`) and its rejected rows
    to the import's issues, as they come. Returns the columns each table's pieces had, the
    rows read and the rows rejected."""
    specs = store.table_specs
    present: dict[str, set[str]] = {}
    rows_read = rejected = 0
    for tables, issues, read in pieces:
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise StoreError(f"a parser returned unknown tables: {sorted(unknown)}")
        for name, frame in tables.items():
            if len(frame):
                _append_piece(store, specs[name], name, frame, present)
        if issues:
            store.con.executemany("INSERT INTO import_issues VALUES (?, ?, ?)",
                                  [(import_id, line, msg) for line, msg in issues])
        rows_read += read
        rejected += len(issues)
    return present, rows_read, rejected


@contextmanager
def _memory_limit(store: Store, limit: str) -> Iterator[None]:
    """DuckDB's memory limit lowered for the block, then back to its default (the store
    never sets one: a fraction of the machine's memory)."""
    store.run(f"SET memory_limit = '{limit}'")
    store.run("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            store.run("RESET memory_limit")
            store.run("RESET preserve_insertion_order")


def _piece_table(name: str) -> str:
    return f"_streamed_{name}"


def _append_piece(store: Store, spec: TableSpec, name: str, frame: pd.DataFrame | pa.Table,
                  present: dict[str, set[str]]) -> None:
    """Append one piece to the table's staging table, in the canonical types (so that a
    column all NULL in the first piece does not fix a wrong type), with the rows' order
    in the file (`_ord`) carried on from the pieces before."""
    table = _piece_table(name)
    cols = set(frame.columns if isinstance(frame, pd.DataFrame) else frame.column_names)
    if name not in present:
        typed = ", ".join(f"{c} {t}" for c, t in spec.columns.items())
        store.run(f"CREATE OR REPLACE TEMP TABLE {table} ({typed}, uid VARCHAR, _ord BIGINT)")
        present[name] = set()
    present[name] |= cols | {"_ord"}
    start = store.run(f"SELECT count(*) FROM {table}")[0][0]
    known = [c for c in cols if c in spec.columns or c == "uid"]
    # Read through DuckDB's replacement scan of this local variable, not `con.register`:
    # a registered view dropped inside a transaction stays in the catalog, with its frame,
    # until the commit, so each piece's memory would be held to the end of the file.
    _streamed_piece = frame  # noqa: F841 (read by name in the SQL below)
    try:
        # in this frame: the scan finds the variable where `execute` is called
        store.con.execute(f"INSERT INTO {table} ({', '.join(known)}, _ord) SELECT"
                          f" {', '.join(known)}, {start} + row_number() OVER () - 1"
                          " FROM _streamed_piece").fetchall()
    except duckdb.Error as e:
        raise misfit(name, e) from None


def _insert_streamed(store: Store, specs: dict[str, TableSpec], name: str, present: set[str],
                     person_id: str, import_id: int) -> tuple[int, int]:
    """`_insert` for a table staged piece by piece: the same staging SQL and insert."""
    spec = specs[name]
    table = _piece_table(name)
    store.run(f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * FROM {table}")
    try:
        store.run(f"CREATE OR REPLACE TEMP TABLE _stage AS {stage_sql(spec, present)}")
    except duckdb.OutOfMemoryException:
        raise StoreError(f"{name}: not enough memory to write this file, even spilling to"
                         " the disk", hint="free some memory or disk space and import it"
                         " again; the store is unchanged") from None
    except duckdb.Error as e:
        raise misfit(name, e) from None
    offered = store.run(f"SELECT count(*) FROM {table}")[0][0]
    store.run("DROP VIEW _incoming")
    store.run(f"DROP TABLE {table}")  # staged: frees its memory / spill before the insert
    return _insert_staged(store, spec, name, person_id, import_id), offered
