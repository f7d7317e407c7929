"""The real ``balrogclient`` 2.0, unmodified, against Shipyard over HTTPS.

balrogclient gets its bearer token from an Auth0-style client-credentials
endpoint at ``https://<domain>/oauth/token``; Shipyard serves it at
``/balrog/oauth/token``, exchanging a token Shipyard issued for a short-lived
access token. Every other call is the client's own: HEAD for the data_version,
then the write.
"""

from __future__ import annotations

import json

import pytest
import requests
from balrogclient import Release, ReleaseState, Rule, SingleLocale

from chalicelib.auth import bearer

NAME = "Firefox-52.0-build1"
BUILD = {"buildID": "20170101000000", "appVersion": "52.0", "displayVersion": "52.0",
         "completes": [{"from": "*", "filesize": 1000, "hashValue": "abc"}]}


@pytest.fixture
def client_kwargs(live_tls_server, balrog_admin) -> dict:
    """What a release automation passes to every balrogclient object, pointed at this Shipyard."""
    url, bundle = live_tls_server
    session = requests.Session()
    session.verify = bundle  # the token request goes through the client's session...
    session.trust_env = False  # ...and requests lets REQUESTS_CA_BUNDLE override session.verify
    token = balrog_admin["Authorization"].split(" ", 1)[1]
    secrets = {"domain": f"{url.removeprefix('https://')}/balrog", "client_id": "admin", "client_secret": token,
               "audience": "balrog"}
    return {"auth0_secrets": secrets, "api_root": f"{url}/balrog/api", "ca_certs": bundle, "session": session}


def test_given_a_new_release_when_update_release_then_it_is_created_and_get_data_reads_it(client_kwargs):
    # when
    response = Release(NAME, **client_kwargs).update_release(
        product="Firefox", hashFunction="sha512", releaseData=json.dumps({"appVersion": "52.0"}), schemaVersion=4)
    # then
    assert response.status_code == 201
    blob, data_version = Release(NAME, **client_kwargs).get_data()
    assert blob == {"name": NAME, "schema_version": 4, "hashFunction": "sha512", "appVersion": "52.0"}
    assert data_version == 2  # created at 1, then the data merged in


def test_given_an_existing_release_when_update_release_then_the_client_reads_the_version_itself(client_kwargs):
    release = Release(NAME, **client_kwargs)
    release.update_release(product="Firefox", hashFunction="sha512", releaseData=json.dumps({"appVersion": "52.0"}),
                           schemaVersion=4)
    response = release.update_release(product="Firefox", hashFunction="sha512",
                                      releaseData=json.dumps({"displayVersion": "52.0"}))
    assert response.status_code == 200
    blob, data_version = release.get_data()
    assert blob["displayVersion"] == "52.0" and blob["appVersion"] == "52.0" and data_version == 3


def test_given_builds_when_update_build_then_single_locale_get_data_returns_them(client_kwargs):
    # given
    for locale in ("en-US", "de"):
        SingleLocale(NAME, "WINNT_x86-msvc", locale, **client_kwargs).update_build(
            product="Firefox", hashFunction="sha512", buildData=json.dumps(BUILD), schemaVersion=4)
    # when
    data, data_version = SingleLocale(NAME, "WINNT_x86-msvc", "de", **client_kwargs).get_data()
    # then
    assert data == BUILD
    assert data_version == Release(NAME, **client_kwargs).get_data()[1]


def test_given_update_build_with_aliases_then_alias_platforms_point_at_the_build_target(client_kwargs):
    SingleLocale(NAME, "WINNT_x86-msvc", "en-US", **client_kwargs).update_build(
        product="Firefox", hashFunction="sha512", buildData=json.dumps(BUILD), schemaVersion=4,
        alias=json.dumps(["WINNT_x86-msvc-x86"]))
    blob, _ = Release(NAME, **client_kwargs).get_data()
    assert blob["platforms"]["WINNT_x86-msvc-x86"] == {"alias": "WINNT_x86-msvc"}


def test_given_no_release_when_single_locale_get_data_then_empty_and_no_version(client_kwargs):
    assert SingleLocale("Nope-1.0", "linux", "de", **client_kwargs).get_data() == ({}, None)


