"""What every call-log source returns: the calls frame, typed, and its contacts."""

from __future__ import annotations

import pandas as pd

from ...enrich.contacts import ContactBook
from ..base import Parsed, RowError

CALL_COLUMNS = ["started_at", "duration_s", "direction", "channel", "contact_id"]


def calls_piece(rows: list[dict] | list[tuple], errors: list[RowError],
                rows_read: int) -> Parsed:
    """Calls only, typed: a streamed piece (the contacts come in the last piece)."""
    return Parsed(tables={"calls": _calls_frame(rows)}, errors=errors, rows_read=rows_read)


def _calls_frame(rows: list[dict] | list[tuple]) -> pd.DataFrame:
    calls = pd.DataFrame(rows, columns=CALL_COLUMNS)
    calls["started_at"] = pd.to_datetime(calls["started_at"], utc=True)
    calls["duration_s"] = calls["duration_s"].astype("Int64")
    return calls


def calls_parsed(rows: list[tuple], book: ContactBook, errors: list[RowError],
                 rows_read: int) -> Parsed:
    return Parsed(tables={"contacts": book.frame(), "calls": _calls_frame(rows)}, errors=errors,
                  rows_read=rows_read)
