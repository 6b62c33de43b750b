"""Energy decisions from the electricity load curve: how much falls in the off-peak slots, what
the past year would have cost under each offer, and whether a lower subscribed power would do.

One SQL pass over the readings (`energy.group_day_parts`, shared with the energy report's
figures, so every analysis reads the same readings) gives, for every person of a group at
once, per local day and Tempo day, the kWh of the load curve split by the person's own
off-peak slots and the highest 30-min power; the pricing then works on those rows
column-wise (pandas), each day at the grid in force that day (a year spanning a price change
is priced piecewise). A person's decisions are the same code over a group of one.

Conventions:
- an interval belongs to a slot by its local START time (as Enedis and the bills count it);
- the window is the scope's period when it has one, else the last 12 months of load curve;
- a year of data is priced as it is; fewer days are priced, then scaled to 365 days (said in
  `days` and `scaled`); days without load curve are not guessed;
- the power of a 30-min step is its AVERAGE power: the real peak (a kettle for two minutes)
  is higher, so `max_power_kva` is a lower bound, and kW is read as kVA (power factor 1).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import energy
from .energy import LOAD_CURVE, group_day_parts
from .energy_contract import (
    KVA_STEPS,
    Contract,
    Offer,
    Slot,
    contract_for,
    contracts_for,
    load_offers,
    load_tempo_days,
    tempo_rule,
)
from .scope import Group, Scope, group_query

MAX_UNCERTAIN_SHARE = 0.2  # above this share of kWh at assumed prices, an offer is "uncertain"


def group_slot_days(con: duckdb.DuckDBPyConnection, group: Group,
                    offpeak: Mapping[str, tuple[Slot, ...]], parts: str | None = None
                    ) -> pd.DataFrame:
    """Per person of `offpeak`, local day and Tempo day (06:00 to 06:00): electricity kWh of
    the load curve, the kWh in the person's own `offpeak[person]` slots and in Tempo's
    22:00-06:00, and the highest 30-min power (W) with its local time: the load-curve rows of
    `energy.group_day_parts` (`parts`, built with the same `offpeak`), summed over meters."""
    if parts is None:
        with group_day_parts(con, group, offpeak) as parts:
            return group_slot_days(con, group, offpeak, parts)
    persons = pd.DataFrame({"person_id": pd.Series(list(offpeak), dtype=object)})
    name = f"slot_persons_{uuid.uuid4().hex}"
    con.register(name, persons)
    try:
        frame = group_query(con, f"""
            SELECT person_id, day, tempo_day, fsum(kwh) AS kwh,
                   fsum(kwh_offpeak) AS kwh_offpeak, fsum(kwh_tempo_hc) AS kwh_tempo_hc,
                   max(max_w) AS max_w, arg_max(max_at, max_w) AS max_at
            FROM {parts} SEMI JOIN {name} USING (person_id)
            WHERE commodity = 'electricity' AND grain = {LOAD_CURVE}
            GROUP BY person_id, day, tempo_day ORDER BY person_id, day, tempo_day""", group)
    finally:
        con.unregister(name)
    # Python strings: pandas maps persons to their window and power over the ~400 rows of
    # each person, ~10x faster than on Arrow strings
    return frame.assign(person_id=frame["person_id"].astype(object))


def slot_days(con: duckdb.DuckDBPyConnection, scope: Scope,
              offpeak: tuple[Slot, ...]) -> pd.DataFrame:
    """`group_slot_days` of the scope's one person."""
    return group_slot_days(con, Group.of(scope), {scope.person: offpeak})


def windows(frame: pd.DataFrame, group: Group) -> pd.DataFrame:
    """Per person with slot days: the window priced (`start`, `end`, Timestamps): the group's
    period when it has one, else the last 12 months of that person's data."""
    if frame.empty:
        return pd.DataFrame({"start": pd.Series(dtype="datetime64[us]"),
                             "end": pd.Series(dtype="datetime64[us]")})
    days = frame.groupby("person_id")["day"]
    last = days.max()
    end = pd.Series(pd.Timestamp(group.end), index=last.index) if group.end else last
    start = (pd.Series(pd.Timestamp(group.start), index=last.index) if group.start
             else np.maximum(days.min(), end - pd.DateOffset(years=1) + pd.Timedelta(days=1)))
    return pd.DataFrame({"start": start, "end": end})


