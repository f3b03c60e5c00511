"""_service.data, _service.registry and the secrets and configs of services: versions, plans and
every docker command they send, pinned argument by argument."""

import subprocess

from powershell_model import grammar_problems

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    Invocation,
    batch_script,
    command_line,
    parse_batch_output,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import SH
from ansible_collections.mixedswarm.swarm.plugins.module_utils._common.problems import DefinitionErrors
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    check_definitions,
    content_hash,
    labels_of,
    plan_data,
    referenced,
    version_name,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.registry import (
    check_registries,
    login_invocation,
    login_problem,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    actual_spec,
    create_argv,
    plan_services,
    update_argv,
)

OLD, NEW = b"s3cret-one", b"s3cret-two\n"
OLD_HASH, NEW_HASH = content_hash(OLD), content_hash(NEW)
OLD_NAME, NEW_NAME = f"db_password-{OLD_HASH[:12]}", f"db_password-{NEW_HASH[:12]}"
IMAGE = "172.29.233.5:5000/busybox:1"


def listed(name, logical="db_password", digest=OLD_HASH, managed=True, object_id="id1"):
    """A `docker secret ls --format '{{json .}}'` line as the CLI prints it (labels as k=v,k=v)."""
    labels = f"mixedswarm.data.hash={digest},mixedswarm.data.name={logical}"
    if managed:
        labels += ",mixedswarm.managed=true"
    return {"ID": object_id, "Name": name, "Driver": "", "Labels": labels}


def wanted(content=NEW, state="present"):
    entry = {"name": "db_password", "state": state}
    if state == "present":
        entry.update(digest=content_hash(content), content=content)
    return [entry]


def test_version_name_is_the_logical_name_and_twelve_hex_digits_of_the_sha256():
    assert content_hash(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert version_name("db_password", content_hash(b"abc")) == "db_password-ba7816bf8f01"


def test_a_new_content_is_created_with_its_labels_and_the_data_on_stdin_byte_for_byte():
    actions, errors, versions = plan_data("secret", wanted(), [], set())
    assert errors == [] and versions == {"db_password": NEW_NAME}
    (create,) = actions
    assert create["action"] == "create"
    assert list(create["argv"]) == [
        "docker",
        "secret",
        "create",
        "--label",
        "mixedswarm.managed=true",
        "--label",
        "mixedswarm.data.name=db_password",
        "--label",
        f"mixedswarm.data.hash={NEW_HASH}",
        NEW_NAME,
        "-",
    ]
    assert create["argv"].stdin == NEW.decode() and create["argv"].exact
    assert "s3cret" not in str(create["after"]) and "s3cret" not in str(list(create["argv"]))


def test_an_unchanged_content_is_compared_by_label_and_hash_only():
    actions, errors, _ = plan_data("secret", wanted(OLD), [listed(OLD_NAME)], set())
    assert errors == [] and [(a["name"], a["action"]) for a in actions] == [(OLD_NAME, "none")]


def test_a_changed_content_creates_the_new_version_and_removes_the_old_one_no_service_uses():
    actions, _, _ = plan_data("config", wanted(), [listed(OLD_NAME)], set())
    assert [(a["name"], a["action"]) for a in actions] == [(NEW_NAME, "create"), (OLD_NAME, "remove")]
    assert actions[0]["argv"][:3] == ["docker", "config", "create"]
    assert actions[1]["argv"] == ["docker", "config", "rm", OLD_NAME]


def test_an_old_version_a_service_still_uses_is_kept_by_name_or_id():
    for in_use in ({OLD_NAME}, {"id1"}):
        actions, _, _ = plan_data("secret", wanted(), [listed(OLD_NAME)], in_use)
        assert [(a["name"], a["action"], a["fields"]) for a in actions] == [
            (NEW_NAME, "create", []),
            (OLD_NAME, "none", ["in use"]),
        ]


def test_absent_removes_every_managed_version_and_never_a_foreign_one():
    existing = [
        listed(OLD_NAME),
        listed(NEW_NAME, digest=NEW_HASH, object_id="id2"),
        listed("db_password", managed=False, object_id="id3"),
        listed("other-1", logical="other", object_id="id4"),
    ]
    actions, errors, versions = plan_data("secret", wanted(state="absent"), existing, set())
    assert errors == [] and versions == {}
    assert [(a["name"], a["action"]) for a in actions] == [(OLD_NAME, "remove"), (NEW_NAME, "remove")]


def test_a_foreign_object_with_the_version_name_is_an_error_and_left_alone():
    actions, errors, _ = plan_data("secret", wanted(), [listed(NEW_NAME, managed=False)], set())
    assert actions == []
    assert errors == [
        f"secret 'db_password', field 'name': a secret named {NEW_NAME!r} exists but was not created by this "
        "project for this content (labels mixedswarm.managed, mixedswarm.data.hash), so it is left alone; remove it "
        "or rename the secret"
    ]


def test_definitions_need_exactly_one_source_and_unique_names():
    errors = DefinitionErrors()
    checked = check_definitions(
        "secret",
        [
            {"name": "a", "file": "a.txt"},
            {"name": "b", "file": "b.txt", "data": "x"},
            {"name": "c"},
            {"name": "a", "data": "x"},
            {"name": "d", "state": "absent"},
            {"name": "-bad", "data": "x"},
            {"name": "e", "dat": "x"},
        ],
        errors,
    )
    assert [(c["name"], c["source"]) for c in checked] == [("a", "file"), ("d", None)]
    assert errors[0].startswith("secret 'b', field 'data': give exactly one of file")
    assert errors[0].endswith("got file, data")
    assert errors[1].startswith("secret 'c', field 'file': give exactly one of file") and errors[1].endswith(
        "none"
    )
    assert errors[2] == "secret 'a', field 'name': declared more than once; secret names must be unique"
    assert errors[3].startswith("secret '-bad', field 'name': invalid; letters, digits")
    assert errors[4].startswith("secret 'e', field 'dat': unknown key (did you mean 'data'?)")


def test_labels_in_either_form_and_what_services_refer_to():
    assert labels_of({"Labels": "a=1,b=x=y,c"}) == {"a": "1", "b": "x=y", "c": ""}
    assert labels_of({"Labels": {"a": "1"}}) == {"a": "1"}
    specs = [
        {
            "Secrets": [{"SecretID": "s1", "SecretName": "db-1"}],
            "Configs": [{"ConfigID": "c1", "ConfigName": "n-1"}],
        },
        {"Image": "x"},
        None,
    ]
    assert referenced(specs) == {"secret": {"s1", "db-1"}, "config": {"c1", "n-1"}}


def test_exact_stdin_reaches_the_program_byte_for_byte_in_sh():
    content = "line one\nit's $HOME `x` \\n %s\n\n"
    invocations = [Invocation(["cat"], stdin=content, exact=True), Invocation(["cat"], stdin="key")]
    script = batch_script(invocations, SH)
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True).stdout
    raw = out.split("<<<mixedswarm begin 0>>>\n", 1)[1].split("<<<mixedswarm end 0", 1)[0]
    assert raw == content
    assert parse_batch_output(out, invocations)[1].text == "key"
    assert command_line(invocations[1], SH).startswith("printf '%s\\n' ")


