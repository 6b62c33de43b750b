"""What every call-log source returns: the calls frame, typed, and its contacts."""

from __future__ import annotations

import pandas as pd

from ...enrich.contacts import ContactBook
from ..base import Parsed, RowError

CALL_COLUMNS = ["started_at", "duration_s", "direction", "channel", "contact_id"]


def calls_parsed(rows: list[tuple], book: ContactBook, errors: list[RowError],
                 rows_read: int) -> Parsed:
    calls = pd.DataFrame(rows, columns=CALL_COLUMNS)
    calls["started_at"] = pd.to_datetime(calls["started_at"], utc=True)
    calls["duration_s"] = calls["duration_s"].astype("Int64")
    return Parsed(tables={"contacts": book.frame(), "calls": calls}, errors=errors,
                  rows_read=rows_read)
