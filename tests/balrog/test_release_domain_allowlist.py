"""Release writes refused when a blob's download URL is not allowlisted for the release's product.

Derived from Balrog's ``tests/admin/views/test_releases.py`` in
mozilla-releng/balrog (``testReleasePostRejectedURL``,
``testLocaleRejectedURL``), on its ``tests/admin/views/base.py`` allowlist
``{"good.com": ("a", "b", "c", "d")}``. Balrog's cases send a ``complete``
holding only ``fileUrl``, which its schema already refuses; here the
complete is whole, so the allowlist alone decides. The answers are those of
Balrog's views for the ``ValueError("Blob contains forbidden domain(s)")``
raised by ``Blob.validate(product, allowlistedDomains)``.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.balrog.domains import contains_forbidden_domain

API = "/balrog/api"
FORBIDDEN = ["Blob contains forbidden domain(s)"]


def _complete(url: str) -> dict:
    return {"filesize": 1234, "from": "*", "hashValue": "abc", "fileUrl": url}


def _blob(name: str, url: str | None = None) -> dict:
    blob = {"name": name, "schema_version": 1, "hashFunction": "sha512", "platforms": {}}
    if url:
        blob["platforms"] = {"p": {"buildID": "5", "locales": {"l": {"complete": _complete(url)}}}}
    return blob


@pytest.fixture
def good_com(app_client, balrog_admin, monkeypatch):
    """Balrog's test allowlist, and release d of product d written through the API."""
    monkeypatch.setenv("SHIPYARD_BALROG_ALLOWLIST", json.dumps({"good.com": ["a", "b", "c", "d"]}))
    created = _send(app_client, balrog_admin, "post", "/releases",
                    {"name": "d", "product": "d", "blob": json.dumps(_blob("d", "http://good.com/d"))})
    assert created.status_code == 201, created.body
    return balrog_admin


def _send(client, headers, method, path, body):
    return getattr(client.http, method)(f"{API}{path}", headers=headers, body=json.dumps(body))


def _refusal(response) -> tuple[int, str, list]:
    body = json.loads(response.body)
    return response.status_code, body.get("detail"), body.get("exception", body)


def _data_version(client, headers, name: str) -> str:
    return client.http.get(f"{API}/releases/{name}", headers=headers).headers["X-Data-Version"]


def test_given_an_evil_url_when_merged_into_a_release_then_400_and_the_release_is_unchanged(app_client, good_com):
    """Upstream: testReleasePostRejectedURL (POST /releases/d)."""
    data = {"platforms": {"p": {"locales": {"f": {"complete": _complete("http://evil.com")}}}}}
    response = _send(app_client, good_com, "post", "/releases/d",
                     {"data": json.dumps(data), "product": "d", "data_version": 1})
    assert _refusal(response) == (400, "Couldn't update release: Blob contains forbidden domain(s)", FORBIDDEN)
    assert _data_version(app_client, good_com, "d") == "1"


def test_given_an_evil_url_when_a_locale_is_put_then_400(app_client, good_com):
    """Upstream: testLocaleRejectedURL (PUT /releases/ab/builds/p/l, here on release d)."""
    response = _send(app_client, good_com, "put", "/releases/d/builds/p/l",
                     {"data": json.dumps({"complete": _complete("http://evil.com")}), "product": "d",
                      "data_version": 1})
    assert _refusal(response) == (400, "Couldn't update release: Blob contains forbidden domain(s)", FORBIDDEN)
    assert _data_version(app_client, good_com, "d") == "1"


def test_given_an_allowlisted_host_of_another_product_when_a_release_is_created_then_400(app_client, good_com):
    """good.com serves products a–d only: a release of product z may not point there (Balrog's create view)."""
    response = _send(app_client, good_com, "post", "/releases",
                     {"name": "z", "product": "z", "blob": json.dumps(_blob("z", "http://good.com/z"))})
    assert _refusal(response) == (400, "Couldn't create release", FORBIDDEN)
    assert app_client.http.get(f"{API}/releases/z", headers=good_com).status_code == 404


def test_given_an_evil_url_when_a_release_is_put_then_400_and_an_allowlisted_one_is_200(app_client, good_com):
    """Balrog's ``update_release`` view: 400 "Couldn't update release" with the ValueError's args."""
    evil = _send(app_client, good_com, "put", "/releases/d",
                 {"product": "d", "blob": json.dumps(_blob("d", "https://evil.com/d")), "data_version": 1})
    assert _refusal(evil) == (400, "Couldn't update release", FORBIDDEN)
    good = _send(app_client, good_com, "put", "/releases/d",
                 {"product": "d", "blob": json.dumps(_blob("d", "https://good.com/d2")), "data_version": 1})
    assert good.status_code == 200


