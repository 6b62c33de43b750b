"""The shipped price grids and Tempo calendar: complete, dated without overlap, sourced, with
every unchecked figure said to be estimated; prices that make sense (HC < HP, blue < white <
red); the kWh prices equal to the regulator's open data and the subscriptions within the known
offset of its yearly fixed part; RTE's calendar within the offer's rules; and the loaders refuse
files that break them, naming the file and the line or grid."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from importlib import resources

import pytest

from selfdata_kit.analysis import energy_offers as o
from selfdata_kit.analysis.energy_contract import (
    KVA_STEPS,
    Contract,
    load_offers,
    load_tempo_days,
)
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.errors import SelfdataError
from selfdata_kit.store import open_store
from tests.conftest import SAMPLES, World

REGULATED_STEPS = ("2023-08-01", "2024-02-01", "2025-02-01", "2025-08-01", "2026-02-01")
CRE_STEPS = REGULATED_STEPS[:4]  # the steps the regulator's open-data copies carry
POWERS = {"edf_base": set(KVA_STEPS), "edf_hphc": set(KVA_STEPS) - {3},
          "edf_tempo": {6, 9, 12, 15, 18, 30, 36}, "edf_zen_weekend": set(KVA_STEPS)}

# The regulator's open data (CRE, "Historique des tarifs réglementés de vente d'électricité pour
# les consommateurs résidentiels", Option_Base.csv and Option_Tempo.csv, copies named in
# energy_offers.toml), transcribed: kWh TTC and the YEARLY fixed part TTC per kVA.
CRE_BASE = {
    "2023-08-01": ("0.2276", {3: "114.14", 6: "149.96", 9: "189.01", 12: "228.99", 15: "265.73"}),
    "2024-02-01": ("0.2516", {3: "116.04", 6: "151.86", 9: "190.91", 12: "230.89", 15: "267.62"}),
    "2025-02-01": ("0.2016", {3: "125.34", 6: "165.17", 9: "208.55", 12: "252.53", 15: "292.98"}),
    "2025-08-01": ("0.1952", {3: "141.00", 6: "185.94", 9: "233.70", 12: "281.46", 15: "326.40"}),
}
CRE_TEMPO = {  # blue HC, blue HP, white HC, white HP, red HC, red HP; then the fixed part
    "2023-08-01": (("0.1056", "0.1369", "0.1246", "0.1654", "0.1328", "0.7324"),
                   {6: "153.6", 9: "194.42", 12: "234.85", 15: "271.29", 18: "307.4",
                    30: "464.85", 36: "539.55"}),
    "2024-02-01": (("0.1296", "0.1609", "0.1486", "0.1894", "0.1568", "0.7562"),
                   {6: "157.09", 9: "196.32", 12: "236.75", 15: "273.19", 18: "309.3",
                    30: "466.75", 36: "541.32"}),
    "2025-02-01": (("0.1288", "0.1552", "0.1447", "0.1792", "0.1518", "0.6586"),
                   {6: "168.87", 9: "211.16", 12: "254.09", 15: "293.31", 18: "332.65",
                    30: "499.98", 36: "587.99"}),
    "2025-08-01": (("0.1232", "0.1494", "0.1391", "0.1730", "0.1460", "0.6468"),
                   {6: "186.46", 9: "235.12", 12: "282.34", 15: "325.70", 18: "371.17",
                    30: "559.41", 36: "658.78"}),
}
TEMPO_SLOTS = ("blue_hc", "blue_hp", "white_hc", "white_hp", "red_hc", "red_hp")


def shipped_grids() -> list[tuple[str, dict]]:
    """(offer key, raw [[offer.prices]] table) of the shipped file, provenance keys included."""
    doc = tomllib.loads((resources.files("selfdata_kit") / "data" / "energy_offers.toml")
                        .read_text("utf-8"))
    return [(offer["key"], p) for offer in doc["offer"] for p in offer["prices"]]


def test_every_grid_has_every_power_its_offer_claims() -> None:
    offers = load_offers()
    assert set(offers) == set(POWERS)
    for key, offer in offers.items():
        for g in offer.grids:
            assert set(g.subscription) == POWERS[key], (key, g.valid_from)


def test_regulated_grids_follow_every_dated_step_without_gap_or_overlap() -> None:
    for key in ("edf_base", "edf_hphc", "edf_tempo"):
        grids = load_offers()[key].grids
        assert [str(g.valid_from) for g in grids] == list(REGULATED_STEPS), key
        for a, b in zip(grids, grids[1:], strict=False):
            assert b.valid_from == a.valid_to + dt.timedelta(days=1), key
        # the last grid is open, known in force to the day before the next regulated step
        # (1 August 2026), for which no grid was found: days after it are assumed
        offer = load_offers()[key]
        assert grids[-1].valid_to is None and offer.known_to == dt.date(2026, 7, 31), key
        assert offer.grid_on(dt.date(2026, 7, 31)) == (grids[-1], True)
        assert offer.grid_on(dt.date(2026, 11, 28)) == (grids[-1], False)


def test_every_kwh_price_is_given_at_every_power_of_its_grid() -> None:
    """A kWh price per power (since 2026-02-01 the Base price depends on it) covers exactly the
    grid's subscribed powers, so no day of a person at an offered power lacks a price."""
    for offer in load_offers().values():
        for g in offer.grids:
            for slot, by_power in g.kwh.items():
                assert set(by_power) == set(g.subscription), (offer.key, g.valid_from, slot)


