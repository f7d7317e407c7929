"""How Balrog rules match update queries, which one wins, and what it maps to."""

from dataclasses import replace

import pytest

from chalicelib.balrog.matching import (
    UpdateQuery,
    choose_rule,
    fallback_channel,
    matching_rules,
    resolve_mapping,
    rule_matches,
)
from chalicelib.balrog.query_errors import InvalidVersion
from chalicelib.balrog.rule_validation import validate_rule
from chalicelib.balrog.versions import MozillaVersion, compare_versions

QUERY = UpdateQuery(
    product="Firefox", version="52.0", buildID="20170301000000", buildTarget="WINNT_x86-msvc", locale="en-US",
    channel="release", osVersion="Windows_NT 10.0.0.0 (x64)", distribution="default", distVersion="default",
    headerArchitecture="Intel", instructionSet="SSE3", memory=8192, mig64=None, jaws=False,
)


def rule(**columns):
    """A rule that matches everything except what the test sets."""
    return {"rule_id": 1, "priority": 100, "mapping": "Firefox-53.0-build1", "backgroundRate": 100,
            "update_type": "minor", **columns}


# (column, rule value, query field, query value, expected)
COLUMN_CASES = [
    # NULL matches anything
    ("version", None, "version", "52.0", True),
    ("channel", None, "channel", "anything", True),
    # product / buildTarget: exact
    ("product", "Firefox", "product", "Firefox", True),
    ("product", "Firefox", "product", "Thunderbird", False),
    ("buildTarget", "WINNT_x86-msvc", "buildTarget", "WINNT_x86-msvc", True),
    ("buildTarget", "WINNT_x86-msvc", "buildTarget", "Darwin_x86_64-gcc3", False),
    # version: exact list, operators, globs, real ordering
    ("version", "52.0", "version", "52.0", True),
    ("version", "52.0", "version", "52.0.0", True),
    ("version", "51.0,52.0", "version", "52.0", True),
    ("version", "51.0,53.0", "version", "52.0", False),
    ("version", "<52.0.1", "version", "52.0", True),
    ("version", "<52.0", "version", "52.0", False),
    ("version", "<=52.0", "version", "52.0", True),
    ("version", ">52.0", "version", "52.0.1", True),
    ("version", ">=52.0", "version", "51.0.1", False),
    ("version", "<53.0", "version", "53.0a1", True),
    ("version", "=52.0", "version", "52.0", True),
    ("version", "<10.0", "version", "9.0", True),
    ("version", "52.*", "version", "52.0.1", True),
    ("version", "52.*", "version", "52.0a1", True),
    ("version", "52.*", "version", "53.0", False),
    ("version", "52.0.*", "version", "52.0.3", True),
    ("version", "52.0.*", "version", "52.1", False),
    # buildID: one value, string comparison with optional operator
    ("buildID", "20170301000000", "buildID", "20170301000000", True),
    ("buildID", "20170301000000", "buildID", "20170302000000", False),
    ("buildID", "<20170302000000", "buildID", "20170301000000", True),
    ("buildID", "<20170301000000", "buildID", "20170301000000", False),
    ("buildID", ">=20170301000000", "buildID", "20170301000000", True),
    ("buildID", ">20170301000000", "buildID", "20170228000000", False),
    # channel: exact, trailing glob (>= 3 chars incl. the star), -cck- fallback
    ("channel", "release", "channel", "release", True),
    ("channel", "release", "channel", "releasetest", False),
    ("channel", "release*", "channel", "release-cck-yahoo", True),
    ("channel", "release*", "channel", "releasetest", True),
    ("channel", "beta*", "channel", "release", False),
    ("channel", "be*", "channel", "beta", True),
    ("channel", "b*", "channel", "beta", False),
    ("channel", "*", "channel", "beta", False),
    ("channel", "rel.ase*", "channel", "release", False),
    ("channel", "release", "channel", "release-cck-yahoo", True),
    ("channel", "release-cck-yahoo", "channel", "release-cck-yahoo", True),
    ("channel", "beta", "channel", "release-cck-yahoo", False),
    # locale / distribution / instructionSet: comma list, exact membership
    ("locale", "de,en-US,fr", "locale", "en-US", True),
    ("locale", "de,fr", "locale", "en-US", False),
    ("locale", "en", "locale", "en-US", False),
    ("distribution", "default,yahoo", "distribution", "yahoo", True),
    ("distribution", "yahoo", "distribution", "yahoo-de", False),
    ("distribution", "yahoo", "distribution", None, False),
    ("instructionSet", "SSE,SSE2", "instructionSet", "SSE2", True),
    ("instructionSet", "SSE", "instructionSet", "SSE3", False),
    ("instructionSet", "SSE", "instructionSet", None, False),
    # osVersion: "," = OR, "&&" = AND, substring terms
    ("osVersion", "Windows_NT 10.0", "osVersion", "Windows_NT 10.0.0.0 (x64)", True),
    ("osVersion", "Windows_NT 5.1,Windows_NT 10.0", "osVersion", "Windows_NT 10.0.0.0 (x64)", True),
    ("osVersion", "Windows_NT 5.1,Windows_NT 6.1", "osVersion", "Windows_NT 10.0.0.0 (x64)", False),
    ("osVersion", "Windows_NT 10.0 && x64", "osVersion", "Windows_NT 10.0.0.0 (x64)", True),
    ("osVersion", "Windows_NT 10.0&&x86", "osVersion", "Windows_NT 10.0.0.0 (x64)", False),
    ("osVersion", "Darwin 9,Windows_NT 10.0&&x64", "osVersion", "Windows_NT 10.0.0.0 (x64)", True),
    # distVersion / headerArchitecture: exact; an absent query value matches only NULL rules
    ("distVersion", "1.0", "distVersion", "1.0", True),
    ("distVersion", "1.0", "distVersion", "2.0", False),
    ("distVersion", "1.0", "distVersion", None, False),
    ("headerArchitecture", "PPC", "headerArchitecture", "Intel", False),
    ("headerArchitecture", "Intel", "headerArchitecture", "Intel", True),
    # memory: integer, optional operator, unknown query memory matches
    ("memory", "<4096", "memory", 2048, True),
    ("memory", "<4096", "memory", 8192, False),
    ("memory", "8192", "memory", 8192, True),
    ("memory", "<4096", "memory", None, True),
    # mig64 / jaws: a set rule value needs the same stated value
    ("mig64", True, "mig64", True, True),
    ("mig64", True, "mig64", None, False),
    ("mig64", False, "mig64", True, False),
    ("jaws", False, "jaws", False, True),
    ("jaws", False, "jaws", None, False),
    ("jaws", None, "jaws", None, True),
]


