"""`selfdata doctor` on generated exports with planted problems: a gap, a thin month, a bad
row, an unknown file, and an overlapping export whose rows differ (suspected duplicates)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from selfdata_kit.analysis import doctor
from selfdata_kit.cli import main
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.store import open_store


def bank_csv(days: list[date], label: str = "CARTE {d:%d/%m} BOULANGERIE") -> str:
    """A French bank CSV with one purchase per day (the amount varies with the day)."""
    rows = [f"{d:%d/%m/%Y};{label.format(d=d)};-{d.day % 9 + 1},{d.month:02d}" for d in days]
    return "Date;Libellé;Montant\n" + "\n".join(rows) + "\n"


def every_day(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


@pytest.fixture
def planted(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SELFDATA_LAYOUTS_DIR", str(tmp_path / "no-layouts"))
    folder = tmp_path / "exports"
    folder.mkdir()
    days = every_day(date(2024, 1, 1), date(2024, 6, 30))
    # planted: no rows from 10 to 24 March (15 days), April holds 3 rows only
    days = [d for d in days if not (date(2024, 3, 10) <= d <= date(2024, 3, 24))]
    days = [d for d in days if d.month != 4 or d.day in (5, 15, 25)]
    text = bank_csv(days)
    # planted: line 4 (2024-01-03) has an unreadable amount
    lines = text.splitlines()
    lines[3] = lines[3].rsplit(";", 1)[0] + ";douze"
    (folder / "releve_h1.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # planted: a second export of 1-5 June whose labels the bank wrote differently
    (folder / "releve_juin.csv").write_text(
        bank_csv(every_day(date(2024, 6, 1), date(2024, 6, 5)), "PAIEMENT CB {d:%d%m}"),
        encoding="utf-8")
    (folder / "notes.txt").write_text("my notes about this export\n", encoding="utf-8")
    store_path = tmp_path / "s.duckdb"
    args = ["--store", str(store_path), "--skip-bad-rows"]
    assert main(["import", str(folder), "--person", "ana", *args]) == 0
    # a folder where nothing imports leaves the store as it was: no person, no log
    other = tmp_path / "bob"
    other.mkdir()
    (other / "photo.txt").write_text("not an export\n", encoding="utf-8")
    assert main(["import", str(other), "--person", "bob", *args]) == 0
    return store_path


def test_each_planted_problem_is_found(planted) -> None:
    with open_store(planted, read_only=True) as store:
        c = doctor.checkup(store.con, "ana")
    p = c["periods"].iloc[0]
    assert (p["table"], p["source"], p["first"].date(), p["last"].date()) == (
        "transactions", "fr-bank-csv", date(2024, 1, 1), date(2024, 6, 30))
    gaps = [(r.after.date(), r.days) for r in c["gaps"].itertuples()]
    # the planted hole, and April's thin days (3 rows: 9 days apart)
    assert gaps == [(date(2024, 3, 9), 15), (date(2024, 4, 5), 9), (date(2024, 4, 15), 9)]
    thin = [(r.month.date(), r.rows) for r in c["thin_months"].itertuples()]
    assert thin == [(date(2024, 4, 1), 3)]
    rejected = c["rejected_rows"]
    assert list(rejected["rejected"]) == [1] and list(rejected["lines"]) == ["4"]
    assert rejected["path"].iloc[0].endswith("releve_h1.csv")
    assert [Path(p).name for p in c["skipped_files"]["path"]] == ["notes.txt"]
    dups = c["duplicate_suspects"]
    assert [r.booked_on.date() for r in dups.itertuples()] == every_day(date(2024, 6, 1),
                                                                        date(2024, 6, 5))
    assert all(r.rows == 2 and len(r.files) == 2 for r in dups.itertuples())
    assert dups["amount"].iloc[0] == "-2.06"  # money as text, never a float


def test_gaps_ignore_the_usual_spacing_of_a_sparse_account(tmp_path) -> None:
    # a savings account moving every 10 days: no gap is "longer than usual"
    csv = tmp_path / "livret.csv"
    csv.write_text(bank_csv([date(2024, 1, 1) + timedelta(10 * n) for n in range(30)]))
    with open_store(tmp_path / "s.duckdb") as store:
        import_paths(store, [csv], "ana")
        assert doctor.gaps(store.con, "ana").empty
        # the same account with a 60-day hole: listed
        csv.write_text(bank_csv([date(2024, 1, 1) + timedelta(10 * n) for n in range(30)
                                 if not 10 <= n < 16]))
    with open_store(tmp_path / "s2.duckdb") as store:
        import_paths(store, [csv], "ana")
        assert list(doctor.gaps(store.con, "ana")["days"]) == [69]


def test_a_clean_person_has_nothing_to_check(tmp_path, capsys) -> None:
    csv = tmp_path / "clean.csv"
    csv.write_text(bank_csv(every_day(date(2024, 1, 1), date(2024, 3, 31))))
    store = tmp_path / "s.duckdb"
    assert main(["import", str(csv), "--person", "ana", "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["doctor", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "transactions from fr-bank-csv: 2024-01-01 to 2024-03-31, 91 rows on 91 days" in out
    assert "nothing to check" in out


def test_cli_text_and_json(planted, capsys) -> None:
    assert main(["doctor", "--person", "ana", "--store", str(planted)]) == 0
    out = capsys.readouterr().out
    assert "! months with unusually few rows (1):" in out
    assert "2024-04 has 3 rows (usually 22.5)" in out  # the median of Feb-May
    assert "15 days between 2024-03-09 and 2024-03-25" in out
    assert "notes.txt (not a format selfdata_kit knows)" in out
    assert "suspected duplicates" in out and "BOULANGERIE" not in out
    assert main(["doctor", "--json", "--store", str(planted)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"ana"}
    assert data["ana"]["thin_months"] == [{"table": "transactions", "source": "fr-bank-csv",
                                           "month": "2024-04-01", "rows": 3, "usual": 22.5}]
    assert data["ana"]["duplicate_suspects"][0]["booked_on"] == "2024-06-01"


def test_an_unknown_person_is_a_clear_error(planted, capsys) -> None:
    assert main(["doctor", "--person", "zoe", "--store", str(planted)]) == 1
    assert "no person 'zoe'" in capsys.readouterr().err


def test_skipped_files_are_logged_once_per_person_and_forgotten(planted) -> None:
    folder = planted.parent / "exports"
    assert main(["import", str(folder), "--person", "ana", "--store", str(planted),
                 "--skip-bad-rows"]) == 0  # again: logged once
    assert main(["import", str(folder), "--person", "cy", "--store", str(planted),
                 "--skip-bad-rows"]) == 0
    with open_store(planted) as store:
        assert doctor.skipped_files(store.con).person_id.tolist() == ["ana", "cy"]
        store.forget("cy")
        assert doctor.skipped_files(store.con).person_id.tolist() == ["ana"]
