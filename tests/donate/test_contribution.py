"""The contribution file and its seal: `check` lets an edited file drop figures and nothing
else; a sealed file opens only with its key and only as it was sealed."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pyrage
import pytest

from selfdata_kit.donate import contribution as contrib
from selfdata_kit.donate.sealing import read_identity, read_recipient, seal, unseal, write_keys
from selfdata_kit.donate.spec import load_spec
from selfdata_kit.errors import SelfdataError

FIGURES = {"energy.annual_kwh.electricity": 4100.0, "calls.calls_per_week": 16.0,
           "fun_facts.cursors.saver_spender.position": 0.15}


@pytest.fixture
def made() -> dict:
    return contrib.make(load_spec(), FIGURES)


def test_a_contribution_holds_the_figures_a_random_id_and_the_spec(made: dict) -> None:
    assert set(made) == contrib.KEYS
    assert re.fullmatch(r"[0-9a-f]{32}", made["contribution_id"])
    assert made["contribution_id"] != contrib.make(load_spec(), FIGURES)["contribution_id"]
    assert made["spec"] == {"name": "selfdata-workshop-wall", "version": 1}
    assert made["figures"] == dict(sorted(FIGURES.items()))
    again = contrib.loads(contrib.dumps(made), load_spec(), "c.json")
    assert again == made


def test_dropping_a_figure_is_allowed(made: dict) -> None:
    del made["figures"]["calls.calls_per_week"]
    assert contrib.check(made, load_spec(), "c.json")["figures"].keys() == {
        "energy.annual_kwh.electricity", "fun_facts.cursors.saver_spender.position"}


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda c: c["figures"].update({"spending.total_in": 40000.0}),
     "figure 'spending.total_in' is not declared"),
    (lambda c: c["figures"].update({"spending.totals_by_category.Dr Martin": 80.0}),
     "is not declared"),
    (lambda c: c.update(person="camille"), "unexpected keys 'person'"),
    (lambda c: c.pop("period"), "missing keys 'period'"),
    (lambda c: c["figures"].update({"calls.calls_per_week": "16"}), "expected a number"),
    (lambda c: c["figures"].update({"calls.calls_per_week": 16.4}), "not rounded"),
    (lambda c: c.update(contribution_id="camille"), "32 hexadecimal digits"),
    (lambda c: c.update(spec={"name": "other-study", "version": 1}),
     "made for another spec ('other-study' version 1)"),
    (lambda c: c.update(spec={"name": "selfdata-workshop-wall", "version": 2}),
     "made for another spec"),
    (lambda c: c.update(format="x"), "expected a JSON object"),
])
def test_anything_but_dropping_is_refused_naming_the_file(made: dict, edit,
                                                          expected: str) -> None:
    edit(made)
    with pytest.raises(SelfdataError) as e:
        contrib.loads(json.dumps(made), load_spec(), "edited.json")
    assert expected in str(e.value) and e.value.file == "edited.json"


def test_malformed_json_names_the_file_and_line() -> None:
    with pytest.raises(SelfdataError) as e:
        contrib.loads('{\n"format": ', load_spec(), "broken.json")
    assert "malformed JSON" in str(e.value) and str(e.value).startswith("broken.json, line 2")


def test_keygen_writes_an_owner_only_private_key_and_never_overwrites(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "facilitator.key"
    public = write_keys(key)
    assert public == tmp_path / "keys" / "facilitator.key.pub"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert public.read_text().startswith("age1") and "AGE-SECRET-KEY-1" in key.read_text()
    assert "AGE-SECRET-KEY" not in public.read_text()
    with pytest.raises(SelfdataError, match="never overwritten"):
        write_keys(key)
    with pytest.raises(SelfdataError, match="expected one age public key"):
        read_recipient(key)  # the private key given as --for: refused
    with pytest.raises(SelfdataError, match="expected one age private key"):
        read_identity(public)


def test_a_sealed_contribution_opens_with_its_key_only_and_unchanged(tmp_path: Path,
                                                                      made: dict) -> None:
    write_keys(tmp_path / "a.key")
    write_keys(tmp_path / "b.key")
    text = contrib.dumps(made).encode()
    sealed = seal(text, read_recipient(tmp_path / "a.key.pub"))
    assert unseal(sealed, read_identity(tmp_path / "a.key"), "c.age") == text
    # nothing readable: no figure name, no value, no id, no key of the JSON
    for word in [*FIGURES, made["contribution_id"], "figures", "selfdata", "4100"]:
        assert word.encode() not in sealed
    with pytest.raises(SelfdataError, match="sealed for another key") as e:
        unseal(sealed, read_identity(tmp_path / "b.key"), "c.age")
    assert e.value.file == "c.age"
    for position in (len(sealed) // 2, len(sealed) - 1):  # a body byte, the last tag byte
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(SelfdataError, match="changed after it was sealed"):
            unseal(bytes(tampered), read_identity(tmp_path / "a.key"), "c.age")


def test_the_key_files_are_ages_own(tmp_path: Path) -> None:
    """The `age` tool's layout: a contribution opens without selfdata_kit too."""
    write_keys(tmp_path / "k")
    lines = (tmp_path / "k").read_text().splitlines()
    assert lines[0].startswith("# created: ") and lines[1].startswith("# public key: age1")
    identity = pyrage.x25519.Identity.from_str(lines[2])
    assert str(identity.to_public()) == (tmp_path / "k.pub").read_text().strip()
