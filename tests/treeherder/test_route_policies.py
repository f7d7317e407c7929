"""What every Treeherder route does before its handler, on the route kit: the client policy, then Hawk, then
the project.

Treeherder's settings list ``DISALLOWED_USER_AGENTS`` for Django's
``CommonMiddleware``, which refuses them on every request (``/docs/``
included: Django's ``tests/middleware/tests.py``, ``test_disallowed_user_agents``);
its REST framework authenticates a write (``hawkrest.HawkAuthentication``,
``IsAuthenticatedOrReadOnly``) in ``APIView.initial``, before the view looks
the repository up.
"""

from __future__ import annotations

CLIENT = {"User-Agent": "treeherder-pyclient/5.0.0", "Accept": "application/json; version=1.0"}


def test_the_docs_page_refuses_a_generic_library_agent_as_every_route_does(app_client):
    """Given python-requests' default agent, when /treeherder/docs/ is asked for, then 403 in Treeherder's words."""
    response = app_client.http.get("/treeherder/docs/", headers={"User-Agent": "python-requests/2.32.3"})
    assert (response.status_code, response.json_body) == (403, {"detail": "Forbidden user agent"})


def test_the_docs_page_refuses_an_unknown_api_version(app_client):
    response = app_client.http.get("/treeherder/docs/", headers={"Accept": "text/html; version=2.0"})
    assert (response.status_code, response.json_body) == (406, {"detail": 'Invalid version in "Accept" header.'})


def test_an_unsigned_submission_is_refused_before_the_project_is_looked_up(app_client):
    """Given no Hawk header and a project that does not exist, when jobs are posted, then 403, not 404."""
    response = app_client.http.post("/treeherder/api/project/no-such-project/jobs/", body=b"[]",
                                     headers={**CLIENT, "Content-Type": "application/json"})
    assert (response.status_code, response.json_body) == (
        403, {"detail": "Authentication credentials were not provided."})


def test_reads_need_no_credentials_and_an_unknown_project_is_404(app_client):
    response = app_client.http.get("/treeherder/api/project/no-such-project/jobs/", headers=CLIENT)
    assert (response.status_code, response.json_body) == (404, {"detail": "No project with name no-such-project"})
