"""poll_until: the one read-again loop, on a fake clock."""

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until


def fake_time():
    now, slept = [0.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    return (lambda: now[0]), sleep, slept


def test_returns_the_first_settled_reading_without_sleeping_after_it():
    clock, sleep, slept = fake_time()
    readings = iter([1, 2, 3, 4])
    assert poll_until(lambda: next(readings), lambda r: r == 3, 60, clock=clock, sleep=sleep) == (3, True)
    assert slept == [2.0, 2.0]


def test_gives_up_at_the_deadline_with_the_last_reading():
    clock, sleep, slept = fake_time()
    readings = iter(range(100))
    assert poll_until(lambda: next(readings), lambda r: False, 5, clock=clock, sleep=sleep) == (3, False)
    assert slept == [2.0, 2.0, 2.0]


def test_a_zero_timeout_still_reads_once():
    clock, sleep, slept = fake_time()
    assert poll_until(lambda: "only", lambda r: False, 0, clock=clock, sleep=sleep) == ("only", False)
    assert slept == []
