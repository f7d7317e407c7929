"""``POST /<project>/api/load_test``: a Talos harness uploads a result blob."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Blueprint

from chalicelib import config
from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import upload
from chalicelib.api.form_body import form_pairs, percent_decoded
from chalicelib.api.kit.refusal import Refusal
from chalicelib.api.request_url import base_url, full_url
from chalicelib.auth import oauth1
from chalicelib.services.datazilla.ingest import store_blob
from chalicelib.store import nonces
from chalicelib.store.projects import Project

log = logging.getLogger(__name__)

bp = Blueprint(__name__)

FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = [FORM, "application/json"]


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    """Every field of the form, in order (decoded once: the OAuth verification reads these too)."""
    try:
        return form_pairs(body)
    except UnicodeDecodeError:
        raise ValueError("the form body is not UTF-8") from None


@DATAZILLA.handles(bp, "/{project}/load_test", ["POST"], upload("load_test_short"), content_types=CONTENT_TYPES)
@DATAZILLA.handles(bp, "/{project}/api/load_test", ["POST"], upload("load_test"), content_types=CONTENT_TYPES)
def load_test(project: Project) -> dict[str, Any]:
    """Store the blob (also when it is not JSON, as Datazilla did) once the OAuth signature holds."""
    request = bp.current_request
    body = request.raw_body or b""
    headers = dict(request.headers)
    content_type = headers.get("content-type", "")
    is_form = content_type.startswith(FORM)
    try:
        pairs = _form_pairs(body) if is_form else None
    except ValueError as err:
        raise Refusal(400, "Malformed request", detail=str(err)) from None
    fields = dict(pairs or ())  # the last of a repeated field, as before
    if not oauth1.has_credentials(fields, headers):
        raise Refusal(403, "No OAuth credentials provided.")
    verdict = oauth1.verify(
        project,
        full_url(request),
        request.method,
        body,
        {"Authorization": headers.get("authorization", ""), "Content-Type": content_type},
        config.oauth_timestamp_window(),
        nonces.remember,
        form_pairs=pairs,
    )
    if not verdict.ok:
        log.info("load_test for %s refused: %s", project.name, verdict.reason)
        raise Refusal(403, "Oauth verification error.")
    if is_form:
        if not fields.get("data"):
            raise Refusal(400, "No POST data found")
        # The blob's bytes as the client percent-encoded them: invalid UTF-8 is kept (and stored as malformed),
        # never silently replaced.
        blob = percent_decoded(fields["data"])
    else:
        if not body.strip():
            raise Refusal(400, "No POST data found")
        blob = body
    stored = store_blob(project.name, blob)
    url = f"{base_url(request)}/{project.name}/refdata/objectstore/json_blob/{stored.row_id}"
    if stored.malformed:
        message = stored.error_msg.removeprefix("Malformed JSON: ")
        raise Refusal(400, "Malformed JSON", detail=message, url=url)
    return {"status": "well-formed JSON stored", "size": stored.size, "url": url}

