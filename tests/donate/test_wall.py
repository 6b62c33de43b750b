"""The wall of contributions, end to end: 12 synthetic participants each compute, review and
seal their figures (`selfdata contribute --for`); the facilitator's wall opens them, refuses
what was changed or made for something else, drops what came twice, and shows figures only
when the cohort's disclosure rules allow (12 contributions: figures; 4: none)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from selfdata_kit.analysis import cohort as c
from selfdata_kit.cli import main
from selfdata_kit.donate import contribution as contrib
from selfdata_kit.donate.sealing import read_identity, unseal, write_keys
from selfdata_kit.donate.spec import load_spec
from selfdata_kit.i18n import t
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.store import open_store
from selfdata_kit.synth.cohort import generate
from tests.donate.store_strings import leaked, store_strings

pytestmark = pytest.mark.slow  # 12 synthetic participants, imported and contributing

PARTICIPANTS = 12


@dataclass(frozen=True)
class Room:
    root: Path
    store: Path          # the participants' data (in the room: one laptop each)
    key: Path            # the facilitator's private key
    sealed: list[Path]   # one sealed contribution per participant
    persons: list[str]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Room:
    root = tmp_path_factory.mktemp("room")
    generate(PARTICIPANTS, seed=17, out=root / "exports", year=2024, segments=False)
    store = root / "participants.duckdb"
    folders = sorted((root / "exports").iterdir())
    with open_store(store) as s:
        for folder in folders:
            assert all(r.status != "failed" for r in import_paths(s, [folder], folder.name))
    key = root / "facilitator.key"
    assert main(["keygen", "--out", str(key)]) == 0
    sealed = []
    for i, folder in enumerate(folders):
        out = root / "outbox" / f"participant-{i:02d}.age"
        assert main(["contribute", "--person", folder.name, "--store", str(store), "--out",
                     str(out), "--for", f"{key}.pub", "--lang", "en"]) == 0
        sealed.append(out)
    return Room(root, store, key, sealed, [f.name for f in folders])


def opened(room: Room, path: Path) -> dict:
    return contrib.loads(unseal(path.read_bytes(), read_identity(room.key), str(path)),
                         load_spec(), str(path))


def wall(room: Room, files: list[Path], name: str, capsys) -> tuple[int, dict, str, str]:
    folder = room.root / name / "inbox"
    folder.mkdir(parents=True)
    for f in files:
        shutil.copyfile(f, folder / f.name)
    out = room.root / name / "wall"
    capsys.readouterr()
    code = main(["workshop", "wall", "--contributions", str(folder), "--out", str(out),
                 "--key", str(room.key), "--lang", "en"])
    err = capsys.readouterr().err
    aggregates = json.loads((out / "aggregates.json").read_text(encoding="utf-8"))
    return code, aggregates, (out / "wall.html").read_text(encoding="utf-8"), err


def test_no_contribution_holds_a_string_from_the_store(room: Room) -> None:
    strings = store_strings(room.store)
    assert set(room.persons) <= strings and len(strings) > 1000
    for path in room.sealed:
        data = path.read_bytes()
        assert leaked(data.decode("latin-1"), strings) == []
        assert b"figures" not in data and b"spending" not in data  # nothing readable
        made = opened(room, path)
        assert leaked(contrib.dumps(made), strings) == []
        assert len(made["figures"]) >= 10


def test_twelve_contributions_give_a_wall_with_figures(room: Room, capsys) -> None:
    code, aggregates, page, err = wall(room, room.sealed, "twelve", capsys)
    assert (code, err) == (0, "")
    assert aggregates["contributions"] == PARTICIPANTS
    assert aggregates["spec"] == {"name": "selfdata-workshop-wall", "version": 1}
    shown = [d for d in aggregates["distributions"] if not d["suppressed"]]
    assert len(shown) >= 5
    # the wall's figures are the participants' figures: the median of what they gave
    calls = [opened(room, p)["figures"]["calls.calls_per_week"] for p in room.sealed]
    (row,) = [d for d in aggregates["distributions"] if d["metric"] == "calls.calls_per_week"]
    assert row["n_persons"] == PARTICIPANTS and not row["suppressed"]
    assert row["median"] == pytest.approx(sorted(calls)[5] / 2 + sorted(calls)[6] / 2)
    assert page.count('class="selfdata-chart"') >= 3
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", page)  # offline
    assert t("contribute.wall_too_few", "en", k=c.K_DEFAULT) not in page
    for path in room.sealed:  # no contribution id reaches the wall
        cid = opened(room, path)["contribution_id"]
        assert cid not in page and cid not in json.dumps(aggregates)


def test_four_contributions_give_a_wall_with_none(room: Room, capsys) -> None:
    code, aggregates, page, _ = wall(room, room.sealed[:4], "four", capsys)
    assert code == 0 and aggregates["contributions"] is None
    assert aggregates["distributions"] and all(
        d["suppressed"] and d["median"] is None for d in aggregates["distributions"])
    assert t("contribute.wall_too_few", "en", k=c.K_DEFAULT) in page
    assert 'class="selfdata-chart"' not in page


def test_tampered_foreign_and_duplicate_files(room: Room, tmp_path: Path, capsys) -> None:
    inbox = room.root / "mixed"
    inbox.mkdir()
    for f in room.sealed:
        shutil.copyfile(f, inbox / f.name)
    tampered = bytearray(room.sealed[0].read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    (inbox / "tampered.age").write_bytes(bytes(tampered))
    write_keys(tmp_path / "other.key")
    person, store = room.persons[1], str(room.store)
    assert main(["contribute", "--person", person, "--store", store, "--out",
                 str(inbox / "other-key.age"), "--for", str(tmp_path / "other.key.pub")]) == 0
    spec = tmp_path / "study.toml"
    shipped = resources.files("selfdata_kit.data") / "contribution_spec.toml"
    spec.write_text(shipped.read_text(encoding="utf-8").replace(
        'name = "selfdata-workshop-wall"', 'name = "another-study"'), encoding="utf-8")
    assert main(["contribute", "--person", person, "--store", store, "--out",
                 str(inbox / "other-spec.age"), "--for", f"{room.key}.pub",
                 "--spec", str(spec)]) == 0
    (inbox / "broken.json").write_text('{"format": "selfdata-contribution",', encoding="utf-8")
    shutil.copyfile(room.sealed[2], inbox / "sent-twice.age")  # the same file again
    assert main(["contribute", "--person", room.persons[3], "--store", store, "--out",
                 str(inbox / "made-again.age"), "--for", f"{room.key}.pub"]) == 0  # new id
    (inbox / "notes.txt").write_text("not a contribution", encoding="utf-8")

    capsys.readouterr()
    code = main(["workshop", "wall", "--contributions", str(inbox), "--out",
                 str(room.root / "mixed-wall"), "--key", str(room.key), "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    refused = [line for line in captured.err.splitlines() if line.startswith("refused: ")]
    assert len(refused) == 4
    assert f"refused: {inbox / 'tampered.age'}: cannot be opened with this key: the file was" \
        " changed after it was sealed, or sealed for another key" in refused
    assert any(line.startswith(f"refused: {inbox / 'other-key.age'}: cannot be opened")
               for line in refused)
    assert f"refused: {inbox / 'other-spec.age'}: made for another spec ('another-study'" \
        " version 1); this one expects selfdata-workshop-wall version 1" in refused
    assert f"refused: {inbox / 'broken.json'}, line 1: not a contribution: malformed JSON" \
        in refused
    aggregates = json.loads((room.root / "mixed-wall" / "aggregates.json").read_text())
    assert (aggregates["contributions"], aggregates["refused"], aggregates["duplicates"]) \
        == (PARTICIPANTS, 4, 2)
    # notes.txt and the three review pages `contribute` wrote next to its files: skipped
    assert "12 contribution(s) kept, 2 duplicate(s) dropped, 4 refused, 4 other file(s)" \
        " skipped" in captured.out


def test_a_sealed_file_without_the_key_is_refused(room: Room, capsys) -> None:
    inbox = room.root / "nokey"
    inbox.mkdir()
    shutil.copyfile(room.sealed[0], inbox / "one.age")
    assert main(["workshop", "wall", "--contributions", str(inbox), "--out",
                 str(room.root / "nokey-wall")]) == 1
    assert "one.age: sealed: give the wall your private key" in capsys.readouterr().err
