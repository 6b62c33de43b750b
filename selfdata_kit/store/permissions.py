"""Every file the store writes is readable by its owner only: it holds personal data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def owner_only() -> Iterator[None]:
    """Files DuckDB creates meanwhile (store, WAL, temporary copies) are owner-only: they hold
    personal data. umask is process-wide, so this only ever makes other files stricter."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
