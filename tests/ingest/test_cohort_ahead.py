"""The parse workers run ahead of the writer: while a batch is written they keep parsing
the next persons (up to a bound, so memory stays bounded), and the writer still gets the
persons in folder order."""

from __future__ import annotations

from concurrent.futures import Future

from selfdata_kit.ingest.cohort import _in_order


def test_workers_are_given_persons_ahead_of_the_writer_in_folder_order():
    submitted: list[int] = []

    def submit(i: int) -> Future:
        submitted.append(i)
        done: Future = Future()
        done.set_result([i])  # a parsed person
        return done

    results = _in_order(submit, [(i,) for i in range(30)], ahead=16)
    assert next(results) == [0]
    # the writer holds one person: 16 more were handed out meanwhile (the workers do not
    # wait for the writer to finish a batch), and no more than that
    assert submitted == list(range(17))
    assert list(results) == [[i] for i in range(1, 30)]
    assert submitted == list(range(30))
