"""docker_cli: command construction for sh and PowerShell, and parsing of batch output."""

import subprocess

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils.docker_cli import (
    POWERSHELL,
    SH,
    batch_script,
    command_line,
    parse_batch_output,
    quote,
)


@pytest.mark.parametrize(
    ("arg", "sh", "ps"),
    [
        ("plain", "plain", "'plain'"),
        ("{{json .}}", "'{{json .}}'", "'{{json .}}'"),
        ("it's", "'it'\"'\"'s'", "'it''s'"),
        ("$HOME `x` $(y)", "'$HOME `x` $(y)'", "'$HOME `x` $(y)'"),
        ("", "''", "''"),
    ],
)
def test_quote_is_literal_in_both_shells(arg, sh, ps):
    assert quote(arg, SH) == sh
    assert quote(arg, POWERSHELL) == ps


def test_unknown_shell_is_refused():
    with pytest.raises(ValueError, match="valid: sh, powershell"):
        quote("x", "cmd")


def test_powershell_uses_call_operator():
    assert command_line(["docker", "info"], POWERSHELL) == "& 'docker' 'info'"
    assert command_line(["docker", "info"], SH) == "docker info"


def test_powershell_script_keeps_going_after_native_errors_and_reports_rc():
    script = batch_script([["docker", "info"], ["docker", "node", "ls"]], POWERSHELL)
    lines = script.splitlines()
    assert lines[0] == "$ErrorActionPreference = 'Continue'"
    assert "& 'docker' 'node' 'ls' 2>&1 | ForEach-Object { \"$_\" }" in lines
    assert '"<<<mixedswarm end 1 rc=$LASTEXITCODE>>>"' in lines
    assert lines[-1] == "exit 0"


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


def test_missing_end_marker_is_a_failure_not_a_success():
    invocations = [["docker", "info"], ["docker", "node", "ls"]]
    out = "<<<mixedswarm begin 0>>>\npartial"
    first, second = parse_batch_output(out, invocations)
    assert first.rc == -1 and first.text == "partial"
    assert second.rc == -1 and second.text == "did not run"
