"""French and English texts for the reports, and number / date formatting.

Texts live in one TOML file per topic (`common.toml`, `spending.toml`, ...), each with a `[fr]`
and an `[en]` table holding the same keys. `t("spending.monthly.title", "fr")` reads
`spending.toml`, table `fr`, key `monthly.title`; `{name}` placeholders are filled from kwargs.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("fr", "en")


@cache
def _topic(topic: str) -> dict[str, Any]:
    path = resources.files(__name__) / f"{topic}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` ("topic.a.b") in `lang` ("fr" or "en")."""
    topic, _, rest = key.partition(".")
    node: Any = _topic(topic).get(lang if lang in LANGS else "en", {})
    for part in rest.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no text {key!r} in {lang!r} (selfdata_kit/i18n/{topic}.toml)")
        node = node[part]
    return str(node).format(**values) if values else str(node)


def keys(topic: str, lang: str) -> set[str]:
    """Every key of a topic in a language (tests check fr and en have the same)."""
    def walk(node: dict[str, Any], prefix: str) -> set[str]:
        out = set()
        for k, v in node.items():
            out |= walk(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"}
        return out

    return walk(_topic(topic).get(lang, {}), "")


def fmt_number(value: float | int | Decimal | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang == "fr":  # 1 234,5 with a narrow no-break space
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def fmt_money(value: float | int | Decimal | None, lang: str, decimals: int = 2) -> str:
    if value is None:
        return "–"
    number = fmt_number(abs(value), lang, decimals)
    sign = "-" if value < 0 else ""
    return f"{sign}{number}\u00a0€" if lang == "fr" else f"{sign}€{number}"


def fmt_date(value: date | None, lang: str) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.strftime("%d %b %Y")
