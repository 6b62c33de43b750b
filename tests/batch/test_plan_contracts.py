"""A batch re-renders the energy report, and only it, when the energy contract file changes
(its figures depend on the offer, the subscribed power and the off-peak slots)."""

from __future__ import annotations

from pathlib import Path

from selfdata_kit.analysis.energy_contract import CONTRACTS_ENV
from selfdata_kit.batch.runner import plan
from tests.conftest import SAMPLES


def _fingerprints(store: Path, out: Path) -> dict[str, str]:
    jobs = plan(store, [SAMPLES[0]], ["energy", "calls"], "en", False, out)
    return {j.report: j.fingerprint for j in jobs}


def test_editing_the_contract_file_reruns_the_energy_report_only(sample_store, tmp_path,
                                                                 monkeypatch) -> None:
    monkeypatch.delenv(CONTRACTS_ENV, raising=False)
    before = _fingerprints(sample_store, tmp_path)
    contracts = tmp_path / "contracts.toml"
    contracts.write_text('[default]\nsubscribed_kva = 6\n', encoding="utf-8")
    monkeypatch.setenv(CONTRACTS_ENV, str(contracts))
    first = _fingerprints(sample_store, tmp_path)
    contracts.write_text('[default]\nsubscribed_kva = 9\n', encoding="utf-8")
    second = _fingerprints(sample_store, tmp_path)
    assert before["calls"] == first["calls"] == second["calls"]
    assert len({before["energy"], first["energy"], second["energy"]}) == 3
