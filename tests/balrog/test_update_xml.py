"""What update.xml Balrog serves for a release blob and a query (rendering through Shipyard's evaluation).

Expected documents follow Balrog's blob tests (mozilla-releng/balrog
tests/blobs/test_apprelease.py) and its client tests (tests/web/test_client.py).
"""

import copy
from dataclasses import replace
from xml.etree import ElementTree

import pytest

from chalicelib.balrog.blobs import RenderContext
from chalicelib.balrog.evaluation import Sources, answer_update_query
from chalicelib.balrog.matching import UpdateQuery
from chalicelib.balrog.query_errors import BadUpdateQuery, InvalidVersion
from chalicelib.balrog.update_xml import empty_update_xml

EMPTY = '<?xml version="1.0"?>\n<updates>\n</updates>'

QUERY = UpdateQuery(
    product="Firefox", version="52.0", buildID="20170301000000", buildTarget="WINNT_x86-msvc", locale="en-US",
    channel="release", osVersion="Windows_NT 10.0", distribution="default", distVersion="default",
)

OLD_RELEASE = {
    "name": "Firefox-52.0-build1", "schema_version": 4, "appVersion": "52.0",
    "platforms": {"WINNT_x86-msvc": {"locales": {"en-US": {"buildID": "20170301000000"}}}},
}
HOST = "http://download.mozilla.org"
ALLOW = {"download.mozilla.org": ("Firefox",), "x.example": ("Firefox",)}


def blob(schema_version=4):
    return {
        "name": "Firefox-53.0-build1",
        "schema_version": schema_version,
        "hashFunction": "sha512",
        "appVersion": "53.0",
        "displayVersion": "53.0",
        "platformVersion": "53.0",
        "fileUrls": {
            "release": {
                "completes": {"*": f"{HOST}/?product=firefox-53.0-complete&os=%OS_BOUNCER%&lang=%LOCALE%"},
                "partials": {"Firefox-52.0-build1": f"{HOST}/?product=firefox-53.0-partial-52.0"
                                                    "&os=%OS_BOUNCER%&lang=%LOCALE%"},
            },
        },
        "platforms": {
            "WINNT_x86-msvc": {
                "OS_BOUNCER": "win",
                "OS_FTP": "win32",
                "locales": {
                    "en-US": {
                        "buildID": "20170401000000",
                        "completes": [{"from": "*", "filesize": 4000, "hashValue": "c0ffee"}],
                        "partials": [{"from": "Firefox-52.0-build1", "filesize": 1000, "hashValue": "beef"}],
                    },
                },
            },
            "WINNT_x86-msvc-x86": {"alias": "WINNT_x86-msvc"},
        },
    }


def render_update_xml(release, query, update_type="minor", *, releases=None, allowed=ALLOW):
    """The document Shipyard answers when one rule maps ``query`` to ``release``."""
    known = {**(releases or {}), release["name"]: release}
    rule = {"rule_id": 1, "priority": 1, "backgroundRate": 100, "mapping": release["name"],
            "update_type": update_type}
    sources = Sources(rules_for=lambda product: [rule], release=known.get)
    ctx = RenderContext(allowlist=allowed, special_force_hosts=(HOST,), lookup_release=known.get)
    return answer_update_query(query, sources, ctx).body


def parse(xml):
    """Parse our own rendering (trusted, no entities), to assert on attributes."""
    return ElementTree.fromstring(xml)  # noqa: S314 - the input is this module's output, not untrusted data


LOOKUP = {"Firefox-52.0-build1": OLD_RELEASE}


def test_given_a_newer_release_when_rendered_then_complete_and_partial_patches_are_offered():
    xml = render_update_xml(blob(), QUERY, "minor", releases=LOOKUP)
    assert xml == (
        '<?xml version="1.0"?>\n'
        "<updates>\n"
        '    <update type="minor" displayVersion="53.0" appVersion="53.0" platformVersion="53.0"'
        ' buildID="20170401000000">\n'
        '        <patch type="complete" URL="http://download.mozilla.org/?product=firefox-53.0-complete&amp;os=win'
        '&amp;lang=en-US" hashFunction="sha512" hashValue="c0ffee" size="4000"/>\n'
        '        <patch type="partial" URL="http://download.mozilla.org/?product=firefox-53.0-partial-52.0&amp;os=win'
        '&amp;lang=en-US" hashFunction="sha512" hashValue="beef" size="1000"/>\n'
        "    </update>\n"
        "</updates>"
    )


