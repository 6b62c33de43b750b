"""Writing many parsed files (of one or several persons) in one transaction.

The same rows, counts and import log as writing them one by one with `writer.import_parsed`,
in the same order, but a handful of statements per table for the whole batch instead of a
handful per file: each file's rows are staged with `writer.stage_sql` (its own uids, as
alone), then one `INSERT ... SELECT` per table keeps, for each key, the first row in file
order that the store does not hold yet. That is exactly what file-by-file writing inserts:
a later file's copy of a row is a duplicate of the earlier file's.

The batch is one transaction: it goes in whole or not at all. A caller that wants each file
whole or not at all on its own retries a failed batch file by file (`ingest.cohort`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import StoreError
from .skipped import SKIPPED, UNKNOWN_SOURCE
from .tables import TABLES, WRITE_ORDER, TableSpec
from .writer import ImportCounts, stage_sql

if TYPE_CHECKING:
    from .connection import Store


@dataclass(frozen=True)
class ParsedFile:
    """One parsed file to write: the arguments of `writer.import_parsed`."""

    person_id: str
    source: str
    kind: str | None
    path: str
    sha256: str
    size_bytes: int
    tables: dict[str, pd.DataFrame | pa.Table]
    rows_read: int
    issues: list[tuple[int | None, str]]
    started_at: datetime


@dataclass(frozen=True)
class SkippedFile:
    """A file no format recognised, kept in the import log (`store.skipped.log_skipped`)."""

    person_id: str
    path: str
    reason: str


Entry = ParsedFile | SkippedFile

# Which accounts a file's fact rows name, when the file does not describe them itself:
# `writer._add_referenced` adds them after balances, then after transactions.
_REFERENCING = ("balances", "transactions")


def import_batch(store: Store, entries: list[Entry],
                 then: Callable[[], None] | None = None) -> list[ImportCounts | None]:
    """Write every entry, in order, in one transaction; on any error the store is unchanged.
    `then` runs in the same transaction, after the rows are in (e.g. settling chats).
    Returns each ParsedFile's counts (None for a SkippedFile)."""
    for entry in entries:
        if isinstance(entry, ParsedFile) and set(entry.tables) - set(TABLES):
            raise StoreError(f"a parser returned unknown tables: "
                             f"{sorted(set(entry.tables) - set(TABLES))}")
    with store.transaction():
        for person in dict.fromkeys(e.person_id for e in entries if isinstance(e, ParsedFile)):
            store.ensure_person(person)
        ids = _import_ids(store, entries)
        files = [(i, e) for i, e in zip(ids, entries, strict=True)
                 if i is not None and isinstance(e, ParsedFile)]
        persons = sorted({e.person_id for _, e in files}) or [""]
        staged = _stage(store, files)
        inserted: dict[int, int] = {}
        for name in WRITE_ORDER:
            if name in staged or (name == "accounts" and set(_REFERENCING) & staged):
                for import_id, n in _insert(store, name, staged, persons):
                    inserted[import_id] = inserted.get(import_id, 0) + n
        for name in staged:
            store.run(f"DROP TABLE _batch_{name}")
        counts = {}
        for import_id, e in files:
            offered = sum(len(f) for n, f in e.tables.items() if TABLES[n].is_fact)
            n_in = inserted.get(import_id, 0)
            counts[import_id] = ImportCounts(import_id, e.rows_read, n_in, offered - n_in,
                                             len(e.issues))
        _log(store, entries, ids, counts)
        if then is not None:
            then()
    return [counts.get(i) if i is not None and isinstance(e, ParsedFile) else None
            for i, e in zip(ids, entries, strict=True)]


def _import_ids(store: Store, entries: list[Entry]) -> list[int | None]:
    """Each entry's import_id, as file-by-file writing would give them; None for a skipped
    file already in the log (logged once per person and name)."""
    next_id = store.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
    persons = sorted({e.person_id for e in entries if isinstance(e, SkippedFile)})
    logged = set(store.run(
        "SELECT person_id, path FROM imports WHERE status = ? AND list_contains(?, person_id)",
        [SKIPPED, persons])) if persons else set()
    ids: list[int | None] = []
    for e in entries:
        if isinstance(e, SkippedFile):
            if (e.person_id, e.path) in logged:
                ids.append(None)
                continue
            logged.add((e.person_id, e.path))
        ids.append(next_id)
        next_id += 1
    return ids


