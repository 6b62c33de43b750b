"""Contributions: figures a participant computes, reviews and seals on their own machine,
for a workshop wall or a study, instead of handing over their raw exports.

    spec.py          which figures may leave, over which period, rounded how
                     (data/contribution_spec.toml)
    figures.py       a person's declared figures, from the cohort metrics
    contribution.py  the contribution JSON: make it, check it (the one gate), no personal string
    review.py        the offline review page: each value in plain words, untick, download
    sealing.py       age encryption for the facilitator's or researcher's public key (pyrage)
    wall.py          read a folder of contributions, refuse bad ones, drop duplicates, aggregate
                     with the cohort's disclosure rules

The commands are `selfdata contribute`, `selfdata keygen` and `selfdata workshop wall`
(commands/contribute.py, keygen.py, wall.py); docs/workshop.md tells the whole flow.
"""