# Services that use them.
VERSIONS = {"secret": {"db_password": NEW_NAME}, "config": {"app_conf": "app_conf-0123456789ab"}}


def service(**fields):
    return {"name": "api", "image": IMAGE, "os": "linux", **fields}


def validated(*definitions, existing=None, node_os=frozenset({"linux"})):
    return validate_services(
        list(definitions), set(node_os), set(), data_versions=VERSIONS, existing_data=existing or {}
    )


def test_a_service_names_the_logical_source_and_gets_the_current_version_and_the_defaults():
    (spec,), errors = validated(
        service(
            secrets=[{"source": "db_password", "mode": "0400", "uid": "1000"}],
            configs=[{"source": "app_conf"}],
        )
    )
    assert errors == []
    assert spec["secrets"] == [
        {"source": NEW_NAME, "target": "db_password", "uid": "1000", "gid": "0", "mode": 0o400}
    ]
    assert spec["configs"] == [
        {"source": "app_conf-0123456789ab", "target": "app_conf", "uid": "0", "gid": "0", "mode": 0o444}
    ]
    argv = create_argv(spec, with_registry_auth=True)
    assert argv[:7] == ["docker", "service", "create", "--detach", "--name", "api", "--with-registry-auth"]
    assert argv[-5:] == [
        "--secret",
        f"source={NEW_NAME},target=db_password,uid=1000,gid=0,mode=0400",
        "--config",
        "source=app_conf-0123456789ab,target=app_conf,uid=0,gid=0,mode=0444",
        IMAGE,
    ]


