"""Bills linked to bank lines: the bank says how much left the account, the meter (Enedis,
GRDF) says how many kWh were used, the phone says how many calls and texts were made.
Putting them side by side shows what a kWh really costs.

An energy debit pays the consumption of the calendar months just before the month it is
debited in: one month for monthly bills (the synthetic personas pay last month's kWh around
the 10th-15th), two for bimonthly ones (the gap between a supplier's debits says which).
Which meter a supplier bills is read from the label (GAZ, ELEC) or, failing that, from
whichever meter's monthly kWh follows the debits best. A telecom debit is set beside the
calls and texts of the month before it.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from .scope import Scope, local_day, query

COLUMNS = ["kind", "booked_on", "counterparty", "amount", "commodity", "period_start",
           "period_end", "kwh", "eur_per_kwh", "calls", "sms", "call_minutes"]
_HINTS = {"gas": r"\bGAZ\b|\bGAS\b", "electricity": r"\bELEC"}


def _months_before(day: pd.Timestamp, n: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = day.to_period("M").to_timestamp() - pd.offsets.MonthBegin(1)
    return end - pd.offsets.MonthBegin(n - 1), end


def _commodity_of(debits: pd.DataFrame, monthly: pd.DataFrame) -> dict[str, str]:
    """Supplier -> commodity: a label hint, the only meter, or the best-following meter."""
    commodities = sorted(monthly["commodity"].unique())
    out: dict[str, str] = {}
    if not commodities:
        return out
    scores = []
    for supplier, rows in debits.groupby("counterparty"):
        hint = [c for c, pat in _HINTS.items()
                if rows["label"].str.contains(pat, case=False, regex=True).any()]
        if hint or len(commodities) == 1:
            out[supplier] = hint[0] if hint else commodities[0]
            continue
        for commodity in commodities:
            kwh = monthly[monthly["commodity"] == commodity].set_index("month")["kwh"]
            months = [_months_before(d, 1)[0] for d in rows["booked_on"]]
            pairs = pd.DataFrame({"paid": rows["amount"].to_numpy(),
                                  "kwh": kwh.reindex(months).to_numpy()}).dropna()
            r = pairs["paid"].corr(pairs["kwh"]) if len(pairs) >= 3 else -1.0
            scores.append((-(r if np.isfinite(r) else -1.0), supplier, commodity))
    used: set[str] = set()
    for _, supplier, commodity in sorted(scores):  # best match first, one meter each
        if supplier not in out and (commodity not in used or len(used) == len(commodities)):
            out[supplier] = commodity
            used.add(commodity)
    return out


def _period_months(rows: pd.DataFrame) -> int:
    """1 for monthly bills, 2 for bimonthly...: from the median gap between debits."""
    if len(rows) < 2:
        return 1
    gap = rows["booked_on"].sort_values().diff().dt.days.median()
    return int(min(12, max(1, round(gap / 30.44))))


def bills_linked(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Each energy or telecom debit of the period, with what it paid for from the other
    sources: kWh and the implied price per kWh, or the calls and texts of the month."""
    from .spending import prepare

    prepare(con, scope)
    debits = query(con, """
        SELECT booked_on, merchant AS counterparty, label, category,
               CAST(-amount AS DOUBLE) AS amount FROM spending_tx
        WHERE amount < 0 AND (category = 'telecom' OR (category = 'energy'
              AND coalesce(subcategory, '') <> 'water'))
        ORDER BY booked_on""", scope)
    monthly = query(con, f"""
        SELECT m.commodity, date_trunc('month', {local_day('e.start_at')}) AS month,
               sum(e.kwh) AS kwh
        FROM energy e JOIN meters m USING (person_id, meter_id)
        WHERE e.person_id = $person AND e.kwh IS NOT NULL GROUP BY 1, 2""", scope)
    phone = query(con, f"""
        SELECT date_trunc('month', {local_day('started_at')}) AS month,
               count(*) FILTER (channel = 'voice') AS calls,
               count(*) FILTER (channel = 'sms') AS sms,
               coalesce(sum(duration_s) FILTER (channel = 'voice'), 0) / 60.0 AS call_minutes
        FROM calls WHERE person_id = $person GROUP BY 1""", scope).set_index("month")
    rows = []
    energy = debits[debits["category"] == "energy"]
    commodity = _commodity_of(energy, monthly)
    for supplier, group in energy.groupby("counterparty"):
        n = _period_months(group)
        kind = commodity.get(supplier)
        kwh = (monthly[monthly["commodity"] == kind].set_index("month")["kwh"]
               if kind else pd.Series(dtype=float))
        for d in group.itertuples():
            start, end = _months_before(d.booked_on, n)
            covered = kwh.reindex(pd.date_range(start, end, freq="MS"))
            total = float(covered.sum()) if covered.notna().all() else np.nan
            rows.append({"kind": "energy", "booked_on": d.booked_on, "counterparty": supplier,
                         "amount": d.amount, "commodity": kind, "period_start": start,
                         "period_end": end, "kwh": total,
                         "eur_per_kwh": d.amount / total if total and total > 0 else np.nan})
    for d in debits[debits["category"] == "telecom"].itertuples():
        start, end = _months_before(d.booked_on, 1)
        usage = phone.loc[start] if start in phone.index else None
        rows.append({"kind": "telecom", "booked_on": d.booked_on, "counterparty": d.counterparty,
                     "amount": d.amount, "period_start": start, "period_end": end,
                     "calls": usage["calls"] if usage is not None else np.nan,
                     "sms": usage["sms"] if usage is not None else np.nan,
                     "call_minutes": usage["call_minutes"] if usage is not None else np.nan})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["kind", "booked_on"], ignore_index=True) if rows else frame
