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
        'must be a mapping of dockerd option names to values, got a list ["log-driver"]'
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
        ({"log-opts": "max-size=10m"}, "option 'log-opts': must be a mapping, got a string \"max-size=10m\""),
        ({"insecure-registries": "10.0.0.5:5000"}, "option 'insecure-registries': must be a list"),
        ({"dns": "1.1.1.1"}, "option 'dns': must be a list"),
        ({"debug": "yes"}, "option 'debug': must be true or false, got a string \"yes\""),
        ({"live-restore": True}, "option 'live-restore': dockerd refuses it on swarm nodes"),
    ],
)
def test_each_mistake_is_named(options, expected):
    (problem,) = daemon_config_problems(options)
    assert problem.startswith(expected)


def test_keys_the_role_manages_are_refused_with_the_variable_to_use():
    (problem,) = daemon_config_problems(
        {"insecure-registries": ["r:5000"]}, managed_keys=["insecure-registries"]
    )
    assert problem == "option 'insecure-registries': set by the role itself; use its own variable instead"


def test_every_problem_is_reported_at_once():
    problems = daemon_config_problems({"debug": 1, "dns": "x", "Bad": 1})
    assert len(problems) == 3


def test_an_option_dockerd_does_not_know_is_refused_with_the_closest_name():
    (problem,) = daemon_config_problems({"bogus-option": 1, "log-driverr": "json-file"})[1:]
    assert problem.startswith("option 'log-driverr': dockerd knows no such option and would refuse to start")
    assert "(did you mean 'log-driver'?)" in problem


def test_options_are_checked_for_the_nodes_os():
    (problem,) = daemon_config_problems({"iptables": False}, "windows", "27.5.1")
    assert problem == "option 'iptables': not accepted by dockerd on Windows (this node's engine: 27.5.1)"
    assert daemon_config_problems({"iptables": False}, "linux", "27.5.1") == []


@pytest.mark.parametrize(
    ("option", "version", "expected"),
    [
        ({"proxies": {"http-proxy": "http://p:3128"}}, "20.10.24+dfsg1", "needs Docker Engine 23.0 or later"),
        ({"cluster-store": "consul://c:8500"}, "27.5.1", "removed in Docker Engine 23.0"),
    ],
)
def test_options_are_checked_for_the_engine_release(option, version, expected):
    (problem,) = daemon_config_problems(option, "linux", version)
    assert expected in problem
    assert daemon_config_problems(option, "linux", None) == [], "an unknown release accepts any known option"
