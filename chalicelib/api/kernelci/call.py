"""What a KernelCI handler gets: the request, its query parameters as lists, the path id, the token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalice.app import Request

from chalicelib import safe_json
from chalicelib.api.kernelci.envelope import reason_for
from chalicelib.api.kit.refusal import Refusal
from chalicelib.kernelci import keys
from chalicelib.kernelci.documents import is_object_id


@dataclass
class Call:
    request: Request
    method: str
    params: dict[str, list[str]]
    doc_id: str | None  # the path's ``{doc_id}`` or ``{field}``
    token: dict[str, Any] | None  # the token that allowed the call (None on a verb open to anyone)

    def json_body(self, accepted: keys.BodyKeys) -> keys.Checked:
        """A JSON object body, checked: 415 wrong content type, 422 not JSON, 400 not valid."""
        content_type = (self.request.headers.get("content-type") or "").strip().lower()
        if not content_type.startswith("application/json"):
            raise Refusal(415, f"{reason_for(415)}: use application/json as the content type")
        try:
            body = safe_json.loads(self.request.raw_body or b"")
        except safe_json.UnsafeJson as err:
            raise Refusal(422, f"No JSON data found in the {self.method} request",
                          errors=[] if err.not_json else [str(err)]) from None
        checked = keys.check_body(body, accepted)
        if not checked.ok:
            raise Refusal(400, "Provided JSON is not valid", errors=checked.errors)
        return checked

    def valid_id(self) -> str | None:
        """The path id, which must look like one (400 otherwise)."""
        if self.doc_id is not None and not is_object_id(self.doc_id):
            raise Refusal(400, "Wrong ID value provided")
        return self.doc_id


def query_lists(request: Request) -> dict[str, list[str]]:
    """Every query parameter with all its values (a repeated key means any of them)."""
    params = request.query_params
    return {k: params.getlist(k) for k in params} if params else {}
