"""The domain allowlist this deployment's Balrog applies: configured, else Balrog's production list.

Release writes and update serving must agree on it, or a release could be
accepted whose files its updates then leave out.
"""

from __future__ import annotations

from chalicelib import config
from chalicelib.balrog.domains import PRODUCTION_ALLOWLIST, Allowlist


def domain_allowlist() -> Allowlist:
    return config.balrog_domain_allowlist() or PRODUCTION_ALLOWLIST
