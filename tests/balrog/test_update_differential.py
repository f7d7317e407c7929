"""The update endpoint, query by query, against Balrog's own answers.

The corpus (``tests/support/fixtures/balrog_update_corpus.json``) holds "worlds":
rules and releases taken from Balrog's test suite (mozilla-releng/balrog
``tests/web/test_client.py``: ClientTest, ClientTestMig64, ClientTestJaws,
ClientTestCompactXML; ``tests/blobs/test_apprelease.py`` and
``tests/blobs/test_gmp.py``: one world per blob-schema test class, each
release reachable through a rule of its own; ``tests/web/test_json.py``'s
Guardian database for the JSON endpoint) plus a production-shaped Firefox
world (Balrog's ``tests/data`` releases under production-like rules), each
with the allowlist and special force hosts its Balrog test configures.
Every case is an update URL (all six URL versions and both JSON versions,
force, mig64, pins, systemCapabilities, User-Agents) with the status,
content type and body Balrog answered it with, recorded from Balrog's public
app; the URLs of test_client.py itself come first in the ClientTest world.

Where Balrog itself fails (status 500 recorded), Shipyard's answer is
documented in docs/balrog.md and asserted here: 200 and well-formed XML
(a 404 on the JSON endpoint).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree import ElementTree

import pytest

from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.evaluation import Sources
from chalicelib.balrog.update_query import JSON_SEGMENTS, SEGMENTS
from chalicelib.balrog.update_response import HTML_TYPE, UpdateResponse, respond, respond_json
from chalicelib.balrog.update_xml import empty_update_xml

CORPUS = json.loads((Path(__file__).parents[1] / "support" / "fixtures" / "balrog_update_corpus.json").read_text())


def _world_sources(world: dict) -> tuple[Sources, RenderContext]:
    releases = world["releases"]

    def release(name: str):
        found = releases.get(name)
        return found["blob"] if found else None

    sources = Sources(rules_for=lambda product: world["rules"], release=release,
                      release_product=lambda name: (releases.get(name) or {}).get("product"),
                      roll=lambda: world["roll"])
    ctx = RenderContext(allowlist=world["config"]["allowlist"],
                        special_force_hosts=tuple(world["config"]["special_force_hosts"]),
                        lookup_release=release)
    return sources, ctx


def ask(world: dict, url: str, user_agent: str | None) -> UpdateResponse:
    """What Shipyard answers ``url``: the route of its URL version, or the no-such-path answer."""
    parts = urlsplit(url)
    segments = parts.path.split("/")[2:]  # "", "update" or "json", version, ..., "update.xml"/"update.json"
    version = int(segments[0]) if segments[0].isdigit() else None
    values = segments[1:-1]
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.path.startswith("/json/"):
        if version not in JSON_SEGMENTS or len(values) != len(JSON_SEGMENTS[version]):
            return UpdateResponse(404, HTML_TYPE, "")
        sources, ctx = _world_sources(world)
        named = {name: unquote(value) for name, value in zip(JSON_SEGMENTS[version], values, strict=True)}
        return respond_json(version, named, params, sources, ctx)
    if version not in SEGMENTS or len(values) != len(SEGMENTS[version]) or segments[-1] != "update.xml":
        return UpdateResponse(200, "text/xml; charset=utf-8", empty_update_xml())
    sources, ctx = _world_sources(world)
    named = {name: unquote(value) for name, value in zip(SEGMENTS[version], values, strict=True)}
    return respond(version, named, params, user_agent, sources, ctx)


CASES = [(world_index, case_index) for world_index, world in enumerate(CORPUS["worlds"])
         for case_index, _ in enumerate(world["cases"])]


def test_the_corpus_is_large_and_covers_every_url_version_and_blob_schema():
    urls = [case["url"] for world in CORPUS["worlds"] for case in world["cases"]]
    assert len(urls) >= 500
    assert {int(url.split("/")[2]) for url in urls if url.split("/")[2].isdigit()} >= set(range(1, 7))
    schemas = {release["blob"]["schema_version"] for world in CORPUS["worlds"]
               for release in world["releases"].values()}
    assert schemas >= {1, 2, 3, 4, 5, 6, 8, 9, 50, 1000, 4000, 5000, 10000}
    assert {url.split("/")[2] for url in urls if url.startswith("/json/")} == {"1", "2"}


def _chunks(size: int) -> list[list[tuple[int, int]]]:
    return [CASES[start:start + size] for start in range(0, len(CASES), size)]


@pytest.mark.parametrize("chunk", range(len(_chunks(100))))
def test_given_balrogs_corpus_when_each_url_is_asked_then_shipyard_answers_as_balrog(chunk):
    disagreements = []
    for world_index, case_index in _chunks(100)[chunk]:
        world = CORPUS["worlds"][world_index]
        case = world["cases"][case_index]
        got = ask(world, case["url"], case["user_agent"])
        if case["status"] == 500:
            # Balrog fails here; Shipyard's documented answer: 200 and well-formed XML (404 on the JSON endpoint).
            if case["url"].startswith("/json/"):
                if got.status != 404:
                    disagreements.append((world["name"], case["url"], "Balrog 500", got.status, got.body))
                continue
            root = ElementTree.fromstring(got.body)  # noqa: S314 - Shipyard's own output
            if got.status != 200 or root.tag != "updates":
                disagreements.append((world["name"], case["url"], "Balrog 500", got.status, got.body))
            continue
        if (got.status, got.content_type, got.body) != (case["status"], case["content_type"], case["body"]):
            disagreements.append((world["name"], case["url"], case["user_agent"], case["status"], case["body"],
                                  got.status, got.body))
    assert disagreements == []