def test_given_a_major_rule_when_rendered_then_the_update_type_is_major():
    xml = render_update_xml(blob(), QUERY, "major", releases=LOOKUP)
    assert parse(xml).find("update").get("type") == "major"


def test_given_no_release_lookup_when_rendered_then_only_the_complete_is_offered():
    patches = parse(render_update_xml(blob(), QUERY)).findall("update/patch")
    assert [p.get("type") for p in patches] == ["complete"]


def test_given_a_build_that_is_not_the_partials_from_release_when_rendered_then_the_partial_is_left_out():
    query = replace(QUERY, buildID="20170215000000")
    patches = parse(render_update_xml(blob(), query, releases=LOOKUP)).findall("update/patch")
    assert [p.get("type") for p in patches] == ["complete"]


def test_given_a_cck_channel_when_rendered_then_file_urls_come_from_the_fallback_channel():
    xml = render_update_xml(blob(), replace(QUERY, channel="release-cck-yahoo"))
    assert "firefox-53.0-complete" in xml


def test_given_a_patch_with_its_own_file_url_when_rendered_then_that_url_wins():
    release = blob()
    release["platforms"]["WINNT_x86-msvc"]["locales"]["en-US"]["completes"][0]["fileUrl"] = "http://x.example/c.mar"
    assert 'URL="http://x.example/c.mar"' in render_update_xml(release, QUERY)


def test_given_an_aliased_platform_when_rendered_then_the_alias_target_is_served():
    xml = render_update_xml(blob(), replace(QUERY, buildTarget="WINNT_x86-msvc-x86"))
    assert 'buildID="20170401000000"' in xml


# ---- no update ----------------------------------------------------------

@pytest.mark.parametrize(("version", "build_id"), [
    ("53.0", "20170401000000"),  # the same build
    ("53.0", "20170402000000"),  # same version, newer build
    ("54.0", "20170101000000"),  # newer version
    ("53.0.1", "20170101000000"),
])
def test_given_a_build_not_older_than_the_release_when_rendered_then_there_is_no_update(version, build_id):
    assert render_update_xml(blob(), replace(QUERY, version=version, buildID=build_id)) == EMPTY


def test_given_a_release_without_any_usable_patch_when_rendered_then_there_is_no_update():
    release = blob()
    del release["fileUrls"]
    assert render_update_xml(release, QUERY, releases=LOOKUP) == EMPTY


def test_given_a_schema_9_update_line_when_rendered_then_matching_groups_set_attributes_sorted():
    release = blob(9)
    release["updateLine"] = [
        {"for": {}, "fields": {"detailsURL": "https://example.com/%LOCALE%/notes", "type": "minor"}},
        {"for": {"channels": ["release*"], "versions": ["<53.0"]}, "fields": {"actions": "showURL"}},
        {"for": {"locales": ["de"]}, "fields": {"openURL": "https://de-only.example"}},
    ]
    xml = render_update_xml(release, QUERY, "major")
    assert ('    <update actions="showURL" appVersion="53.0" buildID="20170401000000"'
            ' detailsURL="https://example.com/en-US/notes" displayVersion="53.0" type="minor">') in xml
    assert "de-only" not in xml


def test_given_a_schema_8_patch_with_an_inclusion_proof_when_rendered_then_it_is_included():
    release = copy.deepcopy(blob(8))
    release["platforms"]["WINNT_x86-msvc"]["locales"]["en-US"]["completes"][0]["binTransInclusionProof"] = "proof"
    patch = parse(render_update_xml(release, QUERY)).find("update/patch")
    assert patch.get("binTransInclusionProof") == "proof"


