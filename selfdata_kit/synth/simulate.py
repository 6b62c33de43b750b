"""Simulate one persona's year: where they go, what they pay, whom they call, what their home
consumes. Each persona has its own `numpy.random.Generator(PCG64)` seeded from (seed, index), so
personas are independent of each other and of how many are generated, and reproducible.

The year is a calendar year in local time (Europe/Paris); by default the previous full year
(`clock.default_year`). Pass a year explicitly for reproducible outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bank import Txn, transactions
from .clock import daily_temperature
from .days import Located, plan
from .energy import Bill, Gas, electricity_bills, gas_bills, gas_days, load_curve
from .persona import Persona, persona_rng
from .phone import Messages, calls, sms


@dataclass(frozen=True)
class Simulation:
    persona: Persona
    located: Located
    txns: list[Txn]
    calls: Messages
    sms: Messages
    watts: np.ndarray        # one average W per 30-minute interval of clock.grid(year)
    gas: Gas | None
    bills: list[Bill]        # every month's bill, including December's (debited next year)
    temperature: np.ndarray  # daily mean °C


def simulate(p: Persona) -> Simulation:
    rng = persona_rng(p.seed, p.index, 1)
    # Separate streams per part: changing how calls are drawn does not move the bank lines.
    r_weather, r_days, r_power, r_gas, r_bank, r_calls, r_sms = rng.spawn(7)
    temp = daily_temperature(r_weather, p.year, p.city.t_mean, p.city.t_swing)
    loc = plan(p, r_days)
    watts = load_curve(p, loc, temp, r_power)
    bills = electricity_bills(p, watts)
    gas = None
    if p.heating == "gas":
        gas = gas_days(p, temp, r_gas)
        bills += gas_bills(p, gas)
    txns = transactions(p, loc, bills, r_bank)
    return Simulation(p, loc, txns, calls(p, r_calls), sms(p, r_sms), watts, gas, bills, temp)
