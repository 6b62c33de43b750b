"""Reruns that follow the data, and page sizes (issue 13, items 2 and 3).

In one run:
1. `selfdata demo --out TMP` twice (the installed CLI, each in its own process): the first
   imports the three sample personas and renders 18 reports; the second imports the same
   files again (nothing new) and should render nothing. Prints both wall times and the ratio
   (goal: the second under a quarter of the first).
2. The size of every demo page as written (`--bundle shared`, the demo's mode) next to the
   same page inline (`--bundle inline`, the baseline: the same executed notebook through the
   same `notebook_to_html`). Goal: every shared page under 250 KB.

    python benchmarks/report_reruns.py                   # ~3-5 min on 2 cores
    python benchmarks/report_reruns.py --sizes-only DIR  # sizes of an existing demo folder
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.batch.html_page import INLINE, notebook_to_html  # noqa: E402

GOAL_RATIO, GOAL_PAGE = 0.25, 250_000


def demo(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "selfdata"), "demo", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def sizes(reports: Path) -> None:
    rows: dict[str, list[tuple[int, int]]] = {}
    for page in sorted(reports.glob("*/*.html")):
        inline = notebook_to_html(page.with_suffix(".ipynb"), page.stem, "fr", INLINE)
        rows.setdefault(page.stem, []).append((page.stat().st_size, len(inline.encode())))
    bundle = sum(p.stat().st_size for p in reports.glob("_assets/*.js"))
    print(f"\nshared bundle: {bundle / 1000:.0f} KB, once in {reports / '_assets'}")
    print(f"{'report':<12} {'shared KB (max)':>16} {'inline KB (max)':>16} {'ratio':>7}")
    every = [s for pairs in rows.values() for s in pairs]
    for report, pairs in [*rows.items(), ("all pages", every)]:
        shared = max(s for s, _ in pairs)
        inline = max(i for _, i in pairs)
        print(f"{report:<12} {shared / 1000:>16.0f} {inline / 1000:>16.0f}"
              f" {inline / shared:>6.1f}x")
    print(f"median page: shared {statistics.median(s for s, _ in every) / 1000:.0f} KB,"
          f" inline {statistics.median(i for _, i in every) / 1000:.0f} KB;"
          f" {len(every)} pages: shared {sum(s for s, _ in every) / 1e6 + bundle / 1e6:.1f} MB"
          f" with the bundle, inline {sum(i for _, i in every) / 1e6:.1f} MB")
    largest = max(s for s, _ in every)
    print(f"largest shared page {largest / 1000:.0f} KB: "
          f"{'OK' if largest < GOAL_PAGE else 'NOT MET'} (goal < {GOAL_PAGE / 1000:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-only", type=Path, metavar="DEMO_DIR",
                        help="only measure the pages of this demo folder")
    args = parser.parse_args()
    if args.sizes_only:
        sizes(args.sizes_only / "reports")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        first = demo(out)
        second = demo(out)
        print(f"make demo, first run:  {first:6.1f} s (import + 18 reports rendered)")
        print(f"make demo, second run: {second:6.1f} s (same files imported again)")
        print(f"ratio second / first:  {second / first:.2f} "
              f"({'OK' if second / first < GOAL_RATIO else 'NOT MET'}, goal < {GOAL_RATIO})")
        sizes(out / "reports")


if __name__ == "__main__":
    main()
