"""The shared history clock: a pause (an evaluation) is left out of the seconds it records."""

from engine.common.training import History


def test_a_pause_is_left_out_of_the_recorded_seconds():
    history = History("step")
    history.pause(100.0)  # as if 100 s of evaluation had just ended
    history.record(step=1)
    assert -100.5 < history.last("seconds") < -99.5  # the clock started 100 s later than it did
