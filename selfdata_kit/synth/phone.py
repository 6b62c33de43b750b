"""Calls and text messages with the persona's contacts.

Counts per day are Poisson; who is on the line follows the contacts' weights (so the top
contacts are clear); night owls call late; durations are lognormal; some calls are missed or
rejected; a few unknown numbers call (canvassing), from the same fictional landline range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import days_in, local_to_epoch
from .persona import Persona
from .world import ARCHETYPES

BODIES = (
    "Ok ça marche", "Je suis en route", "Tu es dispo ce soir ?", "Bien arrivé(e) !",
    "Merci beaucoup", "On se voit demain ?", "J'arrive dans 10 min", "Bon anniversaire !!",
    "Tu peux m'appeler ?", "Super, à tout à l'heure", "Je te rappelle plus tard",
    "Pense à acheter du pain", "Bonne nuit", "C'est noté", "Haha oui", "Je suis en réunion",
    "On mange ensemble ?", "Le train a du retard", "Bisous", "D'accord, pas de souci",
)


@dataclass(frozen=True)
class Messages:
    at_ms: np.ndarray        # epoch milliseconds
    contact: np.ndarray      # index into persona.contacts; -1 = unknown number
    number: tuple[str, ...]  # as written in the export
    kind: np.ndarray         # calls: 1 in, 2 out, 3 missed, 5 rejected; sms: 1 in, 2 out
    duration: np.ndarray     # calls: seconds; sms: 0
    body: tuple[str, ...]    # sms text; calls: ""


def _times(p: Persona, rng: np.random.Generator, per_day: float) -> np.ndarray:
    n_days = days_in(p.year)
    counts = rng.poisson(per_day * rng.uniform(0.5, 1.5, n_days))
    day = np.repeat(np.arange(n_days), counts)
    if p.has("night_owl"):
        mean, sd, lo, hi = 19.5, 4.0, 9.5, 25.9   # until 2 am
    elif p.has("early_bird"):
        mean, sd, lo, hi = 12.0, 3.2, 7.5, 21.5
    else:
        mean, sd, lo, hi = 15.0, 3.6, 8.0, 23.2
    hour = rng.normal(mean, sd, len(day))
    outside = (hour < lo) | (hour > hi)
    hour[outside] = rng.uniform(lo, hi, int(outside.sum()))  # no pile-up at the bounds
    secs = (day * 86400 + hour * 3600).astype(np.int64)
    base = np.datetime64(f"{p.year}-01-01T00:00:00", "s")
    epoch = local_to_epoch(base + secs.astype("timedelta64[s]"))
    ms = epoch * 1000 + rng.integers(0, 1000, len(epoch))
    return np.sort(ms)


def calls(p: Persona, rng: np.random.Generator) -> Messages:
    at = _times(p, rng, ARCHETYPES[p.archetype].calls_per_day)
    n = len(at)
    weights = np.array([c.weight for c in p.contacts])
    who = rng.choice(len(p.contacts), n, p=weights / weights.sum())
    unknown = rng.random(n) < 0.04
    who = np.where(unknown, -1, who)
    kind = rng.choice([1, 2, 3, 5], n, p=[0.38, 0.45, 0.12, 0.05])
    kind = np.where(unknown, rng.choice([1, 3, 5], n, p=[0.3, 0.4, 0.3]), kind)
    answered = (kind == 1) | (kind == 2)
    duration = np.where(answered, np.minimum(np.round(rng.lognormal(4.3, 1.1, n)) + 1, 10800),
                        0).astype(np.int64)
    strangers = rng.integers(0, 10_000, n)
    number = tuple(p.contacts[w].written if w >= 0 else f"+3319900{s:04d}"
                   for w, s in zip(who.tolist(), strangers.tolist(), strict=True))
    return Messages(at, who, number, kind, duration, ("",) * n)


def sms(p: Persona, rng: np.random.Generator) -> Messages:
    at = _times(p, rng, ARCHETYPES[p.archetype].sms_per_day)
    n = len(at)
    weights = np.array([c.weight for c in p.contacts])
    who = rng.choice(len(p.contacts), n, p=weights / weights.sum())
    kind = rng.choice([1, 2], n)
    # The messaging app shows the sender as the network gives it: international format.
    number = tuple(p.contacts[w].number for w in who.tolist())
    body = tuple(BODIES[i] for i in rng.integers(0, len(BODIES), n).tolist())
    return Messages(at, who, number, kind, np.zeros(n, dtype=np.int64), body)
