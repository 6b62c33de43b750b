"""Chart data compaction: each dataset of a Vega-Lite spec keeps only the fields its views use.

Analyses return frames with more columns than a chart draws (ids, dates a tooltip does not
show, the inputs of a computed label); Altair puts every column of every row into the spec,
so the notebook, the page and each JSON/nbconvert pass carry them. The chart builders hand
whole frames on purpose (one frame per section, read by the key figures, the tables and the
screen-safe mask too), so the trimming is done here, once, on the spec: what a view can read
is known from its encodings, its transforms and its parameters.

Conservative by construction: a field named anywhere a view (or a view it is nested in) may
read one is kept; a dataset is left whole when a view reads it in a way not understood here
(an expression using `datum` other than `datum.name` / `datum['name']`, a nested field path,
a `lookup` into another dataset). Nothing is rounded: a tooltip shows the value as stored.
"""

from __future__ import annotations

import re
from typing import Any

# keys whose values hold nested views; their fields are collected view by view
_VIEWS = ("layer", "hconcat", "vconcat", "concat", "spec")
# keys whose string values (or lists of strings) are field names
_FIELD_KEYS = {"field", "fields", "groupby", "argmax", "argmin"}
# keys whose string values are Vega expressions (read fields through `datum`)
_EXPR_KEYS = {"expr", "test", "calculate", "filter"}
_DATUM = re.compile(r"""datum\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(['"])(.*?)\2\s*\])""")
_SIMPLE = re.compile(r"[^.\[\]\\]+")  # a plain column name, not a nested path


class _Opaque(Exception):
    """A view reads its data in a way the collector does not follow: keep the dataset whole."""


def compact_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with each named dataset (and inline `values`) reduced to the fields its views
    use. The input is not modified; a spec this cannot follow is returned as is."""
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        return spec
    used: dict[str, set[str] | None] = {}
    try:
        _visit(spec, None, frozenset(), used)
    except _Opaque:
        return spec
    out = dict(spec)
    out["datasets"] = {name: _trim(rows, used[name]) if used.get(name) is not None else rows
                       for name, rows in datasets.items()}
    return out


def _trim(rows: Any, keep: set[str] | None) -> Any:
    if keep is None or not isinstance(rows, list):
        return rows
    return [{k: v for k, v in row.items() if k in keep} if isinstance(row, dict) else row
            for row in rows]


def _visit(view: dict[str, Any], data: str | None, inherited: frozenset[str],
           used: dict[str, set[str] | None]) -> None:
    """Add to `used[dataset]` the fields `view` reads, with those of the views around it
    (a layer inherits its parent's encoding, which then reads the layer's own data)."""
    source = view.get("data")
    if isinstance(source, dict):  # its own data: a named dataset, or inline / external data
        data = source.get("name")  # (only named datasets are trimmed)
    try:
        own = _fields(view)
    except _Opaque:
        if data is not None:
            used[data] = None
        own, opaque = frozenset(), True
    else:
        opaque = False
    fields = inherited | own
    if data is not None and not opaque and used.get(data, set()) is not None:
        used.setdefault(data, set()).update(fields)
    for key in _VIEWS:
        nested = view.get(key)
        for child in nested if isinstance(nested, list) else [nested]:
            if isinstance(child, dict):
                _visit(child, data, fields, used)


def _fields(view: dict[str, Any]) -> frozenset[str]:
    """The field names `view` itself may read (not its nested views)."""
    found: set[str] = set()
    for key, value in view.items():
        if key in ("data", "datasets", "config", "$schema", *_VIEWS):
            continue
        if key == "repeat" or (key == "transform" and any(
                "lookup" in step for step in value if isinstance(step, dict))):
            raise _Opaque  # fields named indirectly, or another dataset read by key
        _collect(value, key, found, in_transform=key == "transform")
    for name in found:
        if not _SIMPLE.fullmatch(name):
            raise _Opaque  # a nested path ("a.b", "a[0]") or an escaped name
    return frozenset(found)


def _collect(value: Any, key: str, found: set[str], in_transform: bool) -> None:
    if key == "sort" and not isinstance(value, dict):
        return  # "-x", "ascending" or a list of data values: no field (`{"field": ...}` is)
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, k, found, in_transform)
    elif isinstance(value, list):
        for v in value:
            _collect(v, key, found, in_transform)
    elif isinstance(value, str):
        if key in _EXPR_KEYS or "datum" in value:
            _expression(value, found)
        elif key in _FIELD_KEYS or in_transform:
            found.add(value)  # a transform's strings: field names, or names it creates


def _expression(text: str, found: set[str]) -> None:
    refs = list(_DATUM.finditer(text))
    if text.count("datum") != len(refs):
        raise _Opaque
    for ref in refs:
        found.add(ref.group(1) or ref.group(3))
