"""Cohort aggregates under the threshold rule: a cell of 9 persons is suppressed, a cell of 10
is shown (the other rules: tests/analysis/test_disclosure.py)."""

from __future__ import annotations

import pandas as pd

from selfdata_kit.analysis.cohort import STATS, distributions


def _metrics(sizes: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    persons = [(f"{group}-{i}", group) for group, n in sizes.items() for i in range(n)]
    metrics = pd.DataFrame({"person_id": [p for p, _ in persons],
                            "energy.standby_watts": [100.0 + i for i in range(len(persons))]})
    groups = pd.DataFrame({"person_id": [p for p, _ in persons],
                           "heating": [g for _, g in persons]})
    return metrics, groups


def test_a_cell_of_nine_is_suppressed_and_a_cell_of_ten_is_shown() -> None:
    metrics, groups = _metrics({"gas": 9, "electric": 10})
    gas = metrics[metrics["person_id"].str.startswith("gas")]
    out = distributions(gas).iloc[0]
    assert out["suppressed"] and out["reason"] == "fewer than 10 persons"
    assert out["n_persons"] is None and all(out[s] is None for s in STATS)
    out = distributions(metrics[~metrics.index.isin(gas.index)]).iloc[0]
    assert out["n_persons"] == 10 and not out["suppressed"] and out["median"] == 113.5
    # side by side, the group of ten would give the nine away by subtraction from the
    # total: both are hidden, the total of 19 is shown
    both = distributions(metrics, groups=groups, by="heating").set_index("heating")
    assert both.loc["gas", "reason_code"] == "threshold"
    assert both.loc["electric", "reason_code"] == "secondary"
    assert distributions(metrics).iloc[0]["n_persons"] == 19


def test_persons_without_a_value_do_not_count() -> None:
    metrics, _ = _metrics({"all": 11})
    metrics.loc[:1, "energy.standby_watts"] = None  # two persons without a meter
    out = distributions(metrics)
    assert out["n_persons"].tolist() == [None] and out["suppressed"].tolist() == [True]
    assert distributions(metrics, k=5)["n_persons"].tolist() == [9]
