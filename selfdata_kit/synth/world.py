"""The fictional world of the personas: cities, merchants, tariffs, subscriptions, archetypes.

Tables with a source live in `selfdata_kit/data/` (tariffs.toml, synth_world.toml); the archetypes
are written here because they are the generator's own design, not facts.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

import numpy as np


@dataclass(frozen=True)
class City:
    name: str
    postcode: str
    lat: float
    lon: float
    t_mean: float = 13.0   # annual mean of daily mean temperature, °C
    t_swing: float = 8.0   # half the January-July difference


@dataclass(frozen=True)
class Tariff:
    key: str                       # electricity.base | electricity.hphc | gas.heating
    supplier: str
    offer: str
    year: int
    source: str
    subscription: Decimal          # € per month
    price: Decimal | None = None   # € per kWh (Base, gas)
    price_hp: Decimal | None = None
    price_hc: Decimal | None = None
    hc_start: str | None = None    # "22:00", local time
    hc_end: str | None = None
    subscribed_kva: int | None = None  # electricity: the contract's power (the price's kVA)


@dataclass(frozen=True)
class Place:
    kind: str          # home | work | school | grocery | bakery | ... | lodging
    name: str
    address: str
    lat: float
    lon: float
    place_id: str
    label: str         # card payment label ("" where nobody pays)
    category: str
    basket_eur: float  # median card payment for one person
    town: int          # -1 = home town, else index into HOLIDAY_TOWNS


@dataclass(frozen=True)
class Subscription:
    group: str         # one offer per group and persona
    counterparty: str
    label: str
    eur: str
    category: str
    habit: str = ""    # taken by anyone with this habit


@dataclass(frozen=True)
class Archetype:
    name: str
    household: tuple[int, int]
    heating: str
    tariff: str                    # base | hphc
    car: bool
    occupation: str                # work | school | "" (at home)
    income_kind: str               # salary | pension | allowance
    income_counterparty: str
    income_label: str
    income_eur: tuple[float, float]
    income_days: tuple[int, int]
    rent_counterparty: str
    rent_label: str
    rent_eur: tuple[float, float]
    habits: tuple[str, ...]
    optional_habits: tuple[str, ...]
    subscriptions: tuple[str, ...]
    standby_watts: tuple[int, int]
    calls_per_day: float
    sms_per_day: float
    heat_loss_w_per_k: tuple[int, int] = (45, 80)   # electric heating or gas, whole home


_W = tomllib.loads(files("selfdata_kit").joinpath("data/synth_world.toml").read_text("utf-8"))
CITIES = tuple(City(**c) for c in _W["cities"])
HOLIDAY_TOWNS = tuple(City(**c) for c in _W["holiday_towns"])
STREETS = tuple(_W["streets"])
MERCHANTS = {m["kind"]: m for m in _W["merchants"]}

RELATIONS = ("Maman", "Papa", "Mamie", "Cabinet Dr Moreau")
FIRST_NAMES = ("Julie", "Thomas", "Camille", "Karim", "Sophie", "Lucas", "Emma", "Hugo",
               "Léa", "Nathan", "Chloé", "Yanis", "Manon", "Louis", "Inès", "Antoine",
               "Sarah", "Mehdi", "Clara", "Julien", "Pauline", "Maxime", "Amina", "Paul",
               "Zoé", "Théo", "Lina", "Bastien", "Nora", "Victor")

SUBSCRIPTIONS = (
    Subscription("phone", "FREE MOBILE", "PRLV SEPA FREE MOBILE", "19.99", "telecom"),
    Subscription("phone", "ORANGE", "PRLV SEPA ORANGE SA", "25.99", "telecom"),
    Subscription("phone", "SFR", "PRLV SEPA SFR", "15.99", "telecom"),
    Subscription("phone", "BOUYGUES TELECOM", "PRLV SEPA BOUYGUES TELECOM", "16.99", "telecom"),
    Subscription("internet", "FREE", "PRLV SEPA FREE TELECOM", "29.99", "telecom"),
    Subscription("internet", "ORANGE", "PRLV SEPA ORANGE INTERNET", "42.99", "telecom"),
    Subscription("internet", "BOUYGUES TELECOM", "PRLV SEPA BOUYGUES BBOX", "28.99", "telecom"),
    Subscription("insurance", "MAIF", "PRLV SEPA MAIF", "31.40", "insurance"),
    Subscription("insurance", "MACIF", "PRLV SEPA MACIF", "27.85", "insurance"),
    Subscription("video", "NETFLIX", "CB NETFLIX.COM", "13.49", "subscriptions", "cinephile"),
    Subscription("video", "DISNEY PLUS", "CB DISNEY PLUS", "9.99", "subscriptions", "cinephile"),
    Subscription("music", "SPOTIFY", "CB SPOTIFY", "11.12", "subscriptions", "music_lover"),
    Subscription("gym", "BASIC FIT", "PRLV SEPA BASIC FIT", "29.99", "subscriptions", "sporty"),
    Subscription("press", "LE MONDE", "PRLV SEPA LE MONDE", "9.99", "subscriptions", "reader"),
    Subscription("mutuelle", "HARMONIE MUTUELLE", "PRLV SEPA HARMONIE MUTUELLE", "89.50",
                 "health"),
)

_COMMON = ("phone", "internet", "insurance")
_SALARY = ("VIR SEPA RECU /DE ACME SAS", "ACME SAS")
ARCHETYPES = {a.name: a for a in (
    Archetype("student", (1, 1), "electric", "base", False, "school", "allowance",
              "PARENTS", "VIR SEPA RECU /DE PARENTS", (850, 1050), (1, 4),
              "CROUS", "PRLV SEPA CROUS LOYER", (280, 420), ("night_owl",),
              ("music_lover", "cinephile", "vegetarian", "spender"),
              ("phone", "insurance", "music"),
              (35, 70), 1.2, 4.0, (30, 50)),
    Archetype("young_professional", (1, 2), "electric", "base", False, "work", "salary",
              _SALARY[1], _SALARY[0], (2100, 2900), (27, 29),
              "FONCIA", "PRLV SEPA FONCIA LOYER", (650, 950), ("sporty",),
              ("cinephile", "music_lover", "saver", "spender", "vegetarian"),
              _COMMON + ("video", "gym"), (60, 110), 2.0, 3.0),
    Archetype("family_gas", (3, 5), "gas", "hphc", True, "work", "salary",
              _SALARY[1], _SALARY[0], (3400, 4600), (26, 29),
              "CREDIT IMMOBILIER", "PRLV SEPA ECHEANCE PRET IMMO", (900, 1300),
              ("saver",), ("cinephile", "sporty", "vegetarian"), _COMMON + ("video",),
              (110, 190), 2.2, 2.5, (220, 300)),
    Archetype("retiree_electric", (1, 2), "electric", "hphc", True, "", "pension",
              "CNAV", "VIR SEPA RECU /DE CNAV RETRAITE", (1600, 2300), (9, 10),
              "OPAC", "PRLV SEPA OPAC LOYER", (450, 650), ("early_bird", "homebody", "saver"),
              ("reader", "vegetarian"), _COMMON + ("mutuelle", "press"),
              (70, 130), 2.0, 0.8, (80, 120)),
    Archetype("night_owl", (1, 1), "electric", "base", False, "work", "salary",
              "STUDIO PIXEL", "VIR SEPA RECU /DE STUDIO PIXEL", (1800, 2600), (28, 31),
              "NEXITY", "PRLV SEPA NEXITY LOYER", (600, 850), ("night_owl", "spender"),
              ("music_lover", "cinephile", "vegetarian"), _COMMON + ("video", "music"),
              (80, 140), 1.8, 3.5),
    Archetype("traveller", (1, 2), "gas", "base", False, "work", "salary",
              "CONSULTIA", "VIR SEPA RECU /DE CONSULTIA", (3000, 4200),
              (25, 28), "CITYA", "PRLV SEPA CITYA LOYER", (900, 1300),
              ("traveller",), ("saver", "sporty", "music_lover"), _COMMON + ("music",),
              (50, 100), 2.2, 2.0, (90, 140)),
    Archetype("homebody_couple", (2, 2), "electric", "hphc", False, "work", "salary",
              "MAIRIE", "VIR SEPA RECU /DE MAIRIE", (2600, 3400), (26, 28),
              "IMMO DE FRANCE", "PRLV SEPA IMMO DE FRANCE", (750, 1000),
              ("homebody", "early_bird"), ("cinephile", "reader", "saver", "vegetarian"),
              _COMMON + ("video",), (90, 150), 1.8, 1.5),
)}


@cache
def load_tariffs() -> dict[str, Tariff]:
    raw = tomllib.loads(files("selfdata_kit").joinpath("data/tariffs.toml").read_text("utf-8"))
    out = {}
    for commodity, offers in raw.items():
        for name, t in offers.items():
            dec = {k: Decimal(v) for k, v in t.items() if k.endswith(("_kwh", "_month"))}
            out[f"{commodity}.{name}"] = Tariff(
                key=f"{commodity}.{name}", supplier=t["supplier"], offer=t["offer"],
                year=t["year"], source=t["source"], subscription=dec["subscription_eur_per_month"],
                price=dec.get("price_eur_per_kwh"), price_hp=dec.get("price_hp_eur_per_kwh"),
                price_hc=dec.get("price_hc_eur_per_kwh"), hc_start=t.get("hc_start"),
                hc_end=t.get("hc_end"), subscribed_kva=t.get("subscribed_kva"))
    return out


def make_places(rng: np.random.Generator, a: Archetype, city: City, habits: set[str],
                towns: list[int]) -> tuple[Place, ...]:
    kinds = ["grocery", "grocery", "bakery", "pharmacy", "shop", "shop",
             "restaurant", "restaurant", "restaurant"]
    if "vegetarian" in habits or rng.random() < 0.3:
        kinds.append("organic")
    if "vegetarian" not in habits:
        kinds.append("butcher")
    if a.car:
        kinds.append("fuel")
    if "sporty" in habits:
        kinds.append("gym")
    places = [_place(rng, "home", "Domicile", "", "", 0.0, city, -1, 2.5)]
    if a.occupation:
        name = "Université" if a.occupation == "school" else "Bureau"
        places.append(_place(rng, a.occupation, name, "", "", 0.0, city, -1, 7.0))
    used: dict[str, set[int]] = {}
    for kind in kinds:
        m = MERCHANTS[kind]
        free = [i for i in range(len(m["names"])) if i not in used.setdefault(kind, set())]
        i = free[int(rng.integers(len(free)))]
        used[kind].add(i)
        places.append(_place(rng, kind, m["names"][i], m["labels"][i], m["category"],
                             m["eur"], city, -1, 3.0))
    for t in towns:
        town = HOLIDAY_TOWNS[t]
        places.append(_place(rng, "lodging", f"Hôtel de la Plage {town.name}", "", "", 0.0,
                             town, t, 1.0))
        for kind in ("restaurant", "grocery"):
            m = MERCHANTS[kind]
            i = int(rng.integers(len(m["names"])))
            places.append(_place(rng, kind, m["names"][i], m["labels"][i], m["category"],
                                 m["eur"], town, t, 1.5))
    return tuple(places)


def _place(rng: np.random.Generator, kind: str, name: str, label: str, category: str,
           eur: float, city: City, town: int, km: float) -> Place:
    dy, dx = rng.uniform(-km, km, 2)
    lat = round(city.lat + dy / 111.2, 7)
    lon = round(city.lon + dx / (111.2 * math.cos(math.radians(city.lat))), 7)
    street = STREETS[int(rng.integers(len(STREETS)))]
    address = f"{int(rng.integers(1, 120))} {street}, {city.postcode} {city.name}"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    place_id = "ChIJ" + "".join(alphabet[i] for i in rng.integers(0, 64, 23))
    return Place(kind, name, address, lat, lon, place_id, label, category, eur, town)
