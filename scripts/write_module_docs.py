"""Write the generated parts of the module documentation stubs (plugins/modules/*.py).

ansible-doc and validate-modules read DOCUMENTATION and RETURN as literal strings, so what the
collection defines once is written into the stubs here:
- the options of swarm_service, swarm_network and swarm_stack, from their argument specs
  (module_utils/_service/options.py);
- the round_trips return value of the plugins that report one connection per batch (ansible-core
  merges doc fragments into DOCUMENTATION only, never into RETURN).

Run `.venv/bin/python scripts/write_module_docs.py` after changing either; the unit test
tests/unit/test_module_docs.py fails while a stub differs from what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "collections"))

from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.options import MODULE_OPTIONS  # noqa: E402

ROUND_TRIPS = {
    "round_trips": {"description": "Connections made to the node.", "returned": "always", "type": "int"}
}
ROUND_TRIPS_MODULES = ("swarm_init", "swarm_join", "swarm_join_token", "swarm_unlock")
# Argument spec keys in the order the stubs list them; `options` is documented as `suboptions`.
DOC_KEYS = ("description", "type", "elements", "required", "choices", "default")
WIDTH = 110


class _Flow(list):
    """A list written inline, like `choices: [present, absent]`."""


class _DocDumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as the hand-written stubs do.
        return super().increase_indent(flow, False)


_DocDumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def documented(options: dict) -> dict:
    """The documentation form of an argument spec."""
    doc = {}
    for name, option in options.items():
        entry = {key: option[key] for key in DOC_KEYS if key in option}
        for key in ("choices", "default"):
            if isinstance(entry.get(key), list):
                entry[key] = _Flow(entry[key])
        if "options" in option:
            entry["suboptions"] = documented(option["options"])
        doc[name] = entry
    return doc


def yaml_block(mapping: dict, indent: int) -> str:
    text = yaml.dump(mapping, Dumper=_DocDumper, sort_keys=False, width=WIDTH, allow_unicode=True)
    return "".join(" " * indent + line if line.strip() else line for line in text.splitlines(True))


def with_options(stub: str, options: dict) -> str:
    """The stub with its top-level `options:` block written from the argument spec."""
    block = "options:\n" + yaml_block(documented(options), 2)
    return re.sub(r"^options:\n(?:[ \n].*\n)*", lambda _: block, stub, count=1, flags=re.MULTILINE)


def with_round_trips(stub: str) -> str:
    """The stub with its round_trips return value written from ROUND_TRIPS."""
    return re.sub(
        r"^round_trips:\n(?: .*\n)*", lambda _: yaml_block(ROUND_TRIPS, 0), stub, flags=re.MULTILINE
    )


def written(name: str, stub: str) -> str:
    """What the stub of module `name` must read."""
    if name in MODULE_OPTIONS:
        stub = with_options(stub, MODULE_OPTIONS[name])
    if name in ROUND_TRIPS_MODULES:
        stub = with_round_trips(stub)
    return stub


def stub_path(name: str) -> Path:
    return REPO / "plugins" / "modules" / f"{name}.py"


def main() -> None:
    for name in sorted({*MODULE_OPTIONS, *ROUND_TRIPS_MODULES}):
        path = stub_path(name)
        text = path.read_text()
        if written(name, text) != text:
            path.write_text(written(name, text))
            print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
