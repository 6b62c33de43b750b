"""Android "SMS Backup & Restore" (SyncTech, formerly Ritesh Sahu) XML backups.

Variants: the calls file (`<calls count="N"><call .../></calls>`, usually `calls-<date>.xml`)
and the messages file (`<smses count="N"><sms .../><mms ...>...</mms></smses>`, usually
`sms-<date>.xml`), with or without the app's leading comment and `<?xml-stylesheet?>` PI.
`date` is epoch milliseconds (UTC) for calls, SMS and MMS; call `duration` is in seconds.

Kept: one `calls` row per call (channel "voice") and per received or sent SMS / MMS (channel
"sms", no duration). Drafts, outbox, failed and queued messages were never exchanged: they
are read but skipped. An MMS counts as one message: its contact is the sender (`addr`
type 137) when received, the first recipient (type 151) when sent, else the first number of
its `~`-separated `address`. Message bodies and MMS parts are never read into rows.
There is no source id: the store's content hash lets overlapping backups merge.

Backups reach several GB (MMS carry base64 media), so they are streamed with iterparse and
each record is freed once read (an MMS's attachment data is held only while its own element
is parsed, never kept); the rows go to the store CHUNK_ROWS at a time (`stream`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from lxml import etree

from ...enrich.contacts import ContactBook
from ...errors import FormatError
from ..base import (
    CHUNK_ROWS,
    MESSAGES_MAX,
    InputFile,
    ParseContext,
    Parsed,
    RowError,
    Source,
    whole,
)
from ..xmlsafe import (
    clear_error_log,
    local,
    refuse_dtd,
    refuse_entities,
    root_element,
    syntax_error,
)
from .common import calls_piece

# call type: 1 = incoming, 2 = outgoing, 3 = missed, 4 = voicemail, 5 = rejected,
# 6 = blocked, 7 = answered on another device (Android 7.1+: still an incoming call)
CALL_TYPES = {"1": "in", "2": "out", "3": "missed", "4": "voicemail", "5": "rejected",
              "6": "blocked", "7": "in"}
# sms type: 1 = received, 2 = sent; 3 = draft, 4 = outbox, 5 = failed, 6 = queued (skipped)
SMS_TYPES = {"1": "in", "2": "out"}
SMS_SKIPPED = {"3", "4", "5", "6"}
# mms msg_box: 1 = inbox, 2 = sent; 3 = drafts, 4 = outbox (skipped)
MMS_BOXES = {"1": "in", "2": "out"}
MMS_SKIPPED = {"3", "4"}
# mms addr type: 137 = from, 151 = to, 130 = cc, 129 = bcc
ADDR_FROM, ADDR_TO = "137", "151"
# call presentation: 1 = allowed, 2 = restricted (withheld), 3 = unknown, 4 = payphone
HIDDEN_PRESENTATION = {"2", "3", "4"}

PROLOG_BYTES = 1 << 16
# Plausible record dates: a date in seconds read as milliseconds lands in 1970.
_MIN_MS = int(datetime(1990, 1, 1, tzinfo=UTC).timestamp() * 1000)
_MAX_MS = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)


def detect(inp: InputFile) -> bool:
    root = root_element(inp.head())  # a prefixed root (`<sbr:calls>`) is the same format
    return root is not None and root[1] in ("calls", "smses")


def _refuse_entities(inp: InputFile) -> None:
    """The file is streamed, so xmlsafe checks its first bytes; iterparse never expands
    entities anyway (resolve_entities=False), this gives the clear refusal."""
    refuse_entities(inp.head(PROLOG_BYTES), inp.name)


def _started_at(el: etree._Element) -> datetime | None:
    raw = (el.get("date") or "").strip()
    if not raw.isdigit() or not _MIN_MS <= int(raw) < _MAX_MS:
        return None
    return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)


def _mms_address(el: etree._Element, direction: str) -> str | None:
    wanted = ADDR_FROM if direction == "in" else ADDR_TO
    for addr in el.iter("addr"):
        address = addr.get("address") or ""
        if addr.get("type") == wanted and address != "insert-address-token":
            return address
    return (el.get("address") or "").split("~")[0]


def _record(el: etree._Element, tag: str, book: ContactBook) -> dict | RowError | None:
    """One call / sms / mms as a row, a RowError, or None when skipped (drafts ...)."""
    line = el.sourceline
    started = _started_at(el)
    if started is None:
        return RowError(line, "expected a date in epoch milliseconds in attribute date")
    duration: int | None = None
    if tag == "call":
        direction = CALL_TYPES.get((el.get("type") or "").strip())
        if direction is None:
            return RowError(line, "expected a call type 1-7 in attribute type")
        raw_duration = (el.get("duration") or "0").strip()
        if not raw_duration.isdigit():
            return RowError(line, "expected a duration in seconds in attribute duration")
        duration = int(raw_duration)
        hidden = el.get("presentation") in HIDDEN_PRESENTATION
        number = None if hidden else el.get("number")
    elif tag == "sms":
        code = (el.get("type") or "").strip()
        if code in SMS_SKIPPED:
            return None
        direction = SMS_TYPES.get(code)
        if direction is None:
            return RowError(line, "expected an sms type 1-6 in attribute type")
        number = el.get("address")
    else:
        box = (el.get("msg_box") or "").strip()
        if box in MMS_SKIPPED:
            return None
        direction = MMS_BOXES.get(box)
        if direction is None:
            return RowError(line, "expected an mms msg_box 1-4 in attribute msg_box")
        number = _mms_address(el, direction)
    return {
        "started_at": started,
        "duration_s": duration,
        "direction": direction,
        "channel": "voice" if tag == "call" else "sms",
        "contact_id": book.key(number, el.get("contact_name")),
    }


def stream(inp: InputFile, ctx: ParseContext, chunk_rows: int = CHUNK_ROWS) -> Iterator[Parsed]:
    """The calls CHUNK_ROWS at a time, then the contacts (known once every record is read)."""
    _refuse_entities(inp)
    book = ContactBook(ctx)
    rows: list[dict] = []
    errors: list[RowError] = []
    read = 0
    root_tag: str | None = None
    depth = 0
    with inp.open() as f:
        clear_error_log()
        events = etree.iterparse(
            f, events=("start", "end"), resolve_entities=False, no_network=True,
            load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True,
        )
        try:
            for event, el in events:
                if event == "start":
                    depth += 1
                    if root_tag is None:
                        # the DTD, if any, is read by now: the parser-level guard
                        refuse_dtd(el.getroottree(), inp.name, inp.head())
                        root_tag = local(el.tag)
                        if root_tag not in ("calls", "smses"):
                            raise FormatError(
                                "expected a <calls> or <smses> root element",
                                file=inp.name, line=el.sourceline,
                                hint="pick the calls-*.xml or sms-*.xml file of the backup",
                            )
                    continue
                depth -= 1
                if depth != 1:  # only the root's children are records (not mms parts)
                    continue
                tag = local(el.tag)
                if tag in ("call", "sms", "mms"):
                    if read >= chunk_rows:
                        yield calls_piece(rows, errors, read)
                        rows, errors, read = [], [], 0
                    read += 1
                    row = _record(el, tag, book)
                    if isinstance(row, RowError):
                        errors.append(row)
                    elif row is not None:
                        rows.append(row)
                # free what was read: the element (an MMS's parts and their base64 data),
                # and its earlier siblings still held
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del el.getparent()[0]
        except etree.XMLSyntaxError as e:
            raise syntax_error(e, inp.name,
                               "the backup may be truncated: copy it from the phone again"
                               ) from None
    yield calls_piece(rows, errors, read)
    yield Parsed(tables={"contacts": book.frame()})


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    return whole(stream(inp, ctx))


SOURCE = Source(
    name="android-backup",
    title='Android "SMS Backup & Restore" calls or SMS/MMS XML backup',
    kind="calls",
    detect=detect,
    parse=parse,
    extensions=(".xml",),
    max_bytes=MESSAGES_MAX,
    stream=stream,
    split_hint=("back up shorter periods, or without MMS attachments (SMS Backup & Restore"
                " lets you choose both), and import each"),
)
