"""Which Balrog rule answers an update query, and which release it maps to.

Pure functions over plain dicts: a rule is a row with Balrog's column names,
a query is an :class:`UpdateQuery`. A ``None`` column in a rule matches any
query. The semantics follow mozilla-releng/balrog (``Rules.getRulesMatchingQuery``,
``auslib.util.rulematching``, ``auslib.util.versions``, ``AUS.evaluateRules``);
where Shipyard deliberately differs, the docstring says so.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Rule = Mapping[str, Any]

FORCE_MAIN = 1
"""``force=1``: the client insists on the main mapping (skips the background roll)."""
FORCE_FALLBACK = -1
"""``force=-1``: the client asks for what the losing side of the roll would get."""

ALIAS_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
UPDATE_TYPES = ("minor", "major")


@dataclass(frozen=True)
class UpdateQuery:
    """One update request, as parsed from the update URL (and its headers).

    ``None`` for the optional fields means "the client did not say", which
    matters: a rule constraining such a column does not match, as in Balrog.
    The one exception is ``memory``, where an unknown value matches any rule
    (old clients never report it).
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
    force: int | None = None
    headerArchitecture: str | None = None
    instructionSet: str | None = None
    memory: int | None = None
    mig64: bool | None = None
    jaws: bool | None = None


# --------------------------------------------------------------------------
# Mozilla version ordering
# --------------------------------------------------------------------------

class InvalidVersion(ValueError):
    """A string Balrog's version classes would refuse."""


# Firefox 5+ ("post-modern"): only an "a" pre-release tag is legal (betas are
# plain "52.0" with a build-specific buildID).
_POST_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:(a)(\d+))?$")
# Up to 4.x: any alphabetic tag ("3.6.3plugin1", "4.0b12").
_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:([a-zA-Z]+)(\d+))?$")
# Four-part versions (1.5.0.12, 2.0.0.20): the third part is dropped.
_ANCIENT_RE = re.compile(r"^(\d+)\.(\d+)\.\d\.(\d+)(?:([a-zA-Z]+)(\d+))?$")
_GLOB_RE = re.compile(r"^\d+\.(?:\d+\.)?\*$")


