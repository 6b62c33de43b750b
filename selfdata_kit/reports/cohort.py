"""The cohort report: the same aggregates as `selfdata cohort --json`, as charts, under the
disclosure control of `analysis.disclosure`; each suppressed cell says why, in plain words.

Its content is made once, as typed blocks: `CohortReport.blocks(section)` for each of
`SECTIONS`, in order. A block holds plain text (or an Altair chart), never markup; two
renderers write the markup and escape every text:

- `display_blocks`, in `notebooks/cohort.ipynb`: `r.intro()`, `r.coverage()`,
  `r.distributions()`, `r.groups_comparison()` display their section as Markdown and charts;
- `blocks_html`, for a page: the workshop's group wall (`commands.workshop.write_wall`) shows
  the sections after the intro, with its own intro and questions, as blocks too.

So the notebook and the wall cannot drift apart, and no string from the data or a user (a group
attribute, a category) reaches a page as markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from ..analysis import cohort as c
from ..analysis import disclosure
from ..analysis.disclosure import Rules
from ..charts import cohort as charts
from ..charts.render import bundle_html, reset_ids, to_html
from ..i18n import fmt_number, t
from ..store import Store, open_store
from .notebook import display_markdown, display_object, md_escape, setup_rendering

SECTIONS = ("intro", "coverage", "distributions", "groups_comparison")


# --- blocks: what the report says, without markup ------------------------------------------

@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Figure:
    """A labelled value: "Persons in the cohort: 30"."""
    label: str
    value: str


@dataclass(frozen=True)
class Note:
    """How to read what comes before (in italics)."""
    text: str


@dataclass(frozen=True, eq=False)
class Chart:
    chart: alt.TopLevelMixin
    caption: str | None = None  # a bold line above the chart


@dataclass(frozen=True)
class Items:
    """A bulleted list."""
    items: tuple[str, ...]


Block = Heading | Paragraph | Figure | Note | Chart | Items


def _colon(lang: str) -> str:
    return "\u00a0:" if lang == "fr" else ":"  # French puts a space before ':'


def reason_text(code: str, lang: str, k: int = c.K_DEFAULT,
                dominance: float = c.DOMINANCE_DEFAULT) -> str:
    """Why a cell is suppressed (its `reason_code`), in plain words, in `lang`."""
    return t(f"cohort.reason.{code}", lang, k=k, share=f"{dominance * 100:g}",
             tail=disclosure.tail_minimum(0.10))


# --- the report ----------------------------------------------------------------------------

class CohortReport:
    """The cohort report over every person of `store` (a path, None for $SELFDATA_STORE, or an
    open `Store`). `groups` is a CSV of person attributes, `by` the attribute to compare."""

    def __init__(self, store: str | Path | Store | None, k: int = c.K_DEFAULT,
                 lang: str = "fr", groups: str | Path | None = None,
                 by: str | None = None, dominance: float = c.DOMINANCE_DEFAULT) -> None:
        self.rules = Rules(k, dominance)  # checked before the store is opened
        opened = store if isinstance(store, Store) else open_store(store, read_only=True)
        self.con = opened.con
        self.k, self.dominance, self.lang, self.by = k, dominance, lang, by
        self.groups = c.load_groups(str(groups)) if groups else None
        self.metrics = c.key_metrics(c.person_metrics(self.con))
        self._rendering = False

    @property
    def persons(self) -> int:
        return len(self.metrics)

    def text(self, key: str, **values: object) -> str:
        return t(f"cohort.{key}", self.lang, **values)

    # --- content ---------------------------------------------------------------------------

    def blocks(self, section: str) -> list[Block]:
        """The blocks of one of `SECTIONS`."""
        if section not in SECTIONS:
            raise ValueError(f"unknown section {section!r}; sections: {', '.join(SECTIONS)}")
        return getattr(self, f"_{section}_blocks")()

    def _intro_blocks(self) -> list[Block]:
        n = self.persons
        shown = fmt_number(n, self.lang) if n >= self.k else self.text("suppressed")
        return [Heading(self.text("title"), 1),
                Paragraph(self.text("intro", k=self.k, share=f"{self.dominance * 100:g}")),
                Figure(self.text("persons_count"), shown)]

    def _coverage_blocks(self) -> list[Block]:
        frame = self._noted(c.coverage(self.con, self.k, self.dominance))
        chart = [Chart(charts.coverage(frame, self.lang))] if len(frame) else []
        return [Heading(self.text("coverage_title")), *chart, *self._suppressed(frame),
                Note(self.text("coverage_how", k=self.k))]

    def _distributions_blocks(self) -> list[Block]:
        frame = self._noted(c.distributions(self.metrics, self.k, dominance=self.dominance))
        out: list[Block] = [Heading(self.text("distributions_title"))]
        for prefix in c.KEY_METRICS:
            part = frame[frame["metric"].str.startswith(prefix)]
            if len(part):
                out.append(Chart(charts.distribution(part, self.lang)))
        return [*out, *self._suppressed(frame), Note(self.text("distributions_how"))]

    def _groups_comparison_blocks(self) -> list[Block]:
        if self.by is None or self.groups is None:
            return []
        frame = self._noted(c.distributions(self.metrics, self.k, groups=self.groups,
                                            by=self.by, dominance=self.dominance))
        out: list[Block] = [Heading(self.text("groups_title", by=self.by))]
        for metric, part in frame.groupby("metric", sort=True):
            out.append(Chart(charts.distribution(part, self.lang, label=self.by),
                             caption=charts.metric_label(metric, self.lang)))
        return [*out, *self._suppressed(frame), Note(self.text("groups_how"))]

    def reason(self, code: str) -> str:
        return reason_text(code, self.lang, self.k, self.dominance)

    def _noted(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with `note`: the reason of each suppressed row, for the charts."""
        return frame.assign(note=[self.reason(code) if hidden else "" for code, hidden
                                  in zip(frame["reason_code"], frame["suppressed"],
                                         strict=True)])

    def _suppressed(self, frame: pd.DataFrame) -> list[Block]:
        """How many cells were suppressed, and why, one line per reason."""
        n = int(frame["suppressed"].sum()) if "suppressed" in frame else 0
        counts = disclosure.counts_by_reason(frame.to_dict("records"))
        lines = [self.text("suppressed_item", n=counts[code], reason=self.reason(code))
                 for code in ("threshold", "dominance", "secondary") if code in counts]
        if "tails" in counts:
            lines.append(self.text("tails_item", n=counts["tails"],
                                   tail=disclosure.tail_minimum(0.10)))
        out: list[Block] = [Figure(self.text("suppressed_count"), str(n))] if n else []
        return [*out, Items(tuple(lines))] if lines else out

    # --- notebook cells --------------------------------------------------------------------

    def show(self, section: str) -> None:
        """Display one section in the notebook (the Vega bundle before the first one)."""
        if not self._rendering:
            setup_rendering(self.lang)
            self._rendering = True
        display_blocks(self.blocks(section), self.lang)

    def intro(self) -> None:
        self.show("intro")

    def coverage(self) -> None:
        self.show("coverage")

    def distributions(self) -> None:
        self.show("distributions")

    def groups_comparison(self) -> None:
        self.show("groups_comparison")


