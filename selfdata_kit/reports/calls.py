"""The calls report: its sections, key figures and a JSON-ready summary (`notebooks/calls.ipynb`).

Contact names are sensitive: screen-safe mode masks the `contact` and `pseudonym` columns. The
key figures name the top contact by pseudonym only ("Contact 6"), never by the name kept from
the export: `Topic.key_figures` is not told whether the report is screen-safe.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..analysis import calls as a
from ..analysis.scope import Scope, local_day
from ..charts import calls as charts
from ..i18n import fmt_number, t
from ..report import Section, Topic

CONTACT_COLUMNS = ("contact", "pseudonym")


def _per_week(count: int, row: Any) -> float:
    """`count` averaged over the weeks from the first to the last day (inclusive)."""
    days = (row["last_day"] - row["first_day"]).days + 1
    return count / (days / 7) if days > 0 else 0.0


def summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    """Figures of the period as plain JSON types. `calls_per_week` counts voice calls of every
    direction (missed included) over the weeks the period covers; `talk_minutes` sums the
    answered calls; `top_contacts` are pseudonyms, best first (ties: lower number first)."""
    over = a.overview(con, scope)
    if over.empty:
        return {"calls_count": 0, "sms_count": 0, "calls_per_week": 0.0, "sms_per_week": 0.0,
                "talk_minutes": 0.0, "missed_share": 0.0, "night_share": 0.0,
                "contacts_count": 0, "calls_by_direction": {}, "sms_by_direction": {},
                "top_contacts": []}
    row = over.iloc[0]
    night = a.night_activity(con, scope)
    dirs = a.directions(con, scope)
    by = {ch: {str(d): int(n) for d, n in zip(g["direction"], g["count"], strict=True)}
          for ch, g in dirs.groupby("channel")}
    return {
        "calls_count": int(row["calls"]),
        "sms_count": int(row["sms"]),
        "calls_per_week": float(_per_week(int(row["calls"]), row)),
        "sms_per_week": float(_per_week(int(row["sms"]), row)),
        "talk_minutes": float(row["talk_minutes"]),
        "missed_share": float(row["missed"] / row["incoming_calls"])
        if row["incoming_calls"] else 0.0,
        "night_share": float(night["night"].sum() / night["total"].sum()),
        "contacts_count": int(row["contacts"]),
        "calls_by_direction": by.get("voice", {}),
        "sms_by_direction": by.get("sms", {}),
        "top_contacts": [str(p) for p in a.top_contacts(con, scope)["pseudonym"]],
    }


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    s = summary(con, scope)
    k = lambda key, **v: t(f"calls.key.{key}", lang, **v)  # noqa: E731
    percent = fmt_number(100 * s["missed_share"], lang) + ("\u00a0%" if lang == "fr" else "%")
    rows = [(k("calls_per_week"), fmt_number(s["calls_per_week"], lang, 1)),
            (k("sms_per_week"), fmt_number(s["sms_per_week"], lang, 1)),
            (k("talk_hours"), k("hours", n=fmt_number(s["talk_minutes"] / 60, lang, 1))),
            (k("missed_share"), percent),
            (k("contacts"), fmt_number(s["contacts_count"], lang))]
    if s["top_contacts"]:  # masked as in the charts, where the top contact is "Masked 1"
        top = f"{t('common.masked', lang)} 1" if screen_safe else s["top_contacts"][0]
        rows.append((k("top_contact"), top))
    return rows


TOPIC = Topic(
    name="calls",
    table="calls",
    day_expr=local_day("started_at"),
    sections={
        "weekly_volume": Section(a.weekly_volume, charts.weekly_volume),
        "hour_weekday": Section(a.hour_weekday, charts.hour_weekday),
        "directions": Section(a.directions, charts.directions),
        "voice_vs_sms": Section(a.voice_vs_sms, charts.voice_vs_sms, CONTACT_COLUMNS),
        "top_contacts": Section(a.top_contacts, charts.top_contacts, CONTACT_COLUMNS),
        "durations": Section(a.durations, charts.durations),
        "night_activity": Section(a.night_activity, charts.night_activity),
    },
    key_figures=key_figures,
)
