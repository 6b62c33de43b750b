"""Merchant names with the word lists prepared once (`enrich.merchants._Words`: prefixes as
one pattern, cut words compiled, towns as a set) name every label as the previous code did,
which rebuilt them for every label: that code is kept below as the reference, and both name
thousands of generated labels mixing prefixes, card details, towns, cut words, accents and
references, and the edge cases of the prefix rules."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from selfdata_kit.enrich.merchants import _CARD, _DATE, _DOMAIN, _SPACES, load_settings
from selfdata_kit.enrich.merchants import merchant_name as named


def reference(label: str | None, settings: dict | None = None) -> str:
    """`merchant_name` before its word lists were prepared once (same rules, per label)."""
    if not label or not label.strip():
        return ""
    m = (settings or load_settings())["merchants"]
    decomposed = unicodedata.normalize("NFKD", label.split(" | ")[0].upper())
    text = _SPACES.sub(" ", "".join(c for c in decomposed
                                    if not unicodedata.combining(c))).strip()
    for alias in m.get("aliases", []):
        if re.search(alias["pattern"], text, re.IGNORECASE):
            return alias["name"]
    card = _CARD.search(text)
    if card:
        before = _strip(text[:card.start()].strip(), m["prefixes"])
        text = before or text[card.end():].strip()
    text = _strip(text, m["prefixes"])
    cut = re.search(r"\s(" + "|".join(map(re.escape, m["cut_words"])) + r")\b", text)
    if cut:
        text = text[:cut.start()]
    text = _DOMAIN.sub("", _DATE.sub(" ", text))
    words = [w for w in text.split() if sum(ch.isdigit() for ch in w) < 4]
    towns = {tuple(c.split()) for c in m["cities"]}
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n in (3, 2, 1):
            if len(words) > n and tuple(words[-n:]) in towns:
                words, changed = words[:-n], True
                break
        if not changed and words[-1] in m["trailing_words"]:
            words, changed = words[:-1], True
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        words = words[:half]
    name = " ".join(words).strip(" -*/.")
    return name or _SPACES.sub(" ", label).strip().upper()


def _strip(text: str, prefixes: list[str]) -> str:
    ordered = sorted(prefixes, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for p in ordered:
            if text == p or text.startswith(p + " ") or (p.endswith("/DE")
                                                         and text.startswith(p)):
                text = text[len(p):].strip()
                changed = True
                break
    return text


EDGES = ["CB", "CB CB", "CB  CB LIDL", "VIR SEPA RECU /DEACME SAS", "VIR SEPA RECU /DE ACME",
         "CBX LIDL", "CB LIDL CB", "PRLV SEPA", "DE DE DE", "/DE", "/DEX", "CARTE X1234 12/03",
         "CARTE X1234 12/03 CB MONOPRIX PARIS", "Café de la Gare", "ÉPICERIE DU MARCHÉ LYON",
         "PAIEMENT PAR CARTE 1203 LA ROCHELLE BOULANGERIE", "AMZN MKTP FR*2K3", "  ", "",
         None, "PRLV SEPA EDF CLIENTS PARTICULIERS ECH/120324 REF 123", "MONOPRIX MONOPRIX",
         "VIREMENT VERS LIVRET A", "PAYPAL *EBAY 12345678", "SNCF.COM", "DD NETFLIX.COM",
         "RETRAIT DAB 12/03 SAINT-MALO", "X²²²² CAFE", "CB\tLIDL", "CB LIDL | ref 1234"]


@pytest.mark.parametrize("label", EDGES)
def test_edge_labels_are_named_as_before(label: str | None) -> None:
    assert named(label) == reference(label)


def test_thousands_of_varied_labels_are_named_as_before() -> None:
    m = load_settings()["merchants"]
    rnd = random.Random(5)
    words = [*m["prefixes"], *m["cities"], *m["cut_words"], *m["trailing_words"], "CARTE",
             "X1234", "12/03", "12/03/24", "LIDL", "Crêperie", "SUMUP *", "ÉCOLE", "A1B2C3D4",
             "1203", "/DE", "DE", "MKTP", "SAS", ".COM", "-", "*", "ÇA", "n°4567"]
    for _ in range(5000):
        label = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 7)))
        assert named(label) == reference(label), label


def test_other_settings_are_not_the_shipped_ones() -> None:
    """The prepared lists follow the settings given (a user's file), not the last ones."""
    mine = load_settings()
    mine = {**mine, "merchants": {**mine["merchants"], "prefixes": ["ACHAT"], "cities": []}}
    assert named("CB LIDL PARIS") == reference("CB LIDL PARIS") == "LIDL"
    assert named("CB LIDL PARIS", mine) == reference("CB LIDL PARIS", mine) == "CB LIDL PARIS"
    assert named("ACHAT LIDL", mine) == "LIDL" and named("ACHAT LIDL") == "ACHAT LIDL"
