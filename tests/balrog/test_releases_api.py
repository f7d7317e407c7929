"""The Balrog admin API's release endpoints: records in DynamoDB, blobs in S3."""

from __future__ import annotations

import json
import threading

API = "/balrog/api"
NAME = "Firefox-52.0-build1"


def _blob(name: str = NAME, **extra) -> dict:
    return {"name": name, "schema_version": 1, "hashFunction": "sha512", "platforms": {}, **extra}


def _create(client, headers, name: str = NAME, product: str = "Firefox", blob=None):
    return client.http.post(f"{API}/releases", headers=headers,
                            body=json.dumps({"name": name, "product": product,
                                             "blob": json.dumps(blob or _blob(name))}))


def test_given_a_new_release_when_posted_then_201_version_1_and_the_blob_reads_back(app_client, balrog_admin):
    response = _create(app_client, balrog_admin)
    assert response.status_code == 201 and json.loads(response.body) == {"new_data_version": 1}
    got = app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin)
    assert json.loads(got.body) == _blob()
    assert got.headers["X-Data-Version"] == "1"


def test_given_a_blob_as_a_json_string_when_posted_then_it_is_accepted(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/releases", headers=balrog_admin,
                                    body=json.dumps({"name": NAME, "product": "Firefox", "blob": json.dumps(_blob())}))
    assert response.status_code == 201


def test_given_an_existing_name_when_posted_then_400(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    assert _create(app_client, balrog_admin).status_code == 400


def test_given_a_blob_named_otherwise_when_posted_then_400(app_client, balrog_admin):
    assert _create(app_client, balrog_admin, blob=_blob("Other")).status_code == 400


def test_given_a_release_then_its_blob_is_in_s3_and_not_in_the_record(app_client, balrog_admin):
    from chalicelib.store.balrog_releases import releases

    _create(app_client, balrog_admin, blob=_blob(detailsUrl="x" * 1000))
    record = releases.get({"name": NAME})
    assert "detailsUrl" not in json.dumps(record)
    assert releases.blob(record)["detailsUrl"] == "x" * 1000


def test_given_releases_when_listed_then_records_without_blobs_and_filters_apply(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    _create(app_client, balrog_admin, name="Thunderbird-52.0-build1", product="Thunderbird")
    body = json.loads(app_client.http.get(f"{API}/releases", headers=balrog_admin).body)
    assert body["releases"][0] == {"name": NAME, "product": "Firefox", "data_version": 1, "read_only": False,
                                   "rule_ids": [], "rule_info": {}, "required_signoffs": {}}
    assert len(body["releases"]) == 2
    by_product = json.loads(app_client.http.get(f"{API}/releases?product=Thunderbird", headers=balrog_admin).body)
    assert [r["name"] for r in by_product["releases"]] == ["Thunderbird-52.0-build1"]
    names = json.loads(app_client.http.get(f"{API}/releases?names_only=1&name_prefix=Fire", headers=balrog_admin).body)
    assert names == {"names": [NAME]}


def test_given_a_release_when_head_requested_then_x_data_version(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    response = app_client.http.request("HEAD", f"{API}/releases/{NAME}", headers=balrog_admin)
    assert response.status_code == 200 and response.headers["X-Data-Version"] == "1"


def test_given_an_existing_release_when_put_with_its_version_then_200_and_the_new_blob(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    response = app_client.http.put(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"name": NAME, "product": "Firefox", "blob": json.dumps(_blob(appv="52.0")), "data_version": 1}))
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 2}
    assert json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body)["appv"] == "52.0"


def test_given_a_stale_version_when_put_then_400_and_the_blob_is_unchanged(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    response = app_client.http.put(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"name": NAME, "product": "Firefox", "blob": json.dumps(_blob(appv="lost")), "data_version": 7}))
    assert response.status_code == 400
    assert "appv" not in json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body)


