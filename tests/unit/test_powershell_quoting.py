"""What docker.exe receives from a PowerShell batch, computed by the models in powershell_model.py
(checked here first against published examples), and every PowerShell script the project ships or
generates parsed with a real PowerShell grammar (tree-sitter-powershell)."""

import base64
import json
import re
import string
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from powershell_model import (
    BINDERS,
    ModelError,
    assignments,
    binder_arguments,
    command,
    go_argv,
    grammar_problems,
    launched,
    legacy_arguments,
    nodes_of,
    paste_argument,
    payload_parts,
    received,
    runner_launch,
    runner_steps,
    single_quoted,
    syntax_tree,
)

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    POWERSHELL_LOADER,
    POWERSHELL_RUNNER,
    parse_batch_output,
    powershell_batch,
    powershell_payload,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import (
    windows_arg,
)
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
    unlock_invocation,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV, NODES_ARGV

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
    """PowerShell's NativeCommandArguments.Tests.ps1: $a = 'a"b c"d'; testexe -echoargs $a gives
    'Arg 0 is <ab cd>' in Legacy (the whitespace is inside quotes, so nothing is added) and
    'Arg 0 is <a"b c"d>' in Standard."""
    for binder in ("5.1", "7-legacy"):
        assert binder_arguments(['a"b c"d'], binder) == 'a"b c"d'
        assert go_argv("testexe " + binder_arguments(['a"b c"d'], binder))[1:] == ["ab cd"]
    assert go_argv("testexe " + binder_arguments(['a"b c"d'], "7-standard"))[1:] == ['a"b c"d']


def test_51_counts_every_quote_as_pull_request_2182_shows():
    """PowerShell PR #2182 (merged for 6.0; commit 8bca1f50c5): on PowerShell 5, the argument
    object:has(.name:val(\\"rs low space on C: drive\\")) reached the program as
    `object:has(.name:val("rs`, `low`, `space`, `on`, `C:`, `drive"))`; 6 and later skip `\\"`
    when counting quotes and wrap it whole."""
    arg = 'object:has(.name:val(\\"rs low space on C: drive\\"))'
    assert go_argv("rsc " + binder_arguments([arg], "5.1"))[1:] == [
        'object:has(.name:val("rs',
        "low",
        "space",
        "on",
        "C:",
        'drive"))',
    ]
    assert go_argv("rsc " + binder_arguments([arg], "7-legacy"))[1:] == [
        'object:has(.name:val("rs low space on C: drive"))'
    ]


def test_51_leaves_embedded_quotes_unescaped_as_issue_1995_shows():
    """PowerShell issue #1995 (PSVersion 5.1.14393.0): native.exe "`"a`"" gives ARGV[1] == a; the
    summary in anomalyco/opencode#42402 (5.1): 'a "b c" d' reaches the program as ["a b", "c d"].
    Standard mode (7.3) passes both as they are."""
    assert go_argv("native " + binder_arguments(['"a"'], "5.1"))[1:] == ["a"]
    assert go_argv("node " + binder_arguments(['a "b c" d'], "5.1"))[1:] == ["a b", "c d"]
    assert go_argv("native " + binder_arguments(['"a"', 'a "b c" d'], "7-standard"))[1:] == [
        '"a"',
        'a "b c" d',
    ]


def test_legacy_passing_drops_empty_strings_and_only_7_doubles_trailing_backslashes():
    """Legacy drops an empty argument (issue #1995's summary of workarounds); PowerShell 6 doubles
    the trailing backslashes of an argument it wraps (commit 59311d03e1), 5.1 does not; Standard
    passes an empty string as \\"\\" (.NET PasteArguments)."""
    assert legacy_arguments(["a", "", "b c"]) == 'a "b c"'
    assert legacy_arguments(["C:\\a b\\"]) == '"C:\\a b\\"'
    assert legacy_arguments(["C:\\a b\\"], double_trailing_backslashes=True) == '"C:\\a b\\\\"'
    assert binder_arguments(["a", ""], "7-standard") == 'a ""'


@pytest.mark.parametrize(("arg", "escaped"), GO_ESCAPE_EXAMPLES)
def test_standard_mode_pastes_arguments_that_go_reads_back(arg, escaped):
    """.NET's PasteArguments and Go's EscapeArg differ in which whitespace they quote for, never in
    what Go reads back."""
    assert go_argv("prog " + paste_argument(arg))[1:] == [arg]


