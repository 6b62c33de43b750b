"""`selfdata categorize`: a person's own rule changes the real spending summary, survives a
re-import (and a forget + import), is removed without a trace, and three identical choices for
one merchant propose a merchant rule."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from selfdata_kit.analysis.categories import person_categories
from selfdata_kit.cli import main
from selfdata_kit.enrich.category_rules import read_rules
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA, copy_store
from tests.hostile import PAYLOADS, assert_text_only

PERSON = "p0001-student"


@pytest.fixture
def student(sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the student's store; rules next to it (no $SELFDATA_RULES_DIR)."""
    monkeypatch.delenv("SELFDATA_RULES_DIR", raising=False)
    return copy_store(sample_store, tmp_path / "s.duckdb", keep=[PERSON])


def summary(store: Path, capsys: pytest.CaptureFixture) -> dict[str, Decimal]:
    capsys.readouterr()
    assert main(["summary", "--person", PERSON, "--store", str(store), "--json"]) == 0
    return {k: Decimal(v) for k, v in
            json.loads(capsys.readouterr().out)["totals_by_category"].items()}


def categorize(store: Path, *args: str) -> int:
    return main(["categorize", "--person", PERSON, "--store", str(store), *args])


def test_a_merchant_rule_moves_its_spending_and_removing_it_restores(student, capsys) -> None:
    before = summary(student, capsys)
    assert categorize(student, "--merchant", "lidl", "--category", "discount <b>") == 0
    out = capsys.readouterr().out
    assert "merchant 'LIDL' -> 'discount <b>'" in out and "decides 49 of" in out
    after = summary(student, capsys)
    moved = after["discount <b>"]
    assert moved > 0 and after["groceries"] == before["groceries"] - moved
    assert sum(after.values()) == sum(before.values())  # moved, not lost nor doubled
    rules_file = student.with_name("s.rules") / f"{PERSON}.toml"
    assert rules_file.stat().st_mode & 0o777 == 0o600
    assert categorize(student, "--remove", "--merchant", "LIDL") == 0
    assert summary(student, capsys) == before
    assert read_rules(rules_file) == []


def test_rules_survive_a_reimport_and_a_forget(student, capsys) -> None:
    assert categorize(student, "--match", "Netflix", "--category", "fun") == 0
    with open_store(student, read_only=True) as s:
        uid, amount = s.run("SELECT uid, -amount FROM transactions WHERE label LIKE '%BIOCOOP%'"
                            " ORDER BY uid LIMIT 1")[0]
    assert categorize(student, "--transaction", uid, "--category", "gift") == 0
    with_rule = summary(student, capsys)
    assert with_rule["fun"] == Decimal("161.88")  # twelve months of NETFLIX at 13.49
    assert with_rule["gift"] == amount
    bank = SAMPLE_DATA / PERSON / "bank"
    assert main(["import", str(bank), "--person", PERSON, "--store", str(student)]) == 0
    assert summary(student, capsys) == with_rule
    assert main(["forget", "--person", PERSON, "--store", str(student)]) == 0
    assert main(["import", str(bank), "--person", PERSON, "--store", str(student)]) == 0
    capsys.readouterr()
    assert summary(student, capsys) == with_rule  # the rules file is not the store


def test_three_identical_choices_propose_a_merchant_rule(student, capsys) -> None:
    with open_store(student, read_only=True) as s:
        uids = [u for (u,) in s.run(
            f"SELECT uid FROM {person_categories(s.con, PERSON)} WHERE merchant = 'BIOCOOP'"
            " ORDER BY uid LIMIT 3")]
    for n, uid in enumerate(uids, start=1):
        assert categorize(student, "--transaction", uid, "--category", "bio") == 0
        proposed = [line for line in capsys.readouterr().out.splitlines()
                    if line.startswith("proposed:")]
        assert len(proposed) == (1 if n == 3 else 0)
    assert "--merchant BIOCOOP --category bio" in proposed[0]
    assert categorize(student, "--merchant", "BIOCOOP", "--category", "bio") == 0
    assert "proposed:" not in capsys.readouterr().out  # the rule exists now


def test_list_shows_rules_and_who_decides(student, capsys) -> None:
    assert categorize(student, "--list") == 0
    assert "no rules yet" in capsys.readouterr().out
    categorize(student, "--match", "loyer", "--category", "rent")
    capsys.readouterr()
    assert categorize(student, "--list") == 0
    out = capsys.readouterr().out
    assert "labels containing 'LOYER' -> 'rent'" in out and "decided by: " in out


@pytest.mark.parametrize("args, message", [
    (["--category", "x"], "give one of --match"),
    (["--match", "a", "--merchant", "b", "--category", "x"], "give one of --match"),
    (["--match", "a"], "give --category"),
    (["--match", "a", "--category", "red\x1b[31m"], "printable characters on one line"),
    (["--transaction", "nope", "--category", "x"], "no transaction with this uid"),
    (["--remove", "--merchant", "NOBODY"], "no merchant rule"),
])
def test_bad_requests_are_clear_errors(student, capsys, args, message) -> None:
    assert categorize(student, *args) == 1
    assert message in capsys.readouterr().err


def test_a_broken_rules_file_names_itself(student, capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SELFDATA_RULES_DIR", str(tmp_path / "rules"))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / f"{PERSON}.toml").write_text('[[rule]]\nmerchant = "X"\n')
    assert main(["summary", "--person", PERSON, "--store", str(student)]) == 1
    err = capsys.readouterr().err
    assert f"{PERSON}.toml" in err and "rule 1: expected one of" in err


@pytest.mark.slow
def test_the_report_reruns_after_a_rule_and_shows_hostile_categories_as_text(
        student, tmp_path, capsys) -> None:
    """The real spending page (papermill, nbconvert): a new rule reruns the up-to-date report,
    and categories named like markup are text in it."""
    out = tmp_path / "reports"
    report = ["report", "--person", PERSON, "--reports", "spending", "--lang", "en",
              "--jobs", "1", "--out", str(out), "--store", str(student)]
    assert main(report) == 0
    page = out / PERSON / "spending.html"
    first = page.stat().st_mtime_ns
    assert main(report) == 0 and page.stat().st_mtime_ns == first  # up to date: skipped
    merchants = ("LIDL", "BIOCOOP", "CARREFOUR CITY", "BURGER KING", "PIZZERIA DA MARCO")
    for merchant, name in zip(merchants, PAYLOADS, strict=False):
        assert categorize(student, "--merchant", merchant, "--category", name) == 0
    assert main(report) == 0 and page.stat().st_mtime_ns != first
    html = page.read_text(encoding="utf-8")
    assert_text_only(html)  # no element, handler or script the categories could have made
    assert "onerror=alert(1)" in html and "example.invalid/x.png" in html  # in the charts
