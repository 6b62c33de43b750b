"""Energy of one persona's home: the electricity load curve (30-minute average W, local time),
daily gas readings (GRDF gas days from 06:00), and the monthly bills computed from what the
files say.

The load curve is a sum of: a constant standby floor (`standby_watts`: box, fridge electronics,
chargers), a fridge compressor cycling on and off, activity while someone is home and awake,
cooking peaks, washing cycles, an electric water heater in off-peak hours (HP/HC homes), and
electric heating when cold. Away on holiday, only standby, the fridge and frost protection remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .clock import days_in, grid
from .days import Located
from .persona import Persona

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Gas:
    coeff: np.ndarray          # kWh per m³ (coeffConversion), 2 decimals
    index_start: np.ndarray    # m³ meter index, integer
    index_end: np.ndarray
    volume: np.ndarray         # index_end - index_start, as GRDF writes it
    energy: np.ndarray         # kWh, integer, as GRDF writes it


def at_home(p: Persona, loc: Located, instants: np.ndarray) -> np.ndarray:
    """True where the persona is inside a visit to their home at that instant."""
    i = np.searchsorted(loc.start, instants, side="right") - 1
    i = np.clip(i, 0, len(loc.start) - 1)
    return (loc.place[i] == 0) & (instants >= loc.start[i]) & (instants < loc.end[i])


def load_curve(p: Persona, loc: Located, temp: np.ndarray, rng: np.random.Generator
               ) -> np.ndarray:
    """Average power in W over each 30-minute interval of the year, as written (integers)."""
    g = grid(p.year)
    n = len(g.start)
    home = at_home(p, loc, g.start + 900)
    away_day = np.zeros(days_in(p.year), dtype=bool)
    first_day = np.datetime64(f"{p.year}-01-01")
    for h in p.holidays:
        d0 = int((np.datetime64(h.start) - first_day).astype(int))
        away_day[d0:d0 + h.nights] = True
    away = away_day[g.day] & ~home
    wake = 6.5 if p.has("early_bird") else 9.0 if p.has("night_owl") else 7.0
    bed = 22.0 if p.has("early_bird") else 25.5 if p.has("night_owl") else 23.3
    hour = np.where(g.hour < 6, g.hour + 24, g.hour)
    awake = (hour >= wake) & (hour < bed)
    size = p.household_size
    dark = (hour >= 17.5) & (np.cos(2 * np.pi * (g.day - 10) / 365.25) > -0.2)

    w = np.full(n, float(p.standby_watts))
    w += rng.binomial(1, 0.35, n) * rng.uniform(60, 95)                     # fridge
    active = home & awake
    w += active * rng.lognormal(np.log(110 + 70 * size), 0.35, n) * (1 + 0.6 * dark)
    for meal, prob in ((12.5, 0.5), (19.5, 0.8)):                           # cooking
        cook = active & (np.abs(g.hour - meal) < 0.26) & (rng.random(n) < prob)
        w += cook * rng.uniform(1200, 2400, n)
    hc = p.tariff.hc_start is not None
    wash_hour = 22.5 if hc else 19.0
    wash = (np.abs(g.hour - wash_hour) < 0.76) & ~away & (
        rng.random(days_in(p.year)) < (1.5 + size) / 7)[g.day]
    w += wash * 1900
    if hc and p.heating == "electric":                                      # water heater
        heater = (g.hour >= 22) & (g.hour < 22 + 0.5 * (2 + size)) & ~away_day[g.day]
        w += heater * 2200
    if p.heating == "electric":
        outdoor = temp[g.day] + 3.0 * np.cos(2 * np.pi * (g.hour - 15) / 24)
        need = np.maximum(0.0, 17.5 - outdoor) * p.heat_loss_w_per_k
        w += need * np.where(away, 0.12, np.where(home, np.where(awake, 1.0, 0.75), 0.5))
    return np.minimum(np.round(w), 5800).astype(np.int64)


def gas_days(p: Persona, temp: np.ndarray, rng: np.random.Generator) -> Gas:
    """One reading per gas day (06:00 to 06:00 local): kWh from heating degree-days (base 17 °C)
    plus hot water and cooking. Indexes are whole m³, as GRDF writes them; the energy is
    the true volume x coefficient, rounded, so it does not equal volume x coefficient exactly."""
    n = days_in(p.year)
    away = np.zeros(n, dtype=bool)
    first_day = np.datetime64(f"{p.year}-01-01")
    for h in p.holidays:
        d0 = int((np.datetime64(h.start) - first_day).astype(int))
        away[d0:d0 + h.nights] = True
    hdd = np.maximum(0.0, 17.0 - temp)
    kwh = np.where(away, 0.3, 1.0) * hdd * p.heat_loss_w_per_k * 24 / 1000
    kwh += np.where(away, 0.4, 3.2 * p.household_size) * rng.uniform(0.8, 1.2, n)
    coeff = np.round(11.2 + 0.12 * np.sin(np.arange(n) / 40) + rng.normal(0, 0.03, n), 2)
    volume = kwh / coeff
    cumulative = float(rng.integers(2_000, 30_000)) + rng.random() + np.cumsum(volume)
    index_end = np.floor(cumulative).astype(np.int64)
    index_start = np.floor(np.concatenate([[cumulative[0] - volume[0]], cumulative[:-1]]))
    index_start = index_start.astype(np.int64)
    return Gas(coeff=coeff, index_start=index_start, index_end=index_end,
               volume=index_end - index_start, energy=np.round(kwh).astype(np.int64))


@dataclass(frozen=True)
class Bill:
    commodity: str      # electricity | gas
    month: int          # the month consumed (1..12); debited the month after
    kwh: Decimal        # exact, from the written values
    kwh_hc: Decimal     # off-peak part (HP/HC electricity), else 0
    amount: Decimal     # € TTC, rounded to cents (half up)


def _hours(text: str) -> float:
    return int(text[:2]) + int(text[3:]) / 60


def contract_truth(p: Persona, watts: np.ndarray) -> dict:
    """The persona's electricity contract as an energy contract file says it (offer key of
    energy_offers.toml, kVA, off-peak slots: the tariff's, else the default 22:00-06:00),
    the true share of the written kWh in those slots, and the highest 30-min power."""
    t = p.tariff
    start, end = (t.hc_start, t.hc_end) if t.hc_start else ("22:00", "06:00")
    hour = grid(p.year).hour
    off = (hour >= _hours(start)) | (hour < _hours(end))
    return {"electricity_contract": {"offer": "edf_hphc" if t.hc_start else "edf_base",
                         "subscribed_kva": t.subscribed_kva, "offpeak": [f"{start}-{end}"],
                         "offpeak_in_contract": t.hc_start is not None},
            "offpeak_share": round(int(watts[off].sum()) / int(watts.sum()), 6),
            "max_power_kva": int(watts.max()) / 1000}


def electricity_bills(p: Persona, watts: np.ndarray) -> list[Bill]:
    """kWh of a month = sum of written W x 0.5 h / 1000 over the intervals that START in it."""
    g = grid(p.year)
    t = p.tariff
    off_peak = np.zeros(len(watts), dtype=bool)
    if t.hc_start:
        start = int(t.hc_start[:2]) + int(t.hc_start[3:]) / 60
        end = int(t.hc_end[:2]) + int(t.hc_end[3:]) / 60
        off_peak = (g.hour >= start) | (g.hour < end)
    bills = []
    for m in range(1, 13):
        sel = g.month == m
        kwh = Decimal(int(watts[sel].sum())) / 2000
        kwh_hc = Decimal(int(watts[sel & off_peak].sum())) / 2000
        if t.price is not None:
            amount = kwh * t.price + t.subscription
        else:
            amount = (kwh - kwh_hc) * t.price_hp + kwh_hc * t.price_hc + t.subscription
        bills.append(Bill("electricity", m, kwh, kwh_hc if t.hc_start else Decimal(0),
                          amount.quantize(CENT, ROUND_HALF_UP)))
    return bills


def gas_bills(p: Persona, gas: Gas) -> list[Bill]:
    """kWh of a month = sum of written energieConsomme over the gas days of that month."""
    months = (np.datetime64(f"{p.year}-01-01") + np.arange(len(gas.energy))).astype(
        "datetime64[M]").astype(int) % 12 + 1
    t = p.gas_tariff
    out = []
    for m in range(1, 13):
        kwh = Decimal(int(gas.energy[months == m].sum()))
        out.append(Bill("gas", m, kwh, Decimal(0),
                        (kwh * t.price + t.subscription).quantize(CENT, ROUND_HALF_UP)))
    return out
