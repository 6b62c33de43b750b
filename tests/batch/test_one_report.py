"""A one-report command (`selfdata report --person P --reports R`) runs its job in its own
process: no spawned worker importing the runner, papermill and nbconvert a second time; its
kernel is launched before the job is planned (it loads meanwhile on the other core) and
stopped at the end; the index's line comes from that kernel; the page is byte for byte the
one a spawned worker writes. Several jobs
with `--jobs 2` still go to the spawned pool. (Times: benchmarks/one_report.py.)"""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import pytest

from selfdata_kit.batch import runner, warm_kernel
from selfdata_kit.cli import main
from selfdata_kit.commands import report as report_command
from tests.conftest import ROOT, SAMPLES, copy_store

ONE = SAMPLES[0]


class NoPool:
    def __init__(self, *args, **kwargs) -> None:
        raise AssertionError("a spawned worker pool was started")


class CountingPool(concurrent.futures.ProcessPoolExecutor):
    started: list[int] = []

    def __init__(self, *args, **kwargs) -> None:
        CountingPool.started.append(kwargs.get("max_workers"))
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="module")
def store(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(sample_store, tmp_path_factory.mktemp("one") / "s.duckdb", keep=[ONE])


def test_who_runs_here() -> None:
    assert runner.in_this_process(1, 2) and runner.in_this_process(5, 1)
    assert not runner.in_this_process(2, 2) and not runner.in_this_process(0, 2)


def test_a_pool_batch_launches_no_kernel_here(monkeypatch) -> None:
    monkeypatch.setattr(warm_kernel, "launch", NoPool)
    with runner.local_kernel(4, 2):
        pass
    with runner.local_kernel(1, 2, executor="dask"):
        pass


@pytest.mark.slow  # renders a report (a Jupyter kernel)
def test_one_report_runs_in_this_process_on_a_kernel_launched_first(store: Path, tmp_path,
                                                                    monkeypatch) -> None:
    monkeypatch.delenv(runner.SPAWN_ENV, raising=False)
    monkeypatch.setattr(runner, "ProcessPoolExecutor", NoPool)
    seen = []
    plan = report_command.plan

    def planning(*args, **kwargs):
        seen.append(warm_kernel.running())  # the kernel is loading while the job is planned
        return plan(*args, **kwargs)

    monkeypatch.setattr(report_command, "plan", planning)
    out = tmp_path / "here"
    args = ["report", "--person", ONE, "--reports", "calls", "--store", str(store),
            "--out", str(out), "--lang", "en"]
    assert main(args) == 0
    assert seen == [True]
    assert not warm_kernel.running()  # stopped with the command
    assert (out / ONE / "calls.html").exists() and (out / ONE / "calls.ipynb").exists()
    # the index's line was computed by the kernel: the one this process computes
    summary = out / ONE / "calls.summary"
    fingerprint = (out / ONE / "calls.inputs").read_text()
    assert summary.read_text(encoding="utf-8").startswith(fingerprint + "\n")
    kept, index = summary.read_bytes(), (out / "index.html").read_bytes()
    summary.unlink()
    # nothing to render: the kernel launched for the job is stopped all the same
    assert main(args) == 0
    assert seen == [True, True] and not warm_kernel.running()
    assert summary.read_bytes() == kept and (out / "index.html").read_bytes() == index


@pytest.mark.slow  # renders a report twice, once in a spawned worker
def test_the_page_is_the_one_a_spawned_worker_writes(store: Path, tmp_path,
                                                     monkeypatch) -> None:
    out, names = tmp_path / "out", ("energy.html", "energy.ipynb", "energy.inputs")

    def render() -> dict[str, bytes]:  # the same folder both times: the same output path
        assert main(["report", "--person", ONE, "--reports", "energy", "--store", str(store),
                     "--out", str(out), "--lang", "en", "--force"]) == 0
        return {name: (out / ONE / name).read_bytes() for name in names}

    monkeypatch.setenv(runner.SPAWN_ENV, "1")
    monkeypatch.setattr(runner, "ProcessPoolExecutor", CountingPool)
    CountingPool.started.clear()
    spawned = render()
    assert CountingPool.started == [1]  # the baseline path: one spawned worker
    monkeypatch.delenv(runner.SPAWN_ENV)
    here = render()
    assert CountingPool.started == [1]
    for name in names:
        assert here[name] == spawned[name], name


@pytest.mark.slow  # renders two reports in a pool of two spawned workers
def test_several_jobs_with_two_workers_still_use_the_pool(store: Path, tmp_path,
                                                          monkeypatch) -> None:
    monkeypatch.delenv(runner.SPAWN_ENV, raising=False)
    monkeypatch.setattr(runner, "ProcessPoolExecutor", CountingPool)
    CountingPool.started.clear()
    assert main(["report", "--person", ONE, "--reports", "calls,media", "--jobs", "2",
                 "--store", str(store), "--out", str(tmp_path / "pool"), "--lang", "en"]) == 0
    assert CountingPool.started == [2] and not warm_kernel.running()


def test_the_skipped_import_changes_no_schema_check() -> None:
    """`warm_kernel.UNUSED` (rfc3987_syntax) only serves jsonschema's "iri" formats: no schema
    the reports validate against (Vega-Lite's, the notebook format's) uses one, and with it
    skipped jsonschema and Altair still import and validate."""
    import altair
    import nbformat

    schemas = [*Path(altair.__file__).parent.glob("vegalite/v*/schema/*.json"),
               *Path(nbformat.__file__).parent.rglob("*.json")]
    assert len(schemas) >= 3
    for schema in schemas:
        formats = {f for f in _formats(json.loads(schema.read_text(encoding="utf-8")))}
        assert not {"iri", "iri-reference"} & formats, schema
    code = ("from selfdata_kit.batch import warm_kernel\n"
            "warm_kernel.skip_unused_imports()\n"
            "import sys, altair as alt, nbformat, jsonschema\n"
            "alt.Chart(alt.Data(values=[{'a': 1}])).mark_bar().encode(x='a:Q').to_dict()\n"
            "nbformat.validate(nbformat.v4.new_notebook())\n"
            "print(sys.modules.get('rfc3987_syntax'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "None"


def _formats(node: object):
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats(value)
