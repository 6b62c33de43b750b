"""`import --cohort` writes several persons' files per transaction: the store must hold
exactly what file-by-file writing gives (rows, import ids, counts, import log, rejected rows,
skipped files), a file that fails to parse or to write leaves no row, and re-importing adds
nothing. Parsing on a Dask cluster gives the same store as local workers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from selfdata_kit.cli import main
from selfdata_kit.ingest import cohort as cohort_module
from selfdata_kit.ingest.cohort import PersonImport, import_cohort
from selfdata_kit.store import open_store
from tests.ingest.store_diff import store_differences

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def broken_cohort(cohort_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated cohort, with, in the second person's folder (in the middle of a batch):
    a truncated OFX (fails to parse), a bank CSV with an unreadable row (rejected row), and
    a second copy of its OFX under another name (every row a duplicate, in the same batch)."""
    root = tmp_path_factory.mktemp("broken") / "cohort"
    shutil.copytree(cohort_dir, root)
    second = sorted(p for p in root.iterdir() if p.is_dir())[1]
    ofx = next((second / "bank").glob("*.ofx"))
    data = ofx.read_bytes()
    (second / "bank" / "a_truncated.ofx").write_bytes(data[: len(data) // 2])
    shutil.copy(ofx, second / "bank" / "z_copy.ofx")
    csv = next((second / "bank").glob("*.csv"))
    csv.write_bytes(csv.read_bytes() + b"31/12/2024;VIREMENT;VIREMENT;douze euros;EUR\r\n")
    return root


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store: every store of these tests is a copy, so they share the
    pseudonymisation key and their contact ids can be compared."""
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    open_store(path).close()
    return path


def _import(template: Path, path: Path, cohort: Path, times: int = 1,
            **options: object) -> list[list[PersonImport]]:
    shutil.copy(template, path)
    with open_store(path) as store:
        return [import_cohort(store, cohort, log_unknown=True, skip_bad_rows=True, **options)
                for _ in range(times)]


def _outcomes(runs: list[list[PersonImport]]) -> list:
    return [[(s.person, [(f.name, f.status, f.counts and f.counts.__dict__,
                          f.error and str(f.error), f.reason) for f in s.files])
             for s in summaries] for summaries in runs]


def test_batches_give_the_store_file_by_file_writing_gives(broken_cohort, template,
                                                           tmp_path) -> None:
    one_by_one = _import(template, tmp_path / "files.duckdb", broken_cohort, times=2,
                         jobs=1, batch=0)
    batched = _import(template, tmp_path / "batch.duckdb", broken_cohort, times=2,
                      jobs=2, batch=4)
    assert store_differences(tmp_path / "files.duckdb", tmp_path / "batch.duckdb") == {}
    assert _outcomes(batched) == _outcomes(one_by_one)
    second = batched[0][1]
    status = {Path(f.name).name: f for f in second.files}
    assert status["a_truncated.ofx"].status == "failed"
    copy = status["z_copy.ofx"].counts
    assert copy and copy.rows_inserted == 0 and copy.rows_duplicate > 0
    assert any(f.counts and f.counts.rows_rejected == 1 for f in second.files)
    with open_store(tmp_path / "batch.duckdb", read_only=True) as s:
        # the truncated file left no trace; the rejected row is in the log
        assert not s.run("SELECT 1 FROM imports WHERE path LIKE '%a_truncated%'")
        assert s.run("SELECT count(*) FROM import_issues WHERE line IS NOT NULL") == [(2,)]
        # truth.json: a file no format knows, logged once per person
        assert s.run("SELECT count(*), count(DISTINCT person_id) FROM imports"
                     " WHERE status = 'skipped'") == [(6, 6)]
    # the second import added no row: every file came back as duplicates only
    assert all(f.counts.rows_inserted == 0 for s in batched[1] for f in s.files if f.counts)


def _spoil_one_file(monkeypatch: pytest.MonkeyPatch, person: str) -> None:
    """A parser bug on one file: a value that does not fit the schema (kWh as text), found
    only when the batch is written."""
    real = cohort_module.prepare_person

    def prepare(folder: str, who: str, key: bytes, options: dict):
        prepared = real(folder, who, key, options)
        if who == person:
            spoiled = next(p for p in prepared if p.parsed and "energy" in p.parsed.tables)
            energy = spoiled.parsed.tables["energy"]
            if isinstance(energy, pa.Table):
                energy = energy.to_pandas()
            energy = energy.astype({"kwh": object})
            energy.loc[len(energy) // 2, "kwh"] = "about three"
            spoiled.parsed.tables["energy"] = energy
        return prepared

    monkeypatch.setattr(cohort_module, "prepare_person", prepare)


def test_a_batch_that_fails_to_write_is_written_again_file_by_file(
        broken_cohort, template, tmp_path, monkeypatch) -> None:
    person = sorted(p.name for p in broken_cohort.iterdir())[2]
    _spoil_one_file(monkeypatch, person)
    one_by_one = _import(template, tmp_path / "files.duckdb", broken_cohort, jobs=1, batch=0)
    batched = _import(template, tmp_path / "batch.duckdb", broken_cohort, jobs=1, batch=6)
    assert store_differences(tmp_path / "files.duckdb", tmp_path / "batch.duckdb") == {}
    assert _outcomes(batched) == _outcomes(one_by_one)
    failed = [f for s in batched[0] for f in s.failed]
    assert [(Path(f.name).parent.name, "does not fit the schema" in str(f.error))
            for f in failed if "truncated" not in f.name] == [("energy", True)]
    with open_store(tmp_path / "batch.duckdb", read_only=True) as s:
        # no row of the spoiled file (its person's only energy file), the others all in
        assert s.run("SELECT count(*) FROM energy WHERE person_id = ?", [person]) == [(0,)]
        assert s.run("SELECT count(DISTINCT person_id) FROM energy") == [(5,)]


def test_parsing_on_a_dask_cluster_gives_the_same_store(broken_cohort, template,
                                                        tmp_path) -> None:
    import distributed  # in the dev extra: the Dask executor is tested, never skipped

    _import(template, tmp_path / "local.duckdb", broken_cohort, jobs=2)
    shutil.copy(template, tmp_path / "dask.duckdb")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        assert main(["import", "--cohort", str(broken_cohort), "--store",
                     str(tmp_path / "dask.duckdb"), "--skip-bad-rows", "--executor", "dask",
                     "--scheduler", cluster.scheduler_address]) == 1  # the truncated OFX
    assert store_differences(tmp_path / "local.duckdb", tmp_path / "dask.duckdb") == {}
