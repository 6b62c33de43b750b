"""What the writer needs to know about each canonical table beyond its columns.

The columns and their types come from the migrations (`schema/NNN_*.sql`), read back from the
migrated store: the SQL files are the one description of the schema. Here only what SQL does
not say: a table's natural key within a person, the columns filled by enrichment, defaults for
files that do not name an account, and the order in which a parsed file's tables are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources

import duckdb

from . import fold

# columns every data row carries, filled by the writer, never by a parser
WRITER_COLUMNS = ("person_id", "uid", "import_id")


@dataclass(frozen=True)
class TableSpec:
    key: tuple[str, ...]  # natural key within a person ("uid" for fact tables)
    derived: tuple[str, ...] = ()  # filled by enrichment, not part of a row's identity
    defaults: tuple[tuple[str, str], ...] = ()  # column -> SQL literal when the file has none
    has_import_id: bool = True
    # canonical columns a parser may fill -> DuckDB type (from the migrated schema)
    columns: dict[str, str] = field(default_factory=dict)
    # free-text columns whose spelling may change between two exports of the same rows
    # (accents lost or mangled, case, spaces): hashed folded, see writer.FOLD_SQL
    folded: tuple[str, ...] = ()

    @property
    def is_fact(self) -> bool:
        return self.key == ("uid",)


DEFAULT_ACCOUNT = "default"

TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec(key=("account_id",), has_import_id=False),
    "balances": TableSpec(key=("account_id", "as_of")),
    "transactions": TableSpec(key=("uid",), derived=("category",),
                              # files that do not name their account
                              defaults=(("account_id", f"'{DEFAULT_ACCOUNT}'"),),
                              folded=("label", "counterparty", "bank_category")),
    "contacts": TableSpec(key=("contact_id",), has_import_id=False),
    "calls": TableSpec(key=("uid",)),
    "meters": TableSpec(key=("meter_id",), has_import_id=False),
    "energy": TableSpec(key=("uid",)),
    "places": TableSpec(key=("uid",)),
    "media": TableSpec(key=("uid",)),
}

# Dimension tables first: a fact batch may also add the accounts / meters it refers to.
WRITE_ORDER = ("accounts", "meters", "contacts", "balances", "transactions", "calls", "energy",
               "places", "media")
# Tables holding rows about a person, in the order `forget` clears them.
PERSON_TABLES = (*WRITE_ORDER, "persons")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every shipped migration, in order."""
    folder = resources.files(__package__) / "schema"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")),
                   key=lambda f: f.name)
    return [(int(f.name.split("_", 1)[0]), f.name, f.read_text("utf-8")) for f in files]


def migration_connection() -> duckdb.DuckDBPyConnection:
    """An empty in-memory DuckDB that can run `migrations()` (005 calls nfkc_normalize): the
    one way to build the schema outside a store file (schema check, Parquet views)."""
    con = duckdb.connect()
    fold.register(con)
    return con


def table_specs(con: duckdb.DuckDBPyConnection) -> dict[str, TableSpec]:
    """`TABLES` with each table's columns and types as the migrated store has them."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns()"
        " WHERE database_name = current_database() AND schema_name = 'main'"
        " ORDER BY table_name, column_index").fetchall()
    columns: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        if column not in WRITER_COLUMNS:
            columns.setdefault(table, {})[column] = kind
    return {name: replace(spec, columns=columns[name]) for name, spec in TABLES.items()}
