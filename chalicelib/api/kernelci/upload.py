"""``/upload``: build artifacts into S3, as ``kernelci.storage.upload_files`` sends them.

A ``multipart/form-data`` POST with the destination directory in the form
field ``path`` (or, without it, ``job/git_branch/kernel/arch/defconfig_full``
and ``/lab_name`` when given, the backend's layout) and the files in any
other fields (``file0``, ``file1``...). File names may hold subdirectories
(``dtbs/x.dtb``); nothing may climb out of the path. A stored file may be
replaced only by the token that stored it, or an admin or superuser token
(403 otherwise, and nothing of the request is stored). The answer lists each
file: status (201 new, 200 replaced), bytes, name, URL (percent-encoded).

``PUT /upload/<path>`` stores one file, the request body, at ``<path>``
(the collection's documentation): 201 with ``Location`` when new, 200 when
it replaced one (the same ownership rule). The path is a greedy ``{path+}``
resource (API Gateway takes any depth below ``/upload``). A binary body must
come as ``application/octet-stream`` or ``multipart/form-data`` (the app's
binary types) for API Gateway to pass its bytes untouched.

GET and DELETE are not implemented, as in the backend.
"""

from __future__ import annotations

import posixpath
from typing import Any

from chalice import Blueprint

from chalicelib.api.kernelci import openapi as spec
from chalicelib.api.kernelci.call import Call
from chalicelib.api.kernelci.envelope import Answer, reason_for
from chalicelib.api.kernelci.family import paths, resource
from chalicelib.api.kernelci.multipart import MalformedForm, parse
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.api.kit.refusal import Refusal
from chalicelib.kernelci import tokens as rules
from chalicelib.store import kernelci_storage as storage

bp = Blueprint(__name__)

FORM = "multipart/form-data"