def test_given_a_new_name_when_put_then_201(app_client, balrog_admin):
    response = app_client.http.put(f"{API}/releases/{NAME}", headers=balrog_admin,
                                   body=json.dumps({"name": NAME, "product": "Firefox", "blob": json.dumps(_blob())}))
    assert response.status_code == 201


def test_given_a_release_mapped_by_a_rule_when_deleted_then_400(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 1, "backgroundRate": 100, "update_type": "minor", "mapping": NAME}))
    response = app_client.http.delete(f"{API}/releases/{NAME}?data_version=1", headers=balrog_admin)
    assert response.status_code == 400


def test_given_an_unmapped_release_when_deleted_with_its_version_then_gone(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    assert app_client.http.delete(f"{API}/releases/{NAME}?data_version=1", headers=balrog_admin).status_code == 200
    assert app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).status_code == 404


def test_given_a_read_only_release_when_put_then_403(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    flag = app_client.http.put(f"{API}/releases/{NAME}/read_only", headers=balrog_admin,
                               body=json.dumps({"read_only": True, "data_version": 1}))
    assert flag.status_code == 201 and json.loads(flag.body) == {"new_data_version": 2}
    assert json.loads(app_client.http.get(f"{API}/releases/{NAME}/read_only", headers=balrog_admin).body) == {
        "read_only": True}
    response = app_client.http.put(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"name": NAME, "product": "Firefox", "blob": json.dumps(_blob()), "data_version": 2}))
    assert response.status_code == 403


def test_given_release_permission_without_read_only_permission_when_setting_read_only_then_403(
        app_client, balrog_admin, balrog_user):
    _create(app_client, balrog_admin)
    headers = balrog_user("bob", release={"products": ["Firefox"]})
    response = app_client.http.put(f"{API}/releases/{NAME}/read_only", headers=headers,
                                   body=json.dumps({"read_only": True, "data_version": 1}))
    assert response.status_code == 403


def test_given_a_release_permission_for_another_product_when_creating_then_403(app_client, balrog_user):
    headers = balrog_user("bob", release={"products": ["Thunderbird"]})
    assert _create(app_client, headers).status_code == 403


def test_given_an_old_version_then_its_blob_stays_readable_through_history(app_client, balrog_admin):
    from chalicelib.store.balrog_releases import releases

    _create(app_client, balrog_admin)
    app_client.http.put(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"name": NAME, "product": "Firefox", "blob": json.dumps(_blob(appv="52.0")), "data_version": 1}))
    _, revisions = releases.revisions({"name": NAME})
    first = next(r for r in revisions if r["data_version"] == 1)
    assert "appv" not in releases.blob(first)


# --- locales and merges ---------------------------------------------------------------------------

def _locale_body(data_version=None, product="Firefox", **data):
    body = {"product": product, "schema_version": 1, "hashFunction": "sha512",
            "data": json.dumps({"buildID": "20170101000000", **data})}
    if data_version is not None:
        body["data_version"] = data_version
    return json.dumps(body)


def _put_locale(client, headers, locale, data_version=None, platform="linux-x86_64", **data):
    return client.http.put(f"{API}/releases/{NAME}/builds/{platform}/{locale}", headers=headers,
                           body=_locale_body(data_version, **data))


def test_given_no_release_when_a_locale_is_put_then_the_release_is_created_with_it(app_client, balrog_admin):
    response = _put_locale(app_client, balrog_admin, "de")
    assert response.status_code == 201 and json.loads(response.body) == {"new_data_version": 2}
    got = app_client.http.get(f"{API}/releases/{NAME}/builds/linux-x86_64/de", headers=balrog_admin)
    assert json.loads(got.body) == {"buildID": "20170101000000"} and got.headers["X-Data-Version"] == "2"


def test_given_an_existing_locale_when_put_again_then_200(app_client, balrog_admin):
    _put_locale(app_client, balrog_admin, "de")
    response = _put_locale(app_client, balrog_admin, "de", data_version=2, extv="52.0")
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 3}


