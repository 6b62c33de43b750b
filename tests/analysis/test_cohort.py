"""k-anonymity of cohort aggregates: a group of 4 is suppressed, a group of 5 is shown."""

from __future__ import annotations

import pandas as pd
import pytest

from selfdata_kit.analysis.cohort import STATS, check_k, distributions
from selfdata_kit.errors import SelfdataError


def _metrics(sizes: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    persons = [(f"{group}-{i}", group) for group, n in sizes.items() for i in range(n)]
    metrics = pd.DataFrame({"person_id": [p for p, _ in persons],
                            "energy.standby_watts": [100.0 + i for i in range(len(persons))]})
    groups = pd.DataFrame({"person_id": [p for p, _ in persons],
                           "heating": [g for _, g in persons]})
    return metrics, groups


def test_a_group_of_four_is_suppressed_and_a_group_of_five_is_shown() -> None:
    metrics, groups = _metrics({"gas": 4, "electric": 5})
    out = distributions(metrics, k=5, groups=groups, by="heating").set_index("heating")
    assert out.loc["gas", "n_persons"] == 4 and bool(out.loc["gas", "suppressed"])
    assert all(out.loc["gas", s] is None for s in STATS)
    assert out.loc["electric", "n_persons"] == 5 and not out.loc["electric", "suppressed"]
    assert out.loc["electric", "median"] == 106.0


def test_persons_without_a_value_do_not_count() -> None:
    metrics, _ = _metrics({"all": 6})
    metrics.loc[:1, "energy.standby_watts"] = None  # two persons without a meter
    out = distributions(metrics, k=5)
    assert out["n_persons"].tolist() == [4] and out["suppressed"].tolist() == [True]


@pytest.mark.parametrize("k", [0, 1])
def test_k_is_never_below_two(k: int) -> None:
    with pytest.raises(SelfdataError, match="at least 2"):
        check_k(k)
