"""Year in review charts: pure builders, (frame, lang) -> Altair chart. Texts come from
`i18n/year_review.toml`. Icons are SVG paths drawn by Vega as custom symbols (in the [-1, 1]
square), never characters: no emoji font is needed to see them."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import fmt_date, t
from .theme import MONEY, PALETTE, SEQUENTIAL, TIME_FORMAT_LOCALE, lang_or_default

# one icon per streak: a flame, a speech bubble, a map pin, a coin, a closed wallet, a note
STREAK_ICONS = {
    "active": "M0,-1 C0.5,-0.4 0.8,0 0.6,0.5 C0.4,1 -0.4,1 -0.6,0.5 C-0.8,0 -0.3,-0.3 0,-1 Z",
    "calls": "M-1,-0.8 H1 V0.4 H-0.1 L-0.6,0.9 V0.4 H-1 Z",
    "outings": "M0,1 L-0.65,-0.1 A0.75,0.75 0 1 1 0.65,-0.1 Z",
    "spending": "M-0.85,0 A0.85,0.85 0 1 0 0.85,0 A0.85,0.85 0 1 0 -0.85,0 Z",
    "no_spend": "M-1,-0.7 H0.8 V0.8 H-1 Z M0.2,-0.2 H1 V0.3 H0.2 Z",
    "media": "M-0.5,0.4 A0.35,0.3 0 1 0 -0.1,0.6 V-0.5 L0.8,-0.8 V0.3 A0.35,0.3 0 1 0 "
             "0.8,0.3 V-0.3 L0,-0.05 V0.6 Z",
}
SOURCE_COLUMNS = ("payments", "calls", "texts", "visits", "plays")


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"year_review.{key}", lang, **values)


def _locale(lang: str) -> dict:
    return TIME_FORMAT_LOCALE[lang_or_default(lang)]


def month_name(month: int, lang: str) -> str:
    return _locale(lang)["months"][int(month) - 1]


def calendar(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """A calendar heatmap: one square per day (columns = weeks, rows = Monday to Sunday), the
    colour the number of events; days without any in light grey."""
    loc = _locale(lang)
    starts = frame.groupby("month")["week"].min()  # the week each month starts in
    label = " : ".join(f"datum.value == {int(w)} ? '{loc['shortMonths'][int(m) - 1]}'"
                       for m, w in starts.items()) + " : ''"
    days = [loc["shortDays"][d % 7] for d in range(1, 8)]  # ISO 1 = Monday
    data = frame.assign(
        weekday_name=[days[int(d) - 1] for d in frame["weekday"]],
        date_label=[fmt_date(pd.Timestamp(d).date(), lang) for d in frame["day"]],
        kwh_label=[("–" if pd.isna(k) else f"{k:.1f}") for k in frame["kwh"]])
    x = alt.X("week:O", title=None, axis=alt.Axis(
        values=[int(w) for w in starts], labelExpr=label, labelAngle=0, ticks=False,
        domain=False, grid=False))
    y = alt.Y("weekday_name:N", title=None, sort=days,
              axis=alt.Axis(ticks=False, domain=False, grid=False))
    tip = [alt.Tooltip("date_label:N", title=_t("chart.day", lang)),
           alt.Tooltip("events:Q", title=_t("chart.events", lang)),
           *[alt.Tooltip(f"{c}:Q", title=_t(f"source.{c}", lang)) for c in SOURCE_COLUMNS
             if frame[c].sum() > 0],
           alt.Tooltip("kwh_label:N", title=_t("chart.kwh", lang))]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tip)
    empty = base.mark_rect(color="#eeeeee", stroke="#ffffff", strokeWidth=1.5)
    busy = base.transform_filter("datum.events > 0").mark_rect(
        stroke="#ffffff", strokeWidth=1.5).encode(color=alt.Color(
            "events:Q", title=_t("chart.events", lang), scale=alt.Scale(scheme=SEQUENTIAL)))
    return alt.layer(empty, busy).properties(width=13 * 54, height=13 * 7 + 10)


def streaks(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Each longest streak as a bar on the year's time line, its icon on the left and its
    length on the right."""
    data = pd.DataFrame({
        "streak": frame["streak"],
        "name": [_t(f"streak.{s}", lang) for s in frame["streak"]],
        "first": pd.to_datetime(frame["first"]),
        # a bar covers its last day whole
        "end": pd.to_datetime(frame["last"]) + pd.Timedelta(days=1),
        "days": frame["days"].astype(int),
        "length": [_t("chart.days", lang, n=int(n)) for n in frame["days"]],
        "period": [f"{fmt_date(pd.Timestamp(a).date(), lang)} – "
                   f"{fmt_date(pd.Timestamp(b).date(), lang)}"
                   for a, b in zip(frame["first"], frame["last"], strict=True)],
        "start": pd.Timestamp(int(pd.Timestamp(frame["first"].min()).year), 1, 1)})
    # room for the icons between the names and the year
    y = alt.Y("name:N", title=None, sort=list(data["name"]),
              axis=alt.Axis(labelPadding=30, ticks=False, domain=False))
    tip = [alt.Tooltip("name:N", title=_t("chart.streak", lang)),
           alt.Tooltip("length:N", title=_t("chart.length", lang)),
           alt.Tooltip("period:N", title=_t("chart.period", lang))]
    first = data["start"].iloc[0]
    # the whole year on the axis: two invisible ticks (an explicit scale domain shared by
    # layers makes Vega-Lite warn in the console)
    ends = alt.Chart(pd.DataFrame({"edge": [first, first + pd.DateOffset(years=1)]})
                     ).mark_tick(opacity=0).encode(x=alt.X("edge:T", title=None,
                                                          axis=alt.Axis(format="%b")))
    base = alt.Chart(data).encode(y=y, tooltip=tip)
    bars = base.mark_bar(height=16, cornerRadius=3).encode(
        x=alt.X("first:T", title=None, axis=alt.Axis(format="%b")),
        x2="end:T", color=alt.Color("streak:N", legend=None,
                                    scale=alt.Scale(range=PALETTE)))
    length = base.mark_text(align="left", dx=6, fontSize=12).encode(
        x="end:T", text="length:N")
    icon = base.mark_point(filled=True, size=220, opacity=1, strokeWidth=0).encode(
        x=alt.value(-16), color=alt.Color("streak:N", legend=None,
                                          scale=alt.Scale(range=PALETTE)),
        shape=alt.Shape("streak:N", legend=None, scale=alt.Scale(
            domain=list(STREAK_ICONS), range=list(STREAK_ICONS.values()))))
    return alt.layer(ends, bars, length, icon).properties(width=560, height=34 * len(data))