def test_given_a_release_without_the_locale_when_get_data_then_empty_with_the_release_version(client_kwargs):
    SingleLocale(NAME, "linux", "en-US", **client_kwargs).update_build(
        product="Firefox", hashFunction="sha512", buildData=json.dumps(BUILD), schemaVersion=4)
    assert SingleLocale(NAME, "linux", "de", **client_kwargs).get_data() == ({}, 2)


def test_given_a_rule_when_update_rule_then_it_changes_at_the_version_the_client_read(
        client_kwargs, app_client, balrog_admin, balrog_releases):
    # given
    balrog_releases(NAME, "Firefox-53.0-build1")
    rule_id = app_client.http.post("/balrog/api/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 90, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
         "mapping": NAME})).body.decode()
    # when
    response = Rule(rule_id, **client_kwargs).update_rule(mapping="Firefox-53.0-build1", backgroundRate=50)
    # then
    assert response.json() == {"new_data_version": 2}
    rule, data_version = Rule(rule_id, **client_kwargs).get_data()
    assert (rule["mapping"], rule["backgroundRate"], data_version) == ("Firefox-53.0-build1", 50, 2)


def test_given_a_release_when_set_readonly_then_builds_are_refused_until_set_modifiable(client_kwargs):
    # given
    build = SingleLocale(NAME, "linux", "en-US", **client_kwargs)
    build.update_build(product="Firefox", hashFunction="sha512", buildData=json.dumps(BUILD), schemaVersion=4)
    # when
    ReleaseState(NAME, **client_kwargs).set_readonly()
    # then
    with pytest.raises(requests.HTTPError) as refused:
        build.update_build(product="Firefox", hashFunction="sha512", buildData=json.dumps({**BUILD, "buildID": "2"}))
    assert refused.value.response.status_code == 403
    ReleaseState(NAME, **client_kwargs).set_modifiable()
    assert build.update_build(product="Firefox", hashFunction="sha512",
                              buildData=json.dumps({**BUILD, "buildID": "2"})).status_code == 200


def test_given_a_secret_that_is_not_a_shipyard_token_then_the_client_gets_401_from_the_token_endpoint(
        client_kwargs):
    client_kwargs["auth0_secrets"] = {**client_kwargs["auth0_secrets"], "client_secret": "guessed"}
    with pytest.raises(requests.HTTPError) as refused:
        Release(NAME, **client_kwargs).get_data()
    assert refused.value.response.status_code == 401
    assert refused.value.response.json()["error"] == "access_denied"


def test_given_another_users_token_then_401(client_kwargs, balrog_user):
    other = balrog_user("bob", release=None)["Authorization"].split(" ", 1)[1]
    client_kwargs["auth0_secrets"] = {**client_kwargs["auth0_secrets"], "client_secret": other}  # client_id admin
    with pytest.raises(requests.HTTPError) as refused:
        Release(NAME, **client_kwargs).get_data()
    assert refused.value.response.status_code == 401


def test_given_an_access_token_then_it_cannot_be_exchanged_for_another(live_tls_server, balrog_admin):
    url, bundle = live_tls_server
    long_lived = balrog_admin["Authorization"].split(" ", 1)[1]
    grant = {"grant_type": "client_credentials", "client_id": "admin", "audience": "balrog"}
    first = requests.post(f"{url}/balrog/oauth/token", json={**grant, "client_secret": long_lived}, verify=bundle,
                          timeout=10)
    access = first.json()["access_token"]
    assert first.status_code == 200 and first.json()["token_type"] == "Bearer" and access != long_lived
    again = requests.post(f"{url}/balrog/oauth/token", json={**grant, "client_secret": access}, verify=bundle,
                          timeout=10)
    assert again.status_code == 401


def test_given_another_grant_type_then_400_unsupported_grant_type(live_tls_server, aws):
    url, bundle = live_tls_server
    response = requests.post(f"{url}/balrog/oauth/token", json={"grant_type": "password"}, verify=bundle, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_given_an_expired_access_token_then_the_admin_api_answers_401(app_client, aws):
    token = bearer.issue_access_token("admin", lifetime_seconds=-1)
    response = app_client.http.get("/balrog/api/rules", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
