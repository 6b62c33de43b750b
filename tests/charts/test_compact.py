"""Chart data compaction: a spec's datasets keep only the fields its views read, and the
chart drawn from it is the same."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from selfdata_kit.charts import render, spending
from selfdata_kit.charts.compact import compact_spec


def _page_spec(chart: alt.TopLevelMixin) -> dict:
    """The spec as a page carries it (what `vegaEmbed` gets)."""
    html = render.to_html(chart, "en")
    text = re.search(r"vegaEmbed\(\"#[^\"]+\", (\{.*\}), \{", html).group(1)
    return json.loads(text)


def _fields_of(spec: dict) -> set[str]:
    return {key for rows in spec["datasets"].values() for row in rows for key in row}


def test_a_compacted_spec_holds_only_the_fields_its_encodings_use() -> None:
    frame = pd.DataFrame({"category": ["food", "rent"], "amount": [120.5, 700.0],
                          "share": [0.15, 0.85], "payments": [12, 1],
                          "account_id": ["FR76 3000 6000 0112 3456 7890 189"] * 2,
                          "note": ["<b>not drawn</b>"] * 2})
    spec = _page_spec(spending.by_category(frame, "en"))
    # y, x and the tooltips: category_name (derived by the builder), amount, share, payments
    assert _fields_of(spec) == {"category_name", "amount", "share", "payments"}
    assert "FR76" not in json.dumps(spec)
    assert len(next(iter(spec["datasets"].values()))) == 2  # every row is kept


def test_layers_keep_the_fields_of_each_layer_and_of_their_parent() -> None:
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                          "money_in": [1000.0, 1100.0], "money_out": [900.0, 1200.0],
                          "net": [100.0, -100.0], "unused": [1, 2]})
    spec = _page_spec(spending.monthly_in_out(frame, "en"))
    kept = [set(rows[0]) for rows in spec["datasets"].values()]
    assert sorted(kept, key=len) == [{"month", "net"}, {"month", "flow", "amount"}]

    a = pd.DataFrame({"x": [1, 2], "y": [3, 4], "drop_a": [0, 0]})
    b = pd.DataFrame({"x": [1, 2], "z": [5, 6], "drop_b": [0, 0]})
    layered = alt.layer(alt.Chart(a).mark_point().encode(y="y:Q"),
                        alt.Chart(b).mark_line().encode(y="z:Q")).encode(x="x:Q")
    spec = compact_spec(layered.to_dict())
    assert sorted(set(rows[0]) for rows in spec["datasets"].values()) == [
        {"x", "y"}, {"x", "z"}]  # the parent's x reads each layer's own data


def test_transforms_keep_what_they_read() -> None:
    frame = pd.DataFrame({"kwh": [1.0, 2.0], "eur": [0.2, 0.4], "kind": ["a", "b"],
                          "drop": [0, 0]})
    chart = alt.Chart(frame).transform_filter("datum.eur > 0").transform_calculate(
        price="datum['eur'] / datum.kwh").transform_regression(
        "kwh", "price", groupby=["kind"]).mark_line().encode(x="kwh:Q", y="price:Q")
    assert _fields_of(compact_spec(chart.to_dict())) >= {"kwh", "eur", "kind"}
    assert "drop" not in _fields_of(compact_spec(chart.to_dict()))


@pytest.mark.parametrize("expression", ["datum[name] > 0", "keys(datum).length > 2"])
def test_a_dataset_read_in_a_way_not_understood_is_kept_whole(expression: str) -> None:
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    chart = alt.Chart(frame).transform_filter(expression).mark_point().encode(x="a:Q")
    assert _fields_of(compact_spec(chart.to_dict())) == {"a", "b", "c"}


def test_the_compacted_chart_draws_the_same_svg() -> None:
    import vl_convert as vlc

    frame = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-02-01"]),
                          "balance": [1200.5, 980.25, 1500.0], "account": ["A", "A", "A"],
                          "from_zero": [False, False, False], "account_id": ["x", "x", "x"]})
    spec = spending.balance_over_time(frame, "fr").to_dict()
    compacted = compact_spec(spec)
    assert "account_id" not in _fields_of(compacted)
    assert vlc.vegalite_to_svg(compacted) == vlc.vegalite_to_svg(spec)
