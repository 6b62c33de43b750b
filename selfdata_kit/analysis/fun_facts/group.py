"""Every fun fact of every person of a group at once: the set-based twin of `metrics.py`,
`evidence.py`, `badges.py` and `month.py` (same rules, same SQL expressions, GROUP BY
person_id), so that a cohort of 1,000 persons costs a few passes over each table instead of
a second or two per person.

Each person is read on their own clock (`persons.timezone`) and over their own span of local
dates: the group's period for the cursors and badges, their own last full month for "this
month in numbers". A span is a row of the temp table `_ff_spans*` (person_id, tz, lo, hi,
and the instants lo_ts / hi_ts where those local days begin and end, so that a period filter
on a timestamp compares instants instead of converting every row's time zone).

`facts()` answers one row per person: per cursor its raw `value.<cursor>` (NaN when the
source is missing, with `reason.<cursor>`) and `evidence.<cursor>` (0 without a value); per
badge `badge.<name>.figure`, `.have` and `.earned`; and `month.*`, this month in numbers.
Small Python steps remain where a rule is sequential (the explorer's greedy towns, the choice
of each person's month): they run over the rows SQL already reduced, never per person in SQL.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..categories import NOT_SPENDING, group_categories
from ..scope import Group, in_group
from .places import _km, hour_of_day, km

_NS = tuple(NOT_SPENDING)
_VISIT = "kind = 'visit' AND lat IS NOT NULL AND end_at > start_at"


def _in_day(d: str) -> str:
    """SQL: the DATE `d` within the span `s` (open ends allowed)."""
    return f"((s.lo IS NULL OR {d} >= s.lo) AND (s.hi IS NULL OR {d} <= s.hi))"


def _in_ts(ts: str) -> str:
    """SQL: the TIMESTAMPTZ `ts` falls on a local day of the span `s` (compares instants:
    the same rows as `_in_day(local day of ts)`, without converting each row)."""
    return f"((s.lo_ts IS NULL OR {ts} >= s.lo_ts) AND (s.hi_ts IS NULL OR {ts} < s.hi_ts))"


def _spans(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> str:
    """The temp table `name` of spans from `frame` (person_id, tz, lo, hi)."""
    con.register("_ff_span_frame", frame.astype(object))
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            SELECT CAST(person_id AS VARCHAR) AS person_id, CAST(tz AS VARCHAR) AS tz,
                   CAST(lo AS DATE) AS lo, CAST(hi AS DATE) AS hi,
                   timezone(CAST(tz AS VARCHAR), CAST(CAST(lo AS DATE) AS TIMESTAMP)) AS lo_ts,
                   timezone(CAST(tz AS VARCHAR),
                            CAST(CAST(hi AS DATE) + 1 AS TIMESTAMP)) AS hi_ts
            FROM _ff_span_frame""").fetchall()
    finally:
        con.unregister("_ff_span_frame")
    return name


