"""KernelCI uploads: a stored file is replaced only by the token that stored it (or an admin or superuser),
and every URL the answer lists is percent-encoded."""

from __future__ import annotations

import pytest
import requests

from chalicelib.store import kernelci_storage

BMETA_DIR = "mainline/master/v5.8-rc1/arm64/defconfig/gcc-8"


def _upload(live_server: str, token: str, path: str, name: str, body: bytes) -> requests.Response:
    return requests.post(f"{live_server}/upload", headers={"Authorization": token}, data={"path": path},
                         files={"file0": (name, body)}, timeout=30)


@pytest.fixture
def builder(kernelci_token) -> str:
    return kernelci_token("builder@example.com", upload=True)


@pytest.fixture
def other_lab(kernelci_token) -> str:
    return kernelci_token("lab@example.com", upload=True, test_lab=True)


def test_another_token_cannot_replace_the_bmeta_a_build_imports(live_server, builder, other_lab):
    """Given mainline's bmeta.json stored by its builder, when another lab's upload token sends its own,
    then it is refused 403 and the builder's file is untouched."""
    assert _upload(live_server, builder, BMETA_DIR, "bmeta.json", b'{"status": "PASS"}').status_code == 200

    refused = _upload(live_server, other_lab, BMETA_DIR, "bmeta.json", b'{"status": "FAIL"}')

    assert refused.status_code == 403 and refused.json()["code"] == 403
    assert kernelci_storage.get(f"{BMETA_DIR}/bmeta.json") == b'{"status": "PASS"}'


def test_the_token_that_stored_a_file_may_replace_it(live_server, builder):
    _upload(live_server, builder, BMETA_DIR, "bmeta.json", b"1")

    again = _upload(live_server, builder, BMETA_DIR, "bmeta.json", b"2")

    assert again.status_code == 200 and again.json()["result"][0]["status"] == 200
    assert kernelci_storage.get(f"{BMETA_DIR}/bmeta.json") == b"2"


def test_an_admin_token_may_replace_any_file(live_server, builder, kernelci_admin):
    _upload(live_server, builder, BMETA_DIR, "bmeta.json", b"1")

    assert _upload(live_server, kernelci_admin, BMETA_DIR, "bmeta.json", b"fixed").status_code == 200
    assert kernelci_storage.get(f"{BMETA_DIR}/bmeta.json") == b"fixed"


def test_a_refused_file_stores_nothing_of_its_request(live_server, builder, other_lab):
    _upload(live_server, builder, BMETA_DIR, "bmeta.json", b"mine")

    response = requests.post(f"{live_server}/upload", headers={"Authorization": other_lab},
                             data={"path": BMETA_DIR},
                             files=[("file0", ("new.log", b"x")), ("file1", ("bmeta.json", b"theirs"))], timeout=30)

    assert response.status_code == 403
    assert kernelci_storage.get(f"{BMETA_DIR}/new.log") is None


@pytest.mark.parametrize("name, encoded", [("%2e%2e/x.txt", "%252e%252e/x.txt"),
                                           ("q?x=1#frag.txt", "q%3Fx%3D1%23frag.txt"),
                                           ("a b.txt", "a%20b.txt")])
def test_listed_urls_are_percent_encoded(live_server, builder, name, encoded):
    response = _upload(live_server, builder, "tree", name, b"x")

    assert response.status_code == 200
    assert response.json()["result"][0]["url"].endswith("/tree/" + encoded)
