"""moto's S3 finding a request's handler without re-executing its URL module each time.

moto's in-process stub matches every S3 request against the backend's URLs,
and moto's S3 backend builds them from ``moto.s3.urls`` reloaded afresh on
each request (``importlib.reload``: the module read, compiled and run again),
because the URLs include the custom endpoints named by the environment
(``MOTO_S3_CUSTOM_ENDPOINTS``) at that moment. Here the module is reloaded
when those endpoints differ from the ones it was last loaded with, and is
otherwise the module as it stands: the same URLs, so the same handler.
"""

from __future__ import annotations

from typing import Any

_originals: list[tuple[Any, str, Any]] = []
_loaded_with: list[tuple[str, ...]] = []  # the custom endpoints moto.s3.urls was last (re)loaded with


def _url_module(self: Any) -> Any:
    """``S3Backend._url_module``: ``moto.s3.urls`` reloaded when the custom endpoints changed."""
    import importlib

    import moto.s3.urls as backend_urls_module
    from moto import settings

    endpoints = tuple(settings.get_s3_custom_endpoints())
    if _loaded_with != [endpoints]:
        importlib.reload(backend_urls_module)
        _loaded_with[:] = [endpoints]
    return backend_urls_module


def install() -> None:
    """Apply the guard to moto's S3 backend (idempotent)."""
    if _originals:
        return
    from moto.s3.models import S3Backend

    _originals.append((S3Backend, "_url_module", S3Backend.__dict__["_url_module"]))
    _loaded_with.clear()
    S3Backend._url_module = property(_url_module)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Give moto's S3 backend back its own property."""
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
    _loaded_with.clear()
