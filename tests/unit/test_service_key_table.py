"""docs/services.md's table of service keys: every key of the argument spec has a row, and every
`docker_swarm_service` name it gives is an option (or suboption) of the installed community.docker
module, so the comparison cannot drift from either side."""

import re
from pathlib import Path

import yaml
from ansible_collections.community.docker.plugins.modules import docker_swarm_service

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import SERVICE_OPTIONS

ROOT = Path(__file__).resolve().parents[2]
HEADING = "### Every service key against `docker_swarm_service` and compose"


def table_rows() -> list[list[str]]:
    text = (ROOT / "docs/services.md").read_text()
    section = text[text.index(HEADING) :].split("\n\n")
    table = next(part for part in section if part.startswith("| key |"))
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]


def test_every_service_key_has_one_row():
    keys = [re.fullmatch(r"`(\w+)`", row[0]).group(1) for row in table_rows()]
    assert sorted(keys) == sorted(SERVICE_OPTIONS)


def test_the_docker_swarm_service_column_names_its_real_options():
    options = yaml.safe_load(docker_swarm_service.DOCUMENTATION)["options"]
    names = set(options) | {sub for option in options.values() for sub in option.get("suboptions", {})}
    named = [name for row in table_rows() for name in re.findall(r"`(\w+)`", row[1])]
    assert named and set(named) <= names, set(named) - names
    # The keys this project has under the same name are the module's own.
    same = [row[0].strip("`") for row in table_rows() if row[1] == row[0]]
    assert set(same) <= set(options)
    assert len(same) > 25


def test_the_modules_keys_without_a_counterpart_are_listed():
    options = set(yaml.safe_load(docker_swarm_service.DOCUMENTATION)["options"])
    text = (ROOT / "docs/services.md").read_text()
    note = text[text.index("`docker_swarm_service` keys with no counterpart here:") :].split("\n\n")[0]
    listed = set(re.findall(r"`(\w+)`", note)) - {"docker_swarm_service"}
    mapped = {name for row in table_rows() for name in re.findall(r"`(\w+)`", row[1])}
    assert listed | (mapped & options) == options