def clean_path(raw: str, what: str) -> str:
    """A relative path with no ``..``, ``.`` or empty parts (400 otherwise)."""
    parts = [p for p in raw.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or any(ord(c) < 32 for c in raw):
        raise Refusal(400, f"Provided {what} is not a valid relative path: {raw!r}")
    return posixpath.join(*parts)


def _directory(form_value, call_path: str | None) -> str:
    if call_path:
        return clean_path(call_path, "path")
    for name in ("job", "git_branch", "kernel", "defconfig", "arch"):
        if not form_value(name):
            raise Refusal(400, f"Missing argument {name}")
    parts = [form_value("job"), form_value("git_branch"), form_value("kernel"), form_value("arch"),
             form_value("defconfig_full") or form_value("defconfig")]
    if form_value("lab_name"):
        parts.append(form_value("lab_name"))
    return clean_path("/".join(parts), "path")


def _uploader(call: Call) -> tuple[rules.Token, str]:
    assert call.token is not None
    return rules.Token.of(call.token), str(call.token.get("_id", ""))


def post_upload(call: Call) -> Answer:
    content_type = call.request.headers.get("content-type") or ""
    if not content_type.lower().startswith(FORM):
        raise Refusal(415, f"{reason_for(415)}: use {FORM} as the content type")
    try:
        form = parse(content_type, call.request.raw_body or b"")
    except MalformedForm as err:
        raise Refusal(400, str(err)) from None
    directory = _directory(form.value, form.value("path"))
    if not form.files:
        raise Refusal(400, "No files provided")
    token, token_id = _uploader(call)
    planned = []
    for upload in form.files:  # every file checked before any is stored: all or nothing
        name = clean_path(upload.filename, "file name")
        path = f"{directory}/{name}"
        replaced, owner = storage.stored_by(path)
        if replaced and not rules.may_replace(token, token_id, owner):
            raise Refusal(403, f"Operation not permitted: '{path}' was stored by another token")
        planned.append((upload, name, path, replaced))
    stored = []
    for upload, name, path, replaced in planned:
        storage.put(path, upload.body, upload.content_type, uploader=token_id)
        stored.append({"status": 200 if replaced else 201, "error": None, "bytes": len(upload.body),
                       "filename": name, "url": storage.url(path)})
    return Answer(200, result=stored, reason=f"{len(stored)} file(s) stored under '{directory}/'")


def put_upload(call: Call) -> Answer:
    """One file, the body, at the path of the URL (the backend's ``UploadHandler._put``)."""
    raw = ((call.request.uri_params or {}).get("path") or "").strip("/")
    if not raw:
        raise Refusal(400, "Missing destination path")
    path = clean_path(raw, "path")
    name = posixpath.basename(path)
    body = call.request.raw_body or b""
    token, token_id = _uploader(call)
    replaced, owner = storage.stored_by(path)
    if replaced and not rules.may_replace(token, token_id, owner):
        raise Refusal(403, f"Operation not permitted: '{path}' was stored by another token")
    storage.put(path, body, call.request.headers.get("content-type") or "application/octet-stream",
                uploader=token_id)
    stored = {"status": 200 if replaced else 201, "error": None, "bytes": len(body), "filename": name,
              "url": storage.url(path)}
    if replaced:
        return Answer(200, result=[stored], reason=f"File '{name}' replaced with new content")
    return Answer(201, result=[stored], reason=f"File '{name}' saved", headers={"Location": storage.url(path)})


def _upload_operations(alias: spec.Alias) -> dict[str, Any]:
    return {"post": spec.op(alias, "post", "Store build artifacts under a path", {
        200: spec.ok("Each file: 201 new, 200 replaced, its size and URL.",
                     spec.envelope(parts.schema_ref("StoredFile"), ["result", "reason"])),
        **spec.common(400, 403, 415, 503)},
        security=spec.TOKEN,
        request_body=parts.body({"multipart/form-data": parts.schema_ref("UploadForm")},
                                "What `kernelci.storage.upload_files` sends.", required=True,
                                examples={"multipart/form-data": {"path": spec.EXAMPLE_BUILD["file_server_resource"],
                                                                  "file0": "CONFIG_ARM64=y\n"}}))}


def _upload_file_operations(alias: spec.Alias) -> dict[str, Any]:
    path = parts.path_param("path", "Where the file goes: a relative path, one segment or more (`/` between "
                                    "them is part of the path; `..` is 400).", parts.segment(), example="zImage")
    stored = spec.envelope(parts.schema_ref("StoredFile"), ["result", "reason"])
    return {
        "put": spec.op(alias, "put", "Store one file, the body, at the path", {
            200: spec.ok("Replaced.", stored),
            201: spec.ok("Saved; `Location` is its URL.", stored, {"Location": parts.header("The stored file's URL.")}),
            **spec.common(400, 403, 503)},
            security=spec.TOKEN, parameters=[path],
            request_body=parts.body({"application/octet-stream": {"type": "string", "format": "binary"}},
                                    "The file's bytes; none stores an empty file, as the backend does.",
                                    required=False)),
        "post": spec.op(alias, "post", "Store build artifacts (the path of the URL is not used)", {
            200: spec.ok("Each file: 201 new, 200 replaced, its size and URL.", stored),
            **spec.common(400, 403, 415, 503)},
            security=spec.TOKEN, parameters=[path],
            request_body=parts.body({"multipart/form-data": parts.schema_ref("UploadForm")},
                                    "What `kernelci.storage.upload_files` sends.", required=True)),
    }

resource(bp, "upload", paths("upload", with_id=False), {"POST": post_upload}, rules.upload, _upload_operations,
         spec.no_params)
resource(bp, "upload", [f"{p}/{{path+}}" for p in paths("upload", with_id=False)],
         {"POST": post_upload, "PUT": put_upload}, rules.upload, _upload_file_operations,
         lambda alias: [parts.path_param("path", "Any path.", parts.segment())])
