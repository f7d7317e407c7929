"""The OpenAPI operations routes declare, and each family's document assembled from them.

A route is registered with an operation for every method it answers, or not
at all (:class:`UndocumentedRoute`), so a family's document lists exactly its
routes. What is the same in every document (the document's own
paths, the notes) is added by :func:`chalicelib.api.kit.openapi_parts.document`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from chalicelib.api.kit import openapi_parts as parts

OPERATION = "__openapi_operation__"
H = TypeVar("H", bound=Callable[..., Any])


class UndocumentedRoute(Exception):
    """A route would answer a method without an OpenAPI operation for it."""


class DocumentedFamily(Protocol):
    name: str
    title: str
    description: str
    components: dict[str, Any]


_FAMILIES: dict[str, DocumentedFamily] = {}
_PATHS: dict[str, dict[str, dict[str, Any]]] = {}
_COMPONENTS: dict[str, dict[str, dict[str, Any]]] = {}


def documented(operation: dict[str, Any]) -> Callable[[H], H]:
    """Declare a handler's OpenAPI operation (built with :func:`chalicelib.api.kit.openapi_parts.operation`);
    the route registering the handler documents it with this."""

    def attach(handler: H) -> H:
        setattr(handler, OPERATION, operation)
        return handler

    return attach


def operation_of(handler: Callable[..., Any]) -> dict[str, Any] | None:
    return getattr(handler, OPERATION, None)


def add_family(family: DocumentedFamily) -> None:
    if family.name in _FAMILIES:
        raise ValueError(f"family {family.name!r} is declared twice")
    _FAMILIES[family.name] = family
    _PATHS[family.name] = {}
    _COMPONENTS[family.name] = {}


def add_operation(family: str, path: str, method: str, operation: dict[str, Any]) -> None:
    """Record the operation of ``method`` on the document path ``path`` (the URL template, prefix included)."""
    item = _PATHS[family].setdefault(path, {})
    if method.lower() in item:
        raise ValueError(f"{method} {path} is registered twice in {family}")
    item[method.lower()] = operation


def add_components(family: str, components: dict[str, dict[str, Any]]) -> None:
    """Add components (by section: ``schemas``, ``responses``...) that routes of ``family`` declare beside
    themselves rather than in the family's declaration, such as the perf pages' schemas in Datazilla's document
    (the family's module cannot import the modules whose routes serve in it). A name the document already has
    is an error: two meanings for one ``$ref``."""
    declared = _FAMILIES[family].components
    for section, named in components.items():
        added = _COMPONENTS[family].setdefault(section, {})
        taken = set(named) & (set(declared.get(section, {})) | set(added))
        if taken:
            raise ValueError(f"{family}: components/{section} {sorted(taken)} are declared twice")
        added.update(named)


def families() -> list[str]:
    return sorted(_FAMILIES)


def document(family: str) -> dict[str, Any]:
    """The family's document as its registered routes describe it (a new object each time)."""
    declared = _FAMILIES[family]
    components = {section: {**named, **_COMPONENTS[family].get(section, {})}
                  for section, named in declared.components.items()}
    components.update({section: named for section, named in _COMPONENTS[family].items() if section not in components})
    return parts.document(family, declared.title, declared.description, copy.deepcopy(_PATHS[family]), components)
