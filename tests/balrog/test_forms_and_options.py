"""Balrog admin writes as forms, and permission options in the 2016 document's spelling (issue 19 items 6, 8).

Balrog's admin UI and older scripts post ``application/x-www-form-urlencoded``
and ``multipart/form-data`` bodies (Balrog 2.x's WTForms read either); the
2016 admin API document shows permission options as ``{"method": ...,
"product": [...]}``, which Balrog later spelled ``actions``/``products``.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

API = "/balrog/api"


@pytest.fixture
def admin(app_client, balrog_admin, balrog_releases):
    balrog_releases("Firefox-52.0-build1")
    return {"Authorization": balrog_admin["Authorization"]}


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "shipyard-form-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


RULE = {"priority": "90", "backgroundRate": "100", "update_type": "minor", "product": "Firefox",
        "channel": "release", "mapping": "Firefox-52.0-build1"}


def test_given_a_urlencoded_form_when_a_rule_is_posted_then_it_is_created(app_client, admin):
    """Upstream (v2.20): RuleForm read from request.form; numbers arrive as strings."""
    response = app_client.http.post(f"{API}/rules", body=urlencode(RULE),
                                    headers={**admin, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.body
    rule = json.loads(app_client.http.get(f"{API}/rules/{int(response.body)}", headers=admin).body)
    assert (rule["priority"], rule["backgroundRate"], rule["channel"]) == (90, 100, "release")


def test_given_a_multipart_form_when_a_release_is_posted_then_it_is_created(app_client, admin):
    """Upstream (v2.20): NewReleaseForm from a multipart body, the blob as a JSON string field."""
    body, content_type = _multipart({"name": "Firefox-53.0-build1", "product": "Firefox",
                                     "blob": json.dumps({"name": "Firefox-53.0-build1", "schema_version": 1,
                                                         "hashFunction": "sha512"})})
    response = app_client.http.post(f"{API}/releases", body=body, headers={**admin, "Content-Type": content_type})
    assert response.status_code == 201, response.body


def test_given_a_multipart_form_when_a_rule_is_changed_then_the_new_version(app_client, admin):
    created = app_client.http.post(f"{API}/rules", body=json.dumps(RULE),
                                   headers={**admin, "Content-Type": "application/json"})
    body, content_type = _multipart({"backgroundRate": "50", "data_version": "1"})
    response = app_client.http.post(f"{API}/rules/{int(created.body)}", body=body,
                                    headers={**admin, "Content-Type": content_type})
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 2}


def test_given_the_documents_option_spelling_when_a_permission_is_put_then_balrogs_spelling_is_kept(
        app_client, admin):
    """The 2016 document's ``{"method", "product"}``: accepted, stored and answered as ``actions``/``products``."""
    response = app_client.http.put(f"{API}/users/ffxbld/permissions/rule", headers=admin, body=json.dumps(
        {"options": json.dumps({"method": "PUT", "product": ["Firefox"]})}))
    assert response.status_code == 201, response.body
    permissions = json.loads(app_client.http.get(f"{API}/users/ffxbld/permissions", headers=admin).body)
    assert permissions == {"rule": {"data_version": 1, "options": {"actions": ["modify"], "products": ["Firefox"]}}}
