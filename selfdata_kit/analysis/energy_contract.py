"""What the energy decisions need to know that no export says: the person's electricity contract
(offer, subscribed power, off-peak slots), the offers to compare, and the Tempo day colours.

- The contract comes from an energy contract file (TOML, a `[default]` table and one table per
  person, see docs/reports.md), named by `selfdata summary/report --contracts FILE` or
  `$SELFDATA_CONTRACTS`; without one, the default contract is EDF Base, 6 kVA, off-peak
  22:00-06:00 (the most common French contract; Enedis sets each meter's 8 off-peak hours).
- The offers are `data/energy_offers.toml` (or a file with the same layout): each price grid
  with its validity dates and its source.
- The Tempo colours are `data/tempo_days.csv` (or the contract's `tempo_calendar`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import SelfdataError

CONTRACTS_ENV = "SELFDATA_CONTRACTS"
KVA_STEPS = (3, 6, 9, 12, 15, 18, 24, 30, 36)  # the subscribed powers Enedis offers
KINDS = {"base": ("base",), "hphc": ("hp", "hc"), "weekend": ("week", "weekend"),
         "tempo": ("blue_hp", "blue_hc", "white_hp", "white_hc", "red_hp", "red_hc")}
COLOURS = {"blue": "blue", "white": "white", "red": "red",
           "bleu": "blue", "blanc": "white", "rouge": "red"}
Slot = tuple[int, int]  # [start, end) in minutes after local midnight; end < start wraps
DEFAULT_SLOTS: tuple[Slot, ...] = ((22 * 60, 6 * 60),)
_SLOT = re.compile(r"^\s*([01]\d|2[0-3])[:hH]([0-5]\d)\s*-\s*([01]\d|2[0-4])[:hH]([0-5]\d)\s*$")


@dataclass(frozen=True)
class Contract:
    offer: str = "edf_base"
    subscribed_kva: int = 6
    offpeak: tuple[Slot, ...] = DEFAULT_SLOTS
    tempo_calendar: Path | None = None
    offers_file: Path | None = None  # a corrected copy of energy_offers.toml
    source: str = "default"  # the file it came from, or "default"

    @property
    def offpeak_text(self) -> str:
        return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
                         for s, e in self.offpeak)


@dataclass(frozen=True)
class Grid:
    """One price grid of an offer: valid from/to (inclusive local dates), EUR/kWh per slot and
    subscribed kVA (`kwh[slot][kva]`: since 2026-02-01 the regulated Base kWh price depends on
    the power), EUR/month per subscribed kVA, and where the figures come from."""

    valid_from: dt.date
    valid_to: dt.date | None
    kwh: dict[str, dict[int, Decimal]]
    subscription: dict[int, Decimal]
    source: str

    def kwh_at(self, slot: str, kva: int) -> Decimal:
        """The EUR/kWh of `slot` at the subscribed power `kva`."""
        return self.kwh[slot][kva]


@dataclass(frozen=True)
class Offer:
    key: str
    name: str
    supplier: str
    kind: str
    grids: tuple[Grid, ...]  # sorted by valid_from
    # the last day the file knows its grids to be in force: after it, an open-ended last grid
    # is only assumed (a new step may have come out); None: the grids' own dates only
    known_to: dt.date | None = None

    def grid_on(self, day: dt.date) -> tuple[Grid, bool]:
        """The grid in force on `day`, and False when none is known to be: then the nearest
        earlier grid (the first one before the file's first date) stands in, as an assumption.
        A day after `known_to` is priced at the grid in force then, as an assumption too."""
        known = self.known_to is None or day <= self.known_to
        for g in self.grids:
            if g.valid_from <= day and (g.valid_to is None or day <= g.valid_to):
                return g, known
        earlier = [g for g in self.grids if g.valid_from <= day]
        return (earlier[-1] if earlier else self.grids[0]), False

    @property
    def prices_known_to(self) -> dt.date | None:
        """The last day priced at a grid known to be in force (None: open-ended, unbounded)."""
        dates = [d for d in (self.grids[-1].valid_to, self.known_to) if d is not None]
        return min(dates) if dates else None


def parse_slots(values: list[str] | str, where: str) -> tuple[Slot, ...]:
    """"22:00-06:00" or a list of them -> minutes; several slots may not overlap."""
    texts = [values] if isinstance(values, str) else list(values)
    if not texts:
        raise SelfdataError(f"{where}: no off-peak slot", hint='write e.g. ["22:00-06:00"]')
    slots = []
    for text in texts:
        m = _SLOT.match(str(text))
        if not m:
            raise SelfdataError(f"{where}: off-peak slot {str(text)[:20]!r} is not HH:MM-HH:MM",
                                hint='write e.g. "22:00-06:00" or "12:30-14:30"')
        start, end = int(m[1]) * 60 + int(m[2]), (int(m[3]) * 60 + int(m[4])) % 1440
        if start == end:
            raise SelfdataError(f"{where}: off-peak slot {text!r} is empty")
        slots.append((start, end))
    minutes = [0] * 1440
    for start, end in slots:
        for minute in (range(start, end) if start < end else [*range(start, 1440),
                                                              *range(0, end)]):
            minutes[minute] += 1
    if max(minutes) > 1:
        raise SelfdataError(f"{where}: off-peak slots overlap",
                            hint='list each hour once: ["01:00-07:00", "12:30-14:30"]')
    return tuple(slots)


def _data_file(name: str) -> str:
    return (resources.files("selfdata_kit") / "data" / name).read_text("utf-8")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SelfdataError(f"cannot read {path}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SelfdataError(f"{path}: not a valid TOML file ({e})",
                            hint="see docs/reports.md for the layout") from None


def contract_for(person: str, path: str | Path | None = None,
                 offers: dict[str, Offer] | None = None) -> Contract:
    """The person's contract from `path`, else $SELFDATA_CONTRACTS, else the default one.
    A person's table overrides the `[default]` table key by key."""
    return contracts_for([person], path, offers)[person]


def contracts_for(persons: list[str], path: str | Path | None = None,
                  offers: dict[str, Offer] | None = None) -> dict[str, Contract]:
    """`contract_for` of each person, the file read once: persons without their own table
    share the `[default]` one (a cohort of 1,000 reads one file, not 1,000)."""
    path = path or os.environ.get(CONTRACTS_ENV) or None
    if path is None:
        return dict.fromkeys(persons, Contract())
    path = Path(path)
    doc = _read_toml(path)
    own = doc.get("persons", {})
    offers = offers if offers is not None else load_offers()
    shared = None
    out = {}
    for person in persons:
        if person in own:
            out[person] = _contract(doc, path, person, offers)
        else:
            shared = shared or _contract(doc, path, person, offers)
            out[person] = shared
    return out


def _contract(doc: dict[str, Any], path: Path, person: str,
              offers: dict[str, Offer] | None) -> Contract:
    settings = {**doc.get("default", {}), **doc.get("persons", {}).get(person, {})}
    where = f"{path} [persons.\"{person}\"]" if person in doc.get("persons", {}) else str(path)
    offers_file = path.parent / settings["offers"] if "offers" in settings else None
    known = offers if offers is not None and offers_file is None else load_offers(offers_file)
    offer = str(settings.get("offer", Contract.offer))
    if offer not in known:
        raise SelfdataError(f"{where}: unknown offer {offer[:40]!r}",
                            hint=f"offers: {', '.join(known)}")
    kva = settings.get("subscribed_kva", Contract.subscribed_kva)
    if kva not in KVA_STEPS:
        raise SelfdataError(f"{where}: subscribed_kva must be one of {KVA_STEPS}")
    slots = parse_slots(settings["offpeak"], where) if "offpeak" in settings else DEFAULT_SLOTS
    calendar = settings.get("tempo_calendar")
    return Contract(offer, int(kva), slots,
                    (path.parent / calendar) if calendar else None, offers_file, str(path))


def use_contracts(path: str | Path) -> None:
    """Check every contract of the file now (not in the middle of a batch), then make it the
    one analyses read in this process and in the report kernels it starts."""
    path = Path(path).resolve()
    offers = load_offers()
    for person in ["", *_read_toml(path).get("persons", {})]:
        contract_for(person, path, offers)
    os.environ[CONTRACTS_ENV] = str(path)


def load_offers(path: str | Path | None = None) -> dict[str, Offer]:
    """{key: Offer} from `energy_offers.toml` or a file with its layout, checked: known kind and
    slots, prices positive, powers among `KVA_STEPS`, each grid's dates in order and the grids
    of one offer not overlapping (a day must have one price)."""
    where = str(path) if path else "energy_offers.toml"
    doc = _read_toml(Path(path)) if path else tomllib.loads(_data_file("energy_offers.toml"))
    out = {}
    for n, o in enumerate(doc.get("offer", []), start=1):
        at = f"{where}: offer {n}"
        try:
            kind = o["kind"]
            if kind not in KINDS:
                raise SelfdataError(f"{at}: kind must be one of {', '.join(KINDS)}")
            grids = [_grid(p, kind, f"{at}, prices {i}")
                     for i, p in enumerate(o["prices"], start=1)]
            known_to = (dt.date.fromisoformat(o["known_to"]) if "known_to" in o else None)
            out[o["key"]] = Offer(o["key"], o["name"], o.get("supplier", ""), kind,
                                  tuple(sorted(grids, key=lambda g: g.valid_from)), known_to)
        except KeyError as e:
            raise SelfdataError(f"{at}: missing {e.args[0]!r}",
                                hint="see the comments at the top of energy_offers.toml") from None
        except (InvalidOperation, ValueError, TypeError, AttributeError):
            raise SelfdataError(f"{at}: a price, a power or a date is not readable",
                                hint='prices as strings ("0.2516"), dates as YYYY-MM-DD') from None
        for a, b in zip(out[o["key"]].grids, out[o["key"]].grids[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise SelfdataError(f"{at}: the grids from {a.valid_from} and {b.valid_from} "
                                    "overlap", hint="end the older grid the day before the newer")
    return out


def _kwh_by_power(value: Any, powers: set[int], at: str) -> dict[int, Decimal]:
    """A slot's kWh price at each power: one string for every power, or a table of powers or
    ranges of powers ("3-6" = "0.1940") that must give each power of the grid one price."""
    if isinstance(value, str):
        return dict.fromkeys(sorted(powers), Decimal(value))
    out: dict[int, Decimal] = {}
    for key, price in value.items():
        low, _, high = str(key).partition("-")
        span = [k for k in KVA_STEPS if int(low) <= k <= int(high or low)]
        for kva in span:
            if kva in out:
                raise SelfdataError(f"{at}: the kWh price at {kva} kVA is given twice")
            out[kva] = Decimal(price)
    if set(out) != powers:
        raise SelfdataError(f"{at}: a kWh price by power must cover exactly the grid's "
                            f"subscribed powers {sorted(powers)}",
                            hint='one price for all ("0.1952") or by power: '
                                 '{ "3-6" = "0.1940", "9-36" = "0.1927" }')
    return out


def _grid(p: dict[str, Any], kind: str, at: str) -> Grid:
    """One [[offer.prices]] table as a Grid (KeyError and ValueError are the caller's)."""
    subscription = {int(k): Decimal(v) for k, v in p["subscription"].items()}
    if not subscription or not set(subscription) <= set(KVA_STEPS):
        raise SelfdataError(f"{at}: subscribed powers must be among {KVA_STEPS}")
    if set(p["kwh"]) != set(KINDS[kind]):
        raise SelfdataError(f"{at}: a {kind} offer prices {', '.join(KINDS[kind])}")
    kwh = {k: _kwh_by_power(v, set(subscription), at) for k, v in p["kwh"].items()}
    prices = [v for by_power in kwh.values() for v in by_power.values()]
    if not all(v > 0 for v in [*prices, *subscription.values()]):
        raise SelfdataError(f"{at}: every price must be positive")
    start = dt.date.fromisoformat(p["valid_from"])
    end = dt.date.fromisoformat(p["valid_to"]) if "valid_to" in p else None
    if end is not None and end < start:
        raise SelfdataError(f"{at}: valid_to {end} is before valid_from {start}")
    if not str(p["source"]).strip():
        raise SelfdataError(f"{at}: every grid needs its source",
                            hint="the published grid or page the figures come from, and its date")
    return Grid(start, end, kwh, subscription, str(p["source"]))


TEMPO_DAYS_PER_SEASON = {"red": 22, "white": 43}  # arrêté du 30 octobre 2014, art. 3


def load_tempo_days(path: str | Path | None = None) -> dict[dt.date, str]:
    """{date: blue|white|red} from `tempo_days.csv` or a file with its layout
    (`date,colour[,source]`), checked against the rules of the offer: per season (1 September
    to 31 August) at most 22 red and 43 white days, red only on weekdays from 1 November to
    31 March, no white Sunday, and no day listed twice with two colours."""
    where = str(path) if path else "tempo_days.csv"
    try:
        text = Path(path).read_text(encoding="utf-8-sig") if path else _data_file(
            "tempo_days.csv")
    except OSError as e:
        raise SelfdataError(f"cannot read {path}: {e.strerror}") from None
    days: dict[dt.date, str] = {}
    seasons: dict[tuple[int, str], int] = {}
    for line_no, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or row[0].startswith("#") or row[0].strip().lower() == "date":
            continue
        try:
            day = dt.date.fromisoformat(row[0].strip())
            colour = COLOURS[row[1].strip().lower()]
        except (ValueError, IndexError, KeyError):
            raise SelfdataError(f"{where}, line {line_no}: expected YYYY-MM-DD,colour",
                                hint="colour: blue, white or red (bleu, blanc, rouge)") from None
        at = f"{where}, line {line_no}: {day}"
        if days.get(day, colour) != colour:
            raise SelfdataError(f"{at} is listed twice with two colours")
        if colour == "red" and (day.isoweekday() > 5 or day.month in range(4, 11)):
            raise SelfdataError(f"{at} is red, but red days fall on weekdays from 1 November "
                                "to 31 March only")
        if colour == "white" and day.isoweekday() == 7:
            raise SelfdataError(f"{at} is a white Sunday, but a Sunday is always blue")
        if day not in days and colour in TEMPO_DAYS_PER_SEASON:
            season = day.year if day.month >= 9 else day.year - 1
            seasons[(season, colour)] = count = seasons.get((season, colour), 0) + 1
            if count > TEMPO_DAYS_PER_SEASON[colour]:
                raise SelfdataError(
                    f"{at}: more than {TEMPO_DAYS_PER_SEASON[colour]} {colour} days in the "
                    f"season {season}-{season + 1}", hint="a season runs 1 September-31 August")
        days[day] = colour
    return days


def tempo_rule(day: dt.date) -> str | None:
    """The colour the offer's rules fix without the calendar: a Sunday is always blue."""
    return "blue" if day.isoweekday() == 7 else None