def test_given_the_same_version_with_an_older_build_when_rendered_then_there_is_an_update():
    assert "<patch" in render_update_xml(blob(), replace(QUERY, version="53.0", buildID="20170331000000"))


def test_given_an_older_version_when_rendered_then_the_buildid_does_not_matter():
    assert "<patch" in render_update_xml(blob(), replace(QUERY, version="52.0", buildID="20991231000000"))


def test_given_an_unknown_platform_when_rendered_then_there_is_no_update():
    """Balrog's shouldServeUpdate: a platform the release lacks is no update."""
    assert render_update_xml(blob(), replace(QUERY, buildTarget="Linux_x86-gcc3")) == EMPTY


def test_given_an_unknown_locale_when_rendered_then_the_query_is_bad():
    """Balrog raises BadDataError ("No such locale") while rendering: its 400 (test_client.py testUnknownLocale)."""
    with pytest.raises(BadUpdateQuery):
        render_update_xml(blob(), replace(QUERY, locale="de"))


def test_given_an_unparseable_query_version_when_rendered_then_the_query_is_bad():
    """shouldServeUpdate parses the query's version: BadDataError, Balrog's 400."""
    with pytest.raises(InvalidVersion):
        render_update_xml(blob(), replace(QUERY, version="junk"))


def test_given_a_url_outside_the_allowed_domains_when_rendered_then_that_patch_is_dropped():
    """isForbiddenUrl drops the patch; the <update> stays, without patches (test_client.py testForbiddenDomain...)."""
    xml = render_update_xml(blob(), QUERY, allowed={"other.example": ("Firefox",)})
    assert "<update " in xml and "<patch" not in xml
    xml = render_update_xml(blob(), QUERY, allowed={"download.mozilla.org": ("Thunderbird",)})
    assert "<patch" not in xml
    assert "<patch" in render_update_xml(blob(), QUERY, allowed={"download.mozilla.org": ("Firefox",)})


def test_given_attribute_values_with_markup_when_rendered_then_the_document_stays_well_formed():
    release = blob()
    release["displayVersion"] = '53.0 "Quantum" <b>&</b>\x01\x0b\udc80'
    release["detailsUrl"] = "https://example.com/%LOCALE%/notes?a=1&b=2"
    xml = render_update_xml(release, QUERY)
    update = parse(xml).find("update")
    assert update.get("displayVersion") == '53.0 "Quantum" <b>&</b>'
    assert update.get("detailsURL") == "https://example.com/en-US/notes?a=1&b=2"
    xml.encode("utf-8")  # no lone surrogate left to break the response


def test_given_optional_attributes_when_rendered_then_they_follow_the_schema():
    """Schema 6 drops billboardURL but, like Balrog, still prints platformVersion ("None" when absent)."""
    release = blob(6)
    release.update({"openURL": "https://example.com/%LOCALE%/whatsnew", "showPrompt": False,
                    "billboardURL": "https://dropped-in-v6.example"})
    del release["platformVersion"]
    update = parse(render_update_xml(release, QUERY)).find("update")
    assert update.get("openURL") == "https://example.com/en-US/whatsnew"
    assert update.get("showPrompt") == "false"
    assert update.get("billboardURL") is None
    assert update.get("platformVersion") == "None"


def test_given_a_schema_9_field_name_that_is_no_xml_name_when_rendered_then_it_is_dropped():
    """Issue 18: a field named 'x="1"/><injected a' must not inject markup."""
    release = blob(9)
    release["updateLine"] = [{"for": {}, "fields": {'x="1"/><injected a': "y", "actions": "showURL"}}]
    xml = render_update_xml(release, QUERY)
    update = parse(xml).find("update")
    assert update.get("actions") == "showURL"
    assert "injected" not in xml


def test_given_no_release_when_evaluated_then_the_empty_document():
    sources = Sources(rules_for=lambda product: [], release=lambda name: None)
    assert answer_update_query(QUERY, sources, RenderContext()).body == EMPTY == empty_update_xml()
