"""apply_planned: what counts as a failed change."""

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Result
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.manager_steps import apply_planned


def change(name, action):
    return {
        "name": name,
        "action": action,
        "argv": ["docker", "network", "rm" if action == "remove" else action, name],
    }


def answering(*outcomes):
    return lambda argvs: [
        Result(argv, rc, text=text) for argv, (rc, text) in zip(argvs, outcomes, strict=True)
    ]


def test_a_removal_that_finds_nothing_has_reached_its_goal():
    # What a manager answers while its stale view of a network the swarm already removed lingers.
    gone = (1, "Error response from daemon: network ypg0ee0zvzikmai1h73rqjhzh not found")
    apply_planned(answering(gone, (0, "")), "network", [change("old", "remove"), change("other", "remove")])


def test_every_other_failure_is_named():
    with pytest.raises(AnsibleActionFail) as failure:
        apply_planned(
            answering((1, "network appnet not found"), (1, "network used by service web"), (0, "")),
            "network",
            [change("appnet", "create"), change("busy", "remove"), change("fine", "create")],
        )
    assert str(failure.value) == (
        "network appnet: create failed: network appnet not found\n"
        "network busy: remove failed: network used by service web"
    )
