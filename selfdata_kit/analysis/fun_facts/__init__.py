"""Fun facts, in the spirit of the MesInfos monthly magazine: "this month you were rather a
homebody or a globetrotter, rather quiet or a chatterbox". Playful, but every fact is explained
and comes with the rows behind it.

Six cursors each place a raw metric (`metrics.py`) between two ends. With at least k
persons holding the source in the store (`cohort.min_persons`, never below 2) the position is
the person's percentile rank among them: the cohort is the yardstick. Otherwise it comes from
the documented defaults of `data/fun_facts.toml`. Evidence first (`evidence.py`): a cursor
without the evidence it declares there has no position, a badge without it is not earned, and
the cohort yardstick only holds persons with the evidence. Badges (`badges.py`) and "this month
in numbers" (`month.py`) complete the page.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ...i18n import t
from ..scope import Scope
from . import badges as badge_rules
from . import evidence as proof
from . import metrics
from .metrics import METRICS, Metric, scaled
from .month import month_in_numbers

CURSORS = tuple(METRICS)
_cohort_cache: dict[tuple, dict[str, dict[str, float]]] = {}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The cut-offs and badge rules: the shipped file, or the user's file of the same layout."""
    if path is None:
        return _shipped()
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


@cache
def _shipped() -> dict[str, Any]:
    return tomllib.loads((resources.files("selfdata_kit.data") / "fun_facts.toml")
                         .read_text(encoding="utf-8"))


def percentile_rank(value: float, values: list[float]) -> float:
    """Where `value` sits among `values` (itself included): 0 = lowest, 1 = highest, ties share
    their mean rank, so equal metrics get equal positions and the order is kept."""
    below = sum(v < value for v in values)
    equal = sum(v == value for v in values)
    return (below + (equal - 1) / 2) / (len(values) - 1) if len(values) > 1 else 0.5


def _person_scope(con: duckdb.DuckDBPyConnection, scope: Scope, person: str) -> Scope:
    tz = con.execute("SELECT timezone FROM persons WHERE person_id = ?", [person]).fetchall()
    return Scope(person, scope.start, scope.end, tz[0][0] or "Europe/Paris")


def cohort_values(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
                  ) -> dict[str, dict[str, float]]:
    """{cursor: {person: raw metric}} over every person of the store with the data, for the
    scope's period. Cached until the store changes (one pass per store and period): keyed by
    the store's file, not the connection, so that a batch worker's kernel, which opens the
    store again for each report, does not redo the whole cohort for every person."""
    stamp = con.execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports").fetchall()
    persons = [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]
    key = (_store_file(con), tuple(stamp[0]), tuple(persons), scope.start, scope.end, repr(cfg))
    if key not in _cohort_cache:
        out: dict[str, dict[str, float]] = {name: {} for name in CURSORS}
        for person in persons:
            ps = _person_scope(con, scope, person)
            for name, fn in METRICS.items():
                m = fn(con, ps, cfg)
                have, needed = proof.count(con, ps, cfg, cfg["cursors"][name])
                if m.value is not None and have >= needed:
                    out[name][person] = m.value
        _cohort_cache.clear()  # one store and period at a time is all a notebook needs
        _cohort_cache[key] = out
    return _cohort_cache[key]


