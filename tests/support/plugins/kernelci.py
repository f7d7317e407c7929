"""KernelCI fixtures shared across folders: tokens, and calls to the API as a token."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def kernelci_token(aws):
    """Makes a KernelCI token with the given properties (``admin=True``, ``get=True``...); returns its value."""
    from chalicelib.auth import kernelci_token as tokens

    def _token(email: str = "lab@example.com", **properties) -> str:
        value, _ = tokens.create({"email": email, **properties})
        return value

    return _token


@pytest.fixture
def kernelci_admin(kernelci_token) -> str:
    return kernelci_token("admin@example.com", admin=True)


@pytest.fixture
def kernelci(app_client, kernelci_admin):
    """Calls the KernelCI API as the admin token (``token=`` another, ``None`` for none); returns (status, body)."""
    import gzip as gzip_module

    def _call(method: str, path: str, body=None, token: str | None = kernelci_admin, headers=None,
              raw: bytes | None = None):
        sent = {**({"Authorization": token} if token else {}), **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
            raw = json.dumps(body).encode()
        response = app_client.http.request(method, path, headers=sent, body=raw or b"")
        data = response.body
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip_module.decompress(data)
        return response.status_code, (json.loads(data) if data else None)

    return _call
