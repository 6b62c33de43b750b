"""`selfdata contribute`, `selfdata keygen` and `--seal` from the command line, on the sample
personas: a contribution and its review page carry no string of the participant's store."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.donate import contribution as contrib
from selfdata_kit.donate.sealing import read_identity, unseal
from selfdata_kit.donate.spec import load_spec
from tests.conftest import SAMPLES
from tests.donate.store_strings import leaked, store_strings


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = tmp_path_factory.mktemp("keys") / "facilitator.key"
    assert main(["keygen", "--out", str(key)]) == 0
    return key


@pytest.mark.slow  # three personas, computed twice each
@pytest.mark.parametrize("person", SAMPLES)
def test_a_contribution_holds_no_string_from_the_store(sample_store: Path, keys: Path,
                                                       tmp_path: Path, person: str,
                                                       capsys) -> None:
    strings = store_strings(sample_store)
    assert person in strings and any(s.startswith("Contact ") for s in strings)  # scanned
    plain, sealed = tmp_path / "mine.json", tmp_path / "mine.age"
    assert main(["contribute", "--person", person, "--store", str(sample_store),
                 "--out", str(plain), "--lang", "en"]) == 0
    text = plain.read_text(encoding="utf-8")
    made = contrib.loads(text, load_spec(), str(plain))
    assert len(made["figures"]) >= 10
    assert leaked(text, strings) == []
    review = (tmp_path / "mine.review.html").read_text(encoding="utf-8")
    assert leaked(review, strings) == []
    assert "review before sending" in capsys.readouterr().out

    assert main(["contribute", "--person", person, "--store", str(sample_store),
                 "--out", str(sealed), "--for", f"{keys}.pub"]) == 0
    data = sealed.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    for word in ["figures", "contribution_id", person, *made["figures"]]:
        assert word.encode() not in data  # nothing readable
    opened = contrib.loads(unseal(data, read_identity(keys), str(sealed)), load_spec(), "x")
    assert opened["figures"] == made["figures"]  # the same figures, computed again
    assert opened["contribution_id"] != made["contribution_id"]  # a new random id each time


def test_seal_an_edited_contribution(sample_store: Path, keys: Path, tmp_path: Path) -> None:
    draft, sealed = tmp_path / "draft.json", tmp_path / "sealed.age"
    assert main(["contribute", "--person", SAMPLES[0], "--store", str(sample_store),
                 "--out", str(draft)]) == 0
    made = json.loads(draft.read_text(encoding="utf-8"))
    dropped = sorted(made["figures"])[0]
    del made["figures"][dropped]
    draft.write_text(json.dumps(made, indent=2), encoding="utf-8")  # edited by hand
    assert main(["contribute", "--seal", str(draft), "--for", f"{keys}.pub",
                 "--out", str(sealed)]) == 0
    opened = json.loads(unseal(sealed.read_bytes(), read_identity(keys), "sealed.age"))
    assert dropped not in opened["figures"] and opened["figures"] == made["figures"]


def test_an_added_figure_is_not_sealed(sample_store: Path, keys: Path, tmp_path: Path,
                                       capsys) -> None:
    draft = tmp_path / "draft.json"
    assert main(["contribute", "--person", SAMPLES[0], "--store", str(sample_store),
                 "--out", str(draft)]) == 0
    made = json.loads(draft.read_text(encoding="utf-8"))
    made["figures"]["spending.total_in"] = 40000.0
    draft.write_text(json.dumps(made), encoding="utf-8")
    capsys.readouterr()
    assert main(["contribute", "--seal", str(draft), "--for", f"{keys}.pub",
                 "--out", str(tmp_path / "x.age")]) == 1
    err = capsys.readouterr().err
    assert f"{draft}: not a valid contribution: figure 'spending.total_in' is not declared" \
        in err and "Traceback" not in err
    assert not (tmp_path / "x.age").exists()


@pytest.mark.parametrize(("args", "expected"), [
    (["contribute", "--out", "x.json"], "give --person ID"),
    (["contribute", "--seal", "d.json", "--out", "x.age"], "--seal needs --for PUBKEY"),
    (["contribute", "--seal", "d.json", "--person", "p", "--out", "x.age"], "no --person"),
    (["workshop", "wall", "--out", "w"], "workshop wall reads --contributions DIR"),
    (["workshop", "--participants", "3", "--out", "w", "--key", "k"],
     "go with `selfdata workshop wall`"),
])
def test_wrong_combinations_say_what_to_give(args: list[str], expected: str, capsys) -> None:
    assert main(args) == 1
    assert expected in capsys.readouterr().err


def test_a_private_key_given_as_for_is_refused(sample_store: Path, keys: Path,
                                               tmp_path: Path, capsys) -> None:
    assert main(["contribute", "--person", SAMPLES[0], "--store", str(sample_store),
                 "--out", str(tmp_path / "c.age"), "--for", str(keys)]) == 1
    assert "expected one age public key" in capsys.readouterr().err
    assert not (tmp_path / "c.age").exists()


@pytest.mark.slow  # a persona's figures over a period
def test_a_spec_with_a_period_gives_that_periods_figures(sample_store: Path,
                                                         tmp_path: Path) -> None:
    shipped = (resources.files("selfdata_kit.data") / "contribution_spec.toml").read_text(
        encoding="utf-8")
    spec = tmp_path / "one-month.toml"
    spec.write_text(shipped.replace('period = "all"', "start = 2024-03-01\nend = 2024-03-31")
                    .replace("version = 1", "version = 7"), encoding="utf-8")
    person = "p0003-family-gas"
    whole, month = tmp_path / "whole.json", tmp_path / "month.json"
    assert main(["contribute", "--person", person, "--store", str(sample_store),
                 "--out", str(whole)]) == 0
    assert main(["contribute", "--person", person, "--store", str(sample_store),
                 "--out", str(month), "--spec", str(spec)]) == 0
    made = contrib.loads(month.read_text(encoding="utf-8"), load_spec(spec), str(month))
    assert (made["period"], made["spec"]["version"]) == ("2024-03-01/2024-03-31", 7)
    groceries = "spending.totals_by_category.groceries"
    all_year = json.loads(whole.read_text(encoding="utf-8"))["figures"][groceries]
    assert 0 < made["figures"][groceries] < all_year / 6  # a month, not the whole data