def _local_rows(con: duckdb.DuckDBPyConnection, spans: str, sfx: str, h0: float) -> None:
    """The spans' calls and places with their local time (`lt`), local day and day hour
    (`dh`, after midnight 24 + h): `_ff_calls{sfx}`, `_ff_places{sfx}`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_calls{sfx} AS
        SELECT person_id, channel, duration_s, lt, CAST(lt AS DATE) AS day,
               {hour_of_day('lt', h0)} AS dh
        FROM (SELECT c.person_id, c.channel, c.duration_s, {_local('c.started_at')} AS lt
              FROM calls c JOIN {spans} s USING (person_id) {_by_bucket('c.started_at')}
              WHERE {_in_ts('c.started_at')})
        """).fetchall()
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_places{sfx} AS
        SELECT *, CAST(ls AS DATE) AS day, {hour_of_day('ls', h0)} AS dh
        FROM (SELECT p.person_id, p.kind, p.start_at, p.end_at, p.name, p.lat, p.lon,
                     timezone(s.tz, p.start_at) AS ls, timezone(s.tz, p.end_at) AS le
              FROM places p JOIN {spans} s USING (person_id) WHERE {_in_ts('p.start_at')})
        """).fetchall()


def _homes(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]) -> None:
    """`_ff_home{sfx}`: each person's home (`places.home`: the ~200 m cell whose visits cover
    the most local 03:00 instants, raw night points one each, a visit named home half), and
    `_ff_out{sfx}`: their outings (`places.outings`)."""
    pl = f"_ff_places{sfx}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_home{sfx} AS
        WITH nights AS (
            SELECT person_id, lat, lon, date_diff('day', CAST(ls - INTERVAL 3 HOUR AS DATE),
                                                  CAST(le - INTERVAL 3 HOUR AS DATE)) AS n
            FROM {pl} WHERE {_VISIT}
            UNION ALL
            SELECT person_id, lat, lon, 1 FROM {pl} WHERE kind = 'point' AND hour(ls) < 5
            UNION ALL
            SELECT person_id, lat, lon, 0.5 FROM {pl}
            WHERE {_VISIT} AND upper(name) IN ('HOME', 'DOMICILE', 'MAISON')),
        cells AS (
            SELECT person_id, avg(lat) AS lat, avg(lon) AS lon, sum(n) AS nights FROM nights
            WHERE lat IS NOT NULL GROUP BY person_id, round(lat / $cell), round(lon / $cell)
            HAVING sum(n) > 0)
        SELECT person_id, lat AS hlat, lon AS hlon FROM cells
        QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY nights DESC, lat, lon) = 1
        """, {"cell": cfg["home"]["cell_degrees"]}).fetchall()
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_out{sfx} AS
        WITH v AS (
            SELECT v.person_id, v.start_at, v.name, v.lat, v.lon,
                   {km('v.lat', 'v.lon', 'h.hlat', 'h.hlon')} AS from_home_km,
                   coalesce(v.name, '') || '@' || round(v.lat / $cell) || ','
                       || round(v.lon / $cell) AS place_key
            FROM {pl} v JOIN _ff_home{sfx} h USING (person_id) WHERE {_VISIT})
        SELECT person_id, start_at, name, lat, lon, from_home_km,
               row_number() OVER (PARTITION BY person_id, place_key ORDER BY start_at) = 1
                   AS first_time
        FROM v WHERE from_home_km * 1000 > $radius""",
                {"cell": cfg["home"]["cell_degrees"], "radius": cfg["home"]["radius_m"]}
                ).fetchall()


def _away(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]) -> pd.DataFrame:
    """Per person with a home: the hours the location history covers, those at home, the km
    between consecutive visits, the days spanned, and the outings (`metrics.away_index`)."""
    pl, out = f"_ff_places{sfx}", f"_ff_out{sfx}"
    return con.execute(f"""
        WITH v AS (
            SELECT person_id, kind, epoch(end_at - start_at) / 3600 AS hours, lat, lon, day,
                   {km('lat', 'lon', 'lag(lat) OVER w', 'lag(lon) OVER w')} AS hop_km
            FROM {pl} WHERE kind IN ('visit', 'activity') AND end_at > start_at
            WINDOW w AS (PARTITION BY person_id, kind ORDER BY start_at)),
        a AS (
            SELECT h.person_id, sum(hours) AS hours,
                   sum(hours) FILTER (WHERE kind = 'visit' AND
                       {km('lat', 'lon', 'h.hlat', 'h.hlon')} * 1000 <= $radius) AS home_hours,
                   coalesce(sum(hop_km) FILTER (WHERE kind = 'visit'), 0) AS km,
                   date_diff('day', min(day), max(day)) + 1 AS days
            FROM _ff_home{sfx} h LEFT JOIN v USING (person_id) GROUP BY h.person_id),
        o AS (
            SELECT person_id, count(*) AS outings, count(*) FILTER (first_time) AS new_places,
                   count(DISTINCT strftime(start_at, '%Y-%m')) AS months
            FROM {out} GROUP BY person_id),
        distinct_places AS (
            SELECT person_id, count(*) AS places_visited
            FROM (SELECT DISTINCT person_id, name, lat, lon FROM {out}) GROUP BY person_id)
        SELECT a.*, coalesce(o.outings, 0) AS outings, coalesce(o.new_places, 0) AS new_places,
               coalesce(d.places_visited, 0) AS places_visited
        FROM a LEFT JOIN o USING (person_id) LEFT JOIN distinct_places d USING (person_id)
        """, {"radius": cfg["home"]["radius_m"]}).df()


def _towns(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]) -> pd.Series:
    """Per person: towns away from home (`places.towns`: greedy clusters of `home.town_km`
    over the far outings in time order). Sequential, so Python, over the far rows only."""
    far = con.execute(f"""
        SELECT person_id, lat, lon FROM _ff_out{sfx} WHERE from_home_km > $away
        ORDER BY person_id, start_at""", {"away": cfg["home"]["away_km"]}).fetchall()
    counts: dict[str, int] = {}
    centres: list[tuple[float, float]] = []
    current = None
    for person, lat, lon in far:
        if person != current:
            current, centres = person, []
        if all(_km(lat, lon, *c) > cfg["home"]["town_km"] for c in centres):
            centres.append((lat, lon))
            counts[person] = counts.get(person, 0) + 1
    return pd.Series(counts, dtype="float64")


def _phone(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]) -> pd.DataFrame:
    """Per person: calls, texts, minutes and days (`contacts_per_week`), weeks with calls
    (`call_weeks`), timed voice calls (`voice_calls`), the longest call (`marathon_talker`),
    events in the night owl's hours (`night_owl`, chat messages and plays included)."""
    owl = cfg["badges"]["night_owl"]
    return con.execute(f"""
        WITH c AS (
            SELECT person_id,
                   count(*) FILTER (WHERE channel = 'voice') AS calls,
                   count(*) FILTER (WHERE channel = 'sms') AS sms,
                   coalesce(sum(duration_s) FILTER (WHERE channel = 'voice'), 0) / 60
                       AS minutes,
                   date_diff('day', min(day), max(day)) + 1 AS phone_days,
                   count(DISTINCT date_trunc('week', day))
                       FILTER (WHERE channel IN ('voice', 'sms')) AS call_weeks,
                   count(*) FILTER (WHERE channel = 'voice' AND duration_s IS NOT NULL)
                       AS voice_calls,
                   max(round(duration_s / 60, 1))
                       FILTER (WHERE channel = 'voice' AND duration_s IS NOT NULL)
                       AS longest_call,
                   count(*) FILTER (WHERE hour(lt) >= $lo AND hour(lt) < $hi) AS late_calls
            FROM _ff_calls{sfx} GROUP BY person_id),
        m AS (
            SELECT m.person_id, count(*) AS late_media
            FROM media m JOIN _ff_spans{sfx} s USING (person_id)
            WHERE NOT (m.service = 'netflix' AND m.duration_s IS NULL)
              AND {_in_ts('m.started_at')}
              AND hour(timezone(s.tz, m.started_at)) >= $lo
              AND hour(timezone(s.tz, m.started_at)) < $hi
            GROUP BY m.person_id)
        SELECT person_id, c.* EXCLUDE (person_id),
               coalesce(c.late_calls, 0) + coalesce(m.late_media, 0) AS late_events
        FROM c FULL JOIN m USING (person_id)""",
                       {"lo": owl["from_hour"], "hi": owl["to_hour"]}).df()


