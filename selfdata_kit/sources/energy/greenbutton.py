"""Green Button (NAESB ESPI) Atom feeds: US / Canada "Download My Data" from utilities.

An Atom `<feed>` of `<entry>`s, each `<content>` holding one ESPI resource (namespace
http://naesb.org/espi): UsagePoint, MeterReading, ReadingType, IntervalBlock,
LocalTimeParameters, ElectricPowerUsageSummary / UsageSummary. Entries are tied together by
their `<link rel="self|up|related" href>`: an IntervalBlock's "up" is its MeterReading's
".../IntervalBlock" collection, and the MeterReading links its ReadingType as "related".

Handled: every IntervalReading of every IntervalBlock, start (epoch seconds, UTC) and duration
(seconds); value x 10^powerOfTenMultiplier in the ReadingType's unit (`uom`, see `_ENERGY`,
`_VOLUME`); ReadingQuality codes; several usage points and meter readings. Time zone parameters
only matter for display (times are UTC already); usage summaries are not interval readings and
are ignored. A feed with readings but no ReadingType giving their unit is refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import pandas as pd
from lxml import etree

from ...errors import FormatError
from ..base import InputFile, ParseContext, Parsed, RowError, Source
from ..xmlsafe import declared_namespaces, local, parse_xml, root_element

ESPI = "http://naesb.org/espi"
# uom (UnitSymbolKind) -> kWh per unit: 72 = Wh, 169 = therm (100,000 BTU), 132 = BTU, 31 = J
_ENERGY = {72: 0.001, 169: 29.30710701722222, 132: 2.930710701722222e-4, 31: 1 / 3.6e6}
# uom -> m³ per unit: 42 = m³, 119 = ft³, 128 = US gallon, 134 = litre
_VOLUME = {42: 1.0, 119: 0.028316846592, 128: 0.003785411784, 134: 0.001}
_POWER = {38}  # W: a demand, not an energy; kept with kwh NULL and flagged
# ReadingType commodity: 1, 2 = electricity (secondary / primary metered), 7 = natural gas,
# 9 = potable water, 14 = non-potable water; UsagePoint ServiceCategory kind: 0, 1, 2 alike
_COMMODITY = {1: "electricity", 2: "electricity", 7: "gas", 9: "water", 14: "water"}
_SERVICE = {0: "electricity", 1: "gas", 2: "water"}
_BY_UNIT = {72: "electricity", 38: "electricity", 169: "gas", 119: "gas"}
# IntervalReading ReadingQuality: 0 valid, 7 manually edited, 8 / 9 estimated (reference day /
# linear interpolation), 10 questionable, 11 derived, 12 projected (forecast), 14 raw
_QUALITY = {7: "edited", 8: "estimated", 9: "estimated", 10: "questionable", 11: "derived",
            12: "forecast", 14: "raw"}
REVERSE_FLOW = 19  # ReadingType flowDirection: 1 = delivered to the customer, 19 = received


def detect(inp: InputFile) -> bool:
    # namespace-aware: `<feed xmlns="...Atom">` and `<atom:feed xmlns:atom=... xmlns:espi=...>`
    # are one format; so is a bare ESPI resource (`<espi:IntervalBlock>`) as the root
    head = inp.head()
    root = root_element(head)
    if root is None:
        return False
    uri, name = root
    return uri == ESPI or (name in ("feed", "entry") and ESPI in declared_namespaces(head))


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    root = parse_xml(inp)
    entries = [root] if local(root.tag) == "entry" else [e for e in root if local(e.tag) == "entry"]
    by_href: dict[str, etree._Element] = {}  # self link -> the resource in its content
    blocks: list[tuple[str, etree._Element, etree._Element | None]] = []
    last_type = None  # feeds without usable links: the ReadingType given before the blocks
    for entry in entries:
        links = {ln.get("rel"): ln.get("href", "") for ln in entry if local(ln.tag) == "link"}
        for res in _resources(entry):
            kind = local(res.tag)
            if links.get("self"):
                by_href.setdefault(links["self"], res)
            if kind == "ReadingType":
                last_type = res
            elif kind == "IntervalBlock":
                blocks.append((links.get("up") or links.get("self", ""), res, last_type))
    if not blocks:
        raise FormatError("expected IntervalBlock entries: this feed holds no interval readings",
                          file=inp.name, hint="download the usage data itself, not a summary")
    related = _related(entries)
    rows, errors, n = [], [], 0
    meters: dict[str, tuple[str, str, str]] = {}
    for up, block, fallback in blocks:
        reading_href = up.rsplit("/IntervalBlock", 1)[0]
        rtype = next((by_href[h] for h in related.get(reading_href, ())
                      if h in by_href and local(by_href[h].tag) == "ReadingType"), fallback)
        uom, mult, commodity, flow, kind = _reading_type(rtype, inp.name, block.sourceline)
        point_href = reading_href.rsplit("/MeterReading", 1)[0]
        point = by_href.get(point_href)
        meter = _meter_id(point_href, root) + (":received" if flow == REVERSE_FLOW else "")
        commodity = (_COMMODITY.get(commodity) or _SERVICE.get(_int(point, "ServiceCategory/kind"))
                     or _BY_UNIT.get(uom))
        if commodity is None:
            errors.append(RowError(block.sourceline, "expected an electricity, gas or water"
                                   " reading (ReadingType commodity)"))
            continue
        meters.setdefault(meter, (commodity, urlsplit(point_href).hostname or "Green Button",
                                  _unit_name(uom)))
        for reading in _children(block, "IntervalReading"):
            n += 1
            row = _reading(reading, meter, uom, mult, f"{kind}.{uom}.{flow}")
            if isinstance(row, str):
                errors.append(RowError(reading.sourceline, row))
            else:
                rows.append(row)
    energy = pd.DataFrame(rows, columns=["meter_id", "start", "duration", "kwh", "volume_m3",
                                         "quality", "uid"])
    energy["start_at"] = pd.to_datetime(energy["start"], unit="s", utc=True)
    energy["end_at"] = energy["start_at"] + pd.to_timedelta(energy["duration"], unit="s")
    energy = energy.drop(columns=["start", "duration"]).astype({"kwh": "float64",
                                                               "volume_m3": "float64"})
    meter_frame = pd.DataFrame([(m, *v) for m, v in meters.items()],
                               columns=["meter_id", "commodity", "provider", "unit"])
    return Parsed(tables={"meters": meter_frame, "energy": energy}, errors=errors, rows_read=n)


def _resources(entry: etree._Element) -> list[etree._Element]:
    if local(entry.tag) != "entry":
        return []
    return [r for c in entry if local(c.tag) == "content" for r in c if isinstance(r.tag, str)]


def _related(entries: list[etree._Element]) -> dict[str, list[str]]:
    """self link -> its related links (a MeterReading names its ReadingType this way)."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        links = [ln for ln in entry if local(ln.tag) == "link"]
        selfs = [ln.get("href", "") for ln in links if ln.get("rel") == "self"]
        for s in selfs:
            found[s] = [ln.get("href", "") for ln in links if ln.get("rel") == "related"]
    return found