def test_the_2026_base_kwh_price_depends_on_the_power_as_published() -> None:
    base = load_offers()["edf_base"].grid_on(dt.date(2026, 2, 1))[0]
    assert {k: base.kwh_at("base", k) for k in KVA_STEPS} == {
        k: Decimal("0.1940") if k <= 6 else Decimal("0.1927") for k in KVA_STEPS}
    earlier = load_offers()["edf_base"].grid_on(dt.date(2026, 1, 31))[0]
    assert set(earlier.kwh["base"].values()) == {Decimal("0.1952")}  # one price before


def test_every_figure_is_sourced_and_every_unchecked_one_is_said_estimated() -> None:
    for key, p in shipped_grids():
        at = (key, p["valid_from"])
        assert len(p["source"]) > 40 and "20" in p["source"], at  # a document and its date
        checked = set(p["subscription_checked"])
        assert checked <= {int(k) for k in p["subscription"]}, at
        complete = p["kwh_checked"] and checked == {int(k) for k in p["subscription"]}
        assert complete or len(p.get("estimated", "")) > 30, at
        assert complete != ("estimated" in p), f"{at}: `estimated` only where needed"


def test_prices_are_positive_off_peak_is_cheaper_and_red_is_dearest() -> None:
    for offer in load_offers().values():
        for g in offer.grids:
            at = (offer.key, g.valid_from)
            subs = [g.subscription[k] for k in sorted(g.subscription)]
            assert all(0 < a < b for a, b in zip(subs, subs[1:], strict=False)), at
            for kva in g.subscription:
                k = {slot: g.kwh_at(slot, kva) for slot in g.kwh}
                assert all(Decimal("0.05") < v < 1 for v in k.values()), (at, kva)
                if offer.kind == "hphc":
                    assert k["hc"] < k["hp"], at
                elif offer.kind == "weekend":
                    assert k["weekend"] < k["week"], at
                elif offer.kind == "tempo":
                    for part in ("hc", "hp"):
                        assert k[f"blue_{part}"] < k[f"white_{part}"] < k[f"red_{part}"], at
                    for colour in ("blue", "white", "red"):
                        assert k[f"{colour}_hc"] < k[f"{colour}_hp"], at


@pytest.mark.parametrize("step", CRE_STEPS)
def test_kwh_prices_equal_the_regulators_open_data(step) -> None:
    offers = load_offers()
    base = offers["edf_base"].grid_on(dt.date.fromisoformat(step))[0]
    assert set(base.kwh["base"].values()) == {Decimal(CRE_BASE[step][0])}
    tempo = offers["edf_tempo"].grid_on(dt.date.fromisoformat(step))[0]
    for kva in tempo.subscription:
        assert tuple(tempo.kwh_at(s, kva) for s in TEMPO_SLOTS) == tuple(
            map(Decimal, CRE_TEMPO[step][0]))


