"""Settings files (thresholds): shipped defaults, a user's file laid over them, and a broken
user file as a clear message rather than a traceback."""

from __future__ import annotations

import pytest

from selfdata_kit.analysis import calls, doctor, media
from selfdata_kit.cli import main
from selfdata_kit.errors import SelfdataError
from selfdata_kit.shipped import settings


def test_a_users_file_changes_only_the_keys_it_names(tmp_path):
    shipped = doctor.load_thresholds()
    key, value = next((k, v) for k, v in shipped.items() if isinstance(v, (int, float)))
    mine = tmp_path / "mine.toml"
    mine.write_text(f"{key} = {value + 1}\n", encoding="utf-8")
    merged = doctor.load_thresholds(mine)
    assert merged[key] == value + 1
    assert {k: v for k, v in merged.items() if k != key} == \
        {k: v for k, v in shipped.items() if k != key}


def test_nested_tables_are_laid_over_key_by_key(tmp_path):
    shipped = calls.load_thresholds()
    table, inner = next((k, v) for k, v in shipped.items() if isinstance(v, dict))
    first = next(iter(inner))
    mine = tmp_path / "mine.toml"
    mine.write_text(f"[{table}]\n{first} = 12345\n", encoding="utf-8")
    merged = calls.load_thresholds(mine)
    assert merged[table][first] == 12345
    assert {k: v for k, v in merged[table].items() if k != first} == \
        {k: v for k, v in inner.items() if k != first}


def test_what_a_caller_changes_does_not_leak_into_the_next_call():
    media.load_thresholds().clear()
    assert media.load_thresholds()


@pytest.mark.parametrize("text, line", [("a = 1\nb = = 2\nc = 3\n", 2),
                                        ("a = 1\nb = [\n", 2)])
def test_a_broken_users_file_names_the_file_and_the_line(tmp_path, text, line):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SelfdataError) as err:
        settings("doctor.toml", bad)
    assert err.value.file == str(bad) and err.value.line == line
    assert "expected TOML" in err.value.message


def test_doctor_with_a_broken_or_missing_thresholds_file_says_so(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"a = [\n")
    assert main(["doctor", "--thresholds", str(bad), "--store", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{bad}" in err and "expected TOML" in err
    assert main(["doctor", "--thresholds", str(tmp_path / "none.toml")]) == 1
    assert "no such settings file" in capsys.readouterr().err
