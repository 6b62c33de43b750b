"""`nfkc_normalize(text)` for the store's SQL: Unicode compatibility folding (NFKC), which
DuckDB lacks (it has `nfc_normalize` only).

A label's identity in the content hash (writer.FOLD_SQL, migration 005) folds compatibility
forms: full-width letters ("ＣＡＲＴＥ"), ligatures ("ﬁ"), superscripts, non-breaking and other
odd spaces, so that an export written with them and one written without name the same rows.
Every connection that hashes rows or runs the migrations registers it (`register`).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

NAME = "nfkc_normalize"


def _nfkc(values: pa.Array) -> pa.Array:
    return pc.utf8_normalize(values, form="NFKC")


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make `nfkc_normalize(VARCHAR) -> VARCHAR` callable on `con` (vectorised, via Arrow)."""
    try:
        con.create_function(NAME, _nfkc, [duckdb.sqltype("VARCHAR")],
                            duckdb.sqltype("VARCHAR"), type="arrow", side_effects=False)
    except duckdb.CatalogException:
        # a second connection to the same file in this process (a batch worker's kernel
        # reopening the store) shares the database's catalog: the function is already there
        if not con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = ?",
                           [NAME]).fetchone()[0]:
            raise
