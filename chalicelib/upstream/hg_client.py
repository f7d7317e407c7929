"""One GET of a json-pushes URL: bounded in time and size, failures as typed errors.

urllib (standard library) rather than a new dependency: the pushlog needs
one GET with a timeout and nothing else. Only http and https are fetched, so
a branch URI can never make the sync read a local file (``file://``).

Errors carry the HTTP status and reason or the network reason, never the
response body: bodies can be large and are not ours to log.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from chalicelib import config

USER_AGENT = "shipyard-pushlog-sync"
# A page of 200 pushes with full changesets is a few MB at most; anything far
# larger is not a json-pushes page.
MAX_BODY_BYTES = 64 * 1024 * 1024
_CHUNK = 256 * 1024


class HgError(Exception):
    """The host did not give us a json-pushes body."""

    def __init__(self, message: str, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class HgTimeout(HgError):
    """No complete answer within the configured timeout."""


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HgError(f"not an http(s) URL: {parts.scheme or '(no scheme)'}://{parts.netloc}")


def fetch(url: str, timeout: float | None = None) -> bytes:
    """The body of ``url``; raises :class:`HgError` (or :class:`HgTimeout`) otherwise.

    ``timeout`` (default ``config.hg_timeout()``) bounds each socket operation
    and the whole read, so a host trickling bytes cannot hold a Lambda run.
    """
    _check_url(url)
    limit = config.hg_timeout() if timeout is None else timeout
    deadline = time.monotonic() + limit
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310 - scheme checked above
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise HgError(f"answer larger than {MAX_BODY_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise HgTimeout(f"no complete answer within {limit:g} s")
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as err:
        err.close()
        raise HgError(f"HTTP {err.code} {err.reason}", status=err.code, reason=str(err.reason)) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise HgTimeout(f"no answer within {limit:g} s") from None
        raise HgError(f"cannot reach host: {err.reason}", reason=str(err.reason)) from None
    except TimeoutError:
        raise HgTimeout(f"no answer within {limit:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as err:  # reset mid-body, bad status line, ...
        raise HgError(f"request failed: {type(err).__name__}: {err}", reason=type(err).__name__) from None
