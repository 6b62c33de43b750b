"""`selfdata synth`: fictional personas written as real-format exports, with their truth."""

from __future__ import annotations

import sys
from pathlib import Path

from ..synth import generate
from ..synth.clock import default_year


def run_synth(persons: int, seed: int, out: Path, *, year: int | None = None, jobs: int = 1,
              segments: bool = True) -> int:
    if persons < 1 or jobs < 1:
        print("error: --persons and --jobs must be at least 1", file=sys.stderr)
        return 2
    year = year or default_year()
    generate(persons, seed, out, year=year, jobs=jobs, on_persona=print, segments=segments)
    print(f"{persons} persona(s) for {year} in {out}")
    return 0
