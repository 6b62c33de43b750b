"""The reports: what a report notebook shows and how.

- `notebook.py`: `Report`, the object a report notebook calls, one method per cell, and
  `Topic` / `Section`, what a report is made of;
- `spending.py`, `calls.py`, `energy.py`, `fun_facts.py`, `year_review.py`: one `TOPIC` per
  report notebook (its sections, key figures, sensitive columns);
- `cohort.py`: the cohort report, as blocks shown by notebooks/cohort.ipynb and written
  into the workshop wall;
- `screen_safe.py`: the one screen-safe policy (masking, coarser places) of the reports,
  the explorer and the workshop.
"""

# the report notebooks, in the order an index shows them (light: the CLI imports this)
TOPICS = ("spending", "calls", "energy", "fun_facts", "media", "year_review")

# What each report reads, which decides when it must be rendered again (batch/digest.py): a
# report is up to date while these tables' rows about the person are unchanged (about everyone
# for fun facts, calibrated on the whole store). "rules": the bank lines are categorised with
# the person's own category rules file; "contracts": the energy contract file counts. A report
# that starts reading another table must say so here, or its pages would go stale.
_BANK = ("accounts", "balances", "transactions")
_EVERYTHING = (*_BANK, "contacts", "calls", "meters", "energy", "places", "media")
READS: dict[str, dict] = {
    # the bills section matches bank lines with call and energy bills
    "spending": {"tables": (*_BANK, "calls", "meters", "energy"), "rules": True},
    "calls": {"tables": ("contacts", "calls")},
    "energy": {"tables": ("meters", "energy"), "contracts": True},
    "fun_facts": {"tables": _EVERYTHING, "rules": True, "cohort": True},
    "media": {"tables": ("media",)},
    "year_review": {"tables": _EVERYTHING, "rules": True},
}
