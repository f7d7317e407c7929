"""The production-shaped world of the differential corpus, over HTTP and the store.

tests/test_balrog_update_differential.py compares every corpus answer through
the same decision code with in-memory sources; this test loads one world,
the production-shaped Firefox one (Balrog's tests/data releases: Firefox
54–100 with their partials, CDM and system add-on blobs, under
production-like rules), through the admin API into the store, and asks its
URLs (every other one, to bound the time) through Chalice's test client with
the deployment's allowlist, as Firefox would: the store-backed path must give
Balrog's answers too.
"""

from __future__ import annotations

import json

import pytest

from chalicelib.store import balrog_update_cache
from chalicelib.store.balrog_rules import rules
from tests.test_balrog_update_differential import CORPUS

API = "/balrog/api"
WORLD = next(world for world in CORPUS["worlds"] if world["name"].startswith("production-shaped"))
RULE_COLUMNS = ("priority", "backgroundRate", "update_type", "product", "mapping", "fallbackMapping", "channel",
                "version", "buildID", "buildTarget", "locale", "osVersion", "distribution", "distVersion",
                "instructionSet", "memory", "mig64", "jaws", "headerArchitecture")


@pytest.fixture
def production_world(app_client, balrog_admin, monkeypatch):
    monkeypatch.setenv("SHIPYARD_BALROG_ALLOWLIST", json.dumps(WORLD["config"]["allowlist"]))
    monkeypatch.setenv("SHIPYARD_BALROG_FORCE_HOSTS", json.dumps(WORLD["config"]["special_force_hosts"]))
    monkeypatch.setattr("chalicelib.balrog.evaluation._roll", lambda: WORLD["roll"])
    balrog_update_cache.clear()
    for name, release in WORLD["releases"].items():
        response = app_client.http.post(f"{API}/releases", headers=balrog_admin, body=json.dumps(
            {"name": name, "product": release["product"], "blob": json.dumps(release["blob"])}))
        assert response.status_code == 201, response.body
    for rule in sorted(WORLD["rules"], key=lambda rule: rule["rule_id"]):
        fields = {key: rule[key] for key in RULE_COLUMNS if rule.get(key) is not None}
        if fields.get("mapping") is None:  # Balrog's admin API refuses a rule that maps nowhere: store it directly
            rules.create(fields, "setup")
            continue
        response = app_client.http.post(f"{API}/rules", headers=balrog_admin, body=json.dumps(fields))
        assert response.status_code == 200, response.body
    yield
    balrog_update_cache.clear()


def test_given_the_production_world_in_the_store_when_firefox_asks_then_every_answer_is_balrogs(
        app_client, production_world):
    disagreements = []
    for case in WORLD["cases"][::2]:  # alias-family partials and sampled queries alike, half the time
        if case["status"] == 500:
            continue
        headers = {"User-Agent": case["user_agent"]} if case["user_agent"] else {}
        response = app_client.http.get("/balrog" + case["url"], headers=headers)
        got = (response.status_code, response.headers.get("Content-Type"), response.body.decode())
        if got != (case["status"], case["content_type"], case["body"]):
            disagreements.append((case["url"], case["status"], case["body"][:300], got[0], got[2][:300]))
    assert disagreements == []
