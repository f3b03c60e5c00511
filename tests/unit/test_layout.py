"""The layout the README describes: module_utils and plugin_utils hold only private sub-packages by
concern, each saying in its __init__.py what it holds, and the README's Layout names each one."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_every_module_utils_file_is_in_a_private_sub_package_that_says_what_it_holds():
    for root in ("plugins/module_utils", "plugins/plugin_utils"):
        entries = sorted((REPO / root).iterdir())
        assert [p.name for p in entries if p.suffix == ".py"] == [], (
            f"{root} holds files outside a sub-package"
        )
        for package in (p for p in entries if p.is_dir() and p.name != "__pycache__"):
            assert package.name.startswith("_"), f"{package} is public"
            doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
            assert doc and len(doc.split()) >= 20, f"{package}/__init__.py does not say what it holds"
            assert f"`{package.name}`" in README, f"README's Layout does not name {package.name}"
