"""`forget`: remove every row about a person, and leave no copy in the file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .permissions import owner_only
from .tables import PERSON_TABLES

if TYPE_CHECKING:
    from .connection import Store


def forget(store: Store, person_id: str) -> dict[str, int]:
    """Remove every row about a person from every table, then rewrite the file so that
    no deleted page still holds their data. Returns rows removed per table."""
    removed: dict[str, int] = {}
    with store.transaction():
        removed["import_issues"] = store.run(
            "DELETE FROM import_issues WHERE import_id IN"
            " (SELECT import_id FROM imports WHERE person_id = ?)",
            [person_id],
        )[0][0]
        removed["imports"] = store.run(
            "DELETE FROM imports WHERE person_id = ?", [person_id]
        )[0][0]
        for table in PERSON_TABLES:
            removed[table] = store.run(
                f"DELETE FROM {table} WHERE person_id = ?", [person_id]
            )[0][0]
    _rewrite(store)
    return removed


def _rewrite(store: Store) -> None:
    """Copy the live rows to a fresh file and swap it in (DuckDB keeps deleted rows in
    its blocks until they are rewritten; a copy keeps only what is live)."""
    tmp = Path(str(store.path) + ".rewrite")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    db = store.run("SELECT current_database()")[0][0]
    with owner_only():
        store.run(f"ATTACH '{tmp}' AS _fresh")
        store.run(f'COPY FROM DATABASE "{db}" TO _fresh')
        store.run("DETACH _fresh")
        store.con.close()
    os.replace(tmp, store.path)
    Path(str(store.path) + ".wal").unlink(missing_ok=True)
    store.reconnect()
