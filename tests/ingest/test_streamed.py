"""Big files of streaming formats (Records.json, Timeline.json, Android backups) are read and
written in pieces, in one transaction: the same store as parsing them whole, and all or
nothing however late an error comes (issue 19: memory bounded by the data)."""

from __future__ import annotations

import json
import pickle
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError, RejectedRowsError
from selfdata_kit.ingest import files
from selfdata_kit.ingest.files import import_file, prepare_file, write_prepared
from selfdata_kit.ingest.inputs import expand
from selfdata_kit.sources import base
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.store import beside as store_beside
from selfdata_kit.store import open_store
from tests.conftest import CONFORMANCE, SAMPLE_DATA, table_rows
from tests.ingest.store_diff import store_differences

TESTS = Path(__file__).resolve().parents[1]
PLACES = TESTS / "sources" / "places" / "fixtures"
CALLS = TESTS / "sources" / "calls" / "fixtures"

START = datetime(2023, 1, 1)
# (files imported one after the other into one store, skip_bad_rows)
CASES = {
    "records": ([PLACES / "Records.json"], False),
    "legacy": ([PLACES / "Location History.json"], False),
    "records-bad-rows": ([PLACES / "records_bad_rows.json"], True),
    "timeline-android": ([PLACES / "Timeline.json"], False),
    "timeline-ios": ([PLACES / "location-history.json"], False),
    "records-twice": ([PLACES / "Records.json", PLACES / "Records.json"], False),
    "android-calls-then-later": ([CALLS / "android_calls.xml",
                                  CALLS / "android_calls_later.xml"], False),
    "android-sms": ([CALLS / "android_sms.xml"], False),
    "android-bad": ([CALLS / "android_calls_bad.xml"], True),
    "samples": (sorted(SAMPLE_DATA.glob("p000*/calls/*.xml")), False),
    "conformance": ([CONFORMANCE / "places" / "takeout_records.json",
                     CONFORMANCE / "places" / "takeout_location_history_legacy.json",
                     CONFORMANCE / "calls" / "android_sms_backup_restore_calls.xml"], False),
}


@pytest.fixture
def streaming(monkeypatch):
    """Every file of a streaming format streamed, in pieces of `chunk` rows; counts the
    files that went through the streamed writer. `beside`: every one written into a copy
    of the store in parts of `part` rows, swapped in (`store.beside`), else in place."""
    calls = []

    def spying(real):
        def spy(*args, **kwargs):
            calls.append(kwargs["path"])
            return real(*args, **kwargs)
        return spy

    def use(chunk: int, beside: bool = False, part: int = 2) -> list[str]:
        monkeypatch.setattr(base, "STREAM_ABOVE", 0)
        monkeypatch.setattr(files, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(files, "BESIDE_ABOVE", -1 if beside else 1 << 40)
        monkeypatch.setattr(store_beside, "PART_ROWS", part)
        monkeypatch.setattr(files, "import_streamed", spying(files.import_streamed))
        monkeypatch.setattr(files, "import_beside", spying(files.import_beside))
        return calls

    return use


def _import(path: Path, paths: list[Path], skip: bool) -> list:
    outcomes = []
    with open_store(path) as store:
        for p in paths:
            out = import_file(store, InputFile.from_path(p), "alice", skip_bad_rows=skip)
            assert out.status == "imported", out.error
            outcomes.append((out.counts.rows_read, out.counts.rows_inserted,
                             out.counts.rows_duplicate, out.counts.rows_rejected,
                             out.issues))
    return outcomes


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("chunk", "beside"), [(1, False), (3, False), (1, True),
                                               (3, True)])
