"""The energy report shows the decisions section for every sample persona: its title, a chart,
its "how to read" with the uncertainty, and the decision key figures, in French and English."""

from __future__ import annotations

import pytest

from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.reports import energy as report
from selfdata_kit.store import open_store
from tests.conftest import SAMPLES
from tests.reports.test_notebooks import _outputs, _run

TITLES = {"fr": "Quelle offre d'électricité vous aurait coûté le moins ?",
          "en": "Which electricity offer would have cost you the least?"}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_offers_section_renders_with_its_chart_and_uncertainty(sample_store, tmp_path,
                                                                  lang) -> None:
    nb = _run("energy", sample_store, tmp_path, person=SAMPLES[1], lang=lang)
    cell = next(c for c in nb["cells"] if 'r.show("energy_offers")' in "".join(c["source"]))
    texts = ["".join(o["data"].get("text/markdown", "")) for o in cell["outputs"]]
    html = ["".join(o["data"].get("text/html", "")) for o in cell["outputs"]]
    assert f"## {TITLES[lang]}" in texts[0]
    assert any('class="selfdata-chart"' in h for h in html)
    peak = {"fr": "le vrai pic, plus bref, est plus haut", "en": "the real, shorter peak is higher"}
    assert peak[lang] in texts[-1] and "Tempo" in texts[-1]  # the uncertainty, said
    assert "kVA" in _outputs(nb, "text/markdown")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_decision_key_figures(sample_store, lang) -> None:
    with open_store(sample_store, read_only=True) as s:
        rows = dict(report.key_figures(s.con, make_scope(s.con, SAMPLES[2]), lang))
    share = next(v for k, v in rows.items() if k.startswith(("Part en heures creuses",
                                                              "Off-peak share")))
    assert share.replace("\u202f", "").endswith("%")
    assert any("kVA" in v for v in rows.values())
    assert any(k.startswith(("Offre la moins chère", "Cheapest offer")) for k in rows)
