"""Update queries Balrog blames on the client: each is answered with Balrog's 400, never a 500."""

from __future__ import annotations


class BadUpdateQuery(ValueError):
    """The query (or the data it meets) is malformed in a way Balrog blames on the client: a 400.

    Its text is Balrog's: the arguments joined by spaces (a template and its
    values stay apart, as Balrog's BadDataError shows them).
    """

    def __str__(self) -> str:
        return " ".join(str(arg) for arg in self.args)


class InvalidVersion(BadUpdateQuery):
    """A string Balrog's version classes would refuse."""
