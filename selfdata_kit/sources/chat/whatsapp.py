"""WhatsApp "Export chat" (chat -> More -> Export chat, "Without media" or "Include media"):
a text file, `WhatsApp Chat with <name>.txt` (Android) or `_chat.txt` (iOS), alone or in
the zip the phone shares. Line formats: `whatsapp_lines`.

One `calls` row per message (channel 'chat', duration 0): its time, its direction and one
contact per sender, pseudonymised with the store's key like a phone number (a sender saved
as a phone number is the same contact as in the SMS log); names are kept only with
`--keep-names`. The text of messages is never stored, nor read beyond what tells a
message from a system line. Media placeholders ("<Media omitted>", "image omitted") and
deleted messages count as messages; system lines (encryption notice, "X added Y", missed
calls on iOS) are left out.

Direction: 'out' when the sender is the person (`selfdata import --me NAME`), 'in' for the
others; without --me, 'unknown' until the import has seen several chats, where the one
sender present in every chat is taken to be the person (`ingest.chats`). In a chat with one
other person, a message the person sent has that person as its contact; in a group it has
none. Times are the phone's local time without an offset, read in the person's time zone
(ParseContext.timezone, Europe/Paris unless told). The file name holds a contact's name:
the import log keeps a hash of it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime

import pandas as pd

from ...enrich.contacts import ContactBook, contact_key
from ...errors import FormatError
from ..base import InputFile, ParseContext, Parsed, RowError, Source
from ..date_order import day_first, full_year
from ..text import head_text, read_text
from .whatsapp_lines import Header, read_header, strip_marks


def detect(inp: InputFile) -> bool:
    for raw in head_text(inp).splitlines():
        if strip_marks(raw):
            return read_header(raw, 1) is not None
    return False


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    text, _ = read_text(inp)
    headers = [h for n, raw in enumerate(text.splitlines(), 1)
               if (h := read_header(raw, n)) is not None]
    if not headers:
        raise FormatError("expected lines like '31/12/2023, 21:41 - Name: text'",
                          file=inp.name, line=1)
    twelve_hour = any(h.ampm for h in headers)
    dayfirst = day_first([(h.a, h.b, full_year(h.c)) for h in headers if not h.year_first],
                         tie=not twelve_hour)
    errors: list[RowError] = []
    stamps: list[datetime] = []
    kept: list[Header] = []
    for h in headers:
        stamp = _local_time(h, dayfirst)
        if stamp is None:
            errors.append(RowError(h.line, "expected a date and time like 31/12/2023, 21:41"))
        elif h.sender is not None:
            kept.append(h)
            stamps.append(stamp)
    when = pd.DatetimeIndex(stamps).tz_localize(
        ctx.timezone, ambiguous=[True] * len(stamps), nonexistent="shift_forward")
    return _rows(kept, when, ctx, errors, len(headers))


def _local_time(h: Header, dayfirst: bool) -> datetime | None:
    if h.year_first:
        year, month, day = h.a, h.b, h.c
    else:
        day, month = (h.a, h.b) if dayfirst else (h.b, h.a)
        year = full_year(h.c)
    hour = h.hour
    if h.ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if h.ampm == "p" else 0)
    try:
        return datetime(year, month, day, hour, h.minute, h.second)
    except ValueError:
        return None


def _rows(kept: list[Header], when: pd.DatetimeIndex, ctx: ParseContext,
          errors: list[RowError], read: int) -> Parsed:
    senders = list(dict.fromkeys(h.sender for h in kept if h.sender))
    me = next((s for s in senders if ctx.me and _same_person(s, ctx.me)), None)
    others = [s for s in senders if s != me]
    book = ContactBook(ctx)
    ids = {s: (contact_key(s, ctx) or ("", ""))[0] for s in senders}
    # the chat: its senders (two exports of a chat merge; one minute in two chats stays two)
    chat = hashlib.sha256("|".join(sorted(ids.values())).encode()).hexdigest()[:16]
    seen: Counter[tuple[str, int]] = Counter()
    directions, contacts, uids = [], [], []
    for h, at in zip(kept, when.asi8.tolist(), strict=True):
        sender = h.sender or ""
        if ctx.me is None:
            direction, contact = "unknown", book.key(sender, sender)
        elif sender == me:  # a chat with one other person: the message is to them
            direction = "out"
            contact = book.key(others[0], others[0]) if len(others) == 1 else None
        else:
            direction, contact = "in", book.key(sender, sender)
        seen[ids[sender], at] += 1
        # the uid does not hold the direction: importing again with --me finds the same rows
        uid = hashlib.sha256(f"{chat}|{ids[sender]}|{at}|{seen[ids[sender], at]}".encode()
                             ).hexdigest()[:32]
        directions.append(direction), contacts.append(contact), uids.append(f"wa:{uid}")
    calls = pd.DataFrame({"started_at": when.tz_convert("UTC"),
                          "duration_s": pd.array([0] * len(uids), dtype="Int64"),
                          "direction": directions, "channel": "chat",
                          "contact_id": pd.array(contacts, dtype=object), "uid": uids})
    return Parsed(tables={"contacts": book.frame(), "calls": calls}, errors=errors,
                  rows_read=read)


SOURCE = Source(
    name="whatsapp",
    title='WhatsApp "Export chat" text (Android or iOS), or its zip',
    kind="calls",
    detect=detect,
    parse=parse,
    extensions=(".txt",),
    private_file_names=True,
)
