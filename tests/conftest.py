"""What every test needs: a test environment that cannot reach AWS, and the shared fixtures.

Each folder's own fixtures are in its ``conftest.py``; fixtures several folders
use are plugins in ``tests/support/plugins/``, registered here.
"""

from __future__ import annotations

import os

# The store reads resource names at import time: set the world first.
os.environ.update(
    SHIPYARD_PREFIX="shipyard-test",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_XRAY_SDK_ENABLED="false",
)
for _var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)

pytest_plugins = [
    "tests.support.plugins.aws",
    "tests.support.plugins.datazilla",
    "tests.support.plugins.pushlog",
    "tests.support.plugins.balrog",
    "tests.support.plugins.treeherder",
    "tests.support.plugins.kernelci",
]
