"""The numbers the energy report takes from data files, not from code: prices (the tariffs the
synthetic personas are billed with), emission factors, and reference households.

Each loader reads the file shipped in `selfdata_kit/data/` or an override path with the same
layout. `tariffs.toml` belongs to the synth package: it is read here, never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..shipped import settings


def _read(name: str, path: str | Path | None) -> dict[str, Any]:
    return settings(name, path)  # the shipped file, under the keys of a user's file


@dataclass(frozen=True)
class Price:
    """One offer of one commodity: €/kWh (peak and off-peak, equal for a single-rate offer),
    the monthly subscription, and the off-peak hours (local) when there are any."""

    commodity: str
    offer: str
    source: str
    price_peak: Decimal
    price_off_peak: Decimal
    subscription_per_month: Decimal
    off_peak_start_hour: float | None = None  # an interval STARTING in [start, end) is off-peak
    off_peak_end_hour: float | None = None

    @property
    def price(self) -> Decimal:
        """A single price per kWh: the base price, or HP/HC weighted 16 h / 8 h."""
        return (2 * self.price_peak + self.price_off_peak) / 3


def _hour(text: str) -> float:
    h, m = text.split(":")
    return int(h) + int(m) / 60


def load_prices(path: str | Path | None = None) -> dict[str, dict[str, Price]]:
    """{commodity: {offer key: Price}} from `tariffs.toml` (keys: base, hphc, heating)."""
    out: dict[str, dict[str, Price]] = {}
    for commodity, offers in _read("tariffs.toml", path).items():
        for key, o in offers.items():
            peak = Decimal(o.get("price_hp_eur_per_kwh", o.get("price_eur_per_kwh", "0")))
            off = Decimal(o.get("price_hc_eur_per_kwh", o.get("price_eur_per_kwh", "0")))
            out.setdefault(commodity, {})[key] = Price(
                commodity, o.get("offer", key), o.get("source", ""), peak, off,
                Decimal(o.get("subscription_eur_per_month", "0")),
                _hour(o["hc_start"]) if "hc_start" in o else None,
                _hour(o["hc_end"]) if "hc_end" in o else None)
    return out


DEFAULT_OFFERS = {"electricity": "base", "gas": "heating"}


def price_of(commodity: str, offer: str | None = None,
             path: str | Path | None = None) -> Price | None:
    """The price of `commodity` under `offer` (default: EDF Tarif Bleu Base, CRE gas)."""
    offers = load_prices(path).get(commodity, {})
    return offers.get(offer or DEFAULT_OFFERS.get(commodity, ""))


def load_emission_factors(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """{commodity: {value (kgCO2e/kWh), name, source, year, ...}}."""
    return _read("emission_factors.toml", path)


def load_reference_households(path: str | Path | None = None) -> pd.DataFrame:
    """One row per (commodity, heating, household_size) with `reference_kwh` per year."""
    doc = _read("reference_households.toml", path)
    rows = [(commodity, heating, int(size), float(kwh))
            for commodity, by_heating in doc.items() if isinstance(by_heating, dict)
            for heating, table in by_heating.items()
            for size, kwh in zip(table["sizes"], table["kwh"], strict=True)]
    return pd.DataFrame(rows, columns=["commodity", "heating", "household_size",
                                       "reference_kwh"])
