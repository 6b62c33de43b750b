"""Disclosure control for every figure a cohort publishes: the one place for the rules.

A published *cell* is one row of the cohort's tables (a metric over every person, a metric
within a group, a source in a month). The rules, explained with their sources in
docs/privacy.md:

1. threshold: a cell over fewer than `k` persons is suppressed (10 by default, never below 5);
2. dominance (1, 85 %): a cell publishing a sum or a mean (a mean times n is a sum) where one
   person holds more than 85 % of the total is suppressed; contributions are taken in absolute
   value, so a few negative ones cannot hide a dominant person;
3. secondary suppression: where cells partition a published total (the groups of a comparison
   and the persons left out of every group), the suppressed cells together must pass rules 1
   and 2, else the next smallest published cells are suppressed too, so that subtracting the
   published cells from the total reveals only a safe aggregate;
4. percentiles: p25, median and p75 need the threshold; p10 and p90 also need at least
   `TAIL_PERSONS` persons beyond them (n x 10 % >= 2, so 20 persons), otherwise they are close
   to the value of the one person at the end of the distribution.

A suppressed cell has every value blanked, its count included (a count under the threshold is
itself a small cell, and a count recovered by subtraction would undo rule 3), and says why:
`reason_code` (stable: threshold, dominance, secondary; `tails` for hidden p10/p90 in an
otherwise published cell) and `reason` (the same in plain English words).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..errors import SelfdataError

K_DEFAULT = 10
K_MIN = 5
DOMINANCE_DEFAULT = 0.85
TAIL_PERSONS = 2  # persons a published percentile needs beyond it on its side

# the helper columns a cell's frame carries for the rules, dropped before publishing
SUM_ABS, MAX_ABS = "_sum_abs", "_max_abs"
# the persons of a comparison who are in no group: a cell never published, always protected
REMAINDER = "\x00remainder"


@dataclass(frozen=True)
class Rules:
    """The thresholds of the rules above; check them with `Rules(k, dominance)`."""
    k: int = K_DEFAULT
    dominance: float = DOMINANCE_DEFAULT

    def __post_init__(self) -> None:
        check_k(self.k)
        if not 0.5 <= self.dominance < 1:
            raise SelfdataError(f"the dominance share must be at least 50 % and below 100 % (asked"
                                f" {self.dominance * 100:g} %)",
                                hint=f"the default is {DOMINANCE_DEFAULT * 100:g} %")

    def reason(self, code: str) -> str:
        """The plain-English reason for `code` (the report says it in French too)."""
        return {
            "threshold": f"fewer than {self.k} persons",
            "dominance": f"one person above {self.dominance * 100:g} % of the total",
            "secondary": "secondary: would reveal a suppressed cell",
            "tails": f"p10 and p90 need at least {tail_minimum(0.10)} persons",
        }[code]


def check_k(k: int) -> int:
    if not isinstance(k, int) or k < K_MIN:
        raise SelfdataError(f"k must be at least {K_MIN} (asked {k}): statistics offices"
                            " publish no cell over fewer persons",
                            hint=f"the default is {K_DEFAULT}; see docs/privacy.md")
    return k


def tail_minimum(q: float) -> int:
    """Persons a cell needs for percentile `q` to have TAIL_PERSONS persons beyond it."""
    return math.ceil(round(TAIL_PERSONS / min(q, 1 - q), 6))  # round: 2 / 0.1 is 20


def contributions(values: pd.core.groupby.SeriesGroupBy) -> pd.DataFrame:
    """Per cell: what the dominance rule needs (the total and the largest contribution, in
    absolute value)."""
    return pd.DataFrame({SUM_ABS: values.apply(lambda s: s.abs().sum()),
                         MAX_ABS: values.apply(lambda s: s.abs().max())})


def primary(n: int, sum_abs: float, max_abs: float, rules: Rules) -> str | None:
    """Why a cell of `n` persons fails rules 1 or 2 (None if it passes)."""
    if n < rules.k:
        return "threshold"
    if sum_abs > 0 and max_abs > rules.dominance * sum_abs:
        return "dominance"
    return None


def protect(frame: pd.DataFrame, rules: Rules, values: Sequence[str], *,
            family: Sequence[str] = (), cell: str | None = None,
            percentiles: dict[str, float] | None = None) -> pd.DataFrame:
    """Apply the rules to `frame`: one row per cell, with `n_persons` and, for cells that
    publish a sum or a mean, SUM_ABS and MAX_ABS.

    `cell`, when given, names the column whose values partition a published total within
    each `family` (e.g. cell "heating", family ["metric"]: the groups of one metric, whose
    total is that metric's row over every person); its value REMAINDER marks the persons in
    no group. Rule 3 runs within each family and REMAINDER rows are dropped.
    `percentiles`: value column -> quantile, for rule 4.
    Returns the frame with values blanked and `suppressed`, `reason_code`, `reason`."""
    out = frame.reset_index(drop=True)
    out["reason_code"] = [primary(int(n), *_contribution(row), rules)
                          for n, row in zip(out["n_persons"], out.to_dict("records"),
                                            strict=True)]
    if cell is not None:
        remainder = out[cell].eq(REMAINDER)
        families = out.groupby(list(family), sort=False) if family else [(None, out)]
        for _, cells in families:
            for index in _secondary(cells, remainder.loc[cells.index], cell, rules):
                out.loc[index, "reason_code"] = "secondary"
        out = out[~remainder]
    hidden = out["reason_code"].notna()
    for col in [*values, "n_persons"]:
        if col in out.columns:
            out[col] = out[col].astype("object").where(~hidden, None)
    for col, q in (percentiles or {}).items():
        few = ~hidden & (out["n_persons"].fillna(0) < tail_minimum(q))
        if col in out.columns and few.any():
            out[col] = out[col].where(~few, None)
            out.loc[few, "reason_code"] = "tails"
    out["suppressed"] = hidden
    # objects, so that a cell without a reason holds None (a text column would hold NaN)
    out["reason_code"] = pd.Series([c if isinstance(c, str) else None
                                    for c in out["reason_code"]], index=out.index, dtype=object)
    out["reason"] = pd.Series([rules.reason(c) if c else None for c in out["reason_code"]],
                              index=out.index, dtype=object)
    out = out.drop(columns=[c for c in (SUM_ABS, MAX_ABS) if c in out.columns])
    order = [c for c in out.columns if c not in ("suppressed", "reason_code", "reason")]
    return out[[*order, "suppressed", "reason_code", "reason"]].reset_index(drop=True)


def _contribution(row: dict) -> tuple[float, float]:
    """A cell's (total, largest) absolute contribution; (0, 0) for a count-only cell."""
    if SUM_ABS not in row:
        return 0.0, 0.0
    return float(row[SUM_ABS] or 0), float(row[MAX_ABS] or 0)


def _secondary(cells: pd.DataFrame, remainder: pd.Series, cell: str,
               rules: Rules) -> list[int]:
    """Rule 3 within one family of cells: the indexes to suppress as secondary. The remainder
    (persons in no group) is never published: it counts as suppressed."""
    hidden = set(cells.index[cells["reason_code"].notna() | remainder])
    added: list[int] = []
    while hidden and not _union_passes(cells.loc[sorted(hidden)], rules):
        shown = cells.drop(index=list(hidden))
        if shown.empty:
            break  # everything hidden: subtraction reveals nothing
        # the smallest published cell costs the least to hide (ties: by name, stable)
        index = shown.assign(_name=shown[cell].astype(str)).sort_values(
            ["n_persons", "_name"]).index[0]
        hidden.add(index)
        added.append(index)
    return added


def _union_passes(cells: pd.DataFrame, rules: Rules) -> bool:
    """Whether the aggregate of `cells` taken together (what subtraction from the total
    reveals) passes rules 1 and 2."""
    n = int(cells["n_persons"].sum())
    if SUM_ABS in cells:
        return primary(n, float(cells[SUM_ABS].sum()), float(cells[MAX_ABS].max()),
                       rules) is None
    return primary(n, 0.0, 0.0, rules) is None


def counts_by_reason(rows: Iterable[dict]) -> dict[str, int]:
    """How many published rows carry each reason code (suppressed or partly hidden)."""
    out: dict[str, int] = {}
    for row in rows:
        code = row.get("reason_code")
        if code:
            out[code] = out.get(code, 0) + 1
    return out
