"""Where the persona is, day by day, and what they pay for there.

One continuous timeline of visits (home, work, shops, restaurants, a holiday town) joined by
travel segments. Every card payment at a merchant happens inside a visit to that merchant, so
the bank statement and the location history agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .clock import days_in, local_to_epoch, public_holidays
from .persona import Persona
from .world import HOLIDAY_TOWNS


@dataclass
class Timeline:
    visit_place: list[int] = field(default_factory=list)
    visit_start: list[float] = field(default_factory=list)  # local hours since 1 Jan 00:00
    visit_end: list[float] = field(default_factory=list)
    seg_mode: list[str] = field(default_factory=list)       # Google activityType
    pay_hour: list[float] = field(default_factory=list)
    pay_place: list[int] = field(default_factory=list)
    pay_cents: list[int] = field(default_factory=list)
    pay_joint: list[bool] = field(default_factory=list)     # paid from the second account
    online: list[tuple[float, str, str, int]] = field(default_factory=list)  # h, label, cat, c


@dataclass(frozen=True)
class Located:
    """The timeline in epoch seconds (UTC), ready for writers and the load curve."""
    place: np.ndarray
    start: np.ndarray
    end: np.ndarray
    seg_mode: tuple[str, ...]   # travel before visit i (i >= 1)
    pay_place: np.ndarray
    pay_at: np.ndarray
    pay_cents: np.ndarray
    pay_joint: np.ndarray
    online: tuple[tuple[int, str, str, int], ...]   # epoch, label, category, cents


def plan(p: Persona, rng: np.random.Generator) -> Located:
    t = Timeline()
    kinds: dict[tuple[str, int], list[int]] = {}
    for i, pl in enumerate(p.places):
        kinds.setdefault((pl.kind, pl.town), []).append(i)
    away = _away_days(p)
    off = public_holidays(p.year)
    wake = 6.3 if p.has("early_bird") else 9.2 if p.has("night_owl") else 7.2
    t.visit_place.append(0)
    t.visit_start.append(0.0)
    spend = 1.4 if p.has("spender") else 0.7 if p.has("saver") else 1.0
    spend *= 0.55 if p.archetype == "student" else 1.0   # a student's budget
    paid_here: list[bool] = []   # the current visit has a card payment

    def go(kind: str, at: float, stay: float, town: int = -1, pay: float = 1.0) -> bool:
        options = kinds.get((kind, town))
        if not options:
            return False
        place = options[int(rng.integers(len(options)))]
        if place == t.visit_place[-1]:
            return False
        at = max(at, t.visit_start[-1] + 0.25)  # the timeline only moves forward
        if paid_here and t.pay_hour[-1] >= at - 0.02:
            # The visit was cut short by the next plan: pay before leaving.
            t.pay_hour[-1] = t.visit_start[-1] + (at - t.visit_start[-1]) * 0.7
        paid_here.clear()
        travel = float(rng.uniform(0.15, 0.5))
        mode = "IN_PASSENGER_VEHICLE" if p.car and rng.random() < 0.6 else (
            "WALKING" if rng.random() < 0.5 else "IN_SUBWAY" if p.city.name in
            ("Paris", "Lyon", "Marseille", "Lille", "Toulouse", "Rennes") else "IN_BUS")
        t.visit_end.append(at)
        t.seg_mode.append(mode)
        t.visit_place.append(place)
        t.visit_start.append(at + travel)
        pl = p.places[place]
        if pl.basket_eur > 0 and pay > 0:
            median = pl.basket_eur * pay * (p.household_size ** 0.6 if pl.category ==
                                            "groceries" else 1.0)
            eur = max(1.1, float(rng.lognormal(np.log(median * spend), 0.4)))
            t.pay_hour.append(at + travel + stay * float(rng.uniform(0.6, 0.95)))
            t.pay_place.append(place)
            t.pay_cents.append(int(round(eur * 100)))
            t.pay_joint.append(p.savings_cents == 0 and pay >= 2.0)
            paid_here.append(True)
        return True

    start = dt.date(p.year, 1, 1)
    for d in range(days_in(p.year)):
        day = start + dt.timedelta(days=d)
        h0 = 24.0 * d
        town = here = away.get(d, -1)
        home = "home" if town < 0 else "lodging"
        if town >= 0 and away.get(d - 1, -1) != town:
            _leave_home(p, t, rng, go, h0, town)
            continue
        if town < 0 and away.get(d - 1, -1) >= 0:
            if go("home", h0 + rng.uniform(10, 13), 1.0):  # the trip home
                t.seg_mode[-1] = "IN_PASSENGER_VEHICLE" if p.car else "IN_TRAIN"
            continue
        up = h0 + wake + float(rng.normal(0, 0.3))
        workday = (town < 0 and day.weekday() < 5 and day not in off and bool(p.places[1:2])
                   and p.places[1].kind in ("work", "school")
                   and not (p.places[1].kind == "school" and day.month in (7, 8)))
        if workday:
            kind = p.places[1].kind
            go(kind, up + rng.uniform(0.6, 1.2), 4.0)
            if rng.random() < 0.25 * spend:
                go("restaurant" if rng.random() < 0.6 else "bakery", h0 + 12.3, 0.8)
                go(kind, h0 + 13.3, 4.0)
            end = h0 + (16.8 if kind == "school" else 17.8) + float(rng.uniform(0, 1.2))
            evening = end
            for what, prob in (("grocery", 0.22), ("pharmacy", 0.04), ("shop", 0.05 * spend),
                               ("gym", 0.35)):
                if rng.random() < prob * (3 if what == "shop" and day.month == 12 else 1):
                    go(what, evening, 0.6 if what != "gym" else 1.2)
                    evening += 0.9 if what != "gym" else 1.5
            go("home", evening, 1.0)
        else:
            at = up + float(rng.uniform(1.0, 2.5))
            errands = [("bakery", 0.75 if p.has("early_bird") else 0.4, 0.2, 1.0),
                       ("grocery", 0.75 if day.weekday() == 5 else 0.25, 0.9,
                        2.2 if day.weekday() == 5 else 1.0),
                       ("butcher", 0.12, 0.3, 1.0), ("organic", 0.12, 0.4, 1.0),
                       ("pharmacy", 0.05, 0.2, 1.0), ("fuel", 0.1, 0.2, 1.0),
                       ("shop", (0.2 if day.month == 12 and day.day < 25 else 0.07) * spend,
                        0.8, 1.6 if day.month == 12 else 1.0)]
            for what, prob, stay, pay in errands:
                if town >= 0 and what not in ("grocery", "bakery"):
                    continue
                if rng.random() < prob and (what, here) in kinds:
                    go(what, at, stay, here, pay)
                    at += stay + 0.5
            if rng.random() < (0.5 if town >= 0 else 0.12):
                go("restaurant", max(at, h0 + 12.3), 1.2, here)
                at = max(at, h0 + 12.3) + 1.7
            go(home, at, 1.0, here)
        dinner = 0.7 if town >= 0 else (0.4 if day.weekday() in (4, 5) else 0.07) * spend
        if p.has("night_owl"):
            dinner += 0.1
        if rng.random() < dinner:
            late = h0 + 20.0 + float(rng.uniform(0, 1.0)) + (1.0 if p.has("night_owl") else 0)
            if late > t.visit_start[-1] + 0.3:
                go("restaurant", late, 1.6, here)
                go(home, late + 1.6, 1.0, here)
        _online(p, t, rng, day, h0, town, spend)
    t.visit_end.append(24.0 * days_in(p.year))
    return _locate(p, t)


def _leave_home(p: Persona, t: Timeline, rng, go, h0: float, town: int) -> None:
    if p.car:
        go("fuel", h0 + rng.uniform(8.5, 9.5), 0.25)
    if not go("lodging", h0 + rng.uniform(10, 11), 1.0, town):
        return
    t.seg_mode[-1] = "IN_PASSENGER_VEHICLE" if p.car else "IN_TRAIN"
    # Shift the arrival by the journey: ~90 km/h by car, ~200 km/h by train, plus stations.
    here, there = p.city, HOLIDAY_TOWNS[town]
    km = 111.2 * float(np.hypot(here.lat - there.lat, (here.lon - there.lon) * 0.7))
    t.visit_start[-1] = t.visit_end[-1] + (km / 90 if p.car else km / 200 + 0.8)


def _online(p: Persona, t: Timeline, rng, day: dt.date, h0: float, town: int,
            spend: float) -> None:
    if town >= 0:
        return
    amazon = (0.06 if day.month == 12 and day.day < 22 else 0.025) * spend
    if rng.random() < amazon:
        t.online.append((h0 + 21.5, "CB AMAZON PAYMENTS", "shopping",
                         int(rng.lognormal(np.log(3200), 0.6))))
    if (p.has("night_owl") or p.archetype == "student") and rng.random() < 0.07 * spend:
        t.online.append((h0 + 22.5, "CB UBER EATS", "restaurants",
                         int(rng.lognormal(np.log(2300), 0.3))))
    for h in p.holidays:  # train tickets are bought online about a month ahead
        if not p.car and day == h.start - dt.timedelta(days=30):
            t.online.append((h0 + 20.5, "CB SNCF CONNECT", "transport",
                             int(rng.uniform(60, 160) * 100) * p.household_size))


def _away_days(p: Persona) -> dict[int, int]:
    first = dt.date(p.year, 1, 1)
    out: dict[int, int] = {}
    for h in p.holidays:
        d0 = (h.start - first).days
        for d in range(d0, min(d0 + h.nights, days_in(p.year))):
            out[d] = h.town
    return out


def _locate(p: Persona, t: Timeline) -> Located:
    base = np.datetime64(f"{p.year}-01-01T00:00:00", "s")

    def epoch(hours: list[float]) -> np.ndarray:
        secs = np.round(np.asarray(hours, dtype=np.float64) * 3600).astype(np.int64)
        return local_to_epoch(base + secs.astype("timedelta64[s]"))

    start, end = epoch(t.visit_start), epoch(t.visit_end)
    return Located(
        place=np.asarray(t.visit_place, dtype=np.int64), start=start, end=end,
        seg_mode=("",) + tuple(t.seg_mode),
        pay_place=np.asarray(t.pay_place, dtype=np.int64), pay_at=epoch(t.pay_hour),
        pay_cents=np.asarray(t.pay_cents, dtype=np.int64),
        pay_joint=np.asarray(t.pay_joint, dtype=bool),
        online=tuple((int(e), lab, cat, c) for e, (_, lab, cat, c)
                     in zip(epoch([o[0] for o in t.online]), t.online, strict=True)))
