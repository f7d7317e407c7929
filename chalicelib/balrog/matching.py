"""Which Balrog rule answers an update query, and which release it maps to.

Pure functions over plain dicts: a rule is a row with Balrog's column names,
a query is an :class:`UpdateQuery`. A ``None`` column in a rule matches any
query. The semantics are Balrog's (``Rules.getRulesMatchingQuery``, its rule
matching and version comparison helpers, ``AUS.evaluateRules``), including
the places where a bad query is the client's fault: those raise
:class:`BadUpdateQuery`, which the update endpoint answers with Balrog's 400.
Versions are ordered by ``versions``; the admin API's checks of a rule's
fields, before it is stored, are ``rule_validation``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.balrog.query_errors import InvalidVersion
from chalicelib.balrog.versions import MozillaVersion

Rule = Mapping[str, Any]

FORCE_MAIN = "1"
"""``force=1``: the client insists on the main mapping (skips the background roll)."""
FORCE_FALLBACK = "-1"
"""``force=-1``: the client asks for what the losing side of the roll would get."""

ALIAS_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
UPDATE_TYPES = ("minor", "major")


@dataclass(frozen=True)
class UpdateQuery:
    """One update request, as parsed from the update URL (and its headers).

    ``None`` for ``distribution``/``distVersion`` means the URL version has no
    such segment (versions 1 and 2): then only rules without a value for it
    match, as in Balrog. ``force`` is the raw ``"1"``/``"-1"`` or ``None``.
    ``memory`` and the booleans are ``None`` when unknown; an unknown memory
    matches any rule, an unknown boolean only rules that leave it open.
    """

    product: str
    version: str
    buildID: str
    buildTarget: str
    locale: str
    channel: str
    osVersion: str = ""
    distribution: str | None = None
    distVersion: str | None = None
    force: str | None = None
    headerArchitecture: str | None = "Intel"
    instructionSet: str | None = None
    memory: int | None = None
    mig64: bool | None = None
    jaws: bool | None = None
    pin: str | None = None


# --------------------------------------------------------------------------
# Operators ("<52.0", ">=20170101000000", "52.*")
# --------------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le,
}
_OPERATOR_RE = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.DOTALL)


def split_operator(value: str) -> tuple[str | None, str]:
    """``">=52.0"`` → ``(">=", "52.0")``; no operator → ``(None, value)`` (admin-side validation)."""
    match = _OPERATOR_RE.match(value)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2)


def _balrog_operator(pattern: str) -> tuple[str | None, str]:
    """How Balrog reads a rule value: (operator, operand); ``None`` is equality.

    A value starting with a word character is compared whole; otherwise the
    first operator (in Balrog's order ``>=``, ``>``, ``<``, ``<=``) followed by
    word characters and dots wins, and anything after them is ignored. A value
    none of that fits cannot be compared (``ValueError``: Balrog fails there too).
    """
    if pattern.endswith("*") or re.match(r"\w+", pattern):
        return None, pattern
    for op in _OPERATORS:
        match = re.match(rf"({re.escape(op)})([.\w]+)", pattern)
        if match:
            return match.group(1), match.group(2)
    if pattern.startswith("=") and len(pattern) > 1:
        return None, pattern[1:]  # Shipyard's explicit equality (Balrog cannot compare it and fails)
    raise ValueError(f"cannot compare against {pattern!r}")


def _compare(op: str | None, left: Any, right: Any) -> bool:
    return left == right if op is None else _OPERATORS[op](left, right)


LOOSE_VERSION_PRODUCTS = frozenset({"FirefoxVPN", "Guardian"})
"""Products whose versions Balrog compares loosely (``1.2.3.4``, any number of parts) rather than as Mozilla's."""


def loose_version(text: str) -> list[int | str]:
    """A loose version's parts: runs of digits (as numbers) and of lower-case letters; dots separate.

    Anything else stays as text between them, as in the LooseVersion Balrog uses.
    """
    parts = [part for part in re.split(r"(\d+|[a-z]+|\.)", text) if part and part != "."]
    return [int(part) if part.isdigit() else part for part in parts]


def loose_compare(op: str | None, left: str, right: str) -> bool:
    """``left op right`` as loose versions; parts of different kinds do not compare (no match)."""
    try:
        return _compare(op, loose_version(left), loose_version(right))
    except TypeError:
        return False


def version_matches(rule_version: str | None, query_version: str, *, loose: bool = False) -> bool:
    """Does a rule's ``version`` column admit ``query_version``?

    Comma list of exact versions (any may match), comparisons such as
    ``<52.0``, or globs such as ``52.*`` / ``52.0.*``. A query version Balrog
    cannot parse is the client's error (:class:`InvalidVersion`), raised as
    soon as a constrained rule has to be compared with it, as in Balrog.
    """
    if rule_version is None:
        return True
    for part in rule_version.split(","):
        op, operand = _balrog_operator(part)
        if loose:
            if loose_compare(op, query_version, operand):
                return True
            continue
        query = MozillaVersion.parse(query_version)
        rule = MozillaVersion.parse(operand)
        if operand.endswith("*"):
            if rule.glob is None:
                raise InvalidVersion(f"Version number {operand} is invalid.")
            if query == rule or rule == query:  # Balrog tries the glob's equality both ways
                return True
            continue
        if _compare(op, query, rule):
            return True
    return False


def build_id_matches(rule_build_id: str | None, query_build_id: str) -> bool:
    """One buildID, optionally with an operator, compared as strings (as Balrog does)."""
    if rule_build_id is None:
        return True
    op, operand = _balrog_operator(str(rule_build_id))
    return _compare(op, query_build_id, operand)


def memory_matches(rule_memory: str | None, query_memory: int | None) -> bool:
    """Memory in MB, optionally with an operator; an unknown query memory matches."""
    if rule_memory is None or query_memory is None:
        return True
    op, operand = _balrog_operator(str(rule_memory))
    return _compare(op, int(query_memory), int(operand))


# --------------------------------------------------------------------------
# String columns
# --------------------------------------------------------------------------

def fallback_channel(channel: str) -> str:
    """The channel a partner build also answers to: cut at ``-cck-`` (``release-cck-yahoo`` → ``release``)."""
    return channel.split("-cck-")[0]


def channel_pattern_matches(rule_channel: str, channel: str) -> bool:
    if not rule_channel.endswith("*"):
        return rule_channel == channel
    # Balrog requires the whole pattern, star included, to be >= 3 chars, so
    # "*" and "a*" never match while "be*" does. It turns the pattern into a
    # regular expression with only the dots and inner stars escaped; the rest
    # of the prefix keeps its regex meaning, as there.
    if len(rule_channel) < 3:
        return False
    test = rule_channel.replace(".", r"\.").replace("*", r"\*", rule_channel.count("*") - 1)
    try:
        return re.match(f"^{test[:-1]}.*$", channel) is not None
    except re.error:
        return False


def channel_matches(rule_channel: str | None, query_channel: str) -> bool:
    """Exact or trailing-``*`` match against the query channel or its ``-cck-`` fallback."""
    if rule_channel is None:
        return True
    return channel_pattern_matches(rule_channel, query_channel) or channel_pattern_matches(
        rule_channel, fallback_channel(query_channel)
    )


def csv_matches(rule_value: str | None, query_value: str | None) -> bool:
    """Comma list, exact membership (locale, distribution, instructionSet)."""
    if rule_value is None:
        return True
    return (query_value or "") in rule_value.split(",")


def os_version_matches(rule_os: str | None, query_os: str | None) -> bool:
    """``,`` is OR, ``&&`` is AND; every term must be a substring of the query.

    Substring, not equality, because clients report e.g. ``Windows_NT 10.0.19045 (x64)``
    and rules say ``Windows_NT 10.0``.
    """
    if rule_os is None:
        return True
    query_os = query_os or ""
    return any(
        all(term.strip() in query_os for term in alternative.split("&&"))
        for alternative in rule_os.split(",")
    )


def exact_matches(rule_value: str | None, query_value: str | None) -> bool:
    """Plain equality (product, buildTarget, headerArchitecture, distVersion).

    A query without the value (``None``) only matches rules without it.
    """
    return rule_value is None or (query_value is not None and rule_value == query_value)


def boolean_matches(rule_value: bool | None, query_value: bool | None) -> bool:
    """A set boolean (mig64, jaws) needs the query to state the same value."""
    return rule_value is None or (query_value is not None and bool(rule_value) == bool(query_value))


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------

def rule_matches(rule: Rule, query: UpdateQuery) -> bool:
    """Does every column of ``rule`` admit ``query``? (``None``/missing column = any.)

    Columns are tried in Balrog's order, which matters: the version column
    raises :class:`InvalidVersion` for an unparseable query version, but only
    for rules whose product, build target, architecture, distVersion and
    channel already match.
    """
    get = rule.get
    return (
        exact_matches(get("product"), query.product)
        and exact_matches(get("buildTarget"), query.buildTarget)
        and exact_matches(get("headerArchitecture"), query.headerArchitecture)
        and exact_matches(get("distVersion"), query.distVersion)
        and channel_matches(get("channel"), query.channel)
        and version_matches(get("version"), query.version, loose=query.product in LOOSE_VERSION_PRODUCTS)
        and build_id_matches(get("buildID"), query.buildID)
        and memory_matches(get("memory"), query.memory)
        and os_version_matches(get("osVersion"), query.osVersion)
        and csv_matches(get("instructionSet"), query.instructionSet)
        and csv_matches(get("distribution"), query.distribution)
        and csv_matches(get("locale"), query.locale)
        and boolean_matches(get("mig64"), query.mig64)
        and boolean_matches(get("jaws"), query.jaws)
    )


def _database_order(rule: Rule, index: int) -> tuple[int, int]:
    rule_id = rule.get("rule_id")
    return (0, rule_id) if isinstance(rule_id, int) and not isinstance(rule_id, bool) else (1, index)


def matching_rules(rules: Iterable[Rule], query: UpdateQuery) -> list[Rule]:
    """All rules matching ``query``, highest priority first.

    Ties: Balrog takes the first of equal-priority rules in database order
    (``rule_id`` order). Shipyard makes that explicit (lower ``rule_id``
    first; rules without one keep their input order, after those with one).
    A rule without a priority sorts below every prioritised rule.
    """
    matched = [(index, rule) for index, rule in enumerate(rules) if rule_matches(rule, query)]
    in_db_order = [rule for _, rule in sorted(matched, key=lambda indexed: _database_order(indexed[1], indexed[0]))]
    return sorted(in_db_order, key=lambda rule: (rule.get("priority") is not None, int(rule.get("priority") or 0)),
                  reverse=True)


def choose_rule(rules: Iterable[Rule], query: UpdateQuery) -> Rule | None:
    """The rule that answers ``query``, or ``None`` when no rule matches."""
    ordered = matching_rules(rules, query)
    return ordered[0] if ordered else None


def resolve_mapping(rule: Rule, query: UpdateQuery, roll: int) -> str | None:
    """The release name to serve for ``rule``, or ``None`` for "no update".

    ``roll`` is the caller's ``random.randint(0, 99)``, passed in so the
    decision is deterministic under test. With ``backgroundRate`` below 100 a
    roll at or above the rate loses and gets ``fallbackMapping`` (or nothing);
    ``force=1`` skips the roll, ``force=-1`` loses it on purpose. A missing
    ``backgroundRate`` counts as 100 (Balrog requires the column).
    """
    if not 0 <= roll <= 99:
        raise ValueError(f"roll must be in 0..99, got {roll}")
    mapping = rule.get("mapping")
    if not mapping:
        return None
    rate = rule.get("backgroundRate")
    rate = 100 if rate is None else int(rate)
    if query.force != FORCE_MAIN and rate < 100:
        if query.force == FORCE_FALLBACK or roll >= rate:
            return rule.get("fallbackMapping") or None
    return mapping
