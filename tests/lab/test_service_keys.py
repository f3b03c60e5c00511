"""The rest of the service spec on the shared lab: a service using many task and container keys (health
check, restart policy, volume/bind/tmpfs mounts, logging, hostname, hosts, init, read-only root,
capabilities, sysctls, ulimits, pids limit, ...) and a replicated job are created by the services
stage, re-applied with changed=0, then updated with removals (only the changed flags), and the
engine's spec is checked to hold what was declared. Both services are removed at the end.
"""

from __future__ import annotations

import json

import pytest
import yaml

pytestmark = pytest.mark.lab

IMAGE = "{{ lab_registry }}/busybox:1"
TASK = "Create, update or remove services, then wait until they converge"
APP = {
    "name": "keys-app",
    "image": IMAGE,
    "os": "linux",
    "replicas": 2,
    "command": ["sh", "-c", "echo ok > /cache/index.html && exec httpd -f -p 8080 -h /cache"],
    "healthcheck": {
        "test": "wget -q -O- http://127.0.0.1:8080/ || exit 1",
        "interval": "2s",
        "timeout": "2s",
        "retries": 3,
        "start_period": "1s",
    },
    "restart_policy": {"condition": "on-failure", "delay": "1s", "max_attempts": 3},
    # Both tasks at once and a short watch: the update step stays short (CI budget).
    "update_config": {"parallelism": 0, "monitor": "1s"},
    "mounts": [
        {"source": "keys-app-data", "target": "/data"},
        {"type": "bind", "source": "/etc", "target": "/hostetc", "readonly": True},
        {"type": "tmpfs", "target": "/cache", "tmpfs_size": "1M", "tmpfs_mode": "1777"},
    ],
    "logging": {"driver": "json-file", "options": {"max-size": "1m"}},
    "hostname": "keys-{{ '{{' }}.Task.Slot{{ '}}' }}",
    "workdir": "/data",
    "hosts": {"db": "10.0.0.5"},
    "dns_options": ["ndots:1"],
    "stop_grace_period": "2s",
    "init": True,
    "read_only": True,
    "cap_drop": ["MKNOD"],
    "sysctls": {"net.core.somaxconn": 512},
    "ulimits": {"nofile": "1024:2048"},
    "max_replicas_per_node": 1,
    "pids_limit": 200,
}
JOB = {
    "name": "keys-job",
    "image": IMAGE,
    "os": "linux",
    "mode": "replicated-job",
    "replicas": 2,
    "command": ["sh", "-c", "echo done"],
}
# Removals and changes: the health check's timing, a mount and the capability gone, a mount changed
# in place, the read-only root and the ulimit gone, a new host entry.
UPDATED = {
    **{k: v for k, v in APP.items() if k not in ("cap_drop", "ulimits", "read_only")},
    "healthcheck": {"test": "wget -q -O- http://127.0.0.1:8080/ || exit 1"},
    "mounts": [
        {"source": "keys-app-data", "target": "/data", "readonly": True},
        {"type": "tmpfs", "target": "/cache", "tmpfs_size": "1M", "tmpfs_mode": "1777"},
    ],
    "hosts": {"db": "10.0.0.5", "cache": "10.0.0.6"},
}


def apply(lab, tmp_path, services, label):
    declared = tmp_path / f"{label}.yml"
    declared.write_text(yaml.safe_dump({"all": {"vars": {"swarm_services": services}}}))
    return lab.play("playbooks/services.yml", inventories=[declared], label=f"{lab.name}-{label}")


def service_result(run) -> dict:
    (result,) = run.results(TASK).values()
    return result


def test_many_keys_apply_reapply_unchanged_and_update_with_removals(ops_lab, tmp_path):
    lab = ops_lab
    try:
        created = apply(lab, tmp_path, [APP, JOB], "keys-create")
        assert created.rc == 0, created.describe()
        result = service_result(created)
        assert result["changed"] and {n: s["action"] for n, s in result["services"].items()} == {
            "keys-app": "create",
            "keys-job": "create",
        }
        assert result["services"]["keys-job"]["replicas"] == "2/2", "the run did not wait for the job"

        again = apply(lab, tmp_path, [APP, JOB], "keys-reapply")
        assert again.rc == 0, again.describe()
        assert not service_result(again)["changed"], service_result(again)["services"]

        updated = apply(lab, tmp_path, [UPDATED, JOB], "keys-update")
        assert updated.rc == 0, updated.describe()
        services = service_result(updated)["services"]
        assert services["keys-job"]["action"] == "none"
        assert services["keys-app"]["action"] == "update"
        assert services["keys-app"]["changed_fields"] == [
            "healthcheck",
            "mounts",
            "read_only",
            "hosts",
            "cap_drop",
            "ulimits",
        ]
        spec = json.loads(lab.docker("manager1", "service", "inspect", "keys-app").stdout)[0]["Spec"]
        container = spec["TaskTemplate"]["ContainerSpec"]
        assert sorted(m["Target"] for m in container["Mounts"]) == ["/cache", "/data"]
        assert next(m for m in container["Mounts"] if m["Target"] == "/data").get("ReadOnly") is True
        assert container["Healthcheck"].get("Interval", 0) == 0
        assert (
            not container.get("ReadOnly")
            and not container.get("CapabilityDrop")
            and not container.get("Ulimits")
        )
        assert sorted(container["Hosts"]) == ["10.0.0.5 db", "10.0.0.6 cache"]
        assert container["Init"] is True and container["StopGracePeriod"] == 2 * 10**9

        settled = apply(lab, tmp_path, [UPDATED, JOB], "keys-settled")
        assert settled.rc == 0, settled.describe()
        assert not service_result(settled)["changed"], service_result(settled)["services"]
    finally:
        lab.docker("manager1", "service", "rm", "keys-app", "keys-job", check=False)
