"""``/history/view`` and ``/history/diff``: one field of one change, as text."""

from __future__ import annotations

import json

API = "/balrog/api"
NAME = "Firefox-52.0-build1"


def _blob(**extra) -> dict:
    return {"name": NAME, "schema_version": 1, "hashFunction": "sha512", "platforms": {}, **extra}


def _release_with_two_versions(client, headers) -> list[int]:
    """A release at version 1, then 2 with a new platform; returns [change_id of v2, of v1]."""
    client.http.post(f"{API}/releases", headers=headers,
                     body=json.dumps({"name": NAME, "product": "Firefox", "blob": json.dumps(_blob())}))
    client.http.put(f"{API}/releases/{NAME}", headers=headers, body=json.dumps(
        {"name": NAME, "product": "Firefox", "data_version": 1,
         "blob": json.dumps(_blob(platforms={"WINNT_x86-msvc": {"locales": {}}}))}))
    revisions = json.loads(client.http.get(f"{API}/releases/{NAME}/revisions", headers=headers).body)
    return [r["change_id"] for r in revisions["revisions"]]


def test_given_a_release_change_when_its_data_is_viewed_then_the_blob_of_that_version_as_indented_json(
        app_client, balrog_admin):
    # given
    newest, oldest = _release_with_two_versions(app_client, balrog_admin)
    # when
    response = app_client.http.get(f"{API}/history/view/release/{oldest}/data", headers=balrog_admin)
    # then
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.body.decode() == json.dumps(_blob(), indent=2, sort_keys=True)


def test_given_a_release_change_when_a_scalar_field_is_viewed_then_its_text(app_client, balrog_admin):
    newest, _ = _release_with_two_versions(app_client, balrog_admin)
    assert app_client.http.get(f"{API}/history/view/release/{newest}/data_version",
                               headers=balrog_admin).body == b"2"
    assert app_client.http.get(f"{API}/history/view/release/{newest}/changed_by",
                               headers=balrog_admin).body == b"admin"


def test_given_a_release_change_when_diffed_then_a_unified_diff_against_the_previous_version(
        app_client, balrog_admin):
    # given
    newest, _ = _release_with_two_versions(app_client, balrog_admin)
    # when
    response = app_client.http.get(f"{API}/history/diff/release/{newest}/data", headers=balrog_admin)
    # then
    text = response.body.decode()
    assert response.status_code == 200
    assert text.startswith("--- Data Version 1\n+++ Data Version 2\n")
    assert '+    "WINNT_x86-msvc": {' in text
    assert '-  "platforms": {},' in text


def test_given_the_first_version_when_diffed_then_everything_is_added(app_client, balrog_admin):
    _, oldest = _release_with_two_versions(app_client, balrog_admin)
    text = app_client.http.get(f"{API}/history/diff/release/{oldest}/data", headers=balrog_admin).body.decode()
    assert text.startswith("--- Data Version \n+++ Data Version 1\n")
    assert all(line.startswith(("+", "@")) for line in text.splitlines()[2:])


def test_given_a_rule_change_when_a_column_is_viewed_then_its_value_and_null_for_an_empty_column(
        app_client, balrog_admin, balrog_releases):
    # given
    balrog_releases(NAME)
    rule_id = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 90, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
         "mapping": NAME})).body.decode()
    revisions = json.loads(app_client.http.get(f"{API}/rules/{rule_id}/revisions", headers=balrog_admin).body)
    change_id = revisions["rules"][0]["change_id"]
    # when / then
    assert app_client.http.get(f"{API}/history/view/rule/{change_id}/mapping", headers=balrog_admin).body \
        == NAME.encode()
    assert app_client.http.get(f"{API}/history/view/rule/{change_id}/channel", headers=balrog_admin).body \
        == b"NULL"


def test_given_an_unknown_change_id_then_400_problem(app_client, balrog_admin):
    response = app_client.http.get(f"{API}/history/view/release/999999/data", headers=balrog_admin)
    assert response.status_code == 400
    assert "Bad change_id" in json.loads(response.body)["detail"]


def test_given_a_change_of_another_table_then_400(app_client, balrog_admin):
    newest, _ = _release_with_two_versions(app_client, balrog_admin)
    assert app_client.http.get(f"{API}/history/view/rule/{newest}/mapping", headers=balrog_admin).status_code == 400


def test_given_an_unknown_field_then_400_naming_the_fields(app_client, balrog_admin):
    newest, _ = _release_with_two_versions(app_client, balrog_admin)
    response = app_client.http.get(f"{API}/history/view/release/{newest}/blob_key", headers=balrog_admin)
    assert response.status_code == 400
    assert "Bad field" in json.loads(response.body)["detail"]


def test_given_a_non_integer_change_id_then_400(app_client, balrog_admin):
    assert app_client.http.get(f"{API}/history/view/release/abc/data", headers=balrog_admin).status_code == 400


def test_given_an_unknown_table_then_404(app_client, balrog_admin):
    assert app_client.http.get(f"{API}/history/view/widgets/1/data", headers=balrog_admin).status_code == 404


def test_given_no_token_then_401(app_client, aws):
    assert app_client.http.get(f"{API}/history/view/release/1/data").status_code == 401
