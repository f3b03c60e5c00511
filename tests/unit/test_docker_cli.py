"""_cli (quoting, batch): command construction for sh and PowerShell, and parsing of batch output."""

import subprocess

import pytest
from powershell_model import on_node

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    Invocation,
    OutputOf,
    Result,
    batch_script,
    command_line,
    parse_batch_output,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.quoting import (
    POWERSHELL,
    SH,
    quote,
    windows_arg,
)
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import (
    failure_text,
    run_docker,
)


@pytest.mark.parametrize(
    ("arg", "sh"),
    [
        ("plain", "plain"),
        ("{{json .}}", "'{{json .}}'"),
        ("it's", "'it'\"'\"'s'"),
        ("$HOME `x` $(y)", "'$HOME `x` $(y)'"),
        ("", "''"),
    ],
)
def test_quote_is_literal_in_sh(arg, sh):
    assert quote(arg, SH) == sh
    # PowerShell quoting is checked through the models in test_powershell_quoting.py.


@pytest.mark.parametrize(
    ("arg", "escaped"),
    [
        ("a", "a"),
        ("", '""'),
        ("a b", '"a b"'),
        ('"', '\\"'),
        ('\\"', '\\\\\\"'),
        ("C:\\", "C:\\"),
        ("C:\\my dir\\", '"C:\\my dir\\\\"'),
        ("a\tb", '"a\tb"'),
        ("a\u00a0b", '"a\u00a0b"'),
        ("a\x85b", '"a\x85b"'),
        ("a\u2028b", '"a\u2028b"'),
    ],
)
def test_windows_arg_escapes_as_go_and_quotes_what_dotnet_calls_whitespace(arg, escaped):
    """Go's syscall.EscapeArg escaping (test_powershell_quoting.py holds it against Go's own table
    and parser; these few run fast); the last rows are whitespace to .NET's char.IsWhiteSpace, which
    PowerShell would otherwise split on."""
    assert windows_arg(arg) == escaped


def test_powershell_quote_is_the_windows_form_with_no_powershell_syntax():
    assert quote("it's a", POWERSHELL) == '"it\'s a"'
    assert quote("$x", POWERSHELL) == "$x"


def test_unknown_shell_is_refused():
    with pytest.raises(ValueError, match=r"^unknown shell 'cmd'; valid: sh, powershell$"):
        quote("x", "cmd")
    with pytest.raises(ValueError, match=r"^unknown shell 'cmd'; valid: sh, powershell$"):
        batch_script([["docker", "info"]], "cmd")


def test_powershell_batch_is_data_for_the_runner_and_sh_gets_a_command_line():
    invocations = [["docker", "info"], ["docker", "node", "ls"]]
    assert [(s.program, argv) for s, argv in on_node(invocations)] == [
        ("docker", ["info"]),
        ("docker", ["node", "ls"]),
    ]
    assert command_line(["docker", "info"], SH) == "docker info"
    with pytest.raises(ValueError, match="PowerShell batch carries its invocations as data"):
        command_line(["docker", "info"], POWERSHELL)
    with pytest.raises(ValueError, match="POWERSHELL_RUNNER"):
        batch_script(invocations, POWERSHELL)


def test_sh_script_runs_for_real_and_parses():
    """The sh script runs in a real shell; JSON, messages and exit codes come back per invocation."""
    invocations = [
        ["printf", '{"ID":"abc","Swarm":{"LocalNodeState":"active"}}\\nWARNING: no swap limit\\n'],
        ["sh", "-c", "echo 'Error response from daemon: This node is not a swarm manager.' >&2; exit 1"],
        ["echo", "it's $HOME"],
    ]
    out = subprocess.run(["sh", "-c", batch_script(invocations, SH)], capture_output=True, text=True).stdout
    first, second, third = parse_batch_output(out, invocations)
    assert first.ok and first.documents == [{"ID": "abc", "Swarm": {"LocalNodeState": "active"}}]
    assert first.text == "WARNING: no swap limit"
    assert second.rc == 1 and not second.documents
    assert "not a swarm manager" in second.text
    assert third.text == "it's $HOME"


def test_windows_output_with_crlf_is_parsed():
    invocations = [["docker", "info", "--format", "{{json .}}"]]
    out = '<<<mixedswarm begin 0>>>\r\n{"OSType":"windows"}\r\n<<<mixedswarm end 0 rc=0>>>\r\n'
    (result,) = parse_batch_output(out, invocations)
    assert result.ok and result.documents == [{"OSType": "windows"}]


