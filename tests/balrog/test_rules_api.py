"""The Balrog admin API's rules endpoints under /balrog/api, as balrogclient uses them."""

from __future__ import annotations

import json
import threading

import pytest

API = "/balrog/api"
RULE = {"priority": 100, "backgroundRate": 100, "update_type": "minor", "product": "Firefox",
        "channel": "release", "mapping": "Firefox-52.0-build1"}


@pytest.fixture(autouse=True)
def mapped(balrog_releases):
    """The releases these tests' rules map to (Balrog: "Invalid mapping value. No release name found in DB")."""
    balrog_releases("Firefox-52.0-build1", "Firefox-53.0", "a", "b", "c", "x", "z", "bad",
                    *(f"writer-{n}" for n in range(20)), *(f"m{n}" for n in range(1, 6)))


@pytest.fixture
def create(app_client, balrog_admin):
    def _create(headers=None, **fields) -> int:
        response = app_client.http.post(f"{API}/rules", headers=headers or balrog_admin,
                                        body=json.dumps({**RULE, **fields}))
        assert response.status_code == 200, response.body
        return int(response.body)

    return _create


def _get(app_client, headers, path):
    return app_client.http.get(f"{API}{path}", headers=headers)


def test_given_no_token_when_listing_rules_then_401_problem(app_client):
    response = app_client.http.get(f"{API}/rules")
    assert response.status_code == 401
    body = json.loads(response.body)
    assert body["status"] == 401 and body["title"] == "Unauthenticated" and body["detail"]


def test_given_an_unknown_token_when_listing_rules_then_401(app_client, aws):
    response = app_client.http.get(f"{API}/rules", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_given_a_new_rule_when_posted_then_the_body_is_its_id_and_it_can_be_read(app_client, balrog_admin, create):
    rule_id = create()
    response = _get(app_client, balrog_admin, f"/rules/{rule_id}")
    assert response.status_code == 200
    assert response.headers["X-Data-Version"] == "1"
    rule = json.loads(response.body)
    assert rule["mapping"] == "Firefox-52.0-build1" and rule["rule_id"] == rule_id
    assert rule["osVersion"] is None


def test_given_a_rule_when_head_requested_then_x_data_version_without_body(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.request("HEAD", f"{API}/rules/{rule_id}", headers=balrog_admin)
    assert response.status_code == 200
    assert response.headers["X-Data-Version"] == "1"


def test_given_an_alias_when_read_by_alias_then_the_rule_is_found(app_client, balrog_admin, create):
    rule_id = create(alias="firefox-release")
    assert json.loads(_get(app_client, balrog_admin, "/rules/firefox-release").body)["rule_id"] == rule_id


def test_given_a_taken_alias_when_creating_then_400(app_client, balrog_admin, create):
    create(alias="taken")
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps({**RULE, "alias": "taken"}))
    assert response.status_code == 400


def test_given_an_unknown_rule_when_read_then_404_problem(app_client, balrog_admin):
    response = _get(app_client, balrog_admin, "/rules/999")
    assert response.status_code == 404
    assert json.loads(response.body)["status"] == 404


def test_given_rules_when_listed_then_priority_desc_then_version_then_mapping(app_client, balrog_admin, create):
    create(priority=10, mapping="b")
    create(priority=90, mapping="z")
    create(priority=10, mapping="a")
    create(priority=10, version="52.0", mapping="c")
    body = json.loads(_get(app_client, balrog_admin, "/rules").body)
    assert body["count"] == 4
    assert [r["mapping"] for r in body["rules"]] == ["z", "a", "b", "c"]


def test_given_a_product_filter_when_listed_then_only_that_products_rules(app_client, balrog_admin, create):
    create(product="Firefox")
    create(product="Thunderbird")
    body = json.loads(_get(app_client, balrog_admin, "/rules?product=Thunderbird").body)
    assert [r["product"] for r in body["rules"]] == ["Thunderbird"]


def test_given_missing_required_fields_when_creating_then_400(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps({"mapping": "x"}))
    assert response.status_code == 400


def test_given_a_background_rate_over_100_when_creating_then_400(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin,
                                    body=json.dumps({**RULE, "backgroundRate": 101}))
    assert response.status_code == 400


def test_given_the_current_version_when_put_then_new_data_version(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin,
                                   body=json.dumps({"mapping": "Firefox-53.0", "data_version": 1}))
    assert response.status_code == 200
    assert json.loads(response.body) == {"new_data_version": 2}
    assert json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}").body)["mapping"] == "Firefox-53.0"


def test_given_a_stale_version_when_posted_then_400(app_client, balrog_admin, create):
    rule_id = create()
    app_client.http.post(f"{API}/rules/{rule_id}", headers=balrog_admin,
                         body=json.dumps({"mapping": "b", "data_version": 1}))
    response = app_client.http.post(f"{API}/rules/{rule_id}", headers=balrog_admin,
                                    body=json.dumps({"mapping": "c", "data_version": 1}))
    assert response.status_code == 400
    assert json.loads(response.body)["detail"] == "OutdatedDataError"


