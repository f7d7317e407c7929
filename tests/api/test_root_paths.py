"""Every literal first path segment the app serves is reserved: no project can hide behind it."""

from __future__ import annotations

import pytest

from chalicelib import root_paths
from chalicelib.store import projects


def test_every_literal_first_segment_of_a_route_is_reserved():
    from app import app

    firsts = {path.split("/")[1] for path in app.routes}
    literal = {segment for segment in firsts if segment and not segment.startswith("{")}  # "": the root
    assert literal <= root_paths.RESERVED, literal - root_paths.RESERVED


@pytest.mark.parametrize("name", ["balrog", "Treeherder", "self-serve", "openapi", "refdata", "builds"])
def test_a_project_named_after_a_mount_is_refused_with_its_owner(aws, name):
    with pytest.raises(projects.ReservedName, match="is reserved"):
        projects.create(name, "key", "secret")