@dataclass(frozen=True, order=False)
class MozillaVersion:
    """A parsed Mozilla version that orders like Balrog's ``MozillaVersion``.

    ``52.0 == 52.0.0 < 52.0.1 < 53.0a1 < 53.0a2 < 53.0``: numbers first, and a
    pre-release sorts before the release it precedes. Only the first letter of
    a pre-release tag counts, as in Balrog (it inherits distutils' StrictVersion).
    """

    numbers: tuple[int, int, int]
    prerelease: tuple[str, int] | None = None

    @classmethod
    def parse(cls, text: str) -> MozillaVersion:
        """Parse ``text``; raise :class:`InvalidVersion` if Balrog would not accept it."""
        dots = text.count(".")
        if dots in (1, 2):
            head = text.split(".", 1)[0]
            if not head.isdigit():
                raise InvalidVersion(f"invalid version number {text!r}")
            pattern = _POST_MODERN_RE if int(head) > 4 else _MODERN_RE
        else:
            pattern = _ANCIENT_RE
        match = pattern.match(text)
        if not match:
            raise InvalidVersion(f"invalid version number {text!r}")
        major, minor, patch, tag, tag_number = match.groups()
        numbers = (int(major), int(minor), int(patch or 0))
        prerelease = (tag[0], int(tag_number)) if tag else None
        return cls(numbers, prerelease)

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[str, int]]:
        if self.prerelease is None:
            return (self.numbers, 1, ("", 0))
        return (self.numbers, 0, self.prerelease)

    def __lt__(self, other: MozillaVersion) -> bool:
        return self._key() < other._key()

    def __le__(self, other: MozillaVersion) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: MozillaVersion) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: MozillaVersion) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        """Canonical form (``52.0.0`` → ``52.0``); what a ``52.0.*`` glob is tested against."""
        major, minor, patch = self.numbers
        text = f"{major}.{minor}" if patch == 0 else f"{major}.{minor}.{patch}"
        if self.prerelease:
            text += f"{self.prerelease[0]}{self.prerelease[1]}"
        return text


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` sorts before, equal to, or after ``right``."""
    a, b = MozillaVersion.parse(left), MozillaVersion.parse(right)
    return (a > b) - (a < b)


# --------------------------------------------------------------------------
# Operators ("<52.0", ">=20170101000000", "=52.0", "52.*")
# --------------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq,
}
_OPERATOR_RE = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.DOTALL)


def split_operator(value: str) -> tuple[str | None, str]:
    """``">=52.0"`` → ``(">=", "52.0")``; no operator → ``(None, value)``.

    Balrog itself knows ``<``, ``<=``, ``>``, ``>=``; ``=`` (explicit
    equality) is a Shipyard addition that means the same as no operator.
    """
    match = _OPERATOR_RE.match(value)
    assert match is not None  # the pattern matches any string
    return match.group(1), match.group(2)


def _compare(op: str | None, left: Any, right: Any) -> bool:
    return _OPERATORS[op or "="](left, right)


def version_matches(rule_version: str | None, query_version: str) -> bool:
    """Does a rule's ``version`` column admit ``query_version``?

    Comma list of exact versions (any may match), one comparison such as
    ``<52.0``, or a glob such as ``52.*`` / ``52.0.*`` (prefix of the query's
    canonical form). A query version that cannot be parsed matches no
    constrained rule; Balrog raises BadDataError (a 400) there, and the HTTP
    side may do so by checking ``MozillaVersion.parse`` up front.
    """
    if rule_version is None:
        return True
    try:
        query = MozillaVersion.parse(query_version)
    except InvalidVersion:
        return False
    for part in rule_version.split(","):
        if part.endswith("*"):
            if _GLOB_RE.match(part) and str(query).startswith(part[:-1]):
                return True
            continue
        op, operand = split_operator(part)
        try:
            if _compare(op, query, MozillaVersion.parse(operand)):
                return True
        except InvalidVersion:
            continue
    return False


def build_id_matches(rule_build_id: str | None, query_build_id: str) -> bool:
    """One buildID, optionally with an operator, compared as strings.

    String order is right for buildIDs (fixed-width ``YYYYMMDDhhmmss``);
    Balrog compares them the same way.
    """
    if rule_build_id is None:
        return True
    op, operand = split_operator(rule_build_id)
    return _compare(op, query_build_id, operand)


def memory_matches(rule_memory: str | None, query_memory: int | None) -> bool:
    """Memory in MB, optionally with an operator; an unknown query memory matches."""
    if rule_memory is None or query_memory is None:
        return True
    op, operand = split_operator(str(rule_memory))
    try:
        return _compare(op, int(query_memory), int(operand))
    except ValueError:
        return False


# --------------------------------------------------------------------------
# String columns
# --------------------------------------------------------------------------

def fallback_channel(channel: str) -> str:
    """The channel a partner build also answers to: cut at ``-cck-``.

    ``release-cck-yahoo`` → ``release``; a ``-sysaddon`` suffix survives the
    cut (``release-cck-foo-sysaddon`` → ``release-sysaddon``), as in Balrog.
    """
    fallback = channel.split("-cck-")[0]
    if channel.endswith("-sysaddon") and not fallback.endswith("-sysaddon"):
        fallback += "-sysaddon"
    return fallback


def _channel_pattern_matches(rule_channel: str, channel: str) -> bool:
    if rule_channel.endswith("*"):
        # Balrog requires the whole pattern, star included, to be >= 3 chars,
        # so "*" and "a*" never match while "be*" does. Only a trailing star
        # is a wildcard; the prefix is compared literally.
        return len(rule_channel) >= 3 and channel.startswith(rule_channel[:-1])
    return rule_channel == channel


def channel_matches(rule_channel: str | None, query_channel: str) -> bool:
    """Exact or trailing-``*`` match against the query channel or its ``-cck-`` fallback."""
    if rule_channel is None:
        return True
    return _channel_pattern_matches(rule_channel, query_channel) or _channel_pattern_matches(
        rule_channel, fallback_channel(query_channel)
    )


def csv_matches(rule_value: str | None, query_value: str | None) -> bool:
    """Comma list, exact membership (locale, distribution, instructionSet)."""
    if rule_value is None:
        return True
    if query_value is None:
        return False
    return query_value in rule_value.split(",")


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
    """Does every column of ``rule`` admit ``query``? (``None``/missing column = any.)"""
    get = rule.get
    return (
        exact_matches(get("product"), query.product)
        and exact_matches(get("buildTarget"), query.buildTarget)
        and exact_matches(get("headerArchitecture"), query.headerArchitecture)
        and exact_matches(get("distVersion"), query.distVersion)
        and channel_matches(get("channel"), query.channel)
        and version_matches(get("version"), query.version)
        and build_id_matches(get("buildID"), query.buildID)
        and memory_matches(get("memory"), query.memory)
        and os_version_matches(get("osVersion"), query.osVersion)
        and csv_matches(get("instructionSet"), query.instructionSet)
        and csv_matches(get("distribution"), query.distribution)
        and csv_matches(get("locale"), query.locale)
        and boolean_matches(get("mig64"), query.mig64)
        and boolean_matches(get("jaws"), query.jaws)
    )


def matching_rules(rules: Iterable[Rule], query: UpdateQuery) -> list[Rule]:
    """All rules matching ``query``, highest priority first.

    Ties: Balrog takes the first of equal-priority rules in database order,
    which for its MySQL table is ``rule_id`` order. Shipyard makes that
    explicit (lower ``rule_id`` first; rules without one keep their input
    order, after those with one) so the answer does not depend on scan order.
    A rule without a priority sorts below every prioritised rule.
    """
    matched = [rule for rule in rules if rule_matches(rule, query)]

    def key(indexed: tuple[int, Rule]) -> tuple[int, int, int, int]:
        index, rule = indexed
        priority, rule_id = rule.get("priority"), rule.get("rule_id")
        has_priority = 0 if priority is None else 1
        has_id = 0 if isinstance(rule_id, int) else 1
        return (-has_priority, -int(priority or 0), has_id, rule_id if isinstance(rule_id, int) else index)

    return [rule for _, rule in sorted(enumerate(matched), key=key)]


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


# --------------------------------------------------------------------------
# Validation (admin API)
# --------------------------------------------------------------------------

def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is one (or a string of one); bools are not ints."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _check_int(fields: Mapping[str, Any], name: str, low: int | None, high: int | None) -> list[str]:
    value = fields.get(name)
    if _is_blank(value):
        return []
    number = _as_int(value)
    if number is None:
        return [f"{name} must be an integer, got {value!r}"]
    if low is not None and number < low:
        return [f"{name} must be >= {low}, got {number}"]
    if high is not None and number > high:
        return [f"{name} must be <= {high}, got {number}"]
    return []


def _check_version(value: str) -> list[str]:
    parts = value.split(",")
    errors: list[str] = []
    for part in parts:
        if part.endswith("*"):
            if not _GLOB_RE.match(part):
                errors.append(f"version {part!r}: a glob must look like '52.*' or '52.0.*' and carry no operator")
            continue
        op, operand = split_operator(part)
        if op and len(parts) > 1:
            errors.append(f"version {value!r}: comparison operators are not allowed in a list of versions")
            break
        try:
            MozillaVersion.parse(operand)
        except InvalidVersion:
            errors.append(f"version {part!r}: {operand!r} is not a valid Mozilla version")
    return errors


def _check_build_id(value: str) -> list[str]:
    _, operand = split_operator(value)
    if not operand.isdigit():
        return [f"buildID {value!r}: expected digits with an optional operator (<, <=, >, >=, =)"]
    return []


def _check_memory(value: Any) -> list[str]:
    _, operand = split_operator(str(value))
    if not operand.isdigit():
        return [f"memory {value!r}: expected an integer with an optional operator (<, <=, >, >=, =)"]
    return []


def validate_rule(fields: Mapping[str, Any], *, partial: bool = False) -> list[str]:
    """Problems with a rule's fields, as messages for a 400 body; ``[]`` when valid.

    ``partial=True`` is for updates that carry only the changed columns; a new
    rule (``partial=False``) must state ``priority``, ``backgroundRate`` and
    ``update_type``, as Balrog's admin API requires.
    """
    errors: list[str] = []
    if not partial:
        for name in ("priority", "backgroundRate", "update_type"):
            if _is_blank(fields.get(name)):
                errors.append(f"{name} is required")
    alias = fields.get("alias")
    if not _is_blank(alias) and not (isinstance(alias, str) and ALIAS_RE.match(alias)):
        errors.append(f"alias {alias!r} must start with a letter and contain only letters, digits and '-'")
    errors += _check_int(fields, "priority", 0, None)
    errors += _check_int(fields, "backgroundRate", 0, 100)
    update_type = fields.get("update_type")
    if not _is_blank(update_type) and update_type not in UPDATE_TYPES:
        errors.append(f"update_type must be one of {', '.join(UPDATE_TYPES)}, got {update_type!r}")
    for name, check in (("version", _check_version), ("buildID", _check_build_id), ("memory", _check_memory)):
        value = fields.get(name)
        if _is_blank(value):
            continue
        if name != "memory" and not isinstance(value, str):
            errors.append(f"{name} must be a string, got {value!r}")
            continue
        errors += check(value)
    for name in ("mig64", "jaws"):
        value = fields.get(name)
        if value is not None and not isinstance(value, bool):
            errors.append(f"{name} must be true, false or null, got {value!r}")
    return errors
