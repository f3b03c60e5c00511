"""The README's "As a collection" section names every role, module, filter and inventory plugin
the collection ships, so a user reading it learns of all of them."""

import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PLUGINS = "ansible_collections.mixedswarm.swarm.plugins"


def section_names() -> set[str]:
    """The `code` words of the section's text (code blocks left out), up to its first subsection."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## As a collection", 1)[1]
    section = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.MULTILINE)[0]
    text = re.sub(r"^```.*?^```", "", section, flags=re.MULTILINE | re.DOTALL)
    return set(re.findall(r"`([^`\n]+)`", text))


def shipped() -> dict[str, set[str]]:
    filters = set()
    for path in (REPO / "plugins" / "filter").glob("*.py"):
        module = importlib.import_module(f"{PLUGINS}.filter.{path.stem}")
        filters |= set(module.FilterModule().filters())
    return {
        "role": {p.name for p in (REPO / "roles").iterdir() if p.is_dir()},
        "module": {p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__"},
        "filter": filters,
        "inventory plugin": {
            p.stem for p in (REPO / "plugins" / "inventory").glob("*.py") if p.stem != "__init__"
        },
    }


def test_the_readme_names_every_role_module_filter_and_inventory_plugin():
    named = section_names()
    missing = [f"{kind} {name}" for kind, names in shipped().items() for name in sorted(names - named)]
    assert missing == [], f"README.md, section 'As a collection', does not name: {', '.join(missing)}"
