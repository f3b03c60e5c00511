"""Service modes, jobs among them: the mode read from `docker service inspect`, its create flags, and
when a job has finished.

A job (`replicated-job`: `replicas` tasks in all, at most `max_concurrent` at once; `global-job`: one
task per eligible node) runs its tasks to completion instead of keeping them running. Every
change of its spec starts a new iteration (JobStatus.JobIteration, which each task carries too);
the iteration is done when its tasks are `complete` (docs.docker.com, "docker service create",
"Running as a job"). Pure functions.
"""

from __future__ import annotations

JOB_MODES = ("replicated-job", "global-job")
# What `docker service update` cannot change on a job: the docker CLI refuses --replicas for a job
# ("replicas can only be used with replicated mode") and leaves MaxConcurrent as it was (Docker 20.10,
# tried on the lab).
JOB_FIXED = ("replicas", "max_concurrent")
MODES = ("replicated", "global", *JOB_MODES)
# The Mode key of the service spec for each mode.
_MODE_KEYS = {
    "replicated": "Replicated",
    "global": "Global",
    "replicated-job": "ReplicatedJob",
    "global-job": "GlobalJob",
}


def is_job(mode: str | None) -> bool:
    return mode in JOB_MODES


def counted(mode: str | None) -> bool:
    """Whether the mode takes a number of tasks (replicas)."""
    return mode in ("replicated", "replicated-job")


def mode_of_inspect(mode_doc: dict) -> dict:
    """{mode, replicas, max_concurrent} from the Spec.Mode of an inspect document."""
    mode = next((name for name, key in _MODE_KEYS.items() if key in (mode_doc or {})), "replicated")
    raw = (mode_doc or {}).get(_MODE_KEYS[mode]) or {}
    if mode == "replicated":
        return {"mode": mode, "replicas": raw.get("Replicas", 1), "max_concurrent": None}
    if mode == "replicated-job":
        total = raw.get("TotalCompletions", 1)
        return {"mode": mode, "replicas": total, "max_concurrent": raw.get("MaxConcurrent") or total}
    return {"mode": mode, "replicas": None, "max_concurrent": None}


def mode_args(spec: dict) -> list[str]:
    """The create flags of a spec's mode."""
    args = [] if spec["mode"] == "replicated" else ["--mode", spec["mode"]]
    if counted(spec["mode"]):
        args += ["--replicas", str(spec["replicas"])]
    if spec["mode"] == "replicated-job":
        args += ["--max-concurrent", str(spec["max_concurrent"])]
    return args


def job_status(service: dict, tasks: list[dict]) -> dict:
    """How far the current iteration of a job is: {desired, completed, current tasks, pending tasks}.

    desired is the total of completions of a replicated job, or for a global job the tasks the
    scheduler made for this iteration (one per eligible node).
    """
    spec = service.get("Spec", {})
    # The engine leaves Index out of the JSON while it is 0 (the first iteration).
    iteration = ((service.get("JobStatus") or {}).get("JobIteration") or {}).get("Index", 0)
    current = [t for t in tasks if (t.get("JobIteration") or {}).get("Index", 0) == iteration]
    completed = [t for t in current if t.get("Status", {}).get("State") == "complete"]
    info = mode_of_inspect(spec.get("Mode", {}))
    desired = info["replicas"] if info["mode"] == "replicated-job" else len(current)
    pending = [t for t in current if t.get("Status", {}).get("State") == "pending" and t["Status"].get("Err")]
    return {
        "desired": desired,
        "completed": len(completed),
        "done": bool(current) and len(completed) >= desired,
        "pending": pending,
    }
