"""A person's figures as a contribution spec declares them: the cohort metrics' flattened
names, computed by the same analyses as the person's reports and the cohort report."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..analysis import cohort as c
from ..analysis.figures import person_figures
from .spec import Spec

TOPICS = ("spending", "calls", "energy", "fun_facts")  # what the cohort metrics cover


def person_values(con: duckdb.DuckDBPyConnection, person: str, spec: Spec) -> dict[str, object]:
    """Every flattened metric of `person` over the spec's period ("energy.annual_kwh.gas":
    12288.0, ...); the spec then keeps the declared ones."""
    if spec.start is None and spec.end is None:  # all the data: the cohort's own metrics
        row = c.person_metrics(con, [person]).iloc[0].to_dict()
        row.pop("person_id", None)
        return row
    # a period: the same per-report figures over that period, flattened the same way
    # ("topic.key.subkey"); lists (recurring payments, top contacts) are never declared
    reports = person_figures(con, person, spec.start, spec.end)["reports"]
    flat = pd.json_normalize({topic: reports[topic] for topic in TOPICS}, sep=".")
    return flat.iloc[0].to_dict()
