"""``POST /<project>/api/load_test``: a Talos harness uploads a result blob."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, unquote_to_bytes

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.api.datazilla.common import answer, problem, project_route
from chalicelib.api.request_url import base_url, full_url
from chalicelib.auth import oauth1
from chalicelib.services.datazilla.ingest import store_blob
from chalicelib.store import nonces
from chalicelib.store.projects import Project

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = [FORM, "application/json"]


def _form_fields(body: bytes) -> dict[str, str]:
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise ValueError("the form body is not UTF-8") from None
    return {k: v[-1] for k, v in parsed.items()}


def _load_test(project: Project) -> Response:
    request = bp.current_request
    body = request.raw_body or b""
    headers = dict(request.headers)
    content_type = headers.get("content-type", "")
    is_form = content_type.startswith(FORM)
    try:
        fields = _form_fields(body) if is_form else {}
    except ValueError as err:
        return problem(400, "Malformed request", str(err))
    if not oauth1.has_credentials(fields, headers):
        return problem(403, "No OAuth credentials provided.")
    verdict = oauth1.verify(
        project,
        full_url(request),
        request.method,
        body,
        {"Authorization": headers.get("authorization", ""), "Content-Type": content_type},
        config.oauth_timestamp_window(),
        nonces.remember,
    )
    if not verdict.ok:
        log.info("load_test for %s refused: %s", project.name, verdict.reason)
        return problem(403, "Oauth verification error.")
    if is_form:
        if not fields.get("data"):
            return problem(400, "No POST data found")
        # The blob's bytes as the client percent-encoded them: invalid UTF-8 is kept (and stored as malformed),
        # never silently replaced.
        blob = unquote_to_bytes(fields["data"])
    else:
        if not body.strip():
            return problem(400, "No POST data found")
        blob = body
    stored = store_blob(project.name, blob)
    url = f"{base_url(request)}/{project.name}/refdata/objectstore/json_blob/{stored.row_id}"
    if stored.malformed:
        message = stored.error_msg.removeprefix("Malformed JSON: ")
        return problem(400, "Malformed JSON", message, url=url)
    return answer({"status": "well-formed JSON stored", "size": stored.size, "url": url})


@bp.route("/{project}/api/load_test", methods=["POST"], content_types=CONTENT_TYPES)
@project_route
def load_test(project: Project) -> Response:
    return _load_test(project)


@bp.route("/{project}/load_test", methods=["POST"], content_types=CONTENT_TYPES)
@project_route
def load_test_short(project: Project) -> Response:
    return _load_test(project)
