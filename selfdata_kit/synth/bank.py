"""The persona's bank year: income, rent, subscriptions, energy bills, card payments at the
places they visited, online purchases, and the monthly transfer to the second account.

Debits by SEPA direct debit (PRLV) move to the next business day; salaries paid on a weekend
are paid the Friday before. Card payments are booked on the day they are made (real banks often
book them a day or two later; the card date is kept in the detail line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .clock import TZ, public_holidays
from .days import Located
from .energy import Bill
from .persona import Persona, Recurring


@dataclass(frozen=True)
class Txn:
    account: str          # checking | second
    booked_on: dt.date
    cents: int            # signed
    label: str            # OFX NAME / CSV "Libellé" (<= 32 characters)
    detail: str           # OFX MEMO / CSV "Détail de l'écriture"
    trntype: str          # OFX TRNTYPE
    category: str         # the generator's category
    counterparty: str
    recurring: bool = False
    place: int = -1       # index into persona.places for card payments at a merchant
    at: int = 0           # epoch seconds of a card payment


def _business(day: dt.date, off: frozenset[dt.date], backwards: bool = False) -> dt.date:
    step = dt.timedelta(days=-1 if backwards else 1)
    while day.weekday() >= 5 or day in off:
        day += step
    return day


def _in_month(year: int, month: int, day: int) -> dt.date:
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(max(day, 1), last))


def transactions(p: Persona, loc: Located, bills: list[Bill], rng: np.random.Generator
                 ) -> list[Txn]:
    off = public_holidays(p.year)
    out: list[Txn] = []

    def monthly(r: Recurring, month: int, jitter: int, cents: int | None = None,
                detail: str = "") -> None:
        day = _in_month(p.year, month, r.day + int(rng.integers(-jitter, jitter + 1)))
        if r.label.startswith(("PRLV", "VIR SEPA RECU")):
            day = _business(day, off, backwards=r.cents > 0 and day.weekday() >= 5)
        if day.year != p.year:
            return
        trntype = ("CREDIT" if r.cents > 0 else "POS" if r.label.startswith("CB")
                   else "DIRECTDEBIT")
        ref = detail or f"{r.label} {day:%d%m%y} REF {p.account[-4:]}{month:02d}"
        out.append(Txn("checking", day, r.cents if cents is None else cents, r.label, ref,
                       trntype, r.category, r.counterparty, recurring=True))

    second_label = "LIVRET A" if p.savings_cents else "COMPTE JOINT"
    # Non-savers feed a joint (or, living alone, a secondary) account that pays the big
    # weekend shops.
    low, high = (15, 26) if p.household_size == 1 else (30, 51)
    to_second = p.savings_cents or int(rng.integers(low, high)) * 1000
    for m in range(1, 13):
        jitter = 0 if p.income.counterparty == "CNAV" else 2
        pay = p.income.cents + int(rng.integers(-p.income.jitter_cents,
                                                p.income.jitter_cents + 1))
        monthly(p.income, m, jitter, cents=pay)
        monthly(p.rent, m, 1)
        for s in p.subscriptions:
            monthly(s, m, 2)
        day = _business(_in_month(p.year, m, 5), off)
        label = f"VIR PERMANENT {second_label}"
        out.append(Txn("checking", day, -to_second, label, f"{label} VERS {p.second_account}",
                       "XFER", "transfer", second_label, recurring=True))
        out.append(Txn("second", day, to_second, "VIR RECU COMPTE CHEQUES",
                       f"VIR RECU DE {p.account} {second_label}", "CREDIT", "transfer",
                       "COMPTE CHEQUES", recurring=True))
    for b in bills:
        if b.month == 12:
            continue  # December's bill is debited next January, outside this year
        supplier = p.tariff.supplier if b.commodity == "electricity" else p.gas_tariff.supplier
        r = Recurring(supplier, f"PRLV SEPA {supplier} PARTICULIERS", 0,
                      10 if b.commodity == "electricity" else 15, "energy")
        monthly(r, b.month + 1, 2, cents=-int(b.amount * 100),
                detail=f"{r.label} FACTURE {b.month:02d}/{p.year} {b.kwh:.0f} KWH")
    out += _card_payments(p, loc)
    if p.savings_cents:
        out.append(_interest(p, out))
    return sorted(out, key=lambda t: (t.account, t.booked_on))


def _card_payments(p: Persona, loc: Located) -> list[Txn]:
    days = pd.DatetimeIndex(loc.pay_at * 10**9, tz="UTC").tz_convert(TZ)
    out = []
    card = p.account[-4:]
    for place, cents, joint, at, local in zip(loc.pay_place.tolist(), loc.pay_cents.tolist(),
                                             loc.pay_joint.tolist(), loc.pay_at.tolist(), days,
                                             strict=True):
        pl = p.places[place]
        town = pl.address.rsplit(" ", 1)[-1].upper()
        out.append(Txn("second" if joint else "checking", local.date(), -cents, f"CB {pl.label}",
                       f"CARTE X{card} {local:%d/%m} {pl.label} {town}", "POS", pl.category,
                       pl.label, place=place, at=at))
    online = pd.DatetimeIndex([o[0] * 10**9 for o in loc.online], tz="UTC").tz_convert(TZ)
    for (at, label, category, cents), local in zip(loc.online, online, strict=True):
        out.append(Txn("checking", local.date(), -cents, label,
                       f"CARTE X{card} {local:%d/%m} {label[3:]}", "POS", category, label[3:],
                       at=at))
    return out


def _interest(p: Persona, txns: list[Txn]) -> Txn:
    # Livret A: 3 % a year in 2024, paid on 31 December on the month-end balances (simplified
    # from the real fortnight rule).
    opening = opening_balance(p, "second")
    balance = opening
    total = 0
    for m in range(1, 13):
        balance += sum(t.cents for t in txns if t.account == "second" and t.booked_on.month == m)
        total += balance * 3 // 1200
    day = dt.date(p.year, 12, 31)
    return Txn("second", day, total, "INTERETS CREDITEURS", f"INTERETS CREDITEURS {p.year}",
               "INT", "interest", "LIVRET A")


def opening_balance(p: Persona, account: str) -> int:
    """Opening balance in cents: a pure function of the persona, so writers agree."""
    digits = p.account if account == "checking" else p.second_account
    base = 120_000 if account == "checking" else (400_000 if p.savings_cents else 50_000)
    return base + int(digits[-5:]) * 3
