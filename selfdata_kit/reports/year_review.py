"""The year in review report (`notebooks/year_review.ipynb`): one page per person and year.

The year is a notebook parameter; by default the last complete year with data
(`analysis.year_review.pick_year`). The page crosses every source: a `YearReview` is a
`Report` whose scope is that calendar year, whose sections each say how to read them and what
they reveal, whose artists and series appear only when the person has a listening or viewing
history, and whose coverage lists every source of the year. Screen-safe mode masks merchants,
contacts, places, artists and series, in the charts and in the key figures alike.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ..analysis import year_review as a
from ..analysis.scope import Scope, make_scope
from ..charts import year_review as charts
from ..i18n import fmt_date, fmt_money, fmt_number, t
from . import screen_safe as policy
from .notebook import (
    Report,
    Section,
    Topic,
    display_markdown,
    display_object,
    md_escape,
    report_connection,
    setup_rendering,
)

OPTIONAL = ("top_artists", "top_series")  # left out, without a word, with no media rows
# the top of each list, its column, and the key figure naming it
TOPS = (("top_merchants", "merchant", "top_merchant"), ("top_contacts", "contact", "top_contact"),
        ("top_places", "place", "top_place"), ("top_artists", "artist", "top_artist"),
        ("top_series", "series", "top_series"))


def _k(key: str, lang: str, **values: object) -> str:
    return t(f"year_review.key.{key}", lang, **values)


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    """The year (in the scope's bounds, `pick_year`), its active days, events, busiest day,
    longest streaks and the top of each list (masked as in the charts: "Masked 1")."""
    year = a.pick_year(con, scope)
    if year is None:
        return []
    ys = a.year_scope(scope, year)
    days = a.daily_activity(con, ys)
    rows = [(_k("year", lang), _k("year_value", lang, year=year,
                                   active=int((days["events"] > 0).sum()), days=len(days))),
            (_k("events", lang), fmt_number(days["events"].sum(), lang))]
    busiest = a.busiest_day(con, ys)
    if not busiest.empty:
        day = fmt_date(pd.Timestamp(busiest["day"].iloc[0]).date(), lang)
        rows.append((_k("busiest", lang), _k("busiest_value", lang, day=day,
                                              n=int(busiest["events"].iloc[0]))))
    runs = a.streaks(con, ys).set_index("streak")["days"]
    for streak, key in (("active", "streak"), ("no_spend", "no_spend")):
        if streak in runs:
            n = int(runs[streak])
            rows.append((_k(key, lang), t("common.day_one" if n == 1 else "common.days",
                                          lang, n=n)))
    for section, column, key in TOPS:
        frame = getattr(a, section)(con, ys)
        if not frame.empty:
            top = policy.placeholder(1, lang) if screen_safe else str(frame[column].iloc[0])
            rows.append((_k(key, lang), top))
    return rows


TOPIC = Topic(
    name="year_review",
    table="calls",
    sections={
        "calendar": Section(a.daily_activity, charts.calendar),
        "streaks": Section(a.streaks, charts.streaks),
        "busiest_day": Section(a.busiest_day, charts.busiest_day),
        "top_merchants": Section(a.top_merchants, charts.top_merchants, ("merchant",)),
        "top_contacts": Section(a.top_contacts, charts.top_contacts, ("contact", "pseudonym")),
        "top_places": Section(a.top_places, charts.top_places, ("place",)),
        "top_artists": Section(a.top_artists, charts.top_artists, ("artist",)),
        "top_series": Section(a.top_series, charts.top_series, ("series",)),
    },
    key_figures=key_figures,
    extra_tables=("transactions", "energy", "places"),
)


class YearReview(Report):
    """A `Report` over one calendar year; `year` None picks it (`pick_year`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                 screen_safe: bool, year: int | None = None) -> None:
        self.year = a.pick_year(con, scope, year)
        if self.year is not None:
            scope = a.year_scope(scope, self.year)
        super().__init__(con, scope, lang, screen_safe, TOPIC)
        self.sources = a.sources(con, scope) if self.year is not None else pd.DataFrame()

    @property
    def has_data(self) -> bool:
        return not self.sources.empty

    def _colon(self) -> str:
        return "\u00a0:" if self.lang == "fr" else ":"  # French puts a space before ':'

    def intro(self) -> None:
        c = lambda key, **v: t(f"common.{key}", self.lang, **v)  # noqa: E731
        title = (self.text("title_year", year=self.year) if self.has_data
                 else self.text("title"))
        parts = [f"# {title}", self.text("intro.what"), self.text("intro.who"),
                 self.text("intro.reveals"), f"**{c('rights_title')}.** {c('rights')}"]
        if self.screen_safe:
            parts.append(f"> {c('screen_safe')}")
        if self.has_data:
            parts.append(f"*{self.text('year_note', year=self.year)}*")
        else:  # the person id is the user's: text, never markup
            parts.append(f"## {c('no_data_title')}\n\n"
                         f"{c('no_data', person=md_escape(self.scope.person))}")
        display_markdown("\n\n".join(parts))

    def _explain(self, name: str) -> None:
        """How to read a figure, and what it reveals."""
        display_markdown(
            f"*{t('common.how_to_read', self.lang)}{self._colon()}*"
            f" {self.text(name + '.how_to_read')}\n\n"
            f"*{self.text('reveals')}{self._colon()}* {self.text(name + '.reveals')}")

    def show(self, name: str) -> None:
        if not self.has_data:
            return
        section = self.topic.sections[name]
        frame = self.frame(name)
        if frame.empty and name in OPTIONAL:
            return
        head = f"## {self.text(name + '.title')}"
        if frame.empty:
            display_markdown(f"{head}\n\n{t('common.no_data_chart', self.lang)}")
            return
        display_markdown(head)
        display_object(section.chart(frame, self.lang))
        self._explain(name)

    def months(self) -> None:
        """Each month of the year in one line, with the sources the person has."""
        if not self.has_data:
            return
        have = set(self.sources["source"])
        lines = [self._month_line(r, have) for _, r in a.months(self.con, self.scope).iterrows()]
        # a table like the key figures (a page's Markdown makes no list: see the workshop test)
        display_markdown(f"## {self.text('months.title')}\n\n| | |\n|---|---|\n"
                         + "\n".join(lines))
        self._explain("months")

    def _month_line(self, r: pd.Series, have: set[str]) -> str:
        m = lambda key, **v: self.text(f"months.{key}", **v)  # noqa: E731
        n = lambda v, d=0: fmt_number(v, self.lang, d)  # noqa: E731
        parts = [m("active", n=n(r["active_days"]))] if r["events"] > 0 else []
        if "bank" in have and r["payments"] > 0:
            parts.append(m("spent", amount=fmt_money(r["spent"], self.lang, 0)))
        if "calls" in have and r["calls"] + r["texts"] > 0:
            parts.append(m("calls", calls=n(r["calls"]), texts=n(r["texts"])))
        if "places" in have and r["visits"] > 0:
            parts.append(m("outings", n=n(r["outings"])))
        if "energy" in have and not pd.isna(r["kwh"]):
            parts.append(m("kwh", n=n(r["kwh"])))
        if "media" in have and r["media_minutes"] > 0:
            parts.append(m("media", h=n(r["media_minutes"] / 60, 1)))
        name = charts.month_name(r["month"], self.lang).capitalize()
        return f"| **{name}** | {' · '.join(parts) or m('none')} |"

    def coverage(self) -> None:
        """Every source of the year: rows, days with data, first and last day."""
        if not self.has_data:
            return
        s = lambda key: self.text(f"sources.{key}")  # noqa: E731
        rows = "\n".join(
            f"| {s(r.source)} | {fmt_number(r.rows, self.lang)} | {fmt_number(r.days, self.lang)}"
            f" | {fmt_date(pd.Timestamp(r.first).date(), self.lang)} – "
            f"{fmt_date(pd.Timestamp(r.last).date(), self.lang)} |"
            for r in self.sources.itertuples())
        display_markdown(f"## {s('title')}\n\n| {s('source')} | {s('rows')} | {s('days')} |"
                         f" {s('period')} |\n|---|---|---|---|\n{rows}")


def open_year_review(store: str | Path | None, person: str, year: int | str | None = None,
                     lang: str = "fr", screen_safe: bool = False,
                     start: date | str | None = None, end: date | str | None = None
                     ) -> YearReview:
    """Open the store read-only, set up offline charts, and return the year in review of
    `person`: `year`, else the last complete year with data between `start` and `end`."""
    con = report_connection(store)
    setup_rendering(lang)
    scope = make_scope(con, person, start, end)
    return YearReview(con, scope, lang, screen_safe,
                      None if year in (None, "") else int(year))