def test_streamed_gives_the_store_of_the_whole_file(tmp_path, streaming, case, chunk, beside):
    paths, skip = CASES[case]
    if not all(p.exists() for p in paths):
        pytest.skip("conformance files not available")
    open_store(tmp_path / "whole.duckdb").close()  # both stores: the same pseudonym key
    shutil.copyfile(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb")
    whole = _import(tmp_path / "whole.duckdb", paths, skip)
    streamed_files = streaming(chunk, beside)
    streamed = _import(tmp_path / "streamed.duckdb", paths, skip)
    assert len(streamed_files) == len(paths)  # each went through the streamed writer
    assert streamed == whole  # counts, duplicates and rejected rows alike
    assert store_differences(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb") == {}


def _records(n: int, last: str | None = None, bad_at: int | None = None) -> str:
    """A Records.json of `n` distinct points; `bad_at`: that record has no timestamp;
    `last`: replaces the closing of the file (a truncated one)."""
    recs = []
    for i in range(n):
        rec = {"latitudeE7": 488566100 + i, "longitudeE7": 23522200 + i, "accuracy": 10,
               "timestamp": (START + timedelta(seconds=i)).isoformat() + ".000Z"}
        if i == bad_at:
            del rec["timestamp"]
        recs.append(json.dumps(rec))
    text = '{"locations": [\n' + ",\n".join(recs)
    return text + (last if last is not None else "\n]}\n")


def _store_with_data(path: Path):
    store = open_store(path)
    out = import_file(store, InputFile.from_path(CALLS / "android_calls.xml"), "alice")
    assert out.status == "imported"
    out = import_file(store, InputFile.from_path(PLACES / "Records.json"), "alice")
    assert out.status == "imported"
    return store


@pytest.mark.parametrize("skip", [False, True])
def test_a_parse_error_in_the_last_piece_leaves_the_store_unchanged(tmp_path, streaming, skip):
    big = tmp_path / "Records.json"
    big.write_text(_records(3000, last=',\n{"latitudeE7": 1, "timest'), encoding="utf-8")
    store = _store_with_data(tmp_path / "s.duckdb")
    before = table_rows(store)
    limit = store.run("SELECT current_setting('memory_limit')")
    calls = streaming(100)
    out = import_file(store, InputFile.from_path(big), "alice", skip_bad_rows=skip)
    assert calls and out.status == "failed"
    assert isinstance(out.error, FormatError) and out.error.line == 3002
    assert table_rows(store) == before
    assert store.run("SELECT current_setting('memory_limit')") == limit
    assert not store.run("SELECT table_name FROM duckdb_tables() WHERE temporary")
    # the store is usable: the same rows, whole, go in after
    big.write_text(_records(3000), encoding="utf-8")
    assert import_file(store, InputFile.from_path(big), "alice").status == "imported"
    store.close()


def test_a_bad_record_in_the_last_piece_refuses_the_file_as_whole_parsing_does(
        tmp_path, streaming):
    big = tmp_path / "Records.json"
    big.write_text(_records(3000, bad_at=2995), encoding="utf-8")
    store = _store_with_data(tmp_path / "s.duckdb")
    before = table_rows(store)
    whole = import_file(store, InputFile.from_path(big), "alice")
    streaming(100)
    streamed = import_file(store, InputFile.from_path(big), "alice")
    assert isinstance(streamed.error, RejectedRowsError)
    assert str(streamed.error) == str(whole.error) and streamed.error.hint == whole.error.hint
    assert streamed.error.line == 2997
    assert table_rows(store) == before
    # skipped: the other rows go in, the bad one is logged as parsing whole logs it
    out = import_file(store, InputFile.from_path(big), "alice", skip_bad_rows=True)
    assert out.counts.rows_inserted == 2999 and out.counts.rows_rejected == 1
    assert store.import_issues("alice")["line"].tolist() == [2997]
    store.close()


def test_a_truncated_android_backup_leaves_the_store_unchanged(tmp_path, streaming):
    sms = sorted(SAMPLE_DATA.glob("p000*/calls/sms-*.xml"))[0]
    cut = tmp_path / "sms-cut.xml"
    data = sms.read_bytes()
    cut.write_bytes(data[: len(data) - 200])  # the last records and the closing tag lost
    store = _store_with_data(tmp_path / "s.duckdb")
    before = table_rows(store)
    streaming(50)
    out = import_file(store, InputFile.from_path(cut), "alice")
    assert out.status == "failed" and isinstance(out.error, FormatError)
    assert out.error.line is not None
    assert table_rows(store) == before
    store.close()


def test_a_streamed_file_can_be_prepared_in_another_process(tmp_path, streaming):
    """A cohort import prepares files in worker processes: a streamed file travels as where
    to reopen it (a file, or a member of a zip), and is read by the writer."""
    archive = tmp_path / "takeout.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(PLACES / "Records.json", "Takeout/Location History/Records.json")
    streaming(2)
    found = [f for f in expand([archive, CALLS / "android_sms.xml"]) if f.inp is not None]
    ctx = ParseContext("alice")
    with open_store(tmp_path / "s.duckdb") as store:
        ctx.hmac_key = store.hmac_key
        for f in found:
            prep = prepare_file(f.inp, ctx)
            assert prep.streamed is not None and prep.parsed is None
            again = pickle.loads(pickle.dumps(prep))
            out = write_prepared(store, again, "alice")
            assert out.status == "imported" and out.counts.rows_inserted > 0
    with pytest.raises(TypeError):  # bytes in memory have nowhere to be reopened from
        pickle.dumps(InputFile.from_bytes("x.json", b"[]"))


def test_only_big_files_are_streamed(tmp_path, monkeypatch):
    ctx = ParseContext("alice")
    small = prepare_file(InputFile.from_path(PLACES / "Records.json"), ctx)
    assert small.parsed is not None and small.streamed is None
    monkeypatch.setattr(base, "STREAM_ABOVE", (PLACES / "Records.json").stat().st_size - 1)
    big = prepare_file(InputFile.from_path(PLACES / "Records.json"), ctx)
    assert big.parsed is None and big.streamed is not None


@pytest.mark.slow  # a few seconds per source
@pytest.mark.parametrize("source", ["google-location-records", "google-timeline",
                                    "android-backup"])
def test_fuzzed_files_streamed_fail_cleanly(tmp_path, monkeypatch, source):
    """The fuzz test of tests/fuzz, through the streamed writer in pieces of 2 rows: only
    SelfdataError, and a failed file leaves the store exactly as it was."""
    from hypothesis import given
    from hypothesis import strategies as st

    from selfdata_kit.errors import SelfdataError
    from selfdata_kit.ingest.files import context_for
    from tests.fuzz.seeds import seed_paths
    from tests.fuzz.test_sources_fuzz import FUZZ, mutated

    monkeypatch.setattr(base, "STREAM_ABOVE", 0)
    monkeypatch.setattr(files, "CHUNK_ROWS", 2)
    paths = seed_paths(source)
    store = open_store(tmp_path / "fuzz.duckdb")
    ctx = context_for(store, "fuzz")
    streamed = []
    try:
        @FUZZ
        @given(data=mutated([p.read_bytes() for p in paths]),
               name=st.sampled_from([p.name for p in paths]))
        def check(data: bytes, name: str) -> None:
            inp = InputFile.from_bytes(f"fuzz-{name}", data)
            before = table_rows(store)
            prep = prepare_file(inp, ctx)
            streamed.append(prep.streamed is not None)
            outcome = write_prepared(store, prep, "fuzz")
            if outcome.status == "failed":
                assert isinstance(outcome.error, SelfdataError)
                assert outcome.error.file == inp.name
                assert table_rows(store) == before

        check()
    finally:
        store.close()
    assert any(streamed)


@pytest.mark.parametrize("beside", [False, True])
def test_a_cohort_with_streamed_files_gives_the_same_store(tmp_path, streaming, beside):
    """`import --cohort`: a batch holding a streamed file is written file by file; the store
    is the one a cohort import without streaming gives."""
    from selfdata_kit.ingest.cohort import import_cohort

    cohort = tmp_path / "cohort"
    for person, names in {"p1": [PLACES / "Records.json", CALLS / "android_calls.xml"],
                          "p2": [PLACES / "Timeline.json", CALLS / "android_sms.xml"]}.items():
        (cohort / person).mkdir(parents=True)
        for p in names:
            shutil.copy(p, cohort / person / p.name)
    open_store(tmp_path / "whole.duckdb").close()
    shutil.copyfile(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb")
    with open_store(tmp_path / "whole.duckdb") as store:
        import_cohort(store, cohort, jobs=1)
    calls = streaming(2, beside)
    with open_store(tmp_path / "streamed.duckdb") as store:
        summaries = import_cohort(store, cohort, jobs=1)
    assert len(calls) == 4
    assert all(f.status == "imported" for s in summaries for f in s.files)
    assert store_differences(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb") == {}


def test_a_streamed_file_of_too_many_rows_is_refused_whole(tmp_path, streaming, monkeypatch):
    big = tmp_path / "Records.json"
    big.write_text(_records(3000), encoding="utf-8")
    store = _store_with_data(tmp_path / "s.duckdb")
    before = table_rows(store)
    streaming(100)
    monkeypatch.setattr(files, "STREAMED_MAX_ROWS", 2500)
    out = import_file(store, InputFile.from_path(big), "alice")
    assert isinstance(out.error, FormatError) and "more than 2,500 rows" in str(out.error)
    assert "jq" in out.error.hint
    assert table_rows(store) == before
    store.close()


# --- files written beside the store: into a copy, in parts, swapped in (store.beside) -------

def _same_points(n: int) -> str:
    """A Records.json where each point comes three times, spread over the pieces: their
    occurrence numbers (hence uids) must be those of the whole file."""
    recs = [{"latitudeE7": 488566100 + i % (n // 3), "longitudeE7": 23522200, "accuracy": 10,
             "timestamp": (START + timedelta(seconds=i % (n // 3))).isoformat() + ".000Z"}
            for i in range(n)]
    return '{"locations": [\n' + ",\n".join(json.dumps(r) for r in recs) + "\n]}\n"


@pytest.mark.parametrize("beside", [False, True])
def test_identical_points_in_different_pieces_get_the_uids_of_the_whole_file(
        tmp_path, streaming, beside):
    big = tmp_path / "Records.json"
    big.write_text(_same_points(30), encoding="utf-8")
    open_store(tmp_path / "whole.duckdb").close()
    shutil.copyfile(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb")
    whole = _import(tmp_path / "whole.duckdb", [big, big], False)
    calls = streaming(4, beside, part=7)
    streamed = _import(tmp_path / "streamed.duckdb", [big, big], False)
    assert len(calls) == 2
    assert streamed == whole
    assert [c[1:3] for c in streamed] == [(30, 0), (0, 30)]  # the re-run adds nothing
    assert store_differences(tmp_path / "whole.duckdb", tmp_path / "streamed.duckdb") == {}


def _file_bytes(path: Path) -> dict[str, bytes]:
    """The store and whatever lies next to it (its log, a copy), byte for byte."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))
            if p.is_file()}


def test_a_late_error_beside_leaves_the_store_file_byte_for_byte(tmp_path, streaming):
    big = tmp_path / "Records.json"
    big.write_text(_records(3000, last=',\n{"latitudeE7": 1, "timest'), encoding="utf-8")
    store = _store_with_data(tmp_path / "s.duckdb")
    before, files_before = table_rows(store), _file_bytes(store.path)
    calls = streaming(100, beside=True, part=500)
    out = import_file(store, InputFile.from_path(big), "alice")
    assert calls and out.status == "failed" and out.error.line == 3002
    assert _file_bytes(store.path) == files_before  # no copy left, the store not written
    assert table_rows(store) == before
    big.write_text(_records(3000), encoding="utf-8")
    out = import_file(store, InputFile.from_path(big), "alice")
    assert out.status == "imported" and out.counts.rows_inserted == 3000
    assert not store_beside.leftovers(store.path)
    store.close()
    assert (tmp_path / "s.duckdb").stat().st_mode & 0o777 == 0o600  # the copy, swapped in


KILLED_IMPORT = """
import os, signal, sys
from selfdata_kit.ingest import files
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import base
from selfdata_kit.sources.base import InputFile
from selfdata_kit.store import beside, open_store

base.STREAM_ABOVE, files.CHUNK_ROWS, files.BESIDE_ABOVE, beside.PART_ROWS = 0, 100, -1, 500
commit, commits = beside._commit, []
def killing_commit(copy):
    commit(copy)
    commits.append(1)
    if len(commits) == 3:  # three parts committed in the copy, not in the store
        os.kill(os.getpid(), signal.SIGKILL)
beside._commit = killing_commit
store = open_store(sys.argv[1])
import_file(store, InputFile.from_path(sys.argv[2]), "alice")
"""


def test_a_kill_beside_leaves_the_store_file_byte_for_byte(tmp_path):
    import subprocess
    import sys

    big = tmp_path / "Records.json"
    big.write_text(_records(3000), encoding="utf-8")
    _store_with_data(tmp_path / "s.duckdb").close()
    files_before = _file_bytes(tmp_path / "s.duckdb")
    run = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(tmp_path / "s.duckdb"),
                          str(big)], capture_output=True, text=True, cwd=TESTS.parent)
    assert run.returncode == -9, run.stderr
    left = _file_bytes(tmp_path / "s.duckdb")
    assert store_beside.copy_path(tmp_path / "s.duckdb").name in left  # the copy, killed
    assert {k: v for k, v in left.items() if ".import" not in k} == files_before
    with open_store(tmp_path / "s.duckdb") as store:  # removes the copy
        assert not store_beside.leftovers(store.path)
        places = store.run("SELECT count(*) FROM places")[0][0]
        out = import_file(store, InputFile.from_path(big), "alice")
        assert out.counts.rows_inserted == 3000  # the re-run counts each row once
        assert store.run("SELECT count(*) FROM places")[0][0] == places + 3000


def test_a_file_past_the_old_row_limit_goes_in_beside(tmp_path, streaming, monkeypatch):
    """The limit was 4,500,000 rows (one transaction: two copies of the index at its
    commit); written beside, in parts, it is 8,500,000 (here lowered, at tiny pieces)."""
    assert files.STREAMED_MAX_ROWS >= 8_500_000  # a 2 GiB Records.json: 8.2 M points
    big = tmp_path / "Records.json"
    big.write_text(_records(3000), encoding="utf-8")
    store = _store_with_data(tmp_path / "s.duckdb")
    streaming(100, beside=True, part=250)
    monkeypatch.setattr(files, "STREAMED_MAX_ROWS", 2999)
    out = import_file(store, InputFile.from_path(big), "alice")
    assert isinstance(out.error, FormatError) and "more than 2,999 rows" in str(out.error)
    assert out.error.file == InputFile.from_path(big).name  # the file named
    monkeypatch.setattr(files, "STREAMED_MAX_ROWS", 3000)
    out = import_file(store, InputFile.from_path(big), "alice")
    assert out.status == "imported" and out.counts.rows_inserted == 3000
    store.close()
