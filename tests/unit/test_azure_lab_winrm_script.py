"""The Windows listener script of the Azure lab, as the lab renders it, read by PowerShell's grammar.

roles/azure_lab/templates/enable_winrm_https.ps1.j2 makes the WinRM certificate on the VM and
prints it; nothing secret is in it. tree-sitter-powershell (tests/unit/powershell_model.py) parses
the rendered script: an ERROR or MISSING node fails the test.
"""

from pathlib import Path

import jinja2
from powershell_model import grammar_problems, syntax_tree

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "roles" / "azure_lab" / "templates" / "enable_winrm_https.ps1.j2"


def render() -> str:
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(TEMPLATE.read_text())
    return template.render(
        item={"name": "win1", "private_ip": "10.42.1.4"},
        _san="DNS=win1&IPAddress=10.42.1.4&IPAddress=203.0.113.7&DNS=lab-win1.westeurope.cloudapp.azure.com",
    )


def test_the_rendered_script_parses_without_errors():
    script = render()
    assert grammar_problems(script) == []
    assert "New-SelfSignedCertificate" in script and "-KeyExportPolicy NonExportable" in script


def test_the_script_reads_no_custom_data_and_holds_no_secret():
    script = render()
    assert "CustomData" not in script and "Import-PfxCertificate" not in script
    assert "ConvertTo-SecureString" not in script


def test_a_grammar_error_would_be_found():
    """The check can fail: a script with an unclosed block is reported."""
    assert grammar_problems(render().replace("if (-not $cert) {", "if (-not $cert) {{", 1))
    assert syntax_tree(render()).type == "program"
