"""`selfdata doctor [--person ID] [--json]`: what to check before trusting a report.

Text by default (one block per person: what each source covers, then each thing worth a
look, or "nothing to check"), JSON with --json. Exit code 0 either way: the checks are
advice, not failures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..analysis.doctor import checkup, load_thresholds
from ..errors import SelfdataError
from ..store import known_persons_hint, open_store

LIMIT = 10  # lines per check in the text output (--json has everything)


def run_doctor(store_path: Path | None, person: str | None, as_json: bool,
               thresholds: Path | None = None) -> int:
    th = load_thresholds(thresholds)
    with open_store(store_path, read_only=True) as store:
        known = store.person_ids()
        if person is not None and person not in known:
            raise SelfdataError(f"no person {person!r} in the store",
                                hint=known_persons_hint(known, person))
        checks = checkup(store.con, person, th)
    persons = [person] if person else known
    if as_json:
        out = {p: {name: _records(frame[frame["person_id"] == p].drop(columns="person_id"))
                   for name, frame in checks.items()} for p in persons}
        print(json.dumps(out, indent=1, ensure_ascii=False, default=str))
        return 0
    for p in persons:
        print(_text(p, {k: f[f["person_id"] == p] for k, f in checks.items()}, th))
    if not persons:
        print("no persons in the store yet: `selfdata import FILE --person ID` first")
    return 0


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.astype(object).where(frame.notna(), None)
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(v: object) -> object:
    if isinstance(v, pd.Timestamp):  # days as 2024-03-31, instants with their offset
        return v.date().isoformat() if v == v.normalize() and v.tzinfo is None \
            else v.isoformat()
    if hasattr(v, "tolist") and not isinstance(v, str):
        return list(v.tolist())
    return v


def _text(person: str, c: dict[str, pd.DataFrame], th: dict) -> str:
    lines = [f"== {person}"]
    if c["periods"].empty:
        lines.append("  no rows yet")
    for r in c["periods"].itertuples():
        lines.append(f"  {r.table} from {r.source}: {r.first:%Y-%m-%d} to {r.last:%Y-%m-%d},"
                     f" {r.rows} rows on {r.days} days")
    todo = 0

    def section(title: str, frame: pd.DataFrame, fmt) -> None:  # noqa: ANN001
        nonlocal todo
        if frame.empty:
            return
        todo += len(frame)
        lines.append(f"  ! {title} ({len(frame)}):")
        lines.extend(f"    {fmt(r)}" for r in frame.head(LIMIT).itertuples())
        if len(frame) > LIMIT:
            lines.append(f"    ... {len(frame) - LIMIT} more (--json for all)")

    section(f"gaps of more than {th['gap_days']} days without rows", c["gaps"],
            lambda r: f"{r.table} from {r.source}: {r.days} days between {r.after:%Y-%m-%d}"
            f" and {r.before:%Y-%m-%d}")
    section("months with unusually few rows", c["thin_months"],
            lambda r: f"{r.table} from {r.source}: {r.month:%Y-%m} has {r.rows} rows"
            f" (usually {r.usual:g})")
    section("files imported with rows rejected", c["rejected_rows"],
            lambda r: f"{r.path}: {r.rejected} row(s) (line(s) {r.lines or '?'});"
            " `selfdata imports --issues` says why")
    section("files skipped: no format recognised them", c["skipped_files"],
            lambda r: f"{r.path} ({r.reason})")
    section("suspected duplicates: same account, day and amount from different files",
            c["duplicate_suspects"],
            lambda r: f"account {r.account_id}, {r.booked_on:%Y-%m-%d}, {r.amount}:"
            f" {r.rows} rows from {', '.join(r.files)}")
    section("energy intervals read from two files", c["energy_overlaps"],
            lambda r: f"meter {r.meter_id}: {r.intervals} intervals from {', '.join(r.files)}")
    if not todo:
        lines.append("  nothing to check: no gaps, thin months, rejected rows, skipped files"
                     " or duplicates")
    return "\n".join(lines)
