"""Charts of the music and screens report: pure builders, a small frame from
`analysis.media` in, an Altair chart out. Labels come from `i18n/media.toml`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import fmt_date, t
from .theme import MONTH, NUMBER, PALETTE, SEQUENTIAL, WIDTH

ACTIVITY_COLOURS = {"listening": PALETTE[0], "watching": PALETTE[3]}


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"media.{key}", lang, **values)


def _axis(key: str, lang: str) -> str:
    return _t(f"axis.{key}", lang)


def _weekdays(lang: str) -> list[str]:
    return _t("weekdays", lang).split(",")


def hour_weekday(frame: pd.DataFrame, lang: str) -> alt.VConcatChart | alt.Chart:
    """One heatmap per activity (listening, watching), hours across, weekdays down."""
    names = _weekdays(lang)
    charts = []
    for activity in ACTIVITY_COLOURS:
        part = frame[frame["activity"] == activity]
        if part.empty:
            continue
        data = part.assign(day=[names[d - 1] for d in part["weekday"]])
        charts.append(alt.Chart(data, title=_t(f"activity.{activity}", lang)).mark_rect().encode(
            x=alt.X("hour:O", title=_axis("hour", lang), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("day:O", title=None, sort=names),
            color=alt.Color("count:Q", title=_axis("count", lang),
                            scale=alt.Scale(scheme=SEQUENTIAL)),
            tooltip=[alt.Tooltip("day:O", title=_axis("weekday", lang)),
                     alt.Tooltip("hour:O", title=_axis("hour", lang)),
                     alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
        ).properties(height=200))
    return alt.vconcat(*charts).resolve_scale(color="independent") if len(charts) > 1 \
        else charts[0]


def weekdays(frame: pd.DataFrame, lang: str) -> alt.Chart:
    names = _weekdays(lang)
    kinds = [_t(f"activity.{a}", lang) for a in ACTIVITY_COLOURS]
    data = frame.assign(day=[names[d - 1] for d in frame["weekday"]],
                        what=[_t(f"activity.{a}", lang) for a in frame["activity"]])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("day:N", title=None, sort=names, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("what:N", sort=kinds),
        y=alt.Y("count:Q", title=_axis("count", lang), axis=alt.Axis(format=NUMBER)),
        color=alt.Color("what:N", title=None, scale=alt.Scale(
            domain=kinds, range=list(ACTIVITY_COLOURS.values()))),
        tooltip=[alt.Tooltip("day:N", title=_axis("weekday", lang)),
                 alt.Tooltip("what:N", title=_axis("activity", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    ).properties(width=WIDTH)


def _ranking(frame: pd.DataFrame, label: str, value: str, lang: str, colour: str,
             extra: list[alt.Tooltip]) -> alt.LayerChart:
    order = list(frame.sort_values("rank")[label])
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", title=None, sort=order),
        x=alt.X(f"{value}:Q", title=_axis(value, lang),
                axis=alt.Axis(format=NUMBER, tickMinStep=1)),
        tooltip=[alt.Tooltip(f"{label}:N", title=_axis(label, lang)),
                 alt.Tooltip(f"{value}:Q", title=_axis(value, lang), format=NUMBER), *extra],
    )
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text(f"{value}:Q", format=NUMBER))
    return (base.mark_bar(color=colour) + text).properties(height=26 * len(frame))


def top_artists(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _ranking(frame, "artist", "plays", lang, PALETTE[0],
                    [alt.Tooltip("minutes:Q", title=_axis("minutes", lang), format=NUMBER)])


def top_series(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    data = frame.assign(what=[_t(f"kind.{k}", lang) for k in frame["kind"]])
    return _ranking(data, "series", "episodes", lang, PALETTE[3],
                    [alt.Tooltip("what:N", title=_axis("kind", lang)),
                     alt.Tooltip("hours:Q", title=_axis("hours", lang), format=",.1f")])


def binge_sessions(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    total = int(frame["total"].iloc[0])
    labels = [f"{fmt_date(d.date(), lang)} · {s}" for d, s in zip(
        pd.to_datetime(frame["day"]), frame["series"], strict=True)]
    data = frame.assign(binge=labels, rank=range(1, len(frame) + 1))
    title = _t("binge_sessions.total", lang, n=total)
    chart = _ranking(data, "binge", "episodes", lang, PALETTE[5],
                     [alt.Tooltip("hours:Q", title=_axis("hours", lang), format=",.1f")])
    return chart.properties(title=alt.TitleParams(title, fontSize=13, fontWeight="normal"))


def skipped_tracks(frame: pd.DataFrame, lang: str) -> alt.Chart:
    return alt.Chart(frame).mark_bar(color=PALETTE[1]).encode(
        x=alt.X("yearmonth(month):O", title=_axis("month", lang),
                axis=alt.Axis(format=MONTH, labelAngle=-40)),
        y=alt.Y("skipped_share:Q", title=_axis("skipped_share", lang),
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_axis("month", lang), format=MONTH),
                 alt.Tooltip("started:Q", title=_axis("started", lang), format=NUMBER),
                 alt.Tooltip("skipped:Q", title=_axis("skipped", lang), format=NUMBER),
                 alt.Tooltip("skipped_share:Q", title=_axis("skipped_share", lang),
                             format=".0%")],
    ).properties(width=WIDTH)
