"""The warm kernel a batch worker keeps: each notebook starts from a clean namespace (nothing
of the previous person's report leaks into the next), on the worker's one client, with the
long-lived heap frozen; and the executed notebook the runner writes is trusted by Jupyter."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest

from selfdata_kit.batch import runner, warm_engine, warm_kernel


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(source: Path, out: Path) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(source), str(out), engine_name=warm_engine.ENGINE,
                                      kernel_name="python3", progress_bar=False,
                                      request_save_on_cell_execute=False)


@pytest.mark.slow  # starts a Jupyter kernel
def test_each_notebook_starts_from_a_clean_namespace(tmp_path: Path) -> None:
    first = _notebook(tmp_path / "first.ipynb", "secret = 'person one'\nimport gc as mine")
    probe = _notebook(tmp_path / "probe.ipynb",
                      "import gc\nprint(sorted(n for n in ('secret', 'mine') if n in dir()),"
                      " gc.get_freeze_count() > 0)")
    try:
        _run(first, tmp_path / "first.out.ipynb")
        kernel_client = warm_kernel.client()
        nb = _run(probe, tmp_path / "probe.out.ipynb")
        # same kernel, same client, no name of the first notebook, the heap frozen
        assert nb.cells[0].outputs[0]["text"] == "[] True\n"
        assert warm_kernel.client() is kernel_client
        _run(first, tmp_path / "again.out.ipynb")
        assert _run(probe, tmp_path / "probe2.out.ipynb").cells[0].outputs[0]["text"] == (
            "[] True\n")
    finally:
        warm_kernel.stop()


def test_the_executed_notebook_is_written_deterministic_and_trusted(tmp_path, monkeypatch):
    from nbformat.sign import NotebookNotary

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    runner._notary.cache_clear()  # the notary of this test's Jupyter data folder
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.cells[0].execution_count = 7
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                  execution_count=7)]
    nb.cells[0].metadata["execution"] = {"iopub.status.idle": "2026-11-27T00:00:00Z"}
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    try:
        node = runner._make_deterministic(path)
        on_disk = nbformat.read(path, as_version=4)
        assert node == on_disk  # what the HTML export gets is what was written
        assert on_disk.cells[0].execution_count == 1
        assert "execution" not in on_disk.cells[0].metadata
        assert NotebookNotary().check_signature(on_disk)
    finally:
        runner._notary.cache_clear()
