"""_service.definition: validation of service definitions and the normalised spec."""

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import DefinitionErrors
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import (
    normalise_service,
    validate_services,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.fields import (
    UPDATE_DEFAULTS,
    normalise_image,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SERVICE_OPTIONS
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.placement import (
    has_os_constraint,
    normalise_constraint,
    normalise_preference,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.ports import parse_port
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.units import (
    RESOURCE_KEYS,
    format_duration,
    parse_duration,
    parse_memory,
)

LINUX_ONLY = {"linux"}
MIXED = {"linux", "windows"}


def one(definition, node_os=LINUX_ONLY, networks=frozenset({"appnet"})):
    specs, errors = validate_services([definition], node_os, set(networks))
    return (specs[0] if specs else None), errors


def test_minimal_definition_gets_engine_defaults_and_the_ownership_label():
    spec, errors = one({"name": "web", "image": "nginx"})
    assert errors == []
    assert spec["image"] == "nginx:latest"
    assert spec["mode"] == "replicated" and spec["replicas"] == 1
    assert spec["labels"] == {"mixedswarm.managed": "true"}
    assert spec["endpoint_mode"] == "vip"
    assert spec["update_config"]["order"] == "stop-first"
    assert spec["limits"] == {"cpus": 0, "memory": 0}


def test_os_adds_the_platform_constraint():
    spec, errors = one(
        {"name": "web", "image": "nginx", "os": "linux", "constraints": ["node.role == worker"]}
    )
    assert errors == []
    assert spec["constraints"] == ["node.platform.os==linux", "node.role==worker"]


MIXED_OS_REFUSAL = (
    "service 'web', field 'os': the swarm has linux and windows nodes; set os: linux or os: windows "
    "(or a node.platform.os / node.labels.os constraint). Without it the scheduler may place a task on "
    "a node of the other OS, where the image cannot run and the task is rejected and retried forever "
    "('No such image')."
)


def test_mixed_cluster_refuses_a_service_without_os_and_says_why():
    _, errors = one({"name": "web", "image": "nginx"}, node_os=MIXED)
    assert errors == [MIXED_OS_REFUSAL]


def test_mixed_cluster_refuses_a_service_whose_only_constraint_does_not_pin_an_os():
    _, errors = one({"name": "web", "image": "nginx", "constraints": ["node.role==worker"]}, node_os=MIXED)
    assert errors == [MIXED_OS_REFUSAL]


def test_a_service_without_os_is_fine_in_a_swarm_of_one_os():
    spec, errors = one({"name": "web", "image": "nginx", "constraints": ["node.role==worker"]})
    assert errors == []
    assert spec["os"] is None
    assert spec["constraints"] == ["node.role==worker"]


@pytest.mark.parametrize(
    "constraint", ["node.platform.os==windows", "node.labels.os == windows", "node.labels.os==Windows"]
)
def test_mixed_cluster_accepts_an_explicit_os_constraint(constraint):
    spec, errors = one({"name": "iis", "image": "iis", "constraints": [constraint]}, node_os=MIXED)
    assert errors == []
    assert spec["os"] == "windows"


def test_os_without_nodes_of_that_os_is_refused():
    _, errors = one({"name": "iis", "image": "iis", "os": "windows"})
    assert errors == ["service 'iis', field 'os': no windows node in the swarm (nodes: linux)"]


@pytest.mark.parametrize(
    ("definition", "field", "fragment"),
    [
        ({"os": "macos"}, "os", 'a string "macos"; valid: linux, windows'),
        ({"replicas": -1}, "replicas", "integer >= 0, got an integer -1"),
        ({"replicas": "three"}, "replicas", 'must be an integer, got a string "three"'),
        ({"routing_mesh": "maybe"}, "routing_mesh", 'must be true or false, got a string "maybe"'),
        ({"networks": {"a": 1}}, "networks", 'must be a list, got a mapping {"a": 1}'),
        ({"image": {"a": 1}}, "image", 'must be a string, got a mapping {"a": 1}'),
        (
            {"mode": "globl"},
            "mode",
            "valid: replicated, global, replicated-job, global-job (did you mean 'global'?)",
        ),
        ({"publish": ["80:http"]}, "publish[0]", "PUBLISHED[:TARGET][/PROTOCOL]"),
        ({"publish": [80, 70000]}, "publish[1]", "outside 1-65535"),
        ({"publish": [{"published": 80, "mode": "mesh"}]}, "publish[0]", "valid: ingress, host"),
        ({"constraints": ["node.os=linux"]}, "constraints[0]", "KEY==VALUE"),
        ({"constraints": ["node.colour==red"]}, "constraints[0]", "node.labels.NAME"),
        ({"networks": ["nowhere"]}, "networks", "neither declared nor existing"),
        ({"networks": ["ingress"]}, "networks", "routing mesh"),
        ({"endpoint_mode": "dnsrr", "publish": [80]}, "publish", "engine refuses it"),
        ({"mode": "global", "replicas": 2}, "replicas", "one task per eligible node"),
        ({"os": "linux", "constraints": ["node.platform.os==windows"]}, "os", "contradicts"),
        ({"limits": {"memory": "lots"}}, "limits.memory", "512M"),
        ({"update_config": {"order": "random"}}, "update_config.order", "stop-first, start-first"),
        ({"update_config": {"delay": "5 seconds"}}, "update_config.delay", "duration such as 10s"),
        ({"replica": 3}, "replica", "unknown key"),
        ({"image": "bad image"}, "image", "image reference"),
    ],
)
def test_bad_input_names_the_service_and_the_field(definition, field, fragment):
    _, errors = one({"name": "web", "image": "nginx", "os": "linux", **definition})
    assert any(e.startswith(f"service 'web', field '{field}'") and fragment in e for e in errors), errors


def test_every_problem_of_every_definition_is_reported_at_once():
    _, errors = validate_services(
        [
            {"name": "a", "image": "x", "replicas": -2},
            {"name": "b", "image": "x", "os": "plan9"},
            {"name": "a", "image": "x"},
        ],
        LINUX_ONLY,
        set(),
    )
    assert len(errors) == 3
    assert any("'a', field 'name'" in e and "more than once" in e for e in errors)


def test_dnsrr_with_host_mode_ports_is_fine_and_routing_mesh_false_sets_both():
    spec, errors = one({"name": "web", "image": "nginx", "routing_mesh": False, "publish": ["8080:80"]})
    assert errors == []
    assert spec["endpoint_mode"] == "dnsrr"
    assert spec["ports"] == [{"published": 8080, "target": 80, "protocol": "tcp", "mode": "host"}]


def test_absent_needs_only_the_name():
    spec, errors = one({"name": "old", "state": "absent"})
    assert errors == [] and spec == {"name": "old", "state": "absent"}


def test_command_string_and_env_values_are_normalised():
    errors = DefinitionErrors()
    spec = normalise_service(
        {"name": "s", "image": "b", "command": "sh -c 'sleep 10'", "env": {"DEBUG": True, "N": 3}}, errors
    )
    assert errors == []
    assert spec["args"] == ["sh", "-c", "sleep 10"]
    assert spec["env"] == {"DEBUG": "true", "N": "3"}


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [("10s", 10 * 10**9), ("1m30s", 90 * 10**9), ("500ms", 5 * 10**8), (2, 2 * 10**9), ("0", 0)],
)
def test_durations(text, nanoseconds):
    assert parse_duration(text) == nanoseconds


def test_durations_format_back_to_what_the_cli_accepts():
    assert [format_duration(n) for n in (0, 5 * 10**9, 90 * 10**9, 3600 * 10**9, 5 * 10**8)] == [
        "0s",
        "5s",
        "90s",
        "1h",
        "500ms",
    ]


def test_memory_uses_binary_units_like_the_cli():
    assert parse_memory("512M") == 512 * 1024**2
    assert parse_memory("1g") == 1024**3
    assert parse_memory("256MiB") == 256 * 1024**2
    assert parse_memory(1000) == 1000


def test_ports_short_and_long_forms():
    assert parse_port("53:53/udp", "ingress") == {
        "published": 53,
        "target": 53,
        "protocol": "udp",
        "mode": "ingress",
    }
    assert parse_port({"published": 8080, "target": 80, "mode": "host"}, "ingress")["mode"] == "host"
    assert parse_port(80, "host") == {"published": 80, "target": 80, "protocol": "tcp", "mode": "host"}


def test_images_compare_without_the_pinned_digest_and_with_implicit_latest():
    assert normalise_image("nginx", keep_digest=False) == "nginx:latest"
    assert (
        normalise_image("172.29.233.5:5000/busybox", keep_digest=False) == "172.29.233.5:5000/busybox:latest"
    )
    pinned = "172.29.233.5:5000/busybox:test@sha256:" + "7" * 64
    assert normalise_image(pinned, keep_digest=False) == "172.29.233.5:5000/busybox:test"


DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize("image", [f"nginx@{DIGEST}", f"nginx:1.25@{DIGEST}", f"registry:5000/app@{DIGEST}"])
def test_a_digest_the_user_gives_is_kept_as_written(image):
    spec, errors = one({"name": "web", "image": image})
    assert errors == []
    assert spec["image"] == image


DIGEST_RULE = "valid: sha256: followed by 64 lower-case hex digits, as in nginx@sha256:<64 hex> or nginx:1.27@sha256:<64 hex>"


@pytest.mark.parametrize(
    "digest",
    ["sha256:" + "A" * 64, "sha256:" + "a" * 63, "sha512:" + "a" * 64, "a" * 64, "sha256:" + "g" * 64, ""],
)
def test_a_bad_digest_is_refused_naming_the_service_the_field_and_the_valid_form(digest):
    _, errors = one({"name": "web", "image": f"nginx:1.25@{digest}"})
    assert errors == [f"service 'web', field 'image': digest {digest!r} is not valid; {DIGEST_RULE}"]


def test_a_digest_without_an_image_name_is_refused():
    _, errors = one({"name": "web", "image": f"@{DIGEST}"})
    assert errors == [
        f"service 'web', field 'image': '@{DIGEST}' has no image name before '@'; "
        "valid: nginx@sha256:<64 hex> or nginx:1.27@sha256:<64 hex>"
    ]


def test_constraints_are_normalised():
    assert normalise_constraint(" node.labels.zone  !=  a ") == "node.labels.zone!=a"


def test_preferences_are_normalised_and_anything_else_is_refused():
    assert normalise_preference(" spread = node.labels.zone ") == "spread=node.labels.zone"
    for not_a_preference in ("spread=node.role", "binpack=node.labels.zone", 3):
        with pytest.raises(ValueError, match=r"^a placement preference spread=node.labels.NAME$"):
            normalise_preference(not_a_preference)


def test_only_platform_and_os_label_constraints_choose_the_os():
    assert has_os_constraint(["node.role==worker", "node.platform.os!=windows"])
    assert has_os_constraint(["node.labels.os==linux"])
    assert not has_os_constraint(["node.role==worker", "node.labels.osname==linux"])
    assert not has_os_constraint([])


def test_env_and_label_values_must_be_scalars_and_name_their_full_path():
    _, errors = one(
        {"name": "api", "image": "x", "env": {"CONFIG": {"a": 1}, "OK": "y"}, "labels": {"tier": ["a", "b"]}}
    )
    assert errors == [
        "service 'api', field 'env.CONFIG': must be a string, number or boolean (quote structured text "
        'to pass it as a string), got a mapping {"a": 1}',
        "service 'api', field 'labels.tier': must be a string, number or boolean (quote structured text "
        'to pass it as a string), got a list ["a", "b"]',
    ]


def test_numbers_and_booleans_become_their_yaml_text_like_docker():
    spec, errors = one({"name": "api", "image": "x", "env": {"PORT": 8080, "RATIO": 0.5, "DEBUG": False}})
    assert errors == []
    assert spec["env"] == {"PORT": "8080", "RATIO": "0.5", "DEBUG": "false"}


def test_messages_use_user_words_for_types_never_internal_type_names():
    _, errors = one({"name": "api", "image": "x", "update_config": "fast", "publish": {"80": 80}})
    text = "\n".join(errors)
    assert 'got a string "fast"' in text and 'got a mapping {"80": 80}' in text
    assert "dict" not in text and "str" not in text.replace("string", "")


def test_a_misspelt_key_gets_the_closest_valid_name():
    _, errors = one({"name": "api", "image": "x", "update_config": {"dealy": "5s"}, "replica": 2})
    assert any(
        e.startswith("service 'api', field 'replica': unknown key (did you mean 'replicas'?)") for e in errors
    )
    assert any(
        e.startswith("service 'api', field 'update_config.dealy': unknown key (did you mean 'delay'?)")
        for e in errors
    )


def test_a_service_may_not_keep_a_network_declared_absent():
    # The network still exists (it is known) but the run will remove it after the services.
    _, errors = validate_services(
        [{"name": "web", "image": "nginx", "networks": ["oldnet"]}],
        LINUX_ONLY,
        {"oldnet"},
        removed_networks={"oldnet"},
    )
    assert errors == [
        "service 'web', field 'networks': network 'oldnet' is declared with state: absent; "
        "take it out of the service's networks or keep the network"
    ]
    _, errors = validate_services(
        [{"name": "web", "image": "nginx", "state": "absent", "networks": ["oldnet"]}],
        LINUX_ONLY,
        {"oldnet"},
        removed_networks={"oldnet"},
    )
    assert errors == []


def test_values_are_typed_as_ansible_types_module_options():
    spec, errors = one(
        {
            "name": "web",
            "image": "nginx",
            "replicas": "3",
            "routing_mesh": "no",
            "publish": "8080:80",
            "networks": "appnet",
            "os": "linux",
        }
    )
    assert errors == []
    assert spec["replicas"] == 3
    assert spec["endpoint_mode"] == "dnsrr"
    assert spec["ports"] == [{"published": 8080, "target": 80, "protocol": "tcp", "mode": "host"}]
    assert spec["networks"] == ["appnet"]


def test_a_value_ansible_cannot_convert_names_service_field_and_type_with_every_other_problem():
    _, errors = one({"name": "api", "image": "x", "replicas": "three", "replica": 2, "os": "macos"})
    assert errors == [
        "service 'api', field 'replica': unknown key (did you mean 'replicas'?); valid keys: "
        + ", ".join(sorted(SERVICE_OPTIONS)),
        "service 'api', field 'os': a string \"macos\"; valid: linux, windows",
        "service 'api', field 'replicas': must be an integer, got a string \"three\"",
    ]


def test_a_null_is_left_alone_only_where_ansible_leaves_it_alone():
    spec, errors = one({"name": "web", "image": "nginx", "os": None, "endpoint_mode": None})
    assert errors == [] and spec["endpoint_mode"] == "vip"
    _, errors = one({"name": "web", "image": "nginx", "replicas": None})
    assert errors == ["service 'web', field 'replicas': must be an integer, got nothing (null)"]


def test_update_settings_are_typed_by_their_suboptions_and_every_one_has_an_engine_default():
    spec, errors = one(
        {"name": "web", "image": "nginx", "update_config": {"parallelism": "2", "max_failure_ratio": "0.5"}}
    )
    assert errors == []
    assert spec["update_config"]["parallelism"] == 2 and spec["update_config"]["max_failure_ratio"] == 0.5
    for key in ("update_config", "rollback_config"):
        assert set(SERVICE_OPTIONS[key]["options"]) == set(UPDATE_DEFAULTS)


def test_resource_keys_are_the_suboptions_of_limits_and_reservations():
    assert set(SERVICE_OPTIONS["limits"]["options"]) == set(RESOURCE_KEYS)
    assert SERVICE_OPTIONS["reservations"]["options"] == SERVICE_OPTIONS["limits"]["options"]
    _, errors = one({"name": "web", "image": "nginx", "limits": {"cpu": 1, "memory": "1G"}})
    assert errors == [
        "service 'web', field 'limits.cpu': unknown key (did you mean 'cpus'?); valid keys: cpus, memory"
    ]


def test_env_as_a_list_splits_at_the_first_equals_sign_and_names_each_bad_item():
    spec, errors = one({"name": "web", "image": "nginx", "env": ["A=1=2", "B=", "C", 3]})
    assert errors == [
        "service 'web', field 'env[2]': must be a string KEY=VALUE, got a string \"C\"",
        "service 'web', field 'env[3]': must be a string KEY=VALUE, got an integer 3",
    ]
    spec, errors = one({"name": "web", "image": "nginx", "env": ["A=1=2", "B="]})
    assert errors == [] and spec["env"] == {"A": "1=2", "B": ""}


def test_replicas_zero_is_valid_and_a_boolean_is_not():
    assert one({"name": "web", "image": "nginx", "replicas": 0})[0]["replicas"] == 0
    assert one({"name": "web", "image": "nginx", "replicas": True})[1] == [
        "service 'web', field 'replicas': must be an integer >= 0, got a boolean true"
    ]


def test_update_config_bounds_and_unknown_keys():
    _, errors = one(
        {
            "name": "web",
            "image": "nginx",
            "update_config": {
                "parallelism": -1,
                "max_failure_ratio": 1.5,
                "failure_action": "explode",
                "colour": 1,
            },
        }
    )
    assert errors == [
        "service 'web', field 'update_config.colour': unknown key; valid keys: delay, failure_action, "
        "max_failure_ratio, monitor, order, parallelism",
        "service 'web', field 'update_config.failure_action': a string \"explode\"; valid: pause, continue, rollback",
        "service 'web', field 'update_config.parallelism': must be an integer >= 0 (0 updates all tasks at once), "
        "got an integer -1",
        "service 'web', field 'update_config.max_failure_ratio': must be a number between 0 and 1, got a number 1.5",
    ]
    for edge in ({"parallelism": 0, "max_failure_ratio": 1}, {"parallelism": 5, "max_failure_ratio": 0}):
        spec, errors = one({"name": "web", "image": "nginx", "update_config": edge})
        assert errors == []
        assert (spec["update_config"]["parallelism"], spec["update_config"]["max_failure_ratio"]) == (
            edge["parallelism"],
            float(edge["max_failure_ratio"]),
        )
    for value, problem in (
        (True, "must be an integer >= 0 (0 updates all tasks at once), got a boolean true"),
        (1.5, "must be an integer, got a number 1.5"),
    ):
        assert one({"name": "web", "image": "nginx", "update_config": {"parallelism": value}})[1] == [
            f"service 'web', field 'update_config.parallelism': {problem}"
        ]
    assert one({"name": "web", "image": "nginx", "update_config": {"max_failure_ratio": -0.5}})[1] == [
        "service 'web', field 'update_config.max_failure_ratio': must be a number between 0 and 1, got a number -0.5"
    ]


def test_command_items_must_be_scalars_and_networks_non_empty_names():
    spec, errors = one({"name": "web", "image": "nginx", "command": ["echo", 3]})
    assert errors == [] and spec["args"] == ["echo", "3"]
    assert one({"name": "web", "image": "nginx", "command": ["echo", {"a": 1}]})[1] == [
        "service 'web', field 'command': a list of arguments or a command line string, "
        'got a list ["echo", {"a": 1}]'
    ]
    assert one({"name": "web", "image": "nginx", "networks": ["appnet", ""]})[1] == [
        "service 'web', field 'networks': a list of network names, got a list [\"appnet\", \"\"]"
    ]


def test_image_must_be_a_reference():
    for image in (" ", "a b"):
        assert one({"name": "web", "image": image})[1] == [
            "service 'web', field 'image': required: an image reference such as nginx:1.27 or registry:5000/app:1"
        ]


def test_one_preference_may_be_given_alone_and_every_bad_one_is_named():
    spec, errors = one({"name": "web", "image": "nginx", "placement_preferences": "spread=node.labels.zone"})
    assert errors == [] and spec["placement_preferences"] == ["spread=node.labels.zone"]
    _, errors = one(
        {"name": "web", "image": "nginx", "placement_preferences": ["bad", "spread=node.labels.zone", 3]}
    )
    assert errors == [
        "service 'web', field 'placement_preferences[0]': a string \"bad\" is not valid: "
        "a placement preference spread=node.labels.NAME",
        "service 'web', field 'placement_preferences[2]': a string \"3\" is not valid: "
        "a placement preference spread=node.labels.NAME",
    ]


def test_routing_mesh_is_on_unless_set_false():
    spec, _ = one({"name": "web", "image": "nginx", "publish": [80]})
    assert spec["endpoint_mode"] == "vip" and spec["ports"][0]["mode"] == "ingress"


def test_items_after_a_bad_or_skipped_one_are_still_checked():
    assert one({"name": "web", "image": "nginx", "publish": ["80:http", 70000]})[1] == [
        "service 'web', field 'publish[0]': '80:http' is not PUBLISHED[:TARGET][/PROTOCOL], e.g. '8080:80' or "
        "'53:53/udp'",
        "service 'web', field 'publish[1]': published port 70000 is outside 1-65535",
    ]
    update = {"delay": None, "order": "start-first", "parallelism": -1}
    assert one({"name": "web", "image": "nginx", "update_config": update})[1] == [
        "service 'web', field 'update_config.parallelism': must be an integer >= 0 (0 updates all tasks at once), "
        "got an integer -1"
    ]
    assert one(
        {
            "name": "web",
            "image": "nginx",
            "update_config": {"failure_action": "rollback", "max_failure_ratio": 2},
        }
    )[1] == [
        "service 'web', field 'update_config.max_failure_ratio': must be a number between 0 and 1, got a number 2.0"
    ]
    spec, _ = one({"name": "web", "image": "nginx", "update_config": {**update, "parallelism": 3}})
    assert (
        spec["update_config"]["delay"],
        spec["update_config"]["order"],
        spec["update_config"]["parallelism"],
    ) == (
        0,
        "start-first",
        3,
    )
    assert validate_services(["web", {"name": "a", "image": "x", "replicas": -2}], LINUX_ONLY, set())[1] == [
        'every service definition must be a mapping, got a string "web"',
        "service 'a', field 'replicas': must be an integer >= 0, got an integer -2",
    ]


def test_a_malformed_name_is_invalid_and_a_missing_one_required():
    _, errors = one({"name": "web app!", "image": "nginx", "os": "linux"})
    assert errors == [
        "service 'web app!', field 'name': invalid; letters, digits, '_', '.', '-', starting with a letter "
        "or digit, at most 63"
    ]
    _, errors = one({"image": "nginx", "os": "linux"})
    assert errors[0].startswith("service '(no name)', field 'name': required; letters")
    _, errors = one({"name": "", "image": "nginx", "os": "linux"})
    assert errors[0].startswith("service '', field 'name': required; letters")
