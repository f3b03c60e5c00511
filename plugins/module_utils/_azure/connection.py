"""How the azure_swarm plugin signs in and what it says when Resource Manager cannot be reached.

One set of credential variables serves the lab playbook and the inventory plugin: a service
principal may be given under azure.azcollection's names (AZURE_SECRET, AZURE_TENANT) or under
azure-identity's (AZURE_CLIENT_SECRET, AZURE_TENANT_ID), and both readers accept both.
`service_principal` reads either from an environment mapping; `connection_failure` walks the
chain of exceptions that azure-core, requests and urllib3 wrap around a failed connection and
names its real cause (an untrusted TLS certificate, a name that does not resolve, a refused
connection, a timeout). Pure functions, unit-tested without Azure.
"""

from __future__ import annotations

import socket
import ssl

# (what, azure-identity's name, azure.azcollection's name): the service principal's values whose
# names differ between the two readers. AZURE_CLIENT_ID and AZURE_SUBSCRIPTION_ID are the same.
CREDENTIAL_NAMES = (
    ("client secret", "AZURE_CLIENT_SECRET", "AZURE_SECRET"),
    ("tenant", "AZURE_TENANT_ID", "AZURE_TENANT"),
)


def _either(environ, identity_name: str, collection_name: str) -> str:
    first, second = environ.get(identity_name) or "", environ.get(collection_name) or ""
    if first and second and first != second:
        raise ValueError(
            f"{identity_name} and {collection_name} are both set and differ; they name the same value "
            "(azure-identity's and azure.azcollection's name): set one, or both to the same value"
        )
    return first or second


def service_principal(environ) -> dict | None:
    """The service principal the environment names, under either naming, or None if none is set.

    A principal set only in part is a ValueError naming what is missing (under both names).
    """
    values = {
        "client_id": environ.get("AZURE_CLIENT_ID") or "",
        "client_secret": _either(environ, "AZURE_CLIENT_SECRET", "AZURE_SECRET"),
        "tenant_id": _either(environ, "AZURE_TENANT_ID", "AZURE_TENANT"),
        "certificate_path": environ.get("AZURE_CLIENT_CERTIFICATE_PATH") or "",
    }
    if not values["client_secret"] and not values["certificate_path"]:
        return None  # no principal in the environment (client ID alone may name a managed identity)
    missing = [
        label
        for key, label in (
            ("client_id", "AZURE_CLIENT_ID"),
            ("tenant_id", "AZURE_TENANT_ID (or AZURE_TENANT)"),
        )
        if not values[key]
    ]
    if missing:
        raise ValueError(f"a service principal in the environment lacks {' and '.join(missing)}")
    return {key: value for key, value in values.items() if value}


def _exception(value):
    return value if isinstance(value, BaseException) else None


def _chain(error: BaseException):
    """Every exception reachable from error: causes, contexts, wrapped ones and exception args."""
    seen, todo = set(), [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(
            [
                getattr(current, "inner_exception", None),
                _exception(getattr(current, "reason", None)),
                current.__cause__,
                current.__context__,
                *[arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)],
            ]
        )


def network_cause(error: BaseException, endpoint: str, connect_timeout: float) -> str | None:
    """One sentence naming why endpoint could not be reached (TLS, DNS, refused, timeout), or None."""
    chain = list(_chain(error))
    names = [type(e).__name__ for e in chain]
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"the TLS certificate of {endpoint} is not trusted ({getattr(cause, 'verify_message', None) or cause}); "
                "behind a TLS-inspecting proxy, add its CA certificate to the bundle named by REQUESTS_CA_BUNDLE"
            )
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake with {endpoint} failed ({cause})"
    if any(isinstance(c, socket.gaierror) for c in chain) or "NameResolutionError" in names:
        return (
            f"the name of {endpoint} does not resolve (DNS): check the endpoint, the DNS servers or the proxy"
        )
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return f"{endpoint} refused the connection: nothing listens there, or a firewall rejects it"
    if any(isinstance(c, (TimeoutError, socket.timeout)) or "Timeout" in type(c).__name__ for c in chain):
        return (
            f"no connection to {endpoint} within connect_timeout={connect_timeout} s: "
            "a firewall dropping the traffic, or a proxy needed (HTTPS_PROXY)"
        )
    return None


def connection_failure(error: BaseException, endpoint: str, connect_timeout: float) -> str:
    """network_cause, or the error's first line when the chain names no known cause."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return network_cause(error, endpoint, connect_timeout) or f"cannot reach {endpoint}: {first}"
