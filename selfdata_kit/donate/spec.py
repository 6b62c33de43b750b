"""The contribution spec: which figures may leave a participant's machine, over which period,
rounded how (`data/contribution_spec.toml`, replaceable with `--spec FILE`).

A spec names metrics by their cohort names (`analysis.cohort.person_metrics` columns). A `*`
in a metric stands for one name of the package's own vocabulary (shipped categories, fun-fact
cursors, energy commodities), never for a name a participant or an export wrote: a category
made with `selfdata categorize` stays home, even as a column name.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import SelfdataError

SHIPPED = "contribution_spec.toml"
UNITS = ("eur", "kwh", "watts", "per_week", "share", "position")
COMMODITIES = ("electricity", "gas", "water")  # the `meters.commodity` values (DESIGN.md)
OTHER_CATEGORY = "other"  # analysis.categories.OTHER: what no rule matched


@cache
def vocabulary() -> frozenset[str]:
    """Every name a `*` may stand for: the shipped categories, cursors and commodities."""
    data = resources.files("selfdata_kit.data")
    text = "".join(line for line in data.joinpath("categories.csv").read_text("utf-8")
                   .splitlines(keepends=True) if not line.startswith("#"))
    categories = {row["category"] for row in csv.DictReader(io.StringIO(text))}
    cursors = tomllib.loads(data.joinpath("fun_facts.toml").read_text("utf-8"))["cursors"]
    return frozenset({*categories, OTHER_CATEGORY, *cursors, *COMMODITIES})


@dataclass(frozen=True)
class Figure:
    """One declared figure: a metric pattern, its rounding step, its unit and plain words."""

    metric: str
    step: float
    unit: str
    about: dict[str, str]

    def match(self, column: str) -> str | None:
        """The name `*` stands for in `column` ("" without a `*`), or None: no match."""
        want, got = self.metric.split("."), column.split(".")
        if len(want) != len(got):
            return None
        name = ""
        for w, g in zip(want, got, strict=True):
            if w == "*":
                if g not in vocabulary():
                    return None
                name = g
            elif w != g:
                return None
        return name

    def rounded(self, value: float) -> float:
        """`value` to the nearest multiple of `step`, without float noise (0.30000000000000004)."""
        decimals = max(0, -math.floor(math.log10(self.step))) if self.step < 1 else 0
        out = round(round(value / self.step) * self.step, decimals)
        return float(out) + 0.0  # -0.0 -> 0.0


@dataclass(frozen=True)
class Spec:
    name: str
    version: int
    start: date | None
    end: date | None
    figures: tuple[Figure, ...]
    source: str  # where it was read from, for messages

    @property
    def period(self) -> str:
        """"all", or "START/END" (ISO dates, either end may be open: "..")."""
        if self.start is None and self.end is None:
            return "all"
        return f"{self.start or '..'}/{self.end or '..'}"

    def figure_of(self, column: str) -> tuple[Figure, str] | None:
        """The declared figure `column` belongs to and the name its `*` stands for."""
        for figure in self.figures:
            name = figure.match(column)
            if name is not None:
                return figure, name
        return None

    def select(self, metrics: dict[str, object]) -> dict[str, float]:
        """The declared figures of one person's flattened metrics, rounded; missing, empty and
        non-numeric values are left out (nothing to say is nothing sent)."""
        out: dict[str, float] = {}
        for column in sorted(metrics):
            found = self.figure_of(column)
            value = metrics[column]
            if found is None or value is None or isinstance(value, bool):
                continue
            try:
                number = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            if math.isfinite(number):
                out[column] = found[0].rounded(number)
        return out


def load_spec(path: Path | None = None) -> Spec:
    """The spec at `path`, or the shipped one."""
    if path is None:
        text = resources.files("selfdata_kit.data").joinpath(SHIPPED).read_text("utf-8")
        source = SHIPPED
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise SelfdataError(f"cannot read the contribution spec ({type(e).__name__})",
                                file=source) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SelfdataError(f"not a valid TOML contribution spec: {e}", file=source) from None
    return _parse(raw, source)


def _parse(raw: dict, source: str) -> Spec:
    def bad(what: str) -> SelfdataError:
        return SelfdataError(f"contribution spec: {what}", file=source,
                             hint=f"see the shipped one, selfdata_kit/data/{SHIPPED}")

    name, version = raw.get("name"), raw.get("version")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", name):
        raise bad("expected name = \"...\" (letters, digits, - _ . only)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("expected version = a whole number from 1")
    period = raw.get("period", "all" if "start" not in raw and "end" not in raw else None)
    if period not in ("all", None):
        raise bad('expected period = "all", or start = YYYY-MM-DD and end = YYYY-MM-DD')
    start, end = raw.get("start"), raw.get("end")
    for value in (start, end):
        if value is not None and not isinstance(value, date):
            raise bad("start and end are dates written YYYY-MM-DD, without quotes")
    figures = []
    for i, entry in enumerate(raw.get("figures", []), 1):
        metric, step, unit = entry.get("metric"), entry.get("step", 1), entry.get("unit")
        about = entry.get("about", {})
        if not isinstance(metric, str) or not re.fullmatch(r"[a-z0-9_]+(\.([a-z0-9_]+|\*))+",
                                                            metric):
            raise bad(f"figure {i}: expected metric = \"topic.figure\" (a `*` for one name)")
        if isinstance(step, bool) or not isinstance(step, int | float) or step <= 0:
            raise bad(f"figure {i} ({metric}): expected step = a number above 0")
        if unit not in UNITS:
            raise bad(f"figure {i} ({metric}): expected unit = one of {', '.join(UNITS)}")
        if not (isinstance(about, dict) and all(isinstance(about.get(lang), str)
                                                for lang in ("fr", "en"))):
            raise bad(f"figure {i} ({metric}): expected about.fr and about.en (plain words)")
        figures.append(Figure(metric, float(step), unit, {"fr": about["fr"], "en": about["en"]}))
    if not figures:
        raise bad("expected at least one [[figures]] entry")
    return Spec(name, version, start, end, tuple(figures), source)
