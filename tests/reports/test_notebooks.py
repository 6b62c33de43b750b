"""Every report notebook runs under papermill for every sample persona, in French and in
English, without error; and is committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill
import pytest

from selfdata_kit.reports.notebook import TOPICS
from tests.conftest import NOTEBOOKS, SAMPLES

PARAMETERS = {"store", "person", "start", "end", "lang", "screen_safe"}

# sample_store (tests/conftest.py): the sample personas and "nobody", a person with no data


def _run(name: str, store: Path, tmp_path: Path, **params: object) -> dict:
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out),
                               parameters={"store": str(store), **params},
                               cwd=str(NOTEBOOKS), progress_bar=False, kernel_name="python3")
    return json.loads(out.read_text(encoding="utf-8"))


def _outputs(nb: dict, kind: str) -> str:
    """Every output of one mime type, joined."""
    return "\n".join("".join(o.get("data", {}).get(kind, ""))
                     for c in nb["cells"] for o in c.get("outputs", []))


@pytest.mark.parametrize("name", TOPICS)
def test_notebook_is_thin_parameterized_and_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assigned = {line.split("=")[0].strip() for line in tagged[0].source.splitlines()
                if "=" in line and not line.lstrip().startswith("#")}
    assert assigned >= PARAMETERS
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert len(cell.source.splitlines()) <= 12, "keep logic in the package"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("person", SAMPLES)
@pytest.mark.parametrize("name", TOPICS)
def test_notebook_runs_for_every_sample_persona(sample_store, tmp_path, name, person,
                                                lang) -> None:
    nb = _run(name, sample_store, tmp_path, person=person, lang=lang)
    htmls = [o["data"]["text/html"] for c in nb["cells"] for o in c.get("outputs", [])
             if "text/html" in o.get("data", {})]
    bundles = [h for h in htmls if len("".join(h)) > 500_000]
    assert len(bundles) == 1, "the Vega bundle is embedded once, offline"
    charts = [h for h in htmls if 'class="selfdata-chart"' in "".join(h)]
    assert len(charts) >= 2, "charts are drawn"
    assert not any("cdn." in "".join(h) for h in charts)


@pytest.mark.slow
@pytest.mark.parametrize("name", TOPICS)
def test_a_person_without_data_gets_a_kind_message(sample_store, tmp_path, name) -> None:
    nb = _run(name, sample_store, tmp_path, person="nobody", lang="en")
    assert "No data here yet" in _outputs(nb, "text/markdown")
