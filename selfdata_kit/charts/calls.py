"""Charts of the calls report: pure builders, a small frame from `analysis.calls` in, an Altair
chart out. Labels come from `i18n/calls.toml`; colours from `charts.theme`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import fmt_number, t
from .theme import IN_OUT, MONTH, NUMBER, PALETTE, SEQUENTIAL, WIDTH

# Calls and texts keep one colour each in every chart.
CHANNEL_COLOURS = {"voice": PALETTE[0], "sms": PALETTE[1]}
# In and out as everywhere in the reports; the calls that did not happen in other colours.
DIRECTION_COLOURS = {"in": IN_OUT["in"], "out": IN_OUT["out"], "missed": PALETTE[3],
                     "rejected": PALETTE[4], "voicemail": PALETTE[6], "blocked": PALETTE[7]}


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"calls.{key}", lang, **values)


def _axis(key: str, lang: str) -> str:
    return _t(f"axis.{key}", lang)


def weekday_names(lang: str) -> list[str]:
    """Monday first, in the report's language."""
    return _t("weekdays", lang).split(",")


def weekly_volume(frame: pd.DataFrame, lang: str) -> alt.Chart:
    data = frame.assign(kind=[_t(f"channel.{c}", lang) for c in frame["channel"]])
    kinds = [_t(f"channel.{c}", lang) for c in CHANNEL_COLOURS]
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("week:T", title=_axis("week", lang), axis=alt.Axis(format=MONTH)),
        y=alt.Y("count:Q", title=_axis("count", lang), axis=alt.Axis(format=NUMBER)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=kinds, range=list(CHANNEL_COLOURS.values()))),
        tooltip=[alt.Tooltip("week:T", title=_axis("week", lang), format="%d/%m/%Y"),
                 alt.Tooltip("kind:N", title=_axis("kind", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    )


def hour_weekday(frame: pd.DataFrame, lang: str) -> alt.Chart:
    names = weekday_names(lang)
    data = frame.assign(day=[names[d - 1] for d in frame["weekday"]])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title=_axis("hour", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:O", title=None, sort=names),
        color=alt.Color("count:Q", title=_axis("count", lang),
                        scale=alt.Scale(scheme=SEQUENTIAL)),
        tooltip=[alt.Tooltip("day:O", title=_axis("weekday", lang)),
                 alt.Tooltip("hour:O", title=_axis("hour", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    ).properties(height=220)


def directions(frame: pd.DataFrame, lang: str) -> alt.Chart:
    labels = [_t(f"direction.{c}_{d}", lang) for c, d in zip(frame["channel"],
                                                            frame["direction"], strict=True)]
    data = frame.assign(label=labels)
    colours = [DIRECTION_COLOURS[d] for d in frame["direction"]]
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=labels),
        x=alt.X("count:Q", title=_axis("count", lang), axis=alt.Axis(format=NUMBER)),
        color=alt.Color("label:N", legend=None,
                        scale=alt.Scale(domain=labels, range=colours)),
        tooltip=[alt.Tooltip("label:N", title=_axis("kind", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    ).properties(height=28 * len(data))


def top_contacts(frame: pd.DataFrame, lang: str) -> alt.Chart:
    order = list(frame.sort_values("rank")["contact"])
    base = alt.Chart(frame).encode(
        y=alt.Y("contact:N", title=None, sort=order),
        x=alt.X("interactions:Q", title=_axis("interactions", lang),
                axis=alt.Axis(format=NUMBER)),
        tooltip=[alt.Tooltip("contact:N", title=_axis("contact", lang)),
                 alt.Tooltip("calls:Q", title=_axis("calls", lang), format=NUMBER),
                 alt.Tooltip("sms:Q", title=_axis("sms", lang), format=NUMBER),
                 alt.Tooltip("minutes:Q", title=_axis("minutes", lang), format=NUMBER)],
    )
    bars = base.mark_bar(color=PALETTE[0])
    text = base.mark_text(align="left", dx=3).encode(text=alt.Text("interactions:Q",
                                                                   format=NUMBER))
    return (bars + text).properties(height=26 * len(frame))


def voice_vs_sms(frame: pd.DataFrame, lang: str) -> alt.Chart:
    order = list(frame.sort_values("rank")["contact"])
    kinds = [_t(f"channel.{c}", lang) for c in CHANNEL_COLOURS]
    long = frame.melt(id_vars=["rank", "contact"], value_vars=["calls", "sms"],
                      var_name="channel", value_name="count")
    long["kind"] = long["channel"].map({"calls": kinds[0], "sms": kinds[1]})
    long["order"] = long["channel"].map({"calls": 0, "sms": 1})
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("contact:N", title=None, sort=order),
        x=alt.X("count:Q", stack="normalize", title=_axis("share_voice", lang),
                axis=alt.Axis(format="%")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=kinds, range=list(CHANNEL_COLOURS.values()))),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("contact:N", title=_axis("contact", lang)),
                 alt.Tooltip("kind:N", title=_axis("kind", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    ).properties(height=26 * len(frame))


def duration_label(lo: float, hi: float | None, lang: str) -> str:
    """"1 to 5 min", "under 1 min", "60 min or more"."""
    if hi is None or pd.isna(hi):
        return _t("durations.bin_last", lang, lo=fmt_number(lo, lang))
    if lo == 0:
        return _t("durations.bin_first", lang, hi=fmt_number(hi, lang))
    return _t("durations.bin_mid", lang, lo=fmt_number(lo, lang), hi=fmt_number(hi, lang))


def durations(frame: pd.DataFrame, lang: str) -> alt.Chart:
    labels = [duration_label(lo, hi, lang)
              for lo, hi in zip(frame["lo_minutes"], frame["hi_minutes"], strict=True)]
    data = frame[["bin", "calls"]].assign(label=labels)
    median = _t("durations.median", lang,
                minutes=fmt_number(frame["median_minutes"].iloc[0], lang, 1))
    return alt.Chart(data, title=alt.TitleParams(median, fontSize=13, fontWeight="normal")
                     ).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("label:N", title=_axis("duration", lang), sort=labels,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("calls:Q", title=_axis("calls", lang), axis=alt.Axis(format=NUMBER)),
        tooltip=[alt.Tooltip("label:N", title=_axis("duration", lang)),
                 alt.Tooltip("calls:Q", title=_axis("calls", lang), format=NUMBER)],
    ).properties(width=WIDTH)


def night_activity(frame: pd.DataFrame, lang: str) -> alt.Chart:
    share = frame["night"].sum() / frame["total"].sum()
    percent = f"{fmt_number(100 * share, lang)}\u00a0%" if lang == "fr" else (
        f"{fmt_number(100 * share, lang)}%")
    title = _t("night_activity.hours", lang, start=int(frame["start_hour"].iloc[0]),
               end=int(frame["end_hour"].iloc[0]), share=percent)
    return alt.Chart(frame, title=alt.TitleParams(title, fontSize=13, fontWeight="normal")
                     ).mark_bar(color=PALETTE[4]).encode(
        x=alt.X("yearmonth(month):O", title=_axis("month", lang),
                axis=alt.Axis(format=MONTH, labelAngle=-40)),
        # a month without any night activity still gets a readable axis (0 to 5 %)
        y=alt.Y("night_share:Q", title=_axis("share_night", lang), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, max(0.05, float(frame["night_share"].max()))])),
        tooltip=[alt.Tooltip("yearmonth(month):T", title=_axis("month", lang), format=MONTH),
                 alt.Tooltip("night:Q", title=_axis("night", lang), format=NUMBER),
                 alt.Tooltip("total:Q", title=_axis("total", lang), format=NUMBER),
                 alt.Tooltip("night_share:Q", title=_axis("share_night", lang), format=".0%")],
    ).properties(width=WIDTH)


def chats_by_contact(frame: pd.DataFrame, lang: str) -> alt.Chart:
    order = list(frame.sort_values("rank")["contact"])
    parts = ["received", "sent", "unknown"]
    names = [_axis(p, lang) for p in parts]
    long = frame.melt(id_vars=["rank", "contact"], value_vars=parts, var_name="part",
                      value_name="count")
    long = long[long["count"] > 0].assign(
        what=lambda d: d["part"].map(dict(zip(parts, names, strict=True))),
        order=lambda d: d["part"].map({p: i for i, p in enumerate(parts)}))
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("contact:N", title=None, sort=order),
        x=alt.X("count:Q", title=_axis("messages", lang),
                axis=alt.Axis(format=NUMBER, tickMinStep=1)),
        color=alt.Color("what:N", title=None, scale=alt.Scale(
            domain=names, range=[IN_OUT["in"], IN_OUT["out"], PALETTE[7]])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("contact:N", title=_axis("contact", lang)),
                 alt.Tooltip("what:N", title=_axis("kind", lang)),
                 alt.Tooltip("count:Q", title=_axis("count", lang), format=NUMBER)],
    ).properties(height=26 * len(frame))


def chats_hour_weekday(frame: pd.DataFrame, lang: str) -> alt.Chart:
    return hour_weekday(frame, lang)


def who_writes_first(frame: pd.DataFrame, lang: str) -> alt.Chart:
    order = list(frame.sort_values("rank")["contact"])
    you, them = _axis("you_first", lang), _axis("them_first", lang)
    long = frame.melt(id_vars=["rank", "contact"], value_vars=["you_first", "them_first"],
                      var_name="who", value_name="count")
    long["what"] = long["who"].map({"you_first": you, "them_first": them})
    long["order"] = long["who"].map({"you_first": 0, "them_first": 1})
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("contact:N", title=None, sort=order),
        x=alt.X("count:Q", stack="normalize", title=_axis("share_first", lang),
                axis=alt.Axis(format="%")),
        color=alt.Color("what:N", title=None, scale=alt.Scale(
            domain=[you, them], range=[IN_OUT["out"], IN_OUT["in"]])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("contact:N", title=_axis("contact", lang)),
                 alt.Tooltip("what:N", title=_axis("kind", lang)),
                 alt.Tooltip("count:Q", title=_axis("conversations", lang), format=NUMBER)],
    ).properties(height=26 * len(frame))
