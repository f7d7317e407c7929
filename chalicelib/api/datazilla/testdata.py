"""``GET /<project>/testdata/raw/<branch>/<revision>/``: the blobs of a revision."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalice import Blueprint

from chalicelib.api.datazilla.family import DATAZILLA
from chalicelib.api.datazilla.openapi import BRANCH, FILTERS, PROJECT, PROJECT_ERRORS, REVISION, listing, ok, read
from chalicelib.api.kit.openapi_parts import schema_ref
from chalicelib.datazilla.raw import RawFilter, bad_test_data
from chalicelib.services.datazilla.push_links import branch_names
from chalicelib.store import blobs, objectstore
from chalicelib.store.projects import Project

bp = Blueprint(__name__)

_FETCHERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="raw-blob")


def _reference(row: objectstore.ObjectstoreRow) -> dict[str, Any]:
    return {
        "product": row.product, "os_name": row.os_name, "os_version": row.os_version,
        "branch_version": row.branch_version, "processor": row.processor,
        "build_type": row.build_type, "test_name": row.test_name,
        "page_names": row.page_names,  # on rows that failed to load; a loaded row's pages are its blob's
    }


@DATAZILLA.handles(bp, "/{project}/testdata/raw/{branch}/{revision}", ["GET"], read(
    "raw", "The stored blobs of a revision",
    {200: ok("Blobs in upload order.", listing(schema_ref("RawEntry"))), **PROJECT_ERRORS},
    [PROJECT, BRANCH, REVISION, *FILTERS]))
def raw(project: Project, branch: str, revision: str) -> list[Any]:
    selected = RawFilter.from_params(bp.current_request.query_params)
    rows = [r for name in branch_names(branch) for r in objectstore.for_revision(project.name, name, revision)
            if selected.matches(_reference(r))]
    rows.sort(key=lambda r: int(r.id))
    good = [r for r in rows if r.error_flag != "Y"]
    bodies = _FETCHERS.map(lambda r: blobs.get(r.s3_key), good)
    contents = dict(zip((int(r.id) for r in good), bodies, strict=True))
    out: list[Any] = []
    for row in rows:
        if row.error_flag == "Y":
            run_id = int(row.test_run_id) if row.test_run_id is not None else int(row.id)
            out.append(bad_test_data(run_id, row.error_msg))
            continue
        blob = json.loads(contents[int(row.id)])
        if selected.matches_pages(blob):
            out.append(selected.trim(blob))
    return out
