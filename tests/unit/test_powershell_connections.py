"""The PowerShell transport through ansible-core's own connection plugins (winrm, psrp, ssh with the
powershell shell), their transport stubbed below the plugin (pywinrm's Protocol messages, pypsrp's
RunspacePool/PowerShell, the ssh program): the command line WinRM runs through cmd.exe for any batch,
and everything the plugins display at -vvvvv, searched for secrets."""

import base64
import re
import stat
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest
import xmltodict
from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.connection import psrp as psrp_plugin
from ansible.plugins.connection import winrm as winrm_plugin
from ansible.plugins.loader import become_loader, connection_loader, shell_loader
from ansible.utils.display import Display
from node_simulator import node_answers
from powershell_model import payload_parts
from test_powershell_quoting import classic_lab_services
from winrm.protocol import Protocol

from ansible_collections.mixedswarm.swarm.plugins.module_utils._cli.batch import (
    POWERSHELL_RUNNER,
    powershell_batch,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.spec import plan_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.membership import (
    join_argvs,
    token_argvs,
    unlock_invocation,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import INFO_ARGV
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.base import DockerCLIAction
from ansible_collections.mixedswarm.swarm.plugins.plugin_utils._action.transport import run_docker

CMD_EXE_LIMIT = 8191  # cmd.exe refuses longer command lines ("The command line is too long")
PASSWORD = "Winrm-P@ss-7f3e1c"
JOIN_TOKEN = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx"
UNLOCK_KEY = "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8"
SECRETS = (PASSWORD, JOIN_TOKEN, UNLOCK_KEY)
LONGEST = {}


class _Action(DockerCLIAction):
    """A real action plugin instance: run_docker goes through ActionBase._low_level_execute_command."""


def _action(connection, play_context):
    return _Action(Task(), connection, play_context, loader=None, templar=None, shared_loader_obj=None)


class WinRMProtocol(Protocol):
    """pywinrm's Protocol with the HTTP exchange replaced by a node that answers through the models."""

    commands: ClassVar[list] = []
    payloads: ClassVar[list] = []

    def open_shell(self, *args, **kwargs):
        return "shell-1"

    def run_command(self, shell_id, command, arguments=(), console_mode_stdin=True, skip_cmd_shell=False):
        self.stdin = b""
        WinRMProtocol.commands.append(b" ".join([command, *arguments]).decode())
        return "command-1"

    def send_message(self, message):
        body = xmltodict.parse(message)["env:Envelope"]["env:Body"]
        if "rsp:Send" in body:
            self.stdin += base64.b64decode(body["rsp:Send"]["rsp:Stream"]["#text"] or "")
            return "<ok/>"
        WinRMProtocol.payloads.append(self.stdin.decode())
        out = base64.b64encode(node_answers(self.stdin.decode(), JOIN_TOKEN).encode()).decode()
        return (
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>'
            f'<rsp:Stream Name="stdout" CommandId="command-1">{out}</rsp:Stream>'
            '<rsp:CommandState CommandId="command-1" '
            'State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done">'
            "<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>"
        )

    def cleanup_command(self, shell_id, command_id):
        pass

    def close_shell(self, shell_id, close_session=True):
        pass


class RunspacePool:
    """pypsrp's RunspacePool: opened, never connected."""

    def __init__(self, connection, host=None, configuration_name=None):
        self.host = host

    def open(self):
        pass

    def close(self):
        pass


class PowerShell:
    """pypsrp's PowerShell pipeline: the script and its input reach a node that answers through the models."""

    def __init__(self, runspace):
        self.output, self.had_errors = [], False
        self.streams = type("Streams", (), {"error": []})()

    def add_script(self, script, use_local_scope=None):
        self.script = script

    def add_argument(self, value):
        pass

    def invoke(self, input=None):
        self.output = node_answers("\n".join(input or []), JOIN_TOKEN).splitlines()

    def stop(self):
        pass


@pytest.fixture
def shown(monkeypatch):
    """Everything Display shows or logs, at -vvvvv."""
    lines = []
    monkeypatch.setattr(Display, "display", lambda self, msg, *a, **k: lines.append(str(msg)))
    monkeypatch.setattr(Display(), "verbosity", 5)
    return lines


def _connect(kind, monkeypatch, tmp_path, no_log=False):
    play_context = PlayContext()
    play_context.remote_addr = "win1.lab.example"
    play_context.no_log = no_log
    options = {
        "ansible_host": "win1.lab.example",
        "ansible_user": "swarmadmin",
        "ansible_password": PASSWORD,
        "ansible_shell_type": "powershell",
    }
    if kind == "winrm":
        monkeypatch.setattr(winrm_plugin, "Protocol", WinRMProtocol)
        options.update(ansible_winrm_transport="ntlm", ansible_port=5986, ansible_winrm_scheme="https")
    elif kind == "psrp":
        monkeypatch.setattr(psrp_plugin, "RunspacePool", RunspacePool)
        monkeypatch.setattr(psrp_plugin, "PowerShell", PowerShell)
    else:
        options.pop("ansible_password")
        options["ansible_ssh_executable"] = str(_fake_ssh(tmp_path))
    # As Ansible's task executor does for a host with ansible_shell_type=powershell.
    connection = connection_loader.get(kind, play_context, None, shell=shell_loader.get("powershell"))
    # `_extras`: the ansible_<plugin>_* variables Ansible collects per host (none here).
    connection.set_options(var_options={**options, "_extras": {}})
    if kind == "ssh":
        connection.set_option("ssh_executable", options["ansible_ssh_executable"])
    return connection, play_context


def _fake_ssh(tmp_path: Path) -> Path:
    """An ssh program that is the node: it reads the batch on stdin and answers through the models."""
    path = tmp_path / "ssh"
    unit = Path(__file__).resolve().parent
    path.write_text(
        textwrap.dedent(f"""\
            #!{sys.executable}
            import sys
            sys.path[:0] = [{str(unit)!r}, {str(unit.parents[1] / "collections")!r}]
            from node_simulator import node_answers
            (open(sys.argv[0] + ".args", "a")).write(repr(sys.argv) + "\\n")
            # Only the loader reads stdin; any other command gets no input and no answer.
            if "FromBase64String" in sys.argv[-1]:
                sys.stdout.write(node_answers(sys.stdin.read(), {JOIN_TOKEN!r}))
            """)
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _services_batch(count=None):
    specs = classic_lab_services(count)
    return [a["argv"] for a in plan_services(specs, {}, {})[0]]


@pytest.mark.parametrize("services", [None, 40], ids=["classic lab", "40 services"])
def test_winrm_command_line_stays_under_cmd_exe_limit(monkeypatch, tmp_path, shown, services):
    """The classic lab's services batch as a command line (the runner and its batch as the command,
    as the first transport sent its script) is over the limit; through the loader, the command line
    WinRM runs is the same short one for any batch."""
    invocations = _services_batch(services)
    connection, play_context = _connect("winrm", monkeypatch, tmp_path)
    as_command = f"& {{ {POWERSHELL_RUNNER} }} '{powershell_batch(invocations)}'"
    former = connection._shell._encode_script(as_command, preserve_rc=False)
    assert len(former) > CMD_EXE_LIMIT
    WinRMProtocol.commands.clear()
    results = run_docker(_action(connection, play_context), invocations)
    assert all(r.ok for r in results) and len(results) == len(invocations)
    (line,) = WinRMProtocol.commands
    assert len(line) < 500  # docs/windows.md: under 500 as the command line WinRM sends
    LONGEST[services or "classic lab"] = len(line)
    print(f"\nlongest WinRM command line ({services or 'classic lab'}): {len(line)} characters")


@pytest.mark.parametrize("kind", ["winrm", "psrp", "ssh"])
def test_no_secret_is_displayed_at_vvvvv(monkeypatch, tmp_path, shown, kind):
    connection, play_context = _connect(kind, monkeypatch, tmp_path)
    action = _action(connection, play_context)
    joined = run_docker(
        action, [*join_argvs(JOIN_TOKEN, "10.42.1.4:2377", "10.42.1.5", True), INFO_ARGV], True
    )
    unlocked = run_docker(action, [unlock_invocation(UNLOCK_KEY)], True)
    # A sensitive batch whose output is the secret (as `docker swarm unlock-key` prints the key), from a
    # task without no_log: its output is censored for that round trip, and the task's setting kept.
    printed = run_docker(action, token_argvs(False), True)
    assert printed[0].text == JOIN_TOKEN and not play_context.no_log
    # The token read prints the tokens: its task is no_log, which the plugins honour for output.
    connection_no_log, play_context_no_log = _connect(kind, monkeypatch, tmp_path, no_log=True)
    tokens = run_docker(_action(connection_no_log, play_context_no_log), token_argvs(False), True)
    assert all(r.ok for r in [*joined, *unlocked])
    assert tokens[0].text == JOIN_TOKEN  # the secret did make the round trip
    text = _readable("\n".join(shown))
    assert "EXEC" in text  # the plugins did display at this verbosity
    found = [s for s in SECRETS if s in text]
    if kind == "ssh":
        found += [s for s in SECRETS if s in _readable((tmp_path / "ssh.args").read_text())]
    print(f"\nsecrets found at -vvvvv over {kind}: {len(found)}")
    assert found == []
    if kind == "winrm":
        # Every script block the node makes (Script Block Logging, event 4104): the loader, which
        # is the command, and the runner, the payload's first part; neither holds a secret.
        runners = {payload_parts(p)[0] for p in WinRMProtocol.payloads if p.strip()}
        assert runners == {POWERSHELL_RUNNER}
        assert not [s for s in SECRETS for text in (POWERSHELL_RUNNER, *WinRMProtocol.commands) if s in text]


@pytest.mark.parametrize("kind", ["winrm", "psrp", "ssh"])
def test_the_search_finds_a_secret_sent_in_the_script(monkeypatch, tmp_path, shown, kind):
    """A command holding the token (as the first transport's batches did) shows it; the search must see it."""
    connection, play_context = _connect(kind, monkeypatch, tmp_path)
    _action(connection, play_context)._low_level_execute_command(
        f"& 'docker' 'swarm' 'join' '--token' '{JOIN_TOKEN}'"
    )
    seen = "\n".join(shown) + ((tmp_path / "ssh.args").read_text() if kind == "ssh" else "")
    assert JOIN_TOKEN in _readable(seen)


def _readable(text: str) -> str:
    """The text plus every -EncodedCommand and every step output in it decoded, as anyone reading
    the log could."""
    decoded = [
        base64.b64decode(m).decode("utf-16-le", "replace")
        for m in re.findall(r"-EncodedCommand[\s'\",]+([A-Za-z0-9+/=]+)", text)
    ]
    decoded += [
        base64.b64decode(m).decode("utf-8", "replace")
        for m in re.findall(r"mixedswarm data ([^>]*)>>>", text)
    ]
    return "\n".join([text, *decoded])


@pytest.mark.parametrize("kind", ["winrm", "psrp", "ssh"])
def test_become_on_a_windows_host_is_refused_before_anything_runs(monkeypatch, tmp_path, shown, kind):
    """Ansible's runas is applied only inside its module wrapper (the runas become plugin's
    build_become_command returns the command unchanged), so docker.exe would run as the connection
    user: the plugins refuse, naming the host, and nothing reaches the node."""
    connection, play_context = _connect(kind, monkeypatch, tmp_path)
    connection.set_become_plugin(become_loader.get("runas"))
    WinRMProtocol.commands.clear()
    with pytest.raises(AnsibleActionFail, match=r"^win1\.lab\.example: become \(runas\) is not supported"):
        run_docker(_action(connection, play_context), [INFO_ARGV])
    assert WinRMProtocol.commands == []
    assert not (tmp_path / "ssh.args").exists()
