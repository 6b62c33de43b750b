"""The screen-safe policy: what a page shown to others (a projector, a workshop) may show.

One module for the reports (`Report.frame`, the calls key figures), the explorer
(`Explorer.rows`, its filter labels) and the workshop (whose reports are rendered screen-safe):

- every value of a sensitive column (a label, a merchant, a contact, a meter, a place name)
  becomes a stable placeholder, "Masqué 1" / "Masked 1", numbered in order of first
  appearance: the same value always gets the same number within a frame, two values never
  share one (`mask`, `placeholder`);
- coordinates (`lat`, `lon`) are rounded to 0.1°, about 10 km: the town, not the building
  (`coarsen`);
- a choice offered in a list is shown by its safe label (a pseudonym, a kind of meter), never
  by a name kept from the export or a meter number (`label`).

Which columns are sensitive is declared where the frames are made: `Section.sensitive` in each
topic (`reports/<topic>.py`), `analysis.explore.SENSITIVE` per explorer tab. `apply` is the
whole policy for a frame; callers apply it only in screen-safe mode.
"""

from __future__ import annotations

import pandas as pd

from ..i18n import t

COORDINATES = ("lat", "lon")  # coarsened wherever a frame holds them
PLACE_DECIMALS = 1  # 0.1° of latitude is about 11 km


def placeholder(number: int, lang: str) -> str:
    """What the `number`-th distinct masked value shows: "Masqué 3" / "Masked 3"."""
    return f"{t('common.masked', lang)} {number}"


def mask(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], lang: str) -> pd.DataFrame:
    """Replace each distinct value of `columns` by a stable placeholder ("Masked 3"), per
    column, in order of first appearance; missing values stay missing."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            codes = {v: placeholder(i, lang)
                     for i, v in enumerate(pd.unique(out[col].dropna()), 1)}
            out[col] = out[col].map(codes)
    return out


def coarsen(frame: pd.DataFrame) -> pd.DataFrame:
    """Round the coordinates of `frame` (any of `COORDINATES` it holds) to 0.1°."""
    present = [c for c in COORDINATES if c in frame.columns]
    if not present:
        return frame
    return frame.assign(**{c: pd.to_numeric(frame[c]).round(PLACE_DECIMALS) for c in present})


def apply(frame: pd.DataFrame, sensitive: tuple[str, ...] | list[str], lang: str
          ) -> pd.DataFrame:
    """The whole policy for a frame about to be shown: sensitive columns masked, places
    coarsened."""
    return coarsen(mask(frame, sensitive, lang))


def label(label: str, safe_label: str, screen_safe: bool) -> str:
    """The label of a choice (a filter option): the safe one in screen-safe mode."""
    return safe_label if screen_safe else label
