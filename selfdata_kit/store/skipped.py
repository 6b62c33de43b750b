"""Files an import skipped because no format recognised them (inside a folder or a zip),
kept in the import log so that `selfdata doctor` can list them later.

A skipped file is a row of `imports` with status 'skipped', source 'unknown', no rows, and
its reason as an import issue without a line. Its name is the redacted one the log keeps
for every file; it is logged once per person and name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connection import Store

SKIPPED = "skipped"
UNKNOWN_SOURCE = "unknown"


def log_skipped(store: Store, person_id: str, path: str, reason: str) -> None:
    with store.transaction():
        if store.run("SELECT 1 FROM imports WHERE person_id = ? AND path = ? AND status = ?",
                     [person_id, path, SKIPPED]):
            return
        store.ensure_person(person_id)
        import_id = store.run("SELECT coalesce(max(import_id), 0) + 1 FROM imports")[0][0]
        now = datetime.now(UTC)
        store.run(
            "INSERT INTO imports (import_id, person_id, source, kind, path, sha256, size_bytes,"
            " started_at, finished_at, status, rows_read, rows_inserted, rows_duplicate,"
            " rows_rejected) VALUES (?, ?, ?, NULL, ?, '', 0, ?, ?, ?, 0, 0, 0, 0)",
            [import_id, person_id, UNKNOWN_SOURCE, path, now, now, SKIPPED])
        store.run("INSERT INTO import_issues VALUES (?, NULL, ?)", [import_id, reason])
