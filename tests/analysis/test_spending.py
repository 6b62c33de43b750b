"""The spending analyses recover what the synthetic personas' truth.json says: recurring
payments (precision and recall >= 0.9), spend per category (exact), money in and out (exact),
energy bills linked to the right month (kWh within 1 %); plus edge cases and the merchant
name normalisation."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.analysis import spending as s
from selfdata_kit.analysis.recurring import find_recurring
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.analysis.spending import figures
from selfdata_kit.enrich.merchants import load_settings, merchant_name
from selfdata_kit.i18n import keys
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports.spending import TOPIC, key_figures
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_FOLDERS, World

SAMPLES = SAMPLE_FOLDERS


@pytest.fixture(scope="module")
def samples(sample_store: Path):
    """The shared sample store (the 3 sample personas and "nobody"), read-only."""
    store = open_store(sample_store, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="module")
def cohort(world_store: World, cohort_dir: Path):
    """The shared store holding the 6 personas of the generated cohort, and their folders."""
    folders = sorted(p for p in cohort_dir.iterdir() if p.is_dir())
    store = open_store(world_store.path, read_only=True)
    yield store, folders
    store.close()


def _truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def precision_recall(found: list[dict], truth: list[dict]) -> tuple[float, float]:
    """One-to-one matches by name (either contains the other, case-insensitive) and period
    within 20 %; exact names are matched first."""
    pairs = []
    for i, f in enumerate(found):
        for j, t in enumerate(truth):
            a, b = f["counterparty"].upper(), t["counterparty"].upper()
            if (a in b or b in a) and (
                    abs(f["period_days"] - t["period_days"]) <= 0.2 * t["period_days"]):
                pairs.append((a != b, abs(len(a) - len(b)), i, j))
    used_f, used_t = set(), set()
    for _, _, i, j in sorted(pairs):
        if i not in used_f and j not in used_t:
            used_f.add(i)
            used_t.add(j)
    return (len(used_f) / len(found) if found else 0.0,
            len(used_t) / len(truth) if truth else 1.0)


# --- truth checks --------------------------------------------------------------------------

@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_recurring_payments_of_the_samples(samples, folder: Path) -> None:
    found = figures(samples.con, make_scope(samples.con, folder.name))["recurring_payments"]
    precision, recall = precision_recall(found, _truth(folder)["recurring_payments"])
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert {f["direction"] for f in found} == {"debit", "credit"}


@pytest.mark.slow
def test_recurring_payments_of_a_generated_cohort(cohort) -> None:
    store, folders = cohort
    for folder in folders:
        found = figures(store.con, make_scope(store.con, folder.name))["recurring_payments"]
        precision, recall = precision_recall(found, _truth(folder)["recurring_payments"])
        assert precision >= 0.9 and recall >= 0.9, (folder.name, precision, recall)


def _named_like(name: str, names: set[str]) -> bool:
    return any(name.upper() in n.upper() or n.upper() in name.upper() for n in names)


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_transfers_between_own_accounts_are_neither_costs_nor_income(samples,
                                                                     folder: Path) -> None:
    from selfdata_kit.charts import spending as charts
    from selfdata_kit.charts.theme import IN_OUT, OWN_TRANSFER

    truth = _truth(folder)["recurring_payments"]
    transfers = {t["counterparty"] for t in truth if t["category"] == "transfer"}
    assert transfers  # every sample person moves money to savings or a joint account
    scope = make_scope(samples.con, folder.name)
    rec = s.recurring_payments(samples.con, scope)
    own = rec[rec["flow"] == "own_transfer"]
    assert set(own["category"]) == {"transfer"}
    assert all(_named_like(n, transfers) for n in own["counterparty"])
    assert len(own) == len(transfers)  # found, both sides (out of one account, into the other)
    others = rec[rec["flow"] != "own_transfer"]
    assert not any(_named_like(n, transfers) for n in others["counterparty"])
    assert set(rec.loc[rec["flow"] == "cost", "direction"]) == {"debit"}
    assert set(rec.loc[rec["flow"] == "income", "direction"]) == {"credit"}
    # the monthly cost adds up the costs only: the truth's non-transfer debits
    costs = rec.loc[rec["flow"] == "cost", "yearly_amount"].sum()
    assert s.monthly_recurring_cost(samples.con, scope) == pytest.approx(-costs / 12)
    with_transfers = rec.loc[rec["direction"] == "debit", "yearly_amount"].sum()
    assert s.monthly_recurring_cost(samples.con, scope) < -with_transfers / 12
    # the JSON says which is which
    listed = figures(samples.con, scope)["recurring_payments"]
    assert {r["flow"] for r in listed} == {"cost", "income", "own_transfer"}
    assert all((r["flow"] == "own_transfer") == (r["category"] == "transfer") for r in listed)
    # the chart: one panel per flow, transfers in their own colour, never in the others
    spec = charts.recurring_payments(rec, "en").to_dict()
    panels = {p["title"]: p for p in spec["vconcat"]}
    assert set(panels) == {"What goes out regularly (cost over a year)",
                           "What comes in regularly (over a year)",
                           "Saving and transfers between your own accounts (over a year): "
                           "neither a cost nor an income"}
    datasets = spec["datasets"]
    for title, panel in panels.items():
        rows = datasets[panel["data"]["name"]]
        colour = panel["mark"]["color"]
        if title.startswith("Saving"):
            assert colour == OWN_TRANSFER not in IN_OUT.values()
            assert {r["flow"] for r in rows} == {"own_transfer"}
            assert all(r["shown"].startswith(("to ", "from ")) for r in rows)
        else:
            assert {r["flow"] for r in rows} <= {"cost", "income"}
            assert not any(_named_like(r["counterparty"], transfers) for r in rows)


def _check_by_category(store, folder: Path) -> None:
    expected: dict[str, Decimal] = {}
    for cats in _truth(folder)["monthly_spend_by_category"].values():
        for category, value in cats.items():
            expected[category] = expected.get(category, Decimal(0)) + Decimal(value)
    got = figures(store.con, make_scope(store.con, folder.name))["totals_by_category"]
    assert {k: Decimal(v) for k, v in got.items()} == expected, folder.name
    frame = s.by_category(store.con, make_scope(store.con, folder.name))
    assert frame["amount"].sum() == pytest.approx(float(sum(expected.values())), abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_by_category_equals_the_truth_over_the_year(samples, folder: Path) -> None:
    _check_by_category(samples, folder)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(6))
def test_by_category_of_a_generated_cohort(cohort, index: int) -> None:
    store, folders = cohort
    _check_by_category(store, folders[index])


@pytest.mark.slow
@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_monthly_in_out_totals_match_the_transactions(samples, folder: Path) -> None:
    truth = _truth(folder)
    scope = make_scope(samples.con, folder.name)
    frame = s.monthly_in_out(samples.con, scope)
    assert len(frame) == 12
    # own-account transfers cancel out: what is left is every transaction
    assert frame["net"].sum() == pytest.approx(float(truth["transactions_sum"]), abs=0.005)
    credits = samples.run("SELECT sum(amount) FROM transactions WHERE person_id = ?"
                          " AND amount > 0", [folder.name])[0][0]
    transfers_in = sum(Decimal(r["amount"]) * r["count"] for r in truth["recurring_payments"]
                       if r["category"] == "transfer" and Decimal(r["amount"]) > 0)
    assert frame["money_in"].sum() == pytest.approx(float(credits - transfers_in), abs=0.005)
    got = figures(samples.con, scope)
    assert Decimal(got["total_in"]) == credits - transfers_in
    spend = sum(Decimal(v) for v in got["totals_by_category"].values())
    assert Decimal(got["total_out"]) >= spend


@pytest.mark.parametrize("folder", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_energy_debit_is_linked_to_the_month_it_pays(samples, folder: Path) -> None:
    bills = [b for b in _truth(folder)["energy_bills"] if b["debited_in_this_year"]]
    frame = s.bills_linked(samples.con, make_scope(samples.con, folder.name))
    energy = frame[frame["kind"] == "energy"]
    assert len(energy) == len(bills)
    for bill in bills:
        row = energy[(energy["commodity"] == bill["commodity"])
                     & (energy["period_start"].dt.strftime("%Y-%m") == bill["month"])]
        assert len(row) == 1, bill
        assert row["amount"].iloc[0] == pytest.approx(float(bill["amount"]), abs=0.005)
        assert row["kwh"].iloc[0] == pytest.approx(float(bill["kwh"]), rel=0.01)
    phone = frame[frame["kind"] == "telecom"]
    assert not phone.empty and phone["calls"].notna().sum() > 0


# --- balances, unusual expenses, period, no data ---------------------------------------------

def test_balance_walks_back_from_the_stored_balance(samples) -> None:
    person = SAMPLES[0].name
    frame = s.balance_over_time(samples.con, make_scope(samples.con, person))
    for account_id, as_of, amount in samples.run(
            "SELECT account_id, as_of, amount FROM balances WHERE person_id = ?", [person]):
        rows = frame[frame["account_id"] == account_id]
        last = rows[rows["day"] <= pd.Timestamp(as_of)].iloc[-1]
        assert last["balance"] == pytest.approx(float(amount), abs=0.005)
        assert not rows["from_zero"].any()


def test_an_account_without_stored_balance_starts_from_zero(tmp_path: Path) -> None:
    with open_store(tmp_path / "one.duckdb") as store:
        import_paths(store, [SAMPLES[0]], "me")
        store.run("DELETE FROM balances WHERE person_id = 'me'")
        frame = s.balance_over_time(store.con, make_scope(store.con, "me"))
        assert frame["from_zero"].all()
        for account_id, rows in frame.groupby("account_id"):
            first_day = store.run("SELECT sum(amount) FROM transactions WHERE person_id = 'me'"
                                  " AND account_id = ? GROUP BY booked_on ORDER BY booked_on"
                                  " LIMIT 1", [account_id])[0][0]
            assert rows["balance"].iloc[0] == pytest.approx(float(first_day), abs=0.005)


def test_unusual_expenses_leave_recurring_payments_out(samples) -> None:
    scope = make_scope(samples.con, SAMPLES[2].name)
    frame = s.unusual_expenses(samples.con, scope)
    assert not frame.empty
    recurring = set(s.recurring_payments(samples.con, scope)["counterparty"])
    assert not recurring & set(frame["merchant"])
    assert (frame["amount"] > frame["category_p95"]).all()
    assert (frame["amount"] > frame["category_median"]).all()


def test_a_period_filter_filters(samples) -> None:
    folder = SAMPLES[1]
    scope = Scope(folder.name, date(2024, 3, 1), date(2024, 3, 31))
    assert len(s.monthly_in_out(samples.con, scope)) == 1
    march = _truth(folder)["monthly_spend_by_category"]["2024-03"]
    assert figures(samples.con, scope)["totals_by_category"] == march
    days = s.balance_over_time(samples.con, scope)["day"]
    assert days.min() >= pd.Timestamp("2024-03-01") and days.max() <= pd.Timestamp("2024-03-31")


@pytest.mark.parametrize("scope", [Scope("nobody"), Scope(SAMPLES[0].name, date(2030, 1, 1),
                                                          date(2030, 12, 31))],
                         ids=["person without data", "empty period"])
def test_no_data_gives_empty_frames(samples, scope: Scope) -> None:
    for name, section in TOPIC.sections.items():
        assert section.analysis(samples.con, scope).empty, name
    got = figures(samples.con, scope)
    assert got["recurring_payments"] == [] and got["savings_rate"] is None
    json.dumps(got)
    assert len(key_figures(samples.con, scope, "en")) == 6


@pytest.mark.slow
def test_summary_is_json_and_key_figures_speak_both_languages(samples) -> None:
    scope = make_scope(samples.con, SAMPLES[2].name)
    got = json.loads(json.dumps(figures(samples.con, scope)))
    assert 0 < got["savings_rate"] < 1
    assert {"totals_by_category", "recurring_payments", "total_in", "total_out"} <= set(got)
    fr, en = key_figures(samples.con, scope, "fr"), key_figures(samples.con, scope, "en")
    assert [v for _, v in fr] != [v for _, v in en] and len(fr) == len(en) == 6
    assert keys("spending", "fr") == keys("spending", "en")


# --- recurring payments on made-up series -----------------------------------------------------

def _series(name: str, dates: list[date], amounts: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"uid": [f"{name}{i}" for i in range(len(dates))], "account_id": "a",
                         "merchant": name, "category": "x", "booked_on": dates,
                         "amount": amounts})


def _monthly(day: int, n: int, jitter: list[int]) -> list[date]:
    return [date(2024, m, day) + timedelta(days=jitter[(m - 1) % len(jitter)])
            for m in range(1, n + 1)]


def test_recurring_tolerates_jitter_and_splits_purchases_from_a_subscription() -> None:
    cfg = load_settings()["recurring"]
    tx = pd.concat([
        _series("GYM", _monthly(15, 10, [0, 3, -3, 2, -2]), [-30, -31.5, -29, -30, -32] * 2),
        _series("POWER", _monthly(10, 8, [0, 2, -1, 3]), [-40, -120, -95, -60] * 2),
        _series("WEEKLY", [date(2024, 1, 1) + timedelta(days=7 * i + i % 2) for i in range(8)],
                [-5.0] * 8),
        _series("YEARLY", [date(2021, 6, 3), date(2022, 6, 5), date(2023, 6, 1)], [-49.0] * 3),
        _series("SHOP", [date(2024, 1, 1) + timedelta(days=d) for d in (0, 3, 11, 12, 40, 41,
                                                                         90, 130)],
                [-12.0, -80.5, -33.1, -7.2, -150.0, -18.4, -64.0, -23.9]),
        _series("AMAZON", _monthly(7, 6, [0]) + [date(2024, 2, 19), date(2024, 4, 2)],
                [-6.99] * 6 + [-35.0, -12.5])])
    frame, members = find_recurring(tx, cfg)
    got = frame.set_index("counterparty")
    assert set(got.index) == {"GYM", "POWER", "WEEKLY", "YEARLY", "AMAZON"}
    assert got.loc["GYM", "period_days"] == 30 and not got.loc["GYM", "amount_varies"]
    assert got.loc["POWER", "amount_varies"]
    assert got.loc["WEEKLY", "period_days"] == 7
    assert got.loc["YEARLY", "period_days"] == 365
    assert got.loc["AMAZON", "count"] == 6 and got.loc["AMAZON", "amount"] == -6.99
    assert got.loc["GYM", "next_date"] == pd.Timestamp(2024, 11, 15)
    assert "AMAZON6" not in members and "AMAZON0" in members


# --- merchant names ------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "name"), [
    ("CB MONOPRIX CARTE X1234 02/01 MONOPRIX NANTES", "MONOPRIX"),
    ("CB MONOPRIX NANTES 02/01", "MONOPRIX"),
    ("CARTE X1234 02/01 LIDL", "LIDL"),
    ("PRLV SEPA EDF PARTICULIERS FACTURE 01/2024 346 KWH", "EDF"),
    ("PRLV SEPA ORANGE SA", "ORANGE"),
    ("VIR SEPA RECU /DE CNAV RETRAITE 260124 REF 936901", "CNAV RETRAITE"),
    ("CB NETFLIX.COM 230124 REF 936901", "NETFLIX"),
    ("VIR PERMANENT LIVRET A VERS 02675263897", "LIVRET A"),
    ("VIR RECU COMPTE CHEQUES | VIR RECU DE 01895419369 LIVRET A", "COMPTE CHEQUES"),
    ("PRLV SEPA ECHEANCE PRET IMMO", "CREDIT IMMOBILIER"),
    ("CB Café de la Place CARTE X9369 11/02 CAFE DE LA PLACE LA ROCHELLE", "CAFE DE LA PLACE"),
    ("123456", "123456"),
    ("", ""),
])
def test_merchant_name(label: str, name: str) -> None:
    assert merchant_name(label) == name
