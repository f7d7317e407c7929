"""The KernelCI document: its examples name the documents the seed makes, its operations say what the code answers."""

from __future__ import annotations

import pytest

from chalicelib.api.kernelci import openapi
from chalicelib.api.kit import openapi_parts as parts
from chalicelib.api.openapi import registry
from chalicelib.kernelci import regressions
from chalicelib.kernelci.documents import build_documents
from chalicelib.kernelci.test_results import group_documents


def _document():
    return registry.document("kernelci")


def test_the_example_build_and_job_ids_are_those_the_import_derives():
    job, build = build_documents(openapi.EXAMPLE_BUILD, None, received_on=0)
    assert (build["_id"], job["_id"]) == (openapi.example_build_id(), openapi.example_job_id())


def test_the_example_regression_id_is_that_of_the_example_groups_failing_case():
    group, _cases, _notes = group_documents(openapi.EXAMPLE_GROUP, created_on=0)
    assert regressions.regression_id(group, openapi.EXAMPLE_CASE, group["kernel"]) == openapi.example_regression_id()


def test_every_plural_alias_is_documented_like_its_singular_path():
    paths = _document()["paths"]
    for plural, singular in (("/jobs/{doc_id}", "/job/{doc_id}"), ("/tests/groups", "/test/group")):
        assert paths[plural].keys() == paths[singular].keys()
        for method in paths[singular]:
            assert paths[plural][method]["responses"] == paths[singular][method]["responses"]


@pytest.mark.parametrize("path,method,status", [
    ("/count", "post", "501"), ("/version", "delete", "501"), ("/job/distinct/{field}", "put", "501"),
    ("/token/{doc_id}", "patch", "405"), ("/version", "head", "405"), ("/build", "options", "200"),
])
def test_verbs_the_resource_does_not_do_are_documented_with_their_answer_and_no_token(path, method, status):
    op = _document()["paths"][path][method]
    assert status in op["responses"] and op["security"] == []


@pytest.mark.parametrize("path,method", [("/job", "put"), ("/test/regression", "post"), ("/upload", "get")])
def test_other_unimplemented_verbs_are_documented_behind_the_token(path, method):
    """kernelci-backend handlers/base.py: the token is checked before the placeholder answers 501."""
    op = _document()["paths"][path][method]
    assert {"403", "501"} <= set(op["responses"]) and op["security"] == openapi.TOKEN


def test_only_unimplemented_verbs_carry_the_tag_that_lets_them_answer_501():
    document = _document()
    tagged = {(path, m) for path, m in parts.operations(document)
              if openapi.NOT_IMPLEMENTED_TAG in document["paths"][path][m.lower()].get("tags", [])}
    answering_501 = {(path, m) for path, m in parts.operations(document)
                     if "501" in document["paths"][path][m.lower()]["responses"]}
    assert tagged == answering_501 and ("/job", "PUT") in tagged and ("/token", "PUT") not in tagged


def test_operations_that_need_the_token_are_those_the_resource_implements():
    document = _document()
    authed = {(path, m) for path, m in parts.operations(document)
              if document["paths"][path][m.lower()].get("security") == openapi.TOKEN}
    assert ("/build", "POST") in authed and ("/job/{doc_id}", "GET") in authed
    assert ("/version", "GET") not in authed and ("/count", "POST") not in authed and ("/job", "OPTIONS") not in authed