# Local wall time by offset: the offset of each time zone for every 15-minute UTC bucket the
# data covers (`_ff_offsets`, a few thousand rows), joined by bucket, is 3x cheaper than a
# `timezone(tz, ts)` per reading (18 M readings in a 1,000-person cohort). Time zones change
# their offset on 15-minute UTC boundaries (whole, half and 45-minute zones alike).
_BUCKET_US = 900_000_000


def _offsets(con: duckdb.DuckDBPyConnection) -> None:
    """`_ff_offsets(tz, b, off)`: per time zone of `_ff_zones` and 15-minute UTC bucket `b`
    between the first and last call or reading, the local offset in microseconds."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_offsets AS
        WITH span AS (
            SELECT coalesce(min(lo) // {_BUCKET_US}, 0) AS lo,
                   coalesce(max(hi) // {_BUCKET_US}, -1) AS hi FROM (
                SELECT epoch_us(min(start_at)) AS lo, epoch_us(max(start_at)) AS hi
                FROM energy
                UNION ALL SELECT epoch_us(min(started_at)), epoch_us(max(started_at))
                FROM calls))
        SELECT z.tz, r.b, epoch_us(timezone(z.tz, make_timestamptz(r.b * {_BUCKET_US})))
                          - r.b * {_BUCKET_US} AS off
        FROM _ff_zones z, span, range(span.lo, span.hi + 1) r(b)""").fetchall()


def _seconds(start: str, end: str) -> str:
    """SQL: `epoch(end - start)` from the stored instants (the interval of two TIMESTAMPTZ
    goes through the calendar: 7x slower on 18 M readings)."""
    return f"((epoch_us({end}) - epoch_us({start})) / 1000000)"


