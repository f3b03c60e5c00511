"""Nothing a test or scenario runs on this machine may depend on a package that was once installed
by hand: every host program it starts and every host file it copies must come from
scripts/prepare-lab-host.sh (HOST_PROGRAMS), Debian's essential packages, or the project's .venv.

Read here: the plays of molecule/ and playbooks/ that run on localhost (and tasks delegated there),
the lab role (it runs on the controller), and the literal argv of every subprocess call in tests/.
A program given by a Jinja expression (e.g. the venv's ansible-playbook) is the test's own choice
and is not checked.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "scripts" / "prepare-lab-host.sh"

# Programs of Debian's Essential: yes packages (bash, coreutils, dash, tar, grep, sed, findutils,
# gzip, util-linux, debianutils) and the Python the venv was made from: on every Debian/Ubuntu.
ESSENTIAL = {
    "bash", "sh", "tar", "gzip", "grep", "sed", "find", "xargs", "env", "cat", "printf", "echo",
    "sleep", "true", "false", "mkdir", "rm", "cp", "mv", "ls", "test", "chmod", "id", "kill",
    "python3", "setsid", "nohup", "seq", "head", "tail", "sort", "dirname",
}  # fmt: skip
COMMAND_MODULES = {"ansible.builtin.command", "ansible.builtin.shell", "command", "shell"}
COPY_MODULES = {"ansible.builtin.copy", "ansible.builtin.template", "copy", "template"}
SUBPROCESS_CALLS = {"run", "Popen", "check_output", "check_call", "call"}


class PlaybookLoader(yaml.SafeLoader):
    """YAML as Ansible reads it: `!unsafe` and `!vault` values are plain strings here."""


for _tag in ("!unsafe", "!vault"):
    PlaybookLoader.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))


def declared_programs(script: str) -> set[str]:
    """The programs named in the set-up script's HOST_PROGRAMS table."""
    table = re.search(r"^HOST_PROGRAMS=\((.*?)^\)", script, re.S | re.M)
    assert table, f"{SETUP} has no HOST_PROGRAMS table"
    return {
        shlex.split(line)[0].split()[0] for line in table.group(1).splitlines() if line.strip()[:1] == '"'
    }


def provided_programs() -> set[str]:
    venv = {path.name for path in (REPO / ".venv" / "bin").glob("*")}
    return ESSENTIAL | venv | declared_programs(SETUP.read_text())


def program_of(task: dict) -> str | None:
    """The program a command/shell task starts, or None when a Jinja expression names it."""
    for module in COMMAND_MODULES & task.keys():
        args = task[module]
        argv = args.get("argv") if isinstance(args, dict) else None
        if isinstance(argv, list) and argv:
            first = str(argv[0])
        else:
            text = args.get("cmd", "") if isinstance(args, dict) else str(args)
            # `set -o pipefail; docker ...`: the program is the first word after the last `;`
            # before any argument.
            first = text.split(";")[-1].split()[0] if text.strip() else ""
        return None if "{{" in first or not first else Path(first).name
    return None


def host_file_of(task: dict) -> str | None:
    """An absolute controller path that a copy/template task reads, or None."""
    for module in COPY_MODULES & task.keys():
        args = task[module]
        if isinstance(args, dict) and not args.get("remote_src") and str(args.get("src", "")).startswith("/"):
            return args["src"]
    return None


def walk(tasks: list, on_controller: bool):
    """Every task of a list (blocks included) with whether it runs on this machine."""
    for task in tasks or []:
        here = on_controller or task.get("delegate_to") == "localhost" or "local_action" in task
        for section in ("block", "rescue", "always"):
            yield from walk(task.get(section), here)
        yield task, here


