"""Synthetic personas: determinism, and truth.json checked against the written files with
simple independent readers (the real parsers are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.synth import generate, make_personas, simulate
from selfdata_kit.synth.persona import archetype_for
from selfdata_kit.synth.world import ARCHETYPES
from tests.conftest import ROOT, SAMPLE_DATA

YEAR = 2024
SAMPLE_SEED = 18   # the seed of sample_data/: a student, a retiree, a family with gas heating


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(3, SAMPLE_SEED, out, year=YEAR)
    return out


@pytest.fixture(scope="module")
def persons(cohort: Path) -> list[tuple[Path, dict]]:
    return [(d, json.loads((d / "truth.json").read_text("utf-8")))
            for d in sorted(cohort.iterdir())]


def by_archetype(persons, name: str) -> tuple[Path, dict]:
    return next((d, t) for d, t in persons if t["persona"]["archetype"] == name)


# --- determinism --------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files_and_jobs_do_not_matter(cohort, tmp_path) -> None:
    generate(3, SAMPLE_SEED, tmp_path / "again", year=YEAR, jobs=2)
    assert tree(tmp_path / "again") == tree(cohort)


def test_different_seeds_give_different_people(tmp_path) -> None:
    a, b = make_personas(3, 1, YEAR), make_personas(3, 2, YEAR)
    assert make_personas(3, 1, YEAR) == a
    assert [p.contacts for p in a] != [p.contacts for p in b]
    generate(1, 1, tmp_path / "a", year=YEAR)
    generate(1, 2, tmp_path / "b", year=YEAR)
    assert tree(tmp_path / "a") != tree(tmp_path / "b")


def test_archetypes_are_dealt_so_small_cohorts_are_varied() -> None:
    for seed in (0, 1, 99):
        names = [archetype_for(seed, i).name for i in range(len(ARCHETYPES))]
        assert sorted(names) == sorted(ARCHETYPES)


def test_sample_data_regenerates_byte_identically(tmp_path) -> None:
    readme = (SAMPLE_DATA / "README.md").read_text("utf-8")
    command = (f"selfdata synth --persons 3 --seed {SAMPLE_SEED} --year {YEAR} --no-segments"
               " --out sample_data")
    assert command in readme
    assert main(command.split()[1:-1] + [str(tmp_path)]) == 0
    shipped = {k: v for k, v in tree(SAMPLE_DATA).items()
               if k.split("/")[0] not in ("README.md", "__init__.py", "__pycache__")}
    fresh = tree(tmp_path)
    assert sorted(fresh) == sorted(shipped)
    assert [k for k in fresh if fresh[k] != shipped[k]] == []


# --- fiction stays fiction ----------------------------------------------------------

def test_numbers_are_in_fiction_ranges_and_labels_fit_ofx() -> None:
    for p in make_personas(14, 5, YEAR):
        for c in p.contacts:
            assert re.fullmatch(r"\+33(63998|19900)\d{4}", c.number), c.number
        sim = simulate(p)
        assert all(len(t.label) <= 32 for t in sim.txns)  # OFX 1.02 NAME is A-32


# --- bank ---------------------------------------------------------------------------

def ofx_rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("cp1252")
    assert text.startswith("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n")
    rows = []
    for block in re.findall(r"<STMTTRN>(.*?)</STMTTRN>", text, re.S):
        rows.append(dict(re.findall(r"<(\w+)>([^\n<]*)", block)))
    return rows


def test_bank_files_match_truth(persons) -> None:
    for folder, truth in persons:
        rows = ofx_rows(folder / truth["files"]["bank_checking"])
        assert len(rows) == truth["accounts"]["checking"]["count"]
        assert len({r["FITID"] for r in rows}) == len(rows)
        checking = sum(Decimal(r["TRNAMT"]) for r in rows)
        assert str(checking) == truth["accounts"]["checking"]["sum"]
        lines = (folder / truth["files"]["bank_second"]).read_bytes().decode("cp1252")
        lines = lines.splitlines()
        assert lines[0] == "-" and lines[2] == ""
        assert lines[3].startswith("Date de l'opération;Libellé;Détail de l'écriture;")
        account = lines[1].split(";")
        assert account[0] == f'="{truth["accounts"]["second"]["account_id"]}"'
        amounts = [Decimal(x.split(";")[3].replace(",", ".")) for x in lines[4:]]
        assert int(account[3]) == len(amounts) == truth["accounts"]["second"]["count"]
        assert str(sum(amounts)) == truth["accounts"]["second"]["sum"]
        assert truth["transactions_count"] == len(rows) + len(amounts)
        assert truth["transactions_sum"] == str(checking + sum(amounts))


def test_savings_transfer_leaves_one_account_and_enters_the_other(persons) -> None:
    folder, truth = by_archetype(persons, "retiree_electric")
    out = [r for r in ofx_rows(folder / truth["files"]["bank_checking"])
           if r["NAME"] == "VIR PERMANENT LIVRET A"]
    text = (folder / truth["files"]["bank_second"]).read_bytes().decode("cp1252")
    into = re.findall(r"^(\d\d/\d\d/\d{4});VIR RECU COMPTE CHEQUES;.*;([\d,]+);EUR$", text, re.M)
    assert len(out) == len(into) == 12
    assert sorted(f"{r['DTPOSTED'][6:]}/{r['DTPOSTED'][4:6]}/{r['DTPOSTED'][:4]}"
                  for r in out) == sorted(d for d, _ in into)
    assert {r["TRNAMT"].lstrip("-") for r in out} == {a.replace(",", ".") for _, a in into}


def test_subscriptions_recur_monthly_with_a_constant_amount(persons) -> None:
    for _, truth in persons:
        subs = [r for r in truth["recurring_payments"] if r["category"] in
                ("telecom", "subscriptions", "insurance", "housing")]
        assert subs
        for r in subs:
            assert r["count"] == 12 and r["amount"] is not None and r["period_days"] == 30
            assert 25 <= r["median_gap_days"] <= 35


# --- energy -------------------------------------------------------------------------

def enedis(path: Path) -> list[tuple[dt.datetime, int]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfIdentifiant PRM;Type de donnees;")
    lines = raw.decode("utf-8-sig").splitlines()
    assert re.fullmatch(r"\d{14};Courbe de charge;.*;W;30", lines[1])
    assert lines[2] == "Horodate;Valeur"
    return [(dt.datetime.fromisoformat(t), int(v)) for t, v in
            (line.split(";") for line in lines[3:])]


def test_load_curve_truth_dst_and_standby(persons) -> None:
    for folder, truth in persons:
        rows = enedis(folder / truth["files"]["electricity"])
        assert rows[0][0].isoformat() == "2024-01-01T00:30:00+01:00"
        assert rows[-1][0].isoformat() == "2025-01-01T00:00:00+01:00"
        per_day = Counter((end - dt.timedelta(minutes=30)).date() for end, _ in rows)
        assert per_day[dt.date(2024, 3, 31)] == 46 and per_day[dt.date(2024, 10, 27)] == 50
        assert {str(d): n for d, n in per_day.items() if n != 48} == \
            truth["electricity_days_not_48_readings"]
        assert len(rows) == truth["electricity_readings"] == 366 * 48
        kwh = Decimal(sum(w for _, w in rows)) / 2000
        assert str(kwh) == truth["energy_kwh"]["electricity"]
        assert min(w for _, w in rows) == truth["standby_watts"]


def _tariffs() -> dict:
    return tomllib.loads((ROOT / "selfdata_kit" / "data" / "tariffs.toml").read_text("utf-8"))


def test_electricity_debit_is_last_months_kwh_times_price_plus_subscription(persons) -> None:
    t = _tariffs()["electricity"]
    for folder, truth in persons:
        rows = enedis(folder / truth["files"]["electricity"])
        debits = {r["DTPOSTED"][:6]: Decimal(r["TRNAMT"]) for r in
                  ofx_rows(folder / truth["files"]["bank_checking"])
                  if r["NAME"] == "PRLV SEPA EDF PARTICULIERS"}
        assert len(debits) == 11
        hphc = "price_hp_eur_per_kwh" in truth["persona"]["tariff"]
        for m in range(1, 12):
            month = [(s, w) for s, w in ((e - dt.timedelta(minutes=30), w) for e, w in rows)
                     if (s.year, s.month) == (2024, m)]
            if hphc:
                hc = Decimal(sum(w for s, w in month if s.hour >= 22 or s.hour < 6)) / 2000
                hp = Decimal(sum(w for _, w in month)) / 2000 - hc
                tt = t["hphc"]
                cost = hp * Decimal(tt["price_hp_eur_per_kwh"]) + hc * Decimal(
                    tt["price_hc_eur_per_kwh"])
            else:
                tt = t["base"]
                cost = Decimal(sum(w for _, w in month)) / 2000 * Decimal(
                    tt["price_eur_per_kwh"])
            bill = (cost + Decimal(tt["subscription_eur_per_month"])).quantize(
                Decimal("0.01"), ROUND_HALF_UP)
            assert debits[f"2024{m + 1:02d}"] == -bill


def test_gas_readings_truth_and_bill(persons) -> None:
    folder, truth = by_archetype(persons, "family_gas")
    doc = json.loads((folder / truth["files"]["gas"]).read_text("ascii"))
    (pce, meter), = doc.items()
    assert pce == meter["idPce"] == truth["persona"]["pce"] and len(pce) == 14
    releves = meter["releves"]
    assert len(releves) == 366
    assert releves[0]["dateDebutReleve"] == "2024-01-01T06:00:00+00:00"
    for a, b in zip(releves, releves[1:], strict=False):
        assert b["indexDebut"] == a["indexFin"]
    assert all(r["volumeBrutConsomme"] == r["indexFin"] - r["indexDebut"] for r in releves)
    assert {r["natureReleve"] for r in releves} == {"Informative Journalier"}
    assert str(sum(r["energieConsomme"] for r in releves)) == truth["energy_kwh"]["gas"]
    g = _tariffs()["gas"]["heating"]
    debits = {r["DTPOSTED"][:6]: Decimal(r["TRNAMT"]) for r in
              ofx_rows(folder / truth["files"]["bank_checking"])
              if r["NAME"] == "PRLV SEPA ENGIE PARTICULIERS"}
    jan = sum(r["energieConsomme"] for r in releves if r["journeeGaziere"].startswith("2024-01"))
    assert debits["202402"] == -(jan * Decimal(g["price_eur_per_kwh"]) + Decimal(
        g["subscription_eur_per_month"])).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- calls, sms, places -------------------------------------------------------------

def test_calls_and_sms_match_truth_and_share_top_contacts(persons) -> None:
    for folder, truth in persons:
        calls = ET.parse(folder / truth["files"]["calls"]).getroot()
        smses = ET.parse(folder / truth["files"]["sms"]).getroot()
        assert int(calls.get("count")) == len(calls) == truth["calls_count"]
        assert int(smses.get("count")) == len(smses) == truth["sms_count"]
        assert {c.get("type") for c in calls} <= {"1", "2", "3", "5"}
        assert all(c.get("duration") == "0" for c in calls if c.get("type") in ("3", "5"))

        def e164(n: str) -> str:
            return "+33" + n[1:] if n.startswith("0") else n

        total = Counter(e164(c.get("number")) for c in calls)
        total.update(s.get("address") for s in smses)
        ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        assert [n for n, _ in ranked[:5]] == [c["number"] for c in truth["top_contacts"][:5]]
        sms_numbers = {s.get("address") for s in smses}
        assert all(c["number"] in sms_numbers for c in truth["top_contacts"][:5])


def test_night_owls_call_late(persons) -> None:
    folder, truth = by_archetype(persons, "student")   # students are night owls here
    assert "night_owl" in truth["persona"]["habits"]
    calls = ET.parse(folder / truth["files"]["calls"]).getroot()
    late = [c for c in calls if re.search(r" (1[01]|12):\d\d:\d\d PM$|^.* [12]:\d\d:\d\d AM$",
                                          c.get("readable_date"))]
    assert len(late) > len(calls) * 0.1


def test_places_visits_and_card_payments_happen_during_visits(persons) -> None:
    for folder, truth in persons:
        files = sorted((folder / "location").rglob("*.json"))
        assert [f.name for f in files][:2] == ["2024_APRIL.json", "2024_AUGUST.json"]
        visits = [o["placeVisit"] for f in files
                  for o in json.loads(f.read_text("utf-8"))["timelineObjects"]
                  if "placeVisit" in o]
        assert len(visits) == truth["places_visits"]
        assert all(isinstance(v["location"]["latitudeE7"], int) for v in visits)
    p = make_personas(3, SAMPLE_SEED, YEAR)[0]
    loc = simulate(p).located
    assert len(loc.pay_at) > 100
    for place, at in zip(loc.pay_place.tolist(), loc.pay_at.tolist(), strict=True):
        i = int((loc.start <= at).sum()) - 1
        assert loc.place[i] == place and loc.start[i] <= at < loc.end[i]


def test_cli_synth_prints_one_line_per_persona(tmp_path, capsys) -> None:
    assert main(["synth", "--persons", "2", "--seed", "3", "--year", "2023",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("p0001-") and out[1].startswith("p0002-")
    assert out[2] == f"2 persona(s) for 2023 in {tmp_path}"
    assert sorted(d.name for d in tmp_path.iterdir()) == [out[0].split(":")[0],
                                                         out[1].split(":")[0]]
