"""The DuckDB store: one file, any number of persons, schema from numbered migrations.

    with open_store("me.duckdb") as store:        # created owner-only, migrated
        store.import_parsed(...)                  # one parsed file, one transaction
        store.forget("me")                        # every row about a person, file rewritten
"""

from .connection import DEFAULT_STORE, Store, default_store_path, open_store
from .permissions import owner_only
from .person_id import check_person_id, known_persons_hint
from .tables import DEFAULT_ACCOUNT, PERSON_TABLES, TABLES, WRITE_ORDER, TableSpec
from .writer import ImportCounts

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_STORE", "PERSON_TABLES", "TABLES", "WRITE_ORDER",
           "ImportCounts", "Store", "TableSpec", "check_person_id", "default_store_path",
           "known_persons_hint", "open_store", "owner_only"]
