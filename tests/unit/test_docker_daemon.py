"""daemon_config_problems: malformed daemon.json contents are caught on the controller."""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.daemon_json import (
    daemon_config_problems,
    release,
)


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


NAMES = "names are lower-case words joined by dashes, e.g. 'log-driver'"
DOCS = "see https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"log_driver": "json-file"}, f"option 'log_driver': {NAMES} (did you mean 'log-driver'?)"),
        ({"LogDriver": "json-file"}, f"option 'LogDriver': {NAMES}"),
        ({3: "x"}, f"option 3: {NAMES}"),
        (
            {"log-opts": {"max-file": 3}},
            "option 'log-opts.max-file': values must be strings (quote it: \"3\")",
        ),
        ({"log-opts": "max-size=10m"}, "option 'log-opts': must be a mapping, got a string \"max-size=10m\""),
        (
            {"insecure-registries": "10.0.0.5:5000"},
            "option 'insecure-registries': must be a list, got a string \"10.0.0.5:5000\"",
        ),
        ({"dns": "1.1.1.1"}, "option 'dns': must be a list, got a string \"1.1.1.1\""),
        ({"debug": "yes"}, "option 'debug': must be true or false, got a string \"yes\""),
        ({"mtu": "1500"}, "option 'mtu': must be an integer, got a string \"1500\""),
        ({"mtu": True}, "option 'mtu': must be an integer, got a boolean true"),
        (
            {"live-restore": True},
            "option 'live-restore': dockerd refuses it on swarm nodes; remove it or set it to false",
        ),
    ],
)
def test_each_mistake_is_named(options, expected):
    assert daemon_config_problems(options) == [expected]


def test_values_of_the_right_kind_pass():
    options = {"mtu": 1400, "live-restore": False, "dns": ["1.1.1.1"], "features": {"buildkit": True}}
    assert daemon_config_problems(options) == []


def test_keys_the_role_manages_are_refused_with_the_variable_to_use():
    (problem,) = daemon_config_problems(
        {"insecure-registries": ["r:5000"]}, managed_keys=["insecure-registries"]
    )
    assert problem == "option 'insecure-registries': set by the role itself; use its own variable instead"


def test_every_problem_is_reported_at_once():
    assert daemon_config_problems({"Bad": 1, "debug": 1, "dns": "x"}) == [
        f"option 'Bad': {NAMES}",
        "option 'debug': must be true or false, got an integer 1",
        "option 'dns': must be a list, got a string \"x\"",
    ]


def test_an_option_dockerd_does_not_know_is_refused_with_the_closest_name():
    assert daemon_config_problems({"bogus-option": 1, "log-driverr": "json-file"}) == [
        f"option 'bogus-option': dockerd knows no such option and would refuse to start; {DOCS}",
        "option 'log-driverr': dockerd knows no such option and would refuse to start "
        f"(did you mean 'log-driver'?); {DOCS}",
    ]


def test_options_are_checked_for_the_nodes_os():
    (problem,) = daemon_config_problems({"iptables": False}, "windows", "27.5.1")
    assert problem == "option 'iptables': not accepted by dockerd on Windows (this node's engine: 27.5.1)"
    assert daemon_config_problems({"iptables": False}, "linux", "27.5.1") == []


@pytest.mark.parametrize(
    ("option", "version", "expected"),
    [
        (
            {"proxies": {"http-proxy": "http://p:3128"}},
            "20.10.24+dfsg1",
            "option 'proxies': needs Docker Engine 23.0 or later (this node's engine: 20.10.24+dfsg1)",
        ),
        (
            {"cluster-store": "consul://c:8500"},
            "27.5.1",
            "option 'cluster-store': removed in Docker Engine 23.0 (this node's engine: 27.5.1)",
        ),
    ],
)
def test_options_are_checked_for_the_engine_release(option, version, expected):
    assert daemon_config_problems(option, "linux", version) == [expected]
    assert daemon_config_problems(option, "linux", None) == [], "an unknown release accepts any known option"


def test_release_bounds_are_exact():
    """An option is accepted from the release that brought it and up to the one before its removal."""
    proxies = {"proxies": {"http-proxy": "http://p:3128"}}
    assert daemon_config_problems(proxies, "linux", "23.0.0") == []
    assert daemon_config_problems(proxies, "linux", "27.5.1") == []
    assert daemon_config_problems(proxies, "linux", "22.06.0-beta") == [
        "option 'proxies': needs Docker Engine 23.0 or later (this node's engine: 22.06.0-beta)"
    ]
    cluster_store = {"cluster-store": "consul://c:8500"}
    assert daemon_config_problems(cluster_store, "linux", "22.06.0-beta") == []
    assert daemon_config_problems(cluster_store, "linux", "23.0.0") == [
        "option 'cluster-store': removed in Docker Engine 23.0 (this node's engine: 23.0.0)"
    ]


def test_release_is_major_and_minor():
    assert release("20.10.24+dfsg1") == (20, 10)
    assert release("27.5.1") == (27, 5)
    assert release("") is None
    assert release(None) is None
