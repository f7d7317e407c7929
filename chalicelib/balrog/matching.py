"""Which Balrog rule answers an update query, and which release it maps to.

Pure functions over plain dicts: a rule is a row with Balrog's column names,
a query is an :class:`UpdateQuery`. A ``None`` column in a rule matches any
query. The semantics are Balrog's (``Rules.getRulesMatchingQuery``, its rule
matching and version comparison helpers, ``AUS.evaluateRules``), including
the places where a bad query is the client's fault: those raise
:class:`BadUpdateQuery`, which the update endpoint answers with Balrog's 400.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Rule = Mapping[str, Any]

FORCE_MAIN = "1"
"""``force=1``: the client insists on the main mapping (skips the background roll)."""
FORCE_FALLBACK = "-1"
"""``force=-1``: the client asks for what the losing side of the roll would get."""

ALIAS_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
UPDATE_TYPES = ("minor", "major")


class BadUpdateQuery(ValueError):
    """The query (or the data it meets) is malformed in a way Balrog blames on the client: a 400.

    Its text is Balrog's: the arguments joined by spaces (a template and its
    values stay apart, as Balrog's BadDataError shows them).
    """

    def __str__(self) -> str:
        return " ".join(str(arg) for arg in self.args)


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
# Mozilla version ordering
# --------------------------------------------------------------------------

class InvalidVersion(BadUpdateQuery):
    """A string Balrog's version classes would refuse."""


# Firefox 5+ ("post-modern"): only an "a" pre-release tag is legal (betas are
# plain "52.0" with a build-specific buildID).
_POST_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:(a)(\d+))?$")
# Up to 4.x: any alphabetic tag ("3.6.3plugin1", "4.0b12").
_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:([a-zA-Z]+)(\d+))?$")
# Four-part versions (1.5.0.12, 2.0.0.20): the third part is dropped.
_ANCIENT_RE = re.compile(r"^(\d+)\.(\d+)\.\d\.(\d+)(?:([a-zA-Z]+)(\d+))?$")
_GLOB_RE = re.compile(r"^\d+\.(?:\d+\.)?\*$")


_QUERY_GLOB_RE = re.compile(r"^(\d+)\.(\d+\.\*|\*)$")


@dataclass(frozen=True, eq=False)
class MozillaVersion:
    """A parsed Mozilla version that orders like Balrog's ``MozillaVersion``.

    ``52.0 == 52.0.0 < 52.0.1 < 53.0a1 < 53.0a2 < 53.0``: numbers first, and a
    pre-release sorts before the release it precedes. Only the first letter of
    a pre-release tag counts, as in Balrog (it inherits distutils' StrictVersion).

    ``52.*`` / ``52.0.*`` (Firefox 5+) parse too, as Balrog's GlobVersion: its
    numbers are the glob's, "equal" means one prefixes the other, and a glob
    on the left of ``==`` admits whatever prints with its prefix.
    """

    numbers: tuple[int, ...]
    prerelease: tuple[str, int] | None = None
    glob: str | None = None

    @classmethod
    def parse(cls, text: str) -> MozillaVersion:
        """Parse ``text``; raise :class:`InvalidVersion` if Balrog would not accept it."""
        if not isinstance(text, str):
            raise InvalidVersion(f"Version number {text} is invalid.")
        dots = text.count(".")
        if dots in (1, 2):
            head = text.split(".", 1)[0].strip()
            if not re.fullmatch(r"[+-]?\d+", head):
                raise InvalidVersion(f"Version number {text} is invalid.")
            if int(head) > 4 and text.endswith(".*"):
                if not _QUERY_GLOB_RE.match(text):
                    raise InvalidVersion(f"Version number {text} is invalid.")
                return cls(tuple(int(part) for part in text.split(".") if part != "*"), None, text)
            pattern = _POST_MODERN_RE if int(head) > 4 else _MODERN_RE
        else:
            pattern = _ANCIENT_RE
        match = pattern.match(text)
        if not match:
            raise InvalidVersion(f"Version number {text} is invalid.")
        major, minor, patch, tag, tag_number = match.groups()
        numbers = (int(major), int(minor), int(patch or 0))
        prerelease = (tag[0], int(tag_number)) if tag else None
        return cls(numbers, prerelease)

    def _numbers_equal(self, other: MozillaVersion) -> bool:
        if self.glob is None and other.glob is None:
            return self.numbers == other.numbers
        glob, full = (self.numbers, other.numbers) if self.glob is not None else (other.numbers, self.numbers)
        return len(full) >= len(glob) and full[: len(glob)] == glob

    def _cmp(self, other: MozillaVersion) -> int:
        if not self._numbers_equal(other):
            return -1 if self.numbers < other.numbers else 1
        mine, theirs = self.prerelease, other.prerelease
        if mine == theirs:
            return 0
        if mine is None or theirs is None:
            return 1 if mine is None else -1
        return -1 if mine < theirs else 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MozillaVersion):
            return NotImplemented
        if self.glob is not None:
            return str(other).startswith(self.glob[:-1])
        return self._cmp(other) == 0

    def __hash__(self) -> int:
        return hash((self.numbers, self.prerelease, self.glob))

    def __lt__(self, other: MozillaVersion) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: MozillaVersion) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: MozillaVersion) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: MozillaVersion) -> bool:
        return self._cmp(other) >= 0

    def __str__(self) -> str:
        """Canonical form (``52.0.0`` → ``52.0``); what a ``52.0.*`` glob is tested against."""
        if self.glob is not None:
            return self.glob
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


def _channel_pattern_matches(rule_channel: str, channel: str) -> bool:
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
    return _channel_pattern_matches(rule_channel, query_channel) or _channel_pattern_matches(
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
