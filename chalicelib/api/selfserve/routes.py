"""Every self-serve blueprint, in the order the app registers them (under ``SELFSERVE.prefix``).

``/jobs`` and ``/branches`` come before ``/{branch}``, which would otherwise match them.
"""

from __future__ import annotations

from chalicelib.api.selfserve import branches, builds, jobs, requests, revisions
from chalicelib.api.selfserve.family import SELFSERVE

FAMILY = SELFSERVE
BLUEPRINTS = [jobs.bp, branches.bp, builds.bp, requests.bp, revisions.bp]