def test_given_no_data_version_when_changing_then_400(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin, body=json.dumps({"mapping": "b"}))
    assert response.status_code == 400


def test_given_20_concurrent_writers_at_one_rule_then_one_succeeds_and_the_others_get_400(
        app_client, balrog_admin, create, atomic_dynamodb):
    rule_id = create()
    statuses: list[int] = []
    start = threading.Barrier(20)

    def write(n: int) -> None:
        start.wait()
        response = app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin,
                                       body=json.dumps({"mapping": f"writer-{n}", "data_version": 1}))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [400] * 19


def test_given_the_current_version_when_deleted_then_the_rule_is_gone(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.delete(f"{API}/rules/{rule_id}?data_version=1", headers=balrog_admin)
    assert response.status_code == 200
    assert _get(app_client, balrog_admin, f"/rules/{rule_id}").status_code == 404


def test_given_a_stale_version_when_deleted_then_400_and_the_rule_stays(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.delete(f"{API}/rules/{rule_id}?data_version=5", headers=balrog_admin)
    assert response.status_code == 400
    assert _get(app_client, balrog_admin, f"/rules/{rule_id}").status_code == 200


def test_given_changes_when_revisions_listed_then_newest_first_with_count_and_paging(app_client, balrog_admin, create):
    rule_id = create()
    for version in (1, 2, 3):
        app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin,
                            body=json.dumps({"mapping": f"m{version}", "data_version": version}))
    body = json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}/revisions?page=1&limit=2").body)
    assert body["count"] == 4
    assert [r["data_version"] for r in body["rules"]] == [4, 3]
    assert body["rules"][0]["changed_by"] == "admin" and body["rules"][0]["mapping"] == "m3"
    page2 = json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}/revisions?page=2&limit=2").body)
    assert [r["data_version"] for r in page2["rules"]] == [2, 1]


def test_given_an_earlier_change_when_reverted_then_its_values_return_as_a_new_version(
        app_client, balrog_admin, create):
    rule_id = create()
    app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin,
                        body=json.dumps({"mapping": "bad", "channel": "beta", "data_version": 1}))
    revisions = json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}/revisions").body)["rules"]
    first = next(r for r in revisions if r["data_version"] == 1)
    response = app_client.http.post(f"{API}/rules/{rule_id}/revisions", headers=balrog_admin,
                                    body=json.dumps({"change_id": first["change_id"]}))
    assert response.status_code == 200 and response.body == b"Excellent!"  # Balrog's revert_to_older_revision
    rule = json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}").body)
    assert (rule["mapping"], rule["channel"], rule["data_version"]) == ("Firefox-52.0-build1", "release", 3)


def test_given_a_change_of_another_rule_when_reverting_then_400(app_client, balrog_admin, create):
    first, second = create(), create()
    other = json.loads(_get(app_client, balrog_admin, f"/rules/{second}/revisions").body)["rules"][0]["change_id"]
    response = app_client.http.post(f"{API}/rules/{first}/revisions", headers=balrog_admin,
                                    body=json.dumps({"change_id": other}))
    assert response.status_code == 400


def test_given_no_change_id_when_reverting_then_400(app_client, balrog_admin, create):
    rule_id = create()
    response = app_client.http.post(f"{API}/rules/{rule_id}/revisions", headers=balrog_admin, body="{}")
    assert response.status_code == 400


def test_given_an_unknown_rule_when_reverting_then_404(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules/999/revisions", headers=balrog_admin,
                                    body=json.dumps({"change_id": 1}))
    assert response.status_code == 404


def test_given_rules_when_a_column_is_asked_then_its_distinct_values_and_count(app_client, balrog_admin, create):
    create(product="Firefox")
    create(product="Firefox")
    create(product="Thunderbird")
    body = json.loads(_get(app_client, balrog_admin, "/rules/columns/product").body)
    assert body["count"] == 2 and sorted(body["product"]) == ["Firefox", "Thunderbird"]


def test_given_an_unknown_column_when_asked_then_404(app_client, balrog_admin):
    assert _get(app_client, balrog_admin, "/rules/columns/colour").status_code == 404


def test_given_a_user_without_rule_permission_when_creating_then_403(app_client, balrog_user):
    headers = balrog_user("bob", release=None)
    response = app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(RULE))
    assert response.status_code == 403
    assert json.loads(response.body)["status"] == 403


def test_given_a_rule_permission_for_another_product_when_creating_then_403(app_client, balrog_user):
    headers = balrog_user("bob", rule={"products": ["Thunderbird"]})
    response = app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(RULE))
    assert response.status_code == 403


