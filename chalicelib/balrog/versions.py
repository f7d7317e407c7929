"""Mozilla version ordering, as Balrog compares the versions in rules and update queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.balrog.query_errors import InvalidVersion

# Firefox 5+ ("post-modern"): only an "a" pre-release tag is legal (betas are
# plain "52.0" with a build-specific buildID).
_POST_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:(a)(\d+))?$")
# Up to 4.x: any alphabetic tag ("3.6.3plugin1", "4.0b12").
_MODERN_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:([a-zA-Z]+)(\d+))?$")
# Four-part versions (1.5.0.12, 2.0.0.20): the third part is dropped.
_ANCIENT_RE = re.compile(r"^(\d+)\.(\d+)\.\d\.(\d+)(?:([a-zA-Z]+)(\d+))?$")
GLOB_RE = re.compile(r"^\d+\.(?:\d+\.)?\*$")


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