@pytest.mark.parametrize(("column", "rule_value", "field", "query_value", "expected"), COLUMN_CASES)
def test_given_a_rule_column_when_matched_then_the_column_rule_decides(column, rule_value, field, query_value,
                                                                       expected):
    query = replace(QUERY, **{field: query_value})
    assert rule_matches(rule(**{column: rule_value}), query) is expected


def test_given_a_rule_without_any_constraints_when_matched_then_it_matches():
    assert rule_matches({}, QUERY)


def test_given_several_constraints_when_one_fails_then_the_rule_does_not_match():
    assert not rule_matches(rule(product="Firefox", channel="release", locale="de"), QUERY)


VERSION_ORDER = [
    "3.6", "3.6.3plugin1", "4.0b12", "4.0", "9.0", "10.0", "52.0", "52.0.1", "52.0.2", "52.1", "53.0a1",
    "53.0a2", "53.0", "100.0",
]


@pytest.mark.parametrize(("lower", "higher"), list(zip(VERSION_ORDER, VERSION_ORDER[1:], strict=False)))
def test_given_consecutive_versions_when_compared_then_mozilla_order_holds(lower, higher):
    assert compare_versions(lower, higher) == -1
    assert compare_versions(higher, lower) == 1


@pytest.mark.parametrize(("left", "right"), [("52.0", "52.0.0"), ("1.5.0.12", "1.5.12")])
def test_given_equivalent_spellings_when_compared_then_they_are_equal(left, right):
    assert compare_versions(left, right) == 0


@pytest.mark.parametrize("text", ["52", "52.0b1", "52.0.10.2", "abc", "", "4.*", "52.0.0.*", "52.x*"])
def test_given_a_version_balrog_would_refuse_when_parsed_then_it_is_invalid(text):
    with pytest.raises(InvalidVersion):
        MozillaVersion.parse(text)


