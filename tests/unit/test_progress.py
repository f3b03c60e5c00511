"""Progress lines of the long waits: when a line is due, what it says, and poll_until feeding them."""

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.polling import poll_until
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.progress import (
    Progress,
    line_due,
    progress_line,
    shorten,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import (
    drain_progress,
    restore_progress,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import (
    convergence_progress,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.reconcile import (
    raft_progress,
    reconcile_progress,
)


def fake_time():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    return (lambda: now[0]), sleep


def test_line_names_the_state_the_elapsed_time_and_the_deadline():
    assert progress_line("convergence", "web: 3/5 tasks running on the new spec", 12.4, 300) == (
        "convergence: web: 3/5 tasks running on the new spec (12 s elapsed, deadline 300 s)"
    )


def test_no_line_in_the_first_seconds_of_a_wait():
    assert not line_due("a", 2.9, None, None)
    assert line_due("a", 3.0, None, None)


def test_a_line_on_each_change_of_state_and_every_ten_seconds_otherwise():
    assert line_due("b", 5, "a", 4)
    assert not line_due("a", 13.9, "a", 4)
    assert line_due("a", 14, "a", 4)


def test_shorten_never_floods_one_line():
    assert shorten(["a", "b"]) == "a; b"
    assert shorten([str(i) for i in range(10)], keep=3) == "0; 1; 2; and 7 more"


def test_poll_until_reports_every_unsettled_reading_with_its_elapsed_time():
    clock, sleep = fake_time()
    heard = []
    readings = iter([1, 2, 3])
    poll_until(
        lambda: next(readings),
        lambda r: r == 3,
        60,
        clock=clock,
        sleep=sleep,
        report=lambda *a: heard.append(a),
    )
    assert heard == [(1, 0.0), (2, 2.0)]


def test_a_long_wait_prints_one_line_per_change_or_ten_seconds_never_a_flood():
    clock, sleep = fake_time()
    shown = []
    # 60 s of readings every 2 s: the state changes at 20 s and at 40 s only.
    states = iter(["0/5"] * 10 + ["3/5"] * 10 + ["4/5"] * 10 + ["5/5"])
    progress = Progress("convergence", 300, lambda s: f"web: {s}", shown.append)
    poll_until(lambda: next(states), lambda s: s == "5/5", 300, clock=clock, sleep=sleep, report=progress)
    assert shown == [
        "convergence: web: 0/5 (4 s elapsed, deadline 300 s)",
        "convergence: web: 0/5 (14 s elapsed, deadline 300 s)",
        "convergence: web: 3/5 (20 s elapsed, deadline 300 s)",
        "convergence: web: 3/5 (30 s elapsed, deadline 300 s)",
        "convergence: web: 4/5 (40 s elapsed, deadline 300 s)",
        "convergence: web: 4/5 (50 s elapsed, deadline 300 s)",
    ]


def test_a_short_wait_prints_nothing():
    clock, sleep = fake_time()
    shown = []
    states = iter(["0/1", "1/1"])
    progress = Progress("convergence", 300, str, shown.append)
    poll_until(lambda: next(states), lambda s: s == "1/1", 300, clock=clock, sleep=sleep, report=progress)
    assert shown == []


def status(name, current, desired, converged=False, update_state=None):
    return {
        "name": name,
        "current": current,
        "desired": desired,
        "converged": converged,
        "update_state": update_state,
    }


def test_convergence_progress_counts_tasks_on_the_new_spec_per_waiting_service():
    statuses = {
        "web": status("web", 3, 5, update_state="updating"),
        "api": status("api", 1, 2),
        "db": status("db", 1, 1, converged=True),
    }
    assert convergence_progress(statuses, {"web"}) == (
        "web: 3/5 tasks running on the new spec (update updating); "
        "api: 1/2 tasks running on the current spec; 1/3 services converged"
    )
    assert convergence_progress({"db": statuses["db"]}, set()) == "1/1 services converged"


def test_drain_progress_says_what_is_still_moving():
    assert (
        drain_progress("worker2", ["web.1", "api.2"], [])
        == "worker2: drained, 2 task(s) still on it (web.1; api.2)"
    )
    assert drain_progress("worker2", [], ["web 1/2"]) == (
        "worker2: drained, no task left on it; waiting for moved services to run elsewhere: web 1/2"
    )


def test_restore_progress_says_status_and_manager_reachability():
    assert restore_progress("m2", None) == "m2: not in the node list yet"
    node = {"status": "down", "availability": "drain", "role": "manager", "reachability": "unreachable"}
    assert restore_progress("m2", node) == "m2: status down, availability drain, manager unreachable"
    worker = {"status": "ready", "availability": "drain", "role": "worker", "reachability": ""}
    assert restore_progress("w1", worker) == "w1: status ready, availability drain"


def test_reconcile_and_raft_progress_name_the_nodes_waited_for():
    changes = {
        "not_ready": [{"host": "worker1", "hostname": "w1", "status": "down"}],
        "going_down": ["abcdef0123456789"],
        "stepping_down": ["manager3"],
    }
    assert reconcile_progress("", changes) == (
        "waiting for worker1 down; abcdef012345 (superseded) not down yet; manager3 still stepping down"
    )
    assert reconcile_progress("docker node ls: cannot connect\nmore", None) == (
        "nodes unreadable: docker node ls: cannot connect"
    )
    assert raft_progress([{"hostname": "m2", "reachability": ""}]) == (
        "1 promoted node(s) not reachable managers yet: m2 (not a raft member yet)"
    )
