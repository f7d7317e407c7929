"""Every KernelCI blueprint, in the order the app registers them (at the host root: ``KERNELCI.prefix`` is
empty, as ``publish_kernel`` posts to ``/build`` whatever the API URL)."""

from __future__ import annotations

from chalicelib.api.kernelci import resources, tokens, upload, version
from chalicelib.api.kernelci.family import KERNELCI

FAMILY = KERNELCI
BLUEPRINTS = [resources.bp, tokens.bp, upload.bp, version.bp]
