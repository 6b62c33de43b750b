"""What a report notebook calls: one `Report` per notebook, one call per cell.

    r = open_report(store, person, start, end, lang, screen_safe, topic="spending")
    r.intro()                    # what this data is, who holds it, what it reveals, rights
    r.key_figures()
    r.show("monthly_in_out")     # title, chart, "how to read this"
    r.coverage()

A topic (`selfdata_kit.reports.<name>.TOPIC`) lists its sections: an analysis function, a
chart builder, and the columns to mask in screen-safe mode (the policy, places coarsened
too, is `reports.screen_safe`). Texts come from
`i18n/<topic>.toml`: `intro.what`, `intro.who`, `intro.reveals`, `title`, and for each section
`<section>.title` and `<section>.how_to_read`. A person without data of the kind gets a kind
message, never an error.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import duckdb
import pandas as pd

from ..analysis.coverage import Coverage, coverage, rows_of
from ..analysis.scope import Scope, make_scope
from ..charts import render
from ..i18n import fmt_date, fmt_number, t
from ..store import open_store
from . import TOPICS
from . import screen_safe as policy


@dataclass(frozen=True)
class Section:
    analysis: Callable[[duckdb.DuckDBPyConnection, Scope], pd.DataFrame]
    chart: Callable[[pd.DataFrame, str], alt.TopLevelMixin]  # (frame, lang) -> chart
    sensitive: tuple[str, ...] = ()  # columns masked in screen-safe mode (`screen_safe`)
    optional: bool = False  # without rows the section shows nothing (chats in the calls report)


@dataclass(frozen=True)
class Topic:
    name: str  # also the i18n file and the notebook name
    table: str  # the canonical table its data comes from (its coverage)
    sections: dict[str, Section]
    # (con, scope, lang, screen_safe) -> [(label, formatted value)]
    key_figures: Callable[[duckdb.DuckDBPyConnection, Scope, str, bool], list[tuple[str, str]]]
    extra_tables: tuple[str, ...] = field(default=())  # other tables that count as data


def topic(name: str) -> Topic:
    if name not in TOPICS:
        raise ValueError(f"unknown report {name!r}; reports: {', '.join(TOPICS)}")
    return import_module(f"{__package__}.{name}").TOPIC


class Report:
    def __init__(self, con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                 screen_safe: bool, topic: Topic) -> None:
        self.con, self.scope, self.lang = con, scope, lang
        self.screen_safe, self.topic = screen_safe, topic
        self.data: Coverage = coverage(con, scope, topic.table)
        # a topic crossing sources (fun facts) has data when any of its tables has rows
        self.extra_rows = rows_of(con, scope.person, topic.extra_tables)

    @property
    def has_data(self) -> bool:
        return not self.data.empty or self.extra_rows > 0

    def text(self, key: str, **values: object) -> str:
        return t(f"{self.topic.name}.{key}", self.lang, **values)

    # --- cells -------------------------------------------------------------------------

    def intro(self) -> None:
        c = lambda key, **v: t(f"common.{key}", self.lang, **v)  # noqa: E731
        parts = [f"# {self.text('title')}", self.text("intro.what"), self.text("intro.who"),
                 self.text("intro.reveals"), f"**{c('rights_title')}.** {c('rights')}"]
        if self.screen_safe:
            parts.append(f"> {c('screen_safe')}")
        if not self.has_data:  # the person id is the user's: text, never markup
            parts.append(f"## {c('no_data_title')}\n\n"
                         f"{c('no_data', person=md_escape(self.scope.person))}")
        display_markdown("\n\n".join(parts))

    def key_figures(self) -> None:
        if not self.has_data:
            return
        rows = self.topic.key_figures(self.con, self.scope, self.lang, self.screen_safe)
        # values may come from the data (a contact's kept name): text, never markup
        table = "\n".join(f"| {md_escape(label)} | **{md_escape(value)}** |"
                          for label, value in rows)
        display_markdown(f"## {t('common.key_figures', self.lang)}\n\n| | |\n|---|---|\n{table}")

    def frame(self, name: str) -> pd.DataFrame:
        """The rows behind a section (screen-safe mode: masked, places coarsened)."""
        section = self.topic.sections[name]
        frame = once(section.analysis, self.con, self.scope)
        return policy.apply(frame, section.sensitive, self.lang) if self.screen_safe else frame

    def show(self, name: str) -> None:
        if not self.has_data:
            return
        section = self.topic.sections[name]
        frame = self.frame(name)
        head = f"## {self.text(name + '.title')}"
        if frame.empty and section.optional:
            return
        if frame.empty:
            display_markdown(f"{head}\n\n{t('common.no_data_chart', self.lang)}")
            return
        display_markdown(head)
        display_chart(section.chart(frame, self.lang), (self.topic.name, name))
        colon = "\u00a0:" if self.lang == "fr" else ":"  # French puts a space before ':'
        display_markdown(f"*{t('common.how_to_read', self.lang)}{colon}*"
                          f" {self.text(name + '.how_to_read')}")

    def coverage(self) -> None:
        c = lambda key, **v: t(f"common.{key}", self.lang, **v)  # noqa: E731
        d = self.data
        period = (f"{fmt_date(d.first, self.lang)} – {fmt_date(d.last, self.lang)}"
                  if d.first else "–")
        rows = [(c("coverage_rows"), fmt_number(d.rows, self.lang)),
                (c("coverage_period"), period),
                (c("coverage_days"), f"{fmt_number(d.days_with_data, self.lang)} / "
                                     f"{fmt_number(d.days_in_range, self.lang)}"),
                (c("coverage_gap"), c("day_one" if d.longest_gap_days == 1 else "days",
                                      n=d.longest_gap_days)),
                (c("coverage_imports"), fmt_number(d.imports, self.lang)),
                (c("coverage_duplicates"), fmt_number(d.duplicates_skipped, self.lang))]
        table = "\n".join(f"| {label} | {value} |" for label, value in rows)
        display_markdown(f"## {c('coverage_title')}\n\n| | |\n|---|---|\n{table}")


def open_report(store: str | Path | None, person: str, start: date | str | None = None,
                end: date | str | None = None, lang: str = "fr", screen_safe: bool = False,
                topic_name: str = "spending") -> Report:
    """Open the store read-only (None: $SELFDATA_STORE, else ./selfdata.duckdb), set up
    offline charts (the Vega bundle once), and return the report for one person and topic."""
    con = report_connection(store)
    setup_rendering(lang)
    return Report(con, make_scope(con, person, start, end), lang, screen_safe, topic(topic_name))


def report_connection(store: str | Path | None) -> duckdb.DuckDBPyConnection:
    """The store, read-only, for a report notebook. DuckDB draws a progress bar (an
    ipywidget, with a random id) in a notebook for any query over 2 s, as categorising a year
    of bank lines takes on a busy machine: pages would differ from run to run. None here."""
    con = open_store(store, read_only=True).con
    con.execute("SET enable_progress_bar = false").fetchall()
    return con


def setup_rendering(lang: str) -> None:
    """Offline charts for this notebook: the Vega bundle once, chart ids from 1 again (a
    re-run, even in a reused kernel, gives the same output)."""
    render.enable(lang)
    render.reset_ids()
    display_html(render.bundle_html())


# what Markdown (CommonMark, GFM tables and autolinks, Jupyter's $math$) could read as
# markup: ':' and '@' start autolinks (`http://...`, `a@b.c`), and so does a 'www.'
_MARKDOWN = re.compile(r"[\\`*_\[\]|$~#&<>:@]|\r\n|[\r\n]|(?i:www)\.")
_MARKDOWN_AS_TEXT = {"<": "&lt;", ">": "&gt;", "\r\n": " ", "\r": " ", "\n": " "}
# at the start of a line: a list item ('- x', '+ x', '1. x', '1) x')
_LIST_MARK = re.compile(r"^([-+]|\d{1,9}[.)])")


def md_escape(text: str) -> str:
    """`text` as literal Markdown text: no emphasis, link, image, list, table cell, math or
    HTML can come out of it, on one line. Markdown displayed by a notebook is also exported
    as HTML (batch reports), so a string from the data or a user goes through this first."""
    out = _MARKDOWN.sub(lambda m: _MARKDOWN_AS_TEXT.get(m[0], _escaped(m[0])), str(text))
    return _LIST_MARK.sub(lambda m: m[0][:-1] + "\\" + m[0][-1], out)


def _escaped(markup: str) -> str:
    return f"{markup[:-1]}\\." if markup.endswith(".") else "\\" + markup  # www\. or \x


# An analysis's frame per (analysis, scope), for the connection of the report being run: the
# key figures and a section that show the same rows (fun facts' cursors and badges, energy's
# costs) compute them once. Another connection (the next report, a kernel reused for many)
# starts afresh; the connection is held, not its id, which a new connection could reuse.
_frames: dict[tuple[object, Scope], Any] = {}
T = TypeVar("T")
_frames_con: list[duckdb.DuckDBPyConnection] = []


def once(analysis: Callable[[duckdb.DuckDBPyConnection, Scope], T],
         con: duckdb.DuckDBPyConnection, scope: Scope) -> T:
    """`analysis(con, scope)` (a frame or a dict), computed once per report; each caller
    gets its own copy."""
    if not _frames_con or _frames_con[0] is not con:
        _frames.clear()
        _frames_con[:] = [con]
    key = (analysis, scope)
    if key not in _frames:
        _frames[key] = analysis(con, scope)
    value = _frames[key]
    return value.copy() if isinstance(value, pd.DataFrame) else copy.deepcopy(value)


# Altair validates a chart's whole spec against the Vega-Lite JSON schema on every display,
# ~15% of a report's kernel time (benchmarks/README.md). A section's chart has the same
# shape for every person (its builder's code), so it is validated the first time it is
# drawn in this kernel only; the data it carries is not what the schema checks.
_validated: set[tuple[str, str]] = set()


def display_chart(chart: alt.TopLevelMixin, section: tuple[str, str]) -> None:
    """What `display(chart)` shows (the active renderer's HTML, Altair's plain-text repr),
    the schema validation done once per section and kernel."""
    from IPython.display import display

    validate = section not in _validated
    spec = chart.to_dict(context={"pre_transform": False}, validate=validate)
    _validated.add(section)
    display({**alt.renderers.get()(spec), "text/plain": repr(chart)}, raw=True)


def display_object(obj: object) -> None:
    from IPython.display import display

    display(obj)


def display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def display_html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))