def _stage(store: Store, files: list[tuple[int, ParsedFile]]) -> set[str]:
    """Each file's rows, typed and with their uids as if written alone, into one temp table
    per canonical table (`_batch_<name>`, with the file's import_id and person). Frames of
    the same shape (the same source, mostly) are staged together, in one statement."""
    specs = store.table_specs
    staged: set[str] = set()
    for name in WRITE_ORDER:
        groups: dict[object, list[tuple[int, str, pd.DataFrame | pa.Table]]] = {}
        for import_id, e in files:
            frame = e.tables.get(name)
            if frame is not None and len(frame):
                groups.setdefault(_shape(frame), []).append((import_id, e.person_id, frame))
        for group in groups.values():
            incoming, present = _together(group)
            store.con.register("_incoming", incoming)
            try:
                select = stage_sql(specs[name], present, by=("import_id", "person_id"))
                if name in staged:
                    store.run(f"INSERT INTO _batch_{name} {select}")
                else:
                    store.run(f"CREATE OR REPLACE TEMP TABLE _batch_{name} AS {select}")
                    staged.add(name)
            finally:
                store.con.unregister("_incoming")
    return staged


def _shape(frame: pd.DataFrame | pa.Table) -> object:
    if isinstance(frame, pd.DataFrame):
        return ("pandas", tuple((str(c), str(t)) for c, t in frame.dtypes.items()))
    return ("arrow", frame.schema)


def _together(group: list[tuple[int, str, pd.DataFrame | pa.Table]]
              ) -> tuple[pd.DataFrame | pa.Table, set[str]]:
    """Frames of one shape as one, each row with its row number in its own file (`_ord`),
    its file's import_id and its person."""
    lengths = [len(f) for _, _, f in group]
    order = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths])
    ids = np.repeat(np.array([i for i, _, _ in group], dtype=np.int64), lengths)
    persons = pa.array(np.repeat(np.array([p for _, p, _ in group], dtype=object), lengths),
                       pa.string())
    frames = [f for _, _, f in group]
    if isinstance(frames[0], pd.DataFrame):
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
        frame["_ord"] = order
        frame["import_id"] = ids
        frame["person_id"] = persons.to_pandas()
        return frame, set(frame.columns)
    table = pa.concat_tables(frames)
    table = (table.append_column("_ord", pa.array(order))
             .append_column("import_id", pa.array(ids)).append_column("person_id", persons))
    return table, set(table.column_names)


def _insert(store: Store, name: str, staged: set[str],
            persons: list[str]) -> list[tuple[int, int]]:
    """Insert the new rows of one table; returns (import_id, rows inserted) for fact tables."""
    spec: TableSpec = store.table_specs[name]
    cols = list(spec.columns)
    key = ["person_id", *spec.key]
    candidates = _candidates(name, spec, staged)
    exists = " AND ".join(f"t.{k} = s.{k}" for k in key)
    # the person range lets DuckDB skip the row groups of other persons (zone maps)
    span = [persons[0], persons[-1]]
    # none of these persons' rows stored yet (a first import): no stored row to skip
    held = store.run(f"SELECT 1 FROM {name} WHERE person_id BETWEEN ? AND ? LIMIT 1", span)
    new_only = (f"WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE t.person_id BETWEEN ? AND ?"
                f" AND {exists})") if held else ""
    store.run(f"""
        CREATE OR REPLACE TEMP TABLE _winners AS
        SELECT * FROM ({candidates}) s
        {new_only}
        QUALIFY row_number() OVER (PARTITION BY {", ".join(key)}
                                   ORDER BY import_id, _phase, _ord) = 1""",
              span if held else [])
    values = list(cols)
    if name == "contacts":
        # a new contact without a pseudonym gets its person's next 'Contact N', in the order
        # the contacts first appear (`writer._assign_pseudonyms`)
        values[cols.index("pseudonym")] = (
            "coalesce(pseudonym, 'Contact ' || ((SELECT count(*) FROM contacts c"
            " WHERE c.person_id = w.person_id) + row_number() OVER"
            " (PARTITION BY person_id ORDER BY import_id, _ord)))")
    target = ["person_id", *cols] + (["uid"] if spec.is_fact else [])
    values = ["person_id", *values] + (["uid"] if spec.is_fact else [])
    if spec.has_import_id:
        target.append("import_id")
        values.append("import_id")
    store.run(f"INSERT INTO {name} ({', '.join(target)}) SELECT {', '.join(values)}"
              " FROM _winners w ORDER BY import_id, _phase, _ord")
    counts = (store.run("SELECT import_id, count(*) FROM _winners GROUP BY ALL")
              if spec.is_fact else [])
    store.run("DROP TABLE _winners")
    return counts


