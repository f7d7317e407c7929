"""Browsable API documentation (issue 19 item 15): ``/treeherder/docs/`` and ``/openapi/<family>.html``.

Treeherder served its API documentation as a page at ``/docs/``; every Shipyard family's document gets one,
rendered from the document itself, with nothing loaded from elsewhere (no CDN, no script).
"""

from __future__ import annotations

import re

import pytest

from chalicelib.api.kit import html_page
from chalicelib.api.openapi import registry

FAMILIES = registry.families()


def _assert_self_contained(text: str) -> None:
    """No tag that runs or loads anything: no script, link, img, iframe, object; no src attribute."""
    tags = re.findall(r"<([A-Za-z][\w-]*)([^>]*)>", text)
    assert not {name.lower() for name, _ in tags} & {"script", "link", "img", "iframe", "object", "embed"}
    assert not any(re.search(r"\bsrc\s*=", attributes, re.I) for _, attributes in tags)
    assert "@import" not in text and "url(" not in text


def test_treeherder_docs_is_a_page_of_every_operation(app_client):
    """Given the Treeherder document, when /treeherder/docs/ is asked for, then a page lists every path."""
    response = app_client.http.get("/treeherder/docs/", headers={"Host": "shipyard.test"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    text = response.body.decode()
    _assert_self_contained(text)
    for path in registry.document("treeherder")["paths"]:
        assert f">{path}</h2>" in text.replace("&#x27;", "'"), path
    assert 'href="http://shipyard.test/openapi/treeherder.json"' in text


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_its_page(app_client, family):
    response = app_client.http.get(f"/openapi/{family}.html")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    text = response.body.decode()
    _assert_self_contained(text)
    assert text.count('<div class=op id="') == len({(p, m) for p, m in _operations(family)})


def _operations(family: str):
    from chalicelib.api.kit import openapi_parts as parts

    return parts.operations(registry.document(family))


def test_an_unknown_family_page_is_404(app_client):
    assert app_client.http.get("/openapi/nothing.html").status_code == 404


def test_the_page_escapes_what_the_document_says():
    document = {"openapi": "3.1.0", "info": {"title": "<b>t</b>", "description": "<script>alert(1)</script>"},
                "paths": {"/x/{id}": {"get": {"operationId": "o\"x", "summary": "<i>s</i>", "responses": {
                    "200": {"description": "<img src=x onerror=alert(1)>"}}}}}}
    text = html_page.render(document, "/openapi/x.json")
    _assert_self_contained(text)
    assert "&lt;script&gt;" in text and "&lt;img src=x" in text and 'id="o&quot;x"' in text
