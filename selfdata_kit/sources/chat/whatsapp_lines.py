"""The lines of a WhatsApp "Export chat" text: which start a message, and what they say.

Android writes `12/31/23, 9:41 PM - Name: text` (or `31/12/2023, 21:41 - Name: text`);
iOS writes `[31/12/2023, 21:41:05] Name: text`. The date is in the phone's locale: day or
month first (decided for the whole file, `date_order`), `/`, `.` or `-` between its parts,
2- or 4-digit years, or year first; the clock is 24 h or 12 h with AM/PM written after a
space, a no-break space or a narrow no-break space (U+202F, Android 13+), sometimes as
"a.m."/"p. m.". Lines may start with a left-to-right mark (U+200E). A line that does not
start like this continues the message above (a multi-line message).

A header whose rest has no "Name: " is a system line (Android: "Messages and calls are
end-to-end encrypted", "Alice added Bob"). iOS writes system lines with the chat's name as
sender and a text starting with U+200E; its media placeholders start with U+200E too
("image omitted", "<attached: ...>") and ARE messages, as are deleted messages.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MARKS = "\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DATE = r"(?P<a>\d{1,4})[./-](?P<b>\d{1,2})[./-](?P<c>\d{1,4})\.?"
_TIME = (r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
         r"(?:[ \u00a0\u202f]?(?P<ampm>[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?))?")
HEADER = re.compile(
    rf"^(?:\[{_DATE},? {_TIME}\] (?P<ios>.*)|{_DATE.replace('P<', 'P<x')},? "
    rf"{_TIME.replace('P<', 'P<x')} [-\u2013] (?P<android>.*))$")
# iOS: a text starting with U+200E that is still a message someone sent
_IOS_MESSAGE = re.compile(
    r"omitted$|^<attached: |deleted|supprimé|^(?:image|video|audio|sticker|GIF|document)",
    re.IGNORECASE)


class Header(NamedTuple):  # a tuple: built once per message, so cheap to build
    """A line starting a message or a system line; text is never kept."""

    line: int
    a: int  # the date's first number
    b: int
    c: int
    year_first: bool
    hour: int
    minute: int
    second: int
    ampm: str | None  # 'a' or 'p'
    sender: str | None  # None: a system line


_GROUPS = {True: ("a", "b", "c", "h", "m", "s", "ampm"),
           False: ("xa", "xb", "xc", "xh", "xm", "xs", "xampm")}
_NO_MARKS = {ord(ch): None for ch in _MARKS}


def strip_marks(text: str) -> str:
    return text.translate(_NO_MARKS).strip()


def read_header(raw: str, line: int) -> Header | None:
    """The header of `raw` when it starts a message (or a system line), else None."""
    m = HEADER.match(raw.lstrip(_MARKS))
    if m is None:
        return None
    ios = m["ios"] is not None
    # the two layouts name their groups a, b ... and xa, xb ...: take the ones that matched
    a, b, c, h, mi, s, ampm = m.group(*_GROUPS[ios])
    sender = _sender(m["ios"] if ios else m["android"], ios)
    return Header(line, int(a), int(b), int(c), len(a) == 4, int(h), int(mi), int(s or 0),
                  ampm[0].lower() if ampm else None, sender)


def _sender(rest: str, ios: bool) -> str | None:
    name, sep, text = rest.partition(": ")
    name = strip_marks(name)
    if not sep or not name or '"' in name or "\u201c" in name:
        return None  # "Alice changed the subject to "x: y"" is no sender
    if ios and text.startswith("\u200e") and not _IOS_MESSAGE.search(strip_marks(text)):
        return None
    return name
