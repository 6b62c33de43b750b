"""The import pipeline, independent of any real format: detection, folders and zips, atomic
files, strict and lenient rows, clear errors for empty, binary and undecodable files."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit import sources
from selfdata_kit.errors import (
    AmbiguousFormatError,
    FormatError,
    RejectedRowsError,
    UnknownFormatError,
)
from selfdata_kit.ingest.files import import_file, import_paths, redact_name
from selfdata_kit.sources.base import InputFile, ParseContext, Parsed, RowError, Source
from selfdata_kit.sources.text import decode, read_text
from selfdata_kit.store import Store
from tests.conftest import table_rows


def _parse_lines(inp: InputFile, ctx: ParseContext) -> Parsed:
    """A toy format: '#TESTBANK' then 'YYYY-MM-DD;amount;label' lines."""
    text, _ = read_text(inp)
    rows, errors = [], []
    for n, line in enumerate(text.splitlines()[1:], start=2):
        day, amount, label = (line.split(";") + ["", "", ""])[:3]
        try:
            rows.append({"booked_on": date.fromisoformat(day), "amount": Decimal(amount),
                         "label": label})
        except (ValueError, InvalidOperation):
            errors.append(RowError(n, "expected 'YYYY-MM-DD;amount;label'"))
    return Parsed({"transactions": pd.DataFrame(rows)}, errors, rows_read=len(rows) + len(errors))


TOY = Source("toy", "toy bank lines", "bank",
             detect=lambda inp: inp.head(9) == b"#TESTBANK", parse=_parse_lines)
GREEDY = Source("greedy", "claims toy files too", "bank",
                detect=lambda inp: inp.head(15) == b"#TESTBANK AMBIG", parse=_parse_lines)


@pytest.fixture(autouse=True)
def toy_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "all_sources", lambda: (TOY, GREEDY))


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


GOOD = "#TESTBANK\n2024-01-02;-2.50;CAFE\n2024-01-02;-2.50;CAFE\n2024-01-03;1200;SALAIRE\n"


def test_a_file_imports_whole_and_again_adds_nothing(store: Store, tmp_path: Path) -> None:
    f = _write(tmp_path / "a.txt", GOOD)
    first = import_file(store, InputFile.from_path(f), "alice")
    second = import_file(store, InputFile.from_path(f), "alice")
    assert first.status == "imported" and first.source is TOY
    assert (first.counts.rows_read, first.counts.rows_inserted) == (3, 3)
    assert (second.counts.rows_inserted, second.counts.rows_duplicate) == (0, 3)
    log = store.run("SELECT source, path, status, rows_inserted FROM imports ORDER BY import_id")
    assert log == [("toy", str(f), "ok", 3), ("toy", str(f), "ok", 0)]


def test_a_bad_row_fails_the_file_and_leaves_the_store_unchanged(
        store: Store, tmp_path: Path) -> None:
    import_file(store, InputFile.from_path(_write(tmp_path / "a.txt", GOOD)), "alice")
    before = table_rows(store)
    bad = _write(tmp_path / "b.txt", GOOD + "2024-13-45;-1;X\n2024-01-05;x;Y\n")
    report = import_file(store, InputFile.from_path(bad), "bob")
    assert report.status == "failed"
    assert isinstance(report.error, RejectedRowsError)
    assert report.error.line == 5
    assert str(report.error).startswith(f"{bad}, line 5: expected 'YYYY-MM-DD;amount;label'")
    assert "2 rows in all, also line 6" in str(report.error)
    assert "--skip-bad-rows" in report.error.hint
    assert table_rows(store) == before


def test_skip_bad_rows_imports_the_rest_and_logs_the_lines(store: Store, tmp_path: Path) -> None:
    bad = _write(tmp_path / "b.txt", GOOD + "2024-13-45;-1;SECRET LABEL\n")
    report = import_file(store, InputFile.from_path(bad), "alice", skip_bad_rows=True)
    assert report.status == "imported"
    assert (report.counts.rows_read, report.counts.rows_inserted,
            report.counts.rows_rejected) == (4, 3, 1)
    assert store.run("SELECT line, message FROM import_issues") == [
        (5, "expected 'YYYY-MM-DD;amount;label'")]


def test_unknown_format_lists_the_known_ones(store: Store, tmp_path: Path) -> None:
    report = import_file(store, InputFile.from_path(_write(tmp_path / "x.txt", "hello\n")), "a")
    assert isinstance(report.error, UnknownFormatError)
    assert "not a format selfdata_kit knows; known formats: toy, greedy" in str(report.error)
    assert "selfdata formats" in report.error.hint


def test_two_sources_claiming_a_file_is_an_error_naming_both(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.txt", "#TESTBANK AMBIG\n")
    with pytest.raises(AmbiguousFormatError, match=r"toy \(toy bank lines\) and greedy"):
        sources.detect_source(InputFile.from_path(f))


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    (b"   \n\n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a binary file"),
])
def test_empty_and_binary_files_get_clear_errors_fast(
        store: Store, tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "f.bin"
    f.write_bytes(content)
    t0 = time.perf_counter()
    report = import_file(store, InputFile.from_path(f), "alice")
    assert time.perf_counter() - t0 < 1.0  # generous sanity bound, not a benchmark
    assert report.status == "failed" and message in str(report.error)
    assert store.counts()["imports"] == 0


def test_windows_1252_is_read_and_undecodable_text_names_its_line() -> None:
    text, enc = decode("Libellé;Montant\nCafé;-2,50 €\n".encode("cp1252"), "r.csv")
    assert (enc, text) == ("cp1252", "Libellé;Montant\nCafé;-2,50 €\n")
    assert decode("\ufeffDate;Libellé\n".encode(), "r.csv") == ("Date;Libellé\n", "utf-8-sig")
    with pytest.raises(FormatError) as e:
        decode(b"Date;Label\n2024;ok\n2024;\x81\x8d\x8f\x90\x9d\n", "r.csv")
    assert e.value.line == 3 and "neither UTF-8 nor Windows-1252" in e.value.message


def test_a_parser_crash_becomes_a_clear_error_without_traceback(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(inp: InputFile, ctx: ParseContext) -> Parsed:
        raise KeyError("boom")

    monkeypatch.setattr(sources, "all_sources",
                        lambda: (Source("toy", "toy bank lines", "bank", TOY.detect, crash),))
    report = import_file(store, InputFile.from_path(_write(tmp_path / "a.txt", GOOD)), "alice")
    assert str(report.error).startswith(f"{tmp_path / 'a.txt'}: could not read this file as"
                                        " toy bank lines (KeyError)")


def test_folders_import_known_files_and_list_the_others(store: Store, tmp_path: Path) -> None:
    (tmp_path / "exports" / "2024").mkdir(parents=True)
    _write(tmp_path / "exports" / "2024" / "jan.txt", GOOD)
    _write(tmp_path / "exports" / "notes.md", "my notes\n")
    _write(tmp_path / "exports" / ".DS_Store", "\x00\x01")
    reports = import_paths(store, [tmp_path / "exports"], "alice")
    assert [(Path(r.name).name, r.status) for r in reports] == [
        ("jan.txt", "imported"), ("notes.md", "skipped")]
    assert "not a format selfdata_kit knows" in reports[1].reason


def test_zip_members_import_without_extraction_and_each_is_atomic(
        store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bank/good.txt", GOOD)
        zf.writestr("bank/bad.txt", "#TESTBANK\n2024-01-09;1;A\nnot a row\n")
        zf.writestr("readme.txt", "hello")
        zf.writestr("inner.zip", b"PK\x03\x04")
    reports = import_paths(store, [archive], "alice")
    by_name = {r.name.split(":", 1)[1]: r for r in reports}
    assert by_name["bank/good.txt"].status == "imported"
    assert by_name["bank/bad.txt"].status == "failed"
    assert by_name["bank/bad.txt"].error.line == 3
    assert by_name["readme.txt"].status == "skipped"
    assert by_name["inner.zip"].status == "skipped"
    assert store.run("SELECT count(*) FROM transactions")[0][0] == 3
    # nothing extracted: only the archive and the store (and its write-ahead log)
    assert {p.name for p in tmp_path.iterdir()} <= {"export.zip", "store.duckdb",
                                                    "store.duckdb.wal"}


def test_a_missing_path_fails_and_the_others_still_import(store: Store, tmp_path: Path) -> None:
    good = _write(tmp_path / "a.txt", GOOD)
    reports = import_paths(store, [tmp_path / "nope.txt", good], "alice")
    assert [r.status for r in reports] == ["failed", "imported"]
    assert "no such file or folder" in str(reports[0].error)


def test_a_corrupt_zip_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", GOOD * 100)
    (tmp_path / "cut.zip").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    [report] = import_paths(store, [tmp_path / "cut.zip"], "alice")
    assert report.status == "failed" and "cannot be read" in str(report.error)


def test_import_log_names_keep_no_phone_or_account_numbers() -> None:
    assert redact_name("Calls/+33612345678 - Received - 2021-01-03T10_00_00Z.html") == (
        "Calls/# - Received - 2021-01-03T10_00_00Z.html")
    assert redact_name("Conso_20221024-20240725_14295812345678.csv") == (
        "Conso_20221024-20240725_#.csv")
    assert redact_name("releve 06 12 34 56 78.csv") == "releve #.csv"