def test_given_a_glob_as_the_query_version_when_compared_then_it_behaves_as_balrogs_glob_version():
    """Balrog parses "52.*" as a GlobVersion wherever it meets it; a glob on the left of == is a prefix test."""
    glob = MozillaVersion.parse("52.*")
    assert glob == MozillaVersion.parse("52.0.1")
    assert MozillaVersion.parse("52.0") == glob  # the numbers share the glob's prefix, no pre-release
    assert MozillaVersion.parse("52.0a1") != glob
    assert glob < MozillaVersion.parse("53.0") and glob > MozillaVersion.parse("51.0")
    assert rule_matches(rule(version="<53.0"), replace(QUERY, version="52.*"))
    assert rule_matches(rule(version="52.*"), replace(QUERY, version="52.*"))


def test_given_an_unparseable_query_version_when_a_versioned_rule_is_met_then_the_query_is_bad():
    """Balrog raises BadDataError (its 400) from version_compare; tests/web/test_client.py testInvalidVersion."""
    with pytest.raises(InvalidVersion):
        rule_matches(rule(version="52.0"), replace(QUERY, version="not-a-version"))


def test_given_an_unparseable_query_version_when_no_rule_constrains_it_then_it_still_matches():
    assert rule_matches(rule(), replace(QUERY, version="not-a-version"))


@pytest.mark.parametrize(("channel", "fallback"), [
    ("release", "release"),
    ("release-cck-yahoo", "release"),
    # Balrog's getFallbackChannel only cuts: the -sysaddon suffix is not carried over
    ("release-cck-yahoo-sysaddon", "release"),
    ("release-sysaddon", "release-sysaddon"),
])
def test_given_a_partner_channel_when_falling_back_then_it_is_cut_at_cck(channel, fallback):
    assert fallback_channel(channel) == fallback


# ---- selection ----------------------------------------------------------

def test_given_several_matching_rules_when_choosing_then_the_highest_priority_wins():
    rules = [rule(rule_id=1, priority=50, mapping="low"), rule(rule_id=2, priority=90, mapping="high"),
             rule(rule_id=3, priority=70, mapping="mid")]
    assert choose_rule(rules, QUERY)["mapping"] == "high"
    assert [r["mapping"] for r in matching_rules(rules, QUERY)] == ["high", "mid", "low"]


def test_given_a_higher_priority_rule_that_does_not_match_when_choosing_then_it_is_skipped():
    rules = [rule(rule_id=1, priority=90, mapping="beta", channel="beta"), rule(rule_id=2, priority=10)]
    assert choose_rule(rules, QUERY)["rule_id"] == 2


def test_given_equal_priorities_when_choosing_then_the_lower_rule_id_wins_whatever_the_input_order():
    rules = [rule(rule_id=7, priority=50, mapping="seven"), rule(rule_id=3, priority=50, mapping="three")]
    assert choose_rule(rules, QUERY)["mapping"] == "three"


def test_given_a_rule_without_priority_when_choosing_then_prioritised_rules_win():
    rules = [rule(rule_id=1, priority=None, mapping="none"), rule(rule_id=2, priority=0, mapping="zero")]
    assert choose_rule(rules, QUERY)["mapping"] == "zero"


def test_given_no_matching_rule_when_choosing_then_there_is_none():
    assert choose_rule([rule(product="Thunderbird")], QUERY) is None
    assert choose_rule([], QUERY) is None


def test_given_a_cck_channel_when_only_the_fallback_rule_exists_then_it_is_chosen():
    query = replace(QUERY, channel="release-cck-yahoo")
    assert choose_rule([rule(channel="release", mapping="main")], query)["mapping"] == "main"


# ---- mapping resolution -------------------------------------------------

# (backgroundRate, fallbackMapping, force, roll, expected)
MAPPING_CASES = [
    (100, None, None, 99, "main"),
    (25, None, None, 24, "main"),
    (25, None, None, 25, None),
    (25, "fallback", None, 25, "fallback"),
    (25, "fallback", None, 99, "fallback"),
    (0, "fallback", None, 0, "fallback"),
    (0, None, "1", 99, "main"),
    (25, "fallback", "1", 99, "main"),
    (25, "fallback", "-1", 0, "fallback"),
    (25, None, "-1", 0, None),
    (100, "fallback", "-1", 0, "main"),
    (25, "fallback", "7", 99, "fallback"),
    (None, "fallback", None, 99, "main"),
]