def test_given_a_modify_only_permission_when_deleting_then_403_and_modifying_works(
        app_client, balrog_user, create):
    rule_id = create()
    headers = balrog_user("bob", rule={"actions": ["modify"], "products": ["Firefox"]})
    assert app_client.http.delete(f"{API}/rules/{rule_id}?data_version=1", headers=headers).status_code == 403
    response = app_client.http.put(f"{API}/rules/{rule_id}", headers=headers,
                                   body=json.dumps({"mapping": "x", "data_version": 1}))
    assert response.status_code == 200


def test_given_moving_a_rule_to_a_product_not_allowed_then_403(app_client, balrog_user, create):
    rule_id = create()
    headers = balrog_user("bob", rule={"products": ["Firefox"]})
    response = app_client.http.put(f"{API}/rules/{rule_id}", headers=headers,
                                   body=json.dumps({"product": "Thunderbird", "data_version": 1}))
    assert response.status_code == 403


def test_given_a_csrf_token_request_then_empty_200_with_the_header(app_client, balrog_admin):
    response = _get(app_client, balrog_admin, "/csrf_token")
    assert response.status_code == 200 and response.headers["X-CSRF-Token"]


def test_given_a_rule_when_read_by_id_or_alias_then_it_costs_only_getitems(app_client, balrog_admin, create, aws_calls):
    rule_id = create(alias="nightly")
    aws_calls.clear()
    _get(app_client, balrog_admin, f"/rules/{rule_id}")
    by_id = [op for _, op in aws_calls]
    aws_calls.clear()
    _get(app_client, balrog_admin, "/rules/nightly")
    by_alias = [op for _, op in aws_calls]
    assert by_id == ["GetItem", "GetItem"]  # the token, the rule
    assert by_alias == ["GetItem", "GetItem", "GetItem"]  # the token, the alias claim, the rule


def test_given_a_body_that_is_not_json_when_creating_then_400_problem(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body="{not json")
    assert response.status_code == 400
    assert json.loads(response.body)["title"] == "Bad Request"


def test_given_a_csrf_token_field_in_the_body_then_it_is_ignored(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin,
                                    body=json.dumps({**RULE, "csrf_token": "abc"}))
    assert response.status_code == 200


def test_given_a_version_the_matcher_cannot_read_when_creating_then_400(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin,
                                    body=json.dumps({**RULE, "version": ">=52.0,53.0"}))
    assert response.status_code == 400
    assert "version" in json.loads(response.body)["detail"]


def test_given_numbers_as_strings_when_creating_then_they_are_stored_as_numbers(app_client, balrog_admin, create):
    rule_id = create(priority="90", backgroundRate="50")
    rule = json.loads(_get(app_client, balrog_admin, f"/rules/{rule_id}").body)
    assert (rule["priority"], rule["backgroundRate"]) == (90, 50)


@pytest.mark.parametrize("path", ["/rules", "/rules/columns/product", "/releases", "/users"])
def test_given_rows_when_listing_everything_then_dynamodb_is_queried_not_scanned(
        app_client, balrog_admin, create, aws_calls, path):
    # given a few rules
    for priority in (10, 20, 30):
        create(priority=priority)
    # when a whole listing is read
    aws_calls.clear()
    response = _get(app_client, balrog_admin, path)
    # then no call reads the whole table
    assert response.status_code == 200, response.body
    operations = [op for service, op in aws_calls if service == "dynamodb"]
    assert "Scan" not in operations and "Query" in operations


@pytest.mark.parametrize("query", ["page=0", "limit=0"])
def test_given_page_or_limit_zero_when_revisions_listed_then_400(app_client, balrog_admin, create, query):
    rule_id = create()
    response = _get(app_client, balrog_admin, f"/rules/{rule_id}/revisions?{query}")
    assert response.status_code == 400


def test_given_a_fractional_background_rate_when_creating_then_400_not_truncated(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin,
                                    body=json.dumps({**RULE, "backgroundRate": 2.5}))
    assert response.status_code == 400
    assert "backgroundRate" in json.loads(response.body)["detail"]


def test_given_an_integral_json_number_when_creating_then_it_is_the_integer(app_client, balrog_admin):
    response = app_client.http.post(f"{API}/rules", headers=balrog_admin,
                                    body=json.dumps({**RULE, "backgroundRate": 50.0}))
    assert response.status_code == 200
    rule = _get(app_client, balrog_admin, f"/rules/{int(response.body)}").json_body
    assert rule["backgroundRate"] == 50


@pytest.mark.parametrize("constant", ["Infinity", "NaN"])
def test_given_a_non_json_number_constant_in_the_body_then_400_not_a_server_error(
        app_client, balrog_admin, create, constant):
    rule_id = create()
    response = app_client.http.put(f"{API}/rules/{rule_id}", headers=balrog_admin,
                                   body=f'{{"backgroundRate": 50, "data_version": {constant}}}')
    assert response.status_code == 400
    assert json.loads(response.body)["detail"] == "The body is not valid JSON."
