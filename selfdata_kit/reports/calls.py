"""The calls, texts and chats report: sections, key figures, JSON summary (notebooks/calls.ipynb).

Contact names are sensitive: screen-safe mode masks the `contact` and `pseudonym` columns. The
key figures name the top contact as the export kept it, or, screen-safe, by the placeholder the
top contacts chart shows for it ("Masked 1"): both come from `reports.screen_safe`.
"""

from __future__ import annotations

import duckdb

from ..analysis import calls as a
from ..analysis.scope import Scope
from ..charts import calls as charts
from ..i18n import fmt_number, t
from . import screen_safe as policy
from .notebook import Section, Topic

CONTACT_COLUMNS = ("contact", "pseudonym")


def key_figures(con: duckdb.DuckDBPyConnection, scope: Scope, lang: str,
                screen_safe: bool = False) -> list[tuple[str, str]]:
    s = a.figures(con, scope)
    k = lambda key, **v: t(f"calls.key.{key}", lang, **v)  # noqa: E731
    pct = lambda share: fmt_number(100 * share, lang) + (  # noqa: E731
        "\u00a0%" if lang == "fr" else "%")
    percent = pct(s["missed_share"])
    rows = [(k("calls_per_week"), fmt_number(s["calls_per_week"], lang, 1)),
            (k("sms_per_week"), fmt_number(s["sms_per_week"], lang, 1)),
            (k("talk_hours"), k("hours", n=fmt_number(s["talk_minutes"] / 60, lang, 1))),
            (k("missed_share"), percent),
            (k("contacts"), fmt_number(s["contacts_count"], lang))]
    if s["top_contacts"]:  # masked as in the charts, where the top contact is "Masked 1"
        top = policy.placeholder(1, lang) if screen_safe else s["top_contacts"][0]
        rows.append((k("top_contact"), top))
    if s["chats_count"]:
        rows.append((k("chats_per_week"), fmt_number(s["chats_per_week"], lang, 1)))
        if s["chats_sent_share"] is not None:
            rows.append((k("chats_sent_share"), pct(s["chats_sent_share"])))
    return rows


TOPIC = Topic(
    name="calls",
    table="calls",
    sections={
        "weekly_volume": Section(a.weekly_volume, charts.weekly_volume),
        "hour_weekday": Section(a.hour_weekday, charts.hour_weekday),
        "directions": Section(a.directions, charts.directions),
        "voice_vs_sms": Section(a.voice_vs_sms, charts.voice_vs_sms, CONTACT_COLUMNS),
        "top_contacts": Section(a.top_contacts, charts.top_contacts, CONTACT_COLUMNS),
        "durations": Section(a.durations, charts.durations),
        "night_activity": Section(a.night_activity, charts.night_activity),
        # chats: shown only when the person has chat messages
        "chats_by_contact": Section(a.chats_by_contact, charts.chats_by_contact,
                                    CONTACT_COLUMNS, optional=True),
        "chats_hour_weekday": Section(a.chats_hour_weekday, charts.chats_hour_weekday,
                                      optional=True),
        "who_writes_first": Section(a.who_writes_first, charts.who_writes_first,
                                    CONTACT_COLUMNS, optional=True),
    },
    key_figures=key_figures,
)