def in_windows(frame: pd.DataFrame, wins: pd.DataFrame) -> pd.DataFrame:
    """The rows of `frame` within their person's window."""
    if frame.empty:
        return frame
    day = pd.to_datetime(frame["day"])
    keep = (day >= frame["person_id"].map(wins["start"])) & (
        day <= frame["person_id"].map(wins["end"]))
    return frame[keep].reset_index(drop=True)


def past_year(frame: pd.DataFrame, scope: Scope) -> tuple[pd.DataFrame, dt.date, dt.date]:
    """The rows of the window: the scope's period, else the last 12 months of data."""
    if frame.empty:
        return frame, scope.start or dt.date.min, scope.end or dt.date.max
    wins = windows(frame, Group.of(scope))
    return (in_windows(frame, wins), wins["start"].iloc[0].date(),
            wins["end"].iloc[0].date())


def offpeak_share(frame: pd.DataFrame) -> float | None:
    total = float(frame["kwh"].sum()) if len(frame) else 0.0
    return float(frame["kwh_offpeak"].sum()) / total if total > 0 else None


# --- pricing: every person of a frame under one offer, column-wise ----------------------------

def _per_day(days: pd.Series, value: Callable[[dt.date], object]) -> np.ndarray:
    """`value(day)` for each row, computed once per distinct day (a year has 365) and spread
    to the rows by their code: no Python call per row."""
    codes, uniques = pd.factorize(days)
    values = np.empty(len(uniques), dtype=object)
    values[:] = [value(d.date()) for d in pd.to_datetime(uniques)]
    return values[codes]


def _kwh_table(offer: Offer, slot: str) -> np.ndarray:
    """EUR/kWh of `slot` per grid (rows, as `offer.grids`) and power (columns, as `KVA_STEPS`);
    NaN where a grid has no such power."""
    table = np.full((len(offer.grids), len(KVA_STEPS)), np.nan)
    for i, g in enumerate(offer.grids):
        for k, eur in g.kwh[slot].items():
            table[i, KVA_STEPS.index(k)] = float(eur)
    return table