def _reading_type(rtype: etree._Element | None, name: str,
                  line: int | None) -> tuple[int, int, int | None, int | None, int | None]:
    uom = _int(rtype, "uom")
    if rtype is None or uom is None:
        raise FormatError(
            "expected a ReadingType with a unit (uom) for the interval readings",
            file=name, line=line,
            hint="the feed is incomplete: download it again with all its entries")
    return (uom, _int(rtype, "powerOfTenMultiplier") or 0, _int(rtype, "commodity"),
            _int(rtype, "flowDirection"), _int(rtype, "kind"))


def _reading(reading: etree._Element, meter: str, uom: int, mult: int, rkey: str) -> tuple | str:
    start, duration = _int(reading, "timePeriod/start"), _int(reading, "timePeriod/duration")
    if start is None or duration is None or duration <= 0:
        return "expected a timePeriod with start and duration (seconds) in IntervalReading"
    raw = _text(reading, "value")
    try:
        value = float(Decimal(raw)) * 10.0**mult if raw is not None else None
    except InvalidOperation:
        return "expected a number in IntervalReading value"
    quality = _QUALITY.get(_int(reading, "ReadingQuality/quality"))
    kwh = volume = None
    if value is None:
        quality = "value_missing"
    elif uom in _ENERGY:
        kwh = value * _ENERGY[uom]
    elif uom in _VOLUME:
        volume = value * _VOLUME[uom]
    else:  # a power (W) or a unit we do not convert: the interval is kept, the value is not
        quality = "power_not_energy" if uom in _POWER else "unit_unknown"
    return (meter, start, duration, kwh, volume, quality,
            f"greenbutton:{meter}:{rkey}:{start}+{duration}")


def _meter_id(point_href: str, root: etree._Element) -> str:
    """The usage point's path on the utility's server ('RetailCustomer/2/UsagePoint/2')."""
    path = urlsplit(point_href).path.strip("/")
    if "resource/" in path:
        path = path.split("resource/", 1)[1]
    return path or (_text(root, "id") or "green-button").strip()


def _unit_name(uom: int) -> str:
    names = {72: "Wh", 38: "W", 169: "therm", 132: "BTU", 31: "J", 42: "m3", 119: "ft3",
             128: "US gal", 134: "L"}
    return names.get(uom, f"uom {uom}")


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and local(c.tag) == name]


def _text(el: etree._Element | None, path: str) -> str | None:
    for step in path.split("/"):
        if el is None:
            return None
        el = next((c for c in el if isinstance(c.tag, str) and step in (local(c.tag), c.tag)),
                  None)
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def _int(el: etree._Element | None, path: str) -> int | None:
    text = _text(el, path)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


SOURCE = Source(
    name="green-button",
    title="Green Button (ESPI) Atom feed, US utilities' Download My Data",
    kind="energy",
    detect=detect,
    parse=parse,
    extensions=(".xml",),
)