def test_windows_error_text_and_exit_code_come_back_per_invocation():
    """A PowerShell batch where the second docker call writes to stderr: its error record, turned
    into text by the script, and $LASTEXITCODE reach the controller; the first call's JSON stays."""
    invocations = [["docker", "info", "--format", "{{json .}}"], ["docker", "node", "ls"]]
    out = (
        "<<<mixedswarm begin 0>>>\r\n"
        '{"OSType":"windows","Swarm":{"LocalNodeState":"active","ControlAvailable":false}}\r\n'
        "<<<mixedswarm end 0 rc=0>>>\r\n"
        "<<<mixedswarm begin 1>>>\r\n"
        "Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view"
        " or modify cluster state. Please run this command on a manager node or promote the current node"
        " to a manager.\r\n"
        "<<<mixedswarm end 1 rc=1>>>\r\n"
    )
    info, nodes = parse_batch_output(out, invocations)
    assert info.ok and info.documents[0]["Swarm"]["ControlAvailable"] is False
    assert nodes.rc == 1 and not nodes.documents
    assert nodes.text.startswith("Error response from daemon: This node is not a swarm manager.")


def test_each_result_has_its_own_exit_code_and_only_its_own_lines():
    invocations = [["docker", "service", "create"], ["docker", "info"]]
    out = (
        "<<<mixedswarm begin 0>>>\n"
        "[WARN] not JSON\n"
        "\n"
        "<<<mixedswarm end 1 rc=0>>>\n"
        "<<<mixedswarm end 0 rc=125>>>\n"
        "stray line between invocations\n"
        "<<<mixedswarm begin 1>>>\n"
        '["a"]\n'
        "<<<mixedswarm end 1 rc=-1>>>\n"
    )
    first, second = parse_batch_output(out, invocations)
    assert (first.rc, first.documents, first.text) == (
        125,
        [],
        "[WARN] not JSON\n<<<mixedswarm end 1 rc=0>>>",
    )
    assert (second.rc, second.documents, second.text) == (-1, [["a"]], "")


def test_missing_end_marker_is_a_failure_not_a_success():
    invocations = [["docker", "info"], ["docker", "node", "ls"]]
    out = "<<<mixedswarm begin 0>>>\npartial"
    first, second = parse_batch_output(out, invocations)
    assert first.rc == -1 and first.text == "partial"
    assert second.rc == -1 and second.text == "did not run"


def test_output_of_and_stdin_run_for_real_in_sh():
    """An argument made of another command's words, and text on stdin that never is an argument."""
    invocations = [
        ["echo", OutputOf(["printf", "a\\nb c"])],
        Invocation(["cat"], stdin="it's $HOME"),
    ]
    out = subprocess.run(["sh", "-c", batch_script(invocations, SH)], capture_output=True, text=True).stdout
    words, piped = parse_batch_output(out, invocations)
    assert words.text == "a b c"
    assert piped.text == "it's $HOME"


def test_output_of_and_stdin_in_powershell():
    """The runner splits a nested step's output at whitespace (CRLF included) into words."""
    (inspect, argv), (unlock, unlock_argv) = on_node(
        [
            ["docker", "node", "inspect", OutputOf(["docker", "node", "ls", "-q"])],
            Invocation(["docker", "swarm", "unlock"], stdin="k'1\n"),
        ],
        lambda step: "abc\r\ndef\r\n" if step.args == ["node", "ls", "-q"] else "",
    )
    assert inspect.args[2].args == ["node", "ls", "-q"] and argv == ["node", "inspect", "abc", "def"]
    assert unlock.stdin == b"k'1\n" and unlock_argv == ["swarm", "unlock"]


def test_the_runner_escapes_quotes_in_the_words_another_step_prints():
    """The one argument text the runner writes itself: a printed word's `"` and the backslashes
    before it are escaped (its own -replace, read from the runner by the model), so Go reads the
    word back as printed."""
    printed = 'a\\"b c"d \\\\"e f\\\r\n'
    ((_, argv),) = on_node([["docker", "x", OutputOf(["docker", "y"])]], lambda step: printed)
    assert argv == ["x", 'a\\"b', 'c"d', '\\\\"e', "f\\"]


class _FakeAction:
    """Stands in for an action plugin: runs what it is given in a local sh, as a connection would."""

    def __init__(self):
        context = type("PlayContext", (), {"no_log": False})()
        shell = type("Shell", (), {"SHELL_FAMILY": "sh"})()
        self._connection = type("Conn", (), {"_shell": shell, "_play_context": context})()
        self.commands = []

    def _low_level_execute_command(self, cmd, sudoable=True, in_data=None):
        self.commands.append(cmd)
        done = subprocess.run(["sh", "-c", cmd], input=in_data, capture_output=True, text=True)
        return {"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def test_sensitive_batch_travels_on_stdin():
    action = _FakeAction()
    (result,) = run_docker(action, [["echo", "SWMTKN-secret"]], sensitive=True)
    assert result.text == "SWMTKN-secret"
    assert action.commands == ["/bin/sh -s"]
    (result,) = run_docker(action, [["echo", "plain"]])
    assert "plain" in action.commands[-1]


def test_failure_text_names_the_subcommand_never_its_arguments():
    results = [
        Result(["docker", "swarm", "join", "--token", "SWMTKN-secret", "10.0.0.1:2377"], 1, [], "timeout")
    ]
    assert failure_text(results) == "docker swarm join: timeout"
