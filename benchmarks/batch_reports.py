"""Batch reports: `selfdata report --jobs 2` vs a plain loop of `papermill` CLI calls.

Generates N synthetic persons (default 20), imports them into one store, then in the same run:
1. baseline: one `papermill NOTEBOOK OUT -p store ... -p person ...` process per notebook,
   one after the other (what a user would script by hand);
2. `selfdata report --all --jobs 2` (warm kernels, HTML export and index included).
Prints both wall times, the ratio (goal >= 3x) and the size of the largest HTML file (goal
<= 3 MB).

    python benchmarks/batch_reports.py                 # 20 persons x 4 reports (~10 min)
    python benchmarks/batch_reports.py --persons 5     # a quick look
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.ingest.files import import_paths  # noqa: E402
from selfdata_kit.reports.notebook import TOPICS  # noqa: E402
from selfdata_kit.store import open_store  # noqa: E402
from selfdata_kit.synth.cohort import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(args.persons, seed=2026, out=root / "cohort", year=2024, jobs=args.jobs,
                 segments=False)
        store = root / "store.duckdb"
        with open_store(store) as s:
            persons = sorted(p.name for p in (root / "cohort").iterdir())
            for person in persons:
                import_paths(s, [root / "cohort" / person], person)
        n = len(persons) * len(TOPICS)
        print(f"{len(persons)} persons x {len(TOPICS)} reports = {n} notebooks")

        (root / "baseline").mkdir()
        t0 = time.perf_counter()
        for person in persons:
            for report in TOPICS:
                subprocess.run(
                    [str(bin_dir / "papermill"), str(ROOT / "notebooks" / f"{report}.ipynb"),
                     str(root / "baseline" / f"{person}-{report}.ipynb"), "-p", "store",
                     str(store), "-p", "person", person, "--cwd", str(ROOT / "notebooks"),
                     "--no-progress-bar", "--log-level", "ERROR"],
                    check=True, capture_output=True)
                print(".", end="", flush=True)
        baseline = time.perf_counter() - t0
        print(f"\npapermill CLI loop      : {baseline:7.1f} s  ({baseline / n:.2f} s/notebook)")

        t0 = time.perf_counter()
        subprocess.run([str(bin_dir / "selfdata"), "report", "--all", "--store", str(store),
                        "--out", str(root / "reports"), "--jobs", str(args.jobs)],
                       check=True, capture_output=True)
        ours = time.perf_counter() - t0
        print(f"selfdata report --jobs {args.jobs}: {ours:7.1f} s  ({ours / n:.2f} s/notebook,"
              " HTML and index included)")
        largest = max((root / "reports").rglob("*.html"), key=lambda p: p.stat().st_size)
        print(f"ratio                   : {baseline / ours:7.1f}x faster (goal >= 3x)")
        print(f"largest HTML            : {largest.stat().st_size / 1e6:.2f} MB"
              f" ({largest.relative_to(root / 'reports')}; goal <= 3 MB)")


if __name__ == "__main__":
    main()
