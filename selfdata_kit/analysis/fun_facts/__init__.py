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

import bisect
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ...i18n import t
from ...shipped import settings
from ..scope import Group, Scope
from . import badges as badge_rules
from . import evidence as proof
from . import metrics
from .group import facts as group_facts
from .metrics import METRICS, Metric, scaled

CURSORS = tuple(METRICS)
_cohort_cache: dict[tuple, tuple[pd.DataFrame, dict[str, dict[str, float]]]] = {}


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The cut-offs and badge rules: the shipped file, under the keys of a user's file."""
    return _shipped() if path is None else settings("fun_facts.toml", path)


@cache
def _shipped() -> dict[str, Any]:  # read by every figure: one copy, never changed
    return settings("fun_facts.toml")


def percentile_rank(value: float, values: list[float]) -> float:
    """Where `value` sits among `values` (itself included): 0 = lowest, 1 = highest, ties share
    their mean rank, so equal metrics get equal positions and the order is kept."""
    below = sum(v < value for v in values)
    equal = sum(v == value for v in values)
    return (below + (equal - 1) / 2) / (len(values) - 1) if len(values) > 1 else 0.5


def _store_persons(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT person_id FROM persons ORDER BY 1").fetchall()]


def _store_facts(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None,
                 cfg: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Every person's facts over the period (`group.facts`, one set-based pass) and the
    yardstick {cursor: {person: raw metric}} of the persons with the evidence. Cached until
    the store changes: keyed by the store's file, not the connection, so that a batch
    worker's kernel, which opens the store again for each report, does not redo the whole
    cohort for every person."""
    stamp = con.execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports").fetchall()
    persons = _store_persons(con)
    key = (_store_file(con), tuple(stamp[0]), tuple(persons), start, end, repr(cfg))
    if key not in _cohort_cache:
        frame = group_facts(con, Group(None, start, end), cfg)
        values: dict[str, dict[str, float]] = {}
        for name in CURSORS:
            ok = frame[f"value.{name}"].notna() & (
                frame[f"evidence.{name}"] >= int(cfg["cursors"][name]["needs"]))
            values[name] = frame.loc[ok, f"value.{name}"].astype(float).to_dict()
        _cohort_cache.clear()  # one store and period at a time is all a notebook needs
        _cohort_cache[key] = (frame, values)
    return _cohort_cache[key]


def cohort_values(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: dict[str, Any]
                  ) -> dict[str, dict[str, float]]:
    """{cursor: {person: raw metric}} over every person of the store with the data and the
    evidence, for the scope's period (the cohort yardstick; cached, see `_store_facts`)."""
    return _store_facts(con, scope.start, scope.end, cfg)[1]


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


def table(con: duckdb.DuckDBPyConnection, group: Group, k: int | None = None,
          config: str | Path | None = None) -> pd.DataFrame:
    """One row per person of `group` in the store (index `person_id`): `group.facts` plus,
    per cursor, its `position.<cursor>` and `calibration.<cursor>`. With at least k persons
    in the store the facts come from the whole store's pass (the yardstick ranks them), so
    a person's report and the cohort read the same numbers."""
    cfg = _checked(load_config(config))
    k = max(2, int(k if k is not None else cfg["cohort"]["min_persons"]))
    store = _store_persons(con)
    wanted = store if group.persons is None else [p for p in store if p in group.persons]
    if len(store) >= k:
        frame, cohort = _store_facts(con, group.start, group.end, cfg)
        frame = frame.loc[wanted].copy()
    else:
        frame, cohort = group_facts(con, Group(tuple(wanted), group.start, group.end), cfg), {}
    for name in CURSORS:
        c = cfg["cursors"][name]
        others = cohort.get(name, {})
        ranked = sorted(others.values())
        positions, calibrations = [], []
        for person, value, have in zip(frame.index, frame[f"value.{name}"],
                                       frame[f"evidence.{name}"], strict=True):
            position, calibration = None, "defaults"
            if pd.isna(value) or have < int(c["needs"]):
                pass  # no claim without evidence
            elif len(others) >= k and person in others:
                below = bisect.bisect_left(ranked, others[person])
                equal = bisect.bisect_right(ranked, others[person]) - below
                position = (below + (equal - 1) / 2) / (len(ranked) - 1)  # percentile_rank
                calibration = f"cohort (n={len(others)})"
            else:
                position = scaled(value, [c["zero"], c["one"]])
            positions.append(position)
            calibrations.append(calibration)
        frame[f"position.{name}"] = pd.Series(positions, index=frame.index, dtype="float64")
        frame[f"calibration.{name}"] = calibrations
    return frame


def _checked(cfg: dict[str, Any]) -> dict[str, Any]:
    """`cfg` if every cursor and badge names a known evidence (else a ValueError)."""
    for rule in (*cfg["cursors"].values(), *cfg["badges"].values()):
        if rule["evidence"] not in proof.EVIDENCE:
            raise ValueError(f"unknown evidence {rule['evidence']!r} in the fun facts "
                             f"configuration; known: {', '.join(proof.EVIDENCE)}")
    return cfg


def facts_row(con: duckdb.DuckDBPyConnection, scope: Scope, k: int | None = None,
              config: str | Path | None = None) -> pd.Series | None:
    """The person's row of `table` (None: not in the store): the numbers `cursors` and
    `badges` read. A report computes it once and gives it to both (`row=`): it is the
    whole set-based pass, seconds on a ten-year history."""
    return table(con, Group.of(scope), k, config).iloc[0] if _store_has(con, scope) else None


NOT_GIVEN: Any = object()  # `row` not given: computed here


def _store_has(con: duckdb.DuckDBPyConnection, scope: Scope) -> bool:
    return bool(con.execute("SELECT count(*) FROM persons WHERE person_id = ?",
                            [scope.person]).fetchall()[0][0])


def cursors(con: duckdb.DuckDBPyConnection, scope: Scope, k: int | None = None,
            config: str | Path | None = None, row: pd.Series | None = NOT_GIVEN
            ) -> pd.DataFrame:
    """One row per cursor: `position` in [0, 1] (NaN with a `reason` when the source is
    missing, NaN too when `evidence` < `needed`: not enough data to say), the `evidence`
    counted (in `evidence_kind`, 0 when the metric has no value) and the count `needed`, the
    raw `value` and its `unit`, `calibration` ("cohort (n=12)" or "defaults"),
    the default cut-offs `zero` / `one`, and the `figures` behind it (a dict). The numbers
    are the set-based pass's (`table`), the `figures` the metric's own details."""
    cfg = load_config(config)
    row = facts_row(con, scope, k, config) if row is NOT_GIVEN else row
    rows = []
    for name, fn in METRICS.items():
        c = cfg["cursors"][name]
        m: Metric = fn(con, scope, cfg)
        value = None if row is None or pd.isna(row[f"value.{name}"]) else row[f"value.{name}"]
        rows.append({"cursor": name,
                     "position": None if row is None else row[f"position.{name}"],
                     "value": value,
                     "evidence": 0 if row is None else int(row[f"evidence.{name}"]),
                     "needed": int(c["needs"]), "evidence_kind": c["evidence"],
                     "metric": c["metric"], "unit": c["unit"],
                     "calibration": "defaults" if row is None else row[f"calibration.{name}"],
                     "zero": float(c["zero"]), "one": float(c["one"]),
                     "reason": m.reason if row is None else row[f"reason.{name}"],
                     "figures": m.figures})
    return pd.DataFrame(rows).astype({"position": "float64", "value": "float64"})


def badges(con: duckdb.DuckDBPyConnection, scope: Scope, config: str | Path | None = None,
           row: pd.Series | None = NOT_GIVEN) -> pd.DataFrame:
    """One row per badge: `earned` (the rule is met AND the badge has the evidence it needs:
    `have` >= `needed`, in `evidence_kind`), the `figure` the rule measured, its `threshold`,
    the badge's `shape` (an SVG path) and the `evidence` (the first row that earned it, or came
    closest; `badge_rows` gives them all). The numbers are the set-based pass's (`table`)."""
    cfg = load_config(config)
    row = facts_row(con, scope, None, config) if row is NOT_GIVEN else row
    out = []
    for name, fn in badge_rules.BADGES.items():
        rule = cfg["badges"][name]
        shape = svg_path(rule["shape"], name)
        b = fn(con, scope, cfg)
        threshold = next(float(v) for k, v in rule.items()
                         if k.startswith(("min_", "max_")))
        evidence = " · ".join(map(_plain, b.rows.iloc[0])) if not b.rows.empty else None
        figure = None if row is None else row[f"badge.{name}.figure"]
        out.append({"badge": name, "shape": shape,
                    "earned": False if row is None else bool(row[f"badge.{name}.earned"]),
                    "figure": None if figure is None or pd.isna(figure) else float(figure),
                    "threshold": threshold, "evidence": evidence,
                    "have": 0 if row is None else int(row[f"badge.{name}.have"]),
                    "needed": int(rule["needs"]), "evidence_kind": rule["evidence"]})
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


def _json(row: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """One person's row of `table` (as a dict) as the report's JSON figures."""
    numbers: dict[str, Any] = {"month": row.get("month.month")}

    def add(figure: str) -> None:
        value = row.get(f"month.{figure}")
        if value is not None and not pd.isna(value):
            numbers[figure] = round(float(value), 2)
            category = row.get(f"month.{figure}_category")
            if isinstance(category, str):
                numbers[f"{figure}_category"] = category

    for figure in ("km_travelled", "places_visited", "calls", "sms", "phone_minutes",
                   *sorted(c.removeprefix("month.") for c in row
                           if c.startswith("month.kwh_")),
                   "money_spent", "top_category", "biggest_expense"):
        add(figure)
    if len(numbers) == 1 or not isinstance(numbers["month"], str):
        numbers = {"month": None}  # a month without any figure shows nothing
    return {
        "cursors": {c: {"position": _num(row[f"position.{c}"]),
                        "evidence": int(row[f"evidence.{c}"]),
                        "needed": int(cfg["cursors"][c]["needs"])} for c in CURSORS},
        "calibration": {c: row[f"calibration.{c}"] for c in CURSORS},
        "values": {c: _num(row[f"value.{c}"]) for c in CURSORS},
        "reasons": {c: t(f"fun_facts.reason.{row[f'reason.{c}']}", "en")
                    if isinstance(row[f"reason.{c}"], str) else None for c in CURSORS},
        "badges": [b for b in badge_rules.BADGES if bool(row[f"badge.{b}.earned"])],
        "month_in_numbers": numbers,
    }


def figures(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """JSON-ready: each cursor as {"position": float or null, "evidence": int, "needed": int}
    (position null exactly when evidence < needed; a missing source counts 0 and has a
    reason), with its calibration, raw value and reason (English), the badge
    ids earned, and this month in numbers. Money figures are floats
    rounded to cents (summed exactly as DECIMAL in DuckDB first). The numbers are
    `cohort_figures`' pass over a group of one: the cohort reads the same row."""
    frame = table(con, Group.of(scope))
    if frame.empty:  # not in the store: no data at all
        return _json(_empty_row(), load_config())
    return _json(frame.iloc[0].to_dict(), load_config())


def _empty_row() -> dict[str, Any]:
    cfg = load_config()
    row: dict[str, Any] = {}
    for c in CURSORS:
        row.update({f"position.{c}": None, f"evidence.{c}": 0, f"value.{c}": None,
                    f"calibration.{c}": "defaults", f"reason.{c}": None})
    row.update({f"badge.{b}.earned": False for b in cfg["badges"]})
    return row


def cohort_figures(con: duckdb.DuckDBPyConnection, group: Group) -> pd.DataFrame:
    """One row per person of the group in the store, one float column per numeric figure of
    `figures()` (named as `cohort._flatten` names them: `cursors.saver_spender.position`,
    `values.quiet_chatterbox`, `month_in_numbers.money_spent` ...), plus `badges.<id>` (1.0
    earned, 0.0 not) for the list of badges. Each row IS that person's `figures()`,
    flattened: the same pass (`table`) and the same JSON."""
    cfg = load_config()
    frame = table(con, group)
    rows = []
    for person, row in frame.to_dict("index").items():  # dicts: 10x cheaper than rows
        flat: dict[str, Any] = {"person_id": person}
        _flat_numbers("", _json(row, cfg), flat)
        flat.update({f"badges.{b}": float(bool(row[f"badge.{b}.earned"]))
                     for b in badge_rules.BADGES})
        rows.append(flat)
    out = pd.DataFrame(rows, columns=None if rows else ["person_id"])
    return out.astype({c: "float64" for c in out.columns if c != "person_id"}).astype(
        {"person_id": object}).reset_index(drop=True)


def _flat_numbers(prefix: str, value: object, out: dict[str, Any]) -> None:
    """`cohort._flatten` (numbers only, strings that read as numbers too), keys joined by
    dots without the report's name."""
    if isinstance(value, dict):
        for k, v in value.items():
            _flat_numbers(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        out[prefix] = float(value)
    elif isinstance(value, str):
        try:
            out[prefix] = float(value)
        except ValueError:
            return
