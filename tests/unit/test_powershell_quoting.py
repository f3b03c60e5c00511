"""What docker.exe receives from a PowerShell batch, computed by the models in powershell_model.py
(checked here first against published examples), and every PowerShell script the project ships or
generates parsed with a real PowerShell grammar (tree-sitter-powershell)."""

import base64
import re
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from powershell_model import (
    ModelError,
    assignments,
    batch_steps,
    command,
    go_argv,
    grammar_problems,
    legacy_arguments,
    nodes_of,
    received,
    single_quoted,
    syntax_tree,
)

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    POWERSHELL_LOADER,
    batch_script,
    command_line,
    parse_batch_output,
    powershell_payload,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import (
    POWERSHELL,
    ps_literal,
    windows_arg,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.convergence import poll_invocations
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.data import (
    content_hash,
    create_invocation,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.network import (
    create_network_argv,
    validate_networks,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.registry import login_invocation
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import (
    create_argv,
    plan_services,
    update_argv,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import (
    deploy_argv,
    stack_services_invocations,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.verify import lookup_invocations
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.labels import label_update_argv
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    join_argvs,
    token_argvs,
    unlock_invocation,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV, NODES_ARGV
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.roles import role_argv
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.superseded import removal_argvs

ROOT = Path(__file__).resolve().parents[2]

# --- the models, checked against published examples -------------------------------------------

# Microsoft, "Parsing C command-line arguments" (learn.microsoft.com, c-language docs): the table of
# command lines and the argv the C runtime gives (the last row as corrected in MicrosoftDocs/cpp-docs
# PR 4643, the pre-2008 rule Go follows).
MICROSOFT_EXAMPLES = [
    ('"abc" d e', ["abc", "d", "e"]),
    ('a\\\\\\b d"e f"g h', ["a\\\\\\b", "de fg", "h"]),
    ('a\\\\\\"b c d', ['a\\"b', "c", "d"]),
    ('a\\\\\\\\"b c" d e', ["a\\\\b c", "d", "e"]),
    ('a"b"" c d', ['ab"', "c", "d"]),
]

# Go, syscall TestEscapeArg (syscall/exec_windows_test.go): argument -> EscapeArg(argument).
GO_ESCAPE_EXAMPLES = [
    ("", '""'),
    ("a", "a"),
    (" ", '" "'),
    ("\\", "\\"),
    ('"', '\\"'),
    ('\\"', '\\\\\\"'),
    ('\\\\"', '\\\\\\\\\\"'),
    ("\\\\ ", '"\\\\ "'),
    (" \\\\", '" \\\\\\\\"'),
    ("a ", '"a "'),
    ("C:\\", "C:\\"),
    ("C:\\Program Files (x32)\\Common\\", '"C:\\Program Files (x32)\\Common\\\\"'),
    ("C:\\Users\\Игорь\\", "C:\\Users\\Игорь\\"),
    ("\\\\?\\C:\\Windows", "\\\\?\\C:\\Windows"),
    ("\\\\server\\share\\file", "\\\\server\\share\\file"),
]


@pytest.mark.parametrize(("line", "argv"), MICROSOFT_EXAMPLES)
def test_go_parser_matches_microsofts_table(line, argv):
    assert go_argv(f"prog {line}")[1:] == argv


@pytest.mark.parametrize(("arg", "escaped"), GO_ESCAPE_EXAMPLES)
def test_go_parser_reads_back_gos_own_escaping_and_windows_arg_escapes_like_go(arg, escaped):
    assert go_argv(f"prog {escaped}") == ["prog", arg]
    assert windows_arg(arg) == escaped


def test_legacy_passing_matches_powershells_own_test():
    """PowerShell's NativeCommandArguments.Tests.ps1 (Legacy): $a = 'a"b c"d'; testexe -echoargs $a
    -> 'Arg 0 is <ab cd>' (the whitespace is inside quotes, so nothing is added)."""
    assert legacy_arguments(['a"b c"d']) == 'a"b c"d'
    assert go_argv("testexe " + legacy_arguments(['a"b c"d']))[1:] == ["ab cd"]


def test_legacy_passing_drops_empty_strings_and_wraps_unquoted_whitespace():
    assert legacy_arguments(["a", "", "b c"]) == 'a "b c"'
    # 5.1 leaves a trailing backslash alone; PowerShell 7's Legacy mode doubles it.
    assert legacy_arguments(["C:\\a b\\"]) == '"C:\\a b\\"'
    assert legacy_arguments(["C:\\a b\\"], double_trailing_backslashes=True) == '"C:\\a b\\\\"'


def test_powershell_literals_end_at_any_single_quote_and_a_doubled_one_stands_for_itself():
    """The PowerShell language specification (2.3.5.2, single-quote-character) and CharTraits:
    U+0027 and U+2018-U+201B all delimit a verbatim string."""
    assert single_quoted("'Bob\u2019s service'", 0) == ("Bob", 5)
    assert single_quoted("'Bob\u2019\u2019s'", 0) == ("Bob\u2019s", 8)
    assert single_quoted("'it''s $x `n'", 0) == ("it's $x `n", 13)


# --- the findings: what the former quoting delivered, and what the transport delivers now --------


def _former_quote(arg):
    return "'" + arg.replace("'", "''") + "'"


def _through_powershell(words, ps7=False):
    cmd, _ = command("& 'docker' " + " ".join(words))
    return received(cmd, ps7)


@pytest.mark.parametrize(
    "argv",
    [
        ["service", "create", "--env", 'APP_CONFIG={"mode":"prod"}', "img"],
        ["service", "create", "img", "say", '"hi" there'],
        ["service", "create", "--env", "APP_DIR=C:\\Program Files\\app\\", "--name", "x", "img"],
        ["service", "update", "--args", "", "web"],
    ],
    ids=["json-env", "quoted-words", "trailing-backslash", "empty-args"],
)
def test_former_quoting_mangled_what_docker_receives_and_the_new_one_round_trips(argv):
    assert _through_powershell([_former_quote(a) for a in argv]) != argv
    line = command_line(["docker", *argv], POWERSHELL)
    cmd, end = command(line)
    assert end == len(line)
    assert received(cmd) == argv
    assert received(cmd, ps7=True) == argv


def test_a_typographic_quote_cannot_end_a_literal_early():
    label = "owner=Bob\u2019s service'; Remove-Item C:\\ -Recurse; '"
    former = "& 'docker' 'node' 'update' '--label-add' " + _former_quote(label) + " 'n1'"
    assert grammar_problems(former) or _through_powershell([_former_quote(label)]) != [label]
    line = command_line(["docker", "node", "update", "--label-add", label, "n1"], POWERSHELL)
    assert grammar_problems(line) == []
    assert received(command(line)[0]) == ["node", "update", "--label-add", label, "n1"]


def test_the_model_refuses_what_it_does_not_know():
    with pytest.raises(ModelError):
        command("& 'docker' \"$x\"")
    with pytest.raises(ModelError):
        received(command(command_line(NODES_ARGV, POWERSHELL))[0])


# --- property test: every kind of invocation, random values -------------------------------------

ALPHABET = (
    "abcXYZ019-_.:=,;/@#%^*~+!?<>|&(){}[] \t\n\r\"\\$`'"
    "\u2018\u2019\u201a\u201b\u201c\u201d\u2013\u00a0\u3000éüß中文Ωя🙂"
)
values = st.text(alphabet=ALPHABET, max_size=24)
keys = st.text(alphabet="abcxyz019_.-", min_size=1, max_size=8)


def _base_spec():
    (spec,), errors = validate_services(
        [{"name": "app", "image": "registry:5000/app:1", "os": "windows", "command": ["run"]}],
        {"windows"},
        set(),
    )
    assert not errors
    return spec


def _task_spec(key, value):
    """A Windows service whose task keys (health check, mounts, restart policy) carry the value."""
    definition = {
        "name": "app",
        "image": "registry:5000/app:1",
        "os": "windows",
        "healthcheck": {"test": f"x{value}", "interval": "5s", "retries": 2},
        "restart_policy": {"condition": "on-failure", "delay": "1s"},
        "mounts": [
            {"source": f"v{key}", "target": f"C:\\{value}", "volume_labels": {key: value}},
            {"type": "npipe", "source": "\\\\.\\pipe\\docker_engine", "target": f"\\\\.\\pipe\\{value}"},
        ],
    }
    (spec,), errors = validate_services([definition], {"windows"}, set())
    assert not errors
    return spec


def _invocations(kind, data):
    value = data.draw(values, label="value")
    more = data.draw(st.lists(values, max_size=3), label="more")
    key = data.draw(keys, label="key")
    if kind == "create":
        spec = {**_base_spec(), "env": {key: value}, "labels": {f"l.{key}": value}, "args": more}
        return [create_argv(spec)]
    if kind == "create with task keys":
        return [create_argv(_task_spec(key, value))]
    if kind == "update with task keys":
        return [update_argv(_task_spec(key, value), _task_spec(key + "old", "old"))]
    if kind == "update":
        actual = {**_base_spec(), "env": {"OLD": "1", key: "x"}, "args": ["run", "--old"]}
        desired = {**_base_spec(), "env": {key: value}, "labels": {key: value}, "args": more}
        return [update_argv(desired, actual)]
    if kind == "join":
        return join_argvs(f"SWMTKN-1-{value}", "10.0.0.4:2377", "10.0.0.5", recover=True)
    if kind == "unlock":
        return [unlock_invocation(f"SWMKEY-1-{value}")]
    if kind == "node update":
        return [label_update_argv("n1abc", {key: value, "os": "windows"}, [key + ".old"])]
    if kind == "stack":
        return [deploy_argv(key, f"C:\\Users\\{value}\\ansible-tmp\\{key}-compose.yml", True, True)]
    if kind == "secret":
        content = f"{value}\n{' '.join(more)}".encode()
        return [create_invocation("secret", key, content_hash(content), content)]
    if kind == "login":
        return [login_invocation({"registry": "myregistry.azurecr.io", "username": key, "password": value})]
    if kind == "service secrets":
        ref = {
            "source": f"{key}-0123456789ab",
            "target": f"C:\\app\\{value}",
            "uid": "0",
            "gid": "0",
            "mode": 0o444,
        }
        old = {**ref, "source": f"{key}-ba9876543210"}
        created = create_argv({**_base_spec(), "secrets": [ref], "configs": [ref]}, with_registry_auth=True)
        updated = update_argv({**_base_spec(), "secrets": [ref]}, {**_base_spec(), "secrets": [old]}, True)
        return [created, updated]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "create",
        "update",
        "create with task keys",
        "update with task keys",
        "join",
        "unlock",
        "node update",
        "stack",
        "secret",
        "login",
        "service secrets",
    ],
)
# 150 random cases per kind of invocation, 1650 in all.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_docker_receives_exactly_what_the_plugin_meant(kind, data):
    invocations = _invocations(kind, data)
    script = batch_script(invocations, POWERSHELL)
    steps = batch_steps(script)
    assert len(steps) == len(invocations)
    for step, argv in zip(steps, invocations, strict=True):
        assert step.program == argv[0]
        assert received(step) == list(argv[1:])
        assert received(step, ps7=True) == list(argv[1:])
        assert step.stdin == getattr(argv, "stdin", None)
    assert grammar_problems(script) == []


# --- grammar: every script shipped or generated --------------------------------------------------

ADVERSARIAL = [
    'APP_CONFIG={"mode":"prod"}',
    'say "hi" there',
    "APP_DIR=C:\\Program Files\\app\\",
    "",
    "Bob\u2019s service",
    "\u2018x\u2019 \u201ay\u201b",
    "$(Remove-Item C:\\) `n $env:PATH",
    "line1\nline2\r\n\ttab",
    "名前=値 🙂",
]


def classic_lab_services(count=None):
    """The classic lab's service definitions (inventory group vars), or `count` services like them."""
    text = (ROOT / "inventory/group_vars/swarm/services.yml").read_text()
    variables = yaml.safe_load(text)
    tag = variables["swarm_windows_image_tag"]
    definitions = yaml.safe_load(text.replace("{{ swarm_windows_image_tag }}", tag))["swarm_services"]
    if count is not None:
        definitions = [{**definitions[i % len(definitions)], "name": f"svc{i:02d}"} for i in range(count)]
    specs, errors = validate_services(definitions, {"linux", "windows"}, {"labnet"})
    assert not errors
    return specs


def generated_batches() -> dict[str, str]:
    """Every plugin's PowerShell batches for the classic lab and for adversarial values."""
    specs = classic_lab_services()
    creates = [a["argv"] for a in plan_services(specs, {}, {})[0]]
    networks, errors = validate_networks(
        [{"name": "labnet", "attachable": True, "labels": {"owner": ADVERSARIAL[4]}}], {"linux", "windows"}
    )
    assert not errors
    odd_spec = {**specs[-1], "env": {f"E{i}": v for i, v in enumerate(ADVERSARIAL)}, "args": ADVERSARIAL}
    batches = {
        "read node": [INFO_ARGV, NODES_ARGV],
        "read cluster": [NODES_ARGV, *stack_services_invocations("lab")],
        "init": [["docker", "swarm", "init", "--advertise-addr", "10.42.1.4"], INFO_ARGV],
        "join": join_argvs("SWMTKN-1-abc", "10.42.1.4:2377", "10.42.1.5", recover=True),
        "tokens": token_argvs(rotate=True),
        "unlock": [unlock_invocation("SWMKEY-1-k'e\u2019y"), INFO_ARGV],
        "reconcile": [
            role_argv("n1", "promote"),
            label_update_argv("n1", {"os": "windows", "os.build": "20348", "x": ADVERSARIAL[4]}, ["y"]),
            *removal_argvs("n2"),
        ],
        "network": [create_network_argv(network) for network in networks],
        "services (classic lab)": creates,
        "services (adversarial)": [create_argv(odd_spec), update_argv({**odd_spec, "args": []}, specs[-1])],
        "services (task keys)": [
            create_argv(_task_spec("k", ADVERSARIAL[6])),
            update_argv(_task_spec("k", ADVERSARIAL[1]), _task_spec("j", ADVERSARIAL[2])),
        ],
        "wait for services": poll_invocations([s["name"] for s in specs]),
        "dns probe": lookup_invocations("3f2a9c", ["web", "tasks.web"]),
        "stack": [
            deploy_argv(
                "lab", "C:\\Users\\swarm admin\\AppData\\Local\\Temp\\x\\lab-compose.yml", True, False
            )
        ],
    }
    return {name: batch_script(invocations, POWERSHELL) for name, invocations in batches.items()}


def shipped_scripts() -> dict[str, str]:
    """PowerShell in the repository: templates, role and scenario snippets, docs blocks."""
    scripts = {}
    for path in sorted(ROOT.glob("roles/*/templates/*.ps1.j2")):
        env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
        scripts[str(path.relative_to(ROOT))] = env.from_string(path.read_text()).render()
    for path in [*sorted(ROOT.glob("docs/*.md")), ROOT / "README.md"]:
        for n, block in enumerate(re.findall(r"```powershell\n(.*?)```", path.read_text(), re.S)):
            scripts[f"{path.relative_to(ROOT)} block {n + 1}"] = block
    for path in [
        *ROOT.glob("roles/*/tasks/*.yml"),
        *ROOT.glob("molecule/*/*.yml"),
        *ROOT.glob("molecule/*/tasks/*.yml"),
    ]:
        for n, task in enumerate(_tasks(yaml.load(path.read_text(), Loader=_PlaybookLoader) or [])):
            for module in ("ansible.windows.win_shell", "ansible.windows.win_powershell"):
                body = task.get(module)
                body = body.get("script") or body.get("cmd") if isinstance(body, dict) else body
                if isinstance(body, str):
                    scripts[f"{path.relative_to(ROOT)} task {n + 1}"] = re.sub(r"\{\{.*?\}\}", "x", body)
    return scripts


class _PlaybookLoader(yaml.SafeLoader):
    """YAML with Ansible's tags (!unsafe, !vault) read as plain strings."""


_PlaybookLoader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))


def _tasks(items):
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            yield item
            for key in ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks"):
                yield from _tasks(item.get(key))


def test_every_powershell_script_parses():
    scripts = {"loader": POWERSHELL_LOADER, **generated_batches(), **shipped_scripts()}
    problems = {name: grammar_problems(text) for name, text in scripts.items()}
    assert {name: p for name, p in problems.items() if p} == {}
    assert any(name.startswith("docs/") for name in scripts)
    print(f"\nPowerShell scripts parsed: {len(scripts)}")


def test_the_grammar_check_catches_a_broken_script():
    assert grammar_problems("& 'docker' 'info") != []
    assert grammar_problems("& 'docker' 'Bob\u2019s'") != []
    assert grammar_problems("Invoke-Step 0 { & 'docker' 'info'") != []


def test_payload_is_the_batch_in_base64_and_the_loader_is_fixed():
    script = batch_script([["docker", "info"]], POWERSHELL)
    payload = powershell_payload(script)
    assert base64.b64decode("".join(payload.split())).decode("utf-8") == script
    assert len(POWERSHELL_LOADER) < 300 and "$input" in POWERSHELL_LOADER
    assert ps_literal("a\u2019b") == "'a\u2019\u2019b'"


def test_batch_reads_path_afresh_and_every_step_reports_an_exit_code():
    """A WinRM process keeps the PATH it started with: the batch rebuilds it from the machine and
    user environment. A step whose program could not start has no $LASTEXITCODE: it reports 127,
    never an empty code (the former `rc=$LASTEXITCODE>>>` became `rc=>>>`: "did not run")."""
    tree = syntax_tree(batch_script([["docker", "info"]], POWERSHELL))
    values = assignments(tree)
    (path,) = values["$env:Path"]
    calls = [n.text.decode() for n in nodes_of(path, "invokation_expression")]
    assert calls == [
        "[Environment]::GetEnvironmentVariable('Path', 'Machine')",
        "[Environment]::GetEnvironmentVariable('Path', 'User')",
    ]
    (rc,) = values["$rc"]
    assert rc.type == "if_statement"
    condition = rc.child_by_field_name("condition") or rc.children[2]
    assert [v.text.decode() for v in nodes_of(condition, "variable")] == ["$null", "$global:LASTEXITCODE"]
    then_block = nodes_of(rc, "statement_block")[0]
    assert [n.text.decode() for n in nodes_of(then_block, "integer_literal")] == ["127"]
    end_marker = [n for n in nodes_of(tree, "expandable_string_literal") if "end" in n.text.decode()]
    assert [v.text.decode() for v in nodes_of(end_marker[0], "variable")] == ["$Index", "$rc"]
    assert values["$PSNativeCommandArgumentPassing"][0].text.decode() == "'Legacy'"
    (not_run,) = parse_batch_output(
        "<<<mixedswarm begin 0>>>\r\nThe term 'docker' is not recognized\r\n<<<mixedswarm end 0 rc=127>>>\r\n",
        [["docker", "info"]],
    )
    assert not_run.rc == 127 and "not recognized" in not_run.text
