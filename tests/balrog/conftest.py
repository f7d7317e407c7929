"""Balrog's fixtures: releases for rules to map to, and the app over HTTPS for balrogclient."""

from __future__ import annotations

import pytest

from tests.support.plugins.aws import serve


@pytest.fixture
def balrog_releases(aws):
    """Makes releases (a minimal blob each) for rules to map to: Balrog refuses a mapping to no release."""
    from chalicelib.store.balrog_releases import releases

    def _releases(*names: str, product: str = "Firefox") -> None:
        for name in names:
            if releases.get({"name": name}) is None:
                releases.create(name, product, {"name": name, "schema_version": 1}, "setup")

    return _releases


@pytest.fixture
def live_tls_server(aws, tmp_path):
    """``live_server`` over HTTPS with a certificate from a test CA: yields (base URL, CA bundle path).

    For clients that insist on https, as balrogclient does for its token
    endpoint (``https://<domain>/oauth/token``).
    """
    import trustme

    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with serve(authority) as url:
        yield url, str(bundle)
