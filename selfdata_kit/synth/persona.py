"""Synthetic personas: who they are (archetype, home, tariff, income, habits, contacts, places).

Everything here is fiction. Phone numbers come from ranges that ARCEP's numbering plan keeps out
of service for fiction (mobiles 06 39 98 xx xx, landlines 01 99 00 xx xx): `phonenumbers` knows
them as possible but not valid numbers, so no real person can be called by mistake.

`make_personas(n, seed, year)` is pure: persona i depends only on (seed, i, year), so a worker
process can rebuild any persona by itself, and the same seed gives the same people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .world import (
    ARCHETYPES,
    CITIES,
    FIRST_NAMES,
    HOLIDAY_TOWNS,
    RELATIONS,
    SUBSCRIPTIONS,
    Archetype,
    City,
    Place,
    Tariff,
    load_tariffs,
    make_places,
)


@dataclass(frozen=True)
class Contact:
    name: str          # as saved in the phone ("Maman", "Julie")
    number: str        # E.164, the truth
    written: str       # as the phone stores it (E.164 or national "06...")
    weight: float      # share of calls and sms


@dataclass(frozen=True)
class Recurring:
    """A monthly bank debit or credit with a stable label (rent, salary, subscription)."""
    counterparty: str
    label: str
    cents: int         # signed: negative = debit
    day: int           # usual day of month
    category: str
    jitter_cents: int = 0   # salary varies by a few euros; debits are constant


@dataclass(frozen=True)
class Holiday:
    start: dt.date
    nights: int
    town: int          # index into HOLIDAY_TOWNS


@dataclass(frozen=True)
class Persona:
    person_id: str
    index: int
    seed: int
    year: int
    archetype: str
    household_size: int
    city: City
    heating: str                       # electric | gas
    tariff: Tariff
    gas_tariff: Tariff | None
    car: bool
    habits: tuple[str, ...]
    income: Recurring
    rent: Recurring
    subscriptions: tuple[Recurring, ...]
    savings_cents: int                 # monthly transfer to the Livret A; 0 for non-savers
    contacts: tuple[Contact, ...]
    places: tuple[Place, ...]
    holidays: tuple[Holiday, ...]
    standby_watts: int
    heat_loss_w_per_k: int             # heating need per degree below 17 °C
    prm: str                           # Enedis delivery point, 14 digits
    pce: str | None                    # GRDF delivery point, 14 digits (gas homes)
    account: str                       # checking account number
    second_account: str

    def has(self, habit: str) -> bool:
        return habit in self.habits


def persona_rng(seed: int, index: int, stream: int) -> np.random.Generator:
    """An independent generator per persona and purpose (0 = who they are, 1 = their year)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, stream])))