def test_the_2026_grids_have_the_published_kwh_prices_and_say_their_subscriptions_are_estimated(
        ) -> None:
    """From 2026-02-01 the kWh prices are the published ones (the file's header names the
    pages); no subscription per power was found, so each is the 2025-08-01 one, said estimated."""
    offers, day = load_offers(), dt.date(2026, 2, 1)
    hphc = offers["edf_hphc"].grid_on(day)[0]
    assert {s: hphc.kwh_at(s, 6) for s in ("hp", "hc")} == {"hp": Decimal("0.2065"),
                                                            "hc": Decimal("0.1579")}
    tempo = offers["edf_tempo"].grid_on(day)[0]
    assert tuple(tempo.kwh_at(s, 9) for s in TEMPO_SLOTS) == tuple(map(Decimal, (
        "0.1325", "0.1612", "0.1499", "0.1871", "0.1575", "0.7060")))
    raw = {key: p for key, p in shipped_grids() if p["valid_from"] == "2026-02-01"}
    assert set(raw) == {"edf_base", "edf_hphc", "edf_tempo"}
    for key, p in raw.items():
        assert p["kwh_checked"] is True and p["subscription_checked"] == [], key
        assert "carried forward" in p["estimated"], key
        before = offers[key].grid_on(dt.date(2026, 1, 31))[0]
        assert offers[key].grid_on(day)[0].subscription == before.subscription, key


@pytest.mark.parametrize("step", CRE_STEPS)
def test_monthly_subscriptions_sit_within_the_known_offset_of_the_cre_yearly_figure(
        step) -> None:
    """EDF's monthly grid x 12 is 0.984-0.998 of the CRE yearly fixed part wherever both are
    published: a figure outside that band is a typo or a wrong recollection."""
    day = dt.date.fromisoformat(step)
    offers = load_offers()
    for key, (_, yearly) in (("edf_base", CRE_BASE[step]), ("edf_tempo", CRE_TEMPO[step])):
        grid = offers[key].grid_on(day)[0]
        for kva, cre in yearly.items():
            ratio = grid.subscription[kva] * 12 / Decimal(cre)
            assert Decimal("0.983") <= ratio <= Decimal("1.0005"), (key, step, kva, ratio)


def test_the_tempo_calendar_keeps_the_rules_of_the_offer_every_season() -> None:
    days = load_tempo_days()
    rte = calendar_rows("rte-gladys")
    first, last = min(rte), max(rte)
    assert first <= dt.date(2023, 1, 1) and last >= dt.date(2025, 8, 31)
    assert len(rte) == (last - first).days + 1, "RTE's days: every day of the range, once"
    # after RTE's days, only the days the press named: seven red days by 28 January 2026
    press = calendar_rows("press-2026")
    assert set(days) == set(rte) | set(press) and min(press) > last
    assert sorted(press.values()) == ["red"] * 7 + ["white"]
    seasons: dict[int, dict[str, int]] = {}
    for day, colour in days.items():
        season = day.year if day.month >= 9 else day.year - 1
        seasons.setdefault(season, {"blue": 0, "white": 0, "red": 0})[colour] += 1
        if colour == "red":
            assert day.isoweekday() <= 5 and day.month in (11, 12, 1, 2, 3), day
            assert (day.month, day.day) not in {(11, 1), (11, 11), (12, 25), (1, 1)}, day
        if day.isoweekday() == 7:
            assert colour == "blue", day
    for season, n in seasons.items():
        assert n["red"] <= 22 and n["white"] <= 43, season
        if dt.date(season, 9, 1) >= first and dt.date(season + 1, 8, 31) <= last:
            assert n == {"blue": 300 + (dt.date(season + 1, 3, 1) - dt.date(season + 1, 2, 28)
                                        ).days - 1, "white": 43, "red": 22}, season
    # what the press reported: 13 red days in January 2025 (mac4ever.com, 2026-03-09)
    assert sum(1 for d, c in days.items() if c == "red" and (d.year, d.month) == (2025, 1)) == 13


def calendar_rows(source: str) -> dict[dt.date, str]:
    """The shipped calendar's days from one `source` key."""
    text = (resources.files("selfdata_kit") / "data" / "tempo_days.csv").read_text("utf-8")
    return {dt.date.fromisoformat(row[0]): row[1] for row in
            (line.split(",") for line in text.splitlines()
             if line and not line.startswith(("#", "date")))
            if row[2] == source}


def test_every_calendar_line_names_a_source_the_header_describes() -> None:
    text = (resources.files("selfdata_kit") / "data" / "tempo_days.csv").read_text("utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    rows = [line.split(",") for line in text.splitlines()
            if line and not line.startswith("#") and not line.startswith("date")]
    keys = {row[2] for row in rows}
    assert keys and all(f"#   {key}" in header for key in keys)


