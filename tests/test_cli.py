"""The `selfdata` command: its contract (exit codes, per-file lines), and its documentation."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from selfdata_kit import sources
from selfdata_kit.cli import build_parser, main
from tests.conftest import ROOT
from tests.ingest.test_pipeline import GOOD, GREEDY, TOY


@pytest.fixture(autouse=True)
def toy_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "all_sources", lambda: (TOY, GREEDY))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    bad = tmp_path / "bad.txt"
    bad.write_text("#TESTBANK\n2024-01-09;1;PRIVATE LABEL\n2024-99-01;2;OTHER\n")
    return {"good": good, "bad": bad, "store": tmp_path / "s.duckdb"}


def test_import_prints_counts_per_file_and_exits_0(files, capsys) -> None:
    code = main(["import", str(files["good"]), "--person", "alice", "--store", str(files["store"])])
    out = capsys.readouterr().out
    assert code == 0
    assert f"imported  {files['good']}  [toy]  read 3, inserted 3, duplicate 0, rejected 0" in out
    assert "1 file(s): 1 imported, 0 failed, 0 skipped; 3 new row(s)" in out
    main(["import", str(files["good"]), "--person", "alice", "--store", str(files["store"])])
    assert "read 3, inserted 0, duplicate 3, rejected 0" in capsys.readouterr().out


def test_a_failed_file_exits_1_others_import_and_no_traceback(files, capsys) -> None:
    code = main(["import", str(files["bad"]), str(files["good"]), "--person", "alice",
                 "--store", str(files["store"])])
    captured = capsys.readouterr()
    assert code == 1
    assert f"FAILED    {files['bad']}, line 3: expected 'YYYY-MM-DD;amount;label'" in captured.err
    assert "hint: fix those lines, or pass --skip-bad-rows" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "PRIVATE LABEL" not in captured.err + captured.out
    assert "1 imported, 1 failed" in captured.out


def test_skip_bad_rows_then_imports_lists_the_rejected_lines(files, capsys) -> None:
    store = str(files["store"])
    assert main(["import", str(files["bad"]), "--person", "alice", "--store", store,
                 "--skip-bad-rows"]) == 0
    assert "rejected line 3: expected" in capsys.readouterr().out
    assert main(["imports", "--store", store, "--issues"]) == 0
    out = capsys.readouterr().out
    assert "rejected lines:" in out and "expected 'YYYY-MM-DD;amount;label'" in out


def test_default_store_comes_from_the_environment(files, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SELFDATA_STORE", str(files["store"]))
    assert main(["import", str(files["good"]), "--person", "alice"]) == 0
    assert files["store"].exists()
    monkeypatch.delenv("SELFDATA_STORE")
    monkeypatch.chdir(files["store"].parent)
    assert main(["import", str(files["good"]), "--person", "bob"]) == 0
    assert (files["store"].parent / "selfdata.duckdb").exists()


def test_persons_imports_forget(files, capsys) -> None:
    store = str(files["store"])
    main(["import", str(files["good"]), "--person", "alice", "--store", store])
    main(["import", str(files["good"]), "--person", "bob", "--store", store])
    capsys.readouterr()
    assert main(["persons", "--store", store]) == 0
    out = capsys.readouterr().out
    assert re.search(r"alice\s+1\s+3", out) and re.search(r"bob\s+1\s+3", out)
    assert main(["forget", "--person", "alice", "--store", store]) == 0
    assert "forgot 'alice': " in capsys.readouterr().out
    main(["persons", "--store", store])
    out = capsys.readouterr().out
    assert "alice" not in out and "bob" in out
    assert main(["forget", "--person", "alice", "--store", store]) == 0
    assert "nothing stored about 'alice'" in capsys.readouterr().out


def test_reading_a_missing_store_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["persons", "--store", str(tmp_path / "none.duckdb")]) == 1
    assert "error: no store at" in capsys.readouterr().err


def test_formats_lists_every_source(capsys) -> None:
    assert main(["formats"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "toy     bank    toy bank lines",
        "greedy  bank    claims toy files too"]


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_has_help_and_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, parser in _commands().items():
        assert parser.description, f"`selfdata {name}` has no description"
        for action in parser._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"`selfdata {name} {action.option_strings[0]}` has no help"
        assert f"selfdata {name}" in readme, f"`selfdata {name}` is not in README.md"


def test_the_console_script_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "selfdata_kit.cli", "--help"],
                            capture_output=True, text=True, check=True)
    assert "import" in result.stdout and "forget" in result.stdout
