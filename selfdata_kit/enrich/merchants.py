"""Merchant names from bank labels: "CB MONOPRIX CARTE X1234 02/01 MONOPRIX NANTES" is
"MONOPRIX". A statement label mixes how the money moved (CB, PRLV SEPA), a card number and
date, a reference and the shop's town; grouping by the raw label would split one shop into
hundreds of lines. The word lists live in `data/spending.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_CARD = re.compile(r"\bCARTE\s+X?\d{4}(\s+\d{2}/\d{2}(/\d{2,4})?)?")
_DATE = re.compile(r"\b\d{1,2}/\d{2}(/\d{2,4})?\b")
_DOMAIN = re.compile(r"\.(COM|FR|NET|CO\.UK|EU)\b")
_SPACES = re.compile(r"\s+")


def load_settings(path: str | Path | None = None) -> dict[str, Any]:
    """The spending report's thresholds and word lists (`data/spending.toml` unless `path`)."""
    if path:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return _shipped()


@cache
def _shipped() -> dict[str, Any]:
    text = (resources.files("selfdata_kit.data") / "spending.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _plain(text: str) -> str:
    """Upper case without accents: labels are typed both ways."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _strip_prefixes(text: str, prefixes: list[str]) -> str:
    ordered = sorted(prefixes, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for p in ordered:
            if text == p or text.startswith(p + " ") or (p.endswith("/DE") and
                                                         text.startswith(p)):
                text = text[len(p):].strip()
                changed = True
                break
    return text


def merchant_name(label: str | None, settings: dict[str, Any] | None = None) -> str:
    """The merchant or counterparty a bank label names, upper case, without payment method,
    card number, dates, references or trailing town. Never empty: falls back on the label."""
    if not label or not label.strip():
        return ""
    m = (settings or load_settings())["merchants"]
    text = _SPACES.sub(" ", _plain(label.split(" | ")[0])).strip()
    for alias in m.get("aliases", []):
        if re.search(alias["pattern"], text, re.IGNORECASE):
            return alias["name"]
    card = _CARD.search(text)
    if card:  # the name before the card detail, else the one after it ("CARTE X1234 02/01 LIDL")
        before = _strip_prefixes(text[:card.start()].strip(), m["prefixes"])
        text = before or text[card.end():].strip()
    text = _strip_prefixes(text, m["prefixes"])
    cut = re.search(r"\s(" + "|".join(map(re.escape, m["cut_words"])) + r")\b", text)
    if cut:
        text = text[:cut.start()]
    text = _DOMAIN.sub("", _DATE.sub(" ", text))
    # reference numbers: any word with 4 digits or more
    words = [w for w in text.split() if sum(ch.isdigit() for ch in w) < 4]
    words = _drop_trailing(words, m["cities"], m["trailing_words"])
    name = " ".join(words).strip(" -*/.")
    return name or _SPACES.sub(" ", label).strip().upper()


def _drop_trailing(words: list[str], cities: list[str], trailing: list[str]) -> list[str]:
    """Remove a trailing town (one to three words) and legal forms, keeping one word."""
    towns = {tuple(c.split()) for c in cities}
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n in (3, 2, 1):
            if len(words) > n and tuple(words[-n:]) in towns:
                words, changed = words[:-n], True
                break
        if not changed and words[-1] in trailing:
            words, changed = words[:-1], True
    # "MONOPRIX MONOPRIX": the card detail repeats the name
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        words = words[:half]
    return words
