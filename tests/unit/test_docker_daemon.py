"""daemon_config_problems: malformed daemon.json contents are caught on the controller."""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils.docker_daemon import daemon_config_problems


def test_a_typical_configuration_passes():
    options = {
        "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "max-file": "3"},
        "default-address-pools": [{"base": "10.201.0.0/16", "size": 24}],
        "debug": False,
        "data-root": "/srv/docker",
    }
    assert daemon_config_problems(options) == []


def test_not_a_mapping():
    assert daemon_config_problems(["log-driver"]) == [
        "must be a mapping of dockerd option names to values, got list"
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"log_driver": "json-file"}, "option 'log_driver': names are lower-case words joined by dashes"),
        ({"LogDriver": "json-file"}, "option 'LogDriver': names are lower-case words joined by dashes"),
        (
            {"log-opts": {"max-file": 3}},
            "option 'log-opts.max-file': values must be strings (quote it: \"3\")",
        ),
        ({"log-opts": "max-size=10m"}, "option 'log-opts': must be a mapping, got 'max-size=10m'"),
        ({"insecure-registries": "10.0.0.5:5000"}, "option 'insecure-registries': must be a list"),
        ({"dns": "1.1.1.1"}, "option 'dns': must be a list"),
        ({"debug": "yes"}, "option 'debug': must be true or false, got 'yes'"),
        ({"live-restore": True}, "option 'live-restore': dockerd refuses it on swarm nodes"),
    ],
)
def test_each_mistake_is_named(options, expected):
    (problem,) = daemon_config_problems(options)
    assert problem.startswith(expected)


def test_keys_the_role_manages_are_refused_with_the_variable_to_use():
    (problem,) = daemon_config_problems({"insecure-registries": ["r:5000"]}, ["insecure-registries"])
    assert problem == "option 'insecure-registries': set by the role itself; use its own variable instead"


def test_every_problem_is_reported_at_once():
    problems = daemon_config_problems({"debug": 1, "dns": "x", "Bad": 1})
    assert len(problems) == 3