def test_given_an_evil_url_when_a_release_change_is_scheduled_then_400(app_client, good_com):
    """Balrog enacts a scheduled release change through ``Releases.insert/update``, which validate the blob;
    Shipyard makes that check when the change is scheduled, in the words of Balrog's ValueError handler."""
    from chalicelib.store.versioned import now_ms

    response = _send(app_client, good_com, "post", "/scheduled_changes/releases",
                     {"when": now_ms() + 3_600_000, "change_type": "insert", "name": "m", "product": "a",
                      "data": json.dumps(_blob("m", "http://evil.com/m"))})
    assert _refusal(response) == (400, "Unknown error", "Blob contains forbidden domain(s)")


def test_given_blobs_of_each_shape_then_every_download_url_is_checked_and_pages_are_not():
    """Balrog's ``containsForbiddenDomain`` per blob class: v4+ ``fileUrls`` nested by channel and patch,
    v3+ ``partials``/``completes``, GMP mirrors, system add-ons; a desupport ``detailsURL`` is exempt."""
    allow = {"good.com": ("a",)}
    nested = {"schema_version": 4, "fileUrls": {"c": {"completes": {"*": "http://evil.com/x"}}}}
    partials = {"schema_version": 3, "platforms": {"p": {"locales": {"l": {
        "partials": [{"fileUrl": "http://good.com/p"}, {"fileUrl": "http://evil.com/p"}]}}}}}
    gmp = {"schema_version": 1000, "vendors": {"v": {"platforms": {"p": {
        "fileUrl": "http://good.com/g", "mirrorUrls": ["http://evil.com/g"]}}}}}
    addons = {"schema_version": 5000, "addons": {"x": {"platforms": {"p": {"fileUrl": "http://evil.com/x"}}}}}
    desupport = {"schema_version": 50, "detailsURL": "http://evil.com/"}
    for blob in (nested, partials, gmp, addons):
        assert contains_forbidden_domain(blob, "a", allow), blob
    assert not contains_forbidden_domain(desupport, "a", allow)
    assert not contains_forbidden_domain({"schema_version": 4, "fileUrls": {"c": {"completes": {
        "*": "http://good.com/x"}}}}, "a", allow)


def test_given_an_evil_url_when_merged_into_a_new_release_or_copied_then_nothing_is_written(app_client, good_com):
    """Balrog's ``transactionHandler`` rolls the request back on any 4xx: a refused merge creates no release,
    and a refusal of one ``copyTo`` target leaves the others unwritten."""
    data = {"platforms": {"p": {"locales": {"f": {"complete": _complete("http://evil.com")}}}}}
    new = _send(app_client, good_com, "post", "/releases/n",
                {"data": json.dumps(data), "product": "z", "schema_version": 1, "hashFunction": "sha512"})
    assert _refusal(new) == (400, "Couldn't update release: Blob contains forbidden domain(s)", FORBIDDEN)
    assert app_client.http.get(f"{API}/releases/n", headers=good_com).status_code == 404
    from chalicelib.store.balrog_releases import releases

    releases.create("w", "d", _blob("w", "http://evil.com/w"), "setup")  # stored below the API, as Balrog's tests do
    good = {"complete": _complete("http://good.com/g")}
    copied = _send(app_client, good_com, "put", "/releases/d/builds/p/g",
                   {"data": json.dumps(good), "product": "d", "data_version": 1, "copyTo": json.dumps(["w"])})
    assert _refusal(copied) == (400, "Couldn't update release: Blob contains forbidden domain(s)", FORBIDDEN)
    assert _data_version(app_client, good_com, "d") == "1"


def test_given_a_host_dropped_from_the_allowlist_when_a_release_is_reverted_to_a_blob_using_it_then_400(
        app_client, good_com, monkeypatch):
    """Upstream: Balrog's revert (web/admin/views/history.py ``HistoryView.revert_to_revision``) writes the old
    blob through ``Releases.update``, which runs ``blob.validate(product, domainAllowlist)``; its ValueError is
    the app's 400 "Unknown error". A revert must not bring back a download host the allowlist no longer has."""
    # given release d moved from good.com to new.com, then good.com dropped from the allowlist
    monkeypatch.setenv("SHIPYARD_BALROG_ALLOWLIST", json.dumps({"good.com": ["d"], "new.com": ["d"]}))
    moved = _send(app_client, good_com, "put", "/releases/d",
                  {"product": "d", "blob": json.dumps(_blob("d", "http://new.com/d")), "data_version": 1})
    assert moved.status_code == 200, moved.body
    monkeypatch.setenv("SHIPYARD_BALROG_ALLOWLIST", json.dumps({"new.com": ["d"]}))
    revisions = json.loads(app_client.http.get(f"{API}/releases/d/revisions", headers=good_com).body)["revisions"]
    first = next(r for r in revisions if r["data_version"] == 1)
    # when it is reverted to its first blob
    response = _send(app_client, good_com, "post", "/releases/d/revisions", {"change_id": first["change_id"]})
    # then the revert is refused and the release keeps its current blob
    assert _refusal(response) == (400, "Unknown error", "Blob contains forbidden domain(s)")
    assert _data_version(app_client, good_com, "d") == "2"
