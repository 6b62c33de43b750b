"""The fun facts report runs the set-based pass of facts (`ff.table`, seconds on a ten-year
history) once for its key figures, cursors and badges, and shows the very frames that
`ff.cursors` and `ff.badges` compute on their own."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import selfdata_kit.analysis.fun_facts as ff
from selfdata_kit.reports.notebook import open_report
from tests.conftest import SAMPLES


def test_one_pass_for_key_figures_cursors_and_badges(sample_store: Path, monkeypatch) -> None:
    passes = []
    table = ff.table

    def counting(*args, **kwargs):
        passes.append(args[1])
        return table(*args, **kwargs)

    monkeypatch.setattr(ff, "table", counting)
    r = open_report(sample_store, SAMPLES[0], lang="en", topic_name="fun_facts")
    try:
        r.topic.key_figures(r.con, r.scope, "en", False)
        cursors, badges = r.frame("cursors"), r.frame("badges")
        assert len(passes) == 1
        pd.testing.assert_frame_equal(cursors, ff.cursors(r.con, r.scope))
        pd.testing.assert_frame_equal(badges, ff.badges(r.con, r.scope))
        assert len(passes) == 3  # each on its own: a pass each
    finally:
        r.con.close()
