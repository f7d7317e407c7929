"""The pieces every family's OpenAPI document is built from.

A family builds its operations with these helpers (beside its handlers on the
route kit, or in ``chalicelib/api/<family>/openapi.py`` until it moves) and
its paths go to :func:`document`, which adds what is the same for every
family, so no family has to remember it:

- the family's own ``GET /openapi/<family>.json`` and its page ``/openapi/<family>.html``;
- the notes on trailing slashes and HEAD in ``info.description``.
"""

from __future__ import annotations

import copy
from typing import Any

OPENAPI_VERSION = "3.1.0"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# One path segment as the router matches it: not empty, no '/', and not '.' or
# '..' (clients remove those from a URL before sending it).
SEGMENT = r"^([^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)$"

NOTES = (
    "Every path is also served with one trailing slash (`/x/` answers as `/x`). "
    "HEAD is answered only where an operation lists it, with the headers of the GET and no body; "
    "a method a path does not list is refused by the gateway (403 on API Gateway, 405 on the local server). "
    "A body (POST, PUT, PATCH, DELETE) whose `Content-Type` the operation does not take is answered 415 in the "
    "family's own error body; a GET's `Content-Type` is ignored."
)

DOCUMENT_SCHEMA = {
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "properties": {"openapi": {"type": "string"}, "info": {"type": "object"}, "paths": {"type": "object"}},
}


def ref(section: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{section}/{name}"}


def schema_ref(name: str) -> dict[str, str]:
    return ref("schemas", name)


def response_ref(name: str) -> dict[str, str]:
    return ref("responses", name)


def segment(max_length: int | None = None, **extra: Any) -> dict[str, Any]:
    """The schema of a path parameter: one segment, optionally bounded."""
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": SEGMENT, **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def path_param(name: str, description: str, schema: dict[str, Any] | None = None,
               example: Any = None) -> dict[str, Any]:
    """A path parameter (one segment unless ``schema`` says otherwise); ``example`` is a value that exists
    in the local stack's seeded data, so example-based tests reach real answers."""
    param = {"name": name, "in": "path", "required": True, "description": description, "schema": schema or segment()}
    if example is not None:
        param["example"] = example
    return param


def query_param(name: str, description: str, schema: dict[str, Any] | None = None,
                required: bool = False, example: Any = None) -> dict[str, Any]:
    """A query parameter; ``example``, as for :func:`path_param`, is a value of the local stack's seeded data."""
    param = {"name": name, "in": "query", "required": required, "description": description,
             "schema": schema or {"type": "string"}}
    if example is not None:
        param["example"] = example
    return param


def answer(description: str, schema: dict[str, Any] | None = None, media: str = "application/json",
           headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response object: a body of ``media`` when ``schema`` is given, else none."""
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {media: {"schema": schema}}
    if headers:
        out["headers"] = headers
    return out


def header(description: str, schema: dict[str, Any] | None = None, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema or {"type": "string"}}


def body(schemas: dict[str, dict[str, Any]], description: str, required: bool = False,
         examples: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request body: media type → schema, and an example per media type where one is given."""
    content: dict[str, Any] = {}
    for media, schema in schemas.items():
        content[media] = {"schema": schema}
        if examples and media in examples:
            content[media]["example"] = examples[media]
    return {"description": description, "required": required, "content": content}


def operation(operation_id: str, summary: str, responses: dict[str, Any], *, parameters: list[Any] | None = None,
              request_body: dict[str, Any] | None = None, security: list[dict[str, list[str]]] | None = None,
              description: str | None = None, tags: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": operation_id, "summary": summary}
    if description:
        out["description"] = description
    if tags:
        out["tags"] = tags
    if parameters:
        out["parameters"] = parameters
    if request_body is not None:
        out["requestBody"] = request_body
    if security is not None:
        out["security"] = security
    out["responses"] = {str(status): value for status, value in responses.items()}
    return out


def document_path(family: str) -> str:
    return f"/openapi/{family}.json"


def _own_document(family: str) -> dict[str, Any]:
    return {"get": operation(
        f"{family}_openapi_document", f"This document ({family}), as OpenAPI 3.1 JSON",
        {200: answer("The document, with `servers` naming where the request reached the API.", DOCUMENT_SCHEMA)},
        security=[],
    )}


def _own_page(family: str) -> dict[str, Any]:
    return {"get": operation(
        f"{family}_openapi_page", f"This document ({family}) as a browsable HTML page (no script, nothing loaded "
                                  "from elsewhere)",
        {200: {"description": "The page.", "content": {"text/html": {"schema": {"type": "string"}}}}},
        security=[],
    )}


def document(family: str, title: str, description: str, paths: dict[str, Any],
             components: dict[str, Any]) -> dict[str, Any]:
    """A family's complete document: its paths, its own document path and page, and the notes."""
    paths = copy.deepcopy(paths)
    paths[document_path(family)] = _own_document(family)
    paths[f"/openapi/{family}.html"] = _own_page(family)
    merged = copy.deepcopy(components)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": "1", "description": f"{description}\n\n{NOTES}"},
        "paths": dict(sorted(paths.items())),
        "components": merged,
    }


def operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """(path, METHOD) of every operation of a document."""
    return {(path, method.upper()) for path, item in doc["paths"].items() for method in METHODS if method in item}