# --- renderers -----------------------------------------------------------------------------

def notebook_outputs(blocks: Iterable[Block], lang: str) -> list[str | alt.TopLevelMixin]:
    """What a notebook displays for `blocks`: Markdown texts (every text escaped) and charts."""
    out: list[str | alt.TopLevelMixin] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {md_escape(b.text)}")
        elif isinstance(b, Paragraph):
            out.append(md_escape(b.text))
        elif isinstance(b, Figure):
            out.append(f"**{md_escape(b.label)}**{_colon(lang)} {md_escape(b.value)}")
        elif isinstance(b, Note):
            out.append(f"*{md_escape(b.text)}*")
        elif isinstance(b, Chart):
            if b.caption is not None:
                out.append(f"**{md_escape(b.caption)}**")
            out.append(b.chart)
        elif isinstance(b, Items):
            out.append("\n".join(f"- {md_escape(item)}" for item in b.items))
        else:
            raise TypeError(f"not a block: {b!r}")
    return out


def display_blocks(blocks: Iterable[Block], lang: str) -> None:
    """Display `blocks` in the notebook; consecutive texts in one Markdown output."""
    texts: list[str] = []
    for item in notebook_outputs(blocks, lang):
        if isinstance(item, str):
            texts.append(item)
            continue
        if texts:
            display_markdown("\n\n".join(texts))
            texts = []
        display_object(item)
    if texts:
        display_markdown("\n\n".join(texts))


def blocks_html(blocks: Sequence[Block], lang: str) -> str:
    """`blocks` as an HTML fragment for a page: every text escaped, the Vega bundle once
    before the first chart, chart ids from 1."""
    e = html.escape
    reset_ids()
    out = [bundle_html()] if any(isinstance(b, Chart) for b in blocks) else []
    for b in blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 6)
            out.append(f"<h{level}>{e(b.text)}</h{level}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{e(b.text)}</p>")
        elif isinstance(b, Figure):
            out.append(f"<p><strong>{e(b.label)}</strong>{e(_colon(lang))} {e(b.value)}</p>")
        elif isinstance(b, Note):
            out.append(f"<p><em>{e(b.text)}</em></p>")
        elif isinstance(b, Chart):
            if b.caption is not None:
                out.append(f"<p><strong>{e(b.caption)}</strong></p>")
            out.append(to_html(b.chart, lang))
        elif isinstance(b, Items):
            out.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in b.items) + "</ul>")
        else:
            raise TypeError(f"not a block: {b!r}")
    return "\n".join(out)