def _local(ts: str) -> str:
    """SQL: the local wall time of `ts` with `_ff_offsets o` joined on `_bucket(ts)`."""
    return f"make_timestamp(epoch_us({ts}) + o.off)"


def _by_bucket(ts: str) -> str:
    return f"JOIN _ff_offsets o ON o.tz = s.tz AND o.b = epoch_us({ts}) // {_BUCKET_US}"


def _electricity(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]) -> None:
    """The load curves (electricity, an hour or finer) in three streaming passes, never
    holding the readings: `_ff_floors{sfx}` the floor (min watts) of each local day,
    `_ff_active{sfx}` the active readings (above the day's floor by `hours.active_margin_w`)
    per half-hour day-hour bin, `_ff_standby{sfx}` each person's 2nd percentile of watts."""
    readings = f"""
        FROM energy e JOIN meters USING (person_id, meter_id)
        JOIN _ff_spans{sfx} s USING (person_id) {{offsets}}
        WHERE commodity = 'electricity' AND {_seconds('e.start_at', 'e.end_at')} <= 3600
          AND e.kwh IS NOT NULL AND {_in_ts('e.start_at')}"""
    watts = f"e.kwh * 3.6e6 / {_seconds('e.start_at', 'e.end_at')}"
    local = _local("e.start_at")
    on_clock = readings.format(offsets=_by_bucket("e.start_at"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_floors{sfx} AS
        SELECT e.person_id, CAST({local} AS DATE) AS day, min({watts}) AS floor
        {on_clock} GROUP BY ALL""").fetchall()
    # DuckDB underestimates the readings (filters and joins on small tables) and would
    # build its hash table on them (18 M rows, 2 GB) rather than on the day floors: the
    # build side is left as written (the floors) for this one statement.
    before = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    con.execute("SET disabled_optimizers = "
                f"'{','.join(filter(None, [before, 'build_side_probe_side']))}'")
    floors = on_clock.replace("WHERE", f"JOIN _ff_floors{sfx} f ON f.person_id = e.person_id"
                                       f" AND f.day = CAST({local} AS DATE) WHERE")
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _ff_active{sfx} AS
            SELECT e.person_id,
                   floor({hour_of_day(local, cfg["hours"]["day_starts_at"])} * 2) / 2 AS hour,
                   count(*) AS events
            {floors} AND {watts} > f.floor + $margin GROUP BY ALL""",
                    {"margin": cfg["hours"]["active_margin_w"]}).fetchall()
    finally:
        con.execute(f"SET disabled_optimizers = '{before}'")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_standby{sfx} AS
        SELECT e.person_id, quantile_cont({watts}, 0.02) AS standby_watts
        {readings.format(offsets="")} GROUP BY ALL""").fetchall()


def _hours_and_days(con: duckdb.DuckDBPyConnection, sfx: str, cfg: dict[str, Any]
                    ) -> pd.DataFrame:
    """Per person: the activity hour (`metrics.activity_hour`: the mean over sources of each
    source's median half-hour bin + 0.25), timed days, active days, load-curve days, early
    days (`early_riser`), the standby watts (`zero_standby_hero`), location weeks."""
    before = cfg["badges"]["early_riser"]["before_hour"]
    return con.execute(f"""
        WITH floors AS (SELECT * FROM _ff_floors{sfx}),
        ev AS (
            SELECT person_id, 'calls' AS source, dh FROM _ff_calls{sfx}
            UNION ALL SELECT person_id, 'places', dh FROM _ff_places{sfx} WHERE {_VISIT}),
        bins AS (SELECT person_id, source, floor(dh * 2) / 2 AS hour, count(*) AS events
                 FROM ev GROUP BY ALL
                 UNION ALL SELECT person_id, 'electricity', hour, events FROM _ff_active{sfx}),
        cum AS (SELECT *, sum(events) OVER (PARTITION BY person_id, source ORDER BY hour)
                          AS running,
                       sum(events) OVER (PARTITION BY person_id, source) AS total FROM bins),
        medians AS (SELECT person_id, source,
                           min(hour) FILTER (WHERE running >= total / 2) + 0.25 AS median
                    FROM cum GROUP BY ALL),
        hours AS (SELECT person_id, list(median ORDER BY source) AS medians
                  FROM medians GROUP BY person_id),
        timed AS (SELECT person_id, day, dh FROM _ff_calls{sfx}
                  UNION ALL SELECT person_id, day, dh FROM _ff_places{sfx}
                  WHERE kind = 'visit'),
        timed_days AS (SELECT person_id, day, min(dh) AS first_hour FROM timed GROUP BY ALL),
        t AS (SELECT person_id, count(*) AS timed_days,
                     count(*) FILTER (WHERE first_hour < $before) AS early_days
              FROM timed_days GROUP BY person_id),
        active AS (SELECT person_id, count(DISTINCT day) AS active_days FROM (
                       SELECT person_id, day FROM timed_days
                       UNION ALL SELECT person_id, day FROM floors) GROUP BY person_id),
        lc AS (SELECT person_id, count(*) AS load_curve_days FROM floors GROUP BY person_id),
        sb AS (SELECT * FROM _ff_standby{sfx}),
        lw AS (SELECT person_id, count(DISTINCT date_trunc('week', day)) AS location_weeks
               FROM _ff_places{sfx} WHERE lat IS NOT NULL GROUP BY person_id)
        SELECT person_id, hours.medians, t.timed_days, t.early_days, active.active_days,
               lc.load_curve_days, sb.standby_watts, lw.location_weeks
        FROM (SELECT person_id FROM _ff_spans{sfx}) p
        LEFT JOIN hours USING (person_id) LEFT JOIN t USING (person_id)
        LEFT JOIN active USING (person_id) LEFT JOIN lc USING (person_id)
        LEFT JOIN sb USING (person_id) LEFT JOIN lw USING (person_id)""",
                       {"before": before}).df()


def _transactions(con: duckdb.DuckDBPyConnection, group: Group, sfx: str) -> str:
    """`_ff_tx{sfx}`: the spans' transactions with their category and subcategory (from
    `group_categories`: each person's own rules apply to them only)."""
    table = group_categories(con, Group(group.persons))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ff_tx{sfx} AS
        SELECT t.person_id, t.booked_on, t.amount, t.label, t.counterparty, c.category,
               c.subcategory
        FROM transactions t JOIN {table} c USING (person_id, uid)
        JOIN _ff_spans{sfx} s USING (person_id) WHERE {_in_day('t.booked_on')}""").fetchall()
    return f"_ff_tx{sfx}"


def _money(con: duckdb.DuckDBPyConnection, tx: str, cfg: dict[str, Any]) -> pd.DataFrame:
    """Per person with bank rows: the diet, saver and novelty metrics' sums and counts, and
    the bank evidence and badges (`regular`, `ant`)."""
    diet = cfg["cursors"]["vegetarian_carnivore"]
    spend = f"amount < 0 AND category NOT IN {_NS}"
    savings = "amount < 0 AND category = 'transfer' AND regexp_matches(label, $pattern, 'i')"
    return con.execute(f"""
        WITH a AS (
            SELECT person_id,
                   count(*) FILTER (WHERE {spend}) AS spending_payments,
                   count(*) FILTER (WHERE amount < 0 AND list_contains($kinds, subcategory))
                       AS fresh_food_purchases,
                   count(DISTINCT date_trunc('month', booked_on))
                       FILTER (WHERE category = 'income' AND amount > 0) AS income_months,
                   count(DISTINCT date_trunc('month', booked_on)) AS bank_months,
                   coalesce(-sum(amount) FILTER (WHERE amount < 0
                       AND list_contains($meat, subcategory)), 0) AS meat_eur,
                   coalesce(-sum(amount) FILTER (WHERE amount < 0
                       AND list_contains($plants, subcategory)), 0) AS plants_eur,
                   coalesce(sum(amount) FILTER (WHERE category = 'income' AND amount > 0), 0)
                       AS income,
                   coalesce(-sum(amount) FILTER (WHERE {spend}), 0) AS spending
            FROM {tx} GROUP BY person_id),
        p AS (SELECT person_id, row_number() OVER (PARTITION BY person_id,
                  coalesce(counterparty, label) ORDER BY booked_on) = 1 AS first_time
              FROM {tx} WHERE {spend}),
        novelty AS (SELECT person_id, count(*) FILTER (WHERE first_time) AS new_merchants
                    FROM p GROUP BY person_id),
        regular AS (SELECT person_id, max(payments) AS best_month FROM (
                        SELECT person_id, coalesce(counterparty, label),
                               strftime(booked_on, '%Y-%m'), count(*) AS payments
                        FROM {tx} WHERE {spend} GROUP BY ALL) GROUP BY person_id),
        months AS (SELECT person_id, strftime(booked_on, '%Y-%m') AS month,
                          coalesce(-sum(amount) FILTER (WHERE {savings}), 0) AS saved
                   FROM {tx} GROUP BY ALL),
        ant AS (SELECT person_id, avg(CASE WHEN saved > 0 THEN 1.0 ELSE 0.0 END)
                       AS saving_months_share FROM months GROUP BY person_id)
        SELECT a.*, coalesce(novelty.new_merchants, 0) AS new_merchants, regular.best_month,
               ant.saving_months_share
        FROM a LEFT JOIN novelty USING (person_id) LEFT JOIN regular USING (person_id)
        LEFT JOIN ant USING (person_id)""",
                       {"kinds": diet["evidence_from"], "meat": diet["meat"],
                        "plants": diet["plants"], "pattern": cfg["badges"]["ant"]["pattern"]}
                       ).df()


def _scaled(values: pd.Series, bounds: list[float]) -> pd.Series:
    """`metrics.scaled` over a column: NaN scores 0, as `min(1, max(0, nan))` does."""
    return ((values - bounds[0]) / (bounds[1] - bounds[0])).clip(0.0, 1.0).fillna(0.0)


def _f(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _period_facts(con: duckdb.DuckDBPyConnection, group: Group, persons: pd.DataFrame,
                  cfg: dict[str, Any]) -> pd.DataFrame:
    """The cursors' values and evidence, and the badges, over the group's period."""
    h0 = cfg["hours"]["day_starts_at"]
    _spans(con, "_ff_spans", persons.assign(lo=group.start, hi=group.end))
    _local_rows(con, "_ff_spans", "", h0)
    _homes(con, "", cfg)
    _electricity(con, "", cfg)
    away = _away(con, "", cfg).set_index("person_id")
    towns = _towns(con, "", cfg)
    phone = _phone(con, "", cfg).set_index("person_id")
    hours = _hours_and_days(con, "", cfg).set_index("person_id")
    money = _money(con, _transactions(con, group, ""), cfg).set_index("person_id")
    out = pd.DataFrame(index=pd.Index(persons["person_id"], name="person_id"))
    away, phone, hours, money = (f.reindex(out.index) for f in (away, phone, hours, money))
    cur = cfg["cursors"]

    outings = _f(away, "outings").fillna(0)
    payments = _f(money, "spending_payments").fillna(0)
    evidence = {
        "location_weeks": _f(hours, "location_weeks"), "call_weeks": _f(phone, "call_weeks"),
        "voice_calls": _f(phone, "voice_calls"), "timed_days": _f(hours, "timed_days"),
        "active_days": _f(hours, "active_days"),
        "outings_or_payments": outings.where(outings > 0, payments),
        "spending_payments": payments,
        "fresh_food_purchases": _f(money, "fresh_food_purchases"),
        "income_months": _f(money, "income_months"), "bank_months": _f(money, "bank_months"),
        "load_curve_days": _f(hours, "load_curve_days")}

    def put(cursor: str, value: pd.Series, reason: str) -> None:
        value = value.astype("float64")
        out[f"value.{cursor}"] = value
        out[f"reason.{cursor}"] = pd.Series(np.where(value.isna(), reason, None),
                                            index=out.index, dtype=object)
        # rows the metric cannot use (no home found ...) are no evidence
        have = evidence[cur[cursor]["evidence"]]
        out[f"evidence.{cursor}"] = have.fillna(0).where(value.notna(), 0).astype(int)

    # homebody / globe-trotter: away share and km per week, each scaled, averaged
    c = cur["homebody_globetrotter"]
    has_home = away["km"].notna()  # every person with a home has a km (0 without visits)
    hours_, home_hours = _f(away, "hours"), _f(away, "home_hours").fillna(0)
    weeks = _f(away, "days") / 7
    index = (_scaled(1 - home_hours / hours_, c["away_share"])
             + _scaled(_f(away, "km") / weeks, c["km_per_week"])) / 2
    put("homebody_globetrotter", index.where(has_home), "no_places")
    # quiet / chatterbox: calls and texts per week over the days the log spans
    phone_n = _f(phone, "calls").fillna(0) + _f(phone, "sms").fillna(0)
    put("quiet_chatterbox", (phone_n / (_f(phone, "phone_days") / 7)).where(phone_n > 0),
        "no_calls")
    # early bird / night owl: the mean of the sources' median hours (summed in source order)
    medians = hours["medians"]
    put("early_bird_night_owl", pd.Series(
        [sum(m) / len(m) if isinstance(m, list | np.ndarray) and len(m) else np.nan
         for m in medians], index=out.index), "no_activity")
    # routine / adventurous: new places among outings, else new merchants among payments
    share = (_f(away, "new_places") / outings).where(
        outings > 0, (_f(money, "new_merchants") / payments).where(payments > 0))
    put("routine_adventurous", share, "no_outings")
    # vegetarian / carnivore and saver / spender: money sums (exact in SQL, then floats)
    meat, plants = _f(money, "meat_eur").fillna(0), _f(money, "plants_eur").fillna(0)
    put("vegetarian_carnivore", (meat / (meat + plants)).where(meat + plants > 0),
        "no_fresh_food")
    income = _f(money, "income").fillna(0)
    put("saver_spender", (_f(money, "spending") / income).where(income > 0), "no_income")

    badges = cfg["badges"]
    figures = {
        "early_riser": _f(hours, "early_days").fillna(0),
        "night_owl": _f(phone, "late_events").fillna(0),
        "marathon_talker": _f(phone, "longest_call"),
        "zero_standby_hero": _f(hours, "standby_watts"),
        "explorer": towns.reindex(out.index).fillna(0.0),
        "regular": _f(money, "best_month"),
        "ant": _f(money, "saving_months_share"),
    }
    earned = {
        "early_riser": figures["early_riser"] >= badges["early_riser"]["min_days"],
        "night_owl": figures["night_owl"] >= badges["night_owl"]["min_events"],
        "marathon_talker": figures["marathon_talker"] >= badges["marathon_talker"][
            "min_minutes"],
        "zero_standby_hero": figures["zero_standby_hero"] <= badges["zero_standby_hero"][
            "max_watts"],
        "explorer": figures["explorer"] >= badges["explorer"]["min_towns"],
        "regular": figures["regular"] >= badges["regular"]["min_payments"],
        "ant": figures["ant"] >= badges["ant"]["min_share_of_months"],
    }
    for name in figures:
        rule = badges[name]
        have = evidence[rule["evidence"]].fillna(0).astype(int)
        out[f"badge.{name}.figure"] = figures[name].astype("float64")
        out[f"badge.{name}.have"] = have
        out[f"badge.{name}.earned"] = earned[name].fillna(False).astype(bool) & (
            have >= int(rule["needs"]))
    return out


# --- this month in numbers ------------------------------------------------------------------

def _last_days(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """Per person: the last local day with data in the span (`month.last_day_with_data`)."""
    frame = con.execute(f"""
        WITH e AS (SELECT e.person_id, max(e.start_at) AS last_at
                   FROM energy e JOIN _ff_spans s USING (person_id)
                   WHERE {_in_ts('e.start_at')} GROUP BY e.person_id),
        days AS (
            SELECT t.person_id, max(t.booked_on) AS day FROM transactions t
            JOIN _ff_spans s USING (person_id) WHERE {_in_day('t.booked_on')}
            GROUP BY t.person_id
            UNION ALL SELECT person_id, max(day) FROM _ff_calls GROUP BY person_id
            UNION ALL SELECT person_id, max(day) FROM _ff_places GROUP BY person_id
            UNION ALL SELECT e.person_id, CAST(timezone(s.tz, e.last_at) AS DATE)
            FROM e JOIN _ff_spans s USING (person_id))
        SELECT person_id, max(day) AS day FROM days GROUP BY person_id""").fetchall()
    return pd.Series({p: d for p, d in frame if d is not None}, dtype=object)


def _pick_month(last: date, start: date | None) -> tuple[date, date]:
    """`month.pick_month` for a person whose last day with data is `last`."""
    full = last.day == calendar.monthrange(last.year, last.month)[1]
    first = last.replace(day=1) if full else (last.replace(day=1) - timedelta(days=1))
    first = first.replace(day=1)
    if start and first < start:  # less than a full month: the last one
        first = last.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _month_facts(con: duckdb.DuckDBPyConnection, group: Group, persons: pd.DataFrame,
                 cfg: dict[str, Any]) -> pd.DataFrame:
    """`month.month_in_numbers` of every person: their month, then each figure over it."""
    last = _last_days(con)
    spans = [(p, tz, *_pick_month(last[p], group.start))
             for p, tz in zip(persons["person_id"], persons["tz"], strict=True) if p in last]
    out = pd.DataFrame(index=pd.Index(persons["person_id"], name="person_id"))
    out["month.month"] = pd.Series({p: lo.strftime("%Y-%m") for p, _, lo, _ in spans},
                                   dtype=object)
    if not spans:
        return out
    _spans(con, "_ff_spans_m", pd.DataFrame(spans, columns=["person_id", "tz", "lo", "hi"]))
    _local_rows(con, "_ff_spans_m", "_m", cfg["hours"]["day_starts_at"])
    _homes(con, "_m", cfg)
    away = _away(con, "_m", cfg).set_index("person_id").reindex(out.index)
    has_home = away["km"].notna()
    out["month.km_travelled"] = _f(away, "km").where(has_home)
    out["month.places_visited"] = _f(away, "places_visited").where(has_home)
    phone = _phone(con, "_m", cfg).set_index("person_id").reindex(out.index)
    n = _f(phone, "calls").fillna(0) + _f(phone, "sms").fillna(0)
    for figure, column in (("calls", "calls"), ("sms", "sms"), ("phone_minutes", "minutes")):
        out[f"month.{figure}"] = _f(phone, column).where(n > 0)
    kwh = con.execute(f"""
        SELECT e.person_id, m.commodity, sum(e.kwh) AS kwh
        FROM energy e JOIN meters m USING (person_id, meter_id)
        JOIN _ff_spans_m s USING (person_id) WHERE {_in_ts('e.start_at')}
        GROUP BY ALL ORDER BY ALL""").df()
    for commodity, rows in kwh.dropna(subset=["kwh"]).groupby("commodity"):
        out[f"month.kwh_{commodity}"] = rows.set_index("person_id")["kwh"].astype(float)
    tx = _transactions(con, group, "_m")
    spend = con.execute(f"""
        SELECT person_id, category, -sum(amount) AS eur, max(-amount) AS biggest
        FROM {tx} WHERE amount < 0 AND category NOT IN {_NS}
        GROUP BY ALL ORDER BY person_id, eur DESC, category""").df()
    if not spend.empty:
        spend = spend.assign(eur=spend["eur"].astype(float),
                             biggest=spend["biggest"].astype(float))
        by = spend.groupby("person_id", sort=False)
        out["month.money_spent"] = by["eur"].sum()
        top = by.head(1).set_index("person_id")
        out["month.top_category"] = top["eur"]
        out["month.top_category_category"] = top["category"].astype(object)
        big = spend.sort_values(["person_id", "biggest", "category"],
                                ascending=[True, False, True]).groupby("person_id").head(1)
        big = big.set_index("person_id")
        out["month.biggest_expense"] = big["biggest"]
        out["month.biggest_expense_category"] = big["category"].astype(object)
    return out


# --- everything ------------------------------------------------------------------------------

def facts(con: duckdb.DuckDBPyConnection, group: Group, cfg: dict[str, Any]) -> pd.DataFrame:
    """One row per person of the group in the store (index `person_id`): the raw values,
    evidence, badges and month in numbers (see the module docstring). Temp tables `_ff_*`
    are dropped afterwards (the largest holds the group's load-curve readings)."""
    persons = con.execute(f"""
        SELECT person_id, coalesce(timezone, 'Europe/Paris') AS tz FROM persons
        WHERE {in_group('person_id')} ORDER BY person_id""",
                          {"persons": group.params["persons"]}).df()
    try:
        con.register("_ff_zone_frame", persons[["tz"]].drop_duplicates())
        con.execute("CREATE OR REPLACE TEMP TABLE _ff_zones AS"
                    " SELECT CAST(tz AS VARCHAR) AS tz FROM _ff_zone_frame").fetchall()
        con.unregister("_ff_zone_frame")
        _offsets(con)
        period = _period_facts(con, group, persons, cfg)
        month = _month_facts(con, group, persons, cfg)
    finally:
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary"
                                   " AND table_name LIKE '\\_ff\\_%' ESCAPE '\\'").fetchall():
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return period.join(month)
