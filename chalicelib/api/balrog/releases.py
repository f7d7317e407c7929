"""``/releases``: list, create, read (blob), overwrite, merge, locales, delete, read-only, revisions.

Every blob write with a stale data_version goes through the store's 3-way
merge (``Releases.write_blob``), so concurrent locale uploads both land.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    change_of,
    int_value,
    json_body,
    page_and_limit,
    query_params,
    require,
)
from chalicelib.api.balrog.family import admin, blueprint
from chalicelib.api.balrog.openapi import (
    CREATE_ERRORS,
    CSRF_FIELD,
    DATA_VERSION,
    DELETE_VERSION,
    DELETED,
    INTEGER_LIKE,
    JSON_STRING,
    LIMIT,
    LOCALE_CHANGE,
    NAME,
    NAME_LIST,
    NEW_RELEASE,
    PAGE,
    READ_ERRORS,
    WRITE_ERRORS,
    admin_op,
    column_op,
    head_op,
    json_content,
    new_version,
    obj,
)
from chalicelib.api.kit import openapi_parts as oa
from chalicelib.balrog import errors
from chalicelib.balrog.domains import contains_forbidden_domain
from chalicelib.balrog.release_input import (
    FORBIDDEN_DOMAIN,
    json_string,
    names_of,
    product_of,
    release_name,
    valid_blob,
    writable,
)
from chalicelib.services.balrog import gates, scheduled_changes
from chalicelib.services.balrog.allowlist import domain_allowlist
from chalicelib.services.balrog.releases import change_release
from chalicelib.services.balrog.scheduled_kinds import RELEASES, follow_release
from chalicelib.store.balrog_releases import releases
from chalicelib.store.balrog_required_signoffs import product_required_signoffs

bp = blueprint(__name__)

LOCALE = [NAME, oa.path_param("platform", "A build platform.", example="WINNT_x86-msvc"),
          oa.path_param("locale", "A locale.", example="en-US")]
CREATED_OR_CHANGED = {200: new_version("Changed."), 201: new_version("Created."), **WRITE_ERRORS}


def _found(name: str) -> dict[str, Any]:
    record = releases.get({"name": name})
    if record is None:
        raise BalrogError(404, f"Release '{name}' does not exist.")
    return record


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {"name": record["name"], "product": record.get("product"),
            "data_version": record["data_version"], "read_only": bool(record.get("read_only"))}


def _blob(body: dict[str, Any], name: str, product: str, refusal: str) -> dict[str, Any]:
    blob = json_string(body, "blob")
    if not isinstance(blob, dict):
        raise BalrogError(400, "'blob' is required and must be a JSON object.")
    if blob.get("name") != name:
        raise BalrogError(400, f"The blob's name ({blob.get('name')!r}) must equal the release name ({name!r}).")
    return valid_blob(blob, product, domain_allowlist(), refusal)


@admin(
    bp, "/releases", ["GET"],
    admin_op("list_releases", "Release records (never blobs)", {
        200: oa.answer("The records, or their names with `names_only=1`.", {"oneOf": [
            obj({"releases": {"type": "array", "items": oa.schema_ref("ReleaseSummary")}}),
            obj({"names": {"type": "array", "items": {"type": "string"}}})]}),
        401: oa.response_ref("Unauthorized"), 503: oa.response_ref("ServiceUnavailable")},
        [oa.query_param("product", "Only this product's releases."),
         oa.query_param("name_prefix", "Only names starting so."),
         oa.query_param("names_only", "`1` or `true`: names only.")]),
)
def list_releases(changed_by: str) -> Response:
    params = query_params(bp)
    found = releases.records(params.get("product") or None, params.get("name_prefix") or None)
    if params.get("names_only"):
        return answer({"names": [r["name"] for r in found]})
    by_release = gates.rules_mapping([r["name"] for r in found])
    requirements = product_required_signoffs.rows()
    shown = []
    for record in found:
        mapping = by_release[record["name"]]
        shown.append({**_summary(record), "rule_ids": [r["rule_id"] for r in mapping],
                      "rule_info": {str(r["rule_id"]): {"product": r.get("product"), "channel": r.get("channel")}
                                    for r in mapping},
                      "required_signoffs": gates.needed_for_rules(mapping, requirements)})
    return answer({"releases": shown})


@admin(
    bp, "/releases", ["POST"],
    admin_op("create_release", "Create a release", {
        201: new_version("Created (`new_data_version` 1)."),
        **CREATE_ERRORS},
        request_body=json_content(obj({"name": {"type": "string"}, "product": {"type": "string"},
                                       "blob": JSON_STRING, "csrf_token": CSRF_FIELD},
                                      required=["name", "product", "blob"]),
                                  "The release; the blob's `name` must equal `name`.", NEW_RELEASE),
        writes=True),
    content_types=BODY_TYPES,
)
def create_release(changed_by: str) -> Response:
    body = json_body(bp)
    name, product = release_name(body.get("name")), product_of(body)
    blob = _blob(body, name, product, "Couldn't create release")
    require(changed_by, "release", "create", product)
    if releases.get({"name": name}) is not None:
        raise BalrogError(400, f"Release '{name}' already exists.")
    releases.create(name, product, blob, changed_by)
    return answer({"new_data_version": 1}, 201)


@admin(
    bp, "/releases/{name}", ["GET", "HEAD"],
    admin_op("get_release", "A release's blob", {
        200: oa.answer("The blob.", {"type": "object"}, headers=DATA_VERSION), **READ_ERRORS},
        [NAME, oa.query_param("pretty", "`1` or `true`: indented, keys sorted.")]),
    also={"HEAD": head_op("head_release", "A release's data_version", [NAME], DATA_VERSION)},
)
def get_release(name: str, changed_by: str) -> Response:
    record = _found(name)
    headers = {"X-Data-Version": str(record["data_version"])}
    if bp.current_request.method == "HEAD":
        return Response(body="", status_code=200, headers=headers)
    pretty = query_params(bp).get("pretty") in ("1", "true", "True")
    text = json.dumps(releases.blob(record), indent=4 if pretty else None, sort_keys=pretty)
    return Response(body=text, status_code=200, headers={"Content-Type": "application/json", **headers})


@admin(
    bp, "/releases/{name}", ["PUT"],
    admin_op("put_release", "Overwrite a release's blob, or create it", CREATED_OR_CHANGED, [NAME],
             json_content(obj({"name": {"type": "string"}, "product": {"type": "string"},
                               "blob": JSON_STRING, "data_version": INTEGER_LIKE,
                               "csrf_token": CSRF_FIELD}, required=["product", "blob"]),
                          "The blob (`data_version` required when the release exists)."),
             writes=True),
    content_types=BODY_TYPES,
)
def put_release(name: str, changed_by: str) -> Response:
    """Overwrite the blob of an existing release (200) or create it (201)."""
    body = json_body(bp)
    product = product_of(body)
    blob = _blob(body, name, product, "Couldn't update release")
    record = releases.get({"name": name})
    if record is None:
        require(changed_by, "release", "create", product)
        releases.create(name, product, blob, changed_by)
        return Response(body="", status_code=201)  # Balrog's ``ensure``: created, no body
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    require(changed_by, "release", "modify", record.get("product"))
    if product != record.get("product"):
        require(changed_by, "release", "modify", product)
    writable(record)
    gates.verify(gates.for_release(name), None)
    fresh = record["data_version"] == data_version  # a stale write is merged, and not carried into a pending change
    follow = follow_release(record, {"product": product, "data": blob}) if fresh else []
    new = releases.write_blob(name, blob, data_version, changed_by, {"product": product}, follow)
    return answer({"new_data_version": new["data_version"]})


@admin(
    bp, "/releases/{name}", ["POST"],
    admin_op("post_release", "Merge top-level fields into a release's blob", CREATED_OR_CHANGED, [NAME],
             json_content(oa.schema_ref("ReleaseChange"), "The fields to merge."), writes=True),
    content_types=BODY_TYPES,
)
def post_release(name: str, changed_by: str) -> Response:
    """Merge top-level fields of ``data`` into the blob (201 new release, 200 existing)."""
    def apply(blob: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        blob.update(data)
        return blob

    status, new_version = change_release(name, json_body(bp), apply, lambda blob: False, changed_by)
    return answer({"new_data_version": new_version}, status)


def _locale(blob: dict[str, Any], platform: str, locale: str) -> Any:
    return ((blob.get("platforms") or {}).get(platform) or {}).get("locales", {}).get(locale)


@admin(
    bp, "/releases/{name}/builds/{platform}/{locale}", ["GET", "HEAD"],
    admin_op("get_locale", "One locale's entry of a release", {
        200: oa.answer("The entry.", {"type": "object"}, headers=DATA_VERSION), **READ_ERRORS}, LOCALE),
    also={"HEAD": head_op("head_locale", "The release's data_version, if the locale exists", LOCALE, DATA_VERSION)},
)
def get_locale(name: str, platform: str, locale: str, changed_by: str) -> Response:
    record = _found(name)
    entry = _locale(releases.blob(record), platform, locale)
    if entry is None:
        raise BalrogError(404, f"No {platform}/{locale} in release '{name}'.")
    return answer(entry, headers={"X-Data-Version": str(record["data_version"])})


@admin(
    bp, "/releases/{name}/builds/{platform}/{locale}", ["PUT"],
    admin_op("put_locale", "Set one locale's entry", CREATED_OR_CHANGED, LOCALE,
             json_content({"allOf": [oa.schema_ref("ReleaseChange"), {"type": "object", "properties": {
                 "alias": NAME_LIST}}]}, "The entry in `data`; `alias` adds platforms aliased to this.",
                 LOCALE_CHANGE),
             writes=True),
    content_types=BODY_TYPES,
)
def put_locale(name: str, platform: str, locale: str, changed_by: str) -> Response:
    """Set one locale's entry in the blob (201 if the locale was new, else 200)."""
    body = json_body(bp)
    aliases = names_of(body, "alias")

    def apply(blob: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        platforms = blob.setdefault("platforms", {})
        # An aliased platform's data lives in its target: write there, or it would be ignored.
        resolved = (platforms.get(platform) or {}).get("alias") or platform
        platforms.setdefault(resolved, {}).setdefault("locales", {})[locale] = data
        for alias in aliases:  # new platforms only: an existing one is never redefined
            platforms.setdefault(alias, {"alias": resolved})
        return blob

    status, new_version = change_release(name, body, apply, lambda blob: _locale(blob, platform, locale) is None,
                                         changed_by, locale_change=True)
    return answer({"new_data_version": new_version}, status)


@admin(
    bp, "/releases/{name}", ["DELETE"],
    admin_op("delete_release", "Delete a release no rule maps to", {200: DELETED, **WRITE_ERRORS},
             [NAME, DELETE_VERSION], writes=True),
)
def delete_release(name: str, changed_by: str) -> Response:
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    record = _found(name)
    require(changed_by, "release", "delete", record.get("product"))
    writable(record)
    gates.verify(gates.for_release(name), None)
    pending = scheduled_changes.refuse_if_scheduled(RELEASES, record)
    releases.delete({"name": name}, data_version, changed_by, pending)  # refused while a rule maps to it
    return Response(body="", status_code=200)


@admin(
    bp, "/releases/{name}/read_only", ["GET"],
    admin_op("get_read_only", "Whether a release is read only", {
        200: oa.answer("The flag.", obj({"read_only": {"type": "boolean"}})), **READ_ERRORS}, [NAME]),
)
def get_read_only(name: str, changed_by: str) -> Response:
    return answer({"read_only": bool(_found(name).get("read_only"))})


@admin(
    bp, "/releases/{name}/read_only", ["PUT"],
    admin_op("put_read_only", "Set or unset read only", {
        201: new_version("Set (or already set)."), **WRITE_ERRORS}, [NAME],
        json_content(obj({"read_only": {"type": ["boolean", "string"]}, "data_version": INTEGER_LIKE,
                          "csrf_token": CSRF_FIELD}, required=["read_only", "data_version"]),
                     "The flag and `data_version`."), writes=True),
    content_types=BODY_TYPES,
)
def put_read_only(name: str, changed_by: str) -> Response:
    """Set or unset the flag, checked as Balrog's ``update_read_only`` checks it.

    Only ``release_read_only`` set/unset is required (not ``release``
    modify); marking an already read-only release is a no-op that checks
    nothing; making a release writable needs the signoffs of its rules (or
    its product); the data_version is checked last, by the write itself.
    """
    body = json_body(bp)
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    flag = body.get("read_only")
    if isinstance(flag, str):
        flag = flag.strip().lower() in ("1", "true", "yes")
    if not isinstance(flag, bool):
        raise BalrogError(400, "'read_only' must be true or false.")
    record = _found(name)
    if flag and record.get("read_only"):
        return answer({"new_data_version": data_version}, 201)  # already set: Balrog writes nothing
    require(changed_by, "release_read_only", "set" if flag else "unset", record.get("product"))
    if not flag and record.get("read_only"):
        gates.verify(gates.for_read_write(name, record.get("product")), None)
    follow = follow_release(record, {"read_only": flag}) if record["data_version"] == data_version else []
    new = releases.replace(name, {"read_only": flag}, data_version, changed_by, extra=follow)
    return answer({"new_data_version": new["data_version"]}, 201)


RELEASE_COLUMNS = ("name", "product", "data_version", "read_only")
RELEASE_COLUMN = oa.path_param("column", "A release column; another is 404.", oa.segment(enum=list(RELEASE_COLUMNS)),
                               example="product")


@admin(
    bp, "/releases/columns/{column}", ["GET"],
    column_op("release_column", "release", RELEASE_COLUMN),
)
def release_column(column: str, changed_by: str) -> Response:
    """The distinct values of one column of the release records (never of blobs)."""
    if column not in RELEASE_COLUMNS:
        raise BalrogError(404, f"Requested column '{column}' does not exist.")
    values = list(dict.fromkeys(_summary(r)[column] for r in releases.records()))
    return answer({"count": len(values), column: values})


@admin(
    bp, "/releases/{name}/revisions", ["GET"],
    admin_op("release_revisions", "A release's versions, newest first", {
        200: oa.answer("A page of versions.", obj({"count": {"type": "integer"}, "revisions": {
            "type": "array", "items": oa.schema_ref("ReleaseRevision")}})),
        400: oa.response_ref("BadRequest"), **READ_ERRORS}, [NAME, PAGE, LIMIT]),
)
def release_revisions(name: str, changed_by: str) -> Response:
    """Versions of a release, newest first (records only: blobs stay in S3)."""
    page, limit = page_and_limit(bp)
    _found(name)
    count, revisions = releases.revisions({"name": name}, page, limit)
    shown = [{**_summary(r), **change_of(r)} for r in revisions]
    return answer({"count": count, "revisions": shown})


@admin(
    bp, "/releases/{name}/revisions", ["POST"],
    admin_op("revert_release", "Write an earlier version's blob and product", {
        200: new_version(), **WRITE_ERRORS}, [NAME],
        json_content(obj({"change_id": INTEGER_LIKE}, required=[]), "The `change_id` to apply."),
        writes=True),
    content_types=BODY_TYPES,
)
def revert_release(name: str, changed_by: str) -> Response:
    """Write an earlier revision's blob and product as a normal update at the current data_version."""
    record = _found(name)
    change_id = int_value(json_body(bp).get("change_id"), "change_id", required=True)
    old = releases.change({"name": name}, change_id)
    if old is None or old.get("data_version") is None or "blob_key" not in old:
        raise BalrogError(400, f"Bad change_id: {change_id} is not a revision of release '{name}'.")
    require(changed_by, "release", "modify", record.get("product"))
    if old.get("product") != record.get("product"):
        require(changed_by, "release", "modify", old.get("product"))
    writable(record)
    gates.verify(gates.for_release(name), None)
    blob = releases.blob(old)
    # Written as any update is (Balrog's Releases.update validates it): the allowlist may have dropped a host
    # the old blob downloads from, and a revert must not bring it back.
    if contains_forbidden_domain(blob, old.get("product") or "", domain_allowlist()):
        raise errors.value_error(FORBIDDEN_DOMAIN)
    follow = follow_release(record, {"product": old.get("product"), "data": blob})
    new = releases.replace(name, {"product": old.get("product")}, record["data_version"], changed_by, blob=blob,
                           extra=follow)
    return answer({"new_data_version": new["data_version"]})