def _price_offer(offer: Offer, frame: pd.DataFrame, kva: pd.Series,
                 tempo_days: dict[dt.date, str], base: Offer | None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every person of `frame` (windowed slot days) under `offer` at their subscribed `kva`
    (person -> kVA): one row per person (totals) and one per person and slot (kWh, EUR)."""
    person_kva = frame["person_id"].map(kva)
    offered = set.intersection(*(set(g.subscription) for g in offer.grids))
    rows = frame[person_kva.isin(offered)].reset_index(drop=True)
    unavailable = pd.DataFrame({"person_id": frame.loc[~person_kva.isin(offered), "person_id"]
                                .unique()})
    unavailable["available"] = False
    gi = _per_day(rows["day"], lambda d: offer.grids.index(offer.grid_on(d)[0])).astype(int)
    in_force = _per_day(rows["day"], lambda d: offer.grid_on(d)[1]).astype(bool)
    # each row's column in the (grid x power) tables: a kWh price may depend on the power
    kva_pos = np.searchsorted(KVA_STEPS, rows["person_id"].map(kva).to_numpy(int))

    def price(slot: str) -> np.ndarray:
        return _kwh_table(offer, slot)[gi, kva_pos]

    kwh = rows["kwh"].to_numpy(float)
    parts: list[tuple[object, np.ndarray, np.ndarray]] = []  # (slot or Categorical, kWh, EUR)
    if offer.kind == "base":
        parts.append(("base", kwh, kwh * price("base")))
    elif offer.kind == "hphc":
        hc = rows["kwh_offpeak"].to_numpy(float)
        parts += [("hc", hc, hc * price("hc")), ("hp", kwh - hc, (kwh - hc) * price("hp"))]
    elif offer.kind == "weekend":
        weekend = pd.to_datetime(rows["day"]).dt.day_of_week.to_numpy() >= 5  # Saturday, Sunday
        parts.append((pd.Categorical.from_codes(weekend.astype(int), ["week", "weekend"]),
                      kwh, kwh * np.where(weekend, price("weekend"), price("week"))))
    else:  # tempo: the colour of the Tempo day (06:00 to 06:00)
        colour = _per_day(rows["tempo_day"], lambda d: tempo_days.get(d) or tempo_rule(d))
        unknown = pd.isna(colour)
        fallback = price("blue_hp")
        if base is not None:  # the Base price of that date at the person's power, if offered
            bgi = _per_day(rows["day"], lambda d: base.grids.index(base.grid_on(d)[0]))
            at_base = _kwh_table(base, "base")[bgi.astype(int), kva_pos]
            fallback = np.where(np.isnan(at_base), fallback, at_base)
        parts.append(("unknown_colour", np.where(unknown, kwh, np.nan),
                      np.where(unknown, kwh * fallback, np.nan)))
        hc = rows["kwh_tempo_hc"].to_numpy(float)
        for c in ("blue", "white", "red"):
            mine = colour == c
            parts += [(f"{c}_hc", np.where(mine, hc, np.nan),
                       np.where(mine, hc * price(f"{c}_hc"), np.nan)),
                      (f"{c}_hp", np.where(mine, kwh - hc, np.nan),
                       np.where(mine, (kwh - hc) * price(f"{c}_hp"), np.nan))]
    # sums per person (and slot) with np.bincount over integer codes: in row order, and
    # ~50x faster than grouping by the person's name on 700,000 rows
    pid, persons = pd.factorize(rows["person_id"])
    n = len(persons)
    names = list(dict.fromkeys(x for slot, _, _ in parts
                               for x in ([slot] if isinstance(slot, str) else slot.categories)))
    codes, kwhs, eurs = [], [], []
    for slot, k, e in parts:
        if isinstance(slot, str):
            code = np.full(len(k), names.index(slot))
        else:
            code = np.array([names.index(x) for x in slot.categories], dtype=int)[slot.codes]
        keep = ~np.isnan(k)
        codes.append(pid[keep] * len(names) + code[keep])
        kwhs.append(k[keep])
        eurs.append(e[keep])
    key = np.concatenate(codes) if codes else np.zeros(0, int)
    size = n * len(names)
    seen = np.bincount(key, minlength=size) > 0
    kwh_sum = np.bincount(key, weights=np.concatenate(kwhs) if kwhs else None, minlength=size)
    eur_sum = np.bincount(key, weights=np.concatenate(eurs) if eurs else None, minlength=size)
    cells = np.flatnonzero(seen)
    energy = pd.DataFrame({"person_id": np.asarray(persons, dtype=object)[cells // len(names)],
                           "slot": np.array(names, dtype=object)[cells % len(names)],
                           "kwh": kwh_sum[cells], "eur": eur_sum[cells]})

    # the subscription is paid per day of the month, at the grid in force that day
    day_code, _ = pd.factorize(rows["day"])
    first = ~pd.Series(pid * (day_code.max(initial=0) + 1) + day_code).duplicated().to_numpy()
    sub_table = np.full((len(offer.grids), len(KVA_STEPS)), np.nan)
    for i, g in enumerate(offer.grids):
        for k, eur in g.subscription.items():
            if k in KVA_STEPS:
                sub_table[i, KVA_STEPS.index(k)] = float(eur)
    month_days = pd.to_datetime(rows["day"]).dt.days_in_month.to_numpy(float)
    subscription = np.where(first, sub_table[gi, kva_pos] / month_days, 0.0)
    # each person's grid sources in the order their days meet them
    sources = [[] for _ in range(n)]
    for p, g in pd.DataFrame({"p": pid, "g": gi}).drop_duplicates().itertuples(index=False):
        source = offer.grids[g].source
        if source not in sources[p]:
            sources[p].append(source)
    per_person = kwh_sum.reshape(n, len(names)) if n else np.zeros((0, len(names)))
    totals = pd.DataFrame({
        "person_id": np.asarray(persons, dtype=object),
        "days": np.bincount(pid[first], minlength=n),
        "days_at_assumed_prices": np.bincount(pid[first & ~in_force], minlength=n),
        "subscription": np.bincount(pid, weights=subscription, minlength=n),
        "sources": sources,
        "energy_eur": eur_sum.reshape(n, len(names)).sum(axis=1) if n else np.zeros(0),
        "total_kwh": per_person.sum(axis=1)})
    if offer.kind == "tempo":
        t_code, _ = pd.factorize(rows["tempo_day"])
        days_unknown = np.unique(pid[unknown] * (t_code.max(initial=0) + 1) + t_code[unknown])
        totals["unknown_colour_days"] = np.bincount(
            days_unknown // (t_code.max(initial=0) + 1), minlength=n)
        unknown_kwh = per_person[:, names.index("unknown_colour")]
        totals["unknown_colour_kwh_share"] = pd.Series(unknown_kwh / np.where(
            totals["total_kwh"] != 0, totals["total_kwh"], 1.0)).where(totals["total_kwh"] != 0)
    totals["available"] = True
    totals = pd.concat([totals, unavailable], ignore_index=True)
    totals["key"] = offer.key
    energy["key"] = offer.key
    return totals, energy


def _costs(totals: pd.DataFrame) -> pd.DataFrame:
    """Cost over the window and over a year (fewer days scaled to 365) from the totals."""
    cost = totals["subscription"] + totals["energy_eur"]
    days = totals["days"]
    scale = np.where((days >= 365) | (days == 0), 1.0, 365 / days.where(days > 0, 1))
    return totals.assign(
        cost=cost, scaled=scale != 1.0,
        annual_cost=[round(float(c * s), 2) if a and d else None
                     for c, s, a, d in zip(cost, scale, totals["available"], days, strict=True)])


# --- every decision of a group of persons -----------------------------------------------------

def group_contracts(con: duckdb.DuckDBPyConnection, group: Group) -> dict[str, Contract]:
    """Each person of the group (in the store) -> their contract (`contracts_for`)."""
    persons = group_query(con, "SELECT person_id FROM persons WHERE "
                          "(CAST($persons AS VARCHAR[]) IS NULL OR list_contains("
                          "CAST($persons AS VARCHAR[]), person_id)) ORDER BY 1", group)
    return contracts_for(list(persons["person_id"]))


def group_decisions(con: duckdb.DuckDBPyConnection, group: Group,
                    contracts: Mapping[str, Contract] | None = None,
                    offers_path: str | Path | None = None,
                    parts: str | None = None) -> dict[str, object]:
    """Every person's decisions as frames: `contracts` (person -> Contract), `windows`,
    `frame` (windowed slot days), `offers` (one row per person and offer: costs, current,
    cheapest, uncertain), `energy` (per person, offer and slot) and the `offer_defs` used.
    `parts`: a `group_day_parts` table built with these contracts' off-peak slots."""
    if contracts is None:
        contracts = group_contracts(con, group)
    raw = group_slot_days(con, group, {p: c.offpeak for p, c in contracts.items()}, parts)
    wins = windows(raw, group)
    frame = in_windows(raw, wins)
    # the pricing works on integer person codes (`names[code]` is the person): pandas maps,
    # factorizes and rebuilds string columns several times per offer, ~5x slower on names
    names = np.asarray(list(contracts), dtype=object)
    code_of = {p: i for i, p in enumerate(names)}
    coded = frame.assign(person_id=frame["person_id"].map(code_of).astype("int64"))
    kva = pd.Series([c.subscribed_kva for c in contracts.values()], dtype=int)
    all_totals, all_energy, defs = [], [], {}
    # persons whose contracts name the same offers file and Tempo calendar are priced together
    setups: dict[tuple[object, object], list[str]] = {}
    for p, c in contracts.items():
        setups.setdefault((offers_path or c.offers_file, c.tempo_calendar), []).append(p)
    for (offers_file, calendar), persons in setups.items():
        offers = load_offers(offers_file)
        tempo_days = load_tempo_days(calendar)
        base = next((o for o in offers.values() if o.kind == "base"), None)
        rows = coded[coded["person_id"].isin([code_of[p] for p in persons])]
        for offer in offers.values():
            defs[(offers_file, offer.key)] = offer
            totals, energy = _price_offer(offer, rows, kva, tempo_days, base)
            all_totals.append(totals.assign(offers_file=str(offers_file)))
            all_energy.append(energy)
    offers = _costs(pd.concat(all_totals, ignore_index=True)) if all_totals else pd.DataFrame()
    energy = (pd.concat(all_energy, ignore_index=True) if all_energy
              else pd.DataFrame(columns=["person_id", "slot", "kwh", "eur", "key"]))
    for priced in (offers, energy):
        if len(priced):
            priced["person_id"] = names[priced["person_id"].to_numpy(int)]
    if not offers.empty:
        # an estimate mostly on assumed prices is listed, never marked cheapest
        share = offers.get("unknown_colour_kwh_share", pd.Series(np.nan, index=offers.index))
        offers["uncertain"] = share.fillna(0) > MAX_UNCERTAIN_SHARE
        offers["current"] = offers["key"] == offers["person_id"].map(
            {p: c.offer for p, c in contracts.items()})
        sure = offers["annual_cost"].where(~offers["uncertain"]).astype(float)
        lowest = sure.groupby(offers["person_id"]).transform("min")
        offers["cheapest"] = (~offers["uncertain"]) & (sure == lowest)
    return {"contracts": contracts, "windows": wins, "frame": frame, "offers": offers,
            "energy": energy, "offer_defs": defs}


def _step_down(kva: int, peak_kva: float, offer: Offer | None, end: dt.date) -> dict:
    """One step down from the subscribed power: does the peak fit, what would it save."""
    lower = max((s for s in KVA_STEPS if s < kva), default=None)
    step: dict = {"kva": lower, "fits": lower is not None and peak_kva < lower}
    if lower is not None and offer is not None:
        grid = offer.grid_on(end)[0]
        if lower in grid.subscription and kva in grid.subscription:
            step["saving_per_year"] = round(
                float(grid.subscription[kva] - grid.subscription[lower]) * 12, 2)
            step["source"] = grid.source
        else:
            step["saving_per_year"] = None  # the offer has no such power
    return step


def _peaks(frame: pd.DataFrame) -> pd.DataFrame:
    """Per person: the row of the highest 30-min power (the first one on a tie)."""
    known = frame.dropna(subset=["max_w"])
    return known.loc[known.groupby("person_id", sort=True)["max_w"].idxmax()].set_index(
        "person_id")


def max_power(frame: pd.DataFrame, contract: Contract, offer: Offer | None,
              end: dt.date) -> dict:
    """The highest 30-min average power (kW read as kVA: a lower bound of the real peak)
    against the subscribed power, and what one step down would save per year."""
    peaks = _peaks(frame) if len(frame) else pd.DataFrame()
    if peaks.empty:
        return {"max_power_kva": None, "subscribed_kva": contract.subscribed_kva}
    top = peaks.iloc[0]
    peak_kva = float(top["max_w"]) / 1000
    kva = contract.subscribed_kva
    return {"max_power_kva": round(peak_kva, 2), "max_power_at": str(top["max_at"]),
            "lower_bound": True, "step_minutes": 30, "subscribed_kva": kva,
            "headroom_kva": round(kva - peak_kva, 2),
            "step_down": _step_down(kva, peak_kva, offer, end)}


def _offer_json(offer: Offer, kva: int, row: pd.Series, energy: pd.DataFrame) -> dict:
    out: dict = {"key": offer.key, "name": offer.name, "supplier": offer.supplier,
                 "kind": offer.kind, "subscribed_kva": kva}
    if not row["available"]:
        out.update({"available": False, "annual_cost": None,
                    "reason": f"not offered at {kva} kVA"})
    else:
        slots = energy.sort_values("slot")
        out.update({
            "available": True, "annual_cost": row["annual_cost"],
            "cost_eur": round(float(row["cost"]), 2), "days": int(row["days"]),
            "scaled": bool(row["scaled"]),
            "breakdown": {"subscription_eur": round(float(row["subscription"]), 2),
                          "energy": {s: {"kwh": round(float(k), 3), "eur": round(float(e), 2)}
                                     for s, k, e in zip(slots["slot"], slots["kwh"],
                                                        slots["eur"], strict=True)}},
            "days_at_assumed_prices": int(row["days_at_assumed_prices"]),
            # the last day priced at a grid known to be in force: later days are assumed
            "prices_known_to": (str(offer.prices_known_to) if offer.prices_known_to
                                else None),
            "sources": list(row["sources"])})
        if offer.kind == "tempo":
            share = row["unknown_colour_kwh_share"]
            out["unknown_colour_days"] = int(row["unknown_colour_days"])
            out["unknown_colour_kwh_share"] = None if pd.isna(share) else round(float(share), 4)
    out.update({"uncertain": bool(row["uncertain"]), "current": bool(row["current"]),
                "cheapest": bool(row["cheapest"])})
    return out


def price_offer(offer: Offer, frame: pd.DataFrame, contract: Contract,
                tempo_days: dict[dt.date, str], base: Offer | None = None) -> dict:
    """The cost of one person's windowed slot days under `offer` at the contract's power,
    each day at the grid in force that day, with its breakdown and its uncertainty."""
    frame = frame if "person_id" in frame.columns else frame.assign(person_id="")
    person = frame["person_id"].iloc[0] if len(frame) else ""
    totals, energy = _price_offer(offer, frame, pd.Series({person: contract.subscribed_kva}),
                                  tempo_days, base)
    row = _costs(totals).iloc[0].copy()
    share = row.get("unknown_colour_kwh_share")
    row["uncertain"] = bool(share is not None and pd.notna(share)
                            and share > MAX_UNCERTAIN_SHARE)
    row["current"] = offer.key == contract.offer
    row["cheapest"] = False  # only known against the other offers: see `decisions`
    out = _offer_json(offer, contract.subscribed_kva, row, energy)
    del out["uncertain"], out["current"], out["cheapest"]
    return out


def decisions(con: duckdb.DuckDBPyConnection, scope: Scope, contract: Contract | None = None,
              offers_path: str | Path | None = None) -> dict:
    """Every energy decision figure of `scope`, JSON-ready (see `selfdata summary --json`):
    `group_decisions` of this one person, the cohort's code."""
    contract = contract or contract_for(scope.person)
    d = group_decisions(con, Group.of(scope), {scope.person: contract}, offers_path)
    frame = d["frame"]
    if frame.empty:
        start, end = scope.start or dt.date.min, scope.end or dt.date.max
    else:
        start, end = (d["windows"][c].iloc[0].date() for c in ("start", "end"))
    offers_file = offers_path or contract.offers_file
    priced = []
    if len(frame):
        for _, row in d["offers"].iterrows():  # the few offers of this one person
            offer = d["offer_defs"][(offers_file, row["key"])]
            priced.append(_offer_json(offer, contract.subscribed_kva, row,
                                      d["energy"][d["energy"]["key"] == row["key"]]))
    share = offpeak_share(frame)
    current = d["offer_defs"].get((offers_file, contract.offer))
    return {
        "window": {"start": str(start), "end": str(end), "days": int(frame["day"].nunique())
                   if len(frame) else 0},
        "contract": {"offer": contract.offer, "subscribed_kva": contract.subscribed_kva,
                     "offpeak": contract.offpeak_text, "source": contract.source},
        "offpeak_share": round(share, 4) if share is not None else None,
        "energy_offers": priced,
        **max_power(frame, contract, current, end),
    }


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group, parts: str | None = None,
                   contracts: Mapping[str, Contract] | None = None) -> pd.DataFrame:
    """One row per person of the group, one column per number of `decisions()` (named as the
    cohort flattens them: `offpeak_share`, `max_power_kva`, `step_down.saving_per_year` ...),
    and for the list of offers: `energy_offers.<key>.annual_cost` per offer,
    `energy_offers.current_annual_cost`, `energy_offers.cheapest_annual_cost` and
    `energy_offers.saving_per_year` (current minus cheapest). `parts` and `contracts`: as
    `group_decisions` takes them."""
    d = group_decisions(con, group, contracts, parts=parts)
    contracts: Mapping[str, Contract] = d["contracts"]
    frame, offers = d["frame"], d["offers"]
    out = pd.DataFrame(index=pd.Index(sorted(contracts), name="person_id"))
    kva = pd.Series({p: float(c.subscribed_kva) for p, c in contracts.items()})
    out["window.days"] = frame.groupby("person_id")["day"].nunique().reindex(
        out.index, fill_value=0).astype(float)
    out["contract.subscribed_kva"] = kva
    per = frame.groupby("person_id")
    total = per["kwh"].sum()
    share = (per["kwh_offpeak"].sum() / total).where(total > 0)
    out["offpeak_share"] = share.reindex(out.index).map(
        lambda v: v if pd.isna(v) else round(v, 4))
    peaks = _peaks(frame) if len(frame) else pd.DataFrame(columns=["max_w"])
    peak_kva = (peaks["max_w"] / 1000).reindex(out.index)
    out["max_power_kva"] = peak_kva.map(lambda v: v if pd.isna(v) else round(v, 2))
    out["step_minutes"] = np.where(peak_kva.notna(), 30.0, np.nan)
    out["subscribed_kva"] = kva
    out["headroom_kva"] = (kva - peak_kva).map(lambda v: v if pd.isna(v) else round(v, 2))
    lower = kva.map(lambda k: max((s for s in KVA_STEPS if s < k), default=np.nan))
    out["step_down.kva"] = lower.where(peak_kva.notna())
    # what one step down saves: the current offer's grid on the window's last day, computed
    # once per distinct (offer, day, power), not per person
    ends = d["windows"]["end"].reindex(out.index).map(lambda t: t if pd.isna(t) else t.date())
    keys = pd.DataFrame({"offer": [(contracts[p].offers_file, contracts[p].offer)
                                   for p in out.index], "end": ends, "kva": kva})
    saving = {}
    for offer_key, end, k in set(keys[peak_kva.notna()].itertuples(index=False, name=None)):
        step = _step_down(int(k), 0.0, d["offer_defs"].get(offer_key), end)
        saving[(offer_key, end, k)] = step.get("saving_per_year")
    out["step_down.saving_per_year"] = [
        saving.get(t) if has else None for t, has in zip(
            keys.itertuples(index=False, name=None), peak_kva.notna(), strict=True)]
    out["step_down.saving_per_year"] = out["step_down.saving_per_year"].astype(float)
    if not offers.empty:
        costs = offers.pivot_table(index="person_id", columns="key", values="annual_cost",
                                   aggfunc="first")
        for key in costs.columns:
            out[f"energy_offers.{key}.annual_cost"] = costs[key].reindex(out.index).astype(float)
        cost = offers["annual_cost"].astype(float)
        out["energy_offers.current_annual_cost"] = cost[offers["current"]].groupby(
            offers.loc[offers["current"], "person_id"]).first().reindex(out.index)
        out["energy_offers.cheapest_annual_cost"] = cost[offers["cheapest"]].groupby(
            offers.loc[offers["cheapest"], "person_id"]).first().reindex(out.index)
        out["energy_offers.saving_per_year"] = (out["energy_offers.current_annual_cost"]
                                                - out["energy_offers.cheapest_annual_cost"])
    return out.astype(float).reset_index()


def energy_cohort_figures(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """The energy report's numbers and its decisions' for every person of the group (what
    `analysis.figures.energy_figures` gives one person), from ONE pass over the readings."""
    contracts = group_contracts(con, group)
    with group_day_parts(con, group, {p: c.offpeak for p, c in contracts.items()}) as parts:
        return energy.cohort_figures(con, group, parts).merge(
            cohort_figures(con, group, parts, contracts), on="person_id", how="left")


def offers_frame(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The report's section: one row per available offer, its yearly cost, the person's
    current offer and the cheapest marked, and the share of the cost that is uncertain."""
    return offers_table(decisions(con, scope))


def offers_table(d: dict[str, object]) -> pd.DataFrame:
    """`offers_frame` from decisions already computed (the report asks for them twice)."""
    rows = [{"offer": p["name"], "annual_cost": p["annual_cost"], "current": p["current"],
             "cheapest": p["cheapest"],
             "uncertain_share": p.get("unknown_colour_kwh_share") or 0.0,
             "uncertain": p["uncertain"]}
            for p in d["energy_offers"] if p.get("annual_cost") is not None]
    return pd.DataFrame(rows, columns=["offer", "annual_cost", "current", "cheapest",
                                       "uncertain_share", "uncertain"])