@pytest.mark.parametrize(("line", "message"), [
    ("2024-01-06,rouge", "red days fall on weekdays from 1 November to 31 March only"),
    ("2024-04-02,red", "red days fall on weekdays from 1 November to 31 March only"),
    ("2024-01-07,blanc", "is a white Sunday"),
    ("2024-01-08,blue", "is listed twice with two colours"),
])
def test_a_calendar_breaking_the_rules_is_refused_with_its_line(tmp_path, line,
                                                                message) -> None:
    path = tmp_path / "tempo.csv"
    path.write_text(f"date,colour,source\n2024-01-08,red,mine\n{line}\n", encoding="utf-8")
    with pytest.raises(SelfdataError) as e:
        load_tempo_days(path)
    assert f"{path}, line 3:" in str(e.value) and message in str(e.value)


def test_a_23rd_red_day_in_a_season_is_refused(tmp_path) -> None:
    weekdays = [d for d in (dt.date(2024, 11, 1) + dt.timedelta(days=i) for i in range(60))
                if d.isoweekday() <= 5][:23]
    path = tmp_path / "tempo.csv"
    path.write_text("".join(f"{d},red\n" for d in weekdays), encoding="utf-8")
    with pytest.raises(SelfdataError, match=r"line 23: .* more than 22 red days in the season "
                                            r"2024-2025"):
        load_tempo_days(path)
    path.write_text("".join(f"{d},red\n" for d in weekdays[:22]), encoding="utf-8")
    assert len(load_tempo_days(path)) == 22  # the old two-column layout is still read


GRID = ('[[offer]]\nkey = "b"\nname = "B"\nkind = "base"\n[[offer.prices]]\n'
        'valid_from = "2024-02-01"\nvalid_to = "{to}"\nsource = "{source}"\n'
        'kwh = {{ base = {kwh} }}\nsubscription = {{ {kva} = "12.60" }}\n')


@pytest.mark.parametrize(("fields", "message"), [
    ({"kwh": '"-0.20"'}, "every price must be positive"),
    ({"kva": "7"}, "subscribed powers must be among"),
    ({"to": "2024-01-31"}, "is before valid_from"),
    ({"source": " "}, "every grid needs its source"),
    ({"kwh": '{ "3-6" = "0.19" }'}, "must cover exactly the grid's subscribed powers"),
    ({"kwh": '{ "6" = "0.19", "3-9" = "0.18" }'}, "price at 6 kVA is given twice"),
])
def test_a_bad_grid_is_refused_naming_it(tmp_path, fields, message) -> None:
    path = tmp_path / "offers.toml"
    values = {"to": "2025-01-31", "source": "mine", "kwh": '"0.2516"', "kva": "6", **fields}
    path.write_text(GRID.format(**values), encoding="utf-8")
    with pytest.raises(SelfdataError) as e:
        load_offers(path)
    assert f"{path}: offer 1, prices 1: " in str(e.value) and message in str(e.value)


def test_overlapping_grids_of_one_offer_are_refused(tmp_path) -> None:
    path = tmp_path / "offers.toml"
    one = GRID.format(to="2025-01-31", source="mine", kwh='"0.2516"', kva="6")
    later = one[one.index("[[offer.prices]]"):].replace("2024-02-01", "2025-01-15").replace(
        "2025-01-31", "2025-07-31")
    path.write_text(one + later, encoding="utf-8")
    with pytest.raises(SelfdataError, match="grids from 2024-02-01 and 2025-01-15 overlap"):
        load_offers(path)


@pytest.fixture(scope="module")
def world(world_store: World):
    store = open_store(world_store.path, read_only=True)
    yield store.con, world_store.truths
    store.close()


def test_tempo_is_priced_on_known_colours_for_every_persona(world) -> None:
    """The calendar covers the personas' years: no day of theirs is of unknown colour, so Tempo
    is never `uncertain` and may be the cheapest."""
    con, truths = world
    for person, truth in truths.items():
        contract = Contract(offer=truth["electricity_contract"]["offer"])
        d = o.decisions(con, make_scope(con, person), contract)
        tempo = next(p for p in d["energy_offers"] if p["key"] == "edf_tempo")
        assert tempo["unknown_colour_days"] == 0 and tempo["uncertain"] is False, person
        colours = {s.split("_")[0] for s in tempo["breakdown"]["energy"]}
        assert colours == {"blue", "white", "red"}, person
        priced = [p for p in d["energy_offers"] if p["annual_cost"] is not None]
        assert len(priced) >= 3 and sum(p["cheapest"] for p in priced) == 1, person
    assert set(SAMPLES) <= set(truths)
