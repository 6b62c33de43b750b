"""Profile report notebooks end to end, the way one batch worker runs them (issue 13, item 1).

In this process: a warm kernel (as `selfdata report` workers keep), then for each report the
runner's own `_run_one`, with every phase timed (namespace reset, papermill execution and its
kernel round trips, each cell's kernel time, making the notebook deterministic, signing it,
the HTML export, the writes). With `--cprofile`, the kernel side runs under cProfile too and
the top functions by cumulative time are printed.

    python benchmarks/profile_report.py --store S.duckdb --persons p0001-x,p0002-y
    python benchmarks/profile_report.py --store S.duckdb --persons p0001-x --cprofile 25
"""

from __future__ import annotations

import argparse
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.batch import runner, warm_kernel  # noqa: E402

TIMES: dict[str, list[float]] = defaultdict(list)


def timed(owner: object, name: str, label: str) -> None:
    """Wrap `owner.name` so that each call adds its duration under `label`."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label].append(time.perf_counter() - t0)

    setattr(owner, name, wrapper)


def cell_times(nb: object) -> None:
    """Each cell's kernel time as papermill recorded it (before it is stripped)."""
    for i, cell in enumerate(nb.cells):
        duration = cell.metadata.get("papermill", {}).get("duration")
        if cell.cell_type == "code" and duration is not None:
            source = cell.source.splitlines()[-1][:40] if cell.source else ""
            TIMES[f"  cell {i:2d} {source}"].append(duration)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--persons", required=True, help="comma-separated person ids")
    parser.add_argument("--reports", default="spending,calls,energy,fun_facts")
    parser.add_argument("--rounds", type=int, default=1, help="times each job runs")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="profile the kernel side, print the top N functions")
    args = parser.parse_args()

    import papermill

    timed(runner, "_make_deterministic", "make deterministic (read, strip, write, sign)")
    timed(runner, "_trust", "  of which: sign (nbformat read + notary)")
    timed(runner, "notebook_to_html", "HTML export (nbconvert)")
    timed(warm_kernel, "reset_namespace", "namespace reset (round trip)")
    original_execute = papermill.execute_notebook

    def execute(*a, **kw):
        t0 = time.perf_counter()
        nb = original_execute(*a, **kw)
        TIMES["papermill.execute_notebook (total)"].append(time.perf_counter() - t0)
        cell_times(nb)
        return nb

    papermill.execute_notebook = execute

    t0 = time.perf_counter()
    warm_kernel.start()
    print(f"kernel start + preload: {time.perf_counter() - t0:.2f} s (once per worker)")
    if args.cprofile:
        warm_kernel._run("import cProfile, sys; sys._p = cProfile.Profile()")
    persons = args.persons.split(",")
    reports = args.reports.split(",")
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = runner.plan(args.store, persons, reports, "fr", False, Path(tmp))
        # a first round warms caches the way the first report of a worker does; not counted
        runner.run_one(jobs[0])
        TIMES.clear()
        if args.cprofile:
            warm_kernel._run("__import__('sys')._p.enable()")
        kernel = psutil.Process(warm_kernel._km.provisioner.process.pid)
        cpu0, kernel0 = time.process_time(), sum(kernel.cpu_times()[:2])
        for _ in range(args.rounds):
            for job in jobs:
                t0 = time.perf_counter()
                result = runner.run_one(job)
                walls.append(time.perf_counter() - t0)
                assert result.status == "done", result
        cpu = time.process_time() - cpu0
        kernel_cpu = sum(kernel.cpu_times()[:2]) - kernel0
        if args.cprofile:
            stats = Path(tmp) / "kernel.prof"
            warm_kernel._run("import sys\nsys._p.disable()\n"
                             f"sys._p.dump_stats({str(stats)!r})")
            kernel_stats = pstats.Stats(str(stats))
        sizes = [p.stat().st_size for p in Path(tmp).rglob("*.html")]
        nb_sizes = [p.stat().st_size for p in Path(tmp).rglob("*.ipynb")]
    warm_kernel.stop()
    n = len(walls)
    print(f"{n} reports ({len(persons)} persons x {reports}), {args.rounds} round(s)")
    print(f"per report: mean {statistics.mean(walls):.3f} s,"
          f" median {statistics.median(walls):.3f} s")
    # CPU seconds depend less on the other jobs of a shared machine than wall times do
    print(f"CPU per report: worker {cpu / n:.3f} s, kernel {kernel_cpu / n:.3f} s")
    print(f"{'phase (wall)':60s} {'s/report':>9s}")
    for label, values in TIMES.items():
        print(f"{label:60s} {sum(values) / n:9.3f}")
    print(f"HTML page: mean {statistics.mean(sizes) / 1e3:.0f} KB, "
          f"notebook: mean {statistics.mean(nb_sizes) / 1e3:.0f} KB")
    if args.cprofile:
        print("\nkernel side, by cumulative time:")
        kernel_stats.sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
