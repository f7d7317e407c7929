"""The local HTTP server (``make run``, ``live_server``): every request goes through the app."""

from __future__ import annotations

import pytest
import requests


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
def test_given_a_method_no_route_lists_when_requested_then_405_with_allow_not_a_server_error(live_server, method):
    response = requests.request(method, f"{live_server}/refdata/pushlog/branches", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["Code"] == "MethodNotAllowedError"


@pytest.mark.parametrize("path,body", [
    ("/treeherder/api/no/such/thing", {"detail": "Not found."}),
    ("/jobs/0123456789abcdef01234567/x/y", {"code": 404, "message": "Resource not found"}),
])
def test_given_a_path_no_route_serves_when_requested_then_its_familys_404(live_server, path, body):
    """The local server routes greedy catch-alls as API Gateway does (chalicelib/local/greedy_routes.py)."""
    response = requests.get(f"{live_server}{path}", timeout=10)
    assert (response.status_code, response.json()) == (404, body)
