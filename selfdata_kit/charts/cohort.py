"""Cohort charts: distributions drawn from quantiles only (never one dot per person), and
suppressed cells shown as such."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import t
from .theme import MONTH, NUMBER, PALETTE, SEQUENTIAL


def metric_label(metric: str, lang: str) -> str:
    """'energy.annual_kwh.gas' -> 'Energy · annual kWh · gas' in the report's language."""
    family, _, rest = metric.partition(".")
    parts = [t(f"cohort.family.{family}", lang)]
    for part in rest.split("."):
        key = f"cohort.metric.{part}"
        try:
            parts.append(t(key, lang))
        except KeyError:  # a category or cursor name: shown as it is
            parts.append(part.replace("_", " "))
    return " · ".join(parts)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Value columns as floats: blanked cells are objects with None, which the chart data
    would carry as NaN; a float column goes out as null. The English reason columns stay
    out: the chart says why in the report's language (`note`)."""
    cols = [c for c in ("n_persons", "rows", "mean", "p10", "p25", "median", "p75", "p90")
            if c in frame.columns]
    frame = frame.drop(columns=[c for c in ("reason_code", "reason") if c in frame.columns])
    return frame.assign(**{c: pd.to_numeric(frame[c]).astype("float64") for c in cols})


def distribution(frame: pd.DataFrame, lang: str, label: str = "metric") -> alt.LayerChart:
    """One row per metric (or group): p10-p90 line, p25-p75 box, median tick; suppressed rows
    say why instead (the frame's `note`, else "fewer than k persons")."""
    notes = frame["note"] if "note" in frame else [
        t("cohort.suppressed", lang) if s else "" for s in frame["suppressed"]]
    data = _numbers(frame).assign(row=[metric_label(m, lang) if label == "metric" else str(v)
                             for m, v in zip(frame["metric"], frame[label], strict=True)],
                        note=list(notes))
    shown = data[~data["suppressed"]]
    y = alt.Y("row:N", title=None, sort=None)
    base = alt.Chart(shown).encode(y=y)
    tooltip = [alt.Tooltip("row:N", title=""), alt.Tooltip("n_persons:Q", title="n"),
               alt.Tooltip("median:Q", title=t("cohort.median", lang), format=",.2f")]
    layers = [
        base.mark_rule(color="#888").encode(x=alt.X("p10:Q", title=t("cohort.value", lang)),
                                            x2="p90:Q"),
        base.mark_bar(color=PALETTE[4], height=14).encode(x="p25:Q", x2="p75:Q",
                                                          tooltip=tooltip),
        base.mark_tick(color=PALETTE[0], thickness=3, size=18).encode(x="median:Q",
                                                                      tooltip=tooltip),
    ]
    if data["suppressed"].any():
        layers.append(alt.Chart(data[data["suppressed"]]).mark_text(align="left", dx=4).encode(
            y=y, x=alt.value(0), text="note:N"))
    return alt.layer(*layers).properties(height=alt.Step(26))


def coverage(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Persons with data per source and month; suppressed cells are grey, their tooltip says
    why (the frame's `note`)."""
    labels = [t(f"cohort.source.{s}", lang) for s in frame["source"]]
    data = _numbers(frame).assign(
        source_label=labels, note=list(frame["note"]) if "note" in frame else "",
        shown=[None if s else n for s, n in zip(frame["suppressed"], frame["n_persons"],
                                                strict=True)])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=MONTH)),
        y=alt.Y("source_label:N", title=None),
        color=alt.condition("datum.shown === null", alt.value("#dddddd"), alt.Color(
            "shown:Q", title=t("cohort.persons", lang), scale=alt.Scale(scheme=SEQUENTIAL))),
        tooltip=[alt.Tooltip("source_label:N", title=""),
                 alt.Tooltip("month:T", format="%m/%Y"),
                 alt.Tooltip("shown:Q", title=t("cohort.persons", lang), format=NUMBER),
                 alt.Tooltip("note:N", title="")],
    ).properties(height=alt.Step(28))