def busiest_day(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """That day's events per source next to an average day of the year."""
    when = pd.Timestamp(frame["day"].iloc[0]).date()
    day = f"{_locale(lang)['days'][when.isoweekday() % 7]} {fmt_date(when, lang)}"
    that, usual = _t("chart.that_day", lang), _t("chart.average_day", lang)
    rows = [{"source": _t(f"source.{r.source}", lang), "which": which, "count": value,
             "order": i}
            for i, r in enumerate(frame.itertuples())
            for which, value in ((that, float(r.count)), (usual, float(r.average)))]
    data = pd.DataFrame(rows)
    return alt.Chart(data, title=day).mark_bar().encode(
        x=alt.X("source:N", title=None, sort=list(dict.fromkeys(data["source"])),
                axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("which:N", sort=[that, usual]),
        y=alt.Y("count:Q", title=_t("chart.events", lang)),
        color=alt.Color("which:N", title=None, sort=[that, usual],
                        scale=alt.Scale(range=[PALETTE[1], "#bbbbbb"])),
        tooltip=[alt.Tooltip("source:N", title=_t("chart.source", lang)),
                 alt.Tooltip("which:N", title=_t("chart.day", lang)),
                 alt.Tooltip("count:Q", title=_t("chart.events", lang), format=",.1f")],
    ).properties(width=420, height=220)


def _top(frame: pd.DataFrame, label: str, value: str, title: str, lang: str,
         fmt: str = ",.0f", extra: tuple[tuple[str, str, str], ...] = ()) -> alt.LayerChart:
    """Horizontal bars, the biggest on top, the value written at the end of each bar."""
    data = frame.reset_index(drop=True)
    # the frame's order (biggest first); labels are distinct (the analyses make them so)
    y = alt.Y(f"{label}:N", title=None, sort=list(data[label]))
    tip = [alt.Tooltip(f"{label}:N", title=title),
           alt.Tooltip(f"{value}:Q", title=_t(f"chart.{value}", lang), format=fmt),
           *[alt.Tooltip(f"{c}:Q", title=_t(f"chart.{key}", lang), format=f)
             for c, key, f in extra]]
    base = alt.Chart(data).encode(y=y, tooltip=tip)
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X(f"{value}:Q", title=_t(f"chart.{value}", lang), axis=alt.Axis(format=fmt)))
    text = base.mark_text(align="left", dx=4, fontSize=12).encode(
        x=f"{value}:Q", text=alt.Text(f"{value}:Q", format=fmt))
    return alt.layer(bars, text).properties(width=460, height=30 * max(1, len(data)))


def top_merchants(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _top(frame, "merchant", "amount", _t("chart.merchant", lang), lang, MONEY,
                (("payments", "payments", ",.0f"),))


def top_contacts(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _top(frame, "contact", "interactions", _t("chart.contact", lang), lang,
                extra=(("calls", "calls", ",.0f"), ("sms", "texts", ",.0f"),
                       ("minutes", "minutes", ",.0f")))


def top_places(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _top(frame, "place", "visits", _t("chart.place", lang), lang,
                extra=(("hours", "hours", ",.1f"), ("from_home_km", "km", ",.1f")))


def top_artists(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _top(frame, "artist", "minutes", _t("chart.artist", lang), lang,
                extra=(("plays", "plays", ",.0f"),))


def top_series(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    return _top(frame, "series", "minutes", _t("chart.series", lang), lang,
                extra=(("plays", "plays", ",.0f"),))