def _candidates(name: str, spec: TableSpec, staged: set[str]) -> str:
    """The staged rows of a table, each with its place in file-by-file order
    (import_id, _phase, _ord); for accounts also the accounts the fact rows name."""
    cols = ", ".join(spec.columns)
    extra = "uid, " if spec.is_fact else ""
    parts = ([f"SELECT person_id, {cols}, {extra}import_id, 0 AS _phase, _ord"
              f" FROM _batch_{name}"] if name in staged else [])
    if name == "accounts":
        for phase, referencing in enumerate(_REFERENCING, start=1):
            if referencing not in staged:
                continue
            named = ", ".join(
                "account_id" if c == "account_id" else
                "any_value(currency ORDER BY _ord)" if c == "currency" else f"NULL AS {c}"
                for c in spec.columns)
            parts.append(f"SELECT person_id, {named}, import_id, {phase} AS _phase,"
                         f" min(_ord) AS _ord FROM _batch_{referencing}"
                         " GROUP BY person_id, import_id, account_id")
    return " UNION ALL ".join(parts)


def _log(store: Store, entries: list[Entry], ids: list[int | None],
         counts: dict[int, ImportCounts]) -> None:
    """The batch's rows of `imports` and `import_issues`, in one statement each."""
    now = datetime.now(UTC)
    imports: list[dict[str, object]] = []
    issues: list[tuple[int, int | None, str]] = []
    for import_id, e in zip(ids, entries, strict=True):
        if import_id is None:
            continue
        if isinstance(e, SkippedFile):
            imports.append(dict(import_id=import_id, person_id=e.person_id,
                                source=UNKNOWN_SOURCE, kind=None, path=e.path, sha256="",
                                size_bytes=0, started_at=now, finished_at=now,
                                status=SKIPPED, rows_read=0, rows_inserted=0,
                                rows_duplicate=0, rows_rejected=0))
            issues.append((import_id, None, e.reason))
            continue
        c = counts[import_id]
        imports.append(dict(import_id=import_id, person_id=e.person_id, source=e.source,
                            kind=e.kind, path=e.path, sha256=e.sha256,
                            size_bytes=e.size_bytes, started_at=e.started_at,
                            finished_at=now, status="ok", rows_read=c.rows_read,
                            rows_inserted=c.rows_inserted, rows_duplicate=c.rows_duplicate,
                            rows_rejected=c.rows_rejected))
        issues.extend((import_id, line, msg) for line, msg in e.issues)
    if imports:
        frame = pa.Table.from_pylist(imports, schema=_IMPORTS)
        store.con.register("_new_imports", frame)
        try:
            store.run(f"INSERT INTO imports ({', '.join(_IMPORTS.names)})"
                      f" SELECT {', '.join(_IMPORTS.names)} FROM _new_imports")
        finally:
            store.con.unregister("_new_imports")
    if issues:
        frame = pa.table({"import_id": pa.array([i[0] for i in issues], pa.int64()),
                          "line": pa.array([i[1] for i in issues], pa.int64()),
                          "message": pa.array([i[2] for i in issues], pa.string())})
        store.con.register("_new_issues", frame)
        try:
            store.run("INSERT INTO import_issues SELECT import_id, line, message"
                      " FROM _new_issues")
        finally:
            store.con.unregister("_new_issues")


_IMPORTS = pa.schema([
    ("import_id", pa.int64()), ("person_id", pa.string()), ("source", pa.string()),
    ("kind", pa.string()), ("path", pa.string()), ("sha256", pa.string()),
    ("size_bytes", pa.int64()), ("started_at", pa.timestamp("us", tz="UTC")),
    ("finished_at", pa.timestamp("us", tz="UTC")), ("status", pa.string()),
    ("rows_read", pa.int64()), ("rows_inserted", pa.int64()), ("rows_duplicate", pa.int64()),
    ("rows_rejected", pa.int64())])
