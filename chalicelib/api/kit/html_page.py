"""A family's OpenAPI document as one browsable HTML page. Pure.

What Treeherder's ``/docs/`` gave a person: every path with its operations,
their parameters, bodies and answers, readable in a browser. The page is
rendered here from the document itself, self-contained (inline style, no
script, nothing loaded from elsewhere), so it works offline and under the
strict Content-Security-Policy of every HTML answer; the JSON document it
renders is linked for tools.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from chalicelib.api.kit.openapi_parts import METHODS

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70em;padding:1em 2em;color:#1b1b1b;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em;font-family:monospace}
.op{border:1px solid #ddd;border-radius:6px;margin:.8em 0;padding:.6em 1em;background:#fafafa}
.verb{display:inline-block;min-width:4.5em;font-weight:bold;font-family:monospace;text-transform:uppercase}
.get{color:#0b6e4f}.post{color:#1d4ed8}.put{color:#9a6700}.delete{color:#b42318}.patch,.head,.options,.trace{color:#555}
table{border-collapse:collapse;margin:.4em 0;width:100%}td,th{border:1px solid #ddd;padding:.25em .5em;
text-align:left;vertical-align:top;font-size:.92em}th{background:#f0f0f0}code{font-size:.92em}
.desc{white-space:pre-wrap}nav ul{columns:2;font-family:monospace;font-size:.9em}
"""


def _text(value: Any) -> str:
    return escape(str(value or ""))


def _schema_hint(schema: dict[str, Any] | None) -> str:
    """A short human reading of a schema: its type, enum, pattern or reference."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"][:12])
    kind = schema.get("type", "")
    if kind == "array":
        return f"array of {_schema_hint(schema.get('items'))}"
    for combiner in ("oneOf", "anyOf", "allOf"):
        if combiner in schema:
            return f" {combiner} ".join(_schema_hint(s) for s in schema[combiner])
    return str(kind) if isinstance(kind, str) else "/".join(kind)


def _parameters(params: list[dict[str, Any]]) -> str:
    if not params:
        return ""
    rows = "".join(
        f"<tr><td><code>{_text(p.get('name'))}</code></td><td>{_text(p.get('in'))}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td>{_text(_schema_hint(p.get('schema')))}</td>"
        f"<td class=desc>{_text(p.get('description'))}</td></tr>" for p in params)
    return ("<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>"
            f"{rows}</table>")


def _body(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    media = ", ".join(f"<code>{_text(m)}</code> ({_text(_schema_hint(v.get('schema')))})"
                      for m, v in (body.get("content") or {}).items())
    return f"<p><b>Body</b>{' (required)' if body.get('required') else ''}: {media}</p>" + (
        f"<p class=desc>{_text(body.get('description'))}</p>" if body.get("description") else "")


def _responses(responses: dict[str, Any], components: dict[str, Any]) -> str:
    rows = []
    for status, answer in responses.items():
        if "$ref" in answer:
            answer = components.get("responses", {}).get(answer["$ref"].rsplit("/", 1)[-1], {})
        media = ", ".join(_text(m) for m in (answer.get("content") or {}))
        rows.append(f"<tr><td><code>{_text(status)}</code></td><td>{media}</td>"
                    f"<td class=desc>{_text(answer.get('description'))}</td></tr>")
    return "<table><tr><th>status</th><th>content</th><th>meaning</th></tr>" + "".join(rows) + "</table>"


def _operation(method: str, op: dict[str, Any], components: dict[str, Any]) -> str:
    secured = op.get("security")
    auth = ("" if secured is None else
            "<p><b>Needs</b>: " + (", ".join(_text(k) for s in secured for k in s) or "nothing") + "</p>")
    return (f"<div class=op id=\"{_text(op.get('operationId'))}\"><p><span class=\"verb {method}\">{method}</span> "
            f"{_text(op.get('summary'))}</p>"
            + (f"<p class=desc>{_text(op.get('description'))}</p>" if op.get("description") else "")
            + auth + _parameters(op.get("parameters") or []) + _body(op.get("requestBody"))
            + _responses(op.get("responses") or {}, components) + "</div>")


def render(document: dict[str, Any], json_url: str) -> str:
    """The page for ``document``; ``json_url`` is where the JSON document itself is served."""
    info = document.get("info") or {}
    components = document.get("components") or {}
    paths = document.get("paths") or {}
    toc = "".join(f"<li><a href=\"#p{i}\">{_text(path)}</a></li>" for i, path in enumerate(paths))
    sections = []
    for i, (path, item) in enumerate(paths.items()):
        ops = "".join(_operation(m, item[m], components) for m in METHODS if m in item)
        sections.append(f"<h2 id=\"p{i}\">{_text(path)}</h2>{ops}")
    servers = ", ".join(_text(s.get("url")) for s in document.get("servers") or [])
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{_text(info.get('title'))}: API documentation</title>"
        f"<meta name=viewport content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head><body>"
        f"<h1>{_text(info.get('title'))}</h1><p class=desc>{_text(info.get('description'))}</p>"
        f"<p>OpenAPI {_text(document.get('openapi'))} document: <a href=\"{_text(json_url)}\">{_text(json_url)}</a>"
        + (f"; served at {servers}" if servers else "") + f". {len(paths)} paths.</p>"
        f"<nav><ul>{toc}</ul></nav>{''.join(sections)}</body></html>"
    )
