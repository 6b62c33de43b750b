"""`selfdata cohort --parquet DIR`: the cohort's aggregates from the Parquet export, by the
same SQL over DuckDB views of the hive-partitioned files, print the very JSON the store
gives; and the command's disclosure options fail early and clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfdata_kit.analysis.cohort import aggregates, load_groups
from selfdata_kit.cli import main
from selfdata_kit.store import open_store
from selfdata_kit.store.parquet import parquet_connection
from tests.conftest import SAMPLES, copy_store


def _groups(path: Path, persons: list[str]) -> Path:
    path.write_text("person_id,half\n" + "".join(
        f"{p},{'a' if i % 2 else 'b'}\n" for i, p in enumerate(persons)), encoding="utf-8")
    return path


def _rounded(value: object) -> object:
    """`value` with every float to 6 significant digits."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _json(result: dict) -> str:
    return json.dumps(result, indent=1, ensure_ascii=False, default=str)


@pytest.mark.slow  # every person's key figures, twice
def test_cohort_parquet_gives_the_store_json(world_store, tmp_path, capsys) -> None:
    # the cohort's persons only: as a researcher's store of testers
    cohort = [p for p in world_store.truths if p not in SAMPLES]
    store = copy_store(world_store.path, tmp_path / "cohort.duckdb", keep=cohort)
    out = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--store", str(store),
                 "--out", str(out)]) == 0
    # hive partitioned by person: what any engine reading hive Parquet expects
    assert sorted(p.name for p in (out / "persons").iterdir()) == [
        f"person_id={p}" for p in sorted(cohort)]
    groups = _groups(tmp_path / "persons.csv", sorted(cohort))
    capsys.readouterr()
    args = ["cohort", "--k", "5", "--groups", str(groups), "--by", "half", "--json"]
    assert main([*args, "--store", str(store)]) == 0
    from_store = capsys.readouterr().out
    assert main([*args, "--parquet", str(out)]) == 0
    from_parquet = capsys.readouterr().out
    # the same cells, the same suppressions and reasons, the same figures; a figure may
    # differ in its last digits only: DuckDB's threads may add a store's DOUBLEs (kWh) in
    # another order from one run to the next, on the store itself too (the next test pins
    # the order and gets the very same text)
    assert _rounded(json.loads(from_parquet)) == _rounded(json.loads(from_store))
    result = json.loads(from_store)
    # so that the comparison can fail: figures of every kind were published
    assert result["persons"] == len(cohort) == 6
    assert any(row["median"] for row in result["distributions"] if not row["suppressed"])
    assert any(not row["suppressed"] for row in result["coverage"])
    assert result["groups"] and all(row["suppressed"] for row in result["groups"])  # 3 and 3


@pytest.mark.slow  # every person's key figures, twice
def test_in_the_same_order_the_json_is_exactly_the_same(world_store, tmp_path) -> None:
    """Samples and cohort together, every figure to its last digit: with one DuckDB thread on
    each side, sums add in the rows' own order, which the export keeps."""
    out = tmp_path / "parquet"
    assert main(["export", "--store", str(world_store.path), "--out", str(out)]) == 0
    con = parquet_connection(out)
    with open_store(world_store.path, read_only=True) as s:
        persons = [p for (p,) in s.run("SELECT person_id FROM persons ORDER BY 1")]
        groups = load_groups(str(_groups(tmp_path / "persons.csv", persons)))
        s.run("SET threads = 1")
        from_store = _json(aggregates(s.con, 5, groups, "half"))
    con.execute("SET threads = 1")
    assert _json(aggregates(con, 5, groups, "half")) == from_store
    assert json.loads(from_store)["persons"] == len(persons) == 10


def test_a_folder_that_is_no_export_is_refused(tmp_path, capsys) -> None:
    assert main(["cohort", "--parquet", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "not a Parquet export of a store" in err and "selfdata export" in err


def test_store_and_parquet_together_are_refused(tmp_path, capsys) -> None:
    assert main(["cohort", "--parquet", str(tmp_path), "--store", str(tmp_path / "s")]) == 1
    assert "give one" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["cohort"], ["export", "--aggregates"]])
def test_k_below_five_is_refused_before_anything_is_read(command, tmp_path, capsys) -> None:
    store = tmp_path / "absent.duckdb"
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command[0] == "export" else []
    assert main([*command, "--k", "4", "--store", str(store), *extra]) == 1
    err = capsys.readouterr().err
    assert "k must be at least 5 (asked 4)" in err and "docs/privacy.md" in err
    assert not store.exists() and not out.exists()
    assert main([*command, "--dominance", "40", "--store", str(store), *extra]) == 1
    assert "dominance share must be at least 50 %" in capsys.readouterr().err
