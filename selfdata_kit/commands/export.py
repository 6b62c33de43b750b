"""`selfdata export`: the canonical tables as Parquet (`store.export`), or only the cohort's
aggregates under disclosure control (`analysis.disclosure`), with no person id (safe to
share), as JSON and CSV."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ..analysis.cohort import aggregates
from ..analysis.disclosure import DOMINANCE_DEFAULT, K_DEFAULT, Rules
from ..errors import SelfdataError
from ..store import open_store
from ..store.export import export_parquet
from ..store.failures import output_failure


def run_export(store_path: Path | None, out: Path, *, aggregates_only: bool = False,
               k: int = K_DEFAULT, dominance: float = DOMINANCE_DEFAULT,
               persons: list[str] | None = None) -> int:
    if aggregates_only:
        Rules(k, dominance)  # a bad --k fails before a folder is made
    _new_folder(out)
    with open_store(store_path, read_only=True) as store, _writing(out):
        if aggregates_only:
            files = export_aggregates(store.con, out, k, dominance)
            print(f"aggregates (no person id; no cell over fewer than {k} persons nor one"
                  f" dominated above {dominance * 100:g} %, docs/privacy.md) in {out}:"
                  f" {', '.join(files)}")
            return 0
        counts = export_parquet(store.con, out, persons)
    print(", ".join(f"{table} {n}" for table, n in counts.items() if n) or "nothing to export")
    print(f"Parquet files in {out} (one folder per table, one per person inside)")
    return 0


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """DuckDB writes the Parquet files: a full disk there is the output's, not the store's."""
    try:
        yield
    except duckdb.Error as e:
        failure = output_failure(e, out)
        if failure is None:
            raise
        raise failure from None


def _new_folder(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise SelfdataError("the output folder is not empty", file=str(out),
                            hint="choose a new folder: an export never mixes with an older one")
    out.mkdir(parents=True, exist_ok=True)


def export_aggregates(con, out: Path, k: int = K_DEFAULT,
                      dominance: float = DOMINANCE_DEFAULT) -> list[str]:
    """Cohort aggregates only (disclosure-controlled as `selfdata cohort`, no person id) as
    JSON and CSV files in `out`."""
    result = aggregates(con, k, dominance=dominance)
    (out / "aggregates.json").write_text(json.dumps(result, indent=1, ensure_ascii=False,
                                                    default=str), encoding="utf-8")
    files = ["aggregates.json"]
    for name in ("coverage", "distributions"):
        pd.DataFrame(result[name]).to_csv(out / f"{name}.csv", index=False)
        files.append(f"{name}.csv")
    return files
