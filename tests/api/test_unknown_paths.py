"""Unknown paths: each family answers its own 404, never API Gateway's 403 "Missing Authentication Token".

The originals: kernelci-backend's default handler (``app/handlers/app.py``,
``AppHandler``: ``{"code": 404, "message": "Resource not found"}`` in
``application/json; charset=UTF-8``), Django REST framework's NotFound for
Treeherder (``{"detail": "Not found."}``), Flask's NotFound in Balrog's
problem body, BuildAPI's ``{"status": "FAILED"}`` and Datazilla's
``{"status": ...}`` error bodies.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.api import unknown_paths
from chalicelib.local.greedy_routes import GreedyRouteMatcher

UNKNOWN = [
    # (path, family)
    ("/treeherder", "treeherder"),
    ("/treeherder/api", "treeherder"),
    ("/treeherder/api/nothing-here", "treeherder"),
    ("/treeherder/api/project/mozilla-central/bogus/deeper/still", "treeherder"),
    ("/treeherder/api/project/mozilla-central/jobs/1/nope/x", "treeherder"),
    ("/balrog", "balrog"),
    ("/balrog/api/no/such/thing", "balrog"),
    ("/balrog/api/rules/1/revisions/x/y", "balrog"),
    ("/self-serve/mozilla-central/unknown/a/b", "self-serve"),
    ("/job/0123456789abcdef01234567/what", "kernelci"),
    ("/test/bogus/x/y", "kernelci"),
    ("/count/build/x/y", "kernelci"),
    ("/talos/nothing/here/at/all", "datazilla"),
    ("/talos", "datazilla"),
    ("/", "datazilla"),
]


@pytest.mark.parametrize("path,family", UNKNOWN)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_path_is_its_familys_404(app_client, path, family, method):
    """Given a path no family serves, when any method asks for it, then the family's own 404 answers."""
    headers = {"Authorization": "x", "Content-Type": "text/plain", "Accept": "application/json"}
    response = getattr(app_client.http, method)(path, headers=headers)
    assert response.status_code == 404, (path, response.body[:200])
    body = json.loads(response.body)
    assert "Missing Authentication Token" not in response.body.decode()
    if family == "treeherder":
        assert body == {"detail": "Not found."}
    elif family == "balrog":
        assert body["status"] == 404 and body["title"] == "Not Found"
    elif family == "self-serve":
        assert body["status"] == "FAILED"
    elif family == "kernelci":
        assert body == {"code": 404, "message": "Resource not found"}
        assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    else:
        assert body["status"] == "Not Found"


def test_known_paths_still_reach_their_routes(app_client):
    """Given the catch-all, a served path still reaches its own route (the exact resource wins)."""
    assert app_client.http.get("/version").status_code == 200
    assert json.loads(app_client.http.get("/treeherder/api/repository/").body) is not None
    assert app_client.http.get("/treeherder/api/project/nowhere/push/").status_code == 404
    assert json.loads(app_client.http.get("/treeherder/api/project/nowhere/push/").body) == {
        "detail": "No project with name nowhere"}


def test_every_path_reaches_a_resource_with_methods():
    """Given the app's routes as API Gateway resources, then every level has a variable child or a greedy one.

    API Gateway allows one variable part per level, so the greedy children go only where no variable
    sibling is; the walk of any path then ends on a resource with methods.
    """
    from app import app

    routes = set(app.routes)
    children: dict[str, set[str]] = {}
    for route in routes:
        parent, _, last = route.rpartition("/")
        children.setdefault(parent or "/", set()).add(last)
        assert (parent or "/") in routes, f"{route}: its parent resource has no methods"
    for route in routes:
        variable = {c for c in children.get(route, set()) if c.startswith("{")}
        if not route.endswith("+}"):
            assert len(variable) == 1, (route, variable)


def test_greedy_matching_prefers_exact_routes_then_the_nearest_greedy_one():
    matcher = GreedyRouteMatcher(["/a/{x}", "/a/{x}/{proxy+}", "/{proxy+}", "/a/b", "/c/{proxy+}"])
    assert matcher.match_route("/a/b").route == "/a/b"
    assert matcher.match_route("/a/z").route == "/a/{x}"
    found = matcher.match_route("/a/z/1/2?q=1")
    assert (found.route, found.captured, found.query_params) == ("/a/{x}/{proxy+}", {"x": "z", "proxy": "1/2"},
                                                                 {"q": ["1"]})
    assert matcher.match_route("/c/d/e").captured == {"proxy": "d/e"}
    assert matcher.match_route("/zz/y").route == "/{proxy+}"
    with pytest.raises(ValueError):
        GreedyRouteMatcher(["/c/{proxy+}"]).match_route("/c")


def test_families_by_first_segment():
    assert [unknown_paths.family_of(p) for p in ("/jobs/x", "/tokens", "/balrog/x", "/p/refdata")] == [
        "kernelci", "kernelci", "balrog", "datazilla"]
