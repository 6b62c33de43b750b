"""The places' fast path (UTC times parsed and formatted by NumPy) gives exactly what the
pandas path gives, and falls back to it, naming the record, on anything else."""

import json

import pandas as pd
import pytest

from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.places import _common, takeout_semantic


def _visit(start: object, end: object, place: str | None = "ChIJ1") -> dict:
    loc = {"latitudeE7": 448583733, "longitudeE7": -5841184, "name": "Boulangerie"}
    if place:
        loc["placeId"] = place
    return {"placeVisit": {"location": loc,
                           "duration": {"startTimestamp": start, "endTimestamp": end}}}


def _parse(tmp_path, objects: list[dict], monkeypatch: pytest.MonkeyPatch, slow: bool):
    path = tmp_path / "2024_APRIL.json"
    path.write_text(json.dumps({"timelineObjects": objects}, indent=1), encoding="utf-8")
    with monkeypatch.context() as m:
        if slow:
            m.setattr(_common, "_utc_times", lambda values: None)
            m.setattr(_common, "_stamps", lambda times: (
                times.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z").tolist())
        return takeout_semantic.parse(InputFile.from_path(path), ParseContext("p"))


GOOD = [_visit("2024-04-02T06:33:34.000Z", "2024-04-02T06:49:33.123Z"),
        _visit("2024-04-02T07:16:32Z", None, place=None),
        {"activitySegment": {"activityType": "WALKING", "duration": {
            "startTimestamp": "2024-04-02T08:00:00.5Z", "endTimestamp": "2024-04-02T08:10:00Z"}}}]


@pytest.mark.parametrize("extra", [
    [],
    [_visit("2024-02-30T06:33:34.000Z", "2024-04-02T06:49:33Z")],  # no such day
    [_visit("2024-04-02T06:33:34+02:00", "2024-04-02T09:49:33Z")],  # an offset
    [_visit("1712039614000", "1712040000000")],  # epoch milliseconds
    [_visit("2024-04-02T06:33:34Z", "")],  # an empty end
])
def test_fast_path_equals_pandas_path(tmp_path, monkeypatch, extra):
    fast = _parse(tmp_path, GOOD + extra, monkeypatch, slow=False)
    slow = _parse(tmp_path, GOOD + extra, monkeypatch, slow=True)
    pd.testing.assert_frame_equal(fast.tables["places"], slow.tables["places"], check_exact=True)
    assert [(e.line, e.message) for e in fast.errors] == [(e.line, e.message) for e in slow.errors]
    assert fast.tables["places"]["uid"].iloc[0] == "gplace:ChIJ1:2024-04-02T06:33:34.000Z"