@pytest.mark.parametrize(("rate", "fallback", "force", "roll", "expected"), MAPPING_CASES)
def test_given_a_background_rate_when_resolving_then_roll_and_force_decide(rate, fallback, force, roll, expected):
    chosen = rule(mapping="main", backgroundRate=rate, fallbackMapping=fallback)
    assert resolve_mapping(chosen, replace(QUERY, force=force), roll) == expected


@pytest.mark.parametrize("mapping", [None, ""])
def test_given_a_rule_without_mapping_when_resolving_then_there_is_no_update(mapping):
    assert resolve_mapping(rule(mapping=mapping, fallbackMapping="fallback"), QUERY, 0) is None


@pytest.mark.parametrize("roll", [-1, 100])
def test_given_a_roll_outside_0_to_99_when_resolving_then_it_is_refused(roll):
    with pytest.raises(ValueError, match="roll"):
        resolve_mapping(rule(), QUERY, roll)


# ---- validation ---------------------------------------------------------

def test_given_a_complete_valid_rule_when_validated_then_there_are_no_errors():
    fields = {"priority": 90, "backgroundRate": "25", "update_type": "minor", "alias": "firefox-release",
              "version": "<52.0", "buildID": ">=20170101000000", "memory": "<4096", "mig64": True}
    assert validate_rule(fields) == []


def test_given_a_new_rule_without_required_fields_when_validated_then_each_is_named():
    assert validate_rule({}) == ["priority is required", "backgroundRate is required", "update_type is required"]


def test_given_a_partial_update_when_validated_then_missing_fields_are_fine():
    assert validate_rule({"mapping": "Firefox-53.0-build1"}, partial=True) == []


# (fields, fragment expected in exactly one error)
VALIDATION_CASES = [
    ({"alias": "1abc"}, "alias '1abc' must start with a letter"),
    ({"alias": "has space"}, "alias 'has space'"),
    ({"alias": "a_b"}, "alias 'a_b'"),
    ({"priority": "high"}, "priority must be an integer"),
    ({"priority": 1.5}, "priority must be an integer"),
    ({"priority": True}, "priority must be an integer"),
    ({"priority": -1}, "priority must be >= 0"),
    ({"backgroundRate": 101}, "backgroundRate must be <= 100"),
    ({"backgroundRate": -5}, "backgroundRate must be >= 0"),
    ({"backgroundRate": "half"}, "backgroundRate must be an integer"),
    ({"update_type": "patch"}, "update_type must be one of minor, major"),
    ({"version": "<52.0,53.0"}, "operators are not allowed in a list"),
    ({"version": "52.0b1"}, "is not a valid Mozilla version"),
    ({"version": "~52.0"}, "is not a valid Mozilla version"),
    ({"version": ">52.*"}, "a glob must look like"),
    ({"version": 52}, "version must be a string"),
    ({"buildID": "2017*"}, "buildID '2017*': expected digits"),
    ({"buildID": "=>2017"}, "buildID '=>2017'"),
    ({"memory": "lots"}, "memory 'lots'"),
    ({"jaws": "yes"}, "jaws must be true, false or null"),
]


@pytest.mark.parametrize(("fields", "fragment"), VALIDATION_CASES)
def test_given_an_invalid_field_when_validated_then_the_message_names_it(fields, fragment):
    errors = validate_rule(fields, partial=True)
    assert len(errors) == 1, errors
    assert fragment in errors[0]


@pytest.mark.parametrize("fields", [
    {"version": "52.0,53.0"}, {"version": "52.*"}, {"version": "=52.0"}, {"version": ">=45.0"},
    {"buildID": "<20170101000000"}, {"buildID": "20170101000000"}, {"alias": "A-1"}, {"alias": None},
    {"backgroundRate": 0}, {"backgroundRate": 100}, {"update_type": "major"}, {"memory": 2048},
])
def test_given_a_valid_field_when_validated_then_it_passes(fields):
    assert validate_rule(fields, partial=True) == []
