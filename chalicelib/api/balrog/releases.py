"""``/releases``: list, create, read (blob), overwrite, merge, locales, delete, read-only, revisions.

Every blob write with a stale data_version goes through the store's 3-way
merge (``Releases.write_blob``), so concurrent locale uploads both land.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.balrog.common import (
    BODY_TYPES,
    BalrogError,
    answer,
    balrog_route,
    change_of,
    int_value,
    json_body,
    nested,
    page_and_limit,
    query_params,
    require,
)
from chalicelib.balrog.blob_schema import blob_errors
from chalicelib.services.balrog import gates
from chalicelib.store.balrog_releases import releases
from chalicelib.store.balrog_required_signoffs import product_required_signoffs

bp = Blueprint(__name__)
MAX_NAME = 200


def _found(name: str) -> dict[str, Any]:
    record = releases.get({"name": name})
    if record is None:
        raise BalrogError(404, f"Release '{name}' does not exist.")
    return record


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {"name": record["name"], "product": record.get("product"),
            "data_version": record["data_version"], "read_only": bool(record.get("read_only"))}


def _blob(body: dict[str, Any], name: str) -> dict[str, Any]:
    blob = nested(body.get("blob"), "blob")
    if not isinstance(blob, dict):
        raise BalrogError(400, "'blob' is required and must be a JSON object.")
    if blob.get("name") != name:
        raise BalrogError(400, f"The blob's name ({blob.get('name')!r}) must equal the release name ({name!r}).")
    return _valid(blob)


def _valid(blob: dict[str, Any]) -> dict[str, Any]:
    """Balrog's ``BlobValidationError``: 400 "Invalid Blob" with the schema's complaints."""
    errors = blob_errors(blob)
    if errors:
        raise BalrogError(400, "Invalid Blob", errors)
    return blob


def _product(body: dict[str, Any]) -> str:
    product = body.get("product")
    if not isinstance(product, str) or not product.strip():
        raise BalrogError(400, "'product' is required.")
    return product


def _name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise BalrogError(400, f"'name' is required (at most {MAX_NAME} characters).")
    return name


def _writable(record: dict[str, Any]) -> None:
    if record.get("read_only"):
        raise BalrogError(403, "Couldn't update release. Release is marked read only",
                          f"Release '{record['name']}' is read only")


@bp.route("/releases", methods=["GET"])
@balrog_route(bp)
def list_releases(changed_by: str) -> Response:
    params = query_params(bp)
    found = releases.records(params.get("product") or None, params.get("name_prefix") or None)
    if params.get("names_only"):
        return answer({"names": [r["name"] for r in found]})
    by_release = gates.rules_by_release()
    requirements = product_required_signoffs.rows()
    shown = []
    for record in found:
        mapping = by_release.get(record["name"], [])
        shown.append({**_summary(record), "rule_ids": [r["rule_id"] for r in mapping],
                      "rule_info": {str(r["rule_id"]): {"product": r.get("product"), "channel": r.get("channel")}
                                    for r in mapping},
                      "required_signoffs": gates.needed_for_rules(mapping, requirements)})
    return answer({"releases": shown})


@bp.route("/releases", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def create_release(changed_by: str) -> Response:
    body = json_body(bp)
    name, product = _name(body.get("name")), _product(body)
    blob = _blob(body, name)
    require(changed_by, "release", "create", product)
    if releases.get({"name": name}) is not None:
        raise BalrogError(400, f"Release '{name}' already exists.")
    releases.create(name, product, blob, changed_by)
    return answer({"new_data_version": 1}, 201)


@bp.route("/releases/{name}", methods=["GET", "HEAD"])
@balrog_route(bp)
def get_release(name: str, changed_by: str) -> Response:
    record = _found(name)
    headers = {"X-Data-Version": str(record["data_version"])}
    if bp.current_request.method == "HEAD":
        return Response(body="", status_code=200, headers=headers)
    pretty = query_params(bp).get("pretty") in ("1", "true", "True")
    text = json.dumps(releases.blob(record), indent=4 if pretty else None, sort_keys=pretty)
    return Response(body=text, status_code=200, headers={"Content-Type": "application/json", **headers})


@bp.route("/releases/{name}", methods=["PUT"], content_types=BODY_TYPES)
@balrog_route(bp)
def put_release(name: str, changed_by: str) -> Response:
    """Overwrite the blob of an existing release (200) or create it (201)."""
    body = json_body(bp)
    product = _product(body)
    blob = _blob(body, name)
    record = releases.get({"name": name})
    if record is None:
        require(changed_by, "release", "create", product)
        releases.create(name, product, blob, changed_by)
        return Response(body="", status_code=201)  # Balrog's ``ensure``: created, no body
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    require(changed_by, "release", "modify", record.get("product"))
    if product != record.get("product"):
        require(changed_by, "release", "modify", product)
    _writable(record)
    gates.verify(gates.for_release(name), None)
    new = releases.write_blob(name, blob, data_version, changed_by, {"product": product})
    return answer({"new_data_version": new["data_version"]})


def _names(body: dict[str, Any], field: str) -> list[str]:
    """A list of names (``copyTo``, ``alias``), sent as a JSON string or a list."""
    value = nested(body.get(field), field)
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BalrogError(400, f"'{field}' must be a JSON list of names.")
    return list(dict.fromkeys(value))


def _partial(name: str, body: dict[str, Any], apply: Any, is_new: Any, changed_by: str,
             locale_change: bool = False) -> Response:
    """Balrog's ``changeRelease``: apply one change to the named release and to each of ``copyTo``.

    A release that does not exist yet is created first (from ``schema_version``
    and ``hashFunction``). The release in the URL is the primary one: its
    ``data_version`` is required and checked (a stale one goes through the
    3-way merge), its product must match, and its answer decides the status
    (201 when ``is_new(blob)`` says the change adds something, or the release
    was created; else 200). ``copyTo`` releases are written at their current
    version. Every permission and product check of every target is made
    before the first write, so a refusal writes nothing.
    ``apply(blob, data)`` returns the new blob.
    """
    product = _product(body)
    data = nested(body.get("data"), "data")
    if not isinstance(data, dict):
        raise BalrogError(400, "'data' is required and must be a JSON object.")
    copy_to = [n for n in _names(body, "copyTo") if n != name]
    schema_version = body.get("schema_version") or data.get("schema_version")
    hash_function = body.get("hashFunction") or data.get("hashFunction")
    targets: list[tuple[str, dict[str, Any] | None, int | None]] = []
    for target in [name, *copy_to]:
        _name(target)
        record = releases.get({"name": target})
        if record is None:
            require(changed_by, "release", "create", product)
            if not schema_version:
                raise BalrogError(400, "schema_version is required")
            targets.append((target, None, None))
            continue
        if target == name:
            data_version = int_value(body.get("data_version"), "data_version")
            if data_version is None:
                raise BalrogError(400, "Release exists, data_version must be provided")
            if product != record.get("product"):
                raise BalrogError(400, f"Product name '{product}' doesn't match the release's "
                                       f"('{record.get('product')}')")
        else:
            data_version = record["data_version"]
        if locale_change:
            _require_any(changed_by, ("release", "release_locale"), "modify", record.get("product"))
        else:
            require(changed_by, "release", "modify", record.get("product"))
        _writable(record)
        gates.verify(gates.for_release(target), None)
        targets.append((target, record, data_version))

    status = 200
    primary_version = 0
    for target, record, data_version in targets:
        if record is None:
            start = {"name": target, "schema_version": int_value(schema_version, "schema_version")}
            if hash_function:
                start["hashFunction"] = hash_function
            record, data_version = releases.create(target, product, start, changed_by), 1
            new = True
        else:
            new = None
        current = releases.blob(record)
        if hash_function and current.get("hashFunction") not in (None, hash_function):
            raise BalrogError(400, f"hashFunction '{hash_function}' doesn't match the release's")
        if new is None:
            new = is_new(current)
        written = releases.write_blob(target, _valid(apply(copy.deepcopy(current), data)), data_version, changed_by)
        if target == name:
            status, primary_version = (201 if new else 200), written["data_version"]
    return answer({"new_data_version": primary_version}, status)


def _require_any(username: str, things: tuple[str, ...], action: str, product: str | None) -> None:
    for thing in things[:-1]:
        try:
            require(username, thing, action, product)
            return
        except BalrogError:
            continue
    require(username, things[-1], action, product)


@bp.route("/releases/{name}", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
def post_release(name: str, changed_by: str) -> Response:
    """Merge top-level fields of ``data`` into the blob (201 new release, 200 existing)."""
    def apply(blob: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        blob.update(data)
        return blob

    return _partial(name, json_body(bp), apply, lambda blob: False, changed_by)


def _locale(blob: dict[str, Any], platform: str, locale: str) -> Any:
    return ((blob.get("platforms") or {}).get(platform) or {}).get("locales", {}).get(locale)


@bp.route("/releases/{name}/builds/{platform}/{locale}", methods=["GET", "HEAD"])
@balrog_route(bp)
def get_locale(name: str, platform: str, locale: str, changed_by: str) -> Response:
    record = _found(name)
    entry = _locale(releases.blob(record), platform, locale)
    if entry is None:
        raise BalrogError(404, f"No {platform}/{locale} in release '{name}'.")
    return answer(entry, headers={"X-Data-Version": str(record["data_version"])})


@bp.route("/releases/{name}/builds/{platform}/{locale}", methods=["PUT"], content_types=BODY_TYPES)
@balrog_route(bp)
def put_locale(name: str, platform: str, locale: str, changed_by: str) -> Response:
    """Set one locale's entry in the blob (201 if the locale was new, else 200)."""
    body = json_body(bp)
    aliases = _names(body, "alias")

    def apply(blob: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        platforms = blob.setdefault("platforms", {})
        # An aliased platform's data lives in its target: write there, or it would be ignored.
        resolved = (platforms.get(platform) or {}).get("alias") or platform
        platforms.setdefault(resolved, {}).setdefault("locales", {})[locale] = data
        for alias in aliases:  # new platforms only: an existing one is never redefined
            platforms.setdefault(alias, {"alias": resolved})
        return blob

    return _partial(name, body, apply, lambda blob: _locale(blob, platform, locale) is None, changed_by,
                    locale_change=True)


@bp.route("/releases/{name}", methods=["DELETE"])
@balrog_route(bp)
def delete_release(name: str, changed_by: str) -> Response:
    data_version = int_value(query_params(bp).get("data_version"), "data_version", required=True)
    record = _found(name)
    require(changed_by, "release", "delete", record.get("product"))
    _writable(record)
    gates.verify(gates.for_release(name), None)
    releases.delete({"name": name}, data_version, changed_by)  # refused while a rule maps to it
    return Response(body="", status_code=200)


@bp.route("/releases/{name}/read_only", methods=["GET"])
@balrog_route(bp)
def get_read_only(name: str, changed_by: str) -> Response:
    return answer({"read_only": bool(_found(name).get("read_only"))})


@bp.route("/releases/{name}/read_only", methods=["PUT"], content_types=BODY_TYPES)
@balrog_route(bp)
def put_read_only(name: str, changed_by: str) -> Response:
    """Set or unset the flag: needs ``release`` modify and ``release_read_only`` set/unset."""
    body = json_body(bp)
    data_version = int_value(body.get("data_version"), "data_version", required=True)
    flag = body.get("read_only")
    if isinstance(flag, str):
        flag = flag.strip().lower() in ("1", "true", "yes")
    if not isinstance(flag, bool):
        raise BalrogError(400, "'read_only' must be true or false.")
    record = _found(name)
    require(changed_by, "release", "modify", record.get("product"))
    require(changed_by, "release_read_only", "set" if flag else "unset", record.get("product"))
    if flag and record.get("read_only"):
        return answer({"new_data_version": data_version}, 201)  # already set: Balrog writes nothing
    if not flag and record.get("read_only"):
        gates.verify(gates.for_read_write(name, record.get("product")), None)
    new = releases.replace(name, {"read_only": flag}, data_version, changed_by)
    return answer({"new_data_version": new["data_version"]}, 201)


RELEASE_COLUMNS = ("name", "product", "data_version", "read_only")


@bp.route("/releases/columns/{column}", methods=["GET"])
@balrog_route(bp)
def release_column(column: str, changed_by: str) -> Response:
    """The distinct values of one column of the release records (never of blobs)."""
    if column not in RELEASE_COLUMNS:
        raise BalrogError(404, f"Requested column '{column}' does not exist.")
    values = list(dict.fromkeys(_summary(r)[column] for r in releases.records()))
    return answer({"count": len(values), column: values})


@bp.route("/releases/{name}/revisions", methods=["GET"])
@balrog_route(bp)
def release_revisions(name: str, changed_by: str) -> Response:
    """Versions of a release, newest first (records only: blobs stay in S3)."""
    page, limit = page_and_limit(bp)
    _found(name)
    count, revisions = releases.revisions({"name": name}, page, limit)
    shown = [{**_summary(r), **change_of(r)} for r in revisions]
    return answer({"count": count, "revisions": shown})


@bp.route("/releases/{name}/revisions", methods=["POST"], content_types=BODY_TYPES)
@balrog_route(bp)
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
    _writable(record)
    gates.verify(gates.for_release(name), None)
    new = releases.replace(name, {"product": old.get("product")}, record["data_version"], changed_by,
                           blob=releases.blob(old))
    return answer({"new_data_version": new["data_version"]})