def test_powershell_literals_end_at_any_single_quote_and_a_doubled_one_stands_for_itself():
    """The PowerShell language specification (2.3.5.2, single-quote-character) and CharTraits:
    U+0027 and U+2018-U+201B all delimit a verbatim string."""
    assert single_quoted("'Bob\u2019s service'", 0) == ("Bob", 5)
    assert single_quoted("'Bob\u2019\u2019s'", 0) == ("Bob\u2019s", 8)
    assert single_quoted("'it''s $x `n'", 0) == ("it's $x `n", 13)


# --- the findings: what the former call-operator batches delivered, and what the runner does ----


def _former_literal(arg):
    """The former batches: each argument a single-quoted literal of its Windows form, run with `&`."""
    return "'" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", windows_arg(arg)) + "'"


def _former(argv, binder):
    cmd, _ = command("& 'docker' " + " ".join(_former_literal(a) for a in argv))
    return received(cmd, binder)


def _runner(argv):
    runner, batch = payload_parts(powershell_payload([["docker", *argv]]))
    (step,) = runner_steps(batch)
    return launched(step, runner)


@pytest.mark.parametrize(
    "argv",
    [
        ["service", "create", "--env", 'APP_CONFIG={"greeting": "hello world"}', "img"],
        ["service", "create", "--label", 'note=say "hi there" twice', "img"],
        ["network", "create", "--label", 'owner="ops team"', "n1"],
    ],
    ids=["json-env-with-space", "quoted-phrase-label", "network-label"],
)
def test_51_split_what_the_former_batches_sent_and_the_runner_does_not(argv):
    """The issue's finding: an env value holding JSON with a space reached docker.exe as three
    arguments under Windows PowerShell 5.1, though PowerShell 7's Legacy mode passed it."""
    assert _former(argv, "5.1") != argv
    assert _former(argv, "7-legacy") == argv
    assert _runner(argv) == argv


def test_the_windows_scenarios_values_broke_the_former_batches_and_pass_the_runner():
    """molecule/windows/side_effect.yml's service: under Windows PowerShell 5.1 the former batches
    split its JSON and its quoted phrase; through the runner every argument arrives as sent."""
    plays = yaml.load((ROOT / "molecule/windows/side_effect.yml").read_text(), Loader=_PlaybookLoader)
    (service,) = [p["vars"]["quoted_service"] for p in plays if "quoted_service" in p.get("vars", {})]
    service = {**service, "image": "mcr.microsoft.com/windows/nanoserver:ltsc2022", "command": []}
    (spec,), errors = validate_services([service], {"windows"}, set())
    assert not errors
    argv = create_argv(spec)[1:]
    broken = [a for a in argv if _former([a], "5.1") != [a]]
    assert len(broken) >= 2
    assert [a for a in broken if a.startswith("APP_SETTINGS=") or a.startswith("GREETING=")] == [
        a for a in argv if a.startswith("APP_SETTINGS=") or a.startswith("GREETING=")
    ]
    assert _runner(argv) == argv
    assert any(not a.isascii() for a in argv) and "STOP_PARSING=--%" in argv


def test_the_runner_never_reaches_a_powershell_binder():
    """runner_launch reads the runner's syntax tree: the only commands it calls are New-Object,
    Get-Command and its own function, and programs start through Process.Start with Arguments
    joined from the data. A runner that called docker with `&` is refused by the model."""
    runner_launch(POWERSHELL_RUNNER)
    with pytest.raises(ModelError, match="commands the model does not know"):
        runner_launch(
            POWERSHELL_RUNNER.replace("$process = [System", "& $info.FileName @words; $process = [System")
        )
    with pytest.raises(ModelError, match="Arguments"):
        runner_launch(POWERSHELL_RUNNER.replace("[string]::Join(' ', $words.ToArray())", "$words"))


def test_the_model_refuses_what_it_does_not_know():
    with pytest.raises(ModelError):
        command("& 'docker' \"$x\"")
    with pytest.raises(ModelError):
        received(command("& 'docker' (& 'docker' 'node' 'ls')")[0])
    with pytest.raises(ModelError):
        payload_parts("abc")


# --- property test: every kind of invocation, adversarial values ---------------------------------

