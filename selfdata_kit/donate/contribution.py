"""A contribution: the figures one participant agreed to give, and nothing that points back
to them.

    {"format": "selfdata-contribution", "format_version": 1,
     "contribution_id": "<32 random hex digits>",
     "spec": {"name": "...", "version": 1}, "package_version": "0.1.0", "period": "all",
     "figures": {"energy.annual_kwh.electricity": 4100.0, ...}}

No row, no label, no pseudonym, no hash, no person id, no date of making: the id is random,
drawn anew for every contribution. `check` is the one gate every contribution passes, when it
is sealed and when a wall reads it: exactly these keys, figures the spec declares, numbers
only, so an edited file can drop a figure but cannot add anything.
"""

from __future__ import annotations

import json
import math
import re
import secrets

from .. import __version__
from ..errors import SelfdataError
from .spec import Spec

FORMAT = "selfdata-contribution"
FORMAT_VERSION = 1
KEYS = {"format", "format_version", "contribution_id", "spec", "package_version", "period",
        "figures"}
ID = re.compile(r"[0-9a-f]{32}")


def make(spec: Spec, figures: dict[str, float]) -> dict[str, object]:
    """A new contribution of `figures` (already selected and rounded by `spec.select`)."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "contribution_id": secrets.token_hex(16),
            "spec": {"name": spec.name, "version": spec.version},
            "package_version": __version__, "period": spec.period,
            "figures": dict(sorted(figures.items()))}


def dumps(contribution: dict[str, object]) -> str:
    """The contribution as the participant reads it: one figure per line, sorted."""
    return json.dumps(contribution, indent=2, ensure_ascii=True, sort_keys=False) + "\n"


def loads(text: str | bytes, spec: Spec, file: str) -> dict[str, object]:
    """Parse and `check` a contribution; every failure names `file`."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        line = getattr(e, "lineno", None)
        raise SelfdataError("not a contribution: malformed JSON", file=file, line=line,
                            hint="a contribution is the JSON file `selfdata contribute` wrote"
                            " (edit it only to delete figure lines)") from None
    return check(raw, spec, file)


def check(raw: object, spec: Spec, file: str) -> dict[str, object]:
    """`raw` if it is a contribution made for `spec`; else a SelfdataError naming `file`."""
    def bad(what: str, hint: str | None = None) -> SelfdataError:
        return SelfdataError(f"not a valid contribution: {what}", file=file, hint=hint)

    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise bad(f'expected a JSON object with "format": "{FORMAT}"')
    if raw.get("format_version") != FORMAT_VERSION:
        raise bad(f"expected format_version {FORMAT_VERSION}",
                  hint="made by another selfdata_kit version: make it again with this one")
    if set(raw) != KEYS:
        extra, missing = sorted(set(raw) - KEYS), sorted(KEYS - set(raw))
        raise bad("unexpected keys " + ", ".join(map(repr, extra)) if extra
                  else "missing keys " + ", ".join(map(repr, missing)))
    made_for = raw["spec"]
    if not (isinstance(made_for, dict) and set(made_for) == {"name", "version"}):
        raise bad('expected "spec": {"name": ..., "version": ...}')
    if (made_for["name"], made_for["version"]) != (spec.name, spec.version):
        raise SelfdataError(
            f"made for another spec ({_short(made_for['name'])} version"
            f" {_short(made_for['version'])}); this one expects {spec.name} version"
            f" {spec.version}", file=file,
            hint="the participant and the wall must use the same --spec file")
    if raw["period"] != spec.period:
        raise bad(f"made for another period; the spec says {spec.period}")
    if not (isinstance(raw["contribution_id"], str) and ID.fullmatch(raw["contribution_id"])):
        raise bad("expected contribution_id = 32 hexadecimal digits")
    if not (isinstance(raw["package_version"], str)
            and re.fullmatch(r"[0-9A-Za-z.+!-]{1,40}", raw["package_version"])):
        raise bad("expected package_version = a version number")
    figures = raw["figures"]
    if not isinstance(figures, dict):
        raise bad('expected "figures": {"metric": number, ...}')
    for metric, value in figures.items():
        found = spec.figure_of(metric)
        if found is None:
            raise bad(f"figure {_short(metric)} is not declared by the spec {spec.name}",
                      hint="a contribution can only drop figures, not add any")
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise bad(f"figure {metric}: expected a number")
        if found[0].rounded(float(value)) != float(value):
            raise bad(f"figure {metric}: not rounded to the spec's step ({found[0].step:g})")
    return raw


def _short(value: object) -> str:
    """A value from a foreign file, safe to print: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def content_key(contribution: dict[str, object]) -> str:
    """What two copies of one contribution share even under a new id: spec and figures."""
    return json.dumps([contribution["spec"], contribution["period"],
                       contribution["figures"]], sort_keys=True)
