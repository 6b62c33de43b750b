"""Person ids are checked where they enter: a folder name on every system, on one line, with
an error that says what is allowed. `--person ../../x` never writes outside `--out`."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.errors import SelfdataError
from selfdata_kit.ingest.cohort import person_folders
from selfdata_kit.store import check_person_id, known_persons_hint, open_store
from tests.conftest import SAMPLE_FOLDERS, SAMPLES

VALID = ["alice", "p0001-student", "Marie Dupont", "participant_07", "é-ü-中", "a.b",
         "<img src=x onerror=alert(1)>", '"onmouseover=alert(1) x="', "x" * 64]
INVALID = {
    "": "it is empty",
    "x" * 65: "it is longer than 64 characters",
    "../../x": "it holds a path separator",
    "a/b": "it holds a path separator",
    "a\\b": "it holds a path separator",
    "C:x": "it holds a path separator",
    "</script><!--": "it holds a path separator",
    "![x](http://example.invalid/x.png)": "it holds a path separator",
    "[a](javascript:alert(1))": "it holds a path separator",
    "..": "it holds '..'",
    "a..b": "it holds '..'",
    "a\nb": "it holds a control or invisible character",
    "a\x1b[2Jb": "it holds a control or invisible character",
    "a\u200bb": "it holds a control or invisible character",  # zero-width space
    "a\u202eb": "it holds a control or invisible character",  # right-to-left override
    ".hidden": "it starts with '.' or starts or ends with a space",
    " alice": "it starts with '.' or starts or ends with a space",
    "alice ": "it starts with '.' or starts or ends with a space",
}


@pytest.mark.parametrize("person", VALID)
def test_valid_ids_pass_unchanged(person: str) -> None:
    assert check_person_id(person) == person


@pytest.mark.parametrize(("person", "problem"), INVALID.items())
def test_invalid_ids_say_what_is_wrong_and_what_is_allowed(person: str, problem: str) -> None:
    with pytest.raises(SelfdataError) as e:
        check_person_id(person, where="--person")
    assert e.value.file == "--person"
    assert e.value.message.endswith(f"is not a valid person id: {problem}")
    assert e.value.hint.startswith("a person id is 1 to 64 characters")
    assert all(ch.isprintable() for ch in str(e.value).replace("\n", ""))  # no terminal escape


def test_the_store_refuses_an_invalid_id_as_a_last_guard(store) -> None:
    with pytest.raises(SelfdataError, match="not a valid person id"):
        store.ensure_person("../x")
    assert store.person_ids() == []


@pytest.mark.parametrize("command", [
    ["import", str(SAMPLE_FOLDERS[0]), "--person", "../../x"],
    ["summary", "--person", "../../x"],
    ["imports", "--person", "a\nb"],
    ["forget", "--person", ".."],
    ["export", "--out", "exported", "--person", "../x"],
    ["report", "--person", "../../x", "--out", "out"],
])
def test_every_person_option_is_checked_before_anything_is_written(
        command: list[str], tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--store", str(tmp_path / "s.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "is not a valid person id" in err and "hint: a person id is" in err
    assert list(tmp_path.iterdir()) == []  # no store, no output folder, nothing outside


def test_a_report_for_a_dotted_id_stays_under_out(sample_store: Path, tmp_path: Path) -> None:
    """An id already in a store from before the check (an older version) is refused by the
    batch planner too: its folder would be outside --out."""
    from selfdata_kit.batch.runner import plan

    with pytest.raises(SelfdataError, match="not a valid person id"):
        plan(sample_store, ["../../x"], ["spending"], "en", False, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_cohort_and_workshop_folder_names_are_checked(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    (cohort / "alice").mkdir(parents=True)
    (cohort / "bad\x1bname").mkdir()
    with pytest.raises(SelfdataError) as e:
        person_folders(cohort)
    assert e.value.file == str(cohort)
    assert "'bad?name' is not a valid person id" in e.value.message
    code = main(["import", "--cohort", str(cohort), "--store", str(tmp_path / "s.duckdb")])
    assert code == 1 and not (tmp_path / "s.duckdb").exists()
    code = main(["workshop", "--from", str(cohort), "--out", str(tmp_path / "w")])
    assert code == 1 and not (tmp_path / "w" / "workshop.duckdb").exists()


def test_an_id_with_markup_is_a_valid_id_and_stays_text(tmp_path: Path) -> None:
    """Markup characters are allowed in ids (people name folders as they like): every page
    escapes them instead (tests/reports/test_injection.py)."""
    with open_store(tmp_path / "s.duckdb") as s:
        s.ensure_person("<img src=x onerror=alert(1)>")
        assert s.person_ids() == ["<img src=x onerror=alert(1)>"]


def test_unknown_person_hint_names_the_closest_ids_and_counts_the_rest():
    known = [f"p{i:04d}-student" for i in range(1000)] + ["alice", "alicia"]
    hint = known_persons_hint(known, "alcie")
    assert hint.startswith("known persons: alice, alicia, ")  # the typo's neighbours first
    assert hint.count(",") == 7 and hint.endswith(
        "and 994 more (`selfdata persons` lists them all)")
    assert known_persons_hint(["alice"], "bob") == "known persons: alice"
    assert "selfdata import" in known_persons_hint([], "bob")


def test_an_unknown_person_on_the_command_line_gets_the_short_hint(sample_store, capsys):
    typo = SAMPLES[0][:-1]
    assert main(["summary", "--person", typo, "--store", str(sample_store)]) == 1
    err = capsys.readouterr().err
    assert f"no person {typo!r}" in err and f"known persons: {SAMPLES[0]}," in err
