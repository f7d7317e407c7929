"""Greedy path parameters (``{proxy+}``) matched locally as API Gateway matches them.

Chalice's local router (used by ``chalice local``, its test client and the
local stack's server) matches one segment per path part, so a route
``/treeherder/{proxy+}`` would take ``/treeherder/x`` but not
``/treeherder/x/y``, and would name its parameter ``proxy+``. API Gateway
takes any number of segments (at least one) below the greedy resource's
parent, and only when no more specific resource matches, handing the rest of
the path over as ``pathParameters["proxy"]``. :func:`install` puts that rule
in front of Chalice's router; routes without a greedy part match as before.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

import chalice.local
from chalice.local import MatchResult, RouteMatcher


def _greedy(route: str) -> bool:
    return route.endswith("+}")


class GreedyRouteMatcher(RouteMatcher):
    """Chalice's matcher for exact routes; the deepest matching greedy route for any other path."""

    def __init__(self, route_urls: list[str]) -> None:
        super().__init__([r for r in route_urls if not _greedy(r)])
        # Deepest parent first: the nearest greedy resource wins, as in API Gateway.
        self.greedy_urls = sorted((r for r in route_urls if _greedy(r)), key=lambda r: (-r.count("/"), r))

    def match_route(self, url: str) -> MatchResult:
        """The matching route, its path parameters percent-decoded once, as API Gateway hands them over."""
        found = self._match_encoded(url)
        return MatchResult(found.route, {k: unquote(v) for k, v in found.captured.items()}, found.query_params)

    def _match_encoded(self, url: str) -> MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            pass
        parsed = urlparse(url)
        path = parsed.path
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        parts = path.split("/")
        for route in self.greedy_urls:
            *parent, last = route.split("/")
            if len(parts) <= len(parent):
                continue
            captured: dict[str, str] = {}
            for given, wanted in zip(parts, parent, strict=False):
                if wanted.startswith("{") and wanted.endswith("}"):
                    captured[wanted[1:-1]] = given
                elif given != wanted:
                    break
            else:
                captured[last[1:-2]] = "/".join(parts[len(parent):])
                return MatchResult(route, captured, parse_qs(parsed.query, keep_blank_values=True))
        raise ValueError(f"No matching route found for: {url}")


def install() -> None:
    """Make Chalice's local gateway (server and test client) route greedy parameters (idempotent)."""
    chalice.local.RouteMatcher = GreedyRouteMatcher  # type: ignore[misc]
