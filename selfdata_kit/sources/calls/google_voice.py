"""Google Voice call history from Google Takeout (`Takeout/Voice/Calls/*.html`).

Takeout writes one XHTML page per call and one per text conversation, named
`<number or name> - <Received|Placed|Missed|Voicemail|Text> - <UTC time>.html`
(`Group Conversation - <UTC time>.html` for group texts; `:` written `_`).

- Call pages (`div.haudio`): direction from the file name, else from the title
  ("Received call from", "Placed call to", "Missed call from", "Voicemail from"); the number
  from the `a.tel` link (`tel:+1...`; an empty `tel:` is a withheld number); the start from
  `abbr.published` (ISO time with offset); the duration from `abbr.duration` (ISO-8601
  `PT1M23S`). A missed call has no duration element: 0 s.
- Text pages (`div.hChatLog`): one `calls` row (channel "sms") per `div.message`, at its
  `abbr.dt` time. A message whose sender is the account holder is "out", any other is "in".
  The holder is recognised by the page's structure (their `fn` is an `abbr`, others' a `span`)
  or the label "Me". An "out" message's contact is the one other person of the page (from the
  other senders, the participants list, or a file name that is a number); in a group
  conversation it has no single contact and is left without one.
Message text, voicemail transcripts and recordings are never read. Pages are parsed with
lxml's HTML parser (no network, nothing executed).
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
import pandas as pd

from ...enrich.contacts import ContactBook
from ...errors import FormatError
from ..base import InputFile, ParseContext, Parsed, RowError, Source
from .common import calls_parsed

# Kind of page, from the file name or the <title>: call direction, or "text".
KINDS = {"Received": "in", "Placed": "out", "Missed": "missed", "Voicemail": "voicemail",
         "Text": "text"}
TITLES = {"received call from": "in", "placed call to": "out", "missed call from": "missed",
          "voicemail from": "voicemail"}
_NAME = re.compile(
    r"^(?P<who>.*?) - (?:(?P<kind>Received|Placed|Missed|Voicemail|Text|Recorded) - )?"
    r"\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2}Z\.html$"
)
_MARKERS = (b'<abbr class="published"', b'class="hChatLog', b"<title>Received call from",
            b"<title>Placed call to", b"<title>Missed call from", b"<title>Voicemail from")
_NUM = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"^P(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")


def detect(inp: InputFile) -> bool:
    if not inp.basename.lower().endswith(".html"):
        return False
    return _NAME.match(inp.basename) is not None or any(m in inp.head() for m in _MARKERS)


def iso_duration_seconds(text: str) -> int | None:
    """'PT1M23S' -> 83, 'PT1H0.5M' -> 3630, 'P1DT2S' -> 86402; None if not a duration."""
    m = _DURATION.match(text.strip().upper())
    if not m or not any(m.groups()) or text.strip().upper().endswith("T"):
        return None
    days, hours, minutes, seconds = (float((g or "0").replace(",", ".")) for g in m.groups())
    return round(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


def _when(abbr: lxml.html.HtmlElement | None) -> pd.Timestamp | None:
    """The UTC time in an abbr's title; None unless it is an ISO time with an offset."""
    try:
        ts = pd.Timestamp((abbr.get("title") or "") if abbr is not None else "")
    except ValueError:
        return None
    return None if pd.isna(ts) or ts.tzinfo is None else ts.tz_convert("UTC")


def _tel(el: lxml.html.HtmlElement | None) -> tuple[str | None, str | None]:
    """(number, name) of an `a.tel` link; an empty `tel:` means a withheld number."""
    if el is None:
        return None, None
    number = (el.get("href") or "").removeprefix("tel:").strip() or None
    return number, el.text_content().strip() or None


def _is_me(cite: lxml.html.HtmlElement) -> bool:
    return bool(cite.xpath(".//abbr[contains(@class, 'fn')]")) or \
        cite.text_content().strip() == "Me"


