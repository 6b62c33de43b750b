"""Every file the commands write is readable by its owner only (0600, folders 0700), whatever
the user's umask; `selfdata lab` passes its token through the environment; a first import in
which nothing was imported leaves no store behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.commands.lab import lab_command, lab_environment, workspace_for
from tests.conftest import SAMPLE_FOLDERS


@pytest.fixture(autouse=True)
def open_umask():
    """A permissive umask, as many systems have: the modes checked are then the code's."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def not_owner_only(root: Path) -> list[str]:
    """Every file under `root` (and `root`) that is not 0600, every folder not 0700."""
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        if not path.is_symlink() and mode != expected:
            wrong.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return wrong


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
def test_parquet_and_aggregate_exports_are_owner_only(sample_store: Path,
                                                      tmp_path: Path) -> None:
    assert main(["export", "--store", str(sample_store), "--out", str(tmp_path / "rows")]) == 0
    assert list((tmp_path / "rows").rglob("*.parquet"))
    assert main(["export", "--aggregates", "--store", str(sample_store),
                 "--out", str(tmp_path / "aggregates")]) == 0
    assert {p.name for p in (tmp_path / "aggregates").iterdir()} == {
        "aggregates.json", "coverage.csv", "distributions.csv"}
    assert not_owner_only(tmp_path / "rows") == []
    assert not_owner_only(tmp_path / "aggregates") == []


def test_the_labs_notebook_copies_are_owner_only(tmp_path: Path) -> None:
    workspace = workspace_for(tmp_path / "me" / "store.duckdb")
    assert (workspace / "explore.ipynb").exists()
    assert not_owner_only(workspace) == []


def test_the_lab_token_is_in_the_environment_not_on_the_command_line(tmp_path: Path) -> None:
    workspace = workspace_for(tmp_path / "store.duckdb")
    env = lab_environment(tmp_path / "store.duckdb", workspace, "s3cret-token")
    assert env["JUPYTER_TOKEN"] == "s3cret-token"  # what jupyter_server reads
    command = lab_command(8888, False, workspace)
    assert not any("s3cret" in arg or ".token" in arg for arg in command), command


def test_synthetic_personas_are_owner_only(tmp_path: Path) -> None:
    assert main(["synth", "--persons", "1", "--out", str(tmp_path / "personas"),
                 "--no-segments"]) == 0
    assert not_owner_only(tmp_path / "personas") == []


def test_a_store_made_in_a_new_folder_is_owner_only(tmp_path: Path) -> None:
    store = tmp_path / "new" / "folder" / "s.duckdb"
    bank = SAMPLE_FOLDERS[0] / "bank"
    assert main(["import", str(bank), "--person", "me", "--store", str(store)]) == 0
    assert not_owner_only(tmp_path / "new") == []


@pytest.mark.parametrize("what", ["every file fails", "no files"])
def test_an_import_that_imports_nothing_creates_no_store(what: str, tmp_path: Path,
                                                         capsys) -> None:
    given = tmp_path / "given"
    given.mkdir()
    paths = [str(given)]  # a folder without files
    if what == "every file fails":  # named one by one: an unknown file is a failure then
        (given / "notes.txt").write_text("not an export")
        (given / "broken.ofx").write_bytes(b"OFXHEADER:100\n\x00\x01")
        paths = [str(given / "notes.txt"), str(given / "broken.ofx")]
    store = tmp_path / "s.duckdb"
    assert main(["import", *paths, "--person", "me", "--store", str(store)]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["given"]
    assert f"nothing imported: no store created at {store}" in capsys.readouterr().err
    cohort = tmp_path / "cohort"
    (cohort / "alice").mkdir(parents=True)
    if what == "every file fails":
        (cohort / "alice" / "notes.txt").write_text("not an export")
    main(["import", "--cohort", str(cohort), "--store", str(store)])
    assert not store.exists() and not Path(f"{store}.wal").exists()


def test_an_import_into_an_existing_store_keeps_it_even_if_nothing_is_imported(
        tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    assert main(["import", str(SAMPLE_FOLDERS[0] / "bank"), "--person", "me",
                 "--store", str(store)]) == 0
    (tmp_path / "notes.txt").write_text("not an export")
    assert main(["import", str(tmp_path / "notes.txt"), "--person", "me",
                 "--store", str(store)]) == 1
    assert store.exists()