def test_an_undeclared_source_must_exist_and_windows_services_take_no_file_options():
    _, errors = validated(
        service(name="a", secrets=[{"source": "external"}, {"source": "missing"}]),
        existing={"secret": {"external"}},
    )
    assert errors == [
        "service 'a', field 'secrets': secret 'missing' is neither declared in swarm_secrets nor existing in the swarm"
    ]
    _, errors = validated(
        service(name="w", os="windows", secrets=[{"source": "db_password", "mode": "0400"}]),
        node_os={"linux", "windows"},
    )
    assert (
        "service 'w', field 'secrets[0]': uid, gid and mode are not supported for Windows services"
        in errors[0]
    )
    _, errors = validated(
        service(
            name="m",
            secrets=[{"source": "db_password", "mode": "rw"}, {"target": "x"}, {"source": "db_password"}],
        )
    )
    assert errors == [
        "service 'm', field 'secrets[0].mode': must be an octal mode such as \"0440\", got a string \"rw\"",
        "service 'm', field 'secrets[1].source': required: the name of a secret in swarm_secrets or in the swarm",
    ]


def inspect_with(secret_name):
    """A `docker service inspect` document's parts that hold secrets (as the engine returns them)."""
    return {
        "Spec": {
            "Name": "api",
            "Labels": {"mixedswarm.managed": "true"},
            "Mode": {"Replicated": {"Replicas": 1}},
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": IMAGE,
                    "Secrets": [
                        {
                            "File": {"Name": "db_password", "UID": "0", "GID": "0", "Mode": 256},
                            "SecretID": "id1",
                            "SecretName": secret_name,
                        }
                    ],
                },
                "Placement": {"Constraints": ["node.platform.os==linux"]},
            },
        }
    }


def test_a_rotated_secret_updates_the_service_in_place_removing_the_old_version_first():
    (spec,), _ = validated(service(secrets=[{"source": "db_password", "mode": 0o400}]))
    actual = actual_spec(inspect_with(OLD_NAME), {})
    assert actual["secrets"] == [
        {"source": OLD_NAME, "target": "db_password", "uid": "0", "gid": "0", "mode": 256}
    ]
    assert update_argv(spec, actual) == [
        "docker",
        "service",
        "update",
        "--detach",
        "--secret-rm",
        OLD_NAME,
        "--secret-add",
        f"source={NEW_NAME},target=db_password,uid=0,gid=0,mode=0400",
        "api",
    ]
    actions, errors = plan_services([spec], {"api": inspect_with(NEW_NAME)}, {}, with_registry_auth=True)
    assert errors == [] and [a["action"] for a in actions] == ["none"]
    actions, _ = plan_services([spec], {"api": inspect_with(OLD_NAME)}, {}, with_registry_auth=True)
    assert actions[0]["argv"][:5] == ["docker", "service", "update", "--detach", "--with-registry-auth"]
    assert actions[0]["fields"] == ["secrets"]


def test_registry_entries_and_the_login_keep_the_password_off_the_command_line():
    entry = {"registry": "myregistry.azurecr.io", "username": "app-id", "password": "p@ss word"}
    (checked,), errors = check_registries([entry])
    assert errors == []
    login = login_invocation(checked)
    assert list(login) == [
        "docker",
        "login",
        "--username",
        "app-id",
        "--password-stdin",
        "myregistry.azurecr.io",
    ]
    assert login.stdin == "p@ss word" and "p@ss" not in command_line(login, SH).split("|")[1]
    problem = login_problem(checked, 'Error response from daemon: Get "https://x/v2/": unauthorized\nmore')
    assert problem == (
        "registry 'myregistry.azurecr.io': login as 'app-id' failed, nothing was changed: "
        'Error response from daemon: Get "https://x/v2/": unauthorized'
    )
    _, errors = check_registries(
        [
            {"registry": "https://x.io/v2", "username": "u", "password": "p"},
            {"registry": "r:5000", "username": "u"},
        ]
    )
    assert errors == [
        "registry 'https://x.io/v2', field 'registry': required: a registry host and optional port, such as "
        "myregistry.azurecr.io or reg:5000",
        "registry 'r:5000', field 'password': required and not empty",
    ]


