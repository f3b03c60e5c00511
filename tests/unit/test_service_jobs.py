"""_service.jobs and the wait for a job: recorded lab payloads of a replicated job, a global job, a
job whose task fails, and a job run again after its spec changed (Docker 20.10)."""

from service_fixtures import FakeDocker, by_name, load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import (
    group_tasks,
    service_status,
    wait_for_convergence,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    actual_spec,
    changed_fields,
    create_argv,
    plan_services,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import node_from_inspect

IMAGE = "172.29.102.5:5000/busybox:1"
JOBS = [
    {
        "name": "jobok",
        "image": IMAGE,
        "os": "linux",
        "mode": "replicated-job",
        "replicas": 3,
        "command": ["true"],
    },
    {"name": "jobglobal", "image": IMAGE, "os": "linux", "mode": "global-job", "command": ["true"]},
    {
        "name": "jobfail",
        "image": IMAGE,
        "os": "linux",
        "mode": "replicated-job",
        "replicas": 1,
        "command": ["sh", "-c", "exit 3"],
    },
]


def specs(*definitions):
    result, errors = validate_services(list(definitions), {"linux"}, set())
    assert errors == []
    return result


def status(service_file, tasks_file, name, baseline=frozenset()):
    services = by_name(service_file)
    return service_status(services[name], group_tasks(services, load(tasks_file))[name], set(baseline), True)


def test_job_create_argv_pins_mode_completions_and_no_rolling_update_flags():
    argv = create_argv(specs(JOBS[0])[0])
    assert argv[6:12] == ["--mode", "replicated-job", "--replicas", "3", "--max-concurrent", "3"]
    assert not any(a.startswith(("--update-", "--rollback-")) for a in argv)
    assert argv[argv.index("--restart-condition") + 1] == "on-failure"
    assert create_argv(specs(JOBS[1])[0])[6:9] == ["--mode", "global-job", "--endpoint-mode"]


def test_recorded_jobs_read_back_unchanged():
    existing = by_name("jobs_service.jsonl")
    for spec in specs(*JOBS):
        assert changed_fields(spec, actual_spec(existing[spec["name"]], {})) == []


def test_completed_jobs_are_converged_and_count_their_completions():
    done = status("jobs_service.jsonl", "jobs_tasks.jsonl", "jobok")
    assert done["converged"] and (done["running"], done["desired"]) == (3, 3)
    every_node = status("jobs_service.jsonl", "jobs_tasks.jsonl", "jobglobal")
    assert every_node["converged"] and every_node["desired"] == 5


def test_a_job_run_again_counts_only_the_tasks_of_its_new_iteration():
    rerun = status("job_rerun_service.jsonl", "job_rerun_tasks.jsonl", "jobok")
    assert rerun["converged"] and rerun["running"] == 3
    tasks = [t for t in load("job_rerun_tasks.jsonl") if t.get("JobIteration", {}).get("Index") == 1]
    services = by_name("job_rerun_service.jsonl")
    half = service_status(services["jobok"], tasks[:2] + load("jobs_tasks.jsonl")[:3], set(), True)
    assert not half["converged"] and half["running"] == 2


def test_a_failing_job_stops_the_wait_with_its_node_and_error():
    nodes = {d["ID"]: node_from_inspect(d) for d in load("nodes_linux.jsonl")}
    failing = status("jobs_service.jsonl", "jobs_tasks.jsonl", "jobfail")
    assert not failing["converged"] and len(failing["failures"]) >= 2
    services = load("jobs_service.jsonl")
    tasks = [
        t
        for t in load("jobs_tasks.jsonl")
        if t["ServiceID"] == by_name("jobs_service.jsonl")["jobfail"]["ID"]
    ]
    docker = FakeDocker([[services[2]], tasks])
    ticks = iter(range(0, 1000, 2))
    _, problems = wait_for_convergence(
        docker,
        ["jobfail"],
        nodes,
        set(),
        {"jobfail"},
        timeout=60,
        clock=lambda: next(ticks),
        sleep=lambda _: None,
    )
    assert problems and problems[0].startswith("service jobfail is failing:")
    assert "failed: task: non-zero exit (3)" in problems[0]
    assert " on " in problems[0].splitlines()[1]


def test_a_jobs_completions_cannot_change_in_place_and_negative_replicas_are_refused():
    existing = by_name("jobs_service.jsonl")
    _, errors = plan_services(specs({**JOBS[0], "replicas": 5}), existing, {})
    assert errors == [
        "service 'jobok', field 'replicas': is 3, declared 5; docker service update cannot change a job's "
        "replicas or max_concurrent: remove the job (state: absent) in one run and declare it again"
    ]
    actions, errors = plan_services(specs({**JOBS[0], "command": ["echo", "again"]}), existing, {})
    assert errors == [] and actions[0]["argv"][4:6] == ["--args", "echo again"]
    _, errors = validate_services([{**JOBS[0], "replicas": -1}], {"linux"}, set())
    assert errors == ["service 'jobok', field 'replicas': must be an integer >= 0, got an integer -1"]
    _, errors = validate_services([{**JOBS[1], "update_config": {"parallelism": 2}}], {"linux"}, set())
    assert errors == [
        "service 'jobglobal', field 'update_config': a global-job runs its tasks to completion and has no rolling "
        "updates; remove update_config"
    ]
