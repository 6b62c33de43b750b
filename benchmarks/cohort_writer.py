"""The cohort import's writer alone: N persons' files parsed once, then written into two
fresh stores (same pseudonymisation key), batched (the default) and file by file (the
previous path, `--batch 0`); CPU and wall seconds of each, and a check that both stores hold
the same rows. Parsing is left out: this is the part the batches change.

    python benchmarks/cohort_writer.py --cohort /work/bench/c1000 --persons 20
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfdata_kit.ingest import cohort  # noqa: E402
from selfdata_kit.store import open_store  # noqa: E402
from tests.ingest.store_diff import store_differences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", type=Path, required=True, help="a cohort folder (read only)")
    parser.add_argument("--persons", type=int, default=20)
    args = parser.parse_args()
    folders = cohort.person_folders(args.cohort)[: args.persons]
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.duckdb"
        open_store(empty).close()
        with open_store(empty, read_only=True) as s:
            key = s.hmac_key
        prepared = [(f.name, cohort.prepare_person(str(f), f.name, key, {})) for f in folders]
        seconds = {}
        for batched in (True, False):
            path = Path(tmp) / f"{'batched' if batched else 'files'}.duckdb"
            shutil.copy(empty, path)
            with open_store(path) as store:
                c0, t0 = time.process_time(), time.perf_counter()
                cohort._write(store, prepared, batched=batched, log_unknown=True)
                seconds[batched] = (time.process_time() - c0, time.perf_counter() - t0)
            name = "batched     " if batched else "file by file"
            print(f"{name}: CPU {seconds[batched][0]:6.1f} s"
                  f"  wall {seconds[batched][1]:6.1f} s  for {len(prepared)} persons", flush=True)
        same = store_differences(Path(tmp) / "batched.duckdb", Path(tmp) / "files.duckdb")
        print(f"ratio file by file / batched: CPU {seconds[False][0] / seconds[True][0]:.1f}x,"
              f" wall {seconds[False][1] / seconds[True][1]:.1f}x; same store: {same == {}}")


if __name__ == "__main__":
    main()
