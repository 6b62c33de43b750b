"""Write personas to disk: one folder per person id with real-format exports and `truth.json`.

    <out>/<person_id>/bank/compte_courant_<account>.ofx        checking account, OFX 1.02 SGML
    <out>/<person_id>/bank/<livret_a|compte_joint>_<n>.csv     Société Générale CSV
    <out>/<person_id>/calls/calls-<stamp>.xml, sms-<stamp>.xml SMS Backup & Restore
    <out>/<person_id>/energy/Enedis_Conso_Heure_...csv         Enedis load curve
    <out>/<person_id>/energy/Donnees_informatives_...json      GRDF daily (gas homes only)
    <out>/<person_id>/location/Takeout/Location History (Timeline)/Semantic Location History/...
    <out>/<person_id>/media/..., chats/...                     Spotify, Netflix, YouTube, WhatsApp
    <out>/<person_id>/truth.json

Same (seed, year) -> byte-identical files: no clock time of the generation is written anywhere.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .clock import default_year
from .persona import make_persona
from .simulate import Simulation, simulate
from .truth import build_truth
from .write_bank import write_ofx, write_sg_csv
from .write_energy import write_enedis, write_grdf
from .write_media import write_media_exports
from .write_phone import write_calls, write_sms
from .write_places import write_semantic


def write_persona(sim: Simulation, out: Path, segments: bool = True) -> dict:
    """Writes one persona's folder under `out`; returns its truth (also in truth.json)."""
    p = sim.persona
    root = out / p.person_id
    if root.exists():
        shutil.rmtree(root)  # no stale file from an earlier run may stay beside new ones
    for sub in ("bank", "calls", "energy", "location"):
        (root / sub).mkdir(parents=True)
    files: dict[str, str] = {}
    ofx = root / "bank" / f"compte_courant_{p.account}.ofx"
    second = "livret_a" if p.savings_cents else "compte_joint"
    csv = root / "bank" / f"{second}_{p.second_account}.csv"
    written = {"ofx": write_ofx(p, sim.txns, ofx), "csv": write_sg_csv(p, sim.txns, csv)}
    files["bank_checking"] = ofx.relative_to(root).as_posix()
    files["bank_second"] = csv.relative_to(root).as_posix()
    files["calls"] = write_calls(p, sim.calls, root / "calls").relative_to(root).as_posix()
    files["sms"] = write_sms(p, sim.sms, root / "calls").relative_to(root).as_posix()
    files["electricity"] = write_enedis(p, sim.watts, root / "energy").relative_to(
        root).as_posix()
    if sim.gas is not None:
        files["gas"] = write_grdf(p, sim.gas, root / "energy").relative_to(root).as_posix()
    written["visits"] = write_semantic(p, sim.located, root / "location", segments)
    files["location"] = "location/Takeout"
    truth = build_truth(sim, files, written)
    truth.update(write_media_exports(p, root))
    text = json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (root / "truth.json").write_bytes(text.encode("utf-8"))
    return truth


def summary(truth: dict) -> str:
    d = truth["persona"]
    kwh = float(truth["energy_kwh"]["electricity"])
    return (f"{truth['person_id']}: {d['archetype']}, {d['city']}, household of"
            f" {d['household_size']}, {d['heating']} heating; {truth['transactions_count']}"
            f" transactions, {truth['calls_count']} calls, {truth['sms_count']} sms,"
            f" {truth['places_visits']} visits, {kwh:.0f} kWh of electricity")


def _one(job: tuple[int, int, int, str, bool]) -> str:
    seed, index, year, out, segments = job
    sim = simulate(make_persona(seed, index, year))
    return summary(write_persona(sim, Path(out), segments))


def generate(n: int, seed: int, out: Path, year: int | None = None, jobs: int = 1,
             on_persona: Callable[[str], None] | None = None, segments: bool = True
             ) -> list[str]:
    """Generates personas 0..n-1 of `seed` into `out`; returns one summary line per persona,
    in order, whatever the number of worker processes. `segments=False` writes the location
    history without its travel segments (smaller files)."""
    year = year or default_year()
    out.mkdir(parents=True, exist_ok=True)
    work = [(seed, i, year, str(out), segments) for i in range(n)]
    lines = []
    for line in _run(work, jobs):
        lines.append(line)
        if on_persona:
            on_persona(line)
    return lines


def _run(work: list[tuple[int, int, int, str, bool]], jobs: int) -> Iterator[str]:
    if jobs <= 1 or len(work) <= 1:
        yield from map(_one, work)
        return
    with multiprocessing.get_context("spawn" if _threads_unsafe() else "fork").Pool(jobs) as pool:
        yield from pool.imap(_one, work, chunksize=max(1, min(16, len(work) // (4 * jobs))))


def _threads_unsafe() -> bool:
    # fork is fast and fine from the CLI; where fork is unavailable (macOS default, Windows)
    # spawn is the portable choice.
    return "fork" not in multiprocessing.get_all_start_methods()
