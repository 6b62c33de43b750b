"""The music and screens report: listening and watching histories (Spotify, Netflix, YouTube),
its sections, key figures (`notebooks/media.ipynb`).

Titles, artists and series are the point of the data, and they say a lot about a person:
screen-safe mode masks them in every section and key figure (`reports.screen_safe`).
"""

from __future__ import annotations

import duckdb

from ..analysis import media as a
from ..analysis.scope import Scope
from ..charts import media as charts
from ..i18n import fmt_number, t
from . import screen_safe as policy
from .notebook import Section, Topic

SECTIONS = {
    "hour_weekday": Section(a.hour_weekday, charts.hour_weekday),
    "by_weekday": Section(a.weekdays, charts.weekdays),
    "top_artists": Section(a.top_artists, charts.top_artists, ("artist",)),
    "top_series": Section(a.top_series, charts.top_series, ("series",)),
    "binge_sessions": Section(a.binge_sessions, charts.binge_sessions, ("series",)),
    "skipped_tracks": Section(a.skipped_tracks, charts.skipped_tracks),
}


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    s = a.figures(con, scope)
    k = lambda key, **v: t(f"media.key.{key}", lang, **v)  # noqa: E731
    percent = "\u00a0%" if lang == "fr" else "%"
    rows = [(k("services"), ", ".join(t(f"media.service.{x}", lang) for x in s["services"])),
            (k("plays"), fmt_number(s["plays"], lang)),
            (k("listening_hours"), k("hours", n=fmt_number(s["listening_hours"], lang, 1))),
            (k("viewings"), fmt_number(s["viewings"], lang)),
            (k("watching_hours"), k("hours", n=fmt_number(s["watching_hours"], lang, 1))),
            (k("late_share"), fmt_number(100 * s["late_share"], lang) + percent)]
    if s["plays"]:
        rows.append((k("skipped_share"), fmt_number(100 * s["skipped_share"], lang) + percent))
    if s["binge_days"]:
        rows.append((k("binge_days"), fmt_number(s["binge_days"], lang)))
    # masked as in the charts, where the first bar is "Masked 1"
    for key in ("top_artist", "top_series"):
        if s[key]:
            rows.append((k(key), policy.placeholder(1, lang) if screen_safe else s[key]))
    return rows


TOPIC = Topic(name="media", table="media", sections=SECTIONS, key_figures=key_figures)
