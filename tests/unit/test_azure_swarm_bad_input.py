"""azure_swarm refuses to guess: each bad configuration is one line naming the file, the option
and what is valid, and nothing is contacted (no request, no credential asked).

The table here is the one in docs/azure.md. The plugin runs as in test_azure_swarm_plugin.py:
Ansible's loader, the real SDK pipeline, the fake ARM transport.
"""

import re
import socket
import threading

import pytest
from ansible.errors import AnsibleError
from test_azure_swarm_plugin import (
    LAB_CONFIG,
    FakeArmTransport,
    FakeCredential,
    ansible_inventory,
    load_subscription,
    parse,  # noqa: F401 (the fixture)
)

# (case, config, the message's pattern). Each config is the classic lab's with one mistake.
BAD_CONFIGS = [
    (
        "misspelt resource_groups",
        {**{k: v for k, v in LAB_CONFIG.items() if k != "resource_groups"}, "resource_group": "swarm-lab"},
        r"option 'resource_group' is not known; did you mean 'resource_groups'\?",
    ),
    (
        "misspelt tag_filters",
        {**LAB_CONFIG, "tag_filter": {"cluster": "classic-lab"}},
        r"option 'tag_filter' is not known; did you mean 'tag_filters'\?",
    ),
    (
        "tag_filters written the azure_rm way",
        {**LAB_CONFIG, "tag_filters": ["cluster:classic-lab"]},
        r"option 'tag_filters' is \['cluster:classic-lab'\] \(list\); valid: a mapping",
    ),
    (
        "include_stopped: maybe",
        {**LAB_CONFIG, "include_stopped": "maybe"},
        r"option 'include_stopped' is 'maybe' \(str\); valid: true or false",
    ),
    (
        "a YAML list as the whole config",
        [LAB_CONFIG],
        r"the file must be a mapping of options \(plugin: azure_swarm, \.\.\.\), not a list",
    ),
    (
        "an empty resource group entry",
        {**LAB_CONFIG, "resource_groups": ["swarm-lab", " "]},
        r"option 'resource_groups' has an empty entry; valid: resource group names, or '\*' alone",
    ),
    (
        "'*' mixed with names",
        {**LAB_CONFIG, "resource_groups": ["*", "swarm-lab"]},
        r"option 'resource_groups' mixes '\*' \(the whole subscription\) with names",
    ),
    (
        "a subscription that is not a GUID",
        {**LAB_CONFIG, "subscription_id": "my-subscription"},
        r"option 'subscription_id' is 'my-subscription'; valid: a subscription GUID",
    ),
    (
        "an unknown ansible_host_source",
        {**LAB_CONFIG, "ansible_host_source": "public_dns"},
        r"option 'ansible_host_source' is 'public_dns'; valid: private_ip, public_ip, fqdn",
    ),
    (
        "a resource group that is not a string",
        {**LAB_CONFIG, "resource_groups": ["swarm-lab", 7]},
        r"option 'resource_groups' has 7 \(int\); valid: a list of str",
    ),
    (
        "a timeout of zero",
        {**LAB_CONFIG, "read_timeout": 0},
        r"option 'read_timeout' is 0; valid: a number of seconds above 0",
    ),
    (
        "an unknown cloud",
        {**LAB_CONFIG, "cloud": "AzurePublicCloud"},
        r"option 'cloud' is 'AzurePublicCloud'; valid: AzureCloud, AzureChinaCloud, AzureUSGovernment",
    ),
]


