"""The wall's reading of a folder, on contributions made directly (fast; the end-to-end wall
of 12 synthetic participants is tests/donate/test_wall.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from selfdata_kit.analysis import cohort as c
from selfdata_kit.donate import contribution as contrib
from selfdata_kit.donate.spec import load_spec
from selfdata_kit.donate.wall import MAX_BYTES, aggregates, collect, metrics_frame

SPEC = load_spec()


def made(seed: int) -> dict:
    rng = random.Random(seed)
    return contrib.make(SPEC, SPEC.select({
        "calls.calls_per_week": rng.uniform(5, 40),
        "energy.annual_kwh.electricity": rng.uniform(1500, 9000),
        "fun_facts.cursors.saver_spender.position": rng.random()}))


def inbox(tmp_path: Path, contributions: list[dict]) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir(parents=True)
    for i, x in enumerate(contributions):
        (folder / f"{i:02d}.json").write_text(contrib.dumps(x), encoding="utf-8")
    return folder


def test_the_metrics_frame_has_the_cohort_columns() -> None:
    frame = metrics_frame([made(1), made(2)])
    assert list(frame.columns) == ["person_id", "calls.calls_per_week",
                                   "energy.annual_kwh.electricity",
                                   "fun_facts.cursors.saver_spender.position"]
    assert len(frame) == 2 and frame["person_id"].str.fullmatch("[0-9a-f]{32}").all()
    assert list(metrics_frame([]).columns) == ["person_id"]


def test_enough_contributions_show_figures_too_few_show_none(tmp_path: Path) -> None:
    many = collect(inbox(tmp_path / "many", [made(i) for i in range(12)]), SPEC, None)
    result = aggregates(many, SPEC, c.K_DEFAULT)
    assert result["contributions"] == 12
    assert all(not d["suppressed"] and d["n_persons"] == 12 for d in result["distributions"])
    few = collect(inbox(tmp_path / "few", [made(i) for i in range(c.K_DEFAULT - 1)]), SPEC, None)
    result = aggregates(few, SPEC, c.K_DEFAULT)
    assert result["contributions"] is None
    assert all(d["suppressed"] and d["median"] is None for d in result["distributions"])
    assert json.dumps(result)  # JSON types only


def test_bad_files_are_refused_by_name_and_duplicates_dropped(tmp_path: Path) -> None:
    good = [made(i) for i in range(3)]
    folder = inbox(tmp_path, good)
    again = dict(good[0], contribution_id=contrib.make(SPEC, {})["contribution_id"])
    (folder / "again.json").write_text(contrib.dumps(again), encoding="utf-8")  # new id
    (folder / "copy.json").write_text(contrib.dumps(good[1]), encoding="utf-8")  # same id
    added = dict(good[2], figures={**good[2]["figures"], "spending.total_in": 1000.0})
    (folder / "added.json").write_text(json.dumps(added), encoding="utf-8")
    (folder / "big.json").write_bytes(b" " * (MAX_BYTES + 1))
    (folder / "wall.html").write_text("<p>not one</p>", encoding="utf-8")
    (folder / ".hidden.json").write_text("{}", encoding="utf-8")
    found = collect(folder, SPEC, None)
    assert len(found.contributions) == 3
    assert sorted(found.duplicates) == ["again.json", "copy.json"]
    assert found.skipped == ["wall.html"]
    refused = {Path(e.file).name: e.message for e in found.refused}
    assert refused == {
        "added.json": "not a valid contribution: figure 'spending.total_in' is not declared"
                      " by the spec selfdata-workshop-wall",
        "big.json": f"too big for a contribution (over {MAX_BYTES:,} bytes)"}
