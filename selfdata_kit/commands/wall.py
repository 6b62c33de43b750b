"""`selfdata workshop wall --contributions DIR`: the group wall from contributions, not from
raw exports. Refused files are named on stderr with their reason; the wall is written from
the sound ones, and the exit status is 1 when any was refused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..analysis import cohort as c
from ..donate.sealing import read_identity
from ..donate.spec import load_spec
from ..donate.wall import aggregates, collect, write_wall


def run_wall(contributions: Path, out: Path, *, key: Path | None = None,
             spec_file: Path | None = None, k: int = c.K_DEFAULT, lang: str = "fr") -> int:
    c.check_k(k)
    spec = load_spec(spec_file)
    identity = read_identity(key) if key else None
    collected = collect(contributions, spec, identity)
    for error in collected.refused:
        print(f"refused: {error}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    (out / "aggregates.json").write_text(
        json.dumps(aggregates(collected, spec, k), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    wall = write_wall(collected, spec, k, lang, out)
    n = len(collected.contributions)
    print(f"{n} contribution(s) kept, {len(collected.duplicates)} duplicate(s) dropped,"
          f" {len(collected.refused)} refused"
          + (f", {len(collected.skipped)} other file(s) skipped" if collected.skipped else ""))
    if n < k:
        print(f"fewer than {k} contributions: every figure on the wall is suppressed")
    print(f"group wall: {wall.resolve()}")
    return 1 if collected.refused else 0
