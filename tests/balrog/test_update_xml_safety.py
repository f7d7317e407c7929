"""update.xml stays well-formed whatever a release holds (issue 18, item 1).

Property: any text in any field a release renders into update.xml (values of
every kind of blob, schema-9 ``updateLine`` field names and values, URLs,
locale and version strings from the query) gives a document an XML parser
accepts, with exactly Balrog's elements, and that encodes as UTF-8.
"""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.evaluation import Sources, answer_update_query
from chalicelib.balrog.matching import UpdateQuery
from chalicelib.balrog.query_errors import BadUpdateQuery
from chalicelib.balrog.update_xml import render_document
from tests.balrog.test_update_xml import QUERY, blob

# Any code point, lone surrogates and XML-forbidden controls included.
HOSTILE = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=40)
ALLOW = {"download.mozilla.org": ("Firefox",)}


def _render(release: dict, query: UpdateQuery = QUERY) -> str:
    rule = {"rule_id": 1, "priority": 1, "backgroundRate": 100, "mapping": release["name"], "update_type": "minor"}
    known = {release["name"]: release}
    sources = Sources(rules_for=lambda product: [rule], release=known.get)
    return answer_update_query(query, sources, RenderContext(allowlist=ALLOW, lookup_release=known.get)).body


def _well_formed(document: str) -> ElementTree.Element:
    document.encode("utf-8")  # a lone surrogate would fail here (and drop the connection)
    return ElementTree.fromstring(document)  # noqa: S314 - Shipyard's own output, parsed to prove it is XML


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE, value=HOSTILE, display=HOSTILE, details=HOSTILE)
def test_given_any_text_in_a_schema_9_release_when_rendered_then_the_document_is_well_formed(
        name, value, display, details):
    release = blob(9)
    release["displayVersion"] = display
    release["updateLine"] = [{"for": {}, "fields": {name: value, "detailsURL": details}}]
    root = _well_formed(_render(release))
    assert [child.tag for child in root] == ["update"]
    assert [child.tag for child in root[0]] == ["patch"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=st.sampled_from([2, 3, 4, 5, 6, 8]), value=HOSTILE, url_tail=HOSTILE, hash_value=HOSTILE)
def test_given_any_text_in_an_app_release_when_rendered_then_the_document_is_well_formed(
        schema, value, url_tail, hash_value):
    release = blob(schema)
    release.update({"openURL": value, "actions": value, "detailsUrl": value, "showPrompt": value})
    locale = release["platforms"]["WINNT_x86-msvc"]["locales"]["en-US"]
    locale["completes"] = [{"from": "*", "filesize": value, "hashValue": hash_value,
                            "fileUrl": "http://download.mozilla.org/" + url_tail}]
    if schema <= 2:
        locale["complete"] = locale["completes"][0]
    _well_formed(_render(release))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(locale=HOSTILE, version_text=HOSTILE, addon=HOSTILE, value=HOSTILE)
def test_given_any_text_in_add_on_and_desupport_blobs_or_the_query_then_the_document_is_well_formed(
        locale, version_text, addon, value):
    gmp = {"name": "gmp", "schema_version": 1000, "hashFunction": value, "vendors": {addon: {
        "version": value, "platforms": {"default": {"fileUrl": "http://download.mozilla.org/" + value,
                                                    "filesize": value, "hashValue": value,
                                                    "mirrorUrls": ["http://download.mozilla.org/" + value]}}}}}
    desupport = {"name": "desupport", "schema_version": 50, "detailsUrl": value + "%LOCALE%%VERSION%",
                 "displayVersion": value}
    query = replace(QUERY, locale=locale, version=version_text)
    for release in (gmp, desupport):
        try:
            _well_formed(_render(release, query))
        except BadUpdateQuery:
            pass  # Balrog's 400 for this query: no document at all


def test_given_an_injecting_field_name_when_rendered_then_no_element_is_added():
    """The exact probe of issue 18: a field named 'x="1"/><injected a' rendered unescaped."""
    release = blob(9)
    release["updateLine"] = [{"for": {}, "fields": {'x="1"/><injected a': "y"}}]
    root = _well_formed(_render(release))
    assert root.find(".//injected") is None
    assert "injected" not in ElementTree.tostring(root, encoding="unicode")


def test_given_xml_forbidden_characters_when_rendered_then_they_are_removed():
    """U+0001 and U+000B pass through XML escaping; they must not reach the document (issue 18)."""
    release = blob(4)
    release["displayVersion"] = "53\x01.0\x0b"
    update = _well_formed(_render(release)).find("update")
    assert update.get("displayVersion") == "53.0"


def test_given_the_document_parts_when_assembled_then_balrogs_layout_is_kept():
    """Header, inner lines and footer joined by newlines inside <updates>, as Balrog's client view builds it."""
    from chalicelib.balrog.blobs.addons import SuperBlob

    document = render_document(SuperBlob({"name": "s", "schema_version": 4000}), QUERY, "minor", [], RenderContext())
    assert document == '<?xml version="1.0"?>\n<updates>\n    <addons>\n    </addons>\n</updates>'


_SEGMENT = st.one_of(st.text(max_size=12), st.sampled_from([
    "Firefox", "b", "c", "p", "l", "release", "1.0", "52.0", "52.*", "WINNT_x86-msvc", "en-US", "x86 l", "default",
    "SSE", "ISET:SSE3,MEM:1,JAWS:1", "gmp", "SystemAddons", "Guardian", "0.4.0.0", "WINNT_x86_64", "*", "-cck-"]))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=st.integers(0, 19), version=st.integers(1, 6), values=st.lists(_SEGMENT, min_size=10, max_size=10),
       params=st.dictionaries(st.sampled_from(["force", "mig64", "pin", "avast"]), _SEGMENT, max_size=3),
       user_agent=st.one_of(st.none(), _SEGMENT), json_endpoint=st.booleans())
def test_given_any_update_url_over_balrogs_worlds_then_the_answer_is_a_4xx_or_a_document_never_an_error(
        world, version, values, params, user_agent, json_endpoint):
    """Every corpus world, any segment text: 200, 400 or 404 (JSON), a body that encodes; never an exception."""
    from chalicelib.balrog.update_query import JSON_SEGMENTS, SEGMENTS
    from chalicelib.balrog.update_response import respond, respond_json
    from tests.balrog.test_update_differential import CORPUS, _world_sources

    sources, ctx = _world_sources(CORPUS["worlds"][world % len(CORPUS["worlds"])])
    if json_endpoint:
        json_version = 1 + version % 2
        answer = respond_json(json_version, dict(zip(JSON_SEGMENTS[json_version], values, strict=False)),
                              {key: value for key, value in params.items() if key == "force"}, sources, ctx)
    else:
        answer = respond(version, dict(zip(SEGMENTS[version], values, strict=False)), params, user_agent, sources,
                         ctx)
    assert answer.status in (200, 400, 404)
    answer.body.encode("utf-8")