@pytest.mark.parametrize(("case", "config", "message"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_is_one_line_and_contacts_nothing(parse, case, config, message):  # noqa: F811
    transport = FakeArmTransport(load_subscription())
    credential = FakeCredential()
    with pytest.raises(AnsibleError) as error:
        parse(config, transport=transport, credential=credential)
    text = str(error.value)
    assert len(text.splitlines()) == 1, text
    assert text.startswith("azure_swarm: ") and "test.azure_swarm.yml: " in text
    assert re.search(message, text), text
    assert transport.requests == []
    assert credential.scopes == []


def test_star_and_empty_list_both_mean_the_whole_subscription(parse):  # noqa: F811
    for groups in (["*"], []):
        transport = FakeArmTransport(load_subscription(), page_size=100)
        parse({**LAB_CONFIG, "resource_groups": groups}, transport=transport)
        paths = [url.split("?")[0] for _, url in transport.requests]
        assert not any("/resourceGroups/" in path for path in paths), paths
        assert len(paths) == 5


def test_the_same_group_in_another_case_is_listed_once(parse):  # noqa: F811
    transport = FakeArmTransport(load_subscription(), page_size=100)
    run = parse({**LAB_CONFIG, "resource_groups": ["swarm-lab", "SWARM-LAB"]}, transport=transport)
    paths = [url.split("?")[0].lower() for _, url in transport.requests]
    assert paths.count(paths[1]) == 1  # swarm-lab's VM list, once
    assert "resource group 'SWARM-LAB' is listed once: it is the same group as 'swarm-lab'" in " ".join(
        run.warnings
    )


def test_a_tag_filter_nobody_matches_is_a_warning(parse):  # noqa: F811
    run = parse({**LAB_CONFIG, "tag_filters": {"cluster": "no-such-cluster"}})
    assert run.inventory.hosts == {}
    assert "azure_swarm: 0 hosts matched tag_filters {'cluster': 'no-such-cluster'}" in run.warnings


def test_a_html_page_answering_200_is_named_with_its_content_type(parse):  # noqa: F811
    portal = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Sign in</body></html>")
    with pytest.raises(AnsibleError) as error:
        parse(LAB_CONFIG, transport=FakeArmTransport(load_subscription(), faults=[portal]))
    assert str(error.value) == (
        "azure_swarm: https://management.azure.com/subscriptions/6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7b"
        "/providers/Microsoft.Compute/virtualMachines answered HTTP 200 with text/html; charset=utf-8, "
        "not JSON; is https://management.azure.com/ an Azure Resource Manager endpoint?"
    )


@pytest.fixture
def silent_endpoint():
    """A TCP endpoint on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_an_endpoint_that_never_answers_ends_the_run_naming_it(parse, silent_endpoint):  # noqa: F811
    config = {
        **LAB_CONFIG,
        "resource_manager_endpoint": silent_endpoint,
        "connect_timeout": 1,
        "read_timeout": 1,
    }
    with pytest.raises(AnsibleError) as error:
        parse(config, real_transport=True)  # the SDK's own requests transport applies the timeouts
    text = str(error.value)
    assert len(text.splitlines()) == 1, text
    assert silent_endpoint in text and "timeout" in text


def test_a_failure_is_printed_once_by_ansible_inventory(tmp_path):
    config = tmp_path / "lab.azure_swarm.yml"
    config.write_text("plugin: mixedswarm.swarm.azure_swarm\nresource_group: swarm-lab\n")
    result = ansible_inventory("-i", str(config), "--graph")
    assert result.returncode != 0
    failures = result.stderr.split("[WARNING]: Failed to parse inventory with ")[1:]
    reporting = [f for f in failures if "option 'resource_group' is not known" in f]
    assert len(reporting) == 1 and reporting[0].startswith(
        "'ansible_collections.mixedswarm.swarm.plugins.inventory.azure_swarm' plugin"
    ), result.stderr
    assert any("not read again; the azure_swarm plugin's message above says why" in f for f in failures)


def test_a_config_without_the_suffix_is_named_with_it(tmp_path):
    config = tmp_path / "lab.yml"
    config.write_text("plugin: mixedswarm.swarm.azure_swarm\nresource_groups: [swarm-lab]\n")
    result = ansible_inventory("-i", str(config), "--graph")
    assert result.returncode != 0
    message = "an azure_swarm configuration must be named *.azure_swarm.yml or *.azure_swarm.yaml"
    failures = result.stderr.split("[WARNING]: Failed to parse inventory with ")[1:]
    assert len([f for f in failures if message in f]) == 1, result.stderr
