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


# --- API Gateway's gateway behaviour: path decoding, payload limit, bursts ---------------------


@pytest.mark.parametrize("name", ["Probe Rel ü", "Probe/Slash", "Probe%20Literal"])
def test_given_a_release_name_needing_escapes_when_created_then_it_reads_back_by_its_encoded_path(
        live_server, balrog_admin, name):
    """API Gateway decodes a path parameter once: ``releases/Probe%2FSlash`` names ``Probe/Slash``
    (balrog's own client quotes the name into the path: balrogclient ``Release.get_data``)."""
    import json
    from urllib.parse import quote

    blob = {"name": name, "schema_version": 1, "hashFunction": "sha512", "platforms": {}}
    created = requests.post(f"{live_server}/balrog/api/releases", headers=balrog_admin, timeout=10,
                            json={"name": name, "product": "Firefox", "blob": json.dumps(blob)})
    assert created.status_code == 201, created.text
    got = requests.get(f"{live_server}/balrog/api/releases/{quote(name, safe='')}", headers=balrog_admin,
                       timeout=10)
    assert got.status_code == 200, got.text
    assert json.loads(got.content)["name"] == name


def test_given_a_body_over_10_mb_when_posted_then_413_before_it_is_read(live_server):
    """API Gateway's REST payload limit is 10 MB; over it, 413 and the body is never taken whole."""
    import socket
    from urllib.parse import urlparse

    target = urlparse(live_server)
    with socket.create_connection((target.hostname, target.port), timeout=10) as conn:
        # only the headers are sent: a server reading the declared 60 MB would wait here until the timeout
        conn.sendall(b"POST /talos/api/load_test HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 62914560\r\n\r\n")
        received = b""
        while chunk := conn.recv(4096):  # the server closes the connection after its answer
            received += chunk
        answer = received.decode()
    assert answer.startswith("HTTP/1.0 413") or answer.startswith("HTTP/1.1 413"), answer
    assert answer.endswith('{"message": "Request Too Long"}')


def test_given_a_body_of_exactly_10_mb_when_posted_then_it_reaches_the_app(live_server):
    response = requests.post(f"{live_server}/talos/api/load_test", data=b"x" * (10 * 1024 * 1024), timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code != 413 and response.status_code < 500


def test_given_a_burst_of_64_connections_then_none_is_refused_or_stalled(live_server):
    """socketserver's default backlog of 5 reset or delayed (~1 s SYN retry) bursts of 16 or more."""
    import socket
    import time
    from urllib.parse import urlparse

    target = urlparse(live_server)
    started = time.monotonic()
    conns = [socket.create_connection((target.hostname, target.port), timeout=10) for _ in range(64)]
    try:
        for conn in conns:
            conn.sendall(b"GET /refdata/pushlog/branches HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = [conn.recv(64) for conn in conns]
    finally:
        for conn in conns:
            conn.close()
    assert all(a.startswith(b"HTTP/1.0 200") or a.startswith(b"HTTP/1.1 200") for a in answers), answers[:3]
    assert time.monotonic() - started < 5