def test_given_an_existing_release_when_a_locale_is_put_without_data_version_then_400(app_client, balrog_admin):
    _put_locale(app_client, balrog_admin, "de")
    assert _put_locale(app_client, balrog_admin, "fr").status_code == 400


def test_given_two_locale_uploads_from_one_version_then_both_land_by_merge(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    assert _put_locale(app_client, balrog_admin, "de", data_version=1).status_code == 201
    response = _put_locale(app_client, balrog_admin, "fr", data_version=1)
    assert response.status_code == 201 and json.loads(response.body) == {"new_data_version": 3}
    blob = json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body)
    assert set(blob["platforms"]["linux-x86_64"]["locales"]) == {"de", "fr"}


def test_given_conflicting_changes_to_one_locale_from_one_version_then_400_update_merge_error(
        app_client, balrog_admin):
    _create(app_client, balrog_admin)
    _put_locale(app_client, balrog_admin, "de", data_version=1, extv="a")
    response = _put_locale(app_client, balrog_admin, "de", data_version=1, extv="b")
    assert response.status_code == 400
    assert json.loads(response.body)["detail"] == "UpdateMergeError"


def test_given_10_concurrent_locale_uploads_from_one_version_then_all_land(app_client, balrog_admin, atomic_dynamodb):
    _create(app_client, balrog_admin)
    statuses: list[int] = []
    start = threading.Barrier(10)

    def upload(n: int) -> None:
        start.wait()
        statuses.append(_put_locale(app_client, balrog_admin, f"l{n}", data_version=1).status_code)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 10
    blob = json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body)
    assert len(blob["platforms"]["linux-x86_64"]["locales"]) == 10


def test_given_a_post_to_an_existing_release_then_top_level_fields_merge_in(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    response = app_client.http.post(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"product": "Firefox", "data": json.dumps({"appv": "52.0"}), "data_version": 1, "schema_version": 1}))
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 2}
    blob = json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body)
    assert blob["appv"] == "52.0" and blob["hashFunction"] == "sha512"


