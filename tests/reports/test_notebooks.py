"""Every report notebook runs under papermill for every sample persona, in French and in
English, without error; and is committed without outputs."""

from __future__ import annotations

import json
import re
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


# emoji and pictographs: a machine without an emoji font draws them as empty boxes
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")


@pytest.mark.slow
@pytest.mark.parametrize("person", SAMPLES)
def test_fun_facts_pages_need_no_emoji_font(sample_store, tmp_path, person) -> None:
    """The fun facts notebook's outputs and its HTML page hold no emoji: badge icons are SVG
    shapes; a cursor short of evidence says so."""
    from selfdata_kit.batch.html_page import notebook_to_html

    for lang in ("fr", "en"):
        nb = _run("fun_facts", sample_store, tmp_path, person=person, lang=lang)
        outputs = _outputs(nb, "text/html") + _outputs(nb, "text/markdown")
        assert not EMOJI.search(outputs), EMOJI.findall(outputs)
        assert '"shape"' in outputs  # the badges' icons are drawn from SVG paths
        page = notebook_to_html(tmp_path / "fun_facts.ipynb", "fun facts", lang)
        assert not EMOJI.search(page), EMOJI.findall(page)
    if person == "p0003-family-gas":  # 14 fresh-food purchases: the diet cursor holds back
        assert "Not enough data to say" in _outputs(nb, "text/html")
