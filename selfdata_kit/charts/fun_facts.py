"""Fun facts charts: pure builders, (frame, lang) -> Altair chart. Texts come from
`i18n/fun_facts.toml`; explanations are written here from the figures the analysis returns."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from ..i18n import fmt_money, fmt_number, t
from .theme import PALETTE, SEQUENTIAL, TIME_FORMAT_LOCALE, lang_or_default


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"fun_facts.{key}", lang, **values)


def clock(hour: float) -> str:
    """17.75 -> "17:45"; day hours past midnight (25.5) wrap to "01:30"."""
    minutes = int(round(hour * 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def not_enough(kind: str, have: int, needed: int, lang: str) -> str:
    """ "Not enough data to say", and what would be needed."""
    return _t("not_enough", lang, needed=int(needed), have=int(have),
              what=_t(f"evidence.{kind}", lang))


def explain(row: pd.Series, lang: str) -> str:
    """One sentence: what the cursor measured, in the reader's language; without the
    evidence the cursor needs, why not and what would be needed."""
    if pd.isna(row["value"]):
        reason = _t(f"reason.{row['reason']}", lang)
        return f"{reason}. {not_enough(row['evidence_kind'], row['evidence'], row['needed'], lang)}"
    if pd.isna(row["position"]):
        return not_enough(row["evidence_kind"], row["evidence"], row["needed"], lang)
    f, name, v = row["figures"], row["cursor"], float(row["value"])
    key = f"cursor.{name}.explain"
    if name == "homebody_globetrotter":
        return _t(key, lang, away=100 * f["away_share"], km=f["km_per_week"],
                  places=f["places"], towns=f["towns"])
    if name == "quiet_chatterbox":
        return _t(key, lang, value=v, calls=f["calls"], sms=f["sms"], minutes=f["minutes"])
    if name == "early_bird_night_owl":
        details = ", ".join(_t(f"hour_of.{k[:-5]}", lang, h=clock(h)) for k, h in f.items())
        return _t(key, lang, value=clock(v), details=details)
    if name == "routine_adventurous":
        new = f.get("new_places", f.get("new_merchants", 0))
        per_month = f.get("places_per_month", f.get("merchants_per_month", 0))
        return _t(key, lang, value=100 * v, new=new, per_month=per_month)
    if name == "vegetarian_carnivore":
        return _t(key, lang, value=100 * v, meat=f["meat_eur"], plants=f["plants_eur"])
    return _t(key, lang, value=100 * v, spending=f["spending"], income=f["income"],
              saved=f["to_savings"])


def yardstick(calibration: str, lang: str) -> str:
    if calibration.startswith("cohort"):
        return _t("chart.cohort", lang, n=calibration.split("n=")[1].rstrip(")"))
    return _t("chart.defaults", lang)


def cursors(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """A line per cursor between its two ends, a dot where the person sits."""
    data = pd.DataFrame({
        "order": range(len(frame)),
        "left": [_t(f"cursor.{c}.left", lang) for c in frame["cursor"]],
        "right": [_t(f"cursor.{c}.right", lang) for c in frame["cursor"]],
        "position": frame["position"],
        "explain": [explain(r, lang) for _, r in frame.iterrows()],
        "shown": ["\n".join(textwrap.wrap(explain(r, lang), 90)) for _, r in frame.iterrows()],
        "yardstick": [yardstick(c, lang) for c in frame["calibration"]],
        "zero": 0.0, "one": 1.0, "middle": 0.5})
    y = alt.Y("order:O", axis=None)
    base = alt.Chart(data).encode(y=y)
    line = base.mark_rule(color="#bbbbbb", strokeWidth=3).encode(x=alt.X(
        "zero:Q", scale=alt.Scale(domain=[0, 1]), axis=None), x2="one:Q")
    mid = base.mark_tick(color="#888888", thickness=1, size=14).encode(x="middle:Q")
    left = base.mark_text(align="right", dx=-8, fontSize=13).encode(x="zero:Q", text="left:N")
    right = base.mark_text(align="left", dx=8, fontSize=13).encode(x="one:Q", text="right:N")
    tip = [alt.Tooltip("explain:N", title=_t("chart.measure", lang)),
           alt.Tooltip("position:Q", title=_t("chart.position", lang), format=".2f"),
           alt.Tooltip("yardstick:N", title=_t("chart.reference", lang))]
    dot = base.transform_filter("isValid(datum.position)").mark_circle(
        size=260, color=PALETTE[0], opacity=1).encode(x="position:Q", tooltip=tip)
    # below the line of a cursor without evidence: not enough data to say, what is needed
    missing = base.transform_filter("!isValid(datum.position)").mark_text(
        color="#666666", fontStyle="italic", dy=16, fontSize=11, lineBreak="\n",
        baseline="top").encode(x="middle:Q", text="shown:N", tooltip=[
            alt.Tooltip("explain:N", title=_t("chart.measure", lang))])
    return alt.layer(line, mid, left, right, dot, missing).properties(
        width=360, height=56 * len(data))


def badge_state(earned: bool, have: int, needed: int, lang: str) -> str:
    if earned:
        return _t("chart.yes", lang)
    return _t("chart.no" if have >= needed else "chart.not_enough", lang)


def badges(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """The badges as a small grid: earned in colour, the others greyed, those without the
    evidence they need hatched with "not enough data". Each icon is an SVG path (the
    badge's `shape`, in the [-1, 1] square Vega draws custom symbols in): shapes, not
    characters, so no font (no emoji font) is needed to see them."""
    short = [have < needed for have, needed in zip(frame["have"], frame["needed"],
                                                   strict=True)]
    data = pd.DataFrame({
        "col": [i % 4 for i in range(len(frame))], "row": [i // 4 for i in range(len(frame))],
        "badge": frame["badge"], "earned": frame["earned"].astype(bool), "short": short,
        "name": [_t(f"badge.{b}.name", lang) for b in frame["badge"]],
        "rule": [_t(f"badge.{b}.rule", lang, threshold=x)
                 for b, x in zip(frame["badge"], frame["threshold"], strict=True)],
        "reached": [fmt_number(v, lang, 1) for v in frame["figure"]],
        "evidence": frame["evidence"].fillna("\u2013"),
        "state": [badge_state(e, h, n, lang) for e, h, n in zip(
            frame["earned"], frame["have"], frame["needed"], strict=True)],
        "needs": [not_enough(k, h, n, lang) if h < n else "" for k, h, n in zip(
            frame["evidence_kind"], frame["have"], frame["needed"], strict=True)]})
    tooltip = [alt.Tooltip("name:N", title=_t("chart.badge", lang)),
               alt.Tooltip("state:N", title=_t("chart.earned", lang)),
               alt.Tooltip("rule:N", title=_t("chart.rule", lang)),
               alt.Tooltip("reached:N", title=_t("chart.reached", lang)),
               alt.Tooltip("evidence:N", title=_t("chart.evidence", lang))]
    if any(short):
        tooltip.append(alt.Tooltip("needs:N", title=_t("chart.not_enough", lang)))
    enc = {"x": alt.X("col:O", axis=None), "y": alt.Y("row:O", axis=None),
           "opacity": alt.condition("datum.earned", alt.value(1.0), alt.value(0.3)),
           "tooltip": tooltip}
    base = alt.Chart(data).encode(**enc)
    disc = base.mark_circle(size=1800).encode(color=alt.condition(
        "datum.earned", alt.value(PALETTE[1]), alt.value("#bbbbbb")))
    icon = base.mark_point(filled=True, size=650, color="#ffffff", opacity=1,
                           strokeWidth=0).encode(shape=alt.Shape(
        "badge:N", legend=None, scale=alt.Scale(domain=list(frame["badge"]),
                                                range=list(frame["shape"]))))
    name = base.mark_text(fontSize=12, dy=38, fontWeight="bold").encode(text="name:N")
    state = base.transform_filter("datum.short").mark_text(
        fontSize=10, dy=52, fontStyle="italic", color="#666666").encode(text="state:N")
    return alt.layer(disc, icon, name, state).properties(
        width=560, height=120 * (data["row"].max() + 1))


def month_in_numbers(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """A small two-column table: what, how much."""
    def label(r: pd.Series) -> str:
        cat = _t(f"category.{r['category']}", lang) if isinstance(r["category"], str) else ""
        return _t(f"figure.{r['figure']}", lang, category=cat) if cat else _t(
            f"figure.{r['figure']}", lang)

    def value(r: pd.Series) -> str:
        if r["unit"] == "EUR":
            return fmt_money(r["value"], lang, 0)
        return fmt_number(r["value"], lang, 0)

    data = pd.DataFrame({"order": range(len(frame)),
                         "what": [label(r) for _, r in frame.iterrows()],
                         "how_much": [value(r) for _, r in frame.iterrows()],
                         "detail": frame["label"].fillna(""), "month": frame["month"]})
    base = alt.Chart(data).encode(y=alt.Y("order:O", axis=None), tooltip=[
        alt.Tooltip("what:N", title=_t("chart.figure", lang)),
        alt.Tooltip("how_much:N", title=_t("chart.value", lang)),
        alt.Tooltip("detail:N", title=_t("chart.evidence", lang))])
    what = base.mark_text(align="right", fontSize=13).encode(x=alt.value(250), text="what:N")
    much = base.mark_text(align="left", fontSize=15, fontWeight="bold", color=PALETTE[0]
                          ).encode(x=alt.value(265), text="how_much:N")
    title = ""
    if len(data):
        year, month = data["month"].iloc[0].split("-")
        title = f"{TIME_FORMAT_LOCALE[lang_or_default(lang)]['months'][int(month) - 1]} {year}"
    return alt.layer(what, much).properties(width=420, height=26 * len(data), title=title)


def week_rhythm(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """A heatmap: sources x local hour, the share of each source's activity."""
    data = frame.assign(source_label=[_t(f"source.{s}", lang) for s in frame["source"]])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title=_t("chart.hour", lang), scale=alt.Scale(domain=list(range(24)))),
        y=alt.Y("source_label:N", title=None),
        color=alt.Color("share:Q", title=_t("chart.share", lang),
                        scale=alt.Scale(scheme=SEQUENTIAL), legend=alt.Legend(format=".0%")),
        tooltip=[alt.Tooltip("source_label:N", title=_t("chart.source", lang)),
                 alt.Tooltip("hour:O", title=_t("chart.hour", lang)),
                 alt.Tooltip("share:Q", title=_t("chart.share", lang), format=".1%"),
                 alt.Tooltip("events:Q", title=_t("chart.events", lang), format=",")],
    ).properties(height=40 * max(1, data["source"].nunique()))
