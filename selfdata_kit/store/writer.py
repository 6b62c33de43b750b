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
from contextlib import suppress
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


def stage_sql(spec: TableSpec, present: set[str], by: tuple[str, ...] = ()) -> str:
    """SELECT turning an incoming frame (`_incoming`, with its row order `_ord`) into typed
    canonical rows with their uid, one row per key. `by`: columns of `_incoming` naming the
    file each row comes from, when it holds several files' rows (`batch_writer`): uids and
    keys are then made within each file, as if it came alone; `by` is kept in the output."""
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
    return f"""
        WITH h AS (SELECT *, CASE WHEN uid0 IS NULL THEN md5(concat_ws(chr(31), {content}))
                             END AS _h FROM ({typed})),
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
        inserted = offered = 0
        for name in WRITE_ORDER:
            frame = tables.get(name)
            if frame is None or len(frame) == 0:
                continue
            try:
                n_in, n_offered = _insert(store, specs, name, frame, person_id, import_id)
            except duckdb.ConstraintException as e:
                log.debug("constraint failed in %s: %s", name, e)
                raise StoreError(f"{name}: a row breaks a rule of the schema (a parser"
                                 " bug; run with --debug for details)") from None
            if TABLES[name].is_fact:
                inserted += n_in
                offered += n_offered
        if issues:
            store.con.executemany(
                "INSERT INTO import_issues VALUES (?, ?, ?)",
                [(import_id, line, msg) for line, msg in issues],
            )
        counts = ImportCounts(import_id, rows_read, inserted, offered - inserted, len(issues))
        store.run(
            "INSERT INTO imports (import_id, person_id, source, kind, path, sha256, size_bytes,"
            " started_at, finished_at, status, rows_read, rows_inserted, rows_duplicate,"
            " rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?, ?)",
            [import_id, person_id, source, kind, path, sha256, size_bytes, started_at,
             datetime.now(UTC), counts.rows_read, counts.rows_inserted,
             counts.rows_duplicate, counts.rows_rejected],
        )
    return counts


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
        # DuckDB's message quotes the value: keep it out of the user's error, log it
        log.debug("cast into %s failed: %s", name, e)
        raise StoreError(f"{name}: a value does not fit the schema (a parser bug;"
                         " run with --debug for details)") from None
    finally:
        with suppress(duckdb.Error):  # after a failed statement the transaction is aborted
            con.unregister("_incoming")
    cols = list(spec.columns)
    key_cols = list(spec.key)
    if name == "contacts":
        _assign_pseudonyms(store, person_id)
    offered = len(frame)
    match = " AND ".join(f"t.{k} = s.{k}" for k in key_cols)
    target = ["person_id", *cols] + (["uid"] if spec.is_fact else [])
    values = ["?", *cols] + (["uid"] if spec.is_fact else [])
    params: list[object] = [person_id]
    if spec.has_import_id:
        target.append("import_id")
        values.append("?")
        params.append(import_id)
    params.append(person_id)
    inserted = store.run(
        f"""
        INSERT INTO {name} ({", ".join(target)})
        SELECT {", ".join(values)} FROM _stage s
        WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE t.person_id = ? AND {match})
        """,
        params,
    )[0][0]
    _add_referenced(store, name, person_id)
    store.run("DROP TABLE _stage")
    return inserted, offered


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
