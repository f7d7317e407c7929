"""The readable HTML rendering of self-serve answers: tables for records and lists, no external assets."""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = ("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.3em 0}"
         "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
         "th{background:#f0f0f0}.FAILED{color:#a00}.OK{color:#070}code{font-size:90%}")


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return record_table(value) if value else "<em>none</em>"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return list_table(value)
        return ", ".join(_cell(v) for v in value) if value else "<em>none</em>"
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return html.escape(json.dumps(value))
    return html.escape(str(value))


def record_table(record: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{_cell(v)}</td></tr>" for k, v in record.items())
    return f"<table>{rows}</table>"


def list_table(items: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for item in items for k in item))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(item.get(c))}</td>" for c in columns) + "</tr>" for item in items)
    return f"<table><tr>{head}</tr>{body}</table>"


def content(data: Any) -> str:
    """A value as HTML: a record as a two-column table, a list of records as one row each."""
    if isinstance(data, dict) and set(data) >= {"status", "msg"} and len(data) <= 3:
        status = html.escape(str(data["status"]))
        extra = f" (job request {_job_link(data['request_id'])})" if data.get("request_id") else ""
        return f'<p class="{status}">{status}: {html.escape(str(data["msg"]))}{extra}</p>'
    if isinstance(data, dict):
        return "".join(f"<h2>{html.escape(str(k))}</h2>{_cell(v) or '<em>none</em>'}" for k, v in data.items()) \
            if data and all(isinstance(v, list) for v in data.values()) else record_table(data)
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return list_table(data)
    if isinstance(data, list):
        return "<ul>" + "".join(f"<li>{_cell(v)}</li>" for v in data) + "</ul>" if data else "<p><em>none</em></p>"
    return f"<p>{_cell(data)}</p>"


def _job_link(request_id: Any) -> str:
    number = html.escape(str(request_id))
    return f'<a href="/self-serve/jobs/{number}">{number}</a>'


def page(title: str, data: Any, intro: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{intro}{content(data)}"
            "<p><a href=\"/self-serve\">self-serve</a></p></body></html>")
