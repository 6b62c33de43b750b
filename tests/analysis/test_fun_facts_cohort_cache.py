"""The fun facts' cohort pass (every person's metrics, to calibrate the cursors) is done once
per store and period, not once per connection: a batch worker opens the store again for each
report, and redoing the cohort for every person's report made a batch quadratic."""

from __future__ import annotations

from selfdata_kit.analysis import fun_facts as ff
from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.store import open_store
from tests.conftest import SAMPLES, copy_store


def test_the_cohort_pass_is_shared_by_connections_to_the_same_store(sample_store) -> None:
    cfg = ff.load_config()
    with open_store(sample_store, read_only=True) as first:
        values = ff.cohort_values(first.con, make_scope(first.con, SAMPLES[0]), cfg)
    with open_store(sample_store, read_only=True) as second:
        again = ff.cohort_values(second.con, make_scope(second.con, SAMPLES[1]), cfg)
    assert again is values  # the cache, not a second pass over every person
    assert set(values) == set(ff.CURSORS)


def test_a_written_store_gets_a_new_pass(sample_store, tmp_path) -> None:
    cfg = ff.load_config()
    store = copy_store(sample_store, tmp_path / "store.duckdb", keep=SAMPLES[:2])
    with open_store(store, read_only=True) as s:
        before = ff.cohort_values(s.con, make_scope(s.con, SAMPLES[0]), cfg)
    with open_store(store) as s:
        s.run("UPDATE persons SET timezone = 'Europe/London' WHERE person_id = ?", [SAMPLES[1]])
    with open_store(store, read_only=True) as s:
        after = ff.cohort_values(s.con, make_scope(s.con, SAMPLES[0]), cfg)
    assert after is not before  # any write to the store file: a new pass
