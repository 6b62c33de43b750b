"""Offline rendering of Altair charts, in notebooks and in exported HTML.

Altair 6's default renderers load Vega from a CDN (a blank chart offline) and its mimetype
renderer is rejected by papermill and not drawn by JupyterLab 4 (DESIGN.md section 7). So:
`bundle_html()` (charts/bundle.py) embeds the vega-embed bundle (from vl-convert, ~0.9 MB)
ONCE per notebook or page, and each chart is a small `<div>` + `vegaEmbed(...)` call with a
deterministic id, so that re-running a notebook gives the same output. A batch of pages can
instead share one copy of the bundle per output folder (`bundle.write_bundle`,
`bundle.link_bundle`): each page then loads it by relative path, ~0.9 MB lighter, and the
folder still opens offline.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import altair as alt
import pandas as pd
from altair.utils.data import to_values

from .bundle import bundle_html, vega_bundle  # noqa: F401 (re-exported: notebooks, cohort)
from .compact import compact_spec
from .theme import FORMAT_LOCALE, TIME_FORMAT_LOCALE, lang_or_default

_counter = itertools.count(1)


def reset_ids() -> None:
    """Number the next charts from 1 (called once per report)."""
    global _counter
    _counter = itertools.count(1)


def embed_options(lang: str) -> dict[str, Any]:
    lang = lang_or_default(lang)
    return {"actions": False, "mode": "vega-lite", "renderer": "svg",
            "formatLocale": FORMAT_LOCALE[lang],
            "timeFormatLocale": TIME_FORMAT_LOCALE[lang]}


def chart_html(spec: dict[str, Any], lang: str) -> str:
    """A `<div>` and the script drawing `spec` into it (needs `bundle_html()` on the page)."""
    spec = {k: _stable(v) for k, v in compact_spec(spec).items()
            if k != "$schema"}  # no URL in the page
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    div = f"selfdata-vis-{next(_counter)}-{digest}"
    options = json.dumps(embed_options(lang), sort_keys=True, ensure_ascii=False)
    # a label can neither close the script nor open a comment or CDATA section in it: the
    # characters HTML cares about are JSON escapes inside strings (and never appear outside)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (f'<div class="selfdata-chart" id="{div}"></div>\n'
            f'<script type="text/javascript">vegaEmbed("#{div}", {safe}, {options})'
            f'.catch(function (e) {{ console.error(e); }});</script>')


def _stable(value: Any) -> Any:
    """Floats to 12 significant digits: DuckDB's parallel sums may differ in the last bits
    from one run to the next, which would make re-rendered reports differ. (Chart data is
    rounded by `_rounded_values` before Altair names its datasets; this catches the rest,
    e.g. a scale domain computed from the data.)"""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _rounded_values(data: Any) -> Any:
    """Altair's data transformer, with float columns rounded first (see `_stable`): the
    dataset names Altair derives from the values are then stable too. No row limit: analyses
    aggregate in DuckDB before charting."""
    if isinstance(data, pd.DataFrame):
        floats = data.select_dtypes("float").columns
        if len(floats):
            data = data.assign(**{c: data[c].map(_stable) for c in floats})
    return to_values(data)


def enable(lang: str) -> None:
    """Make Altair charts displayed in this kernel render offline with `lang`'s formats."""

    def renderer(spec: dict[str, Any], **_: Any) -> dict[str, str]:
        return {"text/html": chart_html(spec, lang)}

    alt.renderers.register("selfdata", renderer)
    alt.renderers.enable("selfdata")
    alt.data_transformers.register("selfdata", _rounded_values)
    alt.data_transformers.enable("selfdata")


def to_html(chart: alt.TopLevelMixin, lang: str) -> str:
    return chart_html(chart.to_dict(), lang)