def archetype_for(seed: int, index: int) -> Archetype:
    # Archetypes are dealt in shuffled rounds, so any n consecutive personas with n <= the
    # number of archetypes are all different people.
    names = sorted(ARCHETYPES)
    order = np.random.Generator(np.random.PCG64([seed, 1_000_003, index // len(names)]))
    return ARCHETYPES[names[order.permutation(len(names))[index % len(names)]]]


def make_personas(n: int, seed: int, year: int) -> list[Persona]:
    return [make_persona(seed, i, year) for i in range(n)]


def make_persona(seed: int, index: int, year: int) -> Persona:
    a = archetype_for(seed, index)
    rng = persona_rng(seed, index, 0)
    city = CITIES[int(rng.integers(len(CITIES)))]
    household = int(rng.integers(a.household[0], a.household[1] + 1))
    habits = set(a.habits) | {h for h in a.optional_habits if rng.random() < 0.35}
    if "saver" in habits and "spender" in habits:
        habits.discard("spender" if rng.random() < 0.5 else "saver")
    tariffs = load_tariffs()
    holidays = _holidays(rng, year, habits)

    def cents(lo: float, hi: float) -> int:
        return int(round(rng.uniform(lo, hi) * 100))

    income = Recurring(a.income_counterparty, a.income_label, cents(*a.income_eur),
                       int(rng.integers(*a.income_days)), "income",
                       jitter_cents=0 if a.income_kind == "pension" else 500)
    rent = Recurring(a.rent_counterparty, a.rent_label, -cents(*a.rent_eur),
                     int(rng.integers(1, 6)), "housing")
    return Persona(
        person_id=f"p{index + 1:04d}-{a.name.replace('_', '-')}",
        index=index, seed=seed, year=year, archetype=a.name, household_size=household,
        city=city, heating=a.heating,
        tariff=tariffs["electricity." + a.tariff],
        gas_tariff=tariffs["gas.heating"] if a.heating == "gas" else None,
        car=a.car, habits=tuple(sorted(habits)), income=income, rent=rent,
        subscriptions=_subscriptions(rng, a, habits),
        savings_cents=int(rng.choice([50, 100, 150, 200, 300])) * 100 if "saver" in habits else 0,
        contacts=_contacts(rng, household),
        places=make_places(rng, a, city, habits, sorted({h.town for h in holidays})),
        holidays=holidays,
        standby_watts=int(rng.integers(*a.standby_watts)),
        heat_loss_w_per_k=int(rng.integers(*a.heat_loss_w_per_k)),
        prm=_digits(rng, 14, "1"), pce=_digits(rng, 14, "2") if a.heating == "gas" else None,
        account=_digits(rng, 11, "0"), second_account=_digits(rng, 11, "0"),
    )


def _digits(rng: np.random.Generator, n: int, first: str) -> str:
    return first + "".join(str(d) for d in rng.integers(0, 10, n - 1))


def _subscriptions(rng: np.random.Generator, a: Archetype, habits: set[str]
                   ) -> tuple[Recurring, ...]:
    picked = []
    for s in SUBSCRIPTIONS:
        if s.group in a.subscriptions or (s.habit and s.habit in habits):
            picked.append(s)
    # One offer per group (one phone plan, one box, one insurer, one streaming of each kind).
    by_group: dict[str, list] = {}
    for s in picked:
        by_group.setdefault(s.group, []).append(s)
    out = []
    for group in sorted(by_group):
        options = by_group[group]
        s = options[int(rng.integers(len(options)))]
        out.append(Recurring(s.counterparty, s.label, -int(Decimal(s.eur) * 100),
                             int(rng.integers(2, 27)), s.category))
    return tuple(out)


def _contacts(rng: np.random.Generator, household: int) -> tuple[Contact, ...]:
    n = int(rng.integers(14, 26))
    names = list(RELATIONS[: 2 + int(rng.integers(0, 3))])
    pool = [f for f in FIRST_NAMES if f not in names]
    names += [str(x) for x in rng.choice(pool, n - len(names), replace=False)]
    mobiles = rng.choice(10_000, n, replace=False)
    # Zipf-like weights with a gentle random wobble: the top five are clearly apart.
    weights = 1.0 / np.arange(1, n + 1) ** 1.25 * rng.uniform(0.9, 1.1, n)
    weights = np.sort(weights)[::-1] / weights.sum()
    order = rng.permutation(n)  # who is the favourite is random, not the list order
    out = []
    for rank in range(n):
        k = int(order[rank])
        landline = names[k].startswith("Cabinet")
        national = f"0{'199' if landline else '639'}{'00' if landline else '98'}"
        national += f"{int(mobiles[k]):04d}"
        e164 = "+33" + national[1:]
        written = national if rng.random() < 0.3 else e164
        out.append(Contact(names[k], e164, written, float(weights[rank])))
    return tuple(out)


def _holidays(rng: np.random.Generator, year: int, habits: set[str]) -> tuple[Holiday, ...]:
    towns = rng.permutation(len(HOLIDAY_TOWNS))
    start = dt.date(year, 7, 5) + dt.timedelta(days=int(rng.integers(0, 40)))
    trips = [Holiday(start, int(rng.integers(7, 16)), int(towns[0]))]
    if "traveller" in habits:
        for k, (month, day) in enumerate(((2, 10), (4, 15), (10, 20), (12, 26))):
            d = dt.date(year, month, day) + dt.timedelta(days=int(rng.integers(0, 10)))
            if d.year == year and d < dt.date(year, 12, 27):
                trips.append(Holiday(d, int(rng.integers(3, 8)), int(towns[1 + k % 3])))
    return tuple(sorted(trips, key=lambda h: h.start))
