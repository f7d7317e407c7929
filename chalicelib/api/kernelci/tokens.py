"""``/token``: token management, for admin tokens (superusers may read).

POST creates (201, the new value shown this once, ``Location`` its id); PUT
``/token/<id>`` changes properties; DELETE ``/token/<id>`` removes; GET
``/token/<value>`` shows the token with that value, GET ``/token`` lists
them. Only a hash of each value is stored, so a listing cannot show values,
and a PUT answers with the token's id where the backend echoed its value.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.kernelci import openapi as spec
from chalicelib.api.kernelci.call import Call
from chalicelib.api.kernelci.envelope import Answer
from chalicelib.api.kernelci.family import paths, resource
from chalicelib.api.kit.openapi_parts import schema_ref
from chalicelib.api.kit.refusal import Refusal
from chalicelib.auth import kernelci_token
from chalicelib.kernelci import keys
from chalicelib.kernelci import tokens as rules
from chalicelib.kernelci.documents import is_oid, shown
from chalicelib.kernelci.query import parse, project
from chalicelib.store import kernelci_tokens as store

bp = Blueprint(__name__)


def _shown(record: dict[str, Any], value: str | None, call: Call) -> dict[str, Any]:
    doc = dict(record)
    if value is not None:
        doc["token"] = value
    return shown(project(doc, parse(call.params, keys.GET_KEYS[keys.TOKEN])))


def get_tokens(call: Call) -> Answer:
    if call.doc_id is not None:
        record = store.token_by_hash(rules.token_hash(call.doc_id))
        if record is None:
            raise Refusal(404, f"Resource '{call.doc_id}' not found")
        return Answer(result=[_shown(record, call.doc_id, call)])
    query = parse(call.params, keys.GET_KEYS[keys.TOKEN])
    docs, total = store.tokens(query)
    return Answer(result=[_shown(d, None, call) for d in docs], count=total, limit=query.limit, skip=query.skip)


def post_token(call: Call) -> Answer:
    if call.doc_id is not None:
        raise Refusal(400, "To update a token, use a PUT request")
    checked = call.json_body(keys.POST_KEYS[keys.TOKEN])
    try:
        value, record = kernelci_token.create(checked.body)
    except rules.InvalidToken as err:
        raise Refusal(400, str(err)) from None
    return Answer(201, result=[{"token": value}], errors=checked.errors,
                  headers={"Location": f"/token/{record['_id']}"})


def _existing(call: Call) -> tuple[str, str, dict[str, Any]]:
    token_id = call.doc_id
    if not token_id:
        raise Refusal(400, "Missing token ID")
    if not is_oid(token_id):
        raise Refusal(400, "Wrong ID value provided")
    found = store.token_by_id(token_id)
    if found is None:
        raise Refusal(404, f"Resource '{token_id}' not found")
    return token_id, *found


def put_token(call: Call) -> Answer:
    checked = call.json_body(keys.PUT_KEYS[keys.TOKEN])
    token_id, token_hash, record = _existing(call)
    try:
        updated = rules.apply(checked.body, record)
    except rules.InvalidToken as err:
        raise Refusal(400, str(err)) from None
    store.update_token(token_hash, updated)
    return Answer(200, result=[{"_id": {"$oid": token_id}}], reason=f"Token '{token_id}' updated",
                  errors=checked.errors)


def delete_token(call: Call) -> Answer:
    if not call.doc_id:
        raise Refusal(400, "No ID value specified")
    token_id, token_hash, _ = _existing(call)
    if not store.delete_token(token_hash, token_id):
        raise Refusal(404, f"Resource '{token_id}' not found")
    return Answer(200, reason=f"Resource '{token_id}' deleted")


def _token_operations(alias: spec.Alias) -> dict[str, Any]:
    token = schema_ref("Token")
    token_id = spec.doc_id("The token's `_id` (24 letters and digits; another is 400).")
    if not alias.with_id:
        return {
            "get": spec.op(alias, "get", "Every token (no values: only their hashes are kept)", {
                200: spec.ok("The page of tokens.", spec.envelope(token, ["result", "count", "limit", "skip"])),
                **spec.common(400, 403, 503, 506)},
                security=spec.TOKEN, parameters=spec.list_params(keys.GET_KEYS[keys.TOKEN])),
            "post": spec.op(alias, "post", "Create a token", {
                201: spec.ok("Created: its value, shown this once.",
                             spec.envelope(spec.record({"token": {"type": "string"}}, ["token"]), ["result"]),
                             spec.LOCATION),
                **spec.common(*spec.WRITE_ERRORS)},
                security=spec.TOKEN,
                request_body=spec.json_body("NewToken", "Its owner and properties.",
                                            {"email": "lab@example.com", "username": "lab", "test_lab": 1})),
            "put": spec.op(alias, "put", "Change a token: an id is needed (400)", spec.common(*spec.WRITE_ERRORS),
                           security=spec.TOKEN, request_body=spec.json_body("TokenChange", "Ignored.")),
            "delete": spec.op(alias, "delete", "Delete a token: an id is needed (400)", spec.common(400, 403, 503),
                              security=spec.TOKEN),
        }
    return {
        "get": spec.op(alias, "get", "The token with this value", {
            200: spec.ok("The token, with its value.", spec.envelope(token, ["result"])),
            **spec.common(400, 403, 404, 503, 506)},
            security=spec.TOKEN,
            parameters=[spec.doc_id("A token's value.", spec.EXAMPLE_TOKEN_VALUE), *spec.PROJECTION]),
        "post": spec.op(alias, "post", "Create a token: not with an id (400: use PUT)", spec.common(*spec.WRITE_ERRORS),
                        security=spec.TOKEN, parameters=[spec.doc_id("Any id: refused.")],
                        request_body=spec.json_body("NewToken", "Ignored.")),
        "put": spec.op(alias, "put", "Change a token's properties", {
            200: spec.ok("Changed: its id in `result`.",
                         spec.envelope(spec.record({"_id": spec.OID}, ["_id"]), ["result", "reason"])),
            **spec.common(*spec.WRITE_ERRORS, 404)},
            security=spec.TOKEN, parameters=[token_id],
            request_body=spec.json_body("TokenChange", "The properties to change.")),
        "delete": spec.op(alias, "delete", "Delete a token", {
            200: spec.ok("Deleted.", schema_ref("Done")), **spec.common(400, 403, 404, 503)},
            security=spec.TOKEN, parameters=[token_id]),
    }

resource(bp, "token", paths("token"), {"GET": get_tokens, "POST": post_token, "PUT": put_token,
                                       "DELETE": delete_token}, rules.token_management, _token_operations,
         spec.no_params)
