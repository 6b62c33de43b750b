"""`selfdata export --format parquet`: the canonical tables as Parquet, partitioned by table
and person, hive style (`transactions/person_id=p0001/data_0.parquet`), readable by DuckDB,
Spark or pandas (`pd.read_parquet("out/transactions")`). The store's pseudonymisation key
(`store_meta`) is never exported."""

from __future__ import annotations

from pathlib import Path

from .errors import SelfdataError
from .store import PERSON_TABLES, Store

EXPORTED = (*PERSON_TABLES, "imports")


def export_parquet(store: Store, out: Path, persons: list[str] | None = None) -> dict[str, int]:
    """Write every canonical table (only `persons` if given); returns rows per table."""
    _new_folder(out)
    counts: dict[str, int] = {}
    for table in EXPORTED:
        where = "WHERE list_contains($persons, person_id)" if persons else ""
        params = {"persons": persons} if persons else {}
        n = store.con.execute(f"SELECT count(*) FROM {table} {where}", params).fetchall()[0][0]
        counts[table] = n
        if n == 0:
            continue
        target = out / table
        store.con.execute(
            f"COPY (SELECT * FROM {table} {where} ORDER BY ALL) TO '{_sql_path(target)}'"
            " (FORMAT parquet, PARTITION_BY (person_id), COMPRESSION zstd)", params).fetchall()
    return counts


def _new_folder(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        raise SelfdataError("the output folder is not empty", file=str(out),
                            hint="choose a new folder: an export never mixes with an older one")
    out.mkdir(parents=True, exist_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")



def export_aggregates(store: Store, out: Path, k: int) -> list[str]:
    """Cohort aggregates only (k-suppressed, no person id): safe to share."""
    import json

    import pandas as pd

    from .analysis.cohort import aggregates

    _new_folder(out)
    result = aggregates(store.con, k)
    (out / "aggregates.json").write_text(json.dumps(result, indent=1, ensure_ascii=False,
                                                    default=str), encoding="utf-8")
    files = ["aggregates.json"]
    for name in ("coverage", "distributions"):
        pd.DataFrame(result[name]).to_csv(out / f"{name}.csv", index=False)
        files.append(f"{name}.csv")
    return files