def test_given_a_post_with_another_product_then_400(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    response = app_client.http.post(f"{API}/releases/{NAME}", headers=balrog_admin, body=json.dumps(
        {"product": "Thunderbird", "data": "{}", "data_version": 1, "schema_version": 1}))
    assert response.status_code == 400


def test_given_release_locale_permission_then_locales_can_change_but_not_the_whole_blob(
        app_client, balrog_admin, balrog_user):
    _create(app_client, balrog_admin)
    headers = balrog_user("l10n", release_locale={"products": ["Firefox"]})
    assert _put_locale(app_client, headers, "de", data_version=1).status_code == 201
    response = app_client.http.put(f"{API}/releases/{NAME}", headers=headers, body=json.dumps(
        {"name": NAME, "product": "Firefox", "blob": json.dumps(_blob()), "data_version": 2}))
    assert response.status_code == 403


def test_given_changes_when_release_revisions_listed_then_newest_first_without_blobs(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    _put_locale(app_client, balrog_admin, "de", data_version=1)
    body = json.loads(app_client.http.get(f"{API}/releases/{NAME}/revisions", headers=balrog_admin).body)
    assert body["count"] == 2
    assert [r["data_version"] for r in body["revisions"]] == [2, 1]
    assert "blob_key" not in body["revisions"][0] and body["revisions"][0]["changed_by"] == "admin"


def test_given_an_earlier_revision_when_reverted_then_its_blob_returns_as_a_new_version(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    _put_locale(app_client, balrog_admin, "de", data_version=1)
    first = json.loads(app_client.http.get(f"{API}/releases/{NAME}/revisions", headers=balrog_admin).body)[
        "revisions"][-1]
    response = app_client.http.post(f"{API}/releases/{NAME}/revisions", headers=balrog_admin,
                                    body=json.dumps({"change_id": first["change_id"]}))
    assert response.status_code == 200 and json.loads(response.body) == {"new_data_version": 3}
    assert json.loads(app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).body) == _blob()


def test_given_a_change_id_of_a_rule_when_reverting_a_release_then_400(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    rule_id = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(
        {"priority": 1, "backgroundRate": 100, "update_type": "minor", "mapping": NAME})).body
    change_id = json.loads(app_client.http.get(f"{API}/rules/{int(rule_id)}/revisions", headers=balrog_admin).body)[
        "rules"][0]["change_id"]
    response = app_client.http.post(f"{API}/releases/{NAME}/revisions", headers=balrog_admin,
                                    body=json.dumps({"change_id": change_id}))
    assert response.status_code == 400


def _blob_of(client, headers, name=NAME) -> dict:
    return json.loads(client.http.get(f"{API}/releases/{name}", headers=headers).body)


def test_given_copy_to_a_missing_release_when_a_locale_is_put_then_both_releases_get_it(app_client, balrog_admin):
    # given
    body = json.loads(_locale_body())
    # when
    response = app_client.http.put(f"{API}/releases/{NAME}/builds/linux/de", headers=balrog_admin,
                                   body=json.dumps({**body, "copyTo": json.dumps(["Firefox-52.0-latest"])}))
    # then
    assert response.status_code == 201
    for name in (NAME, "Firefox-52.0-latest"):
        blob = _blob_of(app_client, balrog_admin, name)
        assert blob["name"] == name
        assert blob["platforms"]["linux"]["locales"]["de"] == {"buildID": "20170101000000"}


def test_given_copy_to_an_existing_release_then_it_is_written_at_its_own_current_version(app_client, balrog_admin):
    # given: the copy target is at version 2, the primary at 1
    _put_locale(app_client, balrog_admin, "en-US")
    app_client.http.put(f"{API}/releases/Firefox-latest/builds/linux-x86_64/fr", headers=balrog_admin,
                        body=_locale_body())
    app_client.http.put(f"{API}/releases/Firefox-latest/builds/linux-x86_64/it", headers=balrog_admin,
                        body=_locale_body(data_version=2))
    # when
    response = app_client.http.put(f"{API}/releases/{NAME}/builds/linux-x86_64/de", headers=balrog_admin,
                                   body=json.dumps({**json.loads(_locale_body(data_version=2)),
                                                    "copyTo": ["Firefox-latest"]}))
    # then
    assert response.status_code == 201 and json.loads(response.body) == {"new_data_version": 3}
    locales = _blob_of(app_client, balrog_admin, "Firefox-latest")["platforms"]["linux-x86_64"]["locales"]
    assert sorted(locales) == ["de", "fr", "it"]


def test_given_copy_to_a_read_only_release_then_403_and_nothing_is_written(app_client, balrog_admin):
    # given
    _put_locale(app_client, balrog_admin, "en-US")
    app_client.http.put(f"{API}/releases/Frozen/builds/linux-x86_64/en-US", headers=balrog_admin, body=_locale_body())
    app_client.http.put(f"{API}/releases/Frozen/read_only", headers=balrog_admin,
                        body=json.dumps({"read_only": True, "data_version": 2}))
    # when
    response = app_client.http.put(f"{API}/releases/{NAME}/builds/linux-x86_64/de", headers=balrog_admin,
                                   body=json.dumps({**json.loads(_locale_body(data_version=2)), "copyTo": ["Frozen"]}))
    # then
    assert response.status_code == 403
    assert "de" not in _blob_of(app_client, balrog_admin)["platforms"]["linux-x86_64"]["locales"]


def test_given_copy_to_a_product_the_user_may_not_change_then_403_and_nothing_is_written(
        app_client, balrog_admin, balrog_user):
    # given
    app_client.http.put(f"{API}/releases/Tb-52/builds/linux/en-US", headers=balrog_admin,
                        body=_locale_body(product="Thunderbird"))
    firefox_only = balrog_user("ff", release={"products": ["Firefox"]})
    # when
    response = app_client.http.put(f"{API}/releases/{NAME}/builds/linux/de", headers=firefox_only,
                                   body=json.dumps({**json.loads(_locale_body()), "copyTo": ["Tb-52"]}))
    # then
    assert response.status_code == 403
    assert app_client.http.get(f"{API}/releases/{NAME}", headers=balrog_admin).status_code == 404


def test_given_aliases_when_a_locale_is_put_then_new_alias_platforms_point_at_the_platform(app_client, balrog_admin):
    # given
    _put_locale(app_client, balrog_admin, "en-US", platform="WINNT_x86-msvc")
    body = {**json.loads(_locale_body(data_version=1)), "alias": json.dumps(["WINNT_x86-msvc-x86", "WINNT_x86-msvc"])}
    # when
    app_client.http.put(f"{API}/releases/{NAME}/builds/WINNT_x86-msvc/de", headers=balrog_admin, body=json.dumps(body))
    # then
    platforms = _blob_of(app_client, balrog_admin)["platforms"]
    assert platforms["WINNT_x86-msvc-x86"] == {"alias": "WINNT_x86-msvc"}
    assert sorted(platforms["WINNT_x86-msvc"]["locales"]) == ["de", "en-US"]  # not redefined as an alias


def test_given_an_aliased_platform_when_a_locale_is_put_to_it_then_the_data_goes_to_its_target(
        app_client, balrog_admin):
    # given
    _put_locale(app_client, balrog_admin, "en-US", platform="WINNT_x86-msvc")
    app_client.http.put(f"{API}/releases/{NAME}/builds/WINNT_x86-msvc/fr", headers=balrog_admin, body=json.dumps(
        {**json.loads(_locale_body(data_version=1)), "alias": ["WINNT_x86-msvc-x86"]}))
    # when
    app_client.http.put(f"{API}/releases/{NAME}/builds/WINNT_x86-msvc-x86/de", headers=balrog_admin,
                        body=_locale_body(data_version=2))
    # then
    platforms = _blob_of(app_client, balrog_admin)["platforms"]
    assert platforms["WINNT_x86-msvc-x86"] == {"alias": "WINNT_x86-msvc"}
    assert sorted(platforms["WINNT_x86-msvc"]["locales"]) == ["de", "en-US", "fr"]


def test_given_copy_to_that_is_not_a_list_then_400(app_client, balrog_admin):
    response = app_client.http.put(f"{API}/releases/{NAME}/builds/linux/de", headers=balrog_admin,
                                   body=json.dumps({**json.loads(_locale_body()), "copyTo": "{\"a\": 1}"}))
    assert response.status_code == 400


def test_given_releases_when_a_column_is_asked_then_its_distinct_values_and_count(app_client, balrog_admin):
    _create(app_client, balrog_admin)
    _create(app_client, balrog_admin, name="Thunderbird-52.0", product="Thunderbird")
    _create(app_client, balrog_admin, name="Firefox-53.0", product="Firefox")
    response = json.loads(app_client.http.get(f"{API}/releases/columns/product", headers=balrog_admin).body)
    assert response["count"] == 2 and sorted(response["product"]) == ["Firefox", "Thunderbird"]


def test_given_an_unknown_release_column_then_404(app_client, balrog_admin):
    assert app_client.http.get(f"{API}/releases/columns/data", headers=balrog_admin).status_code == 404


def test_given_a_locale_when_head_requested_then_the_release_data_version(app_client, balrog_admin):
    _put_locale(app_client, balrog_admin, "de")
    response = app_client.http.request("HEAD", f"{API}/releases/{NAME}/builds/linux-x86_64/de", headers=balrog_admin)
    assert response.status_code == 200 and response.headers["X-Data-Version"] == "2"  # created, then the locale
