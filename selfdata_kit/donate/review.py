"""The review page: every value a contribution would carry, in plain words, with a box to
untick and a button that downloads the contribution without the unticked ones.

One offline HTML file: the contribution sits in the page as JSON data (never as markup), the
script that edits it is inline, and the page's Content-Security-Policy forbids every request
(`default-src 'none'`), so nothing can leave from it. The download is the participant's own
act: the browser saves the edited file, which they seal with `selfdata contribute --seal`.
"""

from __future__ import annotations

import html
import json

from ..batch.html_page import STYLE
from ..i18n import fmt_money, fmt_number, t
from .spec import Spec

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('contribution').textContent);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-metric]'));
  var count = document.getElementById('count');
  function kept() {
    var out = {};
    boxes.forEach(function (b) {
      if (b.checked) { out[b.dataset.metric] = data.figures[b.dataset.metric]; }
    });
    return out;
  }
  function update() {
    count.textContent = count.dataset.template
      .replace('{n}', Object.keys(kept()).length).replace('{total}', boxes.length);
  }
  boxes.forEach(function (b) { b.addEventListener('change', update); });
  document.getElementById('download').addEventListener('click', function () {
    var edited = Object.assign({}, data, {figures: kept()});
    var blob = new Blob([JSON.stringify(edited, null, 2) + '\\n'], {type: 'application/json'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = document.getElementById('download').dataset.filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  update();
})();
"""

EXTRA_STYLE = """
td.value { text-align: right; white-space: nowrap; } code { font-size: .85em; color: #555; }
button { font: inherit; padding: .5rem 1rem; margin: .8rem 0; cursor: pointer; }
pre { background: #f3f6fa; padding: .6rem 1rem; }
"""


def name_words(name: str, lang: str) -> str:
    """A category, cursor or commodity in the page's language ("groceries" -> "Courses")."""
    for key in (f"spending.categories.{name}", f"spending.chart.commodity_{name}"):
        try:
            return t(key, lang)
        except KeyError:
            pass
    try:
        return (f"{t(f'fun_facts.cursor.{name}.left', lang)} \u2013"
                f" {t(f'fun_facts.cursor.{name}.right', lang)}")
    except KeyError:
        return name.replace("_", " ")


def value_words(value: float, unit: str, lang: str) -> str:
    if unit == "eur":
        return fmt_money(value, lang, 0)
    if unit == "share":
        return f"{fmt_number(value * 100, lang)}\u00a0%"
    if unit == "position":
        return fmt_number(value, lang, 2)
    suffix = {"kwh": "\u00a0kWh", "watts": "\u00a0W", "per_week": ""}[unit]
    return fmt_number(value, lang) + suffix


def json_data(value: object) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` left to end it."""
    return (json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))


def review_page(contribution: dict, spec: Spec, lang: str, *, download_name: str,
                seal_command: str, sealed_file: str | None = None) -> str:
    """The review page of `contribution` (made for `spec`)."""
    e = html.escape
    w = lambda key, **v: t(f"contribute.{key}", lang, **v)  # noqa: E731
    figures: dict[str, float] = contribution["figures"]  # type: ignore[assignment]
    period = w("period_all") if spec.period == "all" else spec.period
    colon = "\u00a0:" if lang == "fr" else ":"  # French puts a space before ':'
    rows = []
    for i, (metric, value) in enumerate(figures.items()):
        found = spec.figure_of(metric)
        if found is None:  # make() only holds declared figures; a bug otherwise
            raise ValueError(f"{metric} is not declared by the spec")
        figure, name = found
        words = figure.about[lang].replace("{name}", name_words(name, lang))
        rows.append(
            f'<tr><td><input type="checkbox" id="f{i}" checked data-metric="{e(metric)}"></td>'
            f'<td><label for="f{i}">{e(words)}</label></td>'
            f'<td class="value">{e(value_words(value, figure.unit, lang))}</td>'
            f"<td><code>{e(metric)}</code></td></tr>")
    table = (f"<table><thead><tr><th>{e(w('review_keep'))}</th><th>{e(w('review_figure'))}"
             f"</th><th>{e(w('review_value'))}</th><th>{e(w('review_metric'))}</th></tr>"
             f"</thead><tbody>{''.join(rows)}</tbody></table>") if rows \
        else f"<p>{e(w('review_none'))}</p>"
    seal_text = (w("review_sealed", file=sealed_file) if sealed_file else w("review_seal"))
    body = "\n".join([
        f"<h1>{e(w('review_title'))}</h1>",
        f"<p>{e(w('review_intro', spec=spec.name, version=spec.version))}</p>",
        f"<p><strong>{e(w('review_period'))}</strong>{colon} {e(period)}</p>",
        f"<h2>{e(w('review_what'))}</h2>",
        f"<p>{e(w('review_how'))}</p>",
        table,
        f'<p id="count" data-template="{e(w("review_count", n="{n}", total="{total}"))}"></p>',
        f'<button type="button" id="download" data-filename="{e(download_name)}">'
        f"{e(w('review_download'))}</button>",
        f"<p>{e(seal_text)}</p>",
        f"<pre>{e(seal_command)}</pre>",
        f"<p>{e(w('review_edit'))}</p>",
        f'<script type="application/json" id="contribution">{json_data(contribution)}</script>',
        f"<script>{SCRIPT}</script>",
    ])
    return (f'<!DOCTYPE html>\n<html lang="{e(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(w('review_title'))}</title>\n<style>{STYLE}{EXTRA_STYLE}</style>\n"
            f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")
