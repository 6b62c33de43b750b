"""`selfdata cohort --parquet DIR`: the cohort's aggregates from the Parquet export, by the
same SQL over DuckDB views of the hive-partitioned files, print the very JSON the store
gives; and the command's disclosure options fail early and clearly."""

from __future__ import annotations

import json

import pytest

from selfdata_kit.cli import main
from selfdata_kit.store import open_store


@pytest.mark.slow  # every person's key figures, twice
def test_the_parquet_export_gives_the_store_json(world_store, tmp_path, capsys) -> None:
    out = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--store", str(world_store.path),
                 "--out", str(out)]) == 0
    # hive partitioned by person: what any engine reading hive Parquet expects
    with open_store(world_store.path, read_only=True) as s:
        persons = [p for (p,) in s.run("SELECT person_id FROM persons ORDER BY 1")]
    assert sorted(p.name for p in (out / "persons").iterdir()) == [
        f"person_id={p}" for p in persons]
    groups = tmp_path / "persons.csv"
    groups.write_text("person_id,half\n" + "".join(
        f"{p},{'a' if i % 2 else 'b'}\n" for i, p in enumerate(persons)), encoding="utf-8")
    capsys.readouterr()
    args = ["cohort", "--k", "5", "--groups", str(groups), "--by", "half", "--json"]
    assert main([*args, "--store", str(world_store.path)]) == 0
    from_store = capsys.readouterr().out
    assert main([*args, "--parquet", str(out)]) == 0
    from_parquet = capsys.readouterr().out
    assert from_parquet == from_store
    result = json.loads(from_store)
    # so that the comparison can fail: figures were published, of every kind
    assert result["persons"] == len(persons)
    shown = [row for row in result["distributions"] if not row["suppressed"]]
    assert shown and any(row["median"] for row in shown)
    assert any(not row["suppressed"] for row in result["groups"])
    assert any(not row["suppressed"] for row in result["coverage"])


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