def controller_tasks(path: Path, whole_file_on_controller: bool = False):
    data = yaml.load(path.read_text(), Loader=PlaybookLoader) or []
    if whole_file_on_controller or not any(isinstance(item, dict) and "hosts" in item for item in data):
        plays = [{"hosts": "localhost" if whole_file_on_controller else "", "tasks": data}]
    else:
        plays = [item for item in data if isinstance(item, dict) and "hosts" in item]
    for play in plays:
        local = play.get("hosts") == "localhost"
        for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
            for task, here in walk(play.get(section), local):
                if here:
                    yield task


def problems_in(path: Path, provided: set[str], whole_file_on_controller: bool = False) -> list[str]:
    found = []
    for task in controller_tasks(path, whole_file_on_controller):
        name = task.get("name", "?")
        program = program_of(task)
        if program and program not in provided:
            found.append(f"{path.relative_to(REPO)}: task '{name}' runs {program} on this machine")
        source = host_file_of(task)
        if source:
            found.append(f"{path.relative_to(REPO)}: task '{name}' copies {source} from this machine")
    return found


def subprocess_programs(source: str) -> set[str]:
    """The first literal word of every subprocess.run/Popen/check_output argv in Python source."""
    programs = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SUBPROCESS_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "subprocess"
            and node.args
            and isinstance(node.args[0], ast.List)
            and node.args[0].elts
            and isinstance(node.args[0].elts[0], ast.Constant)
        ):
            programs.add(Path(str(node.args[0].elts[0].value)).name)
    return programs


def test_the_checker_finds_a_host_file_and_an_uninstalled_program(tmp_path, monkeypatch):
    """The defect of issue 27 (a scenario copying /bin/busybox from the controller) is caught."""
    monkeypatch.setattr("test_host_programs.REPO", tmp_path)
    play = tmp_path / "prepare.yml"
    play.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "p",
                    "hosts": "localhost",
                    "tasks": [
                        {"name": "copy", "ansible.builtin.copy": {"src": "/bin/busybox", "dest": "/tmp/b"}},
                        {
                            "name": "node copy",
                            "ansible.builtin.copy": {"src": "/x", "dest": "/y", "remote_src": True},
                        },
                        {"block": [{"name": "build", "ansible.builtin.command": "busybox --install"}]},
                        {"name": "fine", "ansible.builtin.shell": "set -o pipefail; docker ps | grep x"},
                        {"name": "venv", "ansible.builtin.command": {"argv": ["{{ playbook }}", "-i", "x"]}},
                    ],
                },
                {
                    "name": "node",
                    "hosts": "linux",
                    "tasks": [{"name": "n", "ansible.builtin.command": "busybox"}],
                },
            ]
        )
    )
    assert problems_in(play, {"docker"}) == [
        "prepare.yml: task 'copy' copies /bin/busybox from this machine",
        "prepare.yml: task 'build' runs busybox on this machine",
    ]
    assert subprocess_programs("import subprocess\nsubprocess.run(['chromium', '--headless'])\n") == {
        "chromium"
    }


def test_the_setup_script_declares_what_the_lab_needs():
    assert {"dockerd", "docker", "debootstrap", "ssh", "ssh-keygen", "iptables"} <= declared_programs(
        SETUP.read_text()
    )


def test_no_test_or_scenario_needs_a_host_program_the_setup_does_not_install():
    provided = provided_programs()
    problems = []
    playbooks = [*REPO.glob("molecule/**/*.yml"), *REPO.glob("playbooks/*.yml")]
    for path in sorted(playbooks):
        if path.name != "molecule.yml":
            problems += problems_in(path, provided)
    for path in sorted(REPO.glob("roles/lab/tasks/*.yml")):
        problems += problems_in(path, provided, whole_file_on_controller=True)
    for path in sorted(REPO.glob("tests/**/*.py")):
        for program in subprocess_programs(path.read_text()) - provided:
            problems.append(f"{path.relative_to(REPO)}: runs {program} on this machine")
    assert problems == [], "not installed by scripts/prepare-lab-host.sh:\n" + "\n".join(problems)
