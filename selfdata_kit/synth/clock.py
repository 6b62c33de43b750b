"""Time for the simulation: the local calendar (Europe/Paris, DST), public holidays, the
30-minute grid of the load curve, and the weather.

Internally every instant is an int64 count of seconds since the epoch (UTC); local wall times
are converted once, in bulk, by pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

TZ = "Europe/Paris"


def default_year(today: dt.date | None = None) -> int:
    """The previous full calendar year: the most recent year a real export would cover whole."""
    return (today or dt.date.today()).year - 1


def easter(year: int) -> dt.date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    t = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * t) // 451
    month = (h + t - 7 * m + 114) // 31
    return dt.date(year, month, (h + t - 7 * m + 114) % 31 + 1)


def public_holidays(year: int) -> frozenset[dt.date]:
    e = easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [e + dt.timedelta(days=1), e + dt.timedelta(days=39), e + dt.timedelta(days=50)]
    return frozenset([dt.date(year, m, d) for m, d in fixed] + moving)


def local_to_epoch(naive: np.ndarray) -> np.ndarray:
    """Local wall times (datetime64[s], Europe/Paris) -> epoch seconds.

    Times in the skipped spring hour move forward to 03:00 (nobody lives in it); times in the
    repeated autumn hour are read as the first pass (summer time), which keeps them in order.
    """
    idx = pd.DatetimeIndex(naive.astype("datetime64[s]"))
    aware = idx.tz_localize(TZ, ambiguous=np.ones(len(idx), dtype=bool),
                            nonexistent="shift_forward")
    return aware.as_unit("s").asi8.copy()


@dataclass(frozen=True)
class Grid:
    """The load curve's 30-minute intervals over one local year (17,520 of them: the spring
    day has 46, the autumn day 50)."""
    start: np.ndarray        # epoch seconds of each interval's start
    hour: np.ndarray         # local hour of the start, float (13.5 = 13:30)
    day: np.ndarray          # local day of year, 0-based
    month: np.ndarray        # local month 1..12 of the start
    weekday: np.ndarray      # 0 = Monday
    end_text: tuple[str, ...]  # "2024-01-01T00:30:00+01:00": local END of the interval


@cache
def grid(year: int) -> Grid:
    first = int(pd.Timestamp(year, 1, 1, tz=TZ).timestamp())
    last = int(pd.Timestamp(year + 1, 1, 1, tz=TZ).timestamp())
    start = np.arange(first, last, 1800, dtype=np.int64)
    local = pd.DatetimeIndex(start * 10**9, tz="UTC").tz_convert(TZ)
    ends = pd.DatetimeIndex((start + 1800) * 10**9, tz="UTC").tz_convert(TZ)
    text = ends.strftime("%Y-%m-%dT%H:%M:%S%z")
    end_text = tuple(t[:-2] + ":" + t[-2:] for t in text)  # +0100 -> +01:00
    return Grid(start=start, hour=(local.hour + local.minute / 60).to_numpy(np.float64),
                day=(local.day_of_year - 1).to_numpy(np.int64),
                month=local.month.to_numpy(np.int64),
                weekday=local.day_of_week.to_numpy(np.int64), end_text=end_text)


def days_in(year: int) -> int:
    return (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days


def daily_temperature(rng: np.random.Generator, year: int, t_mean: float, t_swing: float
                      ) -> np.ndarray:
    """Daily mean outdoor temperature (°C): seasonal cosine (coldest around 19 January)
    plus a persistent weather anomaly (AR(1))."""
    n = days_in(year)
    doy = np.arange(n)
    season = t_mean - t_swing * np.cos(2 * np.pi * (doy - 19) / 365.25)
    shocks = rng.normal(0.0, 1.6, n)
    anomaly = np.empty(n)
    acc = 0.0
    for i in range(n):  # 366 steps: a loop is clearer than a filter here
        acc = 0.8 * acc + shocks[i]
        anomaly[i] = acc
    return season + anomaly
