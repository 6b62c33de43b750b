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
    if text.isascii():  # most labels; NFKD leaves ASCII as it is
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _prefix_pattern(prefixes: list[str]) -> re.Pattern[str]:
    """One prefix at the start of a label, longest first: the whole label, or followed by a
    space; a prefix ending in "/DE" ("VIR SEPA RECU /DE") also glued to the name."""
    ordered = sorted(prefixes, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) + ("" if p.endswith("/DE") else r"(?= |\Z)")
                               for p in ordered))


def _strip_prefixes(text: str, prefixes: re.Pattern[str]) -> str:
    """Remove `prefixes` (`_prefix_pattern`) from the front, again while one is left."""
    while (found := prefixes.match(text)) and found.end():
        text = text[found.end():].strip()
    return text


class _Words:
    """The word lists of one settings table, prepared once (sorted, compiled, as sets)
    rather than for every label: naming a ten-year history's 17,000 distinct labels took
    ~1 s, most of it rebuilding these (benchmarks/README.md)."""

    def __init__(self, m: dict[str, Any]) -> None:
        self.aliases = [(re.compile(a["pattern"], re.IGNORECASE), a["name"])
                        for a in m.get("aliases", [])]
        self.prefixes = _prefix_pattern(m["prefixes"])
        self.cut = re.compile(r"\s(" + "|".join(map(re.escape, m["cut_words"])) + r")\b")
        self.towns = {tuple(c.split()) for c in m["cities"]}
        self.trailing = m["trailing_words"]


_last: list[tuple[dict[str, Any], _Words]] = []  # the settings last used and their words


def _words(m: dict[str, Any]) -> _Words:
    """The prepared words of the `merchants` table `m` (the same object as last time: the
    same words; it is held, so its id cannot be reused by another)."""
    if not _last or _last[0][0] is not m:
        _last[:] = [(m, _Words(m))]
    return _last[0][1]


def merchant_name(label: str | None, settings: dict[str, Any] | None = None) -> str:
    """The merchant or counterparty a bank label names, upper case, without payment method,
    card number, dates, references or trailing town. Never empty: falls back on the label."""
    if not label or not label.strip():
        return ""
    lists = _words((settings or load_settings())["merchants"])
    text = _SPACES.sub(" ", _plain(label.split(" | ")[0])).strip()
    for pattern, name in lists.aliases:
        if pattern.search(text):
            return name
    card = _CARD.search(text)
    if card:  # the name before the card detail, else the one after it ("CARTE X1234 02/01 LIDL")
        before = _strip_prefixes(text[:card.start()].strip(), lists.prefixes)
        text = before or text[card.end():].strip()
    text = _strip_prefixes(text, lists.prefixes)
    cut = lists.cut.search(text)
    if cut:
        text = text[:cut.start()]
    text = _DOMAIN.sub("", _DATE.sub(" ", text))
    # reference numbers: any word with 4 digits or more
    words = [w for w in text.split() if len(w) < 4 or sum(map(str.isdigit, w)) < 4]
    words = _drop_trailing(words, lists.towns, lists.trailing)
    name = " ".join(words).strip(" -*/.")
    return name or _SPACES.sub(" ", label).strip().upper()


def _drop_trailing(words: list[str], towns: set[tuple[str, ...]],
                   trailing: list[str]) -> list[str]:
    """Remove a trailing town (one to three words of `towns`) and legal forms, keeping one
    word."""
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
