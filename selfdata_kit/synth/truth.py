"""`truth.json`: what a persona's files contain, computed from the values as WRITTEN (integer
watts, whole kWh of gas, amounts in cents), so a correct importer and correct analyses find
exactly these numbers.

Conventions: money is a string with 2 decimals; kWh are exact decimal strings; spend is the sum
of debits (positive) per generator category, all accounts, transfers between the persona's own
accounts excluded; `top_contacts` ranks E.164 numbers by calls + sms (all types, unknown numbers
included), ties broken by the number in ascending order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import numpy as np

from .clock import grid
from .energy import contract_truth
from .simulate import Simulation
from .world import HOLIDAY_TOWNS
from .write_bank import money


def _e164(number: str) -> str:
    return "+33" + number[1:] if number.startswith("0") else number


def build_truth(sim: Simulation, files: dict[str, str], written: dict) -> dict:
    p = sim.persona
    ofx_cents = [c for _, c in written["ofx"]]
    csv_cents = written["csv"]
    all_cents = ofx_cents + csv_cents
    g = grid(p.year)
    local_day = np.asarray(g.day)
    per_day = np.bincount(local_day)
    first = dt.date(p.year, 1, 1)
    odd_days = {str(first + dt.timedelta(days=int(d))): int(per_day[d])
                for d in np.flatnonzero(per_day != 48)}
    energy = {"electricity": str(Decimal(int(sim.watts.sum())) / 2000)}
    if sim.gas is not None:
        energy["gas"] = str(int(sim.gas.energy.sum()))
    bills = [{"commodity": b.commodity, "month": f"{p.year}-{b.month:02d}", "kwh": str(b.kwh),
              "kwh_off_peak": str(b.kwh_hc), "amount": str(b.amount),
              # each month's bill is debited the next month: December's falls outside the year
              "debited_in_this_year": b.month < 12}
             for b in sim.bills]
    return {
        "person_id": p.person_id,
        "persona": describe(sim),
        "files": files,
        "accounts": {
            "checking": {"account_id": p.account, "format": "ofx", "count": len(ofx_cents),
                         "sum": money(sum(ofx_cents))},
            "second": {"account_id": p.second_account, "format": "societe_generale_csv",
                       "kind": "livret_a" if p.savings_cents else "joint",
                       "count": len(csv_cents), "sum": money(sum(csv_cents))}},
        "transactions_count": len(all_cents),
        "transactions_sum": money(sum(all_cents)),
        "recurring_payments": _recurring(sim),
        "monthly_spend_by_category": _spend(sim),
        "energy_kwh": energy,
        "energy_bills": bills,
        "electricity_readings": len(sim.watts),
        "electricity_days_not_48_readings": odd_days,
        "standby_watts": p.standby_watts,
        **contract_truth(p, sim.watts),  # electricity_contract, offpeak_share, max_power_kva
        "calls_count": len(sim.calls.at_ms),
        "calls_by_type": {str(k): int(v) for k, v in sorted(Counter(
            sim.calls.kind.tolist()).items())},
        "sms_count": len(sim.sms.at_ms),
        "top_contacts": _top(sim),
        "places_visits": int(written["visits"]),
        "card_payments_at_visited_places": int(len(sim.located.pay_place)),
    }


def describe(sim: Simulation) -> dict:
    p = sim.persona
    t = p.tariff
    tariff = {"offer": t.offer, "supplier": t.supplier, "source": t.source, "year": t.year,
              "subscription_eur_per_month": str(t.subscription),
              "subscribed_kva": t.subscribed_kva}
    if t.price is not None:
        tariff["price_eur_per_kwh"] = str(t.price)
    else:
        tariff.update(price_hp_eur_per_kwh=str(t.price_hp), price_hc_eur_per_kwh=str(t.price_hc),
                      off_peak=f"{t.hc_start}-{t.hc_end}")
    out = {"archetype": p.archetype, "city": p.city.name, "household_size": p.household_size,
           "heating": p.heating, "car": p.car, "habits": list(p.habits), "tariff": tariff,
           "income": {"label": p.income.label, "amount": money(p.income.cents),
                      "day": p.income.day},
           "housing": {"label": p.rent.label, "amount": money(p.rent.cents)},
           "savings_per_month": money(p.savings_cents), "contacts": len(p.contacts),
           "holidays": [{"start": str(h.start), "nights": h.nights,
                         "town": HOLIDAY_TOWNS[h.town].name}
                        for h in p.holidays],
           "seed": p.seed, "index": p.index, "year": p.year, "prm": p.prm}
    if p.gas_tariff is not None:
        g = p.gas_tariff
        out["gas_tariff"] = {"offer": g.offer, "supplier": g.supplier, "source": g.source,
                             "price_eur_per_kwh": str(g.price),
                             "subscription_eur_per_month": str(g.subscription)}
        out["pce"] = p.pce
    return out


def _recurring(sim: Simulation) -> list[dict]:
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for t in sim.txns:
        if t.recurring:
            groups[(t.account, t.label)].append(t)
    out = []
    for (account, label), ts in sorted(groups.items()):
        amounts = sorted({t.cents for t in ts})
        gaps = [(b.booked_on - a.booked_on).days for a, b in zip(ts, ts[1:], strict=False)]
        out.append({"account": account, "counterparty": ts[0].counterparty, "label": label,
                    "category": ts[0].category, "count": len(ts),
                    "amount": money(amounts[0]) if len(amounts) == 1 else None,
                    "amount_min": money(amounts[0]), "amount_max": money(amounts[-1]),
                    "period_days": 30,
                    "median_gap_days": sorted(gaps)[len(gaps) // 2] if gaps else None})
    return out


def _spend(sim: Simulation) -> dict[str, dict[str, str]]:
    acc: dict[str, Counter] = defaultdict(Counter)
    for t in sim.txns:
        if t.cents < 0 and t.category != "transfer":
            acc[f"{t.booked_on:%Y-%m}"][t.category] -= t.cents
    return {m: {c: money(v) for c, v in sorted(acc[m].items())} for m in sorted(acc)}


def _top(sim: Simulation, n: int = 10) -> list[dict]:
    calls: Counter = Counter(_e164(x) for x in sim.calls.number)
    texts: Counter = Counter(_e164(x) for x in sim.sms.number)
    total = calls + texts
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"number": num, "calls": calls[num], "sms": texts[num], "total": tot}
            for num, tot in ranked]
