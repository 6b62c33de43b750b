"""Every personal string a store holds: what a contribution must never carry."""

from __future__ import annotations

from pathlib import Path

import duckdb

# coded values shared by everybody ("in", "voice", "EUR", "electricity"...): not personal,
# and short enough to occur inside any word
CODES = {"direction", "channel", "kind", "currency", "quality", "source", "status", "service",
         "commodity", "unit", "timezone", "category", "bank_category", "subcategory", "key"}
MIN_LENGTH = 5  # a shorter string occurs by chance in a random id or a number


def store_strings(path: Path) -> set[str]:
    """Labels, counterparties, pseudonyms, number hashes, contact and account ids, uids,
    file paths and digests, place names, media titles, person ids, and the store's HMAC key
    (hex): every text value of every table but the coded columns in CODES."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'main' AND data_type = 'VARCHAR'"
            " AND table_name <> 'schema_migrations'").fetchall()
        found: set[str] = set()
        for table, column in columns:
            if column in CODES:
                continue
            found |= {v for (v,) in con.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')
                .fetchall()}
        found |= {bytes(v).hex() for (v,) in con.execute("SELECT value FROM store_meta")
                  .fetchall()}
    finally:
        con.close()
    return {s for s in found if len(s) >= MIN_LENGTH}


def leaked(text: str, strings: set[str]) -> list[str]:
    """The store's strings found in `text` (case-insensitive)."""
    low = text.lower()
    return sorted(s for s in strings if s.lower() in low)
