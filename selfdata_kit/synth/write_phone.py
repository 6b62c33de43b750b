"""Call log and text messages as the Android app "SMS Backup & Restore" (SyncTech) writes them:
`calls-<yyyyMMddHHmmss>.xml` and `sms-<yyyyMMddHHmmss>.xml`, UTF-8, an XML declaration with
standalone='yes', the app's comment, its stylesheet instruction, then one element per entry.
`date` is epoch milliseconds; `duration` seconds; readable_date is the phone's local time.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from .clock import TZ
from .persona import Persona
from .phone import Messages

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def backup_stamp(p: Persona) -> tuple[str, int]:
    """The (fixed) moment of the backup: 2 January of the next year, 09:30 local time."""
    when = pd.Timestamp(p.year + 1, 1, 2, 9, 30, tz=TZ)
    return f"{when:%Y%m%d%H%M%S}", int(when.timestamp()) * 1000


def _readable(at_ms) -> list[str]:
    local = pd.DatetimeIndex(at_ms * 10**6, tz="UTC").tz_convert(TZ)
    out = []
    for y, mo, d, h, mi, s in zip(local.year, local.month, local.day, local.hour,
                                  local.minute, local.second, strict=True):
        half = "AM" if h < 12 else "PM"
        out.append(f"{MONTHS[mo - 1]} {d}, {y} {(h + 11) % 12 + 1}:{mi:02d}:{s:02d} {half}")
    return out


def _head(p: Persona, kind: str, root: str, count: int) -> list[str]:
    stamp, ms = backup_stamp(p)
    local = pd.Timestamp(ms * 10**6, tz="UTC").tz_convert(TZ)
    backup_set = uuid.uuid5(uuid.NAMESPACE_URL, f"selfdata-synth:{p.seed}:{p.person_id}")
    return ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
            f"<!--File Created By SMS Backup & Restore v10.20.002 on {local:%d/%m/%Y %H:%M:%S}-->",
            f'<?xml-stylesheet type="text/xsl" href="{kind}.xsl"?>',
            f'<{root} count="{count}" backup_set="{backup_set}" backup_date="{ms}" type="full">']


def _name(p: Persona, contact: int) -> str:
    return quoteattr(p.contacts[contact].name if contact >= 0 else "(Unknown)")


def write_calls(p: Persona, m: Messages, folder: Path) -> Path:
    stamp, _ = backup_stamp(p)
    lines = _head(p, "calls", "calls", len(m.at_ms))
    for at, who, number, kind, secs, readable in zip(
            m.at_ms.tolist(), m.contact.tolist(), m.number, m.kind.tolist(),
            m.duration.tolist(), _readable(m.at_ms), strict=True):
        # type: 1 = incoming, 2 = outgoing, 3 = missed, 5 = rejected; presentation 1 = allowed
        lines.append(f'  <call number="{number}" duration="{secs}" date="{at}" type="{kind}"'
                     f' presentation="1" subscription_id="1" readable_date="{readable}"'
                     f" contact_name={_name(p, who)} />")
    lines.append("</calls>")
    path = folder / f"calls-{stamp}.xml"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def write_sms(p: Persona, m: Messages, folder: Path) -> Path:
    stamp, _ = backup_stamp(p)
    lines = _head(p, "sms", "smses", len(m.at_ms))
    for i, (at, who, number, kind, body, readable) in enumerate(zip(
            m.at_ms.tolist(), m.contact.tolist(), m.number, m.kind.tolist(), m.body,
            _readable(m.at_ms), strict=True)):
        # type: 1 = received, 2 = sent; a received message also carries when it was sent
        sent = at - 1000 * (3 + i % 37) if kind == 1 else 0
        lines.append(f'  <sms protocol="0" address="{number}" date="{at}" type="{kind}"'
                     f' subject="null" body={quoteattr(body)} toa="null" sc_toa="null"'
                     f' service_center="null" read="1" status="-1" locked="0"'
                     f' date_sent="{sent}" readable_date="{readable}"'
                     f" contact_name={_name(p, who)} />")
    lines.append("</smses>")
    path = folder / f"sms-{stamp}.xml"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path
