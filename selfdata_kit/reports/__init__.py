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
