"""_service.convergence: convergence and fast failure judged from recorded task states."""

from service_fixtures import FakeDocker, by_name, load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import (
    group_tasks,
    hint,
    service_status,
    task_is_current,
    wait_for_convergence,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import node_from_inspect

NODES = {d["ID"]: node_from_inspect(d) for d in load("nodes_linux.jsonl")}


def status(service_file, tasks_file, name, baseline=frozenset(), updated=False):
    services = by_name(service_file)
    return service_status(
        services[name], group_tasks(services, load(tasks_file))[name], set(baseline), updated
    )


def poll(service_file, tasks_file):
    """The documents one poll returns: service inspect, task inspect."""
    return [load(service_file), load(tasks_file)]


def wait(docker, names, clock=None, **kwargs):
    ticks = iter(range(0, 10_000, 2))
    return wait_for_convergence(
        docker,
        names,
        NODES,
        set(),
        set(names),
        timeout=kwargs.pop("timeout", 60),
        clock=clock or (lambda: next(ticks)),
        sleep=lambda _: None,
        **kwargs,
    )


def test_converged_services_from_the_lab():
    for name in ("web", "ssh"):
        result = status("services_converged.jsonl", "tasks_converged.jsonl", name)
        assert result["converged"], result
    assert status("services_converged.jsonl", "tasks_converged.jsonl", "web")["running"] == 2


def test_stack_tasks_match_their_template_despite_inspect_defaults():
    assert status("stack_service.jsonl", "stack_tasks.jsonl", "demo_echo")["converged"]


def test_rolling_update_in_progress_is_not_converged():
    result = status("update_started_service.jsonl", "update_started_tasks.jsonl", "web")
    assert result["update_state"] == "updating"
    assert not result["converged"]


def test_a_task_of_an_older_spec_is_not_current():
    service = by_name("services_converged.jsonl")["web"]
    task = next(t for t in load("tasks_converged.jsonl") if t["ServiceID"] == service["ID"])
    assert task_is_current(task["Spec"], service["Spec"]["TaskTemplate"])
    older = {**task["Spec"], "ContainerSpec": {**task["Spec"]["ContainerSpec"], "Env": ["RELEASE=1"]}}
    assert not task_is_current(older, service["Spec"]["TaskTemplate"])


def test_rejected_tasks_are_failures_unless_they_predate_the_run():
    result = status("broken_service.jsonl", "broken_tasks.jsonl", "broken")
    assert len(result["failures"]) == 4
    old = {t["ID"] for t in load("broken_tasks.jsonl")}
    assert status("broken_service.jsonl", "broken_tasks.jsonl", "broken", baseline=old)["failures"] == []


def test_wait_fails_fast_on_no_such_image_naming_node_and_error():
    docker = FakeDocker(poll("broken_service.jsonl", "broken_tasks.jsonl"))
    _, problems = wait(docker, ["broken"])
    assert len(docker.calls) == 1
    assert len(problems) == 1
    assert "service broken is failing" in problems[0]
    assert (
        "broken.1 on svc-worker1 (linux): rejected: No such image: 172.29.233.5:5000/does-not-exist:1"
        in problems[0]
    )
    assert "image's OS matches the node's" in problems[0]


def test_unschedulable_task_fails_once_seen_twice():
    docker = FakeDocker(*[poll("nowhere_service.jsonl", "nowhere_tasks.jsonl")] * 2)
    _, problems = wait(docker, ["nowhere"])
    assert len(docker.calls) == 2
    assert "no suitable node (scheduling constraints not satisfied on 3 nodes)" in problems[0]
    assert "check os:, constraints" in problems[0]


def test_host_port_conflict_during_an_update_is_explained():
    docker = FakeDocker(*[poll("update_port_conflict_service.jsonl", "update_port_conflict_tasks.jsonl")] * 2)
    _, problems = wait(docker, ["web"])
    assert "host-mode port already in use" in problems[0]
    assert "stop-first" in problems[0]


def test_wait_returns_once_the_update_completes():
    docker = FakeDocker(
        poll("update_started_service.jsonl", "update_started_tasks.jsonl"),
        poll("services_converged.jsonl", "tasks_converged.jsonl"),
    )
    statuses, problems = wait(docker, ["web"])
    assert problems == []
    assert statuses["web"]["converged"] and len(docker.calls) == 2


def test_timeout_says_what_each_service_is_still_doing():
    docker = FakeDocker(*[poll("update_started_service.jsonl", "update_started_tasks.jsonl")] * 5)
    _, problems = wait(docker, ["web"], timeout=6)
    assert problems[0].startswith("timed out after 6s")
    assert "service web:" in problems[0] and "update state updating" in problems[0]


def test_poll_is_one_round_trip_with_task_ids_computed_on_the_node():
    docker = FakeDocker(poll("services_converged.jsonl", "tasks_converged.jsonl"))
    wait(docker, ["web", "ssh"])
    (batch,) = docker.calls
    assert batch[1][-1] == ["docker", "service", "ps", "--quiet", "--no-trunc", "web", "ssh"]


def test_hints():
    assert "Windows Server release" in hint(
        "The container operating system does not match the host operating system"
    )
    assert hint("task: non-zero exit (1)") is None
