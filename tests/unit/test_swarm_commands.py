"""The swarm's docker invocations as sh and PowerShell command lines (secrets stay out of arguments)."""

from powershell_model import on_node
from swarm_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    POWERSHELL_RUNNER,
    command_line,
    powershell_batch,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import SH
from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.drain import (
    ROLL_LABEL,
    drain_argv,
    give_back_argv,
    node_tasks_argv,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    init_argv,
    join_addr,
    join_argvs,
    token_argvs,
    token_in,
    unlock_invocation,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import (
    INFO_ARGV,
    NODES_ARGV,
    local_state,
)

TOKEN = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx"


def test_read_batch_in_both_shells():
    assert (
        command_line(NODES_ARGV, SH) == "docker node inspect $(docker node ls --quiet) --format '{{json .}}'"
    )
    (nodes, nodes_argv), (_, info_argv) = on_node([NODES_ARGV, INFO_ARGV], lambda step: "n1\r\nn2\r\n")
    assert nodes.args[2].args == ["node", "ls", "--quiet"]
    assert nodes_argv == ["node", "inspect", "n1", "n2", "--format", "{{json .}}"]
    assert info_argv == ["info", "--format", "{{json .}}"]


def test_join_in_both_shells_and_recovery_leaves_first():
    (join,) = join_argvs(TOKEN, "10.0.1.4:2377", "10.0.1.7", recover=False)
    assert (
        command_line(join, SH) == f"docker swarm join --token {TOKEN} --advertise-addr 10.0.1.7 10.0.1.4:2377"
    )
    assert on_node([join])[0][1] == join[1:]
    leave, _ = join_argvs(TOKEN, "10.0.1.4:2377", "10.0.1.7", recover=True)
    assert leave == ["docker", "swarm", "leave", "--force"]


def test_unlock_key_goes_to_stdin_not_arguments():
    key = "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"
    assert command_line(unlock_invocation(key), SH) == f"printf '%s\\n' {key} | docker swarm unlock"
    ((unlock, argv),) = on_node([unlock_invocation(key)])
    assert unlock.stdin == key.encode() and argv == ["swarm", "unlock"]
    assert key not in unlock_invocation(key)
    assert key not in POWERSHELL_RUNNER and key not in powershell_batch([unlock_invocation(key)])


def test_token_reads_and_rotation():
    assert token_argvs(False) == [
        ["docker", "swarm", "join-token", "--quiet", "worker"],
        ["docker", "swarm", "join-token", "--quiet", "manager"],
    ]
    assert all("--rotate" in a for a in token_argvs(True))
    assert token_in(f"WARNING: something\n{TOKEN}\n") == TOKEN
    assert token_in("Error response from daemon: This node is not a swarm manager.") is None


def test_join_address_is_the_managers_own():
    assert join_addr(local_state(load("windows_info_manager.json"))) == "192.168.120.194:2377"


def test_join_address_is_the_managers_own_wherever_it_is_listed_else_the_first_known():
    managers = [{"node_id": "a", "addr": "10.0.0.1:2377"}, {"node_id": "b", "addr": "10.0.0.2:2377"}]
    assert join_addr({"node_id": "b", "remote_managers": managers}) == "10.0.0.2:2377"
    # A manager that does not list itself (yet): any manager the engine knows serves for a join.
    assert join_addr({"node_id": "c", "remote_managers": managers}) == "10.0.0.1:2377"
    assert join_addr({"node_id": "c", "remote_managers": []}) is None


def test_init_creates_the_swarm_and_forces_a_new_cluster_only_when_asked():
    assert init_argv("10.0.1.4", force_new_cluster=False) == [
        "docker", "swarm", "init", "--advertise-addr", "10.0.1.4",
    ]  # fmt: skip
    assert init_argv("10.0.1.4", force_new_cluster=True)[-1] == "--force-new-cluster"


def test_a_drain_records_the_availability_to_give_back_and_the_give_back_forgets_it():
    assert drain_argv("n1", "pause") == [
        "docker", "node", "update", "--availability", "drain", "--label-add", f"{ROLL_LABEL}=pause", "n1",
    ]  # fmt: skip
    assert give_back_argv("n1", "pause", drop_label=True) == [
        "docker", "node", "update", "--availability", "pause", "--label-rm", ROLL_LABEL, "n1",
    ]  # fmt: skip
    assert give_back_argv("n1", "active", drop_label=False) == [
        "docker", "node", "update", "--availability", "active", "n1",
    ]  # fmt: skip
    assert node_tasks_argv("n1") == ["docker", "node", "ps", "n1", "--format", "{{json .}}"]
