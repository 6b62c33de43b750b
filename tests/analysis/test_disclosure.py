"""Disclosure control: each attack on published cohort cells is built and shown to fail, and
shown to succeed on what the rules would publish without the rule that stops it (so the
tests can fail)."""

from __future__ import annotations

import pandas as pd
import pytest

from selfdata_kit import cli
from selfdata_kit.analysis import disclosure
from selfdata_kit.analysis.cohort import STATS, check_k, coverage, distributions, load_groups
from selfdata_kit.errors import SelfdataError
from selfdata_kit.store.tables import migration_connection, migrations

METRIC = "spending.totals_by_category.food"


def _cohort(groups: dict[str, list[float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics and groups frames: one person per value, in the named group."""
    rows = [(f"{g}-{i}", g, v) for g, values in groups.items() for i, v in enumerate(values)]
    metrics = pd.DataFrame({"person_id": [p for p, _, _ in rows],
                            METRIC: [v for _, _, v in rows]})
    attributes = pd.DataFrame({"person_id": [p for p, _, _ in rows],
                               "heating": [g for _, g, _ in rows]})
    return metrics, attributes


def _by_group(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["heating"]: row for row in frame.to_dict("records")}


def _subtraction(total: dict, groups: dict[str, dict]) -> tuple[list[str], float, float]:
    """What an attacker gets by subtracting the published groups from the published total:
    the hidden groups, and their persons' count and sum taken together."""
    hidden = [g for g, row in groups.items() if row["n_persons"] is None]
    shown = [row for row in groups.values() if row["n_persons"] is not None]
    n = total["n_persons"] - sum(row["n_persons"] for row in shown)
    total_sum = total["mean"] * total["n_persons"]
    return hidden, n, total_sum - sum(row["mean"] * row["n_persons"] for row in shown)


def test_a_group_of_nine_beside_its_total_cannot_be_recomputed() -> None:
    values = {"gas": [80.0 + i for i in range(9)], "electric": [100.0 + i for i in range(12)],
              "wood": [150.0 + i for i in range(15)]}
    metrics, attributes = _cohort(values)
    total = distributions(metrics).iloc[0].to_dict()
    assert total["n_persons"] == 36 and not total["suppressed"]
    groups = _by_group(distributions(metrics, groups=attributes, by="heating"))
    assert groups["gas"]["reason"] == "fewer than 10 persons"
    assert all(groups["gas"][s] is None for s in (*STATS, "n_persons"))
    # the next smallest group is hidden with it: subtraction gives both together only
    assert groups["electric"]["suppressed"] and groups["electric"]["reason_code"] == "secondary"
    assert groups["electric"]["reason"] == "secondary: would reveal a suppressed cell"
    assert not groups["wood"]["suppressed"]
    hidden, n, _ = _subtraction(total, groups)
    assert hidden == ["electric", "gas"] and n == 21 >= 10
    # without secondary suppression, the same subtraction gives the group of nine exactly
    primary_only = _by_group(_primary_only(metrics, attributes))
    hidden, n, recovered = _subtraction(total, primary_only)
    assert hidden == ["gas"] and n == 9 and recovered == pytest.approx(sum(values["gas"]))


def _primary_only(metrics: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """The groups with rules 1 and 2 only (no family: no secondary suppression)."""
    data = metrics.merge(attributes, on="person_id")
    grouped = data.groupby("heating")[METRIC]
    stats = grouped.agg(n_persons="count", mean="mean").join(
        disclosure.contributions(grouped)).reset_index()
    return disclosure.protect(stats, disclosure.Rules(), ["mean"])


def test_two_groups_differing_by_one_person_reveal_nothing() -> None:
    # a group of everyone but one, beside the total: the one is the difference
    metrics, attributes = _cohort({"most": [100.0 + i for i in range(14)], "one": [999.0]})
    total = distributions(metrics).iloc[0].to_dict()
    groups = _by_group(distributions(metrics, groups=attributes, by="heating"))
    assert groups["one"]["reason_code"] == "threshold"
    assert groups["most"]["reason_code"] == "secondary"
    hidden, n, _ = _subtraction(total, groups)
    assert n == 15 == total["n_persons"]  # only the total itself, published anyway
    # the same attack through a groups file that leaves the one person out of every group
    left_out = attributes[attributes["heating"] != "one"]
    groups = _by_group(distributions(metrics, groups=left_out, by="heating"))
    assert list(groups) == ["most"] and groups["most"]["reason_code"] == "secondary"
    # and through a file naming a person in two groups: refused
    twice = pd.concat([attributes, attributes.iloc[:1].assign(heating="one")])
    with pytest.raises(SelfdataError, match="more than once"):
        distributions(metrics, groups=twice, by="heating")


def test_a_dominant_spender_hides_the_cell() -> None:
    spend = [5000.0, *([50.0] * 11)]  # one person: 5,000 of 5,550, 90 %
    metrics, attributes = _cohort({"flat": spend, "house": [100.0] * 15})
    groups = _by_group(distributions(metrics, groups=attributes, by="heating"))
    assert groups["flat"]["reason_code"] == "dominance"
    assert groups["flat"]["reason"] == "one person above 85 % of the total"
    assert groups["flat"]["mean"] is None and groups["flat"]["n_persons"] is None
    # the other group would give the flat's sum by subtraction from the total: hidden too
    assert groups["house"]["reason_code"] == "secondary"
    total = distributions(metrics).iloc[0].to_dict()
    assert not total["suppressed"]  # 5,000 of 7,050: 71 %
    # alone, the spender dominates the cohort's cell; the share is configurable
    alone = distributions(metrics[metrics["person_id"].str.startswith("flat")])
    assert alone["reason_code"].tolist() == ["dominance"]
    relaxed = distributions(metrics[metrics["person_id"].str.startswith("flat")],
                            dominance=0.95)
    assert relaxed["suppressed"].tolist() == [False]


def test_extreme_percentiles_need_twenty_persons() -> None:
    metrics, _ = _cohort({"all": [float(i) for i in range(19)]})
    row = distributions(metrics).iloc[0].to_dict()
    assert not row["suppressed"] and row["p10"] is None and row["p90"] is None
    assert row["median"] == 9.0 and row["p25"] is not None
    assert row["reason"] == "p10 and p90 need at least 20 persons"
    metrics, _ = _cohort({"all": [float(i) for i in range(20)]})
    row = distributions(metrics).iloc[0].to_dict()
    assert row["p10"] is not None and row["reason"] is None


def test_coverage_cells_are_counted_and_dominance_checked() -> None:
    con = migration_connection()
    for _, _, sql in migrations():
        con.execute(sql)
    # January: 12 persons, one with 1,000 calls and 11 with 10 (1,000 of 1,110: 90 %);
    # February: 12 persons with 10 calls each; March: 9 persons
    rows = [(f"p{i:02}", "2024-01-15 10:00:00+00", j) for i in range(12)
            for j in range(1000 if i == 0 else 10)]
    rows += [(f"p{i:02}", "2024-02-15 10:00:00+00", j) for i in range(12) for j in range(10)]
    rows += [(f"p{i:02}", "2024-03-15 10:00:00+00", 0) for i in range(9)]
    con.executemany("INSERT INTO calls (person_id, started_at, duration_s, direction, channel,"
                    " uid, import_id) VALUES (?, CAST(? AS TIMESTAMPTZ), 1, 'out', 'voice',"
                    " ? || ?, 1)", [(p, t, p, str(j) + t) for p, t, j in rows])
    frame = coverage(con).set_index(coverage(con)["month"].astype(str).str[:7])
    assert frame.loc["2024-01", "reason_code"] == "dominance"
    assert frame.loc["2024-01", "rows"] is None
    assert frame.loc["2024-02", "n_persons"] == 12 and frame.loc["2024-02", "rows"] == 120
    assert frame.loc["2024-03", "reason_code"] == "threshold"
    assert frame.loc["2024-03", "n_persons"] is None


@pytest.mark.parametrize("k", [0, 1, 4])
def test_k_is_never_below_five(k: int) -> None:
    with pytest.raises(SelfdataError, match="at least 5"):
        check_k(k)
    with pytest.raises(SelfdataError, match="at least 5"):
        distributions(_cohort({"all": [1.0] * 12})[0], k=k)


def test_the_threshold_is_ten_by_default_and_five_is_allowed() -> None:
    metrics, _ = _cohort({"all": [float(i) for i in range(9)]})
    assert distributions(metrics)["reason"].tolist() == ["fewer than 10 persons"]
    assert distributions(metrics, k=5)["suppressed"].tolist() == [False]


def test_the_command_line_defaults_are_the_rules() -> None:
    assert cli.K_DEFAULT == disclosure.K_DEFAULT == 10
    assert cli.DOMINANCE_DEFAULT / 100 == disclosure.DOMINANCE_DEFAULT
    for command in ("cohort", "export", "workshop"):
        args = cli.build_parser().parse_args([command, "--out", "x"] if command != "cohort"
                                             else [command])
        assert args.k == 10, command


def test_a_groups_file_naming_a_person_twice_is_refused(tmp_path) -> None:
    path = tmp_path / "persons.csv"
    path.write_text("person_id,heating\na,gas\nb,wood\na,wood\n", encoding="utf-8")
    with pytest.raises(SelfdataError, match="appears twice") as e:
        load_groups(str(path))
    assert e.value.line == 4


def test_at_the_floor_the_quartiles_follow_the_threshold_alone() -> None:
    metrics, _ = _cohort({"all": [float(i) for i in range(5)]})
    row = distributions(metrics, k=5).iloc[0].to_dict()
    assert row["p25"] == 1.0 and row["median"] == 2.0 and row["p75"] == 3.0
    assert row["p10"] is None and row["p90"] is None and row["reason_code"] == "tails"
