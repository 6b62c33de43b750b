"""Benchmark: the wall time of ONE `selfdata report --person bench --reports R` command, for
each report, on the ten-year person of `long_history.py` (20,000 bank lines and a sample
persona's calls, chats, energy, places and media), against a baseline in the same run
(issue 13, item 5: spending under 10 s, every other report under 5 s, on 2 cores).

The baseline is the same command either
- `--baseline spawn` (default): with SELFDATA_SPAWN_WORKERS=1, the job in a spawned worker
  that imports the runner, papermill and nbconvert again and starts its kernel only then
  (the path before this cut; the other cuts stay in);
- `--baseline-python PY`: run by another checkout's interpreter (e.g. the main branch's
  venv), everything before included.
Each command is a fresh process (imports included), `--force`d so that it renders; runs
alternate (now, baseline, now, ...) so that a busy machine weighs on both; the median of
`--rounds` is kept, and the ratio baseline / now.

    python benchmarks/one_report.py [--rows 20000] [--rounds 3] [--keep DIR]
    python benchmarks/one_report.py --baseline-python /path/to/main/.venv/bin/python
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.long_history import OTHERS, PERSON, build_store  # noqa: E402

REPORTS = ("spending", "calls", "energy", "fun_facts", "media", "year_review")
GOAL = {"spending": 10.0}  # seconds; every other report: 5


def command(python: str, store: Path, out: Path, reports: str, spawn: bool) -> float:
    """Seconds for one `selfdata report` command in its own process."""
    # cwd: not a checkout, whose package `-m` would import instead of the interpreter's
    env = {**os.environ, "SELFDATA_SPAWN_WORKERS": "1" if spawn else "0"}
    t0 = time.perf_counter()
    subprocess.run([python, "-m", "selfdata_kit.cli", "report", "--person", PERSON,
                    "--reports", reports, "--store", str(store), "--out", str(out),
                    "--lang", "en", "--force"], check=True, env=env,
                   cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reports", default=",".join(REPORTS))
    parser.add_argument("--baseline-python", metavar="PY",
                        help="the baseline: the same command with this interpreter (another"
                        " checkout) instead of this one with SELFDATA_SPAWN_WORKERS=1")
    parser.add_argument("--keep", type=Path,
                        help="the store folder: built there if missing, else reused")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        store = work / "store.duckdb"
        if not store.exists():
            build_store(work, args.rows, OTHERS)
        now_py = sys.executable
        base_py = args.baseline_python or sys.executable
        spawn = args.baseline_python is None
        label = f"baseline ({'spawned worker' if spawn else base_py})"
        print(f"{PERSON}: {args.rows:,} bank lines and {OTHERS}'s other exports;"
              f" load {os.getloadavg()[0]:.2f}; {args.rounds} round(s), medians")
        print(f"{'report':12s} {'now (s)':>8s} {label[:30]:>30s} {'ratio':>6s}  goal")
        reports = [*args.reports.split(","), ",".join(args.reports.split(","))]
        for reports_arg in reports:
            now, base = [], []
            for _ in range(args.rounds):
                now.append(command(now_py, store, work / "out-now", reports_arg, False))
                base.append(command(base_py, store, work / "out-base", reports_arg, spawn))
            n, b = statistics.median(now), statistics.median(base)
            name = reports_arg if "," not in reports_arg else "all in one"
            goal = GOAL.get(reports_arg, 5.0) if "," not in reports_arg else None
            verdict = "" if goal is None else f"< {goal:.0f} s {'yes' if n < goal else 'NO'}"
            print(f"{name:12s} {n:8.2f} {b:30.2f} {b / n:5.2f}x  {verdict}", flush=True)
        print(f"load at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
