"""Every Treeherder blueprint, in the order the app registers them (under ``TREEHERDER.prefix``)."""

from __future__ import annotations

from chalicelib.api.treeherder import docs, jobs, perfherder, pushes, reference
from chalicelib.api.treeherder.family import TREEHERDER

FAMILY = TREEHERDER
BLUEPRINTS = [pushes.bp, jobs.bp, reference.bp, perfherder.bp, docs.bp]