def _kind(inp: InputFile, doc: lxml.html.HtmlElement) -> str | None:
    m = _NAME.match(inp.basename)
    if m and m["kind"]:
        return KINDS.get(m["kind"])  # "Recorded" has no direction: None
    title = " ".join(doc.findtext(".//title", "").split()).lower()
    for marker, kind in TITLES.items():
        if title.startswith(marker):
            return kind
    return "text" if doc.find_class("hChatLog") else None


def _call(doc: lxml.html.HtmlElement, kind: str, book: ContactBook) -> dict | RowError:
    published = doc.find(".//abbr[@class='published']")
    started = _when(published)
    line = published.sourceline if published is not None else None
    if started is None:
        return RowError(line, "expected an ISO time with offset in abbr.published title")
    duration_el = doc.find(".//abbr[@class='duration']")
    duration = 0 if kind == "missed" else None
    if duration_el is not None:
        duration = iso_duration_seconds(duration_el.get("title") or "")
        if duration is None:
            return RowError(duration_el.sourceline,
                            "expected an ISO-8601 duration (PT#H#M#S) in abbr.duration title")
    links = doc.xpath("//div[contains(@class, 'contributor')]//a[contains(@class, 'tel')]") \
        or doc.xpath("//a[contains(@class, 'tel')]")
    number, name = _tel(links[0] if links else None)
    return {"started_at": started, "duration_s": duration, "direction": kind,
            "channel": "voice", "contact_id": book.key(number, name)}


def _texts(inp: InputFile, doc: lxml.html.HtmlElement, book: ContactBook,
           rows: list[dict], errors: list[RowError]) -> int:
    messages = doc.xpath("//div[contains(concat(' ', @class, ' '), ' message ')]")
    others: dict[str, str | None] = {}  # the other people of the page: number -> name
    for cite in doc.xpath("//cite"):
        number, name = _tel(cite.find(".//a"))
        if number and not _is_me(cite):
            others.setdefault(number, name)
    m = _NAME.match(inp.basename)
    if not others and m and re.match(r"^\+?\d", m["who"]):
        others = {m["who"]: None}  # only the holder wrote: the file name is the number
    group = bool(doc.find_class("participants")) or len(others) > 1
    for message in messages:
        abbr = message.find(".//abbr[@class='dt']")
        started = _when(abbr)
        if started is None:
            errors.append(RowError(message.sourceline,
                                   "expected an ISO time with offset in abbr.dt title"))
            continue
        cite = message.find(".//cite")
        if cite is not None and _is_me(cite):
            direction = "out"
            number, name = (None, None) if group or not others else next(iter(others.items()))
        else:
            direction = "in"
            number, name = _tel(cite.find(".//a") if cite is not None else None)
        rows.append({"started_at": started, "duration_s": None, "direction": direction,
                     "channel": "sms", "contact_id": book.key(number, name)})
    return len(messages)


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        doc = lxml.html.document_fromstring(inp.read_bytes(), parser=parser)
    except lxml.etree.ParserError:  # nothing but a comment or a processing instruction
        raise FormatError("expected a Google Voice HTML page, found an empty document",
                          file=inp.name, hint="take the page from the Takeout archive again"
                          ) from None
    book = ContactBook(ctx)
    rows: list[dict] = []
    errors: list[RowError] = []
    kind = _kind(inp, doc)
    if kind == "text":
        read = _texts(inp, doc, book, rows, errors)
    elif kind is None:
        read = 1
        errors.append(RowError(None, "expected a Received, Placed, Missed, Voicemail or Text"
                                     " page (file name or title)"))
    else:
        read = 1
        row = _call(doc, kind, book)
        (errors if isinstance(row, RowError) else rows).append(row)
    return calls_parsed(rows, book, errors, read)


SOURCE = Source(
    name="google-voice",
    title="Google Voice call and text history (Google Takeout, Voice/Calls/*.html)",
    kind="calls",
    detect=detect,
    parse=parse,
    extensions=(".html",),
    private_file_names=True,  # Takeout names each page after the number or the contact
)
