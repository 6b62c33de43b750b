"""A report computes an analysis once even when its key figures and a section both show it,
hands each caller its own copy, and forgets everything when the next report opens."""

from __future__ import annotations

import pandas as pd

from selfdata_kit.analysis.scope import Scope
from selfdata_kit.reports import notebook


def test_an_analysis_shared_by_key_figures_and_a_section_runs_once(sample_store) -> None:
    calls = []

    def analysis(con, scope):
        calls.append(scope)
        return pd.DataFrame({"x": [1.0, 2.0]})

    report = notebook.open_report(sample_store, "nobody", topic_name="spending")
    first = notebook.once(analysis, report.con, report.scope)
    first.loc[0, "x"] = 99.0  # a caller changing its frame changes nobody else's
    second = notebook.once(analysis, report.con, report.scope)
    assert len(calls) == 1 and second["x"].tolist() == [1.0, 2.0]
    notebook.once(analysis, report.con, Scope("someone-else"))
    assert len(calls) == 2
    again = notebook.open_report(sample_store, "nobody", topic_name="spending")
    notebook.once(analysis, again.con, again.scope)
    assert len(calls) == 3  # a new report recomputes


def test_the_energy_report_prices_the_offers_once(sample_store, monkeypatch) -> None:
    """The key figures and the offers section show the same decisions: one pricing run."""
    from selfdata_kit.analysis import energy_offers
    from selfdata_kit.reports import energy
    from tests.conftest import SAMPLES

    runs = []
    real = energy_offers.decisions
    monkeypatch.setattr(energy_offers, "decisions",
                        lambda con, scope, *a, **k: runs.append(scope) or real(con, scope))
    report = notebook.open_report(sample_store, SAMPLES[0], topic_name="energy")
    figures = dict(energy.key_figures(report.con, report.scope, "en"))
    offers = notebook.once(energy.SECTIONS["energy_offers"].analysis, report.con, report.scope)
    assert len(runs) == 1 and len(offers) >= 3 and figures
    d = notebook.once(energy_offers.decisions, report.con, report.scope)
    d["energy_offers"].clear()  # a caller changing its dict changes nobody else's
    assert notebook.once(energy_offers.decisions, report.con, report.scope)["energy_offers"]