ALPHABET = (
    "abcXYZ019-_.:=,;/@#%^*~+!?<>|&(){}[] \t\n\r\"\\$`'"
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2013\u00a0\u3000\u2028\x85éüß中文Ωя🙂"
)
# Whole tokens a character-by-character draw rarely makes: PowerShell's stop-parsing token, a
# subexpression, escapes, a quoted phrase, JSON with spaces, backslashes before a quote and at the end.
PIECES = [
    "--%",
    "$(Get-Date)",
    "`$x`n",
    '"hi there"',
    '{"a": "b c"}',
    '\\\\"',
    "C:\\dir\\",
    "",
    "''",
    "@args",
]
values = st.lists(
    st.one_of(st.text(alphabet=ALPHABET, max_size=12), st.sampled_from(PIECES)), max_size=4
).map("".join)
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
        "logging": {"driver": "etwlogs", "options": {key: value}},
        "hostname": f"h{value}",
        "user": f"u{value}",
        "workdir": f"C:\\{value}",
        "dns_search": [f"d{value}"],
        "dns_options": [f"o{value}"],
        "hosts": {f"h{key}": "10.0.0.5"},
        "stop_signal": f"s{value}",
        "stop_grace_period": "3s",
        "sysctls": {f"k.{key}": value},
        "generic_resources": {f"g{key}": f"n{value}"},
        "max_replicas_per_node": 2,
        "isolation": "hyperv",
        "credential_spec": {"file": f"{value}.json"},
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
    if kind == "network":
        (network,), errors = validate_networks(
            [{"name": "n" + key.replace(".", ""), "labels": {key: value}}], {"windows"}
        )
        assert not errors
        return [create_network_argv(network)]
    if kind == "join":
        return join_argvs(f"SWMTKN-1-{value}", "10.0.0.4:2377", "10.0.0.5", recover=True)
    if kind == "unlock":
        return [unlock_invocation(f"SWMKEY-1-{value}"), INFO_ARGV]
    if kind == "node update":
        return [label_update_argv("n1abc", {key: value, "os": "windows"}, [key + ".old"]), NODES_ARGV]
    if kind == "stack":
        return [deploy_argv(key, f"C:\\Users\\{value}\\ansible-tmp\\{key}-compose.yml", True, True)]
    if kind == "read":
        return [*stack_services_invocations(key), *lookup_invocations(value or "c1", [value, key])]
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


KINDS = [
    "create",
    "update",
    "create with task keys",
    "update with task keys",
    "network",
    "join",
    "unlock",
    "node update",
    "stack",
    "read",
    "secret",
    "login",
    "service secrets",
]


def _printed(step):
    """What a nested step prints on the node: IDs, one a line (CRLF), as docker's --quiet does."""
    return "n1abc\r\nx9\r\n"


@pytest.mark.parametrize("kind", KINDS)
# 100 random cases per kind of batch, 1,300 in all.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_docker_receives_exactly_what_the_plugin_meant(kind, data):
    """Every argument and every stdin byte of every step, through the loader, the runner and Go's
    parsing; the same under Windows PowerShell 5.1 and PowerShell 7 in either mode, since the
    runner reaches no binder (test_the_runner_never_reaches_a_powershell_binder)."""
    invocations = _invocations(kind, data)
    runner, batch = payload_parts(powershell_payload(invocations))
    assert runner == POWERSHELL_RUNNER
    steps = runner_steps(batch)
    assert len(steps) == len(invocations)
    for step, argv in zip(steps, invocations, strict=True):
        assert step.program == argv[0]
        words = [w for a in argv[1:] for w in (["n1abc", "x9"] if isinstance(a, list) else [a])]
        assert launched(step, runner, _printed) == words
        stdin = getattr(argv, "stdin", None)
        assert step.stdin == (None if stdin is None else stdin.encode("utf-8"))


@pytest.mark.parametrize("binder", BINDERS)
@settings(max_examples=100, deadline=None)
@given(value=values)
def test_the_binders_differ_where_their_sources_say(binder, value):
    """The models against each other on adversarial values: Standard passes any argument through
    (its purpose); Legacy in 7 passes the Windows form unchanged whenever it holds no `"` that 5.1's
    rule would miscount; 5.1 agrees with 7's Legacy when the value has no `"`."""
    if binder == "7-standard":
        assert go_argv("p " + binder_arguments([value], binder))[1:] == [value]
    elif binder == "7-legacy":
        assert go_argv("p " + binder_arguments([windows_arg(value)], binder))[1:] == [value]
    elif '"' not in value:
        assert binder_arguments([windows_arg(value)], binder) == binder_arguments(
            [windows_arg(value)], "7-legacy"
        )


def test_stdin_reaches_docker_byte_for_byte():
    """Secret and config contents: many lines, no trailing newline, CRLF, NUL, any Unicode."""
    for text in ["line1\nline2", "a\r\nb\r\n", "", "\u00e9\u4e2d\U0001f642\u2028", "x\x00y", "SWMKEY-1-abc"]:
        invocation = unlock_invocation(text) if text.startswith("SWMKEY") else _with_stdin(text)
        (step,) = runner_steps(payload_parts(powershell_payload([invocation]))[1])
        assert step.stdin == text.encode("utf-8")


