"""The bank sources added for issue 14 (MT940, Revolut, N26) claim their own fixtures and no
other file: not the other sources' fixtures, not the sample personas, not the conformance
files. Two sources claiming one file is an error, so detection must stay this precise."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.sources import all_sources
from selfdata_kit.sources.base import InputFile
from tests.conftest import CONFORMANCE, ROOT

# source name -> the prefix of its own fixtures' names
NEW = {"mt940": "mt940_", "revolut-csv": "revolut_", "n26-csv": "n26_"}
FILES = sorted(
    [p for p in (ROOT / "tests").rglob("*") if p.is_file() and "fixtures" in p.parts]
    + [p for p in (ROOT / "sample_data").rglob("*") if p.is_file()]
    + ([p for p in CONFORMANCE.rglob("*") if p.is_file()] if CONFORMANCE.is_dir() else []))


def _new_sources() -> list:
    return [s for s in all_sources() if s.name in NEW]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_new_sources_claim_only_their_own_fixtures(path: Path) -> None:
    inp = InputFile.from_path(path)
    claims = {s.name for s in _new_sources() if s.detect(inp)}
    own = {name for name, prefix in NEW.items()
           if path.name.startswith(prefix) or path.parent.name == prefix.rstrip("_")}
    assert claims == own
