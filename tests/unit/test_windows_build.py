"""Windows builds: the owned os.build label from what the engine reports, and the image-tag check."""

import pytest
from swarm_fixtures import load

from ansible_collections.mixedswarm.swarm.plugins.module_utils._engine.windows_build import (
    engine_build,
    image_release,
    runs_on,
    version_build,
)
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.definition import validate_services
from ansible_collections.mixedswarm.swarm.plugins.module_utils._service.stack import prepare_compose
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.labels import label_problems
from ansible_collections.mixedswarm.swarm.plugins.module_utils._swarm.node_read import local_state

IMAGE_2022 = "mcr.microsoft.com/dotnet/framework/samples:aspnetapp-windowsservercore-ltsc2022"


def test_build_from_what_engines_report():
    assert engine_build(load("windows_info_manager.json")) == "17763"  # KernelVersion 10.0 17763 (...)
    assert local_state(load("windows_info_manager.json"))["os_build"] == "17763"
    assert engine_build(
        {"OSType": "windows", "OperatingSystem": "Windows Server 2022 (OS Build 20348.2340)"}
    ) == ("20348")
    assert engine_build(load("linux_info_manager.json")) == ""
    assert version_build("10.0.20348.2340") == "20348"
    assert version_build(None) == version_build("22.04") == ""


@pytest.mark.parametrize(
    ("image", "build"),
    [
        ("mcr.microsoft.com/windows/servercore:ltsc2019", "17763"),
        ("mcr.microsoft.com/windows/nanoserver:1809", "17763"),
        (IMAGE_2022, "20348"),
        ("mcr.microsoft.com/windows/servercore:ltsc2025-amd64", "26100"),
        ("mcr.microsoft.com/windows/servercore:20H2", "19042"),
        ("registry:5000/app:1", None),
        ("registry:5000/ltsc2022/app", None),
    ],
)
def test_image_tags_name_a_release(image, build):
    release = image_release(image)
    assert (release[0] if release else None) == build


def _validate(image, builds, **extra):
    return validate_services(
        [{"name": "app", "image": image, "os": "windows", **extra}], {"windows"}, set(), builds
    )


def test_an_image_no_node_can_run_is_refused_before_anything_changes():
    _, errors = _validate(IMAGE_2022, {"17763"})
    assert errors == [
        "service 'app', field 'image': the image is for Windows Server 2022 (build 20348) but the Windows nodes "
        "run build(s) 17763; with process isolation a container needs its host's build (or, with Hyper-V "
        "isolation, an older one): use the image tag for the nodes' release"
    ]


IMAGE_2019 = "mcr.microsoft.com/windows/servercore:ltsc2019"


@pytest.mark.parametrize(
    ("image_build", "host_build", "isolation", "runs"),
    [
        ("20348", "20348", "process", True),
        ("20348", "26100", "process", True),  # Windows Server 2025's table: 2022 images, process isolation
        ("20348", "26100", "default", True),
        ("17763", "26100", "process", False),  # 2019 images on 2025: Hyper-V isolation only
        ("17763", "20348", "process", False),
        ("26100", "20348", "process", False),  # never a newer image on an older host
        ("17763", "20348", "hyperv", True),  # older images on newer hosts with Hyper-V isolation
        ("17763", "26100", "hyperv", True),
        ("26100", "20348", "hyperv", False),
    ],
)
def test_microsofts_compatibility_matrix(image_build, host_build, isolation, runs):
    assert runs_on(image_build, host_build, isolation) is runs


def test_an_ltsc2022_image_runs_on_a_pool_of_windows_server_2025_nodes():
    (spec,), errors = _validate(IMAGE_2022, {"26100"})
    assert errors == []
    (spec,), errors = _validate(IMAGE_2022, {"20348", "26100"})
    assert errors == []
    assert not any("os.build" in c for c in spec["constraints"])


def test_hyperv_isolation_runs_older_images_and_match_keeps_them_off_older_hosts():
    _, errors = _validate(IMAGE_2019, {"26100"})
    assert errors[0].endswith(
        "use the image tag for the nodes' release, or isolation: hyperv (it runs older images on newer hosts)"
    )
    (spec,), errors = _validate(IMAGE_2019, {"26100", "20348"}, isolation="hyperv")
    assert errors == []
    (spec,), errors = _validate(IMAGE_2022, {"17763", "20348", "26100"}, isolation="hyperv")
    assert "17763 cannot run it with Hyper-V isolation; set windows_build: match" in errors[0]
    (spec,), errors = _validate(
        IMAGE_2022, {"17763", "20348", "26100"}, isolation="hyperv", windows_build="match"
    )
    assert errors == []
    assert "node.labels.os.build!=17763" in spec["constraints"]
    assert not any("os.build==" in c for c in spec["constraints"])


def test_mixed_builds_need_windows_build_match_which_constrains_to_the_build():
    _, errors = _validate(IMAGE_2022, {"17763", "20348"})
    assert "set windows_build: match" in errors[0]
    (spec,), errors = _validate(IMAGE_2022, {"17763", "20348"}, windows_build="match")
    assert not errors and "node.labels.os.build==20348" in spec["constraints"]
    (spec,), errors = _validate(IMAGE_2022, {"20348"})
    assert not errors and not any("os.build" in c for c in spec["constraints"])


def test_bad_windows_build_values_are_refused():
    _, errors = _validate("registry:5000/app:1", {"20348"}, windows_build="match")
    assert "windows_build: match needs an image tag that names a Windows release" in errors[0]
    _, errors = _validate(IMAGE_2022, {"20348"}, windows_build="same")
    assert errors == ["service 'app', field 'windows_build': a string \"same\"; valid: match"]


def test_os_build_is_the_projects_own_label():
    assert label_problems({"os.build": "1"}) == [
        "swarm_labels key 'os.build' is set by the project itself; choose another key"
    ]


def test_stack_services_get_the_same_check():
    compose = {"services": {"web": {"image": IMAGE_2022, "x-os": "windows"}}}
    _, _, errors = prepare_compose("lab", compose, {"windows"}, {"17763"})
    assert errors and "field 'image': the image is for Windows Server 2022 (build 20348)" in errors[0]
    compose["services"]["web"]["x-windows-build"] = "match"
    prepared, _, errors = prepare_compose("lab", compose, {"windows"}, {"17763", "20348"})
    assert not errors
    assert "node.labels.os.build==20348" in prepared["services"]["web"]["deploy"]["placement"]["constraints"]
    assert "x-windows-build" not in prepared["services"]["web"]