def _store_file(con: duckdb.DuckDBPyConnection) -> object:
    """The store's file and its last change, write-ahead log included (any write moves
    one of them); the connection itself for an in-memory database."""
    path = con.execute("SELECT path FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchall()[0][0]
    if not path:
        return id(con)
    files = (Path(path), Path(f"{path}.wal"))
    return (str(files[0].resolve()),
            *((f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else None for f in files))


def cursors(con: duckdb.DuckDBPyConnection, scope: Scope, k: int | None = None,
            config: str | Path | None = None) -> pd.DataFrame:
    """One row per cursor: `position` in [0, 1] (NaN with a `reason` when the source is
    missing, NaN too when `evidence` < `needed`: not enough data to say), the `evidence`
    counted (in `evidence_kind`, 0 when the metric has no value) and the count `needed`, the
    raw `value` and its `unit`, `calibration` ("cohort (n=12)" or "defaults"),
    the default cut-offs `zero` / `one`, and the `figures` behind it (a dict)."""
    cfg = load_config(config)
    k = max(2, int(k if k is not None else cfg["cohort"]["min_persons"]))
    n_persons = con.execute("SELECT count(*) FROM persons").fetchall()[0][0]
    cohort = cohort_values(con, scope, cfg) if n_persons >= k else {}
    rows = []
    for name, fn in METRICS.items():
        c = cfg["cursors"][name]
        m: Metric = fn(con, scope, cfg)
        have, needed = proof.count(con, scope, cfg, c)
        if m.value is None:
            have = 0  # rows the metric cannot use (no home found ...) are no evidence
        others = cohort.get(name, {})
        position, calibration = None, "defaults"
        if m.value is None or have < needed:
            pass  # no claim without evidence
        elif len(others) >= k and scope.person in others:
            # rank the cohort pass's own value: parallel float sums may differ in the last bit
            position = percentile_rank(others[scope.person], list(others.values()))
            calibration = f"cohort (n={len(others)})"
        else:
            position = scaled(m.value, [c["zero"], c["one"]])
        rows.append({"cursor": name, "position": position, "value": m.value,
                     "evidence": have, "needed": needed, "evidence_kind": c["evidence"],
                     "metric": c["metric"], "unit": c["unit"], "calibration": calibration,
                     "zero": float(c["zero"]), "one": float(c["one"]), "reason": m.reason,
                     "figures": m.figures})
    return pd.DataFrame(rows).astype({"position": "float64", "value": "float64"})


def badges(con: duckdb.DuckDBPyConnection, scope: Scope, config: str | Path | None = None
           ) -> pd.DataFrame:
    """One row per badge: `earned` (the rule is met AND the badge has the evidence it needs:
    `have` >= `needed`, in `evidence_kind`), the `figure` the rule measured, its `threshold`,
    the badge's `shape` (an SVG path) and the `evidence` (the first row that earned it, or came
    closest; `badge_rows` gives them all)."""
    cfg = load_config(config)
    out = []
    for name, fn in badge_rules.BADGES.items():
        rule = cfg["badges"][name]
        b = fn(con, scope, cfg)
        have, needed = proof.count(con, scope, cfg, rule)
        threshold = next(float(v) for k, v in rule.items()
                         if k.startswith(("min_", "max_")))
        evidence = " · ".join(map(_plain, b.rows.iloc[0])) if not b.rows.empty else None
        out.append({"badge": name, "shape": svg_path(rule["shape"], name),
                    "earned": b.earned and have >= needed,
                    "figure": b.figure, "threshold": threshold, "evidence": evidence,
                    "have": have, "needed": needed, "evidence_kind": rule["evidence"]})
    return pd.DataFrame(out).astype({"figure": "float64"})


_SVG_PATH = re.compile(r"[MLHVCSQTAZmlhvcsqtaz0-9.,\s-]+")


def svg_path(path: str, badge: str) -> str:
    """A badge's SVG path data, checked: path commands and numbers only, so that a user's
    configuration file cannot put markup (or a character needing a font) in a page."""
    if not isinstance(path, str) or not _SVG_PATH.fullmatch(path.strip()):
        raise ValueError(f"badge {badge!r}: `shape` must be SVG path data (commands and "
                         "numbers only)")
    return path.strip()


def _plain(value: object) -> str:
    """A cell as short text: dates without time, numbers with one decimal."""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def badge_rows(con: duckdb.DuckDBPyConnection, scope: Scope, name: str,
               config: str | Path | None = None) -> pd.DataFrame:
    """The rows behind one badge (the days, calls, towns, merchants, months it counted)."""
    return badge_rules.BADGES[name](con, scope, load_config(config)).rows


def week_rhythm(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Share of each source's activity per local hour of the day (calls and texts, visits
    started, active electricity half-hours): when is this person's day busy?"""
    bins = metrics.activity_hours(con, scope, load_config())
    if bins.empty:
        return pd.DataFrame(columns=["source", "hour", "share", "events"])
    bins = bins.assign(hour=(bins["hour"].astype(int)) % 24)
    frame = bins.groupby(["source", "hour"], as_index=False)["events"].sum()
    frame["share"] = frame["events"] / frame.groupby("source")["events"].transform("sum")
    return frame


# --- the report's figures, JSON-ready ----------------------------------------------

def _num(value: float) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """JSON-ready: each cursor as {"position": float or null, "evidence": int, "needed": int}
    (position null exactly when evidence < needed; a missing source counts 0 and has a
    reason), with its calibration, raw value and reason (English), the badge
    ids earned, and this month in numbers. Money figures are floats
    rounded to cents (summed exactly as DECIMAL in DuckDB first)."""
    cur, bad, month = cursors(con, scope), badges(con, scope), month_in_numbers(con, scope)
    numbers: dict[str, Any] = {"month": month["month"].iloc[0] if len(month) else None}
    for r in month.itertuples():
        numbers[r.figure] = round(r.value, 2)
        if isinstance(r.category, str):
            numbers[f"{r.figure}_category"] = r.category
    return {
        "cursors": {r.cursor: {"position": _num(r.position), "evidence": int(r.evidence),
                               "needed": int(r.needed)} for r in cur.itertuples()},
        "calibration": {r.cursor: r.calibration for r in cur.itertuples()},
        "values": {r.cursor: _num(r.value) for r in cur.itertuples()},
        "reasons": {r.cursor: t(f"fun_facts.reason.{r.reason}", "en")
                    if isinstance(r.reason, str) else None
                    for r in cur.itertuples()},
        "badges": [str(b) for b in bad.loc[bad["earned"], "badge"]],
        "month_in_numbers": numbers,
    }
