"""Every Balrog blueprint, in the order the app registers them (each under ``FAMILY.url_prefix(bp)``:
``/balrog/api`` for the admin API, ``/balrog`` for the token endpoint, ``/balrog/update`` and ``/balrog/json``)."""

from __future__ import annotations

from chalicelib.api.balrog import (
    csrf,
    emergency_shutoff,
    history,
    oauth,
    releases,
    required_signoffs,
    rules,
    scheduled_changes,
    update,
    users,
)
from chalicelib.api.balrog.family import BALROG

FAMILY = BALROG
BLUEPRINTS = [rules.bp, users.bp, releases.bp, csrf.bp, history.bp, scheduled_changes.bp, required_signoffs.bp,
              emergency_shutoff.bp, oauth.bp, update.bp, update.json_bp]
