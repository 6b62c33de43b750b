"""An executed report notebook as one HTML page: input cells hidden, charts interactive, no
URL outside the output folder (nbconvert's lab and classic templates link require.js and
MathJax from a CDN; the `basic` template, wrapped here, links nothing).

Two ways to carry the Vega bundle (~0.9 MB, docs/reports.md "Page size"): `inline`, one
self-contained file to hand to one person; or shared, the page loading the batch's one copy
by relative path (`bundle` is then that path, e.g. `../_assets/vega-bundle-<hash>.js`)."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..charts.bundle import link_bundle

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

INLINE = "inline"

STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #222;
       margin: 0; background: #fafafa; }
main { max-width: 920px; margin: 0 auto; padding: 1.5rem 2rem 4rem; background: #fff; }
h1 { font-size: 1.9rem; margin-top: .5rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .8rem 0; }
td, th { padding: .3rem .8rem; border-bottom: 1px solid #e6e6e6; text-align: left; }
blockquote { margin: 1rem 0; padding: .5rem 1rem; background: #f3f6fa;
             border-left: 4px solid #0072B2; }
.selfdata-chart { margin: .5rem 0 .3rem; } .jp-OutputPrompt, .jp-InputPrompt { display: none; }
pre { white-space: pre-wrap; } nav a { margin-right: 1rem; } a.anchor-link { display: none; }
"""


def page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def notebook_to_html(ipynb: Path | NotebookNode, title: str, lang: str,
                     bundle: str = INLINE) -> str:
    """`ipynb`: the executed notebook's file, or the notebook itself (already read)."""
    import nbformat  # here: seconds of imports that a rerun with nothing to render skips

    nb = ipynb if isinstance(ipynb, nbformat.NotebookNode) else nbformat.read(ipynb, as_version=4)
    body, _ = _exporter().from_notebook_node(nb)
    if bundle != INLINE:
        body = link_bundle(body, bundle)
    return page(title, body, lang)


def warm_up() -> None:
    """Build the exporter now (nbconvert imported, templates loaded, ~0.5 s), e.g. while a
    kernel starts, rather than after the first notebook."""
    _exporter()


@cache
def _exporter() -> HTMLExporter:
    """Built once per process (its templates loaded once): ~0.1 s each time otherwise."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter
