"""plugins/module_utils/_azure/connection.py: one set of credential variables, and the cause of a failed connection."""

import socket
import ssl

import pytest

from ansible_collections.mixedswarm.swarm.plugins.module_utils._azure.connection import (
    connection_failure,
    service_principal,
)

CLIENT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    "environ",
    [
        {"AZURE_CLIENT_ID": CLIENT, "AZURE_SECRET": "s", "AZURE_TENANT": "t"},
        {"AZURE_CLIENT_ID": CLIENT, "AZURE_CLIENT_SECRET": "s", "AZURE_TENANT_ID": "t"},
        {"AZURE_CLIENT_ID": CLIENT, "AZURE_CLIENT_SECRET": "s", "AZURE_TENANT": "t"},
        {"AZURE_CLIENT_ID": CLIENT, "AZURE_SECRET": "s", "AZURE_CLIENT_SECRET": "s", "AZURE_TENANT_ID": "t"},
    ],
)
def test_either_name_of_each_value_is_accepted(environ):
    assert service_principal(environ) == {"client_id": CLIENT, "client_secret": "s", "tenant_id": "t"}


def test_no_principal_and_a_partial_one():
    assert service_principal({"AZURE_CLIENT_ID": CLIENT}) is None  # a managed identity's client ID
    with pytest.raises(ValueError, match=r"lacks AZURE_TENANT_ID \(or AZURE_TENANT\)"):
        service_principal({"AZURE_CLIENT_ID": CLIENT, "AZURE_SECRET": "s"})


def test_two_names_with_different_values_are_refused():
    with pytest.raises(ValueError, match="AZURE_CLIENT_SECRET and AZURE_SECRET are both set and differ"):
        service_principal(
            {"AZURE_CLIENT_ID": CLIENT, "AZURE_SECRET": "a", "AZURE_CLIENT_SECRET": "b", "AZURE_TENANT": "t"}
        )


def _wrapped(inner: BaseException) -> Exception:
    """The shape azure-core gives a failed request: ServiceRequestError(requests error(urllib3 error(inner)))."""
    middle = OSError("urllib3 MaxRetryError")
    middle.reason = inner
    outer = RuntimeError("ServiceRequestError")
    outer.inner_exception = ConnectionError(middle)
    return outer


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), "TLS certificate of E is not trusted"),
        (ssl.SSLError(1, "wrong version number"), "TLS handshake with E failed"),
        (socket.gaierror(-2, "Name or service not known"), "does not resolve (DNS)"),
        (ConnectionRefusedError(111, "Connection refused"), "E refused the connection"),
        (TimeoutError("timed out"), "no connection to E within connect_timeout=5 s"),
        (ValueError("something else"), "cannot reach E: ServiceRequestError"),
    ],
)
def test_the_cause_is_found_inside_the_wrapping(inner, expected):
    assert expected in connection_failure(_wrapped(inner), "E", 5)
