"""Batch reports: `selfdata report --jobs 2` vs a plain loop of papermill CLI calls.

Generates N synthetic persons (default 20), imports them into one store, then in the same run:
1. baseline: one `papermill NOTEBOOK OUT -p store ... -p person ...` process per notebook,
   one after the other (what a user would script by hand);
2. `selfdata report --all --jobs 2` (local worker pool: warm kernels, HTML pages and index);
3. the same batch on a Dask LocalCluster of 2 worker processes (`--executor dask`).
Prints the wall times, the ratios (goal >= 10x), the load average around each step (the
machine may be shared), the size of the largest HTML page, and the extrapolation of the
local pool's time to 1,000 persons.

    python benchmarks/batch_reports.py                          # 20 persons x 4 reports
    python benchmarks/batch_reports.py --persons 100 --baseline none   # the 100-person figure
    python benchmarks/batch_reports.py --persons 5 --no-dask    # a quick look
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.ingest.files import import_paths  # noqa: E402
from selfdata_kit.store import open_store  # noqa: E402
from selfdata_kit.synth.cohort import generate  # noqa: E402

REPORTS = "spending,calls,energy,fun_facts"  # the four reports the issue measures


def load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def children_cpu() -> float:
    """CPU seconds of every finished child process and what it waited for (papermill's
    kernels, the workers' kernels): on a shared machine they move less than wall times."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reports", default=REPORTS, help=f"default {REPORTS}")
    parser.add_argument("--baseline", choices=("full", "none"), default="full",
                        help="run the papermill CLI loop (full) or not (none)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster run")
    args = parser.parse_args()
    reports = args.reports.split(",")
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate(args.persons, seed=2026, out=root / "cohort", year=2024, jobs=args.jobs,
                 segments=False)
        store = root / "store.duckdb"
        with open_store(store) as s:
            persons = sorted(p.name for p in (root / "cohort").iterdir())
            for person in persons:
                import_paths(s, [root / "cohort" / person], person)
        n = len(persons) * len(reports)
        print(f"{len(persons)} persons x {len(reports)} reports = {n} notebooks"
              f" (data ready in {time.perf_counter() - t0:.0f} s; {load()})")

        baseline = None
        if args.baseline == "full":
            (root / "baseline").mkdir()
            t0, cpu0 = time.perf_counter(), children_cpu()
            for person in persons:
                for report in reports:
                    subprocess.run(
                        [str(bin_dir / "papermill"),
                         str(ROOT / "notebooks" / f"{report}.ipynb"),
                         str(root / "baseline" / f"{person}-{report}.ipynb"), "-p", "store",
                         str(store), "-p", "person", person, "--cwd", str(ROOT / "notebooks"),
                         "--no-progress-bar", "--log-level", "ERROR"],
                        check=True, capture_output=True)
                    print(".", end="", flush=True)
            baseline = time.perf_counter() - t0
            baseline_cpu = children_cpu() - cpu0
            print(f"\npapermill CLI loop        : {baseline:7.1f} s  ({baseline / n:.2f}"
                  f" s/notebook, no HTML; CPU {baseline_cpu / n:.2f} s/notebook; {load()})")

        def ours(name: str, out: str, *extra: str) -> float:
            t0, cpu0 = time.perf_counter(), children_cpu()
            subprocess.run([str(bin_dir / "selfdata"), "report", "--all", "--store", str(store),
                            "--reports", args.reports, "--out", str(root / out),
                            "--jobs", str(args.jobs), *extra],
                           check=True, capture_output=True)
            took, cpu = time.perf_counter() - t0, children_cpu() - cpu0
            ratio = (f", {baseline / took:.1f}x faster, CPU {baseline_cpu / cpu:.1f}x less"
                     if baseline else "")
            print(f"{name:26s}: {took:7.1f} s  ({took / n:.2f} s/notebook, HTML and index"
                  f" included; CPU {cpu / n:.2f} s/notebook{ratio}; {load()})")
            return took

        local = ours(f"selfdata report --jobs {args.jobs}", "reports")
        if not args.no_dask:
            ours("same on Dask LocalCluster", "dask", "--executor", "dask")
        pages = sorted((root / "reports").rglob("*.html"), key=lambda p: p.stat().st_size)
        pages = [p for p in pages if p.name != "index.html"]
        print(f"HTML pages                : largest {pages[-1].stat().st_size / 1e3:.0f} KB"
              f" ({pages[-1].relative_to(root / 'reports')}), median"
              f" {pages[len(pages) // 2].stat().st_size / 1e3:.0f} KB")
        per_person = local / len(persons)
        print(f"1,000 persons x {len(reports)} (linear)  : {per_person * 1000 / 60:7.1f} min"
              f" at {per_person:.2f} s per person (goal < 45 min)")


if __name__ == "__main__":
    main()
