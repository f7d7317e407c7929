"""What update.xml Balrog serves for a release blob and a query."""

import copy
from dataclasses import replace
from xml.etree import ElementTree

import pytest

from chalicelib.balrog.matching import UpdateQuery
from chalicelib.balrog.update_xml import empty_update_xml, render_update_xml, should_serve_update

EMPTY = '<?xml version="1.0"?>\n<updates>\n</updates>'

QUERY = UpdateQuery(
    product="Firefox", version="52.0", buildID="20170301000000", buildTarget="WINNT_x86-msvc", locale="en-US",
    channel="release", osVersion="Windows_NT 10.0", distribution="default", distVersion="default",
)

OLD_RELEASE = {
    "name": "Firefox-52.0-build1", "schema_version": 4, "appVersion": "52.0",
    "platforms": {"WINNT_x86-msvc": {"locales": {"en-US": {"buildID": "20170301000000"}}}},
}


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
                "completes": {"*": "http://download.example/?product=firefox-53.0-complete&os=%OS_BOUNCER%"
                                   "&lang=%LOCALE%"},
                "partials": {"Firefox-52.0-build1": "http://download.example/?product=firefox-53.0-partial-52.0"
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


def parse(xml):
    """Parse our own rendering (trusted, no entities), to assert on attributes."""
    return ElementTree.fromstring(xml)  # noqa: S314 - the input is this module's output, not untrusted data


def lookup(name):
    return {"Firefox-52.0-build1": OLD_RELEASE}.get(name)


def test_given_a_newer_release_when_rendered_then_complete_and_partial_patches_are_offered():
    xml = render_update_xml(blob(), QUERY, "minor", lookup_release=lookup)
    assert xml == (
        '<?xml version="1.0"?>\n'
        "<updates>\n"
        '    <update type="minor" displayVersion="53.0" appVersion="53.0" platformVersion="53.0"'
        ' buildID="20170401000000">\n'
        '        <patch type="complete" URL="http://download.example/?product=firefox-53.0-complete&amp;os=win'
        '&amp;lang=en-US" hashFunction="sha512" hashValue="c0ffee" size="4000"/>\n'
        '        <patch type="partial" URL="http://download.example/?product=firefox-53.0-partial-52.0&amp;os=win'
        '&amp;lang=en-US" hashFunction="sha512" hashValue="beef" size="1000"/>\n'
        "    </update>\n"
        "</updates>"
    )


def test_given_a_major_rule_when_rendered_then_the_update_type_is_major():
    xml = render_update_xml(blob(), QUERY, "major", lookup_release=lookup)
    assert parse(xml).find("update").get("type") == "major"


def test_given_no_release_lookup_when_rendered_then_only_the_complete_is_offered():
    patches = parse(render_update_xml(blob(), QUERY)).findall("update/patch")
    assert [p.get("type") for p in patches] == ["complete"]


def test_given_a_build_that_is_not_the_partials_from_release_when_rendered_then_the_partial_is_left_out():
    query = replace(QUERY, buildID="20170215000000")
    patches = parse(render_update_xml(blob(), query, lookup_release=lookup)).findall("update/patch")
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


def test_given_the_same_version_with_an_older_build_when_rendered_then_there_is_an_update():
    assert should_serve_update(blob(), replace(QUERY, version="53.0", buildID="20170331000000"))


def test_given_an_older_version_when_checked_then_the_buildid_does_not_matter():
    assert should_serve_update(blob(), replace(QUERY, version="52.0", buildID="20991231000000"))


@pytest.mark.parametrize("field, value", [("buildTarget", "Linux_x86_64-gcc3"), ("locale", "de")])
def test_given_an_unknown_platform_or_locale_when_rendered_then_there_is_no_update(field, value):
    assert render_update_xml(blob(), replace(QUERY, **{field: value})) == EMPTY


@pytest.mark.parametrize("schema_version", [1, 2, 3, 7, 50, None, "x"])
def test_given_an_unsupported_schema_when_rendered_then_there_is_no_update(schema_version):
    assert render_update_xml(blob(schema_version), QUERY) == EMPTY


def test_given_no_blob_when_rendered_then_there_is_no_update():
    assert render_update_xml(None, QUERY) == EMPTY == empty_update_xml()


def test_given_a_release_without_any_usable_patch_when_rendered_then_there_is_no_update():
    release = blob()
    del release["fileUrls"]
    assert render_update_xml(release, QUERY, lookup_release=lookup) == EMPTY


def test_given_a_url_outside_the_allowed_domains_when_rendered_then_that_patch_is_dropped():
    assert render_update_xml(blob(), QUERY, allowed_domains={"other.example"}) == EMPTY
    assert "<patch" in render_update_xml(blob(), QUERY, allowed_domains={"download.example"})


def test_given_an_unparseable_query_version_when_rendered_then_there_is_no_update():
    assert render_update_xml(blob(), replace(QUERY, version="junk")) == EMPTY


# ---- escaping and optional attributes ----------------------------------

def test_given_attribute_values_with_markup_when_rendered_then_they_are_escaped():
    release = blob()
    release["displayVersion"] = '53.0 "Quantum" <b>&</b>'
    release["detailsUrl"] = "https://example.com/%LOCALE%/notes?a=1&b=2"
    xml = render_update_xml(release, QUERY)
    update = parse(xml).find("update")
    assert update.get("displayVersion") == '53.0 "Quantum" <b>&</b>'
    assert update.get("detailsURL") == "https://example.com/en-US/notes?a=1&b=2"
    assert "&quot;Quantum&quot; &lt;b&gt;&amp;&lt;/b&gt;" in xml


def test_given_optional_attributes_when_rendered_then_they_follow_the_schema():
    release = blob(6)
    release.update({"openURL": "https://example.com/%LOCALE%/whatsnew", "showPrompt": False,
                    "billboardURL": "https://dropped-in-v6.example"})
    del release["platformVersion"]
    update = parse(render_update_xml(release, QUERY)).find("update")
    assert update.get("openURL") == "https://example.com/en-US/whatsnew"
    assert update.get("showPrompt") == "false"
    assert update.get("billboardURL") is None
    assert update.get("platformVersion") is None


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
