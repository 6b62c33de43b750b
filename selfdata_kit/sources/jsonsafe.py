"""What the standard `json` module lets through or reports without a position, made strict
and located: NaN / Infinity (not JSON, but accepted by Python) and nesting deep enough to
exhaust the recursion limit. Used by every JSON source (streamed or not).
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 500  # real exports nest < 10 levels; Python's decoder fails near 1,000

# a string (skipped whole), a bracket, or one of the non-JSON constants Python accepts
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|([\[\]{}])|(-?Infinity|NaN)\b')


class NotJson(ValueError):
    """A constant Python reads but JSON does not have."""


def _reject_constant(name: str) -> object:
    raise NotJson(name)


def strict_decoder() -> json.JSONDecoder:
    """A decoder that refuses NaN, Infinity and -Infinity (raises NotJson)."""
    return json.JSONDecoder(parse_constant=_reject_constant)


def loads(text: str) -> object:
    return strict_decoder().decode(text)


def locate_problem(text: str, start: int = 0, end: int | None = None) -> tuple[str, int]:
    """(what was expected, 1-based line relative to `start`) of the first non-JSON constant,
    or of the point where nesting passes MAX_DEPTH, in text[start:end]. Only called once a
    decode has failed, so its Python-speed scan costs nothing on good files."""
    depth = 0
    for m in _TOKEN.finditer(text, start, len(text) if end is None else end):
        bracket, constant = m.group(1), m.group(2)
        if constant:
            return (f"a JSON value (found {constant}, which JSON does not allow)",
                    text.count("\n", start, m.start()) + 1)
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return (f"JSON nested at most {MAX_DEPTH} levels deep",
                        text.count("\n", start, m.start()) + 1)
        elif bracket:
            depth -= 1
    return "a JSON value", 1
