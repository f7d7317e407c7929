"""Every world of the differential corpus, over HTTP and the store.

tests/balrog/test_update_differential.py compares every corpus answer through
the same decision code with in-memory sources; this test loads each world
through the admin API into the store (moto) and asks every fourth of its URLs
through Chalice's test client with the world's allowlist, as a client would:
the store-backed path must give Balrog's answers too.

Balrog's test data inserts some releases straight into its database under a
name their blob does not carry (a superblob named "superblob" stored as
"gmp"); Balrog's admin API, like Shipyard's, refuses that, so the blob is
given its release's name on the way in (no answer depends on it); a release
Balrog's admin API refuses (its schemas, or a URL outside the allowlist) is
stored below the API as Balrog's tests store it; and some
of its rules name products longer than Balrog's rule schema allows, which
both admin APIs refuse: the URLs of those products are not asked here.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.balrog.release_input import FORBIDDEN_DOMAIN
from chalicelib.store import balrog_update_cache
from chalicelib.store.balrog_releases import releases
from tests.balrog.test_update_differential import CORPUS

API = "/balrog/api"
RULE_COLUMNS = ("priority", "backgroundRate", "update_type", "product", "mapping", "fallbackMapping", "channel",
                "version", "buildID", "buildTarget", "locale", "osVersion", "distribution", "distVersion",
                "instructionSet", "memory", "mig64", "jaws", "headerArchitecture")
STEP = 4


def _load(app_client, headers: dict[str, str], world: dict) -> set[str]:
    """Store the world; the products whose rules Balrog's admin API (and so Shipyard's) refuses."""
    for name, release in world["releases"].items():
        blob = {**release["blob"], "name": name}
        response = app_client.http.post(f"{API}/releases", headers=headers, body=json.dumps(
            {"name": name, "product": release["product"], "blob": json.dumps(blob)}))
        refusal = json.loads(response.body) if response.status_code == 400 else {}
        if refusal.get("detail") == "Invalid Blob" or refusal.get("exception") == [FORBIDDEN_DOMAIN]:
            # Balrog's blob tests store such blobs below its admin API, which refuses them by its schemas
            # or, holding a URL not allowlisted for the product, by its domain allowlist
            releases.create(name, release["product"], blob, "setup")
            continue
        assert response.status_code == 201, response.body
    refused = set()
    for rule in sorted(world["rules"], key=lambda rule: rule["rule_id"]):
        fields = {key: rule[key] for key in RULE_COLUMNS if rule.get(key) is not None}
        response = app_client.http.post(f"{API}/rules", headers=headers, body=json.dumps(fields))
        if response.status_code == 400 and len(rule.get("product") or "") > 15:
            refused.add(rule["product"])  # Balrog's rule schema: a product of at most 15 characters
            continue
        assert response.status_code == 200, response.body
    return refused


@pytest.mark.parametrize("world", CORPUS["worlds"], ids=lambda world: world["name"].split(" (")[0].split()[-1])
def test_given_a_world_in_the_store_when_its_urls_are_asked_over_http_then_every_answer_is_balrogs(
        app_client, balrog_admin, monkeypatch, world):
    monkeypatch.setenv("SHIPYARD_BALROG_ALLOWLIST", json.dumps(world["config"]["allowlist"]))
    monkeypatch.setenv("SHIPYARD_BALROG_FORCE_HOSTS", json.dumps(world["config"]["special_force_hosts"]))
    monkeypatch.setattr("chalicelib.balrog.evaluation._roll", lambda: world["roll"])
    balrog_update_cache.clear()
    refused = _load(app_client, balrog_admin, world)
    disagreements = []
    for case in world["cases"][::STEP]:
        if case["status"] == 500 or case["url"].split("/")[3] in refused:
            continue
        headers = {"User-Agent": case["user_agent"]} if case["user_agent"] else {}
        response = app_client.http.get("/balrog" + case["url"], headers=headers)
        got = (response.status_code, response.headers.get("Content-Type"), response.body.decode())
        if got != (case["status"], case["content_type"], case["body"]):
            disagreements.append((case["url"], case["status"], case["body"][:300], got[0], got[2][:300]))
    balrog_update_cache.clear()
    assert disagreements == []