def _with_stdin(text):
    from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import Invocation

    return Invocation(["docker", "secret", "create", "s1", "-"], stdin=text)


def test_no_secret_is_in_any_script_text():
    """Script Block Logging (event 4104) stores the text of every script block: the loader and the
    runner are fixed; the token, the key and a secret's content are only in the batch data."""
    token, key, content = "SWMTKN-1-zz9", "SWMKEY-1-kk7", "db-password\u00e9"
    invocations = [
        *join_argvs(token, "10.0.0.4:2377", "10.0.0.5", recover=False),
        unlock_invocation(key),
        _with_stdin(content),
    ]
    runner, batch = payload_parts(powershell_payload(invocations))
    for secret in (token, key, content):
        assert secret not in runner and secret not in POWERSHELL_LOADER
    steps = runner_steps(batch)
    assert token in steps[0].args and steps[1].stdin == key.encode() and steps[2].stdin == content.encode()


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
    scripts = {"loader": POWERSHELL_LOADER, "runner": POWERSHELL_RUNNER, **shipped_scripts()}
    problems = {name: grammar_problems(text) for name, text in scripts.items()}
    assert {name: p for name, p in problems.items() if p} == {}
    assert any(name.startswith("docs/") for name in scripts)
    print(f"\nPowerShell scripts parsed: {len(scripts)}")


def test_the_grammar_check_catches_a_broken_script():
    assert grammar_problems("& 'docker' 'info") != []
    assert grammar_problems("& 'docker' 'Bob\u2019s'") != []
    assert grammar_problems(POWERSHELL_RUNNER.replace("catch { }", "catch {", 1)) != []


def test_payload_is_runner_and_batch_and_the_loader_is_fixed():
    invocations = [["docker", "info"]]
    payload = powershell_payload(invocations)
    assert all(len(line) <= 76 for line in payload.splitlines())
    assert payload_parts(payload) == (POWERSHELL_RUNNER, powershell_batch(invocations))
    assert len(POWERSHELL_LOADER) < 200 and "$input" in POWERSHELL_LOADER
    assert set(powershell_batch(invocations)) <= set(string.ascii_letters + string.digits + "+/=,;")


def test_runner_reads_path_afresh_reads_output_as_utf8_and_every_step_reports_an_exit_code():
    """A WinRM process keeps the PATH it started with: the runner rebuilds it from the machine and
    user environment. docker's stdout and stderr are decoded as UTF-8 by .NET, whatever the console
    code page (PowerShell #15128), read asynchronously, and sent back as base64. A program that
    cannot be found reports 127."""
    tree = syntax_tree(POWERSHELL_RUNNER)
    values = assignments(tree)
    (path,) = values["$env:Path"]
    calls = [n.text.decode() for n in nodes_of(path, "invokation_expression")]
    assert calls == [
        "[Environment]::GetEnvironmentVariable('Path', 'Machine')",
        "[Environment]::GetEnvironmentVariable('Path', 'User')",
    ]
    for name in ("StandardOutputEncoding", "StandardErrorEncoding"):
        assert [v.text.decode() for v in values[f"$info.{name}"]] == ["$Utf8"]
    for name in ("RedirectStandardInput", "RedirectStandardOutput", "RedirectStandardError"):
        assert [v.text.decode() for v in values[f"$info.{name}"]] == ["$true"]
    assert [v.text.decode() for v in values["$out"]] == ["$process.StandardOutput.ReadToEndAsync()"]
    assert [v.text.decode() for v in values["$err"]] == ["$process.StandardError.ReadToEndAsync()"]
    assert "Rc = $process.ExitCode" in POWERSHELL_RUNNER and "Rc = 127" in POWERSHELL_RUNNER
    (not_run,) = parse_batch_output(
        "<<<mixedswarm begin 0>>>\r\n<<<mixedswarm data "
        + base64.b64encode(b"docker: not found on PATH").decode()
        + ">>>\r\n<<<mixedswarm end 0 rc=127>>>\r\n",
        [["docker", "info"]],
    )
    assert not_run.rc == 127 and "not found" in not_run.text


def test_output_decodes_as_utf8_whatever_the_connection_does_to_non_ascii():
    label = {"Labels": {"team": "caf\u00e9 \u4e2d\u6587 \U0001f642"}}
    line = json.dumps(label, ensure_ascii=False) + "\n"
    out = f"<<<mixedswarm begin 0>>>\r\n<<<mixedswarm data {base64.b64encode(line.encode()).decode()}>>>\r\n"
    (result,) = parse_batch_output(out + "<<<mixedswarm end 0 rc=0>>>\r\n", [["docker", "inspect"]])
    assert result.documents == [label]
    assert out.isascii()
