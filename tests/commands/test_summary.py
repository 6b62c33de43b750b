"""`selfdata summary --json`: one person's key figures, checked against the persona's truth."""

from __future__ import annotations

import json

import pytest

from selfdata_kit.cli import main
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA

PERSON = "p0003-family-gas"


def test_summary_json_holds_the_key_figures(sample_store, capsys) -> None:
    store = sample_store  # the shared sample store: summary only reads
    assert main(["summary", "--person", PERSON, "--store", str(store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    truth = json.loads((SAMPLE_DATA / PERSON / "truth.json").read_text())
    assert result["standby_watts"] == pytest.approx(truth["standby_watts"], rel=0.10)
    for commodity, kwh in truth["energy_kwh"].items():
        assert result["annual_kwh"][commodity] == pytest.approx(float(kwh), rel=0.01)
    spent = {c: sum(float(m.get(c, 0)) for m in truth["monthly_spend_by_category"].values())
             for c in result["totals_by_category"]}
    assert {c: float(v) for c, v in result["totals_by_category"].items()} == pytest.approx(spent)
    assert len(result["top_contacts"]) >= 5 and result["calls_per_week"] > 0
    assert {r["counterparty"] for r in result["recurring_payments"]} >= {"NETFLIX", "MAIF"}
    assert set(result["cursors"]) >= {"saver_spender", "quiet_chatterbox"}
    for cursor in result["cursors"].values():  # {"position", "evidence", "needed"}
        assert set(cursor) == {"position", "evidence", "needed"}
        if cursor["evidence"] < cursor["needed"]:
            assert cursor["position"] is None
        else:
            assert 0 <= cursor["position"] <= 1


def test_summary_of_an_unknown_person_is_a_clear_error(tmp_path, capsys) -> None:
    with open_store(tmp_path / "s.duckdb"):
        pass
    assert main(["summary", "--person", "nobody", "--store", str(tmp_path / "s.duckdb")]) == 1
    assert "no person 'nobody' in the store" in capsys.readouterr().err