def test_stack_file_sources_are_shipped_next_to_the_compose_file_as_versions():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
        ship_stack_data,
        stack_data_files,
    )

    compose = {
        "services": {"api": {"image": IMAGE}},
        "secrets": {"db": {"file": "secrets/db.txt"}, "ext": {"external": True}},
        "configs": {"conf": {"file": "app.conf", "template_driver": "golang"}},
    }
    files, problems = stack_data_files("shop", compose)
    assert problems == [] and files == [("secret", "db", "secrets/db.txt"), ("config", "conf", "app.conf")]
    shipped, contents = ship_stack_data(
        "shop", compose, {("secret", "db"): OLD, ("config", "conf"): b"x={{ .Node }}"}
    )
    assert contents == {"shop-secret-db": OLD, "shop-config-conf": b"x={{ .Node }}"}
    assert shipped["secrets"]["db"] == {
        "file": "./shop-secret-db",
        "name": f"shop_db-{OLD_HASH[:12]}",
        "labels": {
            "mixedswarm.managed": "true",
            "mixedswarm.data.name": "shop_db",
            "mixedswarm.data.hash": OLD_HASH,
        },
    }
    assert shipped["secrets"]["ext"] == {"external": True}
    assert shipped["configs"]["conf"]["template_driver"] == "golang"
    assert compose["secrets"]["db"] == {"file": "secrets/db.txt"}, "the input is not modified"
    _, problems = stack_data_files("shop", {"secrets": {"a": {"file": "x", "external": True}, "b": "text"}})
    assert problems == [
        "stack 'shop', field 'secrets.a': give file or external, not both",
        "stack 'shop', field 'secrets.b': must be a mapping, got a string \"text\"",
    ]


def test_verify_plans_each_file_where_the_task_sees_it_with_the_controllers_hash():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
        data_check_plans,
        hash_invocation,
        judge_hashes,
    )

    service = inspect_with(NEW_NAME)
    service["Spec"]["TaskTemplate"]["ContainerSpec"]["Configs"] = [
        {"File": {"Name": "/etc/app.conf"}, "ConfigID": "c1", "ConfigName": "app_conf-1"},
        {"File": {"Name": "foreign"}, "ConfigID": "c2", "ConfigName": "handmade"},
    ]
    tasks = {
        "api": [
            {"NodeID": "n1", "DesiredState": "shutdown", "Status": {"State": "running"}},
            {"NodeID": "n2", "DesiredState": "running", "Status": {"State": "running"}},
        ]
    }
    nodes = {"n2": {"hostname": "lab-worker1", "os": "linux"}}
    listings = {
        "secret": [listed(NEW_NAME, digest=NEW_HASH)],
        "config": [
            listed("app_conf-1", logical="app_conf", digest="c" * 64),
            listed("handmade", managed=False),
        ],
    }
    plans, skipped = data_check_plans(["api"], {"api": service}, tasks, nodes, listings, None)
    assert skipped == []
    assert plans == [
        {
            "service": "api",
            "node_id": "n2",
            "hostname": "lab-worker1",
            "os": "linux",
            "files": [
                {"path": "/run/secrets/db_password", "sha256": NEW_HASH},
                {"path": "/etc/app.conf", "sha256": "c" * 64},
            ],
        }
    ]
    assert data_check_plans(["api"], {"api": service}, tasks, nodes, listings, {"n9"}) == (
        [],
        ["api: no running task on a node of the inventory"],
    )
    assert hash_invocation("c1", ["/run/secrets/a", "/b"], "linux") == [
        "docker",
        "exec",
        "c1",
        "sha256sum",
        "/run/secrets/a",
        "/b",
    ]
    assert hash_invocation("c1", ["C:\\ProgramData\\Docker\\secrets\\it's"], "windows")[-1] == (
        "(Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\ProgramData\\Docker\\secrets\\it''s').Hash"
    )
    # A typographic apostrophe ends a PowerShell literal too: doubled, the script still parses as one.
    (script,) = hash_invocation("c1", ["C:\\app\\Bob\u2019s key"], "windows")[-1:]
    assert "-LiteralPath 'C:\\app\\Bob\u2019\u2019s key'" in script and grammar_problems(script) == []
    files = plans[0]["files"]
    assert judge_hashes(files, f"{NEW_HASH}  /run/secrets/db_password\n{'C' * 64}\n") == []
    assert judge_hashes(
        files, f"{OLD_HASH}  /run/secrets/db_password\nsha256sum: /etc/app.conf: No such file\n"
    ) == [
        "/run/secrets/db_password: the task does not hold what the controller sent (sha256 differs)",
        "/etc/app.conf: the task does not hold what the controller sent (sha256 differs)",
    ]


def test_a_compose_document_without_file_sources_is_deployed_as_given():
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import ship_stack_data

    compose = {"services": {"api": {"image": IMAGE}}, "secrets": {"ext": {"external": True}}}
    assert ship_stack_data("shop", compose, {}) == (compose, {})
    assert ship_stack_data("shop", None, {}) == (None, {})
