"""Files a user gives by mistake or an attacker crafts, other than XML: padded downloads,
pipes and devices. Each gets a clear outcome through the real import pipeline.

Padding is made with `truncate` (a sparse file: tens of MB cost no disk); the benchmark
`benchmarks/hostile_padding.py` measures the memory of a 2 GB pad.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources.base import MIN_PADDING, InputFile, data_end
from tests.conftest import TESTS, table_rows

BANK = TESTS / "sources" / "bank" / "fixtures"
PADDED_SAMPLES = ["ofx1_two_accounts.ofx", "fr_bnp.csv", "camt053_v08_batch.xml",
                  "qif_cash_dotted.qif", "n26_2023.csv"]


def _sparse_pad(src: Path, dest: Path, pad: int) -> Path:
    shutil.copyfile(src, dest)
    subprocess.run(["truncate", "-s", f"+{pad}", str(dest)], check=True)
    return dest


def _rows(store):
    rows = table_rows(store)
    for volatile in ("imports", "schema_migrations", "store_meta", "persons"):
        rows.pop(volatile)
    return rows


@pytest.mark.parametrize("sample", PADDED_SAMPLES)
def test_trailing_nul_padding_is_ignored_with_a_warning(tmp_path, sample):
    """A real export followed by 30 MB of NUL bytes (a partial download) imports exactly the
    rows of the export alone; the padding is never read and a warning says so."""
    from selfdata_kit.store import open_store

    padded = _sparse_pad(BANK / sample, tmp_path / sample, 30 << 20)
    with open_store(tmp_path / "plain.duckdb") as plain, \
            open_store(tmp_path / "padded.duckdb") as store:
        want = import_file(plain, InputFile.from_path(BANK / sample), "me")
        got = import_file(store, InputFile.from_path(padded), "me")
        assert want.status == "imported", want.error
        assert got.status == "imported", got.error
        assert got.counts.rows_inserted == want.counts.rows_inserted > 0
        assert _rows(store) == _rows(plain)
        assert not want.warnings
        assert any("padding" in w and "30.0 MiB" in w for w in got.warnings), got.warnings
        # the same data, so the same file for the import log (a re-download is a duplicate)
        assert store.run("SELECT sha256 FROM imports") == plain.run("SELECT sha256 FROM imports")


def test_padding_is_never_read(tmp_path):
    padded = _sparse_pad(BANK / "fr_bnp.csv", tmp_path / "p.csv", 50 << 20)
    inp = InputFile.from_path(padded)
    assert inp.size == (BANK / "fr_bnp.csv").stat().st_size
    assert inp.padding == 50 << 20
    assert inp.read_bytes() == (BANK / "fr_bnp.csv").read_bytes()


def test_space_padding_written_on_disk_is_ignored(tmp_path, store):
    data = (BANK / "qif_cash_dotted.qif").read_bytes()
    path = tmp_path / "spaces.qif"
    path.write_bytes(data + b" " * (2 << 20) + b"\0" * 1000 + b" " * 3000)
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.status == "imported", report.error
    assert InputFile.from_path(path).read_bytes() == data.rstrip(b" ")


def test_short_trailing_runs_are_data(tmp_path):
    """Under MIN_PADDING, trailing NULs or spaces are left to the parser: a UTF-16 file ends
    in a NUL byte, and a few spaces are harmless."""
    path = tmp_path / "short.csv"
    path.write_bytes(b"a;b\n1;2\n" + b" " * (MIN_PADDING - 1))
    assert data_end(path, path.stat().st_size) == path.stat().st_size
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("\ufeffa;b\n1;2\n".encode("utf-16-le") + b"\0" * 4096)
    end = data_end(utf16, utf16.stat().st_size)
    assert end % 2 == 0
    assert InputFile.from_path(utf16).read_bytes().decode("utf-16") == "a;b\n1;2\n"


def test_a_file_of_padding_only_is_empty(tmp_path, store):
    path = tmp_path / "all_nul.csv"
    subprocess.run(["truncate", "-s", "20M", str(path)], check=True)
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.status == "failed"
    assert "empty" in report.error.message


def test_a_fifo_is_not_a_regular_file(tmp_path, store):
    fifo = tmp_path / "statement.csv"
    os.mkfifo(fifo)  # opening it would block forever: it must never be opened
    (report,) = import_paths(store, [fifo], "me")
    assert report.status == "failed"
    assert "not a regular file" in report.error.message
    assert report.error.file == str(fifo)


def test_a_device_is_not_a_regular_file(store):
    (report,) = import_paths(store, ["/dev/zero"], "me")
    assert report.status == "failed"
    assert "not a regular file" in report.error.message


def test_a_fifo_inside_a_folder_is_skipped(tmp_path, store):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copyfile(BANK / "qif_cash_dotted.qif", folder / "a.qif")
    os.mkfifo(folder / "b.csv")
    reports = {Path(r.name).name: r for r in import_paths(store, [folder], "me")}
    assert reports["a.qif"].status == "imported"
    assert reports["b.csv"].status == "skipped"
    assert "not a regular file" in reports["b.csv"].reason


# --- errors carry the file and the line --------------------------------------------------

FIXTURES = TESTS / "sources"
DEEP = "[" * 100_000 + "]" * 100_000
JSON_CASES = [  # (fixture, text replaced, replacement, what the message says)
    ("places/fixtures/Records.json", '"latitudeE7": 488584400', '"latitudeE7": NaN', "NaN"),
    ("places/fixtures/Records.json", '"accuracy": 13', '"accuracy": -Infinity', "Infinity"),
    ("places/fixtures/Records.json", '"source": "WIFI"', f'"source": {DEEP}', "nested"),
    ("energy/fixtures/grdf_published.json", '"energieConsomme": 4159',
     '"energieConsomme": NaN', "NaN"),
    ("energy/fixtures/enedis_dc_daily_spring.json", '"value": "10500"', '"value": NaN', "NaN"),
    ("energy/fixtures/enedis_dc_daily_spring.json", '"quality": "BRUT"', f'"quality": {DEEP}',
     "nested"),
]


@pytest.mark.parametrize("fixture, old, new, said", JSON_CASES,
                         ids=[f"{Path(c[0]).stem}-{c[3]}" for c in JSON_CASES])
def test_json_errors_give_the_line(tmp_path, store, fixture, old, new, said):
    """NaN / Infinity (Python reads them, JSON has none) and nesting that exhausts Python's
    recursion gave '(ValueError)' / '(RecursionError)' or no line: now the line of the
    value, and the store is unchanged."""
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / Path(fixture).name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = table_rows(store)
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.status == "failed"
    assert said in report.error.message and "Error)" not in report.error.message
    assert (report.error.file, report.error.line) == (str(path), line)
    assert table_rows(store) == before


def test_a_million_column_header_is_no_crash(tmp_path, store):
    """A French bank CSV whose header line has a million columns failed with '(Error)' (the
    csv module's field limit): such a line is no header; the rows are still read."""
    lines = (BANK / "fr_bnp.csv").read_bytes().split(b"\n")
    header = next(i for i, line in enumerate(lines) if line.count(b";") >= 2)
    lines[header] = lines[header].rstrip(b"\r") + b";x" * 1_000_000
    path = tmp_path / "wide.csv"
    path.write_bytes(b"\n".join(lines))
    report = import_file(store, InputFile.from_path(path), "me")
    assert report.error is None or "Error)" not in report.error.message, report.error
    assert report.status == "imported"


def test_an_unreadable_file_is_reported_not_raised(tmp_path, store, monkeypatch):
    """Opening a file can fail (no permission: tests run as root, so the failure is made)."""
    import selfdata_kit.sources.base as base

    def denied(path, size):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(base, "data_end", denied)
    path = tmp_path / "a.qif"
    shutil.copyfile(BANK / "qif_cash_dotted.qif", path)
    (report,) = import_paths(store, [path], "me")
    assert report.status == "failed"
    assert "cannot be read (Permission denied)" in report.error.message
